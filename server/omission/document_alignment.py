"""Aligning the sentences of a source and its translation (the document analysis' first half).

The threshold adapts to the document: a share of the typical similarity of its mutually-best
sentence pairs, so it follows how well the encoder knows the language pair. After the dynamic
programme (alignment.py), a source and a target sentence left unmatched in the same gap, each
the other's best partner, are paired as a loose translation (a shared number makes that easier).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lacuna.server.omission.alignment import Bead, align, pair_leftovers
from lacuna.server.omission.evidence import numbers
from lacuna.server.omission.length import log_length_ratio
from lacuna.server.omission.passages import Sentence
from lacuna.server.omission.settings import Settings
from lacuna.server.omission.similarity import Embeddings, normalized_matrix


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
                   settings: Settings) -> DocumentAlignment:
    """Align the sentences (already embedded in `emb`)."""
    src, tgt = Side.of(src_items, emb, dim), Side.of(tgt_items, emb, dim)
    threshold = adaptive_threshold(src, tgt, settings)
    beads = align(src.emb, tgt.emb, src.weights, tgt.weights, src.bias, tgt.bias, threshold, settings.merge_penalty)
    if src_items and tgt_items:  # a source and a target sentence left over at the same place: a loose pair?
        sims = normalized_matrix(src.emb, tgt.emb, src.bias, tgt.bias)
        beads = pair_leftovers(beads, sims, settings.leftover_share * threshold,
                               lambda i, j: bool(numbers(src_items[i].text) & numbers(tgt_items[j].text)))
    ratios = [log_length_ratio(src.weights[b.src[0]:b.src[1]].sum(), tgt.weights[b.tgt[0]:b.tgt[1]].sum())
              for b in beads if b.matched]
    expected = float(np.median(ratios)) if len(ratios) >= settings.min_beads_for_expected_ratio else 0.0
    return DocumentAlignment(src, tgt, threshold, beads, ratios, expected)
