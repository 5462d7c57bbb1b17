"""Cheap lexical evidence of missing content: sentence-final punctuation.

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
