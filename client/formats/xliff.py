"""XLIFF 1.2 and 2.x through translate-toolkit.

Ids are `FILE:UNIT-ID` (XLIFF 2.x units with several segments: `FILE:UNIT::SEGMENT`,
translate-toolkit's form); when a document holds several <file> elements the
<file> original/id is put in front (`FILE:ORIGINAL/UNIT-ID`), since unit ids are
unique only within one. Units marked translate="no" and units without a <target>
are skipped (the latter scored as empty with --include-untranslated).
"""

from __future__ import annotations

from typing import Iterator

from lxml import etree

from lacuna.client.formats import InputProblem, ReadOptions, Record, pick_language


def _load(path: str):
    from translate.storage import xliff, xliff2

    with open(path, "rb") as f:
        data = f.read()
    try:
        return xliff.xlifffile.parsestring(data), 1
    except ValueError as exc:
        if "XLIFF 2" not in str(exc):
            raise
    return xliff2.Xliff2File.parsestring(data), 2


def _file_element(element):
    node = element
    while node is not None and etree.QName(node).localname != "file":
        node = node.getparent()
    return node


def read_xliff(path: str, options: ReadOptions) -> Iterator[Record | InputProblem]:
    try:
        store, version = _load(path)
    except etree.XMLSyntaxError as exc:
        yield InputProblem(path, f"line {exc.lineno}", f"not well-formed XML: {exc.msg}")
        return
    except Exception as exc:  # translate-toolkit raises plain ValueError/AssertionError on odd documents
        yield InputProblem(path, "", f"cannot read as XLIFF: {exc}")
        return
    root = store.document.getroot()
    file_elements = [el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == "file"]
    several = len(file_elements) > 1
    root_src, root_tgt = root.get("srcLang"), root.get("trgLang")
    for unit in store.units:
        element = unit.xmlelement
        if version == 1 and (unit.isheader() or not unit.istranslatable()):
            continue
        file_el = _file_element(element)
        if version == 1:
            unit_id = element.get("id") or ""
            file_name = file_el.get("original", "") if file_el is not None else ""
            file_src = file_el.get("source-language") if file_el is not None else None
            file_tgt = file_el.get("target-language") if file_el is not None else None
        else:
            unit_id = unit.getid() or ""
            file_name = file_el.get("id", "") if file_el is not None else ""
            file_src, file_tgt = root_src, root_tgt
        where = f"unit {unit_id!r} (line {element.sourceline})" if unit_id else f"line {element.sourceline}"
        own_id = unit_id
        if not unit_id:
            unit_id = f"line{element.sourceline}"
        seg_id = f"{path}:{file_name}/{unit_id}" if several else f"{path}:{unit_id}"
        target = unit.target
        if target is None:
            if not options.include_untranslated:
                continue
            target = ""
        yield Record(
            id=seg_id, source=str(unit.source or ""), translation=str(target),
            src_lang=pick_language(None, options.src_lang, file_src),
            tgt_lang=pick_language(None, options.tgt_lang, file_tgt),
            source_file=path, location=where, unit_id=own_id, line=element.sourceline,
        )
