"""Text helpers the checks share: what counts as translatable words, and masking
the parts of a text (URLs, e-mail addresses, placeholders, markup) that stay the
same in every language.

Masking replaces characters with spaces, one for one, so offsets into the
masked text are offsets into the text as sent.
"""

from __future__ import annotations

import re
import unicodedata

# Things copied verbatim from source to translation.
_VERBATIM = re.compile(
    r"""
      (?:https?|ftp)://\S+            # URLs
    | www\.\S+
    | (?<![\w.+-])[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+   # e-mail addresses (bounded: linear on long runs)
    | <[^<>]{1,200}>                  # markup tags
    | \{[^{}\s]{0,40}\}               # {0}, {name} placeholders
    | %(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?[sdifeEgGxXcu@]   # printf placeholders
    | \$\{?\w+\}?                     # $var, ${var}
    | &\w+;                           # HTML entities
    """,
    re.VERBOSE,
)

# Zero-width and invisible characters that make a text look non-empty.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

#: A run of letters, with inner apostrophes and hyphens.
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def mask_verbatim(text: str) -> str:
    """`text` with URLs, e-mail addresses, placeholders and tags blanked out (same length)."""
    return _VERBATIM.sub(lambda m: " " * (m.end() - m.start()), text)


def is_blank(text: str) -> bool:
    """True for an empty text, or one of only whitespace and invisible characters."""
    return not text.translate({ord(c): None for c in INVISIBLE}).strip()


def words(text: str) -> list[str]:
    """Runs of letters (with inner apostrophes and hyphens), in order."""
    return WORD.findall(text)


def letters(text: str) -> int:
    """How many letters `text` has (any script)."""
    return sum(1 for c in text if c.isalpha())


def is_caseless(word: str) -> bool:
    """A word in a script without case (CJK, Arabic, Thai, Devanagari, ...)."""
    return word.lower() == word.upper()


def normalise(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: for comparing texts, not for offsets."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.translate({ord(c): None for c in INVISIBLE}).split())
