"""Glossaries: term lists a translation is checked against, read from TBX, CSV/TSV or a word list.

Every reader returns a `Glossary`: a flat list of `GlossaryEntry`s, each saying
which source terms trigger it, which target terms are approved, which are
forbidden, and whether the source terms must stay untranslated (product names,
trademarks, identifiers). Shared by the batch client (which sends a job's
glossary with its requests) and the server (which loads named glossaries at
start); matching lives in `lacuna.server.terminology`.

| file | reader | what it holds |
| --- | --- | --- |
| `.tbx` | `tbx.py` | TBX v2 (`martif`) or v3 (`tbx`): concepts with terms per language and their status |
| `.csv`, `.tsv` | `delimited.py` | one entry a row: `source`, `target`, optional `forbidden`, `pos`, ... |
| `.txt` | `wordlist.py` | a do-not-translate list, one name a line |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from lacuna.languages import UnknownLanguage, parse


class GlossaryError(ValueError):
    """A glossary that cannot be read; the message names the file and line or entry, `field` the
    request field when the glossary came with a request."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class GlossaryEntry:
    """One entry. `src_lang`/`tgt_lang` are primary language subtags (`en`, `de`), or None for any."""

    source_terms: tuple[str, ...]
    targets: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    src_lang: str | None = None
    tgt_lang: str | None = None
    part_of_speech: str = ""
    case_sensitive: bool | None = None  # None: decided per term (see `term_is_case_sensitive`)
    do_not_translate: bool = False

    def applies_to(self, src_base: str, tgt_base: str) -> bool:
        return self.src_lang in (None, src_base) and self.tgt_lang in (None, tgt_base)


@dataclass
class Glossary:
    """The entries of one glossary file (or of a request)."""

    entries: list[GlossaryEntry] = field(default_factory=list)
    name: str = ""
    path: str = ""

    def for_pair(self, src_base: str, tgt_base: str) -> list[GlossaryEntry]:
        return [e for e in self.entries if e.applies_to(src_base, tgt_base)]

    def __len__(self) -> int:
        return len(self.entries)


def term_is_case_sensitive(term: str) -> bool:
    """Terms whose case carries meaning: acronyms (`NATO`, `URL`) and mixed case (`iPhone`,
    `JavaScript`). A capitalised word (`Save`, `File Name`) is not."""
    for word in term.split():
        letters = [c for c in word if c.isalpha()]
        if len(letters) >= 2 and all(c.isupper() for c in letters):
            return True
        if any(c.isupper() for c in word[1:]) and any(c.islower() for c in word):
            return True
    return False


def language_base(tag: str, where: str, field: bool = False) -> str | None:
    """The primary subtag of a glossary's language tag; None for an empty tag or `*`.
    `field`: `where` names a request field, kept on the error."""
    tag = (tag or "").strip()
    if not tag or tag == "*":
        return None
    try:
        return parse(tag).base
    except UnknownLanguage as exc:
        raise GlossaryError(f"{where}: {exc}", where if field else "") from None


def read_glossary(path: str, name: str = "") -> Glossary:
    """Read a glossary by its extension: .tbx, .csv, .tsv/.tab, or .txt (a do-not-translate list)."""
    from lacuna.glossary.delimited import read_delimited
    from lacuna.glossary.tbx import read_tbx
    from lacuna.glossary.wordlist import read_do_not_translate

    if not os.path.isfile(path):
        raise GlossaryError(f"{path}: no such file")
    ext = os.path.splitext(path)[1].lower()
    if ext == ".tbx":
        entries = read_tbx(path)
    elif ext == ".csv":
        entries = read_delimited(path, ",")
    elif ext in (".tsv", ".tab"):
        entries = read_delimited(path, "\t")
    elif ext == ".txt":
        entries = read_do_not_translate(path)
    else:
        raise GlossaryError(f"{path}: unknown glossary format {ext or '(no extension)'!r} "
                            "(expected .tbx, .csv, .tsv or .txt)")
    return Glossary(entries, name=name or os.path.splitext(os.path.basename(path))[0], path=path)
