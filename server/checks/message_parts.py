"""The parts of a message that must carry the same placeholders: the whole text, or, for a plural
message, each form (pipe plurals) or branch (ICU plural/select), each paired with the source
part it translates.

A target form is paired with the source form of the same plural category (`forms` of each
language: Russian `one|few|many` against English `one|other` pairs few and many with other), an
ICU branch with the source branch of the same key, else the source's `other`. Parts for one
number only (`one`, `zero`, `two`, `=1`, `{1}`) may leave the count out ("a file").
"""

from __future__ import annotations

from dataclasses import dataclass

from lacuna.server.checks import icu_message
from lacuna.plural_rules import forms as plural_forms
from lacuna.server.checks.segment_markup import pipe_forms
from lacuna.server.model import SegmentInput

SINGLE_NUMBER_KEYS = frozenset({"zero", "one", "two"})


@dataclass(frozen=True)
class Part:
    """A span of one side, and the spans nested in it that belong to other parts."""

    start: int
    end: int
    key: str  # "" (the whole text or what is outside choices), "count:one", "form:2", ...
    holes: tuple[tuple[int, int], ...] = ()
    single_number: bool = False

    def holds(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end and not any(h[0] <= start < h[1] for h in self.holes)


def _icu_parts(choices: list[icu_message.Choice], start: int, end: int, prefix: str, single: bool) -> list[Part]:
    parts = [Part(start, end, prefix, tuple((c.start, c.end) for c in choices), single)]
    for choice in choices:
        for branch in choice.branches:
            key = f"{prefix}{choice.name}:{branch.key}/"
            one = single or (choice.type != "select" and (branch.key in SINGLE_NUMBER_KEYS
                                                          or branch.key.startswith("=")))
            parts += _icu_parts(branch.choices, branch.start, branch.end, key, one)
    return parts


def pairs(segment: SegmentInput) -> list[tuple[Part, Part]]:
    """(source part, target part) pairs to compare."""
    source_forms, target_forms = pipe_forms(segment)
    if source_forms:
        return _pipe_pairs(segment, source_forms, target_forms)
    src_choices, tgt_choices = icu_message.parse(segment.source), icu_message.parse(segment.translation)
    if src_choices:
        source = {p.key: p for p in _icu_parts(src_choices, 0, len(segment.source), "", False)}
        out = []
        for part in _icu_parts(tgt_choices, 0, len(segment.translation), "", False):
            match = source.get(part.key) or source.get(_as_other(part.key))
            if match is not None:
                out.append((match, part))
        return out
    return [(Part(0, len(segment.source), ""), Part(0, len(segment.translation), ""))]


def _as_other(key: str) -> str:
    """`count:few/` -> `count:other/` (the innermost branch only)."""
    head, _, last = key.rstrip("/").rpartition("/")
    name = last.split(":")[0]
    return (head + "/" if head else "") + f"{name}:other/"


def _pipe_pairs(segment: SegmentInput, source_forms, target_forms) -> list[tuple[Part, Part]]:
    src_cats = plural_forms(segment.src_lang.base, len(source_forms))
    tgt_cats = plural_forms(segment.tgt_lang.base, len(target_forms))
    by_interval = {f.interval: f for f in source_forms if f.interval}
    out = []
    for i, form in enumerate(target_forms):
        if form.interval and form.interval in by_interval:
            match = by_interval[form.interval]
            single = "," not in form.interval and form.interval.startswith("{")
        else:
            category = tgt_cats[i] if i < len(tgt_cats) else "other"
            j = src_cats.index(category) if category in src_cats[:len(source_forms)] else len(source_forms) - 1
            match = source_forms[min(j, len(source_forms) - 1)]
            single = category in SINGLE_NUMBER_KEYS
        out.append((Part(match.start, match.end, f"form:{i}"), Part(form.start, form.end, f"form:{i}",
                                                                    single_number=single)))
    return out
