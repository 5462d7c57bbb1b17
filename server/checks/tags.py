"""Inline tags: every inline code of the source (XLIFF/TMX codes the reader marked, HTML/XML tags
in the text) is in the translation, the translation adds none, and its paired codes still nest
(flags `tag_missing`, `tag_extra`, `tag_nesting`).

Codes are compared by id and kind (`open:1`, `standalone:INTERPOLATION`) or, for tags found in
the text, by name and kind (`<b>`, `</b>`, `<br/>`); attributes and order may change. Nesting is
judged only where the source nests: a closing code before its opening one, halves that cross
(`<b><i></b></i>`) or an opening code never closed. Missing and broken nesting are critical,
extra is major.
"""

from __future__ import annotations

from lacuna.server.checks import Check
from lacuna.server.checks.placeholder_syntax import Placeholder
from lacuna.server.checks.placeholders import difference
from lacuna.server.checks.segment_markup import codes
from lacuna.server.checks.text import is_blank
from lacuna.server.model import FlagData, ScorerOutput, SegmentInput


def nesting_error(sequence: tuple[Placeholder, ...]) -> Placeholder | None:
    """The first code that breaks the nesting of paired codes, or None."""
    stack: list[Placeholder] = []
    for code in sequence:
        if code.kind == "open":
            stack.append(code)
        elif code.kind == "close":
            if not stack or stack[-1].pair != code.pair:
                return code
            stack.pop()
    return stack[0] if stack else None


class Tags(Check):
    name = "tags"
    description = "inline tags/codes missing (critical), added (major) or badly nested (critical)"
    sees_markup = True

    def run(self, segment: SegmentInput) -> ScorerOutput:
        out = ScorerOutput()
        if is_blank(segment.translation):
            return out
        source, target = codes(segment, "source"), codes(segment, "target")
        if not source and not target:
            return out
        missing, extra = difference(list(source), list(target))
        for code in missing:
            out.flags.append(FlagData(
                type="tag_missing", severity="critical", detector=self.name, confidence=0.95,
                message=f"the inline code {code.text!r} is missing from the translation",
                source_span=(code.start, code.end)))
        for code in extra:
            out.flags.append(FlagData(
                type="tag_extra", severity="major", detector=self.name, confidence=0.9,
                message=f"the translation has the inline code {code.text!r}, which the source does not",
                target_span=(code.start, code.end)))
        broken = nesting_error(target)
        if broken is not None and nesting_error(source) is None:
            what = "is never closed" if broken.kind == "open" else "closes a code that is not open"
            out.flags.append(FlagData(
                type="tag_nesting", severity="critical", detector=self.name, confidence=0.9,
                message=f"the inline code {broken.text!r} {what}: the translation's tags do not nest",
                target_span=(broken.start, broken.end)))
        return out
