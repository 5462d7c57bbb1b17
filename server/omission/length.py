"""Content length in script-neutral units, for the length prior.

A Han character carries about as much content as three Latin letters, a kana or
Hangul syllable about two. Counting non-space characters with these weights makes
an English sentence and its Chinese or Japanese translation roughly the same
length, so a large deficit on one side is evidence that content is missing.
"""

from __future__ import annotations

import math
import unicodedata

#: Latin-letter equivalents of one character, by Unicode block (checked in order).
_WEIGHTS = (
    (0x3040, 0x30FF, 2.0),   # hiragana, katakana
    (0x3400, 0x4DBF, 3.0),   # CJK extension A
    (0x4E00, 0x9FFF, 3.0),   # CJK unified ideographs
    (0xF900, 0xFAFF, 3.0),   # CJK compatibility ideographs
    (0xAC00, 0xD7AF, 2.2),   # Hangul syllables
    (0x0E00, 0x0EFF, 1.0),   # Thai, Lao
)


def char_units(ch: str) -> float:
    if ch.isspace():
        return 0.0
    if not ch.isalnum():
        return 1.0  # punctuation and symbols count: dropping them is a (small) omission
    code = ord(ch)
    for lo, hi, weight in _WEIGHTS:
        if lo <= code <= hi:
            return weight
    if unicodedata.category(ch) == "Mn":  # combining marks (Indic vowel signs, diacritics)
        return 0.0
    return 1.0


def content_units(text: str) -> float:
    """Latin-letter equivalents of the non-space characters in `text`."""
    return sum(char_units(ch) for ch in text)


def log_length_ratio(source_units: float, target_units: float) -> float:
    """log(target / source), smoothed so that tiny texts do not explode."""
    return math.log((target_units + 5.0) / (source_units + 5.0))
