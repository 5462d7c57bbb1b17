"""Consistency across a job: one source translated two ways, or one translation given to two sources.

Texts are compared in a normalised form (NFKC, case-folded, runs of white space
made one space, trailing sentence punctuation dropped), within one language pair
and one context: segments whose `context` label (a PO `msgctxt`) or `resname`
label (an XLIFF resname) differs may legitimately be translated differently and
are never compared (`lacuna score --consistency-context` chooses the labels). Empty translations are left out.

Only 64-bit keys of the normalised texts are kept, never the texts:

- `find_inconsistencies` judges a whole job at once (the batch client) in a few
  sorted numpy arrays, 16 bytes per segment.
- `ConsistencyStream` judges segments as they arrive (a server stream): a later
  segment that disagrees with earlier ones is flagged with their ids; the earlier
  ones, already answered, are not. It keeps at most `max_keys` texts per direction.

Within a set of disagreeing segments, the variant most segments share is taken as
the consistent one and only the others are flagged; when no variant is the most
common, every segment of the set is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from lacuna.flag_types import INCONSISTENT_TRANSLATION as FLAG_TYPE
from lacuna.languages import UnknownLanguage, parse

#: Labels that set a segment's context: a PO msgctxt (`context`), an XLIFF resname (`resname`).
CONTEXT_LABELS = ("context", "resname")
SAME_SOURCE, SAME_TRANSLATION = "source", "translation"
#: Ids listed on one flag (the message names fewer).
MAX_RELATED = 50
MESSAGE_IDS = 5

_SPACE = re.compile(r"\s+")
_TRAILING = re.compile(r"[\s.!?:;…。！？：；]+$")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _TRAILING.sub("", _SPACE.sub(" ", text).strip())


def _key(pair: tuple[str, str, str], text: str) -> int:
    return hash((pair, normalise(text)))


def _canonical(tag: str) -> str:
    """`en_US` and `en-us` are one language pair; an unknown tag is kept as given."""
    try:
        return parse(tag).tag
    except UnknownLanguage:
        return tag


@dataclass(frozen=True)
class Inconsistency:
    """One segment's disagreement: `kind` is SAME_SOURCE (its source is translated differently
    elsewhere) or SAME_TRANSLATION (its translation is given to other sources); `related` are
    the other segments' ids (at most MAX_RELATED), `total` how many there are."""

    kind: str
    related: tuple[str, ...]
    total: int

    def message(self) -> str:
        shown = ", ".join(self.related[:MESSAGE_IDS])
        more = f" and {self.total - MESSAGE_IDS} more" if self.total > MESSAGE_IDS else ""
        if self.kind == SAME_SOURCE:
            return f"the same source is translated differently in segment(s) {shown}{more}"
        return f"the same translation is given for a different source in segment(s) {shown}{more}"


@dataclass(frozen=True)
class Item:
    """What the consistency pass needs of a segment."""

    id: str
    source: str
    translation: str
    src_lang: str
    tgt_lang: str
    context: str = ""

    @classmethod
    def of(cls, id: str, source: str, translation: str, src_lang: str, tgt_lang: str,
           labels: Mapping[str, str] | None = None, context_labels: Sequence[str] = CONTEXT_LABELS) -> "Item":
        labels = labels or {}
        context = "\x1f".join(str(labels.get(k, "")) for k in context_labels)
        return cls(id, source, translation, _canonical(src_lang), _canonical(tgt_lang), context)

    @property
    def scope(self) -> tuple[str, str, str]:
        return (self.src_lang, self.tgt_lang, self.context)


