"""The terminology check: glossary entries whose source term is in the source, judged in the translation.

For each entry whose source term occurs in the source (where two entries' source
terms overlap, the longer one wins; entries with the same source term are all judged):

| flag type | severity | when | spans |
| --- | --- | --- | --- |
| `forbidden_term` | major | a forbidden target term of the entry is in the translation | source term, forbidden term |
| `terminology` | major | none of the entry's approved target terms is in the translation | source term |
| `do_not_translate` | major | a do-not-translate term is not in the translation exactly as in the source | source term |

A forbidden term inside an approved one (`Adresse` in an approved `E-Mail-Adresse`)
does not count. A translation that uses a forbidden term gets only the
`forbidden_term` flag for that entry, not also `terminology`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from lacuna.flag_types import DO_NOT_TRANSLATE, FORBIDDEN_TERM, TERMINOLOGY
from lacuna.glossary import GlossaryEntry, term_is_case_sensitive
from lacuna.server.model import FlagData
from lacuna.server.terminology.matching import Term, Text, character_level, fold

DETECTOR = "terminology"
FLAG_TYPES = (TERMINOLOGY, FORBIDDEN_TERM, DO_NOT_TRANSLATE)


def _case(entry: GlossaryEntry, text: str) -> bool:
    if entry.case_sensitive is not None:
        return entry.case_sensitive
    return entry.do_not_translate or term_is_case_sensitive(text)


@dataclass
class CompiledEntry:
    entry: GlossaryEntry
    sources: list[Term]
    targets: list[Term]
    forbidden: list[Term]


@dataclass
class SourceHit:
    entry: CompiledEntry
    term: Term
    span: tuple[int, int]


class PairGlossary:
    """A glossary's entries for one language pair, indexed for fast lookup in source texts."""

    def __init__(self, entries: list[GlossaryEntry], src_lang: str, tgt_lang: str):
        self.src_lang, self.tgt_lang = src_lang, tgt_lang
        self.entries: list[CompiledEntry] = []
        # first word key (or first character) -> (entry, term) to try there
        self._index: dict[str, list[tuple[CompiledEntry, Term]]] = defaultdict(list)
        for entry in entries:
            compiled = CompiledEntry(
                entry,
                [Term(t, src_lang, _case(entry, t)) for t in entry.source_terms],
                [Term(t, tgt_lang, _case(entry, t)) for t in entry.targets],
                [Term(t, tgt_lang, _case(entry, t)) for t in entry.forbidden],
            )
            compiled.sources = [t for t in compiled.sources if not t.empty]
            if not compiled.sources:
                continue
            self.entries.append(compiled)
            for term in compiled.sources:
                self._index[self._first(term)].append((compiled, term))

    def __len__(self) -> int:
        return len(self.entries)

    def _first(self, term: Term) -> str:
        if character_level(self.src_lang):
            return term.chars[0]
        return term.keys[0]

    def source_hits(self, source: Text) -> list[SourceHit]:
        """Entries whose source term is in the source; overlapping hits keep the longest."""
        candidates: dict[int, tuple[CompiledEntry, Term]] = {}
        if character_level(self.src_lang):
            for text in {source.chars(False)[0], source.chars(True)[0]}:
                for c in set(text):
                    for entry, term in self._index.get(c, ()):
                        candidates[id(term)] = (entry, term)
        else:
            for key in set(source.keys) | set(source.surface):
                for entry, term in self._index.get(key, ()):
                    candidates[id(term)] = (entry, term)
        hits = [SourceHit(entry, term, span)
                for entry, term in candidates.values() for span in source.find(term)]
        hits.sort(key=lambda h: (-(h.span[1] - h.span[0]), h.span[0]))
        kept: list[SourceHit] = []
        for hit in hits:
            if any(hit.span[0] < k.span[1] and k.span[0] < hit.span[1] and hit.span != k.span for k in kept):
                continue  # inside a longer term (entries with the same span are all judged)
            kept.append(hit)
        kept.sort(key=lambda h: h.span[0])
        first: dict[int, SourceHit] = {}
        for hit in kept:
            first.setdefault(id(hit.entry), hit)  # one judgement per entry: its first occurrence
        return list(first.values())


def check_terms(glossary: PairGlossary, source: str, translation: str) -> tuple[list[FlagData], int]:
    """Flags for one segment, and the number of glossary entries judged (source terms found)."""
    src = Text(source, glossary.src_lang)
    tgt = Text(translation, glossary.tgt_lang)
    hits = glossary.source_hits(src)
    flags: list[FlagData] = []
    for hit in hits:
        flag = _do_not_translate(hit, source, translation) if hit.entry.entry.do_not_translate \
            else _judge(hit, source, tgt)
        if flag is not None:
            flags.append(flag)
    return flags, len(hits)


def _quote(terms) -> str:
    return " / ".join(f"'{t.text}'" for t in terms)


def _judge(hit: SourceHit, source: str, tgt: Text) -> FlagData | None:
    entry = hit.entry
    found_text = source[hit.span[0]:hit.span[1]]
    approved = [span for term in entry.targets for span in tgt.find(term, lenient=True)]
    for term in entry.forbidden:
        for span in tgt.find(term):
            if any(a[0] <= span[0] and span[1] <= a[1] and a != span for a in approved):
                continue  # part of an approved term
            should = f"; use {_quote(entry.targets)}" if entry.targets else ""
            return FlagData(
                type=FORBIDDEN_TERM, severity="major", detector=DETECTOR, confidence=1.0,
                source_span=hit.span, target_span=span,
                message=f"forbidden term '{tgt.text[span[0]:span[1]]}' used for '{found_text}'{should} (glossary)",
            )
    if entry.targets and not approved:
        pos = f" ({entry.entry.part_of_speech})" if entry.entry.part_of_speech else ""
        return FlagData(
            type=TERMINOLOGY, severity="major", detector=DETECTOR, confidence=0.9, source_span=hit.span,
            message=f"'{found_text}'{pos} should be translated as {_quote(entry.targets)} (glossary); "
                    "the translation has none of them",
        )
    return None


def _do_not_translate(hit: SourceHit, source: str, translation: str) -> FlagData | None:
    found_text = source[hit.span[0]:hit.span[1]]
    if hit.term.case_sensitive:
        present = found_text in translation
    else:
        present = fold(found_text) in fold(translation)
    if present:
        return None
    return FlagData(
        type=DO_NOT_TRANSLATE, severity="major", detector=DETECTOR, confidence=1.0, source_span=hit.span,
        message=f"'{found_text}' must appear unchanged in the translation (do-not-translate list)",
    )
