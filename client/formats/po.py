"""Gettext PO through translate-toolkit.

The target language is the header's Language (flags override); the source language comes from
--src-lang or the X-Source-Language header (PO has no standard field for it; `en` is not
assumed). Ids are `NAME:LINE` of the entry's msgid; plural forms after the first are
`NAME:LINE[N]`.

Plural forms are paired by the target language's plural categories, not by index: `msgstr[N]`
is the form of category `forms(lang, nplurals)[N]` (Russian 0 one, 1 few, 2 many); a form for
one number (one, zero, two) is judged against msgid, the others against msgid_plural. Each form
carries the label `plural_form` (its category); a form left empty while others are translated
is sent empty, so the server flags the missing form.

Not scored (a `Skipped`, counted in the summary; `--include-unready` scores the fuzzy and
obsolete ones): the header, fuzzy and obsolete entries, translator credits and keyword lists.
Labels: `context` (msgctxt), `note` (the extracted comments, `#.`), `format` (the entry's format
flags, `python-format`, `c-format`, ...: the server reads its placeholders in that syntax).
"""

from __future__ import annotations

import re
from typing import Iterator

from lacuna.client.formats import (InputProblem, InputWarning, ReadOptions, Record, Skipped, UniqueIds,
                                   id_name, pick_language)

_MSGID_LINE = re.compile(r"^(#~\s*)?msgid\s")
_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")
#: msgids that name the translators, not text of the program.
CREDITS = frozenset({"translator-credits", "translator_credits", "translators", "TRANSLATORS", "translator credits",
                     "Your names", "Your emails", "ROLES_OF_TRANSLATORS", "CREDIT_FOR_TRANSLATORS"})
_KEYWORDS = re.compile(r"^[^\s;][^;\n]{0,40}(?:;[^;\n]{1,40})+;?$")
SINGLE_NUMBER = ("one", "zero", "two")


def _msgid_lines(path: str) -> list[int]:
    with open(path, encoding="utf-8", errors="replace") as f:
        return [n for n, line in enumerate(f, 1) if _MSGID_LINE.match(line)]


def _is_keywords(unit, source: str) -> bool:
    """A .desktop/AppStream keyword list (`files;folders;manager;`), not a sentence."""
    comments = " ".join(unit.getnotes("developer").split()).lower()
    return bool(_KEYWORDS.match(source)) and source.endswith(";") and ("keyword" in comments or "search" in comments
                                                                       or source.count(";") >= 3)


def _plural_pairs(unit, lang: str, nplurals: int | None) -> list[tuple[str, str, str]]:
    """(category, source, translation) of each plural form, in msgstr order."""
    from lacuna.plural_rules import forms

    singular, plural = str(unit.source.strings[0]), str(unit.source.strings[-1])
    targets = [str(t) for t in (unit.target.strings if unit.target is not None else [])]
    count = max(nplurals or len(targets), len(targets), 1)
    categories = forms(lang, count)
    out = []
    for i in range(count):
        category = categories[i] if i < len(categories) else "other"
        source = singular if category in SINGLE_NUMBER and count > 1 else plural
        out.append((category, source, targets[i] if i < len(targets) else ""))
    return out


def read_po(path: str, options: ReadOptions) -> Iterator[Record | InputProblem | Skipped | InputWarning]:
    from translate.storage import pypo

    try:
        with open(path, "rb") as f:
            store = pypo.pofile.parsestring(f.read())
    except Exception as exc:  # the toolkit's parser raises ValueError with its own position text
        yield InputProblem(path, "", f"cannot read as PO: {exc}")
        return
    header = store.parseheader() if store.header() is not None else {}
    file_tgt = header.get("Language") or None
    file_src = header.get("X-Source-Language") or None
    nplurals_match = _NPLURALS.search(header.get("Plural-Forms", ""))
    nplurals = int(nplurals_match.group(1)) if nplurals_match else None
    lines = _msgid_lines(path)
    if len(lines) != len(store.units):
        lines = []  # unusual layout: fall back to entry numbers
    name = id_name(path, options.base)
    unique = UniqueIds(path)
    src_lang = pick_language(None, options.src_lang, file_src)
    tgt_lang = pick_language(None, options.tgt_lang, file_tgt)
    for n, unit in enumerate(store.units):
        line = lines[n] if lines else None
        where = f"line {line}" if line else f"entry {n + 1}"
        reason = _skip_reason(unit, options)
        if reason:
            yield Skipped(path, where, reason)
            continue
        base_id, warning = unique(f"{name}:{line}" if line else f"{name}:#{n + 1}", where)
        if warning is not None:
            yield warning
        labels = {k: v for k, v in (("context", str(unit.getcontext() or "")),
                                    ("note", " ".join(unit.getnotes("developer").split()))) if v}
        if unit.isfuzzy():
            labels["fuzzy"] = "true"
        formats = _format_flags(unit)
        if formats:
            labels["format"] = formats
        if unit.hasplural():
            forms = _plural_pairs(unit, tgt_lang.split("-")[0].lower(), nplurals)
            if not any(t for _, _, t in forms) and not options.include_untranslated:
                yield Skipped(path, where, "untranslated")
                continue
            for i, (category, source, target) in enumerate(forms):
                yield Record(
                    id=base_id if i == 0 else f"{base_id}[{i}]", source=source, translation=target,
                    src_lang=src_lang, tgt_lang=tgt_lang, source_file=path,
                    location=where if i == 0 else f"{where}, plural form {i}",
                    labels={**labels, "plural_form": category}, line=line)
            continue
        target = str(unit.target or "")
        if not target and not options.include_untranslated:
            yield Skipped(path, where, "untranslated")
            continue
        yield Record(id=base_id, source=str(unit.source), translation=target, src_lang=src_lang,
                     tgt_lang=tgt_lang, source_file=path, location=where, labels=labels, line=line)


def _format_flags(unit) -> str:
    """The entry's format flags (`#, python-format, python-brace-format`), comma-separated:
    `python-format,python-brace-format`; "" if none (`no-c-format` says what it is not)."""
    flags = (f.strip() for line in unit.typecomments for f in line.lstrip("#").split(","))
    return ",".join(f for f in flags if f.endswith("-format") and not f.startswith("no-"))


def _skip_reason(unit, options: ReadOptions) -> str:
    if unit.isheader():
        return "header"
    source = str(unit.source or "")
    if source.strip() in CREDITS or str(unit.getcontext() or "").strip() in CREDITS:
        return "credits"
    if _is_keywords(unit, source):
        return "keywords"
    if options.include_unready:
        return ""
    if unit.isobsolete():
        return "obsolete"
    if unit.isfuzzy() and unit.target:
        return "fuzzy"
    return ""
