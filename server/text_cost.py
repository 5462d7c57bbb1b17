"""What a request will cost, and pathological texts made cheap, both in one linear pass.

The encoder's work grows with tokens, and some texts have far more tokens per character
than prose: a long run of letters with no space or punctuation (each piece of it 300-500
tokens; 20,000 such characters took 31 CPU-seconds, 15x prose) or stacked combining marks
(a token each). `tame(text)` returns a text of the SAME length (so every span the detector
reports still points into the text as sent) in which

- each run of more than `MAX_RUN` characters without whitespace or punctuation keeps its
  first `MAX_RUN` characters; the rest become spaces, and
- a base character keeps at most `MAX_MARKS` combining marks; further ones become spaces.

Prose is left unchanged (its words and stacks are far below both limits). `cost(segment)`
estimates a segment's work in "units" (about one per character the encoder reads, plus a
fixed overhead per segment); admission control uses it to tell small requests from large.
"""

from __future__ import annotations

import re
import unicodedata

#: Longest run of characters without whitespace or punctuation the encoder is given.
MAX_RUN = 300
#: Most combining marks kept on one base character (Vietnamese uses 2, Tibetan stacks 3-4).
MAX_MARKS = 4
#: Work units every segment costs besides its characters (checks, one encoder call, bookkeeping).
SEGMENT_OVERHEAD = 200

_LONG_RUN = re.compile(r"\S{%d,}" % (MAX_RUN + 1))
_mark_stack: re.Pattern | None = None


def _marks_pattern() -> re.Pattern:
    """MAX_MARKS + 1 combining marks in a row (the class is built once from the Unicode tables)."""
    global _mark_stack
    if _mark_stack is None:
        ranges, start = [], None
        for cp in range(0x110000 + 1):
            mark = cp < 0x110000 and unicodedata.category(chr(cp)) in ("Mn", "Me")
            if mark and start is None:
                start = cp
            elif not mark and start is not None:
                ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(cp - 1))}")
                start = None
        _mark_stack = re.compile("[%s]{%d,}" % ("".join(ranges), MAX_MARKS + 1))
    return _mark_stack


def warm_up() -> None:
    """Build the combining-mark table now (about 0.6 s) rather than in the first request."""
    _marks_pattern()


def _is_break(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] in "PZ"


def tame(text: str) -> str:
    """`text` with over-long unbroken runs cut and excess combining marks blanked; same length."""
    if not _LONG_RUN.search(text) and not _marks_pattern().search(text):
        return text  # prose: one regex pass each
    out: list[str] | None = None
    run = marks = 0
    for i, ch in enumerate(text):
        if unicodedata.category(ch) in ("Mn", "Me"):
            marks += 1
            excess = marks > MAX_MARKS
        else:
            marks = 0
            excess = False
        if _is_break(ch):
            run = 0
        else:
            run += 1
            excess = excess or run > MAX_RUN
        if excess:
            if out is None:
                out = list(text[:i])
            out.append(" ")
        elif out is not None:
            out.append(ch)
    return text if out is None else "".join(out)


def is_pathological(text: str) -> bool:
    """True when `tame` would change `text`."""
    return tame(text) is not text


def read_length(text: str) -> int:
    """Characters of `text` the encoder reads: its length, less what `tame` blanks out."""
    tamed = tame(text)
    if tamed is text:
        return len(text)
    return len(text) - sum(1 for a, b in zip(text, tamed) if a != b)


def cost(segment) -> int:
    """Estimated work units of one validated segment (source, translation, reference): what a
    pathological text costs after `tame`, not its raw length."""
    total = SEGMENT_OVERHEAD + read_length(segment.source) + read_length(segment.translation)
    if segment.reference:
        total += read_length(segment.reference)
    return total
