"""Which way each metric is better: the server says so in GetCapabilities
(`MetricInfo.higher_is_better`); this table is what readers of a results file
assume for metrics the server did not describe to them."""

from __future__ import annotations

from typing import Iterable, Mapping

#: Metrics where a lower value is better. Every other metric: higher is better.
LOWER_IS_BETTER = frozenset({"ter", "omission", "addition"})


def higher_is_better(metric: str, known: Mapping[str, bool] | None = None) -> bool:
    """The direction of `metric`: from `known` (capabilities) when it has it, else the table."""
    if known is not None and metric in known:
        return bool(known[metric])
    return metric not in LOWER_IS_BETTER


def directions_from_capabilities(metrics: Iterable) -> dict[str, bool]:
    """{name: higher_is_better} from GetCapabilities' MetricInfo messages (or anything with
    `name` and `higher_is_better`)."""
    return {m.name: bool(m.higher_is_better) for m in metrics}


def is_worse(metric: str, value: float, other: float, known: Mapping[str, bool] | None = None) -> bool:
    """True when `value` is a worse score than `other` for `metric`."""
    return value < other if higher_is_better(metric, known) else value > other
