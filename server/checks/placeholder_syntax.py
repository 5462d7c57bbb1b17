"""Placeholders of the syntaxes software localization uses, found in a text with their spans.

| style            | examples                                   | key compared across the two sides     |
|------------------|--------------------------------------------|---------------------------------------|
| `printf`         | `%s` `%d` `%1$s` `%@` `%.2f` `%(name)s`    | the text as written                   |
| `double_brace`   | `{{ limit }}` `{{name}}`                   | the text without inner spaces         |
| `icu`            | `{name}` `{0}` `{0:N2}` `{count, number}`  | the text without spaces               |
| `percent_brace`  | `%{count}` `%<name>s`                      | the text as written                   |
| `percent_name`   | `%count%` `%name%` (Symfony parameters)    | the text as written                   |
| `percent_number` | `%1` `%2` (Qt, Magento)                    | the text as written                   |
| `dollar`         | `${name}` `$name`                          | the text as written                   |
| `html`           | `<b>` `</a>` `<br/>`                        | tag name and open/close/standalone    |
| `entity`         | `&amp;` `&nbsp;` `&#160;`                  | the text as written                   |

ICU `plural`/`select` arguments are structure, not one placeholder: see `icu_message`.
A job may name the styles to look for and add its own regular expressions (style `custom`).

`name` is what ties a changed placeholder to its original (`%1$s` -> `%1$d` keep name `1`;
`{count}` -> `{count, number}` keep `count`): a missing and an extra placeholder with the
same style and name are one *changed* placeholder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

STYLES = ("printf", "double_brace", "icu", "percent_brace", "percent_name", "percent_number", "dollar",
          "html", "entity")

#: One pattern per style; alternatives are tried in this order at each position, so the
#: longer forms win (`{{ x }}` before `{x}`, `%count%` before `%c`, `%1$s` before `%1`).
_PATTERNS: dict[str, str] = {
    "double_brace": r"\{\{-?\s*[^{}\s][^{}]{0,80}?\s*-?\}\}",
    "percent_name": r"%[A-Za-z_][\w.-]{0,40}%",
    "percent_brace": r"%\{[A-Za-z_][\w.]{0,40}\}|%<[A-Za-z_]\w{0,40}>[-+ #0]?\d*(?:\.\d+)?[sdifxXeEgGb]",
    "printf": r"%(?:\([A-Za-z_][\w.-]{0,40}\)|\d+\$)?[-+#0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?"
              r"(?:hh|h|ll|l|L|q|j|z|t|I64|I32)?[diouxXeEfFgGaAcspn@]",
    "percent_number": r"%\d+(?![\d$])",
    "icu": r"\{\s*(?:\d+|[A-Za-z_][\w.-]{0,40})\s*(?:[,:][^{}]{0,60})?\}",
    "dollar": r"\$\{[A-Za-z_][\w.]{0,40}\}|\$[A-Za-z_]\w{0,40}",
    "html": r"</?[A-Za-z][\w:.-]{0,30}(?:\s+[^<>]{0,300})?/?>|<!--.{0,300}?-->",
    "entity": r"&(?:[A-Za-z][A-Za-z0-9]{1,10}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});",
}
_ORDER = ("double_brace", "percent_name", "percent_brace", "printf", "percent_number", "icu", "dollar",
          "html", "entity")
_TAG = re.compile(r"<(/?)([A-Za-z][\w:.-]*)[^<>]*?(/?)>")


@dataclass(frozen=True)
class Placeholder:
    """A placeholder or inline tag found in a text: `text[start:end]`."""

    start: int
    end: int
    text: str
    style: str
    key: str  # compared across the two sides
    name: str  # ties a changed placeholder to its original
    kind: str = "placeholder"  # or, for tags: "open", "close", "standalone"
    pair: str = ""  # tags: the open and close halves of one pair share it


class PlaceholderSyntax:
    """The styles one job looks for, compiled once."""

    def __init__(self, styles: Sequence[str] = (), patterns: Sequence[str] = ()):
        unknown = [s for s in styles if s not in STYLES]
        if unknown:
            raise ValueError(f"unknown placeholder style {unknown[0]!r} (known: {', '.join(STYLES)})")
        chosen = [s for s in _ORDER if not styles or s in styles]
        parts = [f"(?P<custom{i}>{p})" for i, p in enumerate(patterns)]  # a job's own come first
        for p in patterns:
            re.compile(p)  # raises re.error naming the problem
        parts += [f"(?P<{s}>{_PATTERNS[s]})" for s in chosen]
        self.regex = re.compile("|".join(parts), re.DOTALL) if parts else None

    def find(self, text: str, skip: Iterable[tuple[int, int]] = ()) -> list[Placeholder]:
        """Placeholders of `text` in order, leaving out those overlapping a `skip` span."""
        if self.regex is None:
            return []
        spans = sorted(skip)
        found = []
        for m in self.regex.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in spans):
                continue
            style = m.lastgroup or "custom"
            if style.startswith("custom"):
                style = "custom"
            if style == "percent_number" and _looks_like_percentage(text, m.start()):
                continue
            found.append(_placeholder(m.start(), m.end(), m.group(0), style))
        return found


def _looks_like_percentage(text: str, start: int) -> bool:
    """`50%1` never occurs, but `100 %20` (URL escapes) and `%20` in URLs do."""
    return start > 0 and (text[start - 1].isalnum() or text[start - 1] in "/=?&")


def _placeholder(start: int, end: int, text: str, style: str) -> Placeholder:
    if style == "html":
        m = _TAG.match(text)
        if m is None:  # a comment
            return Placeholder(start, end, text, style, "<!---->", "comment", "standalone")
        closing, name, selfclosing = m.groups()
        kind = "close" if closing else "standalone" if selfclosing or name.lower() in _VOID else "open"
        name = name.lower()
        key = {"open": f"<{name}>", "close": f"</{name}>", "standalone": f"<{name}/>"}[kind]
        return Placeholder(start, end, text, style, key, name, kind, "" if kind == "standalone" else name)
    compact = re.sub(r"\s+", "", text)
    if style == "double_brace":
        return Placeholder(start, end, text, style, compact, compact.strip("{}-"))
    if style == "icu":
        name = re.split(r"[,:]", compact.strip("{}"))[0]
        return Placeholder(start, end, text, style, compact, name)
    if style == "printf":
        m = re.match(r"%(?:\(([^)]*)\)|(\d+)\$)?", text)
        name = (m.group(1) or m.group(2) or "") if m else ""
        return Placeholder(start, end, text, style, text, name)
    return Placeholder(start, end, text, style, text, text)


#: HTML elements that never have a closing tag.
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "area", "base", "col", "embed",
                   "source", "track", "param"})

DEFAULT = PlaceholderSyntax()
