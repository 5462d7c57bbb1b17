"""The one order "worst first" means, wherever segments are ranked: the terminal
summary, the HTML report and alert messages all name the same segments.

Worst first: segments that were scored before those that could not be; then the
most severe flag; then the severity-weighted flag count (MQM weights); then the
summed confidence of the flags; then the lowest primary score (the first of
PRIMARY_METRICS the segment has, in its better direction). Callers break the
remaining ties by input order or id.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping

from lacuna.metric_direction import higher_is_better
from lacuna.severity import SEVERITY_WEIGHT, normalize_severity, severity_rank

PRIMARY_METRICS = ("comet", "xcomet", "comet_qe", "chrf", "bleu")

# (severity, confidence or None) for each flag
FlagView = tuple[str, "float | None"]


def primary_score(scores: Mapping[str, float]) -> float | None:
    """The segment's first score among PRIMARY_METRICS, or None."""
    for name in PRIMARY_METRICS:
        value = scores.get(name)
        if value is not None:
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue
            if math.isfinite(number):
                return number
    return None


def _goodness(scores: Mapping[str, float]) -> float:
    """The primary score turned so that smaller is worse; +inf when there is none."""
    for name in PRIMARY_METRICS:
        if name in scores:
            value = primary_score({name: scores[name]})
            if value is not None:
                return value if higher_is_better(name) else -value
    return math.inf


def worst_key(flags: Iterable[FlagView], error: bool = False, scores: Mapping[str, float] | None = None) -> tuple:
    """Sort key (ascending = worst first) of one segment."""
    if error:
        return (1, 0, 0, 0.0, 0.0)
    ranks, weighted, confidence = [0], 0, 0.0
    for severity, conf in flags:
        sev = normalize_severity(severity)
        ranks.append(severity_rank(sev))
        weighted += SEVERITY_WEIGHT[sev]
        confidence += 1.0 if conf is None else float(conf)
    return (0, -max(ranks), -weighted, -round(confidence, 9), _goodness(scores or {}))


def record_worst_key(record: Mapping) -> tuple:
    """worst_key of a results record (a line of `lacuna score --output`)."""
    flags = []
    for f in record.get("flags") or ():
        if isinstance(f, Mapping):
            conf = f.get("confidence")
            try:
                conf = None if conf is None else float(conf)
            except (TypeError, ValueError):
                conf = None
            flags.append((str(f.get("severity", "minor")), conf))
    scores = record.get("scores")
    return worst_key(flags, bool(record.get("error")), scores if isinstance(scores, Mapping) else {})
