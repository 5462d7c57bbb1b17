"""Flag severities, shared by server, client, report and alerts.

Severities follow MQM: `minor`, `major`, `critical`. A segment with a `major` or
`critical` flag does not pass. The weights are MQM's usual penalties.
"""

from __future__ import annotations

SEVERITIES = ("minor", "major", "critical")  # least to most severe
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES, 1)}
SEVERITY_WEIGHT = {"minor": 1, "major": 5, "critical": 10}
BLOCKING_SEVERITIES = ("major", "critical")  # a flag of these fails its segment


def severity_rank(severity: str) -> int:
    """1 (minor) to 3 (critical); an unknown severity counts as minor."""
    return SEVERITY_RANK.get(severity, 1)


def normalize_severity(severity: object) -> str:
    """A known severity name; anything else reads as `minor`."""
    text = str(severity or "")
    return text if text in SEVERITY_RANK else "minor"


def at_least(severity: str) -> tuple[str, ...]:
    """The severities from `severity` up: at_least("major") == ("major", "critical")."""
    return SEVERITIES[SEVERITIES.index(severity):]


def most_severe_first() -> tuple[str, ...]:
    """("critical", "major", "minor"), the order tables list them in."""
    return tuple(reversed(SEVERITIES))
