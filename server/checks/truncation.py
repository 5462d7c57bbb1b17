"""Truncation: a translation cut off before its end (flag `truncated`, major).

Two signs, either enough:

* the translation ends inside a placeholder or tag (`{{ min`, `%(na`, `<b`), where the
  source's placeholders are whole;
* the source ends a sentence (`.`, `!`, `?`, `。`, ...) and the translation stops on a letter,
  a digit, a comma or a colon, and the translation is under `MAX_RATIO` of the length the
  language pair would give (`length_ratio`'s densities, unsmoothed, counted without markup and
  placeholders), or under `MAX_RATIO_UNCLOSED` with a bracket or quote left open that the
  source closes: it stops mid-sentence, not in a terser style.

Pipe and ICU plural messages are judged on their last form (a form may end without a stop).
"""

from __future__ import annotations

import re

from lacuna.server.checks import Check
from lacuna.server.checks.length_ratio import content_length, density
from lacuna.server.checks.segment_markup import plain_segment
from lacuna.server.checks.text import is_blank
from lacuna.server.model import FlagData, ScorerOutput, SegmentInput

#: A translation under this share of its expected length that stops mid-sentence is cut off.
MAX_RATIO = 0.75
#: ... or under this share when it also leaves a bracket or quote open that the source closes.
MAX_RATIO_UNCLOSED = 0.95
#: Shortest source (non-space characters) judged by the length sign.
MIN_SOURCE = 12
_SENTENCE_END = re.compile(r"[.!?。！？…:：;；]['\"”’」』)）\]]*\s*$")
_COMMAS = ",、，;；:："
_STOP = re.compile(r"[.!?。！？…]['\"”’」』)）\]]*\s*$")
_OPEN_FRAGMENT = re.compile(r"(?:\{\{[^{}]*|%\([^)]*\)?|<[A-Za-z/][^<>]*|\{[A-Za-z_0-9][^{}]*|\{+|(?<=[^\d\s%])%)$")
_PAIRS = {"(": ")", "（": "）", "「": "」", "『": "』", "“": "”", "[": "]", "《": "》", "【": "】"}


def _unclosed(text: str) -> bool:
    """An opening bracket or quote the text never closes."""
    return any(text.count(o) > text.count(c) for o, c in _PAIRS.items())


class Truncation(Check):
    name = "truncation"
    description = "translation cut off before its end (major)"
    sees_markup = True

    def run(self, segment: SegmentInput) -> ScorerOutput:
        out = ScorerOutput()
        source, translation = segment.source.rstrip(), segment.translation.rstrip()
        if is_blank(translation) or "|" in source:
            return out
        fragment = _OPEN_FRAGMENT.search(translation)
        if fragment and not _OPEN_FRAGMENT.search(source):
            return self._flag(out, segment, fragment.start(), "ends inside a placeholder or tag")
        if len(source.replace(" ", "")) < MIN_SOURCE or not _SENTENCE_END.search(source):
            return out
        if _STOP.search(translation) or not (translation[-1:].isalnum() or translation[-1:] in _COMMAS):
            return out
        if translation[-1:] in ":：" and not _STOP.search(source):  # a label ending as its source does
            return out
        plain = plain_segment(segment)
        expected = content_length(plain.source) / density(segment.src_lang) * density(segment.tgt_lang)
        ratio = content_length(plain.translation) / expected if expected else 1.0
        if ratio < MAX_RATIO or (ratio < MAX_RATIO_UNCLOSED and _unclosed(translation) and not _unclosed(source)):
            return self._flag(out, segment, len(translation),
                              f"stops mid-sentence at {ratio:.0%} of the expected length")
        return out

    @staticmethod
    def _flag(out: ScorerOutput, segment: SegmentInput, at: int, why: str) -> ScorerOutput:
        out.flags.append(FlagData(
            type="truncated", severity="major", detector="truncation", confidence=0.8,
            message=f"the translation looks cut off: it {why}",
            target_span=(max(0, at - 1), len(segment.translation.rstrip()))))
        return out
