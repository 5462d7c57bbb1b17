"""Cheap lexical evidence: numbers (and dates) two sentences share.

A number found on both sides ("1987年" / "1987", "30" / full-width "３０", "300万" / "3 million",
"三十" / "30") ties a source sentence to a target sentence whatever the encoder thinks; the
aligner's second pass and the loose pairs use it. So does a month named on both sides
("March" / "März" / "3月"). (A lost sentence-final full stop was tried as omission evidence and
did not help out of fold on HalOmi; missing numbers did not either: the `number_mismatch` check
reports those.)
"""

from __future__ import annotations

import re
from decimal import Decimal

from lacuna.server.checks.numbers import find_numbers

_CJK_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
               "八": 8, "九": 9}
_CJK_UNITS = {"十": 10, "百": 100, "千": 1000}
_CJK_BIG = {"万": 10**4, "萬": 10**4, "億": 10**8, "亿": 10**8}
#: Numeral characters that are usually a word, not a number: 十分 "enough", 一万 "by any chance".
_CJK_WORDS = frozenset({"十", "十分", "万", "一万", "千"})
_CJK_NUMERAL = re.compile("[" + "".join(_CJK_DIGITS) + "".join(_CJK_UNITS) + "".join(_CJK_BIG) + "]+")

_MONTHS = {name: k + 1 for names in (
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"),
    ("januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
     "november", "dezember"),
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
) for k, name in enumerate(names)}
_MONTH_WORD = re.compile(r"(?<![^\W\d_])[A-ZÄÖÜ][a-zäöü]{2,8}(?![^\W\d_])")
_CJK_MONTH = re.compile(r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s?月")


def cjk_numeral(text: str) -> int | None:
    """The value of a run of CJK numeral characters ("三十" 30, "二〇一九" 2019, "五百万" 5000000);
    None when it is not a well-formed numeral."""
    if all(ch in _CJK_DIGITS for ch in text):  # positional: 二〇一九
        return int("".join(str(_CJK_DIGITS[ch]) for ch in text))
    total = section = digit = 0
    for ch in text:
        if ch in _CJK_DIGITS:
            digit = _CJK_DIGITS[ch]
        elif ch in _CJK_UNITS:
            section += (digit or 1) * _CJK_UNITS[ch]
            digit = 0
        else:
            if section + digit == 0:
                return None
            total += (section + digit) * _CJK_BIG[ch]
            section = digit = 0
    return total + section + digit


def _value(v: Decimal) -> str:
    return format(v.normalize(), "f")


def months(text: str) -> frozenset[int]:
    """Months named in `text`: English or German month names (capitalized; abbreviations too),
    or a number before 月."""
    out = {_MONTHS[w.lower()] for w in _MONTH_WORD.findall(text) if w.lower() in _MONTHS}
    for m in _CJK_MONTH.finditer(text):
        token = m.group(1)
        value = int(token) if token.isdecimal() else cjk_numeral(token)
        if value is not None and 1 <= value <= 12:
            out.add(value)
    return frozenset(out)


def numbers(text: str) -> frozenset[str]:
    """The numbers of `text` by value (any script's digits, thousands separators, scale words
    such as 万 or "million", CJK numerals), except single-digit integers (too common to tie two
    sentences), and its months as "month:N": "1987年" and "1987" share one, "3月" and "March"
    share "month:3"."""
    out: set[str] = set()
    for number in find_numbers(text):
        out.update(_value(v) for v in number.values if v >= 10 or v != v.to_integral_value())
    for m in _CJK_NUMERAL.finditer(text):
        if m.group() in _CJK_WORDS:
            continue
        value = cjk_numeral(m.group())
        if value is not None and value >= 10:
            out.add(str(value))
    out.update(f"month:{k}" for k in months(text))
    return frozenset(out)
