"""Symfony / Laravel pipe plurals: `one apple|%count% apples` and interval forms
`{0} No apples|{1} One apple|]1,Inf[ %count% apples`, parsed into forms with their spans.

A text is a pipe plural only when it splits on `|` into at least two parts that each hold
letters or a placeholder and its pipes are not spaced on both sides (`Home | About` is not a
plural), or when a part starts with an interval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INTERVAL = re.compile(r"\s*(\{\s*-?\d+(?:\s*,\s*-?\d+)*\s*\}|[\[\]]\s*(?:-Inf|-?\d+)\s*,\s*(?:\+?Inf|-?\d+)\s*[\[\]])\s*")
_PIPE = re.compile(r"(?<!\|)\|(?!\|)")


@dataclass(frozen=True)
class Form:
    start: int  # the form's text, after any interval
    end: int
    interval: str | None  # "{0}", "]1,Inf[" or None


def split(text: str) -> list[Form]:
    """The forms of a pipe message, whatever it looks like (one form when there is no pipe)."""
    forms, start = [], 0
    for m in list(_PIPE.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        interval = INTERVAL.match(text, start, end)
        body = interval.end() if interval else start
        forms.append(Form(body, end, re.sub(r"\s+", "", interval.group(1)) if interval else None))
        if m:
            start = m.end()
    return forms


def parse(text: str) -> list[Form]:
    """The forms of `text` if it is a pipe plural, else []."""
    if "|" not in text:
        return []
    forms = split(text)
    if len(forms) < 2:
        return []
    if any(f.interval for f in forms):
        return forms
    if not all(re.search(r"[^\W\d_]|%|\{", text[f.start:f.end]) for f in forms):
        return []
    for m in _PIPE.finditer(text):
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if before.isspace() and after.isspace():
            return []
    return forms
