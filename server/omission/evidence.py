"""Cheap lexical evidence: numbers two sentences share.

A digit sequence found on both sides ("1987年" / "1987") ties a source sentence to a target
sentence whatever the encoder thinks; the aligner's second pass uses it to pair leftovers.
(A lost sentence-final full stop was tried as omission evidence and did not help out of fold
on HalOmi; missing numbers did not either: the `number_mismatch` check reports those.)
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def numbers(text: str) -> frozenset[str]:
    """Digit sequences of two or more digits (any script's digits, read as ASCII; thousands
    separators dropped): "1987年" and "1987" share one, "3月" and "March" none."""
    out = set()
    for match in _DIGITS.finditer(text):
        digits = "".join(str(int(ch)) for ch in match.group() if ch.isdecimal())
        if len(digits) >= 2:
            out.add(digits)
    return frozenset(out)
