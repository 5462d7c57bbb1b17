"""The job-level checks of one request or stream: glossary terms and consistency.

Built from the request's options when the call starts (`JobChecks.start`, which
raises `OptionError` naming a bad field), then applied to each scored batch: it
adds `terminology`, `forbidden_term`, `do_not_translate` and
`inconsistent_translation` flags to the outcomes and fails a segment that gets
a major one, as the pipeline does for its own flags.
"""

from __future__ import annotations

from typing import Sequence

import structlog

from lacuna.consistency import FLAG_TYPE, SAME_SOURCE, ConsistencyStream, Inconsistency, Item, find_inconsistencies
from lacuna.glossary import Glossary, GlossaryError
from lacuna.server.model import FlagData, SegmentInput, SegmentOutcome
from lacuna.server.pipeline import BLOCKING_SEVERITIES, OptionError
from lacuna.server.terminology.check import check_terms
from lacuna.server.terminology.store import GlossaryStore

log = structlog.get_logger("lacuna.terminology")


def inconsistency_flag(found: Inconsistency, seg: SegmentInput) -> FlagData:
    """The flag; its span marks the side that differs (the translation of a source translated two
    ways, the source of a translation given to two sources)."""
    flag = FlagData(type=FLAG_TYPE, severity="minor", detector="consistency", confidence=1.0,
                    message=found.message(), related_ids=found.related)
    if found.kind == SAME_SOURCE:
        flag.target_span = (0, len(seg.translation))
    else:
        flag.source_span = (0, len(seg.source))
    return flag


class JobChecks:
    def __init__(self, store: GlossaryStore, named: Glossary | None, inline: Glossary | None, consistency: bool):
        self.store = store
        self.named = named
        self.inline = inline
        self.consistency = consistency
        self._stream = ConsistencyStream() if consistency else None

    @classmethod
    def start(cls, store: GlossaryStore, options) -> "JobChecks":
        named = None
        if options.glossary:
            named = store.named(options.glossary)
            if named is None:
                known = ", ".join(sorted(store.glossaries)) or "none; start the server with --glossary NAME=PATH"
                raise OptionError("options.glossary", f"unknown glossary {options.glossary!r} (loaded: {known})")
        inline = None
        if len(options.glossary_entries):
            try:
                inline = store.inline(options.glossary_entries)
            except GlossaryError as exc:
                raise OptionError(exc.field or "options.glossary_entries", str(exc).split(": ", 1)[-1]) from None
        return cls(store, named, inline, bool(options.consistency))

    def apply(self, segments: Sequence[SegmentInput], outcomes: Sequence[SegmentOutcome],
              whole: bool = False) -> None:
        """Add this call's job-level flags to `outcomes`. `whole`: the segments are the whole call
        (a Score request), so every segment of an inconsistent set is judged, not only later ones."""
        live = [(s, o) for s, o in zip(segments, outcomes) if not o.error_code]
        for seg, outcome in live:
            for glossary in self._glossaries(seg):
                try:
                    pair = self.store.pair(glossary, seg.src_lang.base, seg.tgt_lang.base)
                    flags, _ = check_terms(pair, seg.source, seg.translation)
                except Exception:  # a broken check costs only its own flags
                    log.exception("terminology_failed", segment_id=seg.id)
                    continue
                self._add(outcome, flags)
        if self.consistency:
            items = (Item.of(s.id, s.source, s.translation, s.src_lang.tag, s.tgt_lang.tag, s.labels) for s, _ in live)
            if whole:
                found = find_inconsistencies(items)
                for seg, outcome in live:
                    self._add(outcome, [inconsistency_flag(f, seg) for f in found.get(seg.id, ())])
            else:
                for item, (seg, outcome) in zip(items, live):
                    self._add(outcome, [inconsistency_flag(f, seg) for f in self._stream.add(item)])

    def _glossaries(self, seg: SegmentInput) -> list[Glossary]:
        chosen = self.named or self.store.for_labels(seg.labels)
        return [g for g in (chosen, self.inline) if g is not None]

    @staticmethod
    def _add(outcome: SegmentOutcome, flags: list[FlagData]) -> None:
        if not flags:
            return
        outcome.flags.extend(flags)
        if any(f.severity in BLOCKING_SEVERITIES for f in flags):
            outcome.passed = False
