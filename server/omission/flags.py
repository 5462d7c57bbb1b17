"""Flag building: an omitted source passage or an added target passage as a `FlagData`."""

from __future__ import annotations

import math
from dataclasses import replace

from lacuna.server.model import FlagData
from lacuna.server.omission.confidence import ConfidenceModel, FlagEvidence
from lacuna.server.omission.pair_models import sigmoid
from lacuna.server.omission.passages import Span

#: The kinds of flag the detector raises, each with its own raw confidence (calibrated apart):
#: a whole unmatched source passage, part of a sentence (the pair model's probability), an
#: unmatched target passage, a one-sentence pair whose sides are unrelated, and a long run of
#: unaligned words inside a matched pair (stretches.py; its raw confidence is that of an
#: unmatched passage).
FLAG_KINDS = ("omission_sentence", "omission_partial", "addition_sentence", "unrelated_pair", "omission_stretch")


def quote(text: str, limit: int = 60) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class FlagBuilder:
    """Builds the detector's flags: a calibrated confidence, severity from it and the passage's
    content, a message quoting the passage."""

    def __init__(self, detector_name: str, major_units: float, major_confidence: float = 0.0,
                 calibration: dict[str, tuple[float, float]] | None = None,
                 confidence: ConfidenceModel | None = None):
        self.detector_name = detector_name
        self.major_units = major_units
        self.major_confidence = major_confidence
        self.calibration = dict(calibration or {})
        self.confidence_model = confidence

    def calibrated(self, kind: str, raw: float) -> float:
        """The probability that a flag of `kind` with confidence `raw` is right by Platt scaling
        (an older weights file's "calibration"); the raw confidence where none was fitted."""
        if kind not in self.calibration:
            return raw
        a, b = self.calibration[kind]
        p = min(max(raw, 1e-6), 1.0 - 1e-6)
        return sigmoid(a * math.log(p / (1.0 - p)) + b)

    def confidence(self, evidence: FlagEvidence) -> float:
        """The flag's confidence: the confidence model's probability from its evidence when the
        weights file has one, else the (Platt-scaled) raw confidence."""
        if self.confidence_model is not None:
            return self.confidence_model.probability(evidence)
        return self.calibrated(evidence.kind, evidence.raw)

    def severity(self, units: float, confidence: float) -> str:
        """`major` for a passage of `major_units` content units or more that is likely right
        (calibrated confidence at least `major_confidence`), else `minor`."""
        return "major" if units >= self.major_units and confidence >= self.major_confidence else "minor"

    def for_short_texts(self, flags: list[FlagData], shorter_side_units: float, short_text_units: float) -> list[FlagData]:
        """The flags of a pair whose shorter side has fewer than `short_text_units` content units,
        all `minor`: a few words give the encoder and the length ratio too little to go on for a
        flag a person must act on (correct UI strings drew major omission + addition pairs)."""
        if shorter_side_units >= short_text_units:
            return flags
        return [replace(f, severity="minor") if f.severity == "major" else f for f in flags]

    def omission(self, span: Span, source: str, evidence: FlagEvidence) -> FlagData:
        """An omitted source passage: a whole sentence (or run of them), or part of one."""
        confidence = self.confidence(evidence)
        what = "part of a sentence not translated" if evidence.kind == "omission_partial" else "not translated"
        why = " (the translation is unrelated to it: a misaligned or swapped string?)" \
            if evidence.kind == "unrelated_pair" else ""
        return FlagData(type="omission", severity=self.severity(evidence.units, confidence),
                        detector=self.detector_name, confidence=confidence, source_span=span,
                        message=f'{what}: "{quote(source[span[0]:span[1]])}"{why}', evidence=evidence)

    def addition(self, span: Span, translation: str, evidence: FlagEvidence) -> FlagData:
        """A target passage with no counterpart in the source."""
        confidence = self.confidence(evidence)
        return FlagData(type="addition", severity=self.severity(evidence.units, confidence),
                        detector=self.detector_name, confidence=confidence, target_span=span,
                        message=f'no counterpart in the source: "{quote(translation[span[0]:span[1]])}"'
                                + (" (unrelated to the source)" if evidence.kind == "unrelated_pair" else ""),
                        evidence=evidence)
