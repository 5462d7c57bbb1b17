"""The Lacuna client library and the `lacuna` command line."""

from lacuna.client.client import (
    Client,
    CorpusScore,
    Flag,
    LacunaError,
    ScoreResult,
    SegmentError,
    SegmentResult,
    Span,
)

__all__ = ["Client", "CorpusScore", "Flag", "LacunaError", "ScoreResult", "SegmentError", "SegmentResult", "Span"]
