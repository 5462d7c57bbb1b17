"""Empty translation: nothing, or only whitespace / invisible characters, where the source has text."""

from __future__ import annotations

from lacuna.flag_types import EMPTY
from lacuna.server.checks import Check
from lacuna.server.checks.text import is_blank
from lacuna.server.model import FlagData, ScorerOutput, SegmentInput


class EmptyTranslation(Check):
    name = "empty"
    description = "translation is empty or only whitespace (critical)"
    sees_markup = True

    def run(self, segment: SegmentInput) -> ScorerOutput:
        out = ScorerOutput()
        if not is_blank(segment.translation):
            return out
        what = "empty" if not segment.translation else "only whitespace"
        out.flags.append(FlagData(
            type=EMPTY, severity="critical", detector=self.name, confidence=1.0,
            message=f"the translation is {what}; the source has {len(segment.source)} characters",
            source_span=(0, len(segment.source)),
            target_span=(0, len(segment.translation)) if segment.translation else None,
        ))
        return out