def find_inconsistencies(items: Iterable[Item]) -> dict[str, list[Inconsistency]]:
    """Every segment of a job that disagrees with others, in both directions."""
    import numpy as np

    ids: list[str] = []
    src_keys: list[int] = []
    tgt_keys: list[int] = []
    for item in items:
        if not normalise(item.translation):
            continue
        ids.append(item.id)
        src_keys.append(_key(item.scope, item.source))
        tgt_keys.append(_key(item.scope, item.translation))
    out: dict[str, list[Inconsistency]] = {}
    if not ids:
        return out
    s = np.array(src_keys, dtype=np.int64)
    t = np.array(tgt_keys, dtype=np.int64)
    for kind, group, variant in ((SAME_SOURCE, s, t), (SAME_TRANSLATION, t, s)):
        for members in _disagreeing_sets(np, group, variant):
            _flag_set(kind, members, variant, ids, out)
    return out


def _disagreeing_sets(np, group, variant):
    """Positions of each set sharing a `group` key with more than one `variant` key."""
    order = np.lexsort((variant, group))
    g, v = group[order], variant[order]
    same_group = g[1:] == g[:-1]
    differs = same_group & (v[1:] != v[:-1])
    if not differs.any():
        return
    starts = np.flatnonzero(np.concatenate(([True], ~same_group)))
    ends = np.append(starts[1:], len(g))
    bad = np.isin(g[starts], g[1:][differs])
    for start, end in zip(starts[bad].tolist(), ends[bad].tolist()):
        yield order[start:end]


def _flag_set(kind: str, members, variant, ids: Sequence[str], out: dict[str, list[Inconsistency]]) -> None:
    by_variant: dict[int, list[int]] = {}
    for pos in members.tolist():
        by_variant.setdefault(int(variant[pos]), []).append(pos)
    sizes = sorted((len(p) for p in by_variant.values()), reverse=True)
    majority = max(by_variant, key=lambda k: len(by_variant[k])) if sizes[0] > sizes[1] else None
    for key, positions in by_variant.items():
        if key == majority:
            continue
        others = [ids[p] for k, ps in by_variant.items() if k != key for p in ps]
        flag = Inconsistency(kind, tuple(others[:MAX_RELATED]), len(others))
        for pos in positions:
            out.setdefault(ids[pos], []).append(flag)


class ConsistencyStream:
    """Consistency over segments that arrive one batch at a time (a server stream)."""

    def __init__(self, max_keys: int = 200_000):
        self.max_keys = max_keys
        # key of one side -> (key of the other side, first id, segments seen with it) while the set
        # has one variant; a set with several moves to _variants: variant -> [count, ids...]
        self._first: dict[str, dict[int, tuple[int, str, int]]] = {SAME_SOURCE: {}, SAME_TRANSLATION: {}}
        self._variants: dict[str, dict[int, dict[int, list]]] = {SAME_SOURCE: {}, SAME_TRANSLATION: {}}

    def add(self, item: Item) -> list[Inconsistency]:
        """What `item` disagrees with among the segments seen before it."""
        if not normalise(item.translation):
            return []
        s, t = _key(item.scope, item.source), _key(item.scope, item.translation)
        found = []
        for kind, group, variant in ((SAME_SOURCE, s, t), (SAME_TRANSLATION, t, s)):
            flag = self._add(kind, group, variant, item.id)
            if flag is not None:
                found.append(flag)
        return found

    def _add(self, kind: str, group: int, variant: int, id: str) -> Inconsistency | None:
        first = self._first[kind]
        seen = first.get(group)
        if seen is None:
            if len(first) < self.max_keys:
                first[group] = (variant, id, 1)
            return None
        variants = self._variants[kind].get(group)
        if variants is None:
            if seen[0] == variant:
                first[group] = (variant, seen[1], seen[2] + 1)
                return None
            variants = self._variants[kind][group] = {seen[0]: [seen[2], seen[1]]}
        mine = variants.setdefault(variant, [0])
        mine[0] += 1
        if len(mine) <= MAX_RELATED:
            mine.append(id)
        if all(mine[0] > other[0] for k, other in variants.items() if k != variant):
            return None  # the most common variant so far
        others = [i for k, other in variants.items() if k != variant for i in other[1:]]
        total = sum(other[0] for k, other in variants.items() if k != variant)
        return Inconsistency(kind, tuple(others[:MAX_RELATED]), total)
