"""Placeholders of the syntaxes software localization uses, found in a text with their spans.

| style            | examples                                   | key compared across the two sides     |
|------------------|--------------------------------------------|---------------------------------------|
| `printf`         | `%s` `%d` `%1$s` `%@` `%.2f` `%(name)s`    | the text as written                   |
| `double_brace`   | `{{ limit }}` `{{name}}`                   | the text without inner spaces         |
| `icu`            | `{name}` `{0}` `{0:N2}` `{count, number}`  | the text without spaces               |
| `percent_brace`  | `%{count}` `%<name>s`                      | the text as written                   |
| `percent_name`   | `%count%` `%name%` (Symfony), `%name` `%fieldName` (Magento, 3+ letters) | the text as written |
| `percent_number` | `%1` `%2` (Qt, Magento)                    | the text as written                   |
| `dollar`         | `${name}` `$name`                          | the text as written                   |
| `html`           | `<b>` `</a>` `<br/>`                        | tag name and open/close/standalone    |
| `entity`         | `&amp;` `&nbsp;` `&#160;`                  | the text as written                   |

ICU `plural`/`select` arguments are structure, not one placeholder: see `icu_message`.
A job may name the styles to look for and add its own regular expressions (style `custom`).
A unit may narrow them (`PlaceholderSyntax.for_format`, chosen by `segment_markup.syntax_of`):
its file's format flag (`python-format` -> printf only), a source that is a strftime date
format (style `strftime`: `%b %d, %Y`), or a source using printf (Magento's `%name` is then
not read, so `%snon` is `%s` and a word). `%name%` never ends on a `%` that starts another
conversion (`%s-%s`, `%d.%m.%Y` are printf).

`name` is what ties a changed placeholder to its original (`%1$s` -> `%1$d` keep name `1`;
`{count}` -> `{count, number}` keep `count`): a missing and an extra placeholder with the
same style and name are one *changed* placeholder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from lacuna.server.checks.date_format import DIRECTIVE

STYLES = ("printf", "double_brace", "icu", "percent_brace", "percent_name", "percent_number", "dollar",
          "html", "entity")

#: One pattern per style; alternatives are tried in this order at each position, so the
#: longer forms win (`{{ x }}` before `{x}`, `%count%` before `%c`, `%1$s` before `%1`).
_PATTERNS: dict[str, str] = {
    "strftime": DIRECTIVE,  # only for a unit whose source is a date format (`date_format`)
    "double_brace": r"\{\{-?\s*[^{}\s][^{}]{0,80}?\s*-?\}\}",
    # `%name%`: an ASCII name ending on a letter, digit or `_`, the closing `%` not starting
    # another conversion, so `%s-%s`, `%d.%m.%Y` and `%Y年%m月` stay printf/strftime
    "percent_name": r"%[A-Za-z_][A-Za-z0-9_.-]{0,39}[A-Za-z0-9_]%(?![A-Za-z0-9_(%{<])",
    # `%name` (Magento), 3+ characters, maybe right before another (`%currency%amount`);
    # not where the source shows the `%` is printf's
    "percent_word": r"%[A-Za-z_][A-Za-z0-9_]{2,40}(?![A-Za-z0-9_]|%(?![A-Za-z_]))",
    "percent_brace": r"%\{[A-Za-z_][\w.]{0,40}\}|%<[A-Za-z_]\w{0,40}>[-+ #0]?\d*(?:\.\d+)?[sdifxXeEgGb]",
    "printf": r"%(?:\([A-Za-z_][\w.-]{0,40}\)|\d+\$)?[-+#0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?"
              r"(?:hh|h|ll|l|L|q|j|z|t|I64|I32)?[diouxXeEfFgGaAcspn@]",
    "percent_number": r"%\d+(?![\d$])",
    "icu": r"\{\s*(?:\d+|[A-Za-z_][\w.-]{0,40})\s*(?:[,:][^{}]{0,60})?\}",
    "dollar": r"\$\{[A-Za-z_][\w.]{0,40}\}|\$[A-Za-z_]\w{0,40}",
    "html": r"</?[A-Za-z][\w:.-]{0,30}(?:\s+[^<>]{0,300}?)?/?>|<!--.{0,300}?-->",
    "entity": r"&(?:[A-Za-z][A-Za-z0-9]{1,10}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});",
}
_ORDER = ("double_brace", "percent_name", "percent_word", "percent_brace", "printf", "percent_number", "icu", "dollar",
          "html", "entity")
_TAG = re.compile(r"<(/?)([A-Za-z][\w:.-]*)[^<>]*?(/?)>")
#: The style a pattern group's placeholders have, where the two differ.
_STYLE_OF = {"percent_word": "percent_name"}

#: gettext's format flags (`#, python-format`) and the styles their messages use.
FORMAT_STYLES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("c-format", "objc-format", "python-format", "php-format", "perl-format", "tcl-format",
                     "awk-format", "lua-format", "gcc-internal-format", "gfc-internal-format", "object-pascal-format",
                     "sh-printf-format", "java-printf-format", "javascript-format", "d-format", "go-format"),
                    ("printf",)),
    "ruby-format": ("printf", "percent_brace"),
    **dict.fromkeys(("python-brace-format", "csharp-format", "java-format", "perl-brace-format", "rust-format",
                     "cplusplus-format"), ("icu",)),
    **dict.fromkeys(("qt-format", "kde-format", "ycp-format", "smalltalk-format"), ("percent_number",)),
    "qt-plural-format": ("printf", "percent_number"),
    "boost-format": ("printf", "percent_number"),
    "sh-format": ("dollar",),
}


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
    """The styles one job (or one unit, see `for_format`) looks for, compiled once.

    `named`: the job chose its styles (`placeholder_styles`); a unit's format flag does not
    override that choice."""

    def __init__(self, styles: Sequence[str] = (), patterns: Sequence[str] = (), *,
                 _groups: Sequence[str] | None = None):
        unknown = [s for s in styles if s not in STYLES]
        if unknown:
            raise ValueError(f"unknown placeholder style {unknown[0]!r} (known: {', '.join(STYLES)})")
        for p in patterns:
            re.compile(p)  # raises re.error naming the problem
        self.named, self.patterns = bool(styles), tuple(patterns)
        if _groups is None:
            _groups = [g for g in _ORDER if not styles or _STYLE_OF.get(g, g) in styles]
        self.groups = tuple(_groups)
        parts = [f"(?P<custom{i}>{p})" for i, p in enumerate(patterns)]  # a job's own come first
        parts += [f"(?P<{g}>{_PATTERNS[g]})" for g in self.groups]
        self.regex = re.compile("|".join(parts), re.DOTALL) if parts else None

    def _variant(self, groups: Sequence[str]) -> "PlaceholderSyntax":
        """This syntax looking for `groups` (and the job's own patterns) instead."""
        groups = tuple(groups)
        return self if groups == self.groups else _variant(groups, self.patterns, self.named)

    def for_format(self, flags: str) -> "PlaceholderSyntax":
        """The syntax for a unit whose file names its format (gettext's `python-format`,
        `c-format`, ...; several comma-separated): the styles of those formats, plus markup
        (`html`, `entity`) and the job's own patterns. This syntax itself when the job chose
        its styles or no flag is known."""
        known = [FORMAT_STYLES[f] for f in re.split(r"[,\s]+", flags.strip().lower()) if f in FORMAT_STYLES]
        if self.named or not known:
            return self
        wanted = {s for styles in known for s in styles} | {"html", "entity"}
        return self._variant(g for g in _ORDER if _STYLE_OF.get(g, g) in wanted)

    def for_dates(self) -> "PlaceholderSyntax":
        """The syntax for a strftime date format (`%b %d, %Y`): its directives, and markup.
        This syntax itself when it reads no `%` placeholders that directives could be taken for."""
        if not {"printf", "percent_name", "percent_word"} & set(self.groups):
            return self
        return self._variant(("strftime",) + tuple(g for g in self.groups if g in ("html", "entity")))

    def without_percent_words(self) -> "PlaceholderSyntax":
        """This syntax without Magento's `%name`: for a unit whose source uses printf
        (`%snon` is then `%s` and the word `non`)."""
        return self._variant(g for g in self.groups if g != "percent_word")

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
            style = "custom" if style.startswith("custom") else _STYLE_OF.get(style, style)
            if style == "percent_number" and _looks_like_percentage(text, m.start()):
                continue
            if style == "html" and not looks_like_markup(m.group(0)):
                continue
            found.append(_placeholder(m.start(), m.end(), m.group(0), style))
        return found


def _looks_like_percentage(text: str, start: int) -> bool:
    """`%20` in URLs (`a%20b`, `?q=%20`) is an escape, not a placeholder; after a letter of a
    script without spaces (`アイテム%2の`) it is one."""
    before = text[start - 1] if start > 0 else ""
    return bool(before) and ((before.isascii() and before.isalnum()) or before in "/=?&")


def looks_like_markup(tag: str) -> bool:
    """A tag of HTML/XML markup, not prose in angle brackets (`<pattern>`, `<User Home>`):
    a known HTML element, a name with digits (`<g0>`, `<x1/>`, CAT tools' tags), a namespaced
    name, attributes (`name="..."`), or a self-closing or closing form of a one-word name."""
    m = _TAG.match(tag)
    if m is None:
        return tag.startswith("<!--")
    closing, name, selfclosing = m.groups()
    rest = tag[len(closing) + len(name) + 1:-1]
    if rest.strip(" /") and not re.search(r"[\w:-]+\s*=", rest):
        return False  # words after the name, no attributes: prose
    if name.lower() in _HTML or any(c.isdigit() for c in name) or ":" in name or rest.strip(" /"):
        return True
    return bool((closing or selfclosing) and not rest.strip(" /"))


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
    if style == "percent_name":
        return Placeholder(start, end, text, style, text, text.strip("%"))
    if style == "printf":
        m = re.match(r"%(?:\(([^)]*)\)|(\d+)\$)?", text)
        name = (m.group(1) or m.group(2) or "") if m else ""
        return Placeholder(start, end, text, style, text, name)
    return Placeholder(start, end, text, style, text, text)


#: HTML elements (and common XML ones) recognised as markup without attributes.
_HTML = frozenset("""a abbr address article aside audio b bdi bdo big blockquote body br button caption center
cite code col colgroup dd del details dfn div dl dt em embed fieldset figcaption figure font footer form h1 h2
h3 h4 h5 h6 head header hr html i iframe img input ins kbd label legend li link main mark meta nav noscript
object ol optgroup option p param pre q rp rt ruby s samp script section select small source span strike
strong style sub summary sup table tbody td template textarea tfoot th thead time title tr track tt u ul var
video wbr g x ph bx ex bpt ept it ut mrk pc sc ec sm em hi sub""".split())

#: HTML elements that never have a closing tag.
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "area", "base", "col", "embed",
                   "source", "track", "param"})

@lru_cache(maxsize=64)
def _variant(groups: tuple[str, ...], patterns: tuple[str, ...], named: bool) -> PlaceholderSyntax:
    syntax = PlaceholderSyntax((), patterns, _groups=groups)
    syntax.named = named
    return syntax


DEFAULT = PlaceholderSyntax()
