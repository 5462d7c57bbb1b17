"""The contract every scorer in the pipeline follows.

A scorer offers some metrics (BLEU, omission, COMET, ...) and/or flags, scores a
batch of validated segments, and may keep corpus-level statistics across a
request or a stream.
"""

from __future__ import annotations

import abc
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

from lacuna.server.model import CorpusScoreData, MetricSpec, ScorerOutput, SegmentInput


@dataclass(frozen=True)
class ModelDescription:
    name: str
    kind: str
    path: str = ""
    device: str = "cpu"
    loaded: bool = True


class CorpusAccumulator(abc.ABC):
    """Collects per-segment statistics and turns them into corpus scores."""

    @abc.abstractmethod
    def add(self, segment: SegmentInput, output: ScorerOutput) -> None: ...

    @abc.abstractmethod
    def results(self) -> list[CorpusScoreData]: ...


class MeanAccumulator(CorpusAccumulator):
    """Corpus score = mean of segment scores, per language pair (COMET's system score)."""

    def __init__(self, metrics: Iterable[str], signatures: dict[str, str] | None = None):
        self._metrics = list(metrics)
        self._signatures = signatures or {}
        self._sums: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0])

    def add(self, segment: SegmentInput, output: ScorerOutput) -> None:
        for metric in self._metrics:
            if metric in output.scores:
                acc = self._sums[(metric, *segment.pair)]
                acc[0] += output.scores[metric]
                acc[1] += 1

    def results(self) -> list[CorpusScoreData]:
        return [
            CorpusScoreData(metric, total / n, self._signatures.get(metric, ""), n, src, tgt)
            for (metric, src, tgt), (total, n) in sorted(self._sums.items())
            if n
        ]


class Scorer(abc.ABC):
    """One stage of the scoring pipeline."""

    #: Short name used in logs and in `Flag.detector`.
    name: str = "scorer"
    #: Run on every segment even when no metric of this scorer was requested
    #: (the cheap QA checks).
    always: bool = False

    def metrics(self) -> list[MetricSpec]:
        return []

    def checks(self) -> list[tuple[str, str]]:
        """(name, description) of the flag-raising checks this scorer runs."""
        return []

    def models(self) -> list[ModelDescription]:
        return []

    def languages(self) -> list[str]:
        return []

    @abc.abstractmethod
    def score(self, segments: Sequence[SegmentInput], metrics: frozenset[str]) -> list[ScorerOutput]:
        """Score `segments`; return one output per segment, in order.

        `metrics` is the set of metric names requested (already resolved to
        this scorer's and the defaults); a scorer computes only those.
        """

    def corpus(self, metrics: frozenset[str]) -> CorpusAccumulator | None:
        return None

    def close(self) -> None:
        pass
