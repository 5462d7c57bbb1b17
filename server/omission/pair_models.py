"""The per-pair models: how likely a matched bead (a pair of aligned passages) misses source
content, and how likely it adds content the source lacks.

Each is a logistic model over named inputs measured on the bead (`BeadFeatures.inputs`); which
model applies depends on what was measured: the dense similarity alone, the latent-term cosine,
or the latent-term cosine plus the word alignment's unaligned shares. Their weights, and the
order of their inputs, come from the weights file (weights.py) -- the one place they are written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

#: log(source content units + SOURCE_LENGTH_OFFSET) is the omission models' size input.
SOURCE_LENGTH_OFFSET = 5.0
#: The six models a weights file holds, by the inputs they need.
OMISSION_MODELS = ("omission_dense", "omission_latent", "omission_aligned")
ADDITION_MODELS = ("addition_dense", "addition_latent", "addition_aligned")


def sigmoid(x: float) -> float:
    """The logistic function, clipped so that it never overflows."""
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


@dataclass(frozen=True)
class Logistic:
    """A fitted logistic model: sigmoid(bias + sum of weight * input), inputs by name."""

    features: tuple[str, ...]
    bias: float
    weights: tuple[float, ...]

    def __post_init__(self):
        if len(self.features) != len(self.weights):
            raise ValueError(f"{len(self.features)} features but {len(self.weights)} weights")

    def logit(self, inputs: Mapping[str, float | None]) -> float:
        values = [inputs.get(name) for name in self.features]
        if None in values:
            raise ValueError(f"input {self.features[values.index(None)]!r} was not measured")
        return self.bias + sum(w * x for w, x in zip(self.weights, values))

    def probability(self, inputs: Mapping[str, float | None]) -> float:
        return sigmoid(self.logit(inputs))


@dataclass(frozen=True)
class BeadFeatures:
    """What was measured on one matched bead (the pair models' raw inputs)."""

    similarity: float  # background-normalized dense similarity of the two blocks
    length: float  # log(target/source length) minus the expected value, scaled by trust
    units: float  # source content units in the bead
    latent: float | None = None  # cosine of the two blocks' latent terms, when those are on
    unaligned: float | None = None  # share of the block's source words left unaligned, when words are aligned
    unaligned_target: float | None = None  # ... and of its translation words
    char_length: float = 0.0  # log((target code points + 5) / (source code points + 5)): the plain length ratio
    word_length: float | None = None  # log((target words + 1) / (source words + 1)), words of the word alignment
    #: share of the source's words in its longest unaligned stretch (stretches.py): an omission
    #: leaves one hole, a free translation scattered ones
    stretch: float | None = None
    #: how poorly the translation covers the source's least-covered words (word_alignment.py)
    weak_coverage: float | None = None

    @property
    def source_length(self) -> float:
        """log(source content units + 5): the omission models' size input."""
        return math.log(self.units + SOURCE_LENGTH_OFFSET)

    def inputs(self) -> dict[str, float | None]:
        """Every named input a model may read. `shorter` is min(0, length): a translation shorter
        than expected is evidence of omission; a longer one is not evidence of anything there."""
        return {"similarity": self.similarity, "latent": self.latent, "length": self.length,
                "shorter": min(0.0, self.length), "source_length": self.source_length,
                "unaligned": self.unaligned, "unaligned_target": self.unaligned_target,
                "char_length": self.char_length, "word_length": self.word_length, "stretch": self.stretch,
                "weak_coverage": self.weak_coverage}


@dataclass(frozen=True)
class PairModels:
    """The six fitted models of one encoder, keyed as in the weights file."""

    models: Mapping[str, Logistic]

    def __post_init__(self):
        missing = [m for m in OMISSION_MODELS + ADDITION_MODELS if m not in self.models]
        if missing:
            raise ValueError(f"weights: models missing: {', '.join(missing)}")

    @staticmethod
    def omission_model(f: BeadFeatures) -> str:
        """Which omission model applies to what was measured on the bead."""
        if f.latent is not None and f.unaligned is not None:
            return "omission_aligned"
        return "omission_latent" if f.latent is not None else "omission_dense"

    @staticmethod
    def addition_model(f: BeadFeatures) -> str:
        if f.latent is not None and f.unaligned_target is not None:
            return "addition_aligned"
        return "addition_latent" if f.latent is not None else "addition_dense"

    def p_omit(self, f: BeadFeatures) -> float:
        """Probability that the bead misses source content."""
        return self.models[self.omission_model(f)].probability(f.inputs())

    def p_add(self, f: BeadFeatures) -> float:
        """Probability that the bead's translation holds content the source lacks."""
        return self.models[self.addition_model(f)].probability(f.inputs())
