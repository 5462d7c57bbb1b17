"""The pipeline stage for one loaded COMET model: `comet` / `comet_qe` scores and error spans.

A reference-based model scores `comet` for segments that carry a reference; a
reference-free model scores `comet_qe` for every segment. A model that can do
both (XCOMET, unified models over [mt, src, ref]) scores `comet` where there is
a reference and `comet_qe` where there is none -- or for every segment when only
`comet_qe` is asked for. Error spans of XCOMET-style models become `error_span`
flags on the translation, with the model's MQM severity.
"""

from __future__ import annotations

from typing import Sequence

from lacuna.flag_types import ERROR_SPAN
from lacuna.server.comet.batcher import DynamicBatcher
from lacuna.server.comet.forward import CometResult
from lacuna.server.comet.loading import ModelTraits
from lacuna.server.model import SEVERITIES, FlagData, MetricSpec, ScorerOutput, SegmentInput
from lacuna.server.scorer import MeanAccumulator, ModelDescription, Scorer

DESCRIPTIONS = {
    "comet": "COMET score of the translation against source and reference ({model}); higher is better",
    "comet_qe": "COMET quality estimate from source and translation only ({model}); higher is better",
}
SPAN_DETECTOR = "xcomet"


def comet_version() -> str:
    """The installed unbabel-comet release (part of the scores' signature)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("unbabel-comet")
    except PackageNotFoundError:
        return "unknown"


class CometScorer(Scorer):
    def __init__(self, model_name: str, traits: ModelTraits, metric_names: dict[str, str],
                 batcher: DynamicBatcher, device: str, path: str = ""):
        """`metric_names` maps the base metrics this model serves ("comet", "comet_qe") to the
        names it publishes them under (the base name, or "comet:<model>" for a second model)."""
        self.model_name = model_name
        self.name = f"comet[{model_name}]"
        self.traits = traits
        self.metric_names = dict(metric_names)
        self.batcher = batcher
        self.device = device
        self.path = path
        self._version = comet_version()

    # -- what it offers ----------------------------------------------------------------

    def signature(self, metric: str) -> str:
        """sacrebleu-style: what `metric`'s scores depend on (the model as named, the COMET release)."""
        return f"{metric}|model:{self.model_name}|comet-version:{self._version}"

    def metrics(self) -> list[MetricSpec]:
        return [MetricSpec(name=published, description=DESCRIPTIONS[base].format(model=self.model_name),
                           requires_reference=(base == "comet"), higher_is_better=True,
                           default=(published == base), signatures=(self.signature(published),))
                for base, published in self.metric_names.items()]

    def checks(self) -> list[tuple[str, str]]:
        if self.traits.spans:
            return [("error_span", f"translation error spans with MQM severity ({self.model_name})")]
        return []

    def models(self) -> list[ModelDescription]:
        return [ModelDescription(name=self.model_name, kind=self.traits.kind, path=self.path, device=self.device,
                                 loaded=self.batcher.running)]

    def corpus(self, metrics: frozenset[str]):
        mine = [m for m in self.metric_names.values() if m in metrics]
        if not mine:
            return None
        return MeanAccumulator(mine, {m: self.signature(m) for m in mine})

    # -- scoring -----------------------------------------------------------------------

    def _plan(self, segment: SegmentInput, metrics: frozenset[str]) -> str | None:
        """Which base metric to compute for `segment`, or None."""
        ref_metric = self.metric_names.get("comet")
        qe_metric = self.metric_names.get("comet_qe")
        has_ref = bool(segment.reference and segment.reference.strip())
        if ref_metric in metrics and has_ref:
            return "comet"
        if qe_metric in metrics:
            return "comet_qe"
        return None

    def score(self, segments: Sequence[SegmentInput], metrics: frozenset[str]) -> list[ScorerOutput]:
        plans = [self._plan(seg, metrics) for seg in segments]
        jobs = []
        for seg, plan in zip(segments, plans):
            if plan is None:
                continue
            sample = {"src": seg.source, "mt": seg.translation}
            if plan == "comet":
                sample["ref"] = seg.reference
            length = sum(len(v) for v in sample.values())
            jobs.append((plan, length, sample))
        futures = iter(self.batcher.submit(jobs)) if jobs else iter(())
        outputs = []
        for seg, plan in zip(segments, plans):
            out = ScorerOutput()
            if plan is not None:
                result: CometResult = next(futures).result()
                out.scores[self.metric_names[plan]] = result.score
                out.flags.extend(self._span_flags(seg, result))
            outputs.append(out)
        return outputs

    def _span_flags(self, segment: SegmentInput, result: CometResult) -> list[FlagData]:
        flags = []
        for span in result.spans:
            severity = span.severity if span.severity in SEVERITIES else "minor"
            flags.append(FlagData(
                type=ERROR_SPAN, severity=severity, detector=SPAN_DETECTOR, confidence=span.confidence,
                target_span=(span.start, span.end),
                message=f"{self.model_name} marks translation characters {span.start}-{span.end} "
                        f"as a {severity} error"))
        return flags

    def close(self) -> None:
        self.batcher.close()
