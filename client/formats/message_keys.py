"""Units whose source is a message key, not text: Symfony, Sonata and many other catalogs keep
the key (`title.homepage`, `help.more_information`, `not_available`) as the source of every
language's file and the English wording in the English file. Compared with a translation, a
key says nothing: every placeholder or tag of the translation reads as added, every length as
wrong, and a job gating on major flags fails on correct catalogs.

A source is read as a key when it is one token of letters, digits, `-` and `_` in two or more
parts joined by `.` or `_` (`post.num_comments`, `mit_license`), and the translation is text
that is not the key again (it has a space or a letter outside ASCII: `利用できません`,
`Kommentar hinzufügen`). A file name or code copied as is (`config.yaml` -> `config.yaml`) is
not a key. Such units are skipped (`Skipped`, reason `KEY_SOURCE`), with one warning per file
saying how to score them: with the source language's text as the source (join the catalogs by
id, or export source and translation from the translation platform).
"""

from __future__ import annotations

import re

#: The reason a key-sourced unit is skipped, as counted in the summary.
KEY_SOURCE = "source is a message key"
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9-]*(?:[._][A-Za-z0-9-]+)+")


def is_key_source(source: str, translation: str) -> bool:
    """True when `source` is a message key and `translation` is text (see the module docstring)."""
    source = source.strip()
    translation = translation.strip()
    if not _KEY.fullmatch(source) or not translation or translation == source:
        return False
    return " " in translation or any(ord(ch) > 127 and ch.isalpha() for ch in translation)


def key_warning(example: str) -> str:
    """The warning for a file whose units have keys as sources (`example`: the first one)."""
    return (f"units whose source is a message key ({example!r}), not text, are skipped: score the "
            f"translations with the source language's text as their source (the source-language "
            f"catalog's translation of each key)")
