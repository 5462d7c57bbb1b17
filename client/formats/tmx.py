"""TMX through translate-toolkit. The source variant is the <tuv> in the source
language (--src-lang, else the <tu> or header srclang); the target is the <tuv> in
--tgt-lang, or the only other one. Ids are `FILE:TUID`, or `FILE:LINE` without a tuid."""

from __future__ import annotations

from typing import Iterator

from lxml import etree

from lacuna.client.formats import InputProblem, ReadOptions, Record, UniqueIds, id_name, normalize_tag
from lacuna.client.formats.inline import render


def _matches(tag: str, wanted: str) -> bool:
    tag, wanted = tag.lower(), wanted.lower()
    return tag == wanted or tag.split("-")[0] == wanted or wanted.split("-")[0] == tag


def _seg(tuv):
    for child in tuv:
        if isinstance(child.tag, str) and etree.QName(child).localname == "seg":
            return child
    return None


def _choose(variants: list[tuple], wanted: str) -> tuple | None:
    exact = [v for v in variants if v[0].lower() == wanted.lower()]
    if exact:
        return exact[0]
    close = [v for v in variants if _matches(v[0], wanted)]
    return close[0] if close else None


def read_tmx(path: str, options: ReadOptions) -> Iterator[Record | InputProblem]:
    from translate.storage import lisa, tmx

    try:
        with open(path, "rb") as f:
            store = tmx.tmxfile.parsestring(f.read())
    except etree.XMLSyntaxError as exc:
        yield InputProblem(path, f"line {exc.lineno}", f"not well-formed XML: {exc.msg}")
        return
    except Exception as exc:
        yield InputProblem(path, "", f"cannot read as TMX: {exc}")
        return
    header_src = store.sourcelanguage
    name = id_name(path, options.base)
    unique = UniqueIds(path)
    for unit in store.units:
        element = unit.xmlelement
        tuid = element.get("tuid")
        line = element.sourceline
        where = f"tu {tuid!r} (line {line})" if tuid else f"tu at line {line}"
        variants = []
        for tuv in unit.getlanguageNodes():
            lang = normalize_tag(lisa.getXMLlang(tuv) or tuv.get("lang"))
            text, codes = render(_seg(tuv))
            variants.append((lang, text, codes))
        src_wanted = normalize_tag(options.src_lang or element.get("srclang") or header_src)
        if not src_wanted or src_wanted == "*all*":
            yield InputProblem(path, where, "no source language: the header has no srclang; give --src-lang")
            continue
        source = _choose(variants, src_wanted)
        if source is None:
            yield InputProblem(path, where, f"no <tuv> in the source language {src_wanted!r} "
                                            f"(has {', '.join(v[0] for v in variants) or 'none'})")
            continue
        others = [v for v in variants if v is not source]
        if options.tgt_lang:
            target = _choose(others, normalize_tag(options.tgt_lang))
            if target is None:
                if not options.include_untranslated:
                    continue
                target = (normalize_tag(options.tgt_lang), "", [])
        elif len(others) == 1:
            target = others[0]
        elif not others:
            continue  # nothing translated in this unit
        else:
            yield InputProblem(path, where, f"several target languages ({', '.join(v[0] for v in others)}); "
                                            "choose one with --tgt-lang")
            continue
        seg_id, warning = unique(f"{name}:{tuid}" if tuid else f"{name}:{line}", where)
        if warning is not None:
            yield warning
        notes = " | ".join(n.text.strip() for n in element if isinstance(n.tag, str)
                           and etree.QName(n).localname == "note" and n.text and n.text.strip())
        yield Record(
            id=seg_id, source=source[1], translation=target[1], src_lang=source[0], tgt_lang=target[0],
            source_file=path, location=where, source_codes=source[2], target_codes=target[2],
            labels={"note": notes} if notes else {},
            unit_id=tuid or "", line=line,
        )
