"""XLIFF 1.2 and 2.x, read with lxml, inline codes kept (`inline`).

Ids are `NAME:UNIT-ID` (XLIFF 2.x units with several segments: `NAME:UNIT::SEGMENT`); when a
document holds several <file> elements the <file> original/id is put in front
(`NAME:ORIGINAL/UNIT-ID`), since unit ids are unique only within one. A repeated id is read as
`ID#2` with a warning.

Not scored (a `Skipped`, counted in the summary; `--include-unready` scores them): units with
translate="no", targets whose state says they are not ready (1.2: new, needs-translation,
needs-l10n, needs-adaptation, needs-review-*; 2.x: initial). Units without a <target> are
skipped as untranslated (scored as empty with --include-untranslated).

Labels: `resname`, `note` (the unit's notes), `state`.

Length limits (checked by the server's `length_limit`):

* XLIFF 1.2: `maxwidth` with size-unit="char" is the segment's length limit in characters;
  `maxbytes`, or `maxwidth` with size-unit="byte", its storage limit in bytes (UTF-8).
* XLIFF 2: the Size and Length Restriction module (`urn:oasis:names:tc:xliff:sizerestriction:2.0`).
  A unit's `slr:sizeRestriction` is its length limit in code points (the general profile
  `xliff:codepoints`, also when the file's `<slr:profiles>` names none), its
  `slr:storageRestriction` its storage limit in bytes of the storage profile's encoding
  (`xliff:utf8`, the default, `xliff:utf16`, `xliff:utf32`). A limit on a unit of several
  segments is on their translations together: each segment gets what the others leave. Limits
  on <file>, <group> and inline elements, and other general profiles, are not read (a warning
  says so once per file).
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
SLR = "urn:oasis:names:tc:xliff:sizerestriction:2.0"
#: XLIFF 2 storage profiles -> `Segment.storage_encoding`.
STORAGE_PROFILES = {"xliff:utf8": "utf-8", "xliff:utf16": "utf-16", "xliff:utf32": "utf-32"}


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
        max_length = max_bytes = None
        width, unit_of_size = unit.get("maxwidth", ""), unit.get("size-unit", "")
        if width.isdigit() and unit_of_size == "char":
            max_length = int(width)
        elif width.isdigit() and unit_of_size == "byte":
            max_bytes = int(width)
        if unit.get("maxbytes", "").isdigit():
            max_bytes = int(unit.get("maxbytes"))
        yield Record(id=unit_id, source=source, translation=translation, src_lang=src_lang, tgt_lang=tgt_lang,
                     source_file=path, location=where, labels=labels, source_codes=source_codes,
                     target_codes=target_codes, max_length=max_length, max_bytes=max_bytes,
                     storage_encoding="utf-8" if max_bytes else "", unit_id=unit.get("id") or "",
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
    limits = _SizeLimits(path, file_el)
    yield from limits.warnings
    for unit in _descendants(file_el, "unit"):
        segments = _children(unit, "segment")
        unit_id = unit.get("id") or f"line{unit.sourceline}"
        notes = _notes(unit)
        targets = [render(_child(segment, "target")) for segment in segments]
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
            translation, target_codes = targets[n]
            labels = {k: v for k, v in (("note", notes), ("state", state), ("resname", unit.get("name", ""))) if v}
            max_length, max_bytes = limits.of_segment(unit, targets, n)
            yield Record(id=seg_id, source=source, translation=translation, src_lang=src_lang, tgt_lang=tgt_lang,
                         source_file=path, location=where, labels=labels, source_codes=source_codes,
                         target_codes=target_codes, max_length=max_length, max_bytes=max_bytes,
                         storage_encoding=limits.encoding if max_bytes else "", unit_id=unit.get("id") or "",
                         line=segment.sourceline)


def _shown(text: str, codes: list[dict]) -> str:
    """A rendered text without its inline codes (what a length limit counts)."""
    out, pos = [], 0
    for code in sorted(codes, key=lambda c: c["start"]):
        if code["start"] >= pos:
            out.append(text[pos:code["start"]])
            pos = code["end"]
    out.append(text[pos:])
    return "".join(out)


class _SizeLimits:
    """XLIFF 2 Size and Length Restriction on the units of one <file> (see the module docstring)."""

    def __init__(self, path: str, file_el):
        profiles = next((d for d in file_el.iter() if _slr(d) == "profiles"), None)
        general = (profiles.get("generalProfile") if profiles is not None else "") or "xliff:codepoints"
        storage = (profiles.get("storageProfile") if profiles is not None else "") or "xliff:utf8"
        self.sizes = general == "xliff:codepoints"
        self.encoding = STORAGE_PROFILES.get(storage, "")
        self.warnings: list[InputWarning] = []
        if not self.sizes:
            self.warnings.append(InputWarning(path, "", f"size restriction profile {general!r} is not read "
                                                        "(only xliff:codepoints): slr:sizeRestriction not checked"))
        if not self.encoding:
            self.warnings.append(InputWarning(path, "", f"storage profile {storage!r} is not read (xliff:utf8, "
                                                        "xliff:utf16, xliff:utf32): slr:storageRestriction not checked"))
        elsewhere = [el for el in file_el.iter() if isinstance(el.tag, str) and _local(el) != "unit"
                     and any(_restriction(el, n) is not None for n in ("sizeRestriction", "storageRestriction"))]
        if elsewhere:
            self.warnings.append(InputWarning(path, f"line {elsewhere[0].sourceline}", "size or storage restrictions "
                                              "on <file>, <group> or inline elements are not checked (units' are)"))

    def of_segment(self, unit, targets: list[tuple[str, list[dict]]], n: int) -> tuple[int | None, int | None]:
        """(max_length, max_bytes) of the unit's `n`th segment: the unit's limits less what its
        other segments' translations take."""
        shown = [_shown(text, codes) for text, codes in targets]
        others = shown[:n] + shown[n + 1:]
        size = _restriction(unit, "sizeRestriction") if self.sizes else None
        storage = _restriction(unit, "storageRestriction") if self.encoding else None
        codec = {"utf-8": "utf-8", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}.get(self.encoding, "utf-8")
        # At least 1: 0 would mean "no limit" on the wire; the other segments are flagged then anyway.
        max_length = max(size - sum(map(len, others)), 1) if size is not None else None
        max_bytes = max(storage - sum(len(t.encode(codec)) for t in others), 1) if storage is not None else None
        return max_length, max_bytes


def _slr(el) -> str:
    """The local name of an element of the size restriction module; "" for any other."""
    return etree.QName(el).localname if isinstance(el.tag, str) and etree.QName(el).namespace == SLR else ""


def _restriction(el, name: str) -> int | None:
    value = (el.get(f"{{{SLR}}}{name}") or "").strip()
    return int(value) if value.isdigit() else None
