"""The scoring pipeline: runs every scorer over a batch and merges what they find.

A scorer that fails on a batch is retried segment by segment, so one bad
segment costs only its own result; the others are never lost. A call whose budget is
spent (deadline, cancellation; `lacuna.server.budget`) stops between scorers, and its
`Abandoned` is never mistaken for a scorer failure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import structlog

from lacuna.flag_types import LOW_SCORE
from lacuna.server import budget
from lacuna.server.budget import Abandoned
from lacuna.server.checks import drop_covered_fallbacks, fallback_detectors
from lacuna.server.errors import quote_prefix
from lacuna.severity import BLOCKING_SEVERITIES
from lacuna.server.model import (
    CorpusScoreData,
    FlagData,
    MetricSpec,
    ScorerOutput,
    SegmentInput,
    SegmentOutcome,
)
from lacuna.server.scorer import CorpusAccumulator, Scorer

log = structlog.get_logger("lacuna.pipeline")

#: Checks whose flags yield to a model detector's flag of the same type (`Check.fallback`).
_FALLBACKS = fallback_detectors()


class OptionError(ValueError):
    """A bad request option; `field` names it (`options.metrics[2]`, `options.thresholds[chrf]`)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


class UnknownMetric(OptionError):
    """A metric name no scorer offers."""


class MetricUnavailable(OptionError):
    """A known metric that needs something this server was not started with."""


class Overloaded(RuntimeError):
    """A scorer's queue is full: the whole call is refused (RESOURCE_EXHAUSTED), never
    retried segment by segment."""


@dataclass
class CorpusSession:
    """Corpus statistics over a request or a whole stream."""

    accumulators: dict[str, CorpusAccumulator] = field(default_factory=dict)

    def add(self, scorer: str, segment: SegmentInput, output: ScorerOutput) -> None:
        acc = self.accumulators.get(scorer)
        if acc is not None:
            acc.add(segment, output)

    def results(self) -> list[CorpusScoreData]:
        out: list[CorpusScoreData] = []
        for acc in self.accumulators.values():
            out.extend(acc.results())
        return out


def plain_segments(segments: Sequence[SegmentInput]) -> list[SegmentInput]:
    """The segments without inline codes, placeholders, code and plural syntax (same offsets)."""
    from lacuna.server.checks.segment_markup import plain_segment

    return [plain_segment(s) for s in segments]


def has_text(segment: SegmentInput) -> bool:
    """A source with words left once markup is set aside (a lone `{0}` or `<x/>` has none)."""
    return bool(segment.source.strip())


