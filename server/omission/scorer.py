"""The `omission` scorer: metrics `omission` and `addition`, flags of the same types."""

from __future__ import annotations

from typing import Sequence

from lacuna.server.model import MetricSpec, ScorerOutput, SegmentInput
from lacuna.server.omission.detector import OmissionDetector
from lacuna.server.omission.encoder import BatchingEncoder
from lacuna.server.scorer import MeanAccumulator, ModelDescription, Scorer

METRICS = ("omission", "addition")


class OmissionScorer(Scorer):
    name = "omission"

    def __init__(self, encoder: BatchingEncoder, detector: OmissionDetector | None = None):
        self.encoder = encoder
        self.detector = detector or OmissionDetector(encoder, detector_name=self.name)

    def metrics(self) -> list[MetricSpec]:
        return [
            MetricSpec("omission", "how likely source content is missing from the translation (0..1); "
                       "flags each omitted passage", requires_reference=False, higher_is_better=False,
                       default=True),
            MetricSpec("addition", "how likely the translation holds content with no counterpart in the "
                       "source (0..1); flags each added passage", requires_reference=False,
                       higher_is_better=False, default=True),
        ]

    def checks(self) -> list[tuple[str, str]]:
        return [("omission", "source passages the translation leaves out (source_span)"),
                ("addition", "translation passages with no counterpart in the source (target_span)")]

    def models(self) -> list[ModelDescription]:
        return [ModelDescription(name=self.encoder.name, kind="sentence-encoder", device="cpu")]

    def score(self, segments: Sequence[SegmentInput], metrics: frozenset[str]) -> list[ScorerOutput]:
        wanted = [m for m in METRICS if m in metrics]
        if not wanted:
            return [ScorerOutput() for _ in segments]
        analyses = self.detector.analyze([(s.source, s.translation, s.src_lang, s.tgt_lang) for s in segments])
        outputs = []
        for analysis in analyses:
            values = {"omission": analysis.omission, "addition": analysis.addition}
            flags = [f for f in analysis.flags if f.type in wanted]
            outputs.append(ScorerOutput(scores={m: float(values[m]) for m in wanted}, flags=flags))
        return outputs

    def corpus(self, metrics: frozenset[str]) -> MeanAccumulator | None:
        wanted = [m for m in METRICS if m in metrics]
        return MeanAccumulator(wanted) if wanted else None

    def close(self) -> None:
        self.encoder.close()
