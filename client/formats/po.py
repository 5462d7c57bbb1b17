"""Gettext PO through translate-toolkit.

The target language is the header's Language (flags override); the source
language comes from --src-lang or the X-Source-Language header (PO has no
standard field for it; `en` is not assumed). Ids are `FILE:LINE` of the entry's
msgid; plural forms after the first are `FILE:LINE[N]` (msgid_plural against
msgstr[N]). The header, obsolete entries and untranslated entries are skipped;
fuzzy entries are scored with the label fuzzy=true."""

from __future__ import annotations

import re
from typing import Iterator

from lacuna.client.formats import InputProblem, ReadOptions, Record, pick_language

_MSGID_LINE = re.compile(r"^(#~\s*)?msgid\s")


def _msgid_lines(path: str) -> list[int]:
    with open(path, encoding="utf-8", errors="replace") as f:
        return [n for n, line in enumerate(f, 1) if _MSGID_LINE.match(line)]


def read_po(path: str, options: ReadOptions) -> Iterator[Record | InputProblem]:
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
    lines = _msgid_lines(path)
    if len(lines) != len(store.units):
        lines = []  # unusual layout: fall back to entry numbers
    for n, unit in enumerate(store.units):
        if unit.isheader() or unit.isobsolete():
            continue
        line = lines[n] if lines else None
        where = f"line {line}" if line else f"entry {n + 1}"
        base_id = f"{path}:{line}" if line else f"{path}:#{n + 1}"
        src_lang = pick_language(None, options.src_lang, file_src)
        tgt_lang = pick_language(None, options.tgt_lang, file_tgt)
        if unit.hasplural():
            sources = list(unit.source.strings)
            targets = list(unit.target.strings) if unit.target is not None else []
            pairs = [(str(sources[0] if i == 0 else sources[-1]), str(t)) for i, t in enumerate(targets)]
        else:
            pairs = [(str(unit.source), str(unit.target or ""))]
        labels = {"fuzzy": "true"} if unit.isfuzzy() else {}
        for i, (source, target) in enumerate(pairs):
            if not target and not options.include_untranslated:
                continue
            yield Record(
                id=base_id if i == 0 else f"{base_id}[{i}]", source=source, translation=target,
                src_lang=src_lang, tgt_lang=tgt_lang, source_file=path,
                location=where if i == 0 else f"{where}, plural form {i}", labels=dict(labels),
                line=line,
            )
