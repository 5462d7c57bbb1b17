"""A flag's confidence as a calibrated probability: how likely the flagged passage really is
missing (or added), from the flag's own evidence and content.

The detector's raw confidence of a flag (how far below the aligner's threshold the passage's
best similarity is; the pair model's probability for a partial omission) does not rank flags
well across documents: on the NTREX document drops an unmatched headline or a sentence the two
sides split differently gets a raw confidence of 0.99 as readily as a dropped sentence. So each
flag carries its evidence (`FlagEvidence`: the raw confidence, the passage's length and
content, its share and place in the document, the sentence counts of both sides, what the
same alignment gap left over on the other side, whether the nearest aligned pair's length would
fit better with the passage joined on, the kind of flag), and a small logistic model
over those inputs (`ConfidenceModel`; weights, input names and the command that refits it are
in the weights file, "confidence") turns them into the probability that the flag is right,
fitted on flags labelled against gold omissions (bench/fit_calibration.py).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Mapping

from lacuna.server.omission.evidence import numbers
from lacuna.server.omission.loose_pairs import names
from lacuna.server.omission.pair_models import Logistic

#: The model's inputs, by name (the weights file lists the ones it uses, in its order).
INPUTS = ("raw_logit", "log_units", "has_number", "has_name", "share", "position", "first",
          "log_sentences", "sentence_deficit", "gap_other", "log_side_units",
          "partial", "addition", "unrelated", "raw_logit_partial", "raw_logit_addition", "neighbour_fit")

_RAW_CLIP = 1e-4


def _logit(p: float) -> float:
    p = min(max(p, _RAW_CLIP), 1.0 - _RAW_CLIP)
    return math.log(p / (1.0 - p))


@dataclass(frozen=True)
class FlagEvidence:
    """What a flag rests on (for an addition flag, "own side" is the translation)."""

    kind: str  # flags.FLAG_KINDS
    raw: float  # the detector's raw confidence
    text: str  # the flagged passage
    units: float  # its content units
    side_units: float  # content units of its whole side
    position: float  # where it starts, as a share of its side's length in code points
    sentences: int  # sentences (with letters) on its side
    other_sentences: int  # ... and on the other side
    gap_other: int = 0  # sentences the same alignment gap leaves unmatched on the other side
    #: how much closer to the document's usual length ratio the nearest aligned pair would come
    #: with the passage joined on (document_alignment.neighbour_length_fit; 0 when not measured)
    neighbour_fit: float = 0.0

    def inputs(self) -> dict[str, float]:
        """The model's inputs, by name."""
        raw_logit = _logit(self.raw)
        partial = float(self.kind == "omission_partial")
        addition = float(self.kind == "addition_sentence")
        return {
            "raw_logit": raw_logit,
            "log_units": math.log1p(max(self.units, 0.0)),
            "has_number": float(bool(numbers(self.text))),
            "has_name": float(bool(names(self.text))),
            "share": min(1.0, self.units / self.side_units) if self.side_units > 0 else 1.0,
            "position": self.position,
            "first": float(self.position <= 0.0),
            "log_sentences": math.log(max(1, self.sentences)),
            "sentence_deficit": (self.sentences - self.other_sentences) / max(1, self.sentences),
            "gap_other": float(min(self.gap_other, 3)),
            "log_side_units": math.log1p(max(self.side_units, 0.0)),
            "partial": partial,
            "addition": addition,
            "unrelated": float(self.kind == "unrelated_pair"),
            "raw_logit_partial": raw_logit * partial,
            "raw_logit_addition": raw_logit * addition,
            "neighbour_fit": self.neighbour_fit,
        }

    def record(self) -> dict:
        """The evidence and its inputs as one JSON-ready dict (what the fitting tools cache)."""
        return {**asdict(self), **self.inputs()}


class ConfidenceModel:
    """A logistic model over `FlagEvidence.inputs()`: the probability that a flag is right."""

    def __init__(self, model: Logistic):
        unknown = [f for f in model.features if f not in INPUTS]
        if unknown:
            raise ValueError(f"unknown confidence inputs {unknown}; known: {', '.join(INPUTS)}")
        self.model = model

    def probability(self, evidence: FlagEvidence) -> float:
        return self.model.probability(evidence.inputs())

    @classmethod
    def from_dict(cls, spec: Mapping) -> "ConfidenceModel":
        return cls(Logistic(tuple(str(f) for f in spec["features"]), float(spec["bias"]),
                            tuple(float(w) for w in spec["weights"])))
