"""Wrong language: the translation is not written in `tgt_lang` (often: it is in the source language).

Language identification is lingua (`lingua-language-detector`, models inside
the wheel, 75 languages). A fast low-accuracy pass over all 75 languages names
the candidates; a high-accuracy pass over those candidates plus the source and
target languages decides. High-accuracy models load lazily, only for languages
that actually come up, so memory stays small for a server that sees a few
language pairs.

The check is conservative: it judges only texts with enough letters once URLs,
placeholders, markup, numbers, names copied from the source (`NATO`,
`Tokyo`) and source words quoted in the translation (`"username"`, `« password »`) are set aside (and reads at most the first 3,000 characters); it flags only when lingua is confident about another
language and gives the target language almost nothing. Languages lingua cannot
tell apart reliably count as the target (Norwegian Bokmål / Nynorsk / Danish,
Bosnian / Croatian / Serbian, Indonesian / Malay, Czech / Slovak, and Japanese text written in
kanji only, which reads as Chinese; Galician / Portuguese in texts of fewer than
`SHORT_TEXT_WORDS` words). A translation that reads as the source language only
through the terms it keeps from the source ("Campi del payload del webhook") is not flagged
when its own words read as the target language. A target language outside lingua's 75 is
not judged.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from lingua import IsoCode639_1, Language as LinguaLanguage, LanguageDetectorBuilder

from lacuna.flag_types import WRONG_LANGUAGE
from lacuna.languages import Language, writes_without_spaces
from lacuna.server.checks import Check
from lacuna.server.checks.text import is_blank, letters, mask_verbatim
from lacuna.server.model import FlagData, ScorerOutput, SegmentInput

#: Letters a text needs before its language is judged (scripts with spaces between words).
MIN_LETTERS = 20
#: ... and for scripts written without spaces (one character carries more).
MIN_LETTERS_WITHOUT_SPACES = 8
#: lingua's confidence in the other language must be at least this ...
MIN_CONFIDENCE = 0.6
#: ... and this many times its confidence in the target language.
MIN_MARGIN = 4.0
#: Languages seldom translated into that lingua still finds in Latinate English (Latin,
#: Esperanto): they must reach this confidence unless they are the source or target language.
RARE_TARGETS = {"la": 0.97, "eo": 0.97}
#: Characters of a long translation that are judged (its language does not change midway).
MAX_JUDGED_CHARS = 3000
#: Low-accuracy candidates passed on to the high-accuracy pass.
CANDIDATES = 3

# Tags whose base lingua spells differently.
_ALIASES = {"no": "nb", "fil": "tl"}
# Languages lingua confuses with each other on sentence-length text.
_CONFUSABLE = [{"nb", "nn", "da"}, {"bs", "hr", "sr"}, {"id", "ms"}, {"cs", "sk"}]
#: ... and on short text only.
_CONFUSABLE_SHORT = [{"gl", "pt"}]
#: Words of text below which `_CONFUSABLE_SHORT` languages count as each other.
SHORT_TEXT_WORDS = 12

_SPACELESS = re.compile(r"[\u0e00-\u109f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_NAME = re.compile(r"\b[^\W\d_]*[A-Z][^\W\d_]*\b")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_][\w.-]*")
_QUOTED_WORD = re.compile(r"[\"'«“‘„‚「『]\s*([^\W\d_][\w.-]*)\s*[\"'»”’“‘」』]")

# lingua's letter rules name these languages for text that lacks the letters only they use
# (e.g. Ukrainian with і and щ reads as Kazakh); such a detection is trusted only with one.
_CONFIRMING_LETTERS = {"kk": set("әғқңөұүһӘҒҚҢӨҰҮҺ")}

_LINGUA = {lang.iso_code_639_1.name.lower(): lang for lang in LinguaLanguage.all()}


def lingua_code(lang: Language) -> str | None:
    """lingua's ISO 639-1 code for a language, or None if lingua does not know it."""
    code = _ALIASES.get(lang.base, lang.base)
    return code if code in _LINGUA else None


def language_name(code: str) -> str:
    lang = _LINGUA.get(code)
    return f"{lang.name.title() if lang else code} ({code})"


class _Detectors:
    """lingua detectors, built once per process and shared by every server in it."""

    _lock = threading.Lock()
    _all = None

    @classmethod
    def all_languages(cls):
        with cls._lock:
            if cls._all is None:
                cls._all = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()
            return cls._all

    @staticmethod
    @lru_cache(maxsize=512)
    def among(codes: frozenset[str]):
        langs = [LinguaLanguage.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in sorted(codes)]
        return LanguageDetectorBuilder.from_languages(*langs).build()


def detect(text: str, must_include: frozenset[str] = frozenset()) -> list[tuple[str, float]]:
    """(code, confidence) pairs, most likely first, over lingua's candidates plus `must_include`."""
    rough = _Detectors.all_languages().compute_language_confidence_values(text)
    codes = {c.language.iso_code_639_1.name.lower() for c in rough[:CANDIDATES]} | set(must_include)
    if len(codes) < 2:
        return [(c.language.iso_code_639_1.name.lower(), c.value) for c in rough]
    fine = _Detectors.among(frozenset(codes)).compute_language_confidence_values(text)
    return [(c.language.iso_code_639_1.name.lower(), c.value) for c in fine]


