"""A source that is a piece of a sentence, not a whole message.

User interfaces often build one sentence out of several strings around a link, a button or a
value: `If the error persists please` + [contact us] + `.`; `You can reactivate your account
by entering your email address in the` + [registration form]. Each piece is a unit of the
file. A translator puts the words where the target language wants them, so a piece of the
translation may end on a comma (Japanese `エラーが続く場合は、`), hold words the English
keeps in the next piece, or leave some of them to it. Judged alone, such a unit looks cut
off, or missing or adding a clause, when the whole sentence is right.

A source is read as such a piece when it does not end a sentence and (`is_piece`)

* it ends open (`ends_open`): on a word that needs the words after it (`the`, `for`, `your`:
  `dangling_words`), on `please`, `so` or a copula (`Your default visibility is`), or on a comma; or, in a source of `MIN_WORDS` words
  or more, on a preposition (`in`, `at`, `on`, `by`: short labels such as `Sign in` or
  `Sort by` end so whole); or
* it starts inside a sentence (`starts_inside`): with a lower-case word, in `MIN_WORDS` words
  or more (`please visit the help centre`, `has been added to your record`): the rest of a
  sentence begun in another string. Log and error messages are often written so whole
  (`node class %r is already registered`), so this sign only keeps `truncation` from reading
  a comma at the end as a cut; the omission detector's flags are made minor on `ends_open`
  alone (`omission.scorer`); or
* it is a subordinate clause alone (`starts_with_clause`): `If you have any questions`, no
  comma, no stop: the main clause (`contact us`) is in another string.

Only English word lists are known beyond `dangling_words`; in another source language only the
comma and `dangling_words` are read.
"""

from __future__ import annotations

import re

from lacuna.languages import Language
from lacuna.server.checks.dangling_words import dangling_end, last_word

#: Fewest words of a source read as a piece by its preposition at the end or its lower-case start.
MIN_WORDS = 4
#: Words an English piece may end on besides `dangling_words`: a request or a clause that goes
#: on in the next string.
_CONTINUES = {"en": frozenset("please so than via if because whether when while is are was were".split())}
#: Conjunctions that open a subordinate clause whose main clause may be in another string.
_CLAUSE_STARTS = {"en": frozenset("if when unless once because although whenever".split())}
#: Prepositions that end pieces, and some whole short labels too (`Sign in`, `Sort by`).
_PREPOSITIONS = {"en": frozenset("in at on by as".split())}
_SENTENCE_END = re.compile(r"[.!?。！？…:：;；]['\"”’」』)）\]]*\s*$")
_FIRST_WORD = re.compile(r"[^\W\d_]+")


def ends_open(text: str, lang: Language) -> bool:
    """True when `text` (plain: placeholders and codes blanked) stops where the sentence goes on:
    no stop, and a last word or comma that needs what follows (see the module's docstring)."""
    text = text.strip()
    if not text or _SENTENCE_END.search(text):
        return False
    if text[-1] in ",，、" or dangling_end(text, lang):
        return True
    word = last_word(text)
    if word in _CONTINUES.get(lang.base, ()):
        return True
    return len(text.split()) >= MIN_WORDS and word in _PREPOSITIONS.get(lang.base, ())


def ends_on_linking_word(text: str, lang: Language) -> bool:
    """The text ends on a word that links it to what follows, whatever its length: `dangling_words`,
    `please`, a preposition (`Distinguish yourself in`, `Sort by`)."""
    word = last_word(text)
    return bool(dangling_end(text, lang)) or word in _CONTINUES.get(lang.base, ()) \
        or word in _PREPOSITIONS.get(lang.base, ())


def starts_lowercase(text: str) -> bool:
    """The text's first word is in lower case (`account settings.`, `please visit the help centre`)."""
    first = _FIRST_WORD.search(text.strip())
    return bool(first) and first.start() == 0 and first.group(0).islower()


def starts_with_clause(text: str, lang: Language) -> bool:
    """The text is a subordinate clause alone (`If you have any questions`): it starts with a
    conjunction such as `if` or `when` and has neither a comma nor a stop, so its main clause is
    in another string."""
    first = _FIRST_WORD.search(text.strip())
    return bool(first) and first.group(0).lower() in _CLAUSE_STARTS.get(lang.base, ()) \
        and not re.search(r"[,，、.!?。！？;:]", text) and len(text.split()) >= 3


def starts_inside(text: str) -> bool:
    """True when `text` starts with a lower-case word, has `MIN_WORDS` words or more and no
    stop at its end: the rest of a sentence begun in another string. (Log and error messages
    written in lower case also read so; callers that judge content use `ends_open` alone.)"""
    text = text.strip()
    return starts_lowercase(text) and len(text.split()) >= MIN_WORDS and not _SENTENCE_END.search(text)


def is_piece(text: str, lang: Language) -> bool:
    """Any sign: the text ends open, starts inside a sentence or is a subordinate clause alone."""
    return ends_open(text, lang) or starts_inside(text) or starts_with_clause(text, lang)
