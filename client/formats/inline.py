"""Inline codes of XLIFF and TMX segments, kept in the text with their spans.

A `<source>`, `<target>` or `<seg>` element becomes the text a person reads, with each inline
code written as its markup (`<x id="1"/>`, `<g id="2">` ... `</g>`, `<bpt i="1">&lt;b&gt;</bpt>`),
and a list of codes (`lacuna.v1.InlineCode` as dicts): where each one is in that text, its id,
whether it opens, closes or stands alone, and the key its two halves share.

| format   | standalone          | open / close                                     |
|----------|---------------------|--------------------------------------------------|
| XLIFF 1.2| x, ph, it           | g (content), bx/ex, bpt/ept, mrk (content)       |
| XLIFF 2.x| ph                  | pc (content), sc/ec, mrk and sm/em (annotations) |
| TMX      | ph, it, ut          | bpt/ept, hi (content)                            |
"""

from __future__ import annotations

import re

from lxml import etree

#: Elements whose content is translatable text between an opening and a closing code.
WRAPPING = frozenset({"g", "pc", "mrk", "hi"})
#: Elements written whole as one code, and how they pair.
OPENING = frozenset({"bx", "bpt", "sc", "sm"})
CLOSING = frozenset({"ex", "ept", "ec", "em"})
STANDALONE = frozenset({"x", "ph", "it", "ut"})
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _markup(el) -> str:
    """An element written as XML, without its tail or namespace declarations."""
    return _XMLNS.sub("", etree.tostring(el, encoding="unicode", with_tail=False))


def _start_tag(el) -> str:
    attrs = "".join(f' {etree.QName(k).localname}="{_escape(v)}"' for k, v in el.attrib.items())
    return f"<{_local(el)}{attrs}>"


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _pair_id(el, name: str) -> str:
    for attr in ("rid", "startRef", "i", "id", "x"):
        value = el.get(attr)
        if value:
            return value
    return ""


class _Renderer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.codes: list[dict] = []
        self.length = 0
        self.anonymous = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def code(self, markup: str, kind: str, code_id: str, element: str, pair: str) -> None:
        start = self.length
        self.add(markup)
        self.codes.append({"id": code_id, "kind": kind, "start": start, "end": self.length,
                           "element": element, "pair": pair})

    def element(self, el) -> None:
        name = _local(el)
        if name == "mrk" and el.get("mtype") == "seg":  # a segment boundary (SDLXLIFF), not a code
            self.children(el)
        elif name in WRAPPING:
            code_id = el.get("id") or el.get("x") or el.get("mid") or ""
            if not code_id:
                self.anonymous += 1
                code_id = f"{name}{self.anonymous}"
            pair = f"{name}:{code_id}"
            self.code(_start_tag(el), "open", code_id, name, pair)
            self.children(el)
            self.code(f"</{name}>", "close", code_id, name, pair)
        elif name in OPENING or name in CLOSING:
            code_id = _pair_id(el, name)
            self.code(_markup(el), "open" if name in OPENING else "close", code_id, name, f"pair:{code_id}")
        elif name == "cp":  # XLIFF 2 code point
            try:
                self.add(chr(int(el.get("hex", ""), 16)))
            except ValueError:
                pass
        elif name in STANDALONE or name:
            code_id = el.get("id") or el.get("x") or el.get("i") or ""
            self.code(_markup(el), "standalone", code_id, name, "")
        if el.tail:
            self.add(el.tail)

    def children(self, el) -> None:
        if el.text:
            self.add(el.text)
        for child in el:
            if isinstance(child.tag, str):
                self.element(child)
            elif child.tail:  # comments and processing instructions: keep the text after them
                self.add(child.tail)


def render(el) -> tuple[str, list[dict]]:
    """(text, codes) of a source/target/seg element; ("", []) for None."""
    if el is None:
        return "", []
    r = _Renderer()
    r.children(el)
    return "".join(r.parts), r.codes
