"""XLIFF 1.2 and 2.x, read with lxml, inline codes kept (`inline`).

Ids are `NAME:UNIT-ID` (XLIFF 2.x units with several segments: `NAME:UNIT::SEGMENT`); when a
document holds several <file> elements the <file> original/id is put in front
(`NAME:ORIGINAL/UNIT-ID`), since unit ids are unique only within one. A repeated id is read as
`ID#2` with a warning.

Not scored (a `Skipped`, counted in the summary; `--include-unready` scores them): units with
translate="no", targets whose state says they are not ready (1.2: new, needs-translation,
needs-l10n, needs-adaptation, needs-review-*; 2.x: initial). Units without a <target> are
skipped as untranslated (scored as empty with --include-untranslated).

Labels: `resname`, `note` (the unit's notes), `state`. `maxwidth` with size-unit="char" is the
segment's length limit.
"""

from __future__ import annotations

from typing import Iterator

from lxml import etree

from lacuna.client.formats import (InputProblem, InputWarning, ReadOptions, Record, Skipped, UniqueIds,
                                   id_name, pick_language)
from lacuna.client.formats.inline import render

NOT_READY_1 = frozenset({"new", "needs-translation", "needs-l10n", "needs-adaptation", "needs-review-translation",
                         "needs-review-l10n", "needs-review-adaptation"})
NOT_READY_2 = frozenset({"initial"})


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _children(el, name: str) -> list:
    return [c for c in el if _local(c) == name]


def _child(el, name: str):
    found = _children(el, name)
    return found[0] if found else None


def _descendants(el, name: str) -> list:
    return [d for d in el.iter() if _local(d) == name]


def _translate_no(el) -> bool:
    node = el
    while node is not None:
        if node.get("translate") == "no":
            return True
        node = node.getparent()
    return False


def _notes(el) -> str:
    notes = [n.text.strip() for n in _descendants(el, "note") if n.text and n.text.strip()]
    return " | ".join(notes)


def read_xliff(path: str, options: ReadOptions) -> Iterator[Record | InputProblem | Skipped | InputWarning]:
    parser = etree.XMLParser(resolve_entities=False, huge_tree=True, remove_blank_text=False)
    try:
        root = etree.parse(path, parser).getroot()
    except etree.XMLSyntaxError as exc:
        yield InputProblem(path, f"line {exc.lineno}", f"not well-formed XML: {exc.msg}")
        return
    if _local(root) != "xliff":
        yield InputProblem(path, "", f"cannot read as XLIFF: the root element is <{_local(root)}>, not <xliff>")
        return
    version = 2 if (root.get("version") or "").startswith("2") or "xliff:document:2" in (root.tag or "") else 1
    files = _children(root, "file")
    several = len(files) > 1
    name = id_name(path, options.base)
    unique = UniqueIds(path)
    for file_el in files:
        reader = _units_1 if version == 1 else _units_2
        for item in reader(path, file_el, root, options):
            if not isinstance(item, Record):
                yield item
                continue
            unit_id = item.id
            prefix = (file_el.get("original") or file_el.get("id") or "") + "/" if several else ""
            item.id, warning = unique(f"{name}:{prefix}{unit_id}", item.location)
            if warning is not None:
                yield warning
            yield item


def _languages(options: ReadOptions, src: str | None, tgt: str | None) -> tuple[str, str]:
    return pick_language(None, options.src_lang, src), pick_language(None, options.tgt_lang, tgt)


def _units_1(path, file_el, root, options) -> Iterator:
    src_lang, tgt_lang = _languages(options, file_el.get("source-language"), file_el.get("target-language"))
    for unit in _descendants(file_el, "trans-unit"):
        unit_id = unit.get("id") or f"line{unit.sourceline}"
        where = f"unit {unit.get('id')!r} (line {unit.sourceline})" if unit.get("id") else f"line {unit.sourceline}"
        target_el = _child(unit, "target")
        state = target_el.get("state", "") if target_el is not None else ""
        labels = {k: v for k, v in (("resname", unit.get("resname", "")), ("note", _notes(unit)),
                                    ("state", state)) if v}
        skip = _skip_reason(options, _translate_no(unit), state in NOT_READY_1, state)
        if skip:
            yield Skipped(path, where, skip)
            continue
        source, source_codes = render(_child(unit, "source"))
        if target_el is None:
            if not options.include_untranslated:
                yield Skipped(path, where, "untranslated")
                continue
        translation, target_codes = render(target_el)
        max_length = None
        if unit.get("maxwidth", "").isdigit() and unit.get("size-unit") == "char":
            max_length = int(unit.get("maxwidth"))
        yield Record(id=unit_id, source=source, translation=translation, src_lang=src_lang, tgt_lang=tgt_lang,
                     source_file=path, location=where, labels=labels, source_codes=source_codes,
                     target_codes=target_codes, max_length=max_length, unit_id=unit.get("id") or "",
                     line=unit.sourceline)


def _skip_reason(options: ReadOptions, translate_no: bool, not_ready: bool, state: str) -> str:
    if options.include_unready:
        return ""
    if translate_no:
        return "translate=no"
    if not_ready:
        return f"state={state}"
    return ""


def _units_2(path, file_el, root, options) -> Iterator:
    src_lang, tgt_lang = _languages(options, root.get("srcLang"), root.get("trgLang"))
    for unit in _descendants(file_el, "unit"):
        segments = _children(unit, "segment")
        unit_id = unit.get("id") or f"line{unit.sourceline}"
        notes = _notes(unit)
        for n, segment in enumerate(segments):
            seg_id = unit_id if len(segments) == 1 else f"{unit_id}::{segment.get('id') or n + 1}"
            where = f"unit {unit_id!r} (line {segment.sourceline})"
            state = segment.get("state", "")
            target_el = _child(segment, "target")
            skip = _skip_reason(options, _translate_no(segment), state in NOT_READY_2, state)
            if skip:
                yield Skipped(path, where, skip)
                continue
            if target_el is None and not options.include_untranslated:
                yield Skipped(path, where, "untranslated")
                continue
            source, source_codes = render(_child(segment, "source"))
            translation, target_codes = render(target_el)
            labels = {k: v for k, v in (("note", notes), ("state", state), ("resname", unit.get("name", ""))) if v}
            yield Record(id=seg_id, source=source, translation=translation, src_lang=src_lang, tgt_lang=tgt_lang,
                         source_file=path, location=where, labels=labels, source_codes=source_codes,
                         target_codes=target_codes, unit_id=unit.get("id") or "", line=segment.sourceline)
