"""Cheap lexical evidence of missing content: numbers and sentence-final punctuation.

A number written in the source (in any script's digits) that appears nowhere in the
translation, or a source that ends a sentence where the translation stops short, are
small omissions an encoder cannot see.
"""

from __future__ import annotations

import re
import unicodedata

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_TERMINAL = re.compile(r"[.!?。！？؟।॥…]['\"”’»)\]」』）]*\s*$")


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() and not ch.isascii() else ch for ch in text)


def numbers(text: str) -> set[str]:
    """Numbers in `text`, digits only (separators dropped, any script's digits as ASCII)."""
    return {re.sub(r"\D", "", m) for m in _NUMBER.findall(_ascii_digits(text))} - {""}


def missing_numbers(source: str, translation: str) -> set[str]:
    """Source numbers whose digits appear nowhere in the translation."""
    target = re.sub(r"\D", "", _ascii_digits(translation))
    target_numbers = numbers(translation)
    return {n for n in numbers(source) if n not in target_numbers and n not in target}


def ends_sentence(text: str) -> bool:
    return bool(_TERMINAL.search(text))


def lost_final_punctuation(source: str, translation: str) -> bool:
    """The source ends with sentence-final punctuation, the translation does not."""
    return ends_sentence(source) and not ends_sentence(translation)
