"""Checks what clients send before anything is scored.

Every problem becomes a ValidationError with the gRPC status code to answer
with, the field at fault (`segments[3].tgt_lang`) and a message that names the
segment by position and id: "segments[3] (id 'p-17'): tgt_lang: unknown language
code 'xx'".

An empty translation is not an input error: it is scored, and the `empty`
check flags it. A blank reference counts as no reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from lacuna.languages import UnknownLanguage, parse
from lacuna.server.errors import quote_prefix
from lacuna.server.model import InlineCodeData, SegmentInput

CODE_KINDS = ("standalone", "open", "close")
#: What `Segment.max_bytes` may count in.
STORAGE_ENCODINGS = ("utf-8", "utf-16", "utf-32")

BAD = grpc.StatusCode.INVALID_ARGUMENT
TOO_BIG = grpc.StatusCode.RESOURCE_EXHAUSTED

#: Size caps on what ends up in logs, messages and metric labels (characters).
MAX_ID_CHARS = 256
MAX_REQUEST_ID_CHARS = 128
MAX_TAG_CHARS = 64
MAX_LABELS = 32
MAX_LABEL_KEY_CHARS = 64
MAX_LABEL_VALUE_CHARS = 256


@dataclass(frozen=True)
class Limits:
    max_segments: int
    max_chars: int


class ValidationError(Exception):
    def __init__(self, code: grpc.StatusCode, field: str, message: str):
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message


def _where(index: int, seg_id: str) -> str:
    return f"segments[{index}]" + (f" (id {quote_prefix(seg_id)})" if seg_id else "")


def validate_segment(pb, index: int, limits: Limits, seen_ids: dict[str, int]) -> SegmentInput:
    """Validate one `lacuna.v1.Segment`; `seen_ids` (id -> index) catches duplicates."""
    seg_id = pb.id

    def fail(code: grpc.StatusCode, name: str, problem: str) -> ValidationError:
        return ValidationError(code, f"segments[{index}].{name}", f"{_where(index, seg_id)}: {name}: {problem}")

    if not seg_id.strip():
        raise fail(BAD, "id", "is required (a non-empty id, unique within the request)")
    if len(seg_id) > MAX_ID_CHARS:
        raise fail(BAD, "id", f"{len(seg_id)} characters, more than the limit of {MAX_ID_CHARS}")
    if seg_id in seen_ids:
        raise fail(BAD, "id", f"duplicate id, also used by segments[{seen_ids[seg_id]}]")
    has_reference = pb.HasField("reference") and bool(pb.reference.strip())
    texts = [("source", pb.source), ("translation", pb.translation)]
    if has_reference:
        texts.append(("reference", pb.reference))
    for name, text in texts:
        if len(text) > limits.max_chars:
            raise fail(TOO_BIG, name, f"{len(text)} characters, more than the limit of {limits.max_chars}")
    if not pb.source.strip():
        raise fail(BAD, "source", "is empty")
    langs = {}
    for name in ("src_lang", "tgt_lang"):
        tag = getattr(pb, name)
        if not tag.strip():
            raise fail(BAD, name, "is required (a BCP-47 tag such as 'en', 'ja', 'pt-BR')")
        if len(tag) > MAX_TAG_CHARS:
            raise fail(BAD, name, f"{quote_prefix(tag, 20)} is not a language tag (more than {MAX_TAG_CHARS} characters)")
        try:
            langs[name] = parse(tag)
        except UnknownLanguage as exc:
            raise fail(BAD, name, str(exc)) from None
    if len(pb.labels) > MAX_LABELS:
        raise fail(BAD, "labels", f"{len(pb.labels)} labels, more than the limit of {MAX_LABELS}")
    for key, value in pb.labels.items():
        if not key.strip():
            raise fail(BAD, "labels", "label names must not be empty")
        if len(key) > MAX_LABEL_KEY_CHARS:
            raise fail(BAD, "labels", f"label name {quote_prefix(key, 20)} is longer than {MAX_LABEL_KEY_CHARS} characters")
        if len(value) > MAX_LABEL_VALUE_CHARS:
            raise fail(BAD, "labels", f"label {quote_prefix(key, 20)}: value of {len(value)} characters, more than "
                                      f"the limit of {MAX_LABEL_VALUE_CHARS}")
    codes = {name: _codes(getattr(pb, name), text, name, fail)
             for name, text in (("source_codes", pb.source), ("target_codes", pb.translation))}
    encoding = (pb.storage_encoding or "utf-8").strip().lower()
    if encoding not in STORAGE_ENCODINGS:
        raise fail(BAD, "storage_encoding", f"{quote_prefix(pb.storage_encoding, 20)} is not one of "
                                            f"{', '.join(STORAGE_ENCODINGS)}")
    seen_ids[seg_id] = index
    return SegmentInput(
        index=index, id=seg_id, source=pb.source, translation=pb.translation,
        reference=pb.reference if has_reference else None,
        src_lang=langs["src_lang"], tgt_lang=langs["tgt_lang"], labels=dict(pb.labels),
        source_codes=codes["source_codes"], target_codes=codes["target_codes"],
        max_length=pb.max_length if pb.HasField("max_length") else 0,
        max_bytes=pb.max_bytes if pb.HasField("max_bytes") else 0, storage_encoding=encoding,
    )


def _codes(pbs, text: str, name: str, fail) -> tuple[InlineCodeData, ...]:
    """The inline codes of one side, checked against its text (spans inside it, known kinds)."""
    out = []
    for i, code in enumerate(pbs):
        where = f"{name}[{i}]"
        if code.kind not in CODE_KINDS:
            raise fail(BAD, where + ".kind", f"{code.kind!r} is not one of {', '.join(CODE_KINDS)}")
        if not code.start < code.end <= len(text):
            raise fail(BAD, where, f"span [{code.start}, {code.end}) is not inside the text "
                                   f"({len(text)} characters)")
        out.append(InlineCodeData(code.id, code.kind, code.start, code.end, code.element, code.pair))
    return tuple(sorted(out, key=lambda c: c.start))


def validate_request_id(request_id: str) -> None:
    if len(request_id) > MAX_REQUEST_ID_CHARS:
        raise ValidationError(BAD, "request_id", f"request_id: {len(request_id)} characters, more than the limit of "
                                                 f"{MAX_REQUEST_ID_CHARS} ({quote_prefix(request_id, 20)})")


def validate_count(count: int, limits: Limits) -> None:
    if count == 0:
        raise ValidationError(BAD, "segments", "segments: at least one segment is required")
    if count > limits.max_segments:
        raise ValidationError(TOO_BIG, "segments",
                              f"segments: {count} segments, more than the limit of {limits.max_segments} per "
                              "request; split the request or use ScoreStream")