def judged_text(segment: SegmentInput) -> str:
    """The translation without what is copied as is: URLs, placeholders, numbers, source names;
    in a target language not written in Latin letters, also without its Latin-script words
    (product names, terms, code) when it has letters of its own script: `OAuth2 もしくは Access
    Token` is judged on its Japanese (too little to judge), an English copy still as English."""
    text = _DIGITS.sub(" ", mask_verbatim(segment.translation[:MAX_JUDGED_CHARS]))
    # a word the source has, quoted in the translation ("username", « password »), is a name
    # or a field, not the translation's language
    source_words = set(_WORD.findall(segment.source))
    text = _QUOTED_WORD.sub(lambda m: " " * len(m.group(0)) if m.group(1) in source_words else m.group(0), text)
    source_names = set(_NAME.findall(segment.source))
    if source_names:
        text = _NAME.sub(lambda m: " " if m.group(0) in source_names else m.group(0), text)
    if segment.tgt_lang.base in NON_LATIN_TARGETS:
        without = _LATIN_WORD.sub(lambda m: " " * len(m.group(0)), text)
        if letters(without) >= MIN_OWN_LETTERS:
            return without
    return text


#: Letters of a non-Latin target's own script that make its Latin words names and terms.
MIN_OWN_LETTERS = 3
#: Languages written in a script other than Latin: Latin words in them are names, terms or code.
NON_LATIN_TARGETS = frozenset({"ja", "zh", "ko", "ru", "uk", "be", "bg", "mk", "el", "ar", "fa", "ur", "he", "yi",
                               "hi", "mr", "ne", "bn", "pa", "gu", "ta", "te", "kn", "ml", "si", "th", "lo", "km",
                               "my", "ka", "hy", "am", "ky", "mn", "tg"})
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'_.-]*")


#: Letters the translation's own words (those the source does not have) need to be judged apart.
MIN_OWN_WORD_LETTERS = 8


def _own_words_in_target(text: str, source: str, target: str, include: frozenset[str]) -> bool:
    """The words of the translation that the source does not have read as the target language:
    `Campi del payload del webhook` keeps the source's terms, its own words are Italian, so it
    is not "in the source language" however English its terms make it look."""
    source_words = {w.casefold() for w in _WORD.findall(source)}
    rest = _WORD.sub(lambda m: " " if m.group(0).casefold() in source_words else m.group(0), text)
    if letters(rest) < MIN_OWN_WORD_LETTERS:
        return False
    ranked = detect(rest, include)
    return bool(ranked) and accepted(ranked[0][0], target, rest)


def accepted(code: str, target: str, text: str) -> bool:
    """Whether text detected as `code` is acceptable for a `target` text."""
    if code == target or any(code in g and target in g for g in _CONFUSABLE):
        return True
    if len(_WORD.findall(text)) < SHORT_TEXT_WORDS and any(code in g and target in g for g in _CONFUSABLE_SHORT):
        return True
    return target == "ja" and code == "zh" and not _KANA.search(text)


class WrongLanguage(Check):
    name = "wrong_language"
    description = "translation not in the target language, e.g. still in the source language (major)"

    def __init__(self, warm_up: bool = True) -> None:
        if warm_up:  # load the all-language detector (~0.5 s) off the request path
            threading.Thread(target=lambda: detect("warm up the detector"), daemon=True,
                             name="lingua-warm-up").start()

    def languages(self) -> list[str]:
        return sorted(set(_LINGUA) | {alias for alias, code in _ALIASES.items() if code in _LINGUA})

    def run(self, segment: SegmentInput) -> ScorerOutput:
        out = ScorerOutput()
        target = lingua_code(segment.tgt_lang)
        if target is None or is_blank(segment.translation):
            return out
        text = judged_text(segment)
        # A character of a script written without spaces carries more than a Latin letter; a text
        # with none of them ("Excel XML" for a Chinese target) needs as many letters as any other.
        spaceless = writes_without_spaces(segment.tgt_lang) and any(_SPACELESS.match(c) for c in text)
        needed = MIN_LETTERS_WITHOUT_SPACES if spaceless else MIN_LETTERS
        if letters(text) < needed:
            return out
        source = lingua_code(segment.src_lang)
        include = frozenset({target} | ({source} if source else set()))
        ranked = detect(text, include)
        if not ranked:
            return out
        ranked = [(c, v) for c, v in ranked if c not in _CONFIRMING_LETTERS or _CONFIRMING_LETTERS[c] & set(text)]
        if not ranked:
            return out
        top, confidence = ranked[0]
        target_confidence = max((v for c, v in ranked if accepted(c, target, text)), default=0.0)
        if accepted(top, target, text) or confidence < MIN_CONFIDENCE or confidence < MIN_MARGIN * target_confidence:
            return out
        if top != source and confidence < RARE_TARGETS.get(top, 0.0):
            return out
        if source and top == source and _own_words_in_target(text, segment.source, target, include):
            return out
        if source and top == source and segment.src_lang.base != segment.tgt_lang.base:
            what = f"the translation is in the source language, {language_name(top)}"
        else:
            what = f"the translation looks like {language_name(top)}"
        out.flags.append(FlagData(
            type=WRONG_LANGUAGE, severity="major", detector=self.name, confidence=confidence,
            message=f"{what}, not {language_name(target)} (lingua confidence {confidence:.2f})",
            target_span=(0, len(segment.translation)),
        ))
        return out
