"""Omission and addition detection (see detector.py)."""


def build_omission_scorer(config):
    """The omission/addition scorer for this server's config, or None when unavailable."""
    return None
