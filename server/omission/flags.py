"""Flag building: an omitted source passage or an added target passage as a `FlagData`."""

from __future__ import annotations

from lacuna.server.model import FlagData
from lacuna.server.omission.passages import Span


def quote(text: str, limit: int = 60) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class FlagBuilder:
    """Builds the detector's flags: severity from the passage's content, a message quoting it."""

    def __init__(self, detector_name: str, major_units: float):
        self.detector_name = detector_name
        self.major_units = major_units

    def severity(self, units: float, confidence: float) -> str:
        """`major` for a passage of `major_units` content units or more, else `minor`."""
        return "major" if units >= self.major_units else "minor"

    def omission(self, span: Span, source: str, units: float, confidence: float, whole: bool) -> FlagData:
        """An omitted source passage: a whole sentence (or run of them), or part of one."""
        what = "not translated" if whole else "part of a sentence not translated"
        return FlagData(type="omission", severity=self.severity(units, confidence), detector=self.detector_name,
                        confidence=confidence, source_span=span,
                        message=f'{what}: "{quote(source[span[0]:span[1]])}"')

    def addition(self, span: Span, translation: str, units: float, confidence: float) -> FlagData:
        """A target passage with no counterpart in the source."""
        return FlagData(type="addition", severity=self.severity(units, confidence), detector=self.detector_name,
                        confidence=confidence, target_span=span,
                        message=f'no counterpart in the source: "{quote(translation[span[0]:span[1]])}"')
