"""Number mismatch: a number in the source that the translation lacks or changed.

Numbers are compared by value, not by spelling:

* any decimal digits count (full-width ０-９, Arabic-Indic, Devanagari, ...);
* thousands separators `,` `.` `'` and (no-break / thin) spaces: `1,000` = `1000`
  = `1.000` = `1 000` = `1'000`; Indian grouping `1,00,000` too;
* decimal comma or point: `3.5` = `3,5`; `1.000` and `1,000` may be either a
  thousand or a decimal with three places, so both readings are tried;
* scale words: `3 million` = `3 Millionen` = `300万` = `3,000,000`, `2.5 billion` =
  `25億`; the bare number also counts (`3 million` matches `3 Millionen`);
* percentages, ordinals and units compare by their number (`50%` = `50 %` =
  `50 Prozent`, `1st` = `1.`); signs are ignored (`-5` vs `−5`, ranges `10-20`);
* Roman numerals in the translation count (`19th century` = `siglo XIX`), and a
  24-hour clock matches a 12-hour one (`19:15` = `7:15 pm`).

Decisions where a rule had to be chosen:

* Spelled-out numbers are not read. A missing source integer from 0 to 10
  (style guides spell these out: "3 items" -> "drei Artikel") is flagged only
  when the translation has a number of its own that matches nothing in the
  source, i.e. when the number was changed rather than written in words.
* Years and ordinals get no special treatment; they compare by value.
* A telephone country calling code (`+1`) may become another (`+81`): examples are localized.
* A comma between digits with one or two after it (`0,1`) is a decimal comma or a list written
  without a space; the translation may keep either (`0.1`, or `0、1` in Chinese).
* A number is "present" if its value appears anywhere in the translation, so a
  translation that says "both times" once for a repeated number is not flagged.

Numbers inside URLs, e-mail addresses, placeholders and markup are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from lacuna.flag_types import NUMBER_MISMATCH
from lacuna.server.checks import Check
from lacuna.server.checks.text import is_blank, mask_verbatim
from lacuna.server.model import FlagData, ScorerOutput, SegmentInput

#: Bare integers up to this are often spelled out in the translation (see module docstring).
SPELLED_OUT_MAX = 10
#: Most numbers read from one text; the rest are ignored (a table of figures is not prose).
MAX_NUMBERS = 2000

# One-for-one replacements so that offsets stay those of the text as sent.
_SEPARATORS = {
    "，": ",", "．": ".", "＇": "'", "’": "'", "٫": ".", "٬": ",",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u3000": " ",
}
_TOKEN = re.compile(r"\d+(?:(?:[.,']| (?=\d{3}(?!\d)))\d+)*")

# Scale words after a number (optionally after one space) -> the multipliers they may mean.
_SCALES: dict[str, tuple[int, ...]] = {
    "thousand": (10**3,), "tausend": (10**3,), "mille": (10**3,), "mil": (10**3, 10**6),
    "k": (10**3,),
    "million": (10**6,), "millions": (10**6,), "millionen": (10**6,), "mio": (10**6,), "mln": (10**6,),
    "millón": (10**6,), "millones": (10**6,), "milione": (10**6,), "milioni": (10**6,),
    "milhão": (10**6,), "milhões": (10**6,), "miljoen": (10**6,), "miljoner": (10**6,), "m": (10**6,),
    "billion": (10**9, 10**12), "billions": (10**9, 10**12), "milliarde": (10**9,), "milliarden": (10**9,),
    "milliard": (10**9,), "milliards": (10**9,), "mrd": (10**9,), "mld": (10**9,), "bn": (10**9,),
    "miliardo": (10**9,), "miliardi": (10**9,), "bilhão": (10**9,), "bilhões": (10**9,),
    "billionen": (10**12,), "trillion": (10**12, 10**18), "trillions": (10**12, 10**18),
    "百": (10**2,), "千": (10**3,), "万": (10**4,), "萬": (10**4,), "億": (10**8,), "亿": (10**8,),
    "兆": (10**12,), "천": (10**3,), "만": (10**4,), "억": (10**8,), "조": (10**12,),
}
_SCALE_AFTER = re.compile(
    r" ?(?:(" + "|".join(sorted((re.escape(w) for w in _SCALES if w.isascii() or len(w) > 1), key=len, reverse=True))
    + r")(?![^\W\d_])|([" + "".join(w for w in _SCALES if not w.isascii() and len(w) == 1) + r"]))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Number:
    start: int
    end: int
    text: str
    values: frozenset[Decimal]
    #: A plain integer that style guides spell out ("3").
    small: bool
    #: The integers a short comma list would be: `0,1` may be the decimal 0.1 or "0, 1" written
    #: without a space (a list the translation may write `0、1`); empty for other tokens.
    listed: frozenset[Decimal] = frozenset()
    #: A telephone country calling code (`+1`, `+81`): examples localize it ("+1 for the US" ->
    #: "+81 in Japan"), so one calling code matches another.
    calling_code: bool = False


def digits_as_ascii(text: str) -> str:
    """Every decimal digit as 0-9 and full-width/no-break separators as ASCII; same length."""
    out = []
    for ch in text:
        if ch.isdecimal():
            out.append(str(unicodedata.decimal(ch)))
        else:
            out.append(_SEPARATORS.get(ch, ch))
    return "".join(out)


def _grouped(groups: list[str], seps: list[str]) -> bool:
    """Whether digit groups joined by `seps` form one integer with thousands separators."""
    if not seps or len(set(seps)) != 1 or not 1 <= len(groups[0]) <= 3 or len(groups[-1]) != 3:
        return False
    middle = {len(g) for g in groups[1:-1]}
    return middle <= {3} or (seps[0] == "," and middle <= {2})  # 1,000,000 or Indian 1,00,000


def readings(token: str) -> list[tuple[int, int, frozenset[Decimal]]]:
    """The numbers in one digit token: (start, end, possible values) relative to the token.

    A token whose separators make no sense as one number (a date `5.3.2024`,
    `2019 100`) is read as several numbers.
    """
    groups = re.split(r"[^\d]", token)
    seps = re.findall(r"[^\d]", token)
    if not seps:
        return [(0, len(token), frozenset({Decimal(token)}))]
    values: set[Decimal] = set()
    if _grouped(groups, seps):
        values.add(Decimal("".join(groups)))
    last = seps[-1]
    if last in ".,":
        int_groups, int_seps = groups[:-1], seps[:-1]
        if not int_seps or (_grouped(int_groups, int_seps) and last not in int_seps):
            values.add(Decimal("".join(int_groups) + "." + groups[-1]))
    if values:
        return [(0, len(token), frozenset(values))]
    out, pos = [], 0
    for group in groups:
        out.append((pos, pos + len(group), frozenset({Decimal(group)})))
        pos += len(group) + 1
    return out


def find_numbers(text: str) -> list[Number]:
    """Every number in `text` with the values it may stand for; offsets into `text`."""
    plain = digits_as_ascii(mask_verbatim(text))
    found: list[Number] = []
    for m in _TOKEN.finditer(plain):
        token = m.group(0)
        parts = readings(token)
        for start, end, values in parts:
            start, end = m.start() + start, m.start() + end
            scale = _SCALE_AFTER.match(plain, end)
            if scale:
                values = values | {v * s for v in values for s in _SCALES[(scale.group(1) or scale.group(2)).lower()]}
            if plain.startswith(":", end) and len(values) == 1 and 13 <= next(iter(values)) <= 24:
                values = values | {next(iter(values)) - 12}  # 19:15 = 7:15 pm
            only = next(iter(values)) if len(values) == 1 else None
            small = (len(parts) == 1 and "." not in token and "," not in token and only is not None
                     and only <= SPELLED_OUT_MAX and not scale)
            listed = frozenset()
            if len(parts) == 1 and re.fullmatch(r"\d+(?:,\d{1,2})+", token):  # not 1,000: a thousands group
                listed = frozenset(Decimal(g) for g in token.split(","))
            calling = (len(parts) == 1 and token.isdigit() and len(token) <= 3 and plain[start - 1:start] == "+"
                       and not plain[max(start - 2, 0):start - 1].strip(" (（"))
            found.append(Number(start, end, text[start:end], frozenset(values), small, listed, calling))
            if len(found) >= MAX_NUMBERS:
                return found
    return found


_ROMAN_WORD = re.compile(r"\b[MDCLXVI]{2,}\b")
_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}


def roman_numerals(text: str) -> list[Number]:
    """Upper-case Roman numerals of two or more letters (`XIX` for a century, `IV` for a part)."""
    found = []
    for m in _ROMAN_WORD.finditer(text):
        letters = m.group(0)
        if not _ROMAN.fullmatch(letters):
            continue
        value = 0
        for i, ch in enumerate(letters):
            v = _ROMAN_VALUES[ch]
            value += -v if i + 1 < len(letters) and _ROMAN_VALUES[letters[i + 1]] > v else v
        found.append(Number(m.start(), m.end(), letters, frozenset({Decimal(value)}), False))
    return found


def _shown(values: frozenset[Decimal]) -> str:
    return " or ".join(sorted(format(v.normalize(), "f") for v in values))


class NumberMismatch(Check):
    name = "numbers"
    description = "numbers in the source missing or changed in the translation (major)"

    def run(self, segment: SegmentInput) -> ScorerOutput:
        out = ScorerOutput()
        if is_blank(segment.translation):
            return out
        source = find_numbers(segment.source)
        if not source:
            return out
        target = find_numbers(segment.translation)
        # Roman numerals can stand in for a source number but never count as changed numbers
        # (`Washington DC`, `MIX` are words).
        target_values = set().union(*(n.values for n in target + roman_numerals(segment.translation)))
        source_values = set().union(*(n.values | n.listed for n in source))
        missing = [n for n in source if not n.values & target_values and not (n.listed and n.listed <= target_values)]
        unmatched = [n for n in target if not n.values & source_values]
        if any(n.calling_code for n in missing) and any(n.calling_code for n in unmatched):
            missing = [n for n in missing if not n.calling_code]
            unmatched = [n for n in unmatched if not n.calling_code]
        if not unmatched:
            missing = [n for n in missing if not n.small]
        for number in missing:
            flag = FlagData(
                type=NUMBER_MISMATCH, severity="major", detector=self.name,
                confidence=0.9 if not number.small else 0.7,
                message=f"the number {number.text!r} in the source is missing from the translation",
                source_span=(number.start, number.end),
            )
            if len(missing) == 1 and len(unmatched) == 1:
                changed = unmatched[0]
                flag.message = (f"the number {number.text!r} in the source became {changed.text!r} "
                                f"in the translation ({_shown(number.values)} vs {_shown(changed.values)})")
                flag.target_span = (changed.start, changed.end)
            elif unmatched:
                flag.message += ("; the translation has numbers the source does not: "
                                 + ", ".join(repr(n.text) for n in unmatched[:5]))
            out.flags.append(flag)
        return out
