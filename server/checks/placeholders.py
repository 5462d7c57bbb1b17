"""Placeholders: every placeholder of the source is in the translation, unchanged, and the
translation adds none (flags `placeholder_missing`, `placeholder_changed`, `placeholder_extra`).

Placeholders are found with the job's syntaxes (`placeholder_syntax`); order does not matter
(translations reorder them), counts do. Plural messages are compared part by part
(`message_parts`): each form or branch against the source form it translates; a form for one
number only may leave the count out (minor at most). A missing and an extra placeholder of the
same style and name (`%1$s` -> `%1$d`), or the only missing and the only extra one of a style,
are one changed placeholder. Missing and changed are critical (the software breaks or shows
the wrong value), extra is major, an HTML entity (`&amp;`) is minor either way.

A source that is a strftime date format (`%b %d, %Y`, see `date_format`) is compared by the
parts of the date it shows, not directive by directive: `%d.%m.%Y` and `%Y年%m月%d日` are right;
a part left out (no year) is minor, no directive at all critical.
"""

from __future__ import annotations

import difflib
from collections import Counter

from lacuna.server.checks import Check, date_format, icu_message
from lacuna.server.checks.message_parts import pairs
from lacuna.server.checks.placeholder_syntax import Placeholder
from lacuna.server.checks.segment_markup import placeholders
from lacuna.server.checks.text import is_blank
from lacuna.server.model import FlagData, ScorerOutput, SegmentInput


def _unmatched(these: list[Placeholder], others: list[Placeholder]) -> list[Placeholder]:
    """The placeholders of `these` that `others` has no copy of, by key, counting repeats."""
    left = Counter(p.key for p in others)
    unmatched = []
    for p in these:
        if left[p.key] > 0:
            left[p.key] -= 1
        else:
            unmatched.append(p)
    return unmatched


def difference(source: list[Placeholder], target: list[Placeholder]
               ) -> tuple[list[Placeholder], list[Placeholder]]:
    """(source placeholders the target lacks, target placeholders the source lacks), by key."""
    return _unmatched(source, target), _unmatched(target, source)


def changed_pairs(missing: list[Placeholder], extra: list[Placeholder]) -> list[tuple[Placeholder, Placeholder]]:
    """Missing/extra placeholders that are one placeholder changed; removes them from both lists.

    Paired, in this order: the same style and name (`%1$s` -> `%1$d`); the only missing and the
    only extra one of a style; the same style and a similar name (`{{ ratio }}` -> `{{ ratio_x }}`)."""
    out = []
    for m in list(missing):
        same = [e for e in extra if e.style == m.style and m.name and e.name == m.name]
        if not same:
            styled_m = [x for x in missing if x.style == m.style]
            styled_e = [e for e in extra if e.style == m.style]
            same = styled_e if len(styled_m) == 1 and len(styled_e) == 1 else []
        if not same:
            scored = [(difflib.SequenceMatcher(None, m.name, e.name).ratio(), i, e)
                      for i, e in enumerate(extra) if e.style == m.style and m.name and e.name]
            best = max(scored, default=None, key=lambda t: (t[0], -t[1]))
            same = [best[2]] if best and best[0] >= 0.6 else []
        if same:
            out.append((m, same[0]))
            missing.remove(m)
            extra.remove(same[0])
    return out


class Placeholders(Check):
    name = "placeholders"
    description = "placeholders missing, changed (critical) or added (major) in the translation"
    sees_markup = True

    def run(self, segment: SegmentInput) -> ScorerOutput:
        out = ScorerOutput()
        if is_blank(segment.translation):
            return out
        source, target = placeholders(segment, "source"), placeholders(segment, "target")
        if not source and not target:
            return out
        arguments = {c.name for c in icu_message.parse(segment.source) if c.type != "select"}
        if arguments:  # `{count}` shows the source's plural argument: the plurals check judges it
            target = [p for p in target if not (p.style == "icu" and p.name in arguments
                                                and icu_message.shows_plainly(p.text, p.name))]
        for src_part, tgt_part in pairs(segment):
            src = [p for p in source if src_part.holds(p.start, p.end)]
            tgt = [p for p in target if tgt_part.holds(p.start, p.end)]
            if any(p.style == "strftime" for p in src):
                out.flags.extend(self._date_flags(src, tgt))
                continue
            missing, extra = difference(src, tgt)
            where = f" (plural part {tgt_part.key.strip('/')})" if tgt_part.key else ""
            for old, new in changed_pairs(missing, extra):
                out.flags.append(FlagData(
                    type="placeholder_changed", severity="minor" if old.style == "entity" else "critical",
                    detector=self.name, confidence=0.95,
                    message=f"the placeholder {old.text!r} became {new.text!r} in the translation{where}",
                    source_span=(old.start, old.end), target_span=(new.start, new.end)))
            for p in missing:
                minor = p.style == "entity" or tgt_part.single_number
                out.flags.append(FlagData(
                    type="placeholder_missing", severity="minor" if minor else "critical", detector=self.name,
                    confidence=0.95, message=f"the placeholder {p.text!r} is missing from the translation{where}",
                    source_span=(p.start, p.end)))
            for p in extra:
                out.flags.append(FlagData(
                    type="placeholder_extra", severity="minor" if p.style == "entity" or src_part.key else "major",
                    detector=self.name, confidence=0.9,
                    message=f"the translation has the placeholder {p.text!r}, which the source does not{where}",
                    target_span=(p.start, p.end)))
        return out

    def _date_flags(self, source: list[Placeholder], target: list[Placeholder]) -> list[FlagData]:
        """A date format (`%b %d, %Y`) is localized by rewriting it: reordered or swapped
        directives (`%d.%m.%Y`) are right. A part of the date the translation no longer shows
        (the year) is minor; a translation without any directive shows no date (critical)."""
        source = [p for p in source if p.style == "strftime"]
        dated = [p for p in target if p.style == "strftime"]
        if not dated:
            return [FlagData(type="placeholder_missing", severity="critical", detector=self.name, confidence=0.95,
                             source_span=(p.start, p.end),
                             message=f"the placeholder {p.text!r} is missing from the translation (its date "
                                     "format has no directive left)") for p in source]
        shown = {part for p in dated for part in date_format.parts(p.text)}
        flags = []
        for p in source:
            lost = [part for part in date_format.parts(p.text) if part not in shown]
            if lost:
                shown.update(lost)  # one flag per part
                flags.append(FlagData(
                    type="placeholder_missing", severity="minor", detector=self.name, confidence=0.8,
                    source_span=(p.start, p.end),
                    message=f"the date format of the translation shows no {', '.join(lost)} "
                            f"(the source has {p.text!r})"))
        return flags
