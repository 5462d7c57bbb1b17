"""Job-level checks of `lacuna score`: the job's glossary and its consistency across every file.

`--glossary FILE` (TBX, CSV/TSV) and `--do-not-translate FILE` are read here and
sent to the server with each stream call (`options.glossary_entries`), which
checks every segment against them; `--server-glossary NAME` names one the server
loaded. Consistency is judged here, over the whole job at once (all files, all
streams): the texts are read before scoring starts, so every segment of an
inconsistent set gets its `inconsistent_translation` flag as its result is
written, with the ids of the segments it disagrees with.
"""

from __future__ import annotations

import time
from typing import Sequence

from lacuna.consistency import CONTEXT_LABELS, FLAG_TYPE, SAME_SOURCE, Inconsistency, Item, find_inconsistencies
from lacuna.glossary import GlossaryEntry, GlossaryError, read_glossary
from lacuna.glossary.wordlist import read_do_not_translate
from lacuna.proto import types_pb2

BLOCKING = ("major", "critical")


def entry_to_pb(entry: GlossaryEntry) -> types_pb2.GlossaryEntry:
    """A glossary entry as the message a request carries."""
    pb = types_pb2.GlossaryEntry(source_terms=entry.source_terms, targets=entry.targets, forbidden=entry.forbidden,
                                 src_lang=entry.src_lang or "", tgt_lang=entry.tgt_lang or "",
                                 part_of_speech=entry.part_of_speech, do_not_translate=entry.do_not_translate)
    if entry.case_sensitive is not None:
        pb.case_sensitive = entry.case_sensitive
    return pb


def job_options(glossaries: Sequence[str], do_not_translate: Sequence[str],
                server_glossary: str | None) -> types_pb2.ScoreOptions:
    """The request options for the job's glossaries. Raises ValueError naming the flag and file."""
    options = types_pb2.ScoreOptions(glossary=server_glossary or "")
    for path in glossaries:
        try:
            entries = read_glossary(path).entries
        except GlossaryError as exc:
            raise ValueError(f"--glossary {exc}") from None
        if not entries:
            raise ValueError(f"--glossary {path}: no entries")
        options.glossary_entries.extend(entry_to_pb(e) for e in entries)
    for path in do_not_translate:
        try:
            entries = read_do_not_translate(path)
        except (GlossaryError, OSError) as exc:
            raise ValueError(f"--do-not-translate {path}: {exc}") from None
        options.glossary_entries.extend(entry_to_pb(e) for e in entries)
    return options


def flag_json(found: Inconsistency, record) -> dict:
    """An `inconsistent_translation` flag in the results file's JSON form."""
    flag = {"type": FLAG_TYPE, "severity": "minor", "confidence": 1.0, "message": found.message(),
            "detector": "consistency", "related_ids": list(found.related)}
    if found.kind == SAME_SOURCE:
        flag["target_span"] = {"start": 0, "end": len(record.translation)}
    else:
        flag["source_span"] = {"start": 0, "end": len(record.source)}
    return flag


class JobConsistency:
    """The consistency pass over every record of a job, done before scoring."""

    def __init__(self, records, context_labels: Sequence[str] = CONTEXT_LABELS):
        started = time.perf_counter()
        self.found = find_inconsistencies(
            Item.of(r.id, r.source, r.translation, r.src_lang or "", r.tgt_lang or "", r.labels, context_labels)
            for r in records)
        self.seconds = time.perf_counter() - started

    def apply(self, rec: dict, record) -> None:
        """Add the record's inconsistency flags to its result line (not to a failed segment's)."""
        found = self.found.get(rec.get("id"))
        if not found or rec.get("error"):
            return
        flags = rec.setdefault("flags", [])
        flags.extend(flag_json(f, record) for f in found)
        if any(f.get("severity") in BLOCKING for f in flags):
            rec["passed"] = False
