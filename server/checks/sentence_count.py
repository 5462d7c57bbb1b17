"""Sentence count: a translation with fewer sentences than its source and much shorter than
the language pair would give has probably lost a sentence (flag `omission`, detector
`sentence_count`).

The omission detector compares meaning and finds most dropped sentences; it says little on
short UI messages in Japanese or Chinese, where a dropped "Please enter it in your browser
window." leaves a fluent, shorter text. So this check judges only targets written without
spaces (Japanese, Chinese, Thai, ...); elsewhere the detector's own flags, with their spans,
are the ones to read. It needs no model: the source has at least
two sentences, the translation fewer, and the translation is under `MAX_RATIO` of the length
the language pair would give (`length_ratio`'s densities, unsmoothed, counted on the plain
text). Translators merge sentences ("X. Please Y." -> "X のため Y してください。"), so fewer
sentences alone say nothing; merged sentences keep their length, dropped ones do not.

A fallback (`Check.fallback`): where the omission detector flags the segment too, the
pipeline keeps only the detector's flags, which say which sentence is missing.

Severity: `major` under `MAJOR_RATIO`, else `minor`. The flag's source span is the whole source:
lengths do not say which sentence is missing (a Japanese sentence may take more room than the
English one next to it), and a wrong sentence would mislead more than "somewhere in here". A
measure of the omission detector's spans should keep to `detector == "omission"`. Sentences are
counted with the omission detector's splitter over the text with line breaks read as spaces
(PO and XLIFF sources wrap sentences over lines); pipe and ICU plural messages are judged on
their last form, as the other text checks do.
"""

from __future__ import annotations

import re

from lacuna.flag_types import OMISSION
from lacuna.languages import writes_without_spaces
from lacuna.server.checks import Check
from lacuna.server.checks.length_ratio import content_length, density
from lacuna.server.checks.text import is_blank
from lacuna.server.model import FlagData, ScorerOutput, SegmentInput
from lacuna.server.omission.segmentation import sentence_spans

#: A translation with fewer sentences than its source under this share of its expected length.
MAX_RATIO = 0.8
#: ... is `major` under this share.
MAJOR_RATIO = 0.6
#: Shortest sentence that counts, in English-equivalent characters (non-space characters over
#: the language's density): "OK." and "Note:" are not sentences, "请更换密码。" is.
MIN_SENTENCE = 8


def sentences(text: str, segment: SegmentInput, side: str) -> list[tuple[int, int]]:
    """Spans of the sentences with content, line breaks read as spaces (offsets kept)."""
    flat = re.sub(r"\s", " ", text)
    lang = segment.src_lang if side == "source" else segment.tgt_lang
    return [(s, e) for s, e in sentence_spans(flat, lang) if content_length(flat[s:e]) / density(lang) >= MIN_SENTENCE]


class SentenceCount(Check):
    name = "sentence_count"
    description = "fewer sentences than the source and much shorter: a dropped sentence (omission)"
    fallback = True  # stands only where the omission detector flagged nothing

    def run(self, segment: SegmentInput) -> ScorerOutput:
        out = ScorerOutput()
        if is_blank(segment.translation) or is_blank(segment.source) or not writes_without_spaces(segment.tgt_lang):
            return out
        source = sentences(segment.source, segment, "source")
        if len(source) < 2:
            return out
        target = sentences(segment.translation, segment, "target")
        if len(target) >= len(source):
            return out
        scale = density(segment.tgt_lang) / density(segment.src_lang)
        expected = content_length(segment.source) * scale
        actual = content_length(segment.translation)
        ratio = actual / expected if expected else 1.0
        if ratio >= MAX_RATIO:
            return out
        out.flags.append(FlagData(
            type=OMISSION, severity="major" if ratio < MAJOR_RATIO else "minor", detector=self.name,
            confidence=0.75 if ratio < MAJOR_RATIO else 0.6, source_span=(0, len(segment.source)),
            message=(f"the source has {len(source)} sentences, the translation {len(target)}, at {ratio:.0%} "
                     f"of the expected length: a sentence is probably missing")))
        return out
