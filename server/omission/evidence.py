"""Cheap lexical evidence: sentence-final punctuation, and numbers two sentences share.

A source that ends a sentence where the translation stops short is a small omission an
encoder cannot see (HalOmi counts a dropped full stop as a small omission). Missing numbers
were tried too and did not help on HalOmi (the `number_mismatch` check reports them).
"""

from __future__ import annotations

import re

_TERMINAL = re.compile(r"[.!?。！？؟।॥…]['\"”’»)\]」』）]*\s*$")


def ends_sentence(text: str) -> bool:
    return bool(_TERMINAL.search(text))


def lost_final_punctuation(source: str, translation: str) -> bool:
    """The source ends with sentence-final punctuation, the translation does not."""
    return ends_sentence(source) and not ends_sentence(translation)


_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def numbers(text: str) -> frozenset[str]:
    """Digit sequences of two or more digits (any script's digits, read as ASCII; thousands
    separators dropped): "1987年" and "1987" share one, "3月" and "March" none."""
    out = set()
    for match in _DIGITS.finditer(text):
        digits = "".join(str(int(ch)) for ch in match.group() if ch.isdigit())
        if len(digits) >= 2:
            out.add(digits)
    return frozenset(out)
