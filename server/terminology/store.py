"""The glossaries a server checks against: named ones loaded at start, and those requests send.

`lacuna-server --glossary NAME=PATH` (repeatable) loads a glossary under a name.
A request picks one with `options.glossary`; otherwise a segment whose label
`--glossary-label` (default `project`) names a loaded glossary uses that one.
Glossary entries sent in `options.glossary_entries` are compiled once and kept
(a small LRU keyed by their content), so a batch job that sends its glossary
with every stream call costs one compilation.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Sequence

from lacuna.glossary import Glossary, GlossaryEntry, GlossaryError, language_base, read_glossary
from lacuna.server.terminology.check import PairGlossary

#: Request glossaries kept compiled.
INLINE_CACHE = 16
#: Compiled (glossary, language pair) combinations kept.
PAIR_CACHE = 64


class GlossarySpecError(ValueError):
    """A bad --glossary value or file; the message names it."""


def parse_specs(specs: Sequence[str]) -> dict[str, Glossary]:
    """`NAME=PATH` (or a bare PATH, named after its file) -> loaded glossaries."""
    out: dict[str, Glossary] = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep:
            name, path = "", spec
        name, path = name.strip(), path.strip()
        try:
            glossary = read_glossary(path, name)
        except GlossaryError as exc:
            raise GlossarySpecError(f"--glossary {spec}: {exc}") from None
        if glossary.name in out:
            raise GlossarySpecError(f"--glossary {spec}: the name {glossary.name!r} is given twice")
        out[glossary.name] = glossary
    return out


class GlossaryStore:
    def __init__(self, glossaries: dict[str, Glossary] | None = None, label: str = "project"):
        self.glossaries = dict(glossaries or {})
        self.label = label
        self._lock = threading.Lock()
        self._inline: OrderedDict[str, Glossary] = OrderedDict()
        self._pairs: OrderedDict[tuple[str, str, str], PairGlossary] = OrderedDict()

    def named(self, name: str) -> Glossary | None:
        return self.glossaries.get(name)

    def for_labels(self, labels) -> Glossary | None:
        value = labels.get(self.label) if self.label else None
        return self.glossaries.get(value) if value else None

    def inline(self, entries_pb) -> Glossary:
        """The glossary a request sends, compiled once per distinct content. Raises
        GlossaryError naming the entry (`options.glossary_entries[3].tgt_lang: ...`)."""
        digest = hashlib.sha256(b"".join(e.SerializeToString(deterministic=True) + b"\0" for e in entries_pb))
        key = "inline:" + digest.hexdigest()
        with self._lock:
            if key in self._inline:
                self._inline.move_to_end(key)
                return self._inline[key]
        glossary = Glossary([_entry_from_pb(e, i) for i, e in enumerate(entries_pb)], name=key)
        with self._lock:
            self._inline[key] = glossary
            while len(self._inline) > INLINE_CACHE:
                self._inline.popitem(last=False)
        return glossary

    def pair(self, glossary: Glossary, src: str, tgt: str) -> PairGlossary:
        """`glossary`'s entries for one language pair, compiled (and cached)."""
        key = (glossary.name or str(id(glossary)), src, tgt)
        with self._lock:
            found = self._pairs.get(key)
            if found is not None:
                self._pairs.move_to_end(key)
                return found
        compiled = PairGlossary(glossary.for_pair(src, tgt), src, tgt)
        with self._lock:
            self._pairs[key] = compiled
            while len(self._pairs) > PAIR_CACHE:
                self._pairs.popitem(last=False)
        return compiled


def _entry_from_pb(pb, i: int) -> GlossaryEntry:
    where = f"options.glossary_entries[{i}]"
    sources = tuple(t.strip() for t in pb.source_terms if t.strip())
    if not sources:
        raise GlossaryError(f"{where}.source_terms: no source term", f"{where}.source_terms")
    targets = tuple(t.strip() for t in pb.targets if t.strip())
    forbidden = tuple(t.strip() for t in pb.forbidden if t.strip())
    if not (targets or forbidden or pb.do_not_translate):
        raise GlossaryError(f"{where}.targets: no target term, forbidden term or do_not_translate",
                            f"{where}.targets")
    return GlossaryEntry(
        source_terms=sources, targets=targets, forbidden=forbidden,
        src_lang=language_base(pb.src_lang, f"{where}.src_lang", field=True),
        tgt_lang=language_base(pb.tgt_lang, f"{where}.tgt_lang", field=True),
        part_of_speech=pb.part_of_speech, do_not_translate=pb.do_not_translate,
        case_sensitive=pb.case_sensitive if pb.HasField("case_sensitive") else None,
    )
