"""Unpaired marks: a quotation mark or bracket the translation opens and never closes, or closes
without opening, where every mark in the source is paired.

A stray closing quote is often the visible trace of a garbled rendering: a quote split in two and
its tail mistranslated (「…重要です」 インド太平洋にとって重要だ」). It is also a plain
typesetting error that every localization QA tool reports.

Marks are paired within each paragraph (a line of the text), innermost first. The flag's
`target_span` runs from the previous mark (or the paragraph's start) to a stray closing mark, or
from a stray opening mark to the next mark (or the paragraph's end), at most 80 characters.

Decisions where a rule had to be chosen:

* Only the translation is flagged, and only when the source's marks are all paired: a source with
  a stray mark of its own, a quote running over several paragraphs, `12" screen`, `:)` or `a)`
  says nothing about how the translation should look.
* Single quotes (' ‘ ’ ‚ ‹ ›) are left alone: they are apostrophes too often.
* „ is closed by “ or ” (German), ” may also open (Swedish ”…”), « and » pair either way round
  (French «…», German »…«), a straight " alternates.
* Marks inside URLs, placeholders and markup are ignored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from lacuna.flag_types import UNPAIRED_MARK
from lacuna.server.checks import Check
from lacuna.server.checks.text import is_blank, mask_verbatim
from lacuna.server.model import FlagData, ScorerOutput, SegmentInput

#: Closing mark -> the opening marks it closes.
_CLOSES: dict[str, str] = {
    "」": "「", "』": "『", "）": "（", ")": "(", "]": "[", "}": "{", "】": "【", "》": "《", "〉": "〈",
    "〕": "〔", "］": "［", "｝": "｛",
    "“": "„", "”": "“„”", "«": "»", "»": "«", '"': '"',
}
#: Marks that open (some also close, see above).
_OPENS = frozenset("「『（([{【《〈〔［｛“„”«»\"")
_QUOTES = frozenset("「」『』“”„«»\"")
MARKS = frozenset(_CLOSES) | _OPENS
#: Longest span a flag marks; more stray marks than this in one text are not flagged one by one.
MAX_SPAN = 80
MAX_FLAGS = 20


@dataclass(frozen=True)
class StrayMark:
    position: int
    mark: str
    opening: bool


def stray_marks(text: str) -> list[StrayMark]:
    """The marks of `text` left unpaired, in order (URLs, placeholders and markup ignored)."""
    masked = mask_verbatim(text)
    out: list[StrayMark] = []
    start = 0
    for line in masked.split("\n"):
        out.extend(_stray_in_line(line, start))
        start += len(line) + 1
    return sorted(out, key=lambda m: m.position)


def _stray_in_line(line: str, offset: int) -> list[StrayMark]:
    stack: list[tuple[str, int]] = []
    open_count: Counter[str] = Counter()  # marks on the stack, by mark: "is one open?" in O(1)
    stray: list[StrayMark] = []
    for i, ch in enumerate(line):
        if ch not in MARKS:
            continue
        closes = _CLOSES.get(ch, "")
        if stack and stack[-1][0] in closes:
            open_count[stack.pop()[0]] -= 1
        elif any(open_count[mark] for mark in closes):  # closes an outer mark: the inner ones are stray
            while stack[-1][0] not in closes:
                mark, pos = stack.pop()
                open_count[mark] -= 1
                stray.append(StrayMark(pos, mark, opening=True))
            open_count[stack.pop()[0]] -= 1
        elif ch in _OPENS:
            stack.append((ch, offset + i))
            open_count[ch] += 1
        else:
            stray.append(StrayMark(offset + i, ch, opening=False))
    stray.extend(StrayMark(pos, mark, opening=True) for mark, pos in stack)
    return stray


def _span(text: str, mark: StrayMark) -> tuple[int, int]:
    """The stretch of text a stray mark delimits (see the module docstring)."""
    if mark.opening:
        end = mark.position + 1
        while end < len(text) and text[end] != "\n" and text[end] not in MARKS and end - mark.position < MAX_SPAN:
            end += 1
        while end > mark.position + 1 and text[end - 1].isspace():
            end -= 1
        return mark.position, end
    start = mark.position
    while start > 0 and text[start - 1] != "\n" and text[start - 1] not in MARKS and mark.position - start < MAX_SPAN - 1:
        start -= 1
    while start < mark.position and text[start].isspace():
        start += 1
    return start, mark.position + 1


class PairedMarks(Check):
    name = "paired_marks"
    description = ("quotation marks or brackets the translation leaves unpaired where the source's are "
                   "paired (often a garbled quote)")

    def run(self, segment: SegmentInput) -> ScorerOutput:
        out = ScorerOutput()
        text = segment.translation
        if is_blank(text) or not any(ch in MARKS for ch in text) or stray_marks(segment.source):
            return out
        for mark in stray_marks(text)[:MAX_FLAGS]:
            kind = "quotation mark" if mark.mark in _QUOTES else "bracket"
            side = "opening" if mark.opening else "closing"
            start, end = _span(text, mark)
            piece = " ".join(text[start:end].split())
            out.flags.append(FlagData(
                type=UNPAIRED_MARK, severity="minor", detector=self.name, confidence=0.8,
                target_span=(start, end),
                message=f'unpaired {side} {kind} {mark.mark!r} (every mark in the source is paired): "{piece}"'))
        return out
