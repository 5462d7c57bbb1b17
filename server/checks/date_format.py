"""strftime date formats (`%b %d, %Y`, `%H:%M`): telling one from a printf message, and the
parts of a date (year, month, day, ...) its directives show.

A date format is localized by rewriting it: German writes `%b %d, %Y` as `%d.%m.%Y`, Japanese
as `%Y年%m月%d日`. Directives may be reordered, swapped (`%b` -> `%m`) or added; what matters
is that the date still shows what the source's shows. Python's `%` messages and C's share
letters with strftime (`%d`, `%a`, `%x`), so a message is read as a date format only when it
is made of directives and separators alone, one of them a directive printf does not have
(`%Y`, `%m`, `%b`, `%H`, ...), and no `%s`: `%s %s`, `%d/%d` and `%s: %m` stay printf.
"""

from __future__ import annotations

import re

#: One strftime directive (C, POSIX, GNU flags, Python's `%f` and `%:z`).
DIRECTIVE = r"%[-_0^#]?(?:[EO](?=[cCxXyYdeHImMSuUVwW]))?[aAbBcCdDeFfgGhHIjklmMpPrRsSTuUVwWxXyYzZ]|%:z"
_DIRECTIVE = re.compile(DIRECTIVE)
#: `%` followed by anything: each must be a directive or `%%` in a date format.
_PERCENT = re.compile(r"%%|" + DIRECTIVE + r"|%")
#: Conversion letters printf has; a date format has a directive outside them.
_PRINTF_LETTERS = frozenset("diouxXeEfFgGaAcspn")

#: The parts of a date each directive shows (composites show several; `%s`, the epoch, all).
_ALL = ("year", "month", "day", "weekday", "hour", "minute", "second")
_PARTS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys("YyGgC", ("year",)), **dict.fromkeys("bBhm", ("month",)), **dict.fromkeys("dej", ("day",)),
    **dict.fromkeys("aAuw", ("weekday",)), **dict.fromkeys("HIkl", ("hour",)), "M": ("minute",), "S": ("second",),
    **dict.fromkeys("xDF", ("year", "month", "day")), **dict.fromkeys("XT", ("hour", "minute", "second")),
    "r": ("hour", "minute", "second"), "R": ("hour", "minute"), "c": _ALL, "s": _ALL,
}


def letter(directive: str) -> str:
    """The conversion letter of a directive (`%-d` -> `d`, `%Ey` -> `y`)."""
    return directive[-1]


def is_date_format(text: str) -> bool:
    """Only strftime directives and separators, one directive printf does not have."""
    directives = []
    for m in _PERCENT.finditer(text):
        if m.group(0) == "%":
            return False  # a `%` no directive starts
        if m.group(0) != "%%":
            directives.append(m.group(0))
    rest = _PERCENT.sub("", text)
    return (any(letter(d) not in _PRINTF_LETTERS for d in directives)
            and not any(letter(d) == "s" for d in directives)  # `%s: %m` is C's error message
            and not any(ch.isalpha() for ch in rest))


def parts(directive: str) -> tuple[str, ...]:
    """The parts of a date a directive shows: ("year",), ("hour", "minute"), ... or ()."""
    return _PARTS.get(letter(directive), ())