class Pipeline:
    def __init__(self, scorers: Sequence[Scorer], unavailable: Mapping[str, str] | None = None):
        """`unavailable` maps metric names this server knows but cannot compute to a hint
        (e.g. "comet" -> "start the server with --comet-model ...")."""
        self.scorers = list(scorers)
        self.unavailable = dict(unavailable or {})
        self.specs: dict[str, MetricSpec] = {}
        self._owner: dict[str, Scorer] = {}
        for scorer in self.scorers:
            for spec in scorer.metrics():
                if spec.name in self.specs:
                    raise ValueError(f"metric {spec.name!r} offered twice")
                self.specs[spec.name] = spec
                self._owner[spec.name] = scorer

    # -- what to compute ---------------------------------------------------------------

    def resolve(self, requested: Sequence[str]) -> frozenset[str]:
        """Metric names to compute. Empty = the defaults. Raises UnknownMetric / MetricUnavailable."""
        if not requested:
            return frozenset(name for name, spec in self.specs.items() if spec.default)
        return frozenset(self._known(raw, f"options.metrics[{i}]") for i, raw in enumerate(requested))

    def resolve_thresholds(self, thresholds: Mapping[str, float]) -> dict[str, float]:
        """Thresholds keyed by canonical metric name. Raises UnknownMetric / MetricUnavailable /
        OptionError (a NaN limit)."""
        out: dict[str, float] = {}
        for raw, limit in thresholds.items():
            where = f"options.thresholds[{raw[:40]}]"
            name = self._known(raw, where)
            if math.isnan(limit):
                raise OptionError(where, f"the threshold for {name!r} is not a number")
            out[name] = float(limit)
        return out

    def _known(self, raw: str, where: str) -> str:
        name = raw.strip().lower()
        if name in self.specs:
            return name
        if name in self.unavailable:
            raise MetricUnavailable(where, f"{name!r} is not available: {self.unavailable[name]}")
        known = ", ".join(sorted(set(self.specs) | set(self.unavailable)))
        raise UnknownMetric(where, f"unknown metric {quote_prefix(raw)} (known: {known})")

    def new_corpus_session(self, metrics: frozenset[str]) -> CorpusSession:
        session = CorpusSession()
        for scorer in self.scorers:
            acc = scorer.corpus(metrics)
            if acc is not None:
                session.accumulators[scorer.name] = acc
        return session

    # -- scoring -----------------------------------------------------------------------

    def _wants(self, scorer: Scorer, metrics: frozenset[str]) -> bool:
        return scorer.always or any(self._owner.get(m) is scorer for m in metrics)

    def score(
        self,
        segments: Sequence[SegmentInput],
        metrics: frozenset[str],
        thresholds: Mapping[str, float] | None = None,
        corpus: CorpusSession | None = None,
    ) -> list[SegmentOutcome]:
        outcomes = [SegmentOutcome(id=s.id) for s in segments]
        failed: set[int] = set()
        plain: list[SegmentInput] | None = None
        for scorer in self.scorers:
            if not self._wants(scorer, metrics):
                continue
            seen = segments
            if not getattr(scorer, "sees_markup", False):  # text scorers read the text without markup
                plain = plain if plain is not None else plain_segments(segments)
                seen = plain
            live = [i for i in range(len(segments)) if i not in failed and has_text(seen[i])]
            if not live:
                continue
            budget.check()
            outputs = self._run(scorer, [seen[i] for i in live], metrics)
            for i, out in zip(live, outputs):
                if isinstance(out, Exception):
                    failed.add(i)
                    o = outcomes[i]
                    o.error_code, o.error_field = "INTERNAL", f"segments[{segments[i].index}]"
                    o.error_message = f"{scorer.name} failed on segment {segments[i].id!r}: {type(out).__name__}"
                    continue
                outcomes[i].scores.update(out.scores)
                outcomes[i].flags.extend(out.flags)
                if corpus is not None:
                    corpus.add(scorer.name, segments[i], out)
        for i, outcome in enumerate(outcomes):
            if i in failed:
                outcome.scores.clear()
                outcome.flags.clear()
                outcome.passed = False
                continue
            outcome.flags[:] = drop_covered_fallbacks(outcome.flags, _FALLBACKS)
            self._apply_thresholds(outcome, thresholds or {})
            outcome.passed = not any(f.severity in BLOCKING_SEVERITIES for f in outcome.flags)
        return outcomes

    def _run(self, scorer: Scorer, segments: list[SegmentInput], metrics: frozenset[str]):
        try:
            outputs = scorer.score(segments, metrics)
            if len(outputs) != len(segments):
                raise RuntimeError(f"{scorer.name} returned {len(outputs)} outputs for {len(segments)} segments")
            return outputs
        except (Overloaded, Abandoned):
            raise
        except Exception:
            if len(segments) == 1:
                log.exception("scorer_failed", scorer=scorer.name, segment_id=segments[0].id)
                return [RuntimeError("scorer failed")]
            log.warning("scorer_batch_failed_retrying_per_segment", scorer=scorer.name, segments=len(segments))
        results: list[ScorerOutput | Exception] = []
        for seg in segments:
            try:
                budget.check()
                results.append(scorer.score([seg], metrics)[0])
            except (Overloaded, Abandoned):
                raise
            except Exception as exc:  # isolate the bad segment, keep the rest
                log.exception("scorer_failed", scorer=scorer.name, segment_id=seg.id)
                results.append(exc)
        return results

    def _apply_thresholds(self, outcome: SegmentOutcome, thresholds: Mapping[str, float]) -> None:
        for name, limit in thresholds.items():
            if name not in outcome.scores:
                continue
            value = outcome.scores[name]
            spec = self.specs.get(name)
            higher = spec.higher_is_better if spec else True
            if (higher and value < limit) or (not higher and value > limit):
                relation = "below the minimum" if higher else "above the maximum"
                outcome.flags.append(FlagData(
                    type=LOW_SCORE, severity="major", detector="thresholds", confidence=1.0,
                    message=f"{name} = {value:.4g} is {relation} of {limit:g}",
                ))

    def close(self) -> None:
        for scorer in self.scorers:
            scorer.close()
