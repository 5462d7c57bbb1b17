"""ICU MessageFormat `plural`, `selectordinal` and `select` arguments, parsed with their spans.

    {count, plural, offset:1 =0 {No files} one {# file} other {# files}}

becomes a `Choice` named `count` of type `plural` with three `Branch`es, each with the span of
its message (between its braces). Branches nest (a `select` inside a `plural` branch). Text
that is not a well-formed choice argument is left alone: `parse` returns no choices.
Apostrophe quoting (`'{'`) is honoured: a quoted brace is text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CHOICE_TYPES = ("plural", "selectordinal", "select")
_HEAD = re.compile(r"\{\s*([A-Za-z_][\w.-]*|\d+)\s*,\s*(plural|selectordinal|select)\s*,")
_KEY = re.compile(r"\s*(offset:\s*\d+\s*)?(=\d+(?:\.\d+)?|[A-Za-z_][\w-]*)\s*\{")


@dataclass
class Branch:
    key: str
    start: int  # first character of the branch message (after its `{`)
    end: int  # its closing `}`
    choices: list["Choice"] = field(default_factory=list)


@dataclass
class Choice:
    name: str
    type: str
    start: int  # the opening `{`
    end: int  # one past the closing `}`
    branches: list[Branch] = field(default_factory=list)

    def branch(self, key: str) -> Branch | None:
        return next((b for b in self.branches if b.key == key), None)


def _skip_quoted(text: str, i: int) -> int:
    """Past an ICU quoted run starting at the apostrophe `i` (`''` is one apostrophe)."""
    if i + 1 < len(text) and text[i + 1] == "'":
        return i + 2
    if i + 1 < len(text) and text[i + 1] in "{}#|":
        close = text.find("'", i + 1)
        return len(text) if close < 0 else close + 1
    return i + 1


def _message_end(text: str, i: int) -> int:
    """The index of the `}` closing a message that starts at `i`; -1 when unbalanced."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c == "'":
            i = _skip_quoted(text, i)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def _choice_at(text: str, start: int) -> Choice | None:
    head = _HEAD.match(text, start)
    if head is None:
        return None
    choice = Choice(name=head.group(1), type=head.group(2), start=start, end=start)
    i = head.end()
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i < len(text) and text[i] == "}":
            choice.end = i + 1
            return choice if choice.branches else None
        key = _KEY.match(text, i)
        if key is None:
            return None
        body = key.end()
        close = _message_end(text, body)
        if close < 0:
            return None
        choice.branches.append(Branch(key=key.group(2), start=body, end=close,
                                      choices=choices_in(text, body, close)))
        i = close + 1


def choices_in(text: str, start: int = 0, end: int | None = None) -> list[Choice]:
    """The outermost choice arguments of `text[start:end]`, in order."""
    end = len(text) if end is None else end
    found: list[Choice] = []
    i = start
    while i < end:
        c = text[i]
        if c == "'":
            i = _skip_quoted(text, i)
            continue
        if c == "{":
            choice = _choice_at(text, i)
            if choice is not None and choice.end <= end:
                found.append(choice)
                i = choice.end
                continue
        i += 1
    return found


def parse(text: str) -> list[Choice]:
    """The choice arguments of an ICU message (empty when it has none or is not well-formed)."""
    if "{" not in text or not _HEAD.search(text):
        return []
    return choices_in(text)


def shows_plainly(text: str, name: str) -> bool:
    """True when `text` shows the argument `name` as a plain value (`{count}`, `{count, number}`),
    as a translation does that collapses a plural to the one form its language has."""
    return re.search(r"\{\s*" + re.escape(name) + r"\s*(?:,\s*number\b[^{}]*)?\}", text) is not None
