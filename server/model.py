"""The server's own view of a segment and what scorers say about it.

Scorers work on these plain dataclasses; `lacuna.server.convert` maps them to
and from the protobuf messages at the edge of the service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from lacuna.languages import Language
from lacuna.severity import SEVERITIES


@dataclass(frozen=True)
class InlineCodeData:
    """An inline code of a segment's text (see `lacuna.v1.InlineCode`)."""

    id: str
    kind: str  # "standalone", "open", "close"
    start: int
    end: int
    element: str = ""
    pair: str = ""


@dataclass(frozen=True)
class SegmentInput:
    """A validated segment. `index` is its position in the request or stream."""

    index: int
    id: str
    source: str
    translation: str
    reference: str | None
    src_lang: Language
    tgt_lang: Language
    labels: Mapping[str, str] = field(default_factory=dict)
    #: Inline codes the caller marked in the source and the translation.
    source_codes: tuple[InlineCodeData, ...] = ()
    target_codes: tuple[InlineCodeData, ...] = ()
    #: Longest allowed translation in characters (0: no limit).
    max_length: int = 0
    #: Most bytes the translation may take in `storage_encoding` (0: no limit).
    max_bytes: int = 0
    #: "utf-8", "utf-16" or "utf-32": what `max_bytes` counts in.
    storage_encoding: str = "utf-8"
    #: The job's placeholder syntax (`lacuna.server.checks.placeholder_syntax.PlaceholderSyntax`);
    #: None = every built-in style.
    placeholder_syntax: object | None = None

    @property
    def pair(self) -> tuple[str, str]:
        return (self.src_lang.tag, self.tgt_lang.tag)


@dataclass
class FlagData:
    type: str
    severity: str
    message: str
    detector: str
    confidence: float = 1.0
    source_span: tuple[int, int] | None = None
    target_span: tuple[int, int] | None = None
    #: Other segments the flag is about (inconsistent_translation).
    related_ids: tuple[str, ...] = ()
    #: What the flag's confidence was computed from (the omission detector's FlagEvidence), for
    #: the in-process fitting tools; never sent.
    evidence: object = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")
        self.confidence = min(1.0, max(0.0, float(self.confidence)))


@dataclass
class ScorerOutput:
    """What one scorer found for one segment."""

    scores: dict[str, float] = field(default_factory=dict)
    flags: list[FlagData] = field(default_factory=list)
    #: Per-metric sufficient statistics for the scorer's corpus accumulator.
    corpus_stats: dict[str, object] = field(default_factory=dict)


@dataclass
class SegmentOutcome:
    """Everything found for one segment, or why it could not be scored."""

    id: str
    scores: dict[str, float] = field(default_factory=dict)
    flags: list[FlagData] = field(default_factory=list)
    passed: bool = True
    error_code: str | None = None
    error_field: str = ""
    error_message: str = ""


@dataclass(frozen=True)
class MetricSpec:
    """A metric a scorer offers (listed by GetCapabilities)."""

    name: str
    description: str
    requires_reference: bool = False
    higher_is_better: bool = True
    default: bool = True
    signatures: tuple[str, ...] = ()


@dataclass
class CorpusScoreData:
    metric: str
    score: float
    signature: str
    segments: int
    src_lang: str
    tgt_lang: str
