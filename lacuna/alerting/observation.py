"""One scored segment as alert rules see it, from a results record or from the server."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from lacuna.severity import BLOCKING_SEVERITIES
from lacuna.worst_order import worst_key

TEXT_LIMIT = 300  # characters of source/translation kept for the alert message


def _clip(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _confidence(value) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Observation:
    id: str
    src_lang: str
    tgt_lang: str
    passed: bool
    error: bool
    flags: tuple[tuple[str, str, str], ...] = ()  # (type, severity, message)
    confidences: tuple[float | None, ...] = ()  # one per flag, when known
    scores: Mapping[str, float] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    source: str = ""
    translation: str = ""
    error_message: str = ""

    @classmethod
    def from_record(cls, record: Mapping) -> "Observation":
        """From a line of `lacuna score --output results.jsonl` (optional keys may be absent)."""
        error = record.get("error") or None
        raw_flags = [f for f in record.get("flags") or () if isinstance(f, Mapping)]
        flags = tuple((str(f.get("type", "")), str(f.get("severity", "minor")), str(f.get("message", "")))
                      for f in raw_flags)
        confidences = tuple(_confidence(f.get("confidence")) for f in raw_flags)
        scores = {}
        for k, v in (record.get("scores") or {}).items():
            try:
                scores[str(k)] = float(v)
            except (TypeError, ValueError):
                continue
        passed = bool(record.get("passed", error is None and not any(f[1] in BLOCKING_SEVERITIES for f in flags)))
        return cls(id=str(record.get("id", "")), src_lang=str(record.get("src_lang", "")),
                   tgt_lang=str(record.get("tgt_lang", "")), passed=passed and error is None,
                   error=error is not None, flags=flags, confidences=confidences, scores=scores,
                   labels={str(k): str(v) for k, v in (record.get("labels") or {}).items()},
                   source=_clip(record.get("source")), translation=_clip(record.get("translation")),
                   error_message=str(error.get("message", "")) if isinstance(error, Mapping) else "")

    @classmethod
    def from_segment(cls, segment, outcome) -> "Observation":
        """From the server's SegmentInput and SegmentOutcome."""
        return cls(id=segment.id, src_lang=segment.src_lang.tag, tgt_lang=segment.tgt_lang.tag,
                   passed=bool(outcome.passed) and not outcome.error_code, error=bool(outcome.error_code),
                   flags=tuple((f.type, f.severity, f.message) for f in outcome.flags),
                   confidences=tuple(float(f.confidence) for f in outcome.flags),
                   scores=dict(outcome.scores), labels=dict(segment.labels),
                   source=_clip(segment.source), translation=_clip(segment.translation),
                   error_message=outcome.error_message or "")

    def field(self, key: str) -> str:
        if key == "src_lang":
            return self.src_lang
        if key == "tgt_lang":
            return self.tgt_lang
        if key == "lang_pair":
            return f"{self.src_lang}-{self.tgt_lang}"
        if key.startswith("labels."):
            return self.labels.get(key[len("labels."):], "")
        raise KeyError(key)

    def worst_key(self) -> tuple:
        """This segment's place in the shared worst-first order (ascending = worse)."""
        confidences = self.confidences if len(self.confidences) == len(self.flags) else (None,) * len(self.flags)
        return worst_key([(sev, conf) for (_, sev, _), conf in zip(self.flags, confidences)], self.error,
                         self.scores)

    def summary(self) -> dict:
        """What an alert message shows of this segment."""
        out = {"id": self.id, "lang_pair": f"{self.src_lang}-{self.tgt_lang}", "source": self.source,
               "translation": self.translation,
               "flags": [{"type": t, "severity": s, "message": m} for t, s, m in self.flags],
               "scores": {k: round(v, 4) for k, v in self.scores.items()}}
        if self.error:
            out["error"] = self.error_message
        return out
