"""The passages the detector works on -- sentences and clauses with their spans and length --
and what it returns for one pair (`PairAnalysis`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lacuna.languages import Language
from lacuna.server.model import FlagData
from lacuna.server.omission.alignment import Bead
from lacuna.server.omission.length import content_units
from lacuna.server.omission.pair_models import BeadFeatures
from lacuna.server.omission.segmentation import clause_spans, has_content, sentence_spans

Span = tuple[int, int]


@dataclass
class Sentence:
    """A sentence or clause: its code-point span, text, content units, whether it has letters, and
    whether a line break that ends a paragraph (or a heading, a list item) comes before it."""

    span: Span
    text: str
    units: float
    content: bool
    after_break: bool = False


@dataclass
class PairAnalysis:
    """The detector's answer for one (source, translation) pair."""

    omission: float
    addition: float
    flags: list[FlagData] = field(default_factory=list)
    beads: list[Bead] = field(default_factory=list)
    #: Per source sentence with content: (span, probability its content is missing, units).
    source_missing: list[tuple[Span, float, float]] = field(default_factory=list)
    #: One per matched bead, in order (what the bead model saw).
    features: list[BeadFeatures] = field(default_factory=list)


def sentences(text: str, lang: Language | None, max_sentences: int) -> list[Sentence]:
    """Sentences with letters (a sentence of only numbers or punctuation is neither aligned nor
    flagged); past `max_sentences`, neighbours are joined so the alignment stays fast."""
    spans = [(s, e) for s, e in sentence_spans(text, lang) if has_content(text[s:e])]
    if len(spans) > max_sentences:
        size = -(-len(spans) // max_sentences)
        spans = [(spans[i][0], spans[min(i + size, len(spans)) - 1][1]) for i in range(0, len(spans), size)]
    return [Sentence((s, e), text[s:e], content_units(text[s:e]), True,
                     k > 0 and hard_break(text[spans[k - 1][1]:s])) for k, (s, e) in enumerate(spans)]


def hard_break(between: str) -> bool:
    """The text between two sentences holds a line break (segmentation keeps a line wrapped inside
    a sentence in one span, so a break left between two sentences ends a line of the text)."""
    return any(ch in between for ch in "\n\r\u2028\u2029")


def clauses(text: str, sentence: Sentence) -> list[Sentence]:
    """The clauses of one sentence of `text` (some may have no letters)."""
    out = []
    for start, end in clause_spans(text, sentence.span):
        piece = text[start:end]
        out.append(Sentence((start, end), piece, content_units(piece), has_content(piece)))
    return out


def whole(items: list[Sentence], text: str) -> str:
    """The text from its first to its last sentence with content (one sentence: that sentence)."""
    return items[0].text if len(items) == 1 else text[items[0].span[0]:items[-1].span[1]]


def units(items: list[Sentence]) -> float:
    return sum(x.units for x in items)
