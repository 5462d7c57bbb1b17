"""Length limit: a translation longer than the space it has (flag `length_limit`, major).

Two limits, each checked when set:

* characters: the segment's `max_length` (the batch client takes it from XLIFF 1.2 `maxwidth`
  with `size-unit="char"`, XLIFF 2 `slr:sizeRestriction` under the `xliff:codepoints` profile,
  or `--max-length` for a job of UI strings), counted in Unicode code points as displayed;
* bytes: the segment's `max_bytes` (XLIFF 2 `slr:storageRestriction`, XLIFF 1.2 `maxbytes`),
  counted in its `storage_encoding` (UTF-8, UTF-16 or UTF-32, no byte-order mark): a database
  column or a firmware string table that holds so many bytes.

Inline codes and tags do not count (their size is the software's, not the translator's);
placeholders do, as written.
"""

from __future__ import annotations

from lacuna.server.checks import Check
from lacuna.server.checks.segment_markup import codes
from lacuna.server.model import FlagData, ScorerOutput, SegmentInput

#: `Segment.storage_encoding` -> the Python codec that counts its bytes (no byte-order mark).
CODECS = {"utf-8": "utf-8", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}


def shown_text(segment: SegmentInput) -> str:
    """The translation without its inline codes and tags."""
    text, pos, parts = segment.translation, 0, []
    for code in codes(segment, "target"):
        if code.start >= pos:
            parts.append(text[pos:code.start])
            pos = code.end
    parts.append(text[pos:])
    return "".join(parts)


class LengthLimit(Check):
    name = "length_limit"
    description = "translation longer than the segment's maximum length or storage size (major)"
    sees_markup = True

    def run(self, segment: SegmentInput) -> ScorerOutput:
        out = ScorerOutput()
        if not segment.max_length and not segment.max_bytes:
            return out
        shown = shown_text(segment)
        end = len(segment.translation)
        limit = segment.max_length
        if limit and len(shown) > limit:
            out.flags.append(self._flag(segment, min(limit, end),
                                        f"the translation has {len(shown)} characters, more than the limit of {limit}"))
        limit = segment.max_bytes
        encoding = segment.storage_encoding or "utf-8"
        size = len(shown.encode(CODECS.get(encoding, "utf-8")))
        if limit and size > limit:
            out.flags.append(self._flag(segment, self._first_over(segment, limit, encoding),
                                        f"the translation takes {size} bytes in {encoding.upper()}, more than the "
                                        f"limit of {limit}"))
        return out

    @staticmethod
    def _first_over(segment: SegmentInput, limit: int, encoding: str) -> int:
        """Offset of the first character that no longer fits in `limit` bytes (codes skipped)."""
        codec, used = CODECS.get(encoding, "utf-8"), 0
        in_code = {i for code in codes(segment, "target") for i in range(code.start, code.end)}
        for i, ch in enumerate(segment.translation):
            if i in in_code:
                continue
            used += len(ch.encode(codec))
            if used > limit:
                return i
        return len(segment.translation)

    def _flag(self, segment: SegmentInput, start: int, message: str) -> FlagData:
        return FlagData(type="length_limit", severity="major", detector=self.name, confidence=1.0,
                        message=message, target_span=(start, len(segment.translation)))
