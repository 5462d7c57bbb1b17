"""Which plural forms a language has: CLDR's categories for integers, and the order gettext
(PO `msgstr[N]`) and Symfony (`one|many` messages) number them in. Shared by the server's
checks and the client's PO reader.

The categories are CLDR's (zero, one, two, few, many, other). Forms that CLDR gives only to
fractions or to exact millions (Russian `other`, Czech `many`, French/Spanish `many`) are often
left out of gettext and Symfony files: those languages accept both counts.
"""

from __future__ import annotations

_ONE_OTHER = ("one", "other")
_OTHER = ("other",)

#: Language -> the forms files number, in file order.
FORMS: dict[str, tuple[str, ...]] = {
    **{lang: _OTHER for lang in ("ja", "zh", "ko", "th", "vi", "id", "ms", "lo", "my", "km", "yue", "bo",
                                  "jv", "su", "ig", "yo", "wo", "to", "sah")},
    **{lang: ("one", "few", "many") for lang in ("ru", "uk", "be", "pl", "sr", "hr", "bs", "sh")},
    **{lang: ("one", "few", "other") for lang in ("cs", "sk", "lt", "ro", "mo")},
    "lv": ("zero", "one", "other"),
    "sl": ("one", "two", "few", "other"),
    "ar": ("zero", "one", "two", "few", "many", "other"),
    "cy": ("zero", "one", "two", "few", "many", "other"),
    "ga": ("one", "two", "few", "many", "other"),
    "he": ("one", "two", "other"),
    "mt": ("one", "few", "many", "other"),
    "gd": ("one", "two", "few", "other"),
    "br": ("one", "two", "few", "many", "other"),
}

#: Other counts a file may legitimately use for a language (see the module docstring).
ALSO: dict[str, dict[int, tuple[str, ...]]] = {
    **{lang: {4: ("one", "few", "many", "other")} for lang in ("ru", "uk", "be", "pl", "sr", "hr", "bs")},
    **{lang: {4: ("one", "few", "many", "other")} for lang in ("cs", "sk", "lt")},
    **{lang: {3: ("one", "many", "other")} for lang in ("fr", "es", "it", "pt", "ca")},
    "he": {2: ("one", "other"), 4: ("one", "two", "many", "other")},
    "ga": {3: ("one", "two", "other")},
    "cy": {4: ("one", "two", "few", "other")},
    "lv": {2: ("one", "other")},
}

#: CLDR categories of integers (what ICU plural branches may use) beyond the file forms.
CLDR_EXTRA: dict[str, tuple[str, ...]] = {"fr": ("many",), "es": ("many",), "it": ("many",),
                                          "pt": ("many",), "ca": ("many",)}


def forms(base: str, count: int | None = None) -> tuple[str, ...]:
    """The categories of a language's plural forms in file order; with `count`, the layout a
    file with that many forms uses (falls back to the usual one)."""
    usual = FORMS.get(base, _ONE_OTHER)
    if count is not None and count != len(usual):
        return ALSO.get(base, {}).get(count, usual)
    return usual


def accepted_counts(base: str) -> set[int]:
    """How many plural forms a file may give for a language."""
    return {len(forms(base))} | set(ALSO.get(base, {}))


def categories(base: str) -> set[str]:
    """Every CLDR category a language's integers or fractions can take (ICU branch keys)."""
    out = set(forms(base)) | {"other"} | set(CLDR_EXTRA.get(base, ()))
    for layout in ALSO.get(base, {}).values():
        out |= set(layout)
    return out


def required(base: str) -> set[str]:
    """Categories an ICU plural in this language must give."""
    return set(forms(base)) | {"other"}
