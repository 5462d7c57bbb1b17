"""Length limit: a translation longer than the space it has (flag `length_limit`, major).

The limit is the segment's `max_length` (the batch client takes it from XLIFF `maxwidth` with
`size-unit="char"`, or `--max-length` for a job of UI strings). Characters are counted as
displayed: inline codes and tags do not count, placeholders do (as written).
"""

from __future__ import annotations

from lacuna.server.checks import Check
from lacuna.server.checks.segment_markup import codes
from lacuna.server.model import FlagData, ScorerOutput, SegmentInput


class LengthLimit(Check):
    name = "length_limit"
    description = "translation longer than the segment's maximum length (major)"
    sees_markup = True

    def run(self, segment: SegmentInput) -> ScorerOutput:
        out = ScorerOutput()
        limit = segment.max_length
        if not limit:
            return out
        shown = len(segment.translation) - sum(c.end - c.start for c in codes(segment, "target"))
        if shown > limit:
            out.flags.append(FlagData(
                type="length_limit", severity="major", detector=self.name, confidence=1.0,
                message=f"the translation has {shown} characters, more than the limit of {limit}",
                target_span=(min(limit, len(segment.translation)), len(segment.translation))))
        return out
