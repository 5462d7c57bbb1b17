"""Omission and addition detection (see detector.py)."""


def build_omission_scorer(config):
    """The omission/addition scorer for this server's config, or None when unavailable."""
    from lacuna.server.omission.encoder import BatchingEncoder, build_encoder
    from lacuna.server.omission.scorer import OmissionScorer

    encoder = BatchingEncoder(build_encoder(config.encoder), cache_size=config.encoder_cache_size)
    return OmissionScorer(encoder)
