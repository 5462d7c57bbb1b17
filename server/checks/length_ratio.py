"""Length ratio: a translation far longer or shorter than the language pair normally gives.

Lengths are counted in non-space characters and divided by the target and
source languages' character density (non-space characters per unit of
content, English = 1.0): Japanese needs about half as many characters as
English for the same content, Chinese about a third, German a fifth more. So
`expected = len(source) / density(src) * density(tgt)` works for any pair.

Short texts vary most, so both lengths get `SMOOTHING` English-equivalent
characters added before the ratio is taken: a two-word UI string and its
translation never trip the check, a paragraph cut to one sentence does.
The flag is minor outside [1/2, 2] and major outside [1/3, 3] (minor whatever the ratio where
the source is a piece of a sentence other strings complete, `sentence_fragment`: its words may
sit in the next string's translation; or where the source is one acronym the translation keeps
and spells out, `ISSN` -> `国际标准期刊号（ISSN）`). No score is reported; the ratio is in the message.

The densities are rough medians from parallel news-style text (e.g. HalOmi /
FLORES sentence pairs with English: de 1.19, es 1.10, ru 1.05, ar 0.86,
zh 0.35) and published translation-expansion tables; languages missing from
the table count as 1.0.
"""

from __future__ import annotations


from lacuna.flag_types import LENGTH_RATIO
from lacuna.languages import Language
from lacuna.server.checks import Check
from lacuna.server.checks.sentence_fragment import is_piece
from lacuna.server.checks.text import is_blank
from lacuna.server.model import FlagData, ScorerOutput, SegmentInput

#: Non-space characters per unit of content, relative to English.
DENSITY: dict[str, float] = {
    "en": 1.0, "de": 1.19, "nl": 1.15, "fr": 1.15, "es": 1.10, "pt": 1.10, "it": 1.10, "ca": 1.12,
    "ro": 1.12, "sv": 1.02, "da": 1.03, "nb": 1.02, "nn": 1.02, "no": 1.02, "is": 1.05, "fi": 1.10,
    "et": 1.02, "hu": 1.10, "pl": 1.08, "cs": 1.0, "sk": 1.0, "sl": 1.0, "hr": 1.0, "bs": 1.0,
    "sr": 1.0, "bg": 1.05, "mk": 1.05, "ru": 1.05, "uk": 1.03, "be": 1.05, "lt": 1.02, "lv": 1.0,
    "el": 1.15, "tr": 1.03, "az": 1.05, "kk": 1.05, "uz": 1.10, "id": 1.15, "ms": 1.15, "tl": 1.25,
    "vi": 1.10, "sw": 1.10, "yo": 1.05, "ha": 1.10, "zu": 1.20, "xh": 1.20, "af": 1.08, "ga": 1.15,
    "cy": 1.05, "eu": 1.10, "gl": 1.10, "sq": 1.10, "mt": 1.10,
    "ar": 0.86, "fa": 0.85, "ur": 0.90, "he": 0.78, "yi": 0.95, "ps": 0.90,
    "hi": 0.95, "mr": 0.95, "ne": 0.95, "bn": 0.95, "pa": 0.95, "gu": 0.95, "ta": 1.15, "te": 1.0,
    "kn": 1.05, "ml": 1.15, "si": 0.95, "ks": 0.90, "mni": 1.10,
    "th": 0.95, "lo": 0.95, "km": 1.0, "my": 1.05, "ka": 1.10, "hy": 1.10, "am": 0.65, "mn": 1.05,
    "ja": 0.50, "zh": 0.35, "yue": 0.35, "ko": 0.45,
}
#: English-equivalent characters added to both lengths (see module docstring).
SMOOTHING = 12.0
MINOR_RATIO = 2.0
MAJOR_RATIO = 3.0


def density(lang: Language) -> float:
    if lang.base in DENSITY:
        return DENSITY[lang.base]
    return 1.0


def _spelled_out(segment: SegmentInput) -> bool:
    """The source is one acronym or code that the translation keeps and explains
    (`ISSN` -> `国际标准期刊号（ISSN）`): longer on purpose."""
    word = segment.source.strip()
    return bool(word) and " " not in word and word.upper() == word and any(c.isalpha() for c in word) \
        and word in segment.translation and len(word) < len(segment.translation.strip())


def content_length(text: str) -> int:
    return sum(1 for c in text if not c.isspace())


def length_ratio(segment: SegmentInput) -> tuple[float, float, float]:
    """(smoothed ratio actual/expected, source units, translation units) in English-equivalent characters."""
    src_units = content_length(segment.source) / density(segment.src_lang)
    tgt_units = content_length(segment.translation) / density(segment.tgt_lang)
    return (tgt_units + SMOOTHING) / (src_units + SMOOTHING), src_units, tgt_units


class LengthRatio(Check):
    name = "length_ratio"
    description = "translation length far outside the language pair's usual ratio (minor beyond 2x, major beyond 3x)"

    def run(self, segment: SegmentInput) -> ScorerOutput:
        out = ScorerOutput()
        if is_blank(segment.translation):
            return out  # the empty check reports it
        if not any(c.isalpha() for c in segment.source):
            return out  # all of the source is code or markup (blanked here): no length to expect
        ratio, src_units, tgt_units = length_ratio(segment)
        spread = max(ratio, 1 / ratio)
        if spread <= MINOR_RATIO:
            return out
        # a piece of a sentence other strings complete: translators move words between the pieces
        piece = is_piece(segment.source, segment.src_lang)
        severity = "major" if spread > MAJOR_RATIO and not piece and not _spelled_out(segment) else "minor"
        how = "longer" if ratio > 1 else "shorter"
        expected = content_length(segment.source) / density(segment.src_lang) * density(segment.tgt_lang)
        out.flags.append(FlagData(
            type=LENGTH_RATIO, severity=severity, detector=self.name,
            # 2x -> 0.5, 3x -> 0.67, 6x -> 0.83: further out, surer.
            confidence=1 - 1 / spread,
            message=(f"the translation is {spread:.1f}x {how} than usual for {segment.src_lang.tag}->"
                     f"{segment.tgt_lang.tag}: {content_length(segment.translation)} characters where about "
                     f"{expected:.0f} are expected"),
        ))
        return out
