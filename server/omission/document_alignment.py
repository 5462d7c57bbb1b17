"""Aligning the sentences of a source and its translation (the document analysis' first half).

The threshold adapts to the document: a share of the typical similarity of its mutually-best
sentence pairs, so it follows how well the encoder knows the language pair. After the dynamic
programme (alignment.py), a source and a target sentence left unmatched in the same gap, each
the other's best partner, are paired as a loose translation (a shared number makes that easier);
then those that translate each other on direct comparison (loose_pairs.py); then a fragment left
unmatched next to a matched bead joins it when it makes the bead's sides more alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lacuna.server.omission.alignment import Bead, align, pair_in_gaps, pair_leftovers
from lacuna.server.omission.evidence import numbers
from lacuna.server.omission.length import log_length_ratio
from lacuna.server.omission.passages import Sentence
from lacuna.server.omission.settings import Settings
from lacuna.server.omission.similarity import Embeddings, block, latent_cosine, normalized, normalized_matrix

if TYPE_CHECKING:
    from lacuna.server.omission.loose_pairs import LoosePairJudge


@dataclass
class Side:
    """One side's sentences as arrays: embeddings, background biases, lengths (weights)."""

    items: list[Sentence]
    emb: np.ndarray
    bias: np.ndarray
    weights: np.ndarray

    @classmethod
    def of(cls, items: list[Sentence], emb: Embeddings, dim: int) -> "Side":
        if not items:
            return cls(items, np.zeros((0, dim), np.float32), np.zeros(0), np.zeros(0))
        return cls(items, np.stack([emb.vectors[s.text] for s in items]),
                   np.array([emb.bias[s.text] for s in items]), np.array([max(s.units, 1.0) for s in items]))


@dataclass
class DocumentAlignment:
    """The sentence alignment of one pair, and what was used to find it."""

    src: Side
    tgt: Side
    threshold: float
    beads: list[Bead]
    #: log length ratio of each matched bead, in order
    ratios: list[float]
    #: the document's own expected log length ratio (median over matched beads), or 0
    expected: float

    @property
    def matched(self) -> list[Bead]:
        return [b for b in self.beads if b.matched]


def adaptive_threshold(src: Side, tgt: Side, settings: Settings) -> float:
    """For documents, a share of the median similarity of the mutually-best sentence pairs; for
    short texts the default."""
    st = settings
    if src.emb.shape[0] == 0 or tgt.emb.shape[0] == 0:
        return st.align_threshold
    sims = normalized_matrix(src.emb, tgt.emb, src.bias, tgt.bias)
    rows, cols = sims.argmax(axis=1), sims.argmax(axis=0)
    mutual = [float(sims[i, rows[i]]) for i in range(sims.shape[0]) if cols[rows[i]] == i]
    if len(mutual) < st.min_pairs_for_document:
        return st.align_threshold
    return float(np.clip(st.document_threshold_share * np.median(mutual),
                         st.document_threshold_min, st.document_threshold_max))


def align_document(src_items: list[Sentence], tgt_items: list[Sentence], emb: Embeddings, dim: int,
                   settings: Settings, loose: "LoosePairJudge | None" = None) -> DocumentAlignment:
    """Align the sentences (already embedded in `emb`). With `loose`, two sentences left unmatched
    in one gap that translate each other are joined as a loose translation."""
    src, tgt = Side.of(src_items, emb, dim), Side.of(tgt_items, emb, dim)
    threshold = adaptive_threshold(src, tgt, settings)
    beads = align(src.emb, tgt.emb, src.weights, tgt.weights, src.bias, tgt.bias, threshold, settings.merge_penalty)
    if src_items and tgt_items:  # a source and a target sentence left over at the same place: a loose pair?
        sims = normalized_matrix(src.emb, tgt.emb, src.bias, tgt.bias)
        beads = pair_leftovers(beads, sims, settings.leftover_share * threshold,
                               lambda i, j: bool(numbers(src_items[i].text) & numbers(tgt_items[j].text)))
        if loose is not None:
            beads = pair_in_gaps(beads, lambda i, j, lone: loose.strength(
                loose.evidence(src_items[i], tgt_items[j], emb), threshold, lone),
                                 lambda i, j: emb.between(src_items[i].text, tgt_items[j].text))
    if loose is not None and settings.attach_fragments:
        beads = attach_fragments(beads, src, tgt, settings, loose)
    ratios = [log_length_ratio(src.weights[b.src[0]:b.src[1]].sum(), tgt.weights[b.tgt[0]:b.tgt[1]].sum())
              for b in beads if b.matched]
    expected = float(np.median(ratios)) if len(ratios) >= settings.min_beads_for_expected_ratio else 0.0
    return DocumentAlignment(src, tgt, threshold, beads, ratios, expected)


