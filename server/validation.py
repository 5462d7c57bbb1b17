"""Checks what clients send before anything is scored.

Every problem becomes a ValidationError that names the field (`segments[3].tgt_lang`)
and the segment id, with the gRPC status code to answer with.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from lacuna.languages import UnknownLanguage, parse
from lacuna.server.model import SegmentInput


@dataclass(frozen=True)
class Limits:
    max_segments: int
    max_chars: int


class ValidationError(Exception):
    def __init__(self, code: grpc.StatusCode, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.code = code
        self.field = field
        self.message = message


def _where(index: int, seg_id: str) -> str:
    return f"segments[{index}]" + (f" (id {seg_id!r})" if seg_id else "")


def validate_segment(pb, index: int, limits: Limits, seen_ids: dict[str, int]) -> SegmentInput:
    """Validate one `lacuna.v1.Segment`; `seen_ids` (id -> index) catches duplicates."""
    field = f"segments[{index}]"
    seg_id = pb.id
    bad = grpc.StatusCode.INVALID_ARGUMENT
    if not seg_id.strip():
        raise ValidationError(bad, f"{field}.id", f"{_where(index, '')}: id is required")
    if seg_id in seen_ids:
        raise ValidationError(bad, f"{field}.id",
                              f"{_where(index, seg_id)}: duplicate id, also used by segments[{seen_ids[seg_id]}]")
    texts = [("source", pb.source), ("translation", pb.translation)]
    if pb.HasField("reference"):
        texts.append(("reference", pb.reference))
    for name, text in texts:
        if len(text) > limits.max_chars:
            raise ValidationError(grpc.StatusCode.RESOURCE_EXHAUSTED, f"{field}.{name}",
                                  f"{_where(index, seg_id)}: {name} has {len(text)} characters, "
                                  f"more than the limit of {limits.max_chars}")
    if not pb.source.strip():
        raise ValidationError(bad, f"{field}.source", f"{_where(index, seg_id)}: source is empty")
    langs = {}
    for name in ("src_lang", "tgt_lang"):
        tag = getattr(pb, name)
        if not tag.strip():
            raise ValidationError(bad, f"{field}.{name}", f"{_where(index, seg_id)}: {name} is required")
        try:
            langs[name] = parse(tag)
        except UnknownLanguage as exc:
            raise ValidationError(bad, f"{field}.{name}", f"{_where(index, seg_id)}: {name}: {exc}") from None
    for key in pb.labels:
        if not key.strip():
            raise ValidationError(bad, f"{field}.labels", f"{_where(index, seg_id)}: label names must not be empty")
    seen_ids[seg_id] = index
    return SegmentInput(
        index=index, id=seg_id, source=pb.source, translation=pb.translation,
        reference=pb.reference if pb.HasField("reference") else None,
        src_lang=langs["src_lang"], tgt_lang=langs["tgt_lang"], labels=dict(pb.labels),
    )


def validate_count(count: int, limits: Limits) -> None:
    if count == 0:
        raise ValidationError(grpc.StatusCode.INVALID_ARGUMENT, "segments", "at least one segment is required")
    if count > limits.max_segments:
        raise ValidationError(grpc.StatusCode.RESOURCE_EXHAUSTED, "segments",
                              f"{count} segments, more than the limit of {limits.max_segments} per request; "
                              "split the request or use ScoreStream")
