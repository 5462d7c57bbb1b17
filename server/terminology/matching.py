"""Finding terms in text, tolerant of case and inflection.

Texts in scripts written with spaces are cut into words; each word is compared
by its Snowball stem of the case-folded form (PyStemmer), so `Datei` matches
`Dateien` and `fichier` matches `Fichiers`. A multi-word term matches a run of
consecutive words with the same stems. Case-sensitive terms (`iPhone`, `NATO`)
compare the words as written. Languages written without spaces (Japanese,
Chinese, Thai, ...) and Korean, whose words carry particles, are matched
character by character on the NFKC, case-folded text. In languages that write
compounds as one word (German, Dutch, the Nordic languages, Finnish, Hungarian,
Estonian), an approved target term may also be found inside a longer word
(`Datei` in `Dateiname`). Where Snowball's stems part (`bestätigt` /
`Bestätigung`), an approved term also counts when a word shares its first
max(5, n - 2) letters, accents ignored, and when it is written with other
hyphens or spaces (`Wiederherstellungs-Codes`). That leniency is used only where
it avoids false alarms (looking for an approved term), never where it would
raise them (finding a source term or a forbidden one).

Spans are half-open code-point offsets into the text as given.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cached_property

WORD = re.compile(r"\w+", re.UNICODE)

#: Languages matched character by character.
CHARACTER_LEVEL = frozenset({"ja", "zh", "ko", "th", "lo", "km", "my", "yue", "bo", "dz"})
#: Languages that write compounds as one word.
COMPOUNDING = frozenset({"de", "nl", "sv", "da", "nb", "nn", "no", "fi", "is", "et", "hu", "af", "lb"})
#: Shortest stem looked for inside a compound.
MIN_COMPOUND_PART = 4

STEMMERS = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech", "da": "danish",
    "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian", "fi": "finnish", "fr": "french",
    "de": "german", "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "nb": "norwegian", "nn": "norwegian",
    "no": "norwegian", "fa": "persian", "pl": "polish", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sr": "serbian", "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish",
    "yi": "yiddish",
}

_local = threading.local()  # PyStemmer's stemmers are not shared between threads


def _stemmer(lang: str):
    cache = getattr(_local, "stemmers", None)
    if cache is None:
        cache = _local.stemmers = {}
    if lang not in cache:
        algorithm = STEMMERS.get(lang)
        if algorithm is None:
            cache[lang] = None
        else:
            import Stemmer

            cache[lang] = Stemmer.Stemmer(algorithm, 10000)
    return cache[lang]


def fold(text: str) -> str:
    """Case- and width-insensitive form of a word."""
    return unicodedata.normalize("NFKC", text).casefold()


def word_key(word: str, lang: str) -> str:
    """What two words must share to count as the same word: the stem of the folded form."""
    folded = fold(word)
    stemmer = _stemmer(lang)
    return stemmer.stemWord(folded) if stemmer is not None else folded


def character_level(lang: str) -> bool:
    return lang in CHARACTER_LEVEL


@dataclass(frozen=True)
class Term:
    """A term prepared for one language: word keys, or folded characters."""

    text: str
    lang: str
    case_sensitive: bool

    @cached_property
    def keys(self) -> tuple[str, ...]:
        words = WORD.findall(self.text)
        if self.case_sensitive:
            return tuple(words)
        return tuple(word_key(w, self.lang) for w in words)

    @cached_property
    def chars(self) -> str:
        return _normalise_chars(self.text, self.case_sensitive)[0]

    @property
    def empty(self) -> bool:
        return not (self.chars if character_level(self.lang) else self.keys)


def _normalise_chars(text: str, case_sensitive: bool) -> tuple[str, list[int]]:
    """The text NFKC-normalised (and case-folded), with the original offset of every character."""
    out: list[str] = []
    origin: list[int] = []
    for i, c in enumerate(text):
        n = unicodedata.normalize("NFKC", c)
        if not case_sensitive:
            n = n.casefold()
        out.append(n)
        origin.extend([i] * len(n))
    return "".join(out), origin


#: Placeholders the server's verbatim mask leaves alone: `{{ limit }}` (Twig, Jinja), `%(name)s` (Python).
PLACEHOLDERS = re.compile(r"\{\{.{0,80}?\}\}|%\(\w{1,40}\)[sdif]")


def mask(text: str) -> str:
    """`text` with URLs, e-mail addresses, markup and placeholders blanked (same length): no term is
    looked for inside them (`phone` in `%(phone)s`)."""
    from lacuna.server.checks.text import mask_verbatim

    return mask_verbatim(PLACEHOLDERS.sub(lambda m: " " * len(m.group()), text))


class Text:
    """One text prepared for matching in its language; the work is done once per text. Terms are
    looked for outside URLs, markup and placeholders; spans index the text as given."""

    def __init__(self, text: str, lang: str):
        self.text = text
        self.lang = lang
        self.masked = mask(text)

    # -- words -------------------------------------------------------------------------

    @cached_property
    def words(self) -> list[re.Match]:
        return list(WORD.finditer(self.masked))

    @cached_property
    def keys(self) -> list[str]:
        return [word_key(m.group(), self.lang) for m in self.words]

    @cached_property
    def folded_words(self) -> list[str]:
        return [fold(m.group()) for m in self.words]

    @cached_property
    def surface(self) -> list[str]:
        return [m.group() for m in self.words]

    # -- characters --------------------------------------------------------------------

    @cached_property
    def _chars_ci(self) -> tuple[str, list[int]]:
        return _normalise_chars(self.masked, False)

    @cached_property
    def _chars_cs(self) -> tuple[str, list[int]]:
        return _normalise_chars(self.masked, True)

    def chars(self, case_sensitive: bool) -> tuple[str, list[int]]:
        return self._chars_cs if case_sensitive else self._chars_ci

    # -- finding -----------------------------------------------------------------------

    def find(self, term: Term, lenient: bool = False) -> list[tuple[int, int]]:
        """Every occurrence of `term` as spans. `lenient` (looking for an approved term): also a
        word sharing the term's first letters, one inside a compound, or the term written with
        other hyphens and spaces."""
        if term.empty:
            return []
        if character_level(self.lang):
            return self._find_chars(term)
        spans = self._find_words(term)
        if not spans and lenient and not term.case_sensitive:
            if len(term.keys) == 1:
                spans = self._find_by_prefix(term)
            if not spans:
                spans = self._find_joined(term)
        if not spans and not character_level(term.lang) and _unspaced_term(term):
            spans = self._find_chars(term)
        return spans

    def _find_by_prefix(self, term: Term) -> list[tuple[int, int]]:
        """Words sharing the term's first max(5, n - 2) letters, accents ignored (`bestätigt` and
        `Bestätigung`, `personalizado` and `personalizar`) -- at the start of a word, or, in
        compounding languages, anywhere in it (`Konto` in `Benutzerkonto`)."""
        base = _plain(term.text)
        parts = {base[:max(PREFIX_MIN, len(base) - PREFIX_SLACK)]} if len(base) >= PREFIX_MIN else set()
        if self.lang in COMPOUNDING:
            parts |= {p for p in (base, _plain(term.keys[0])) if len(p) >= MIN_COMPOUND_PART}
            hit = lambda w: any(p in w for p in parts)  # noqa: E731
        else:
            hit = lambda w: any(w.startswith(p) for p in parts)  # noqa: E731
        return [(self.words[i].start(), self.words[i].end()) for i, w in enumerate(self.plain_words) if hit(w)]

    def _find_joined(self, term: Term) -> list[tuple[int, int]]:
        """The term with hyphens, spaces and apostrophes ignored (`Wiederherstellungscodes` in
        `Wiederherstellungs-Codes`, `E-Mail` in `Email`)."""
        want = _JOINERS.sub("", _plain(term.text))
        if len(want) < MIN_COMPOUND_PART:
            return []
        text, origin = self._joined
        spans, start = [], text.find(want)
        while start >= 0:
            spans.append((origin[start], origin[start + len(want) - 1] + 1))
            start = text.find(want, start + len(want))
        return spans

    @cached_property
    def plain_words(self) -> list[str]:
        return [_plain(m.group()) for m in self.words]

    @cached_property
    def _joined(self) -> tuple[str, list[int]]:
        out, origin = [], []
        for i, c in enumerate(self.masked):
            p = _plain(c)
            if _JOINERS.fullmatch(c) or not p:
                continue
            out.append(p)
            origin.extend([i] * len(p))
        return "".join(out), origin

    def _find_words(self, term: Term) -> list[tuple[int, int]]:
        keys = self.surface if term.case_sensitive else self.keys
        want = term.keys
        n = len(want)
        spans = []
        for i in range(len(keys) - n + 1):
            if keys[i] == want[0] and tuple(keys[i:i + n]) == want:
                spans.append((self.words[i].start(), self.words[i + n - 1].end()))
        return spans

    def _find_chars(self, term: Term) -> list[tuple[int, int]]:
        text, origin = self.chars(term.case_sensitive)
        want = term.chars if character_level(term.lang) else _normalise_chars(term.text, term.case_sensitive)[0]
        spans = []
        start = text.find(want)
        while want and start >= 0:
            end = start + len(want)
            spans.append((origin[start], origin[end - 1] + 1))
            start = text.find(want, end)
        return spans


#: An approved term also counts when a word shares its first max(PREFIX_MIN, n - PREFIX_SLACK) letters.
PREFIX_MIN, PREFIX_SLACK = 5, 2
_JOINERS = re.compile(r"[\s\-\u2010\u2011\u00ad'’·.]+")


def _plain(text: str) -> str:
    """Folded, without accents: `Bestätigt` -> `bestatigt`."""
    decomposed = unicodedata.normalize("NFKD", fold(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _unspaced_term(term: Term) -> bool:
    """A term in a script without spaces (a Japanese name in a German text) is looked for by characters."""
    return any(unicodedata.name(c, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI"))
               for c in term.text)