def block_similarity(src: Side, tgt: Side, s_range: tuple[int, int], t_range: tuple[int, int]) -> float:
    """Normalized dense similarity of two blocks of sentences (length-weighted means)."""
    (a, b), (c, d) = s_range, t_range
    return float(normalized(block(src.emb[a:b], src.weights[a:b]) @ block(tgt.emb[c:d], tgt.weights[c:d]),
                            np.average(src.bias[a:b], weights=src.weights[a:b]),
                            np.average(tgt.bias[c:d], weights=tgt.weights[c:d])))


def attach_fragments(beads: list[Bead], src: Side, tgt: Side, settings: Settings,
                     judge: "LoosePairJudge") -> list[Bead]:
    """Fourth pass: a sentence left unmatched next to a matched bead joins it when the bead's two
    sides are at least as alike with it as without (latent terms, where the bead is long enough
    for them, and dense similarity within `attach_margin`): a fragment that one side cut off as a
    sentence of its own ("と彼は述べた。", "The Rev.", a German ordinal's full stop) is part of
    its neighbour's translation, not an omission or an addition."""
    out = list(beads)
    k = 0
    while k < len(out):
        bead = out[k]
        if bead.matched:
            k += 1
            continue
        best = None
        for n in (k - 1, k + 1):
            if not 0 <= n < len(out) or not out[n].matched:
                continue
            grown = _grown(out[n], bead)
            if grown is None:
                continue
            fragment = src.items[bead.src[0]] if bead.src[1] > bead.src[0] else tgt.items[bead.tgt[0]]
            gain = _attach_gain(out[n], grown, fragment.units, src, tgt, settings, judge)
            if gain is not None and (best is None or gain > best[0]):
                best = (gain, n, grown)
        if best is None:
            k += 1
            continue
        _, n, grown = best
        out[n] = Bead(grown[0], grown[1], block_similarity(src, tgt, *grown), loose=out[n].loose)
        del out[k]
        k = max(0, min(k, n) - 1)
    return out


def _grown(neighbour: Bead, skip: Bead) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The ranges of `neighbour` with the skipped sentence added, when it is adjacent on its side."""
    (a, b), (c, d) = neighbour.src, neighbour.tgt
    if skip.src[1] > skip.src[0]:
        i = skip.src[0]
        return ((a, i + 1), (c, d)) if i == b else ((i, b), (c, d)) if i + 1 == a else None
    j = skip.tgt[0]
    return ((a, b), (c, j + 1)) if j == d else ((a, b), (j, d)) if j + 1 == c else None


def _attach_gain(bead: Bead, grown, units: float, src: Side, tgt: Side, settings: Settings,
                 judge: "LoosePairJudge") -> float | None:
    """How much more alike the bead's sides become with the fragment of `units` content units
    (None: less alike). A short fragment joins on dense similarity; a longer one needs the latent
    terms: the dense similarity of a block barely moves when a sentence is added, whether it is
    rendered or omitted."""
    dense = block_similarity(src, tgt, *grown) - block_similarity(src, tgt, bead.src, bead.tgt)
    if dense < -settings.attach_margin:
        return None
    new_src, new_tgt = src.items[slice(*grown[0])], tgt.items[slice(*grown[1])]
    if units < settings.fragment_units and dense >= 0.0:  # a few words: too little to be an omission
        return dense
    if not judge.measurer.use_latent(new_src, new_tgt):
        return None
    old = latent_cosine(judge.encoder, [x.text for x in src.items[slice(*bead.src)]],
                        [x.text for x in tgt.items[slice(*bead.tgt)]])
    new = latent_cosine(judge.encoder, [x.text for x in new_src], [x.text for x in new_tgt])
    return new - old if new >= old else None
