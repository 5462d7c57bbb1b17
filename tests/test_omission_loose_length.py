"""The length veto of loose pairs (LoosePairJudge.too_short, applied in document_alignment.align_document): a source sentence left
unmatched next to a target sentence far too short to render it is not paired with it as a loose
translation, however much the latent terms say they are alike (a dropped sentence stays an
omission); nor one rather too short whose dense similarity is weak; a leftover pair of fitting
lengths, or rather too short but densely alike, still is."""

from __future__ import annotations

import numpy as np

import lacuna.server.omission.document_alignment as da
from lacuna.server.omission.loose_pairs import LoosePairJudge
from lacuna.server.omission.passages import Sentence
from lacuna.server.omission.settings import Settings


class _Embeddings:
    """Sentences with the same name ("a" / "a'") share one vector; the rest are orthogonal."""

    def __init__(self, texts: list[str], dim: int, leftover_similarity: float = 0.0):
        self.leftover_similarity = leftover_similarity
        keys = sorted({t.rstrip("'") for t in texts})
        self.vectors = {t: np.eye(dim, dtype=np.float32)[keys.index(t.rstrip("'"))] for t in texts}
        self.bias = {t: 0.0 for t in texts}

    def add(self, texts):
        pass

    def between(self, a, b):
        """The dense similarity the loose-pair pass sees (the leftovers "x" and "y": as set)."""
        if {a, b} == {"x", "y"}:
            return self.leftover_similarity
        return float(self.vectors[a] @ self.vectors[b])


class _AlwaysAlike(LoosePairJudge):
    """A loose-pair judge whose direct comparison finds every pair a translation (its length
    veto, `too_short`, is the real one)."""

    measurer = None

    def __init__(self, settings: Settings):
        self.settings = settings

    def evidence(self, s, t, emb):
        return None

    def strength(self, ev, threshold, lone=False):
        return 1.0


def _sentences(names: list[str], units: list[float]) -> list[Sentence]:
    return [Sentence((10 * k, 10 * k + 9), n, u, True) for k, (n, u) in enumerate(zip(names, units))]


def _loose_pairs(leftover_units: float, leftover_similarity: float = 0.0) -> list:
    src = _sentences(["a", "b", "c", "x", "d", "e"], [40.0, 40.0, 40.0, 60.0, 40.0, 40.0])
    tgt = _sentences(["a'", "b'", "c'", "y", "d'", "e'"], [40.0, 40.0, 40.0, leftover_units, 40.0, 40.0])
    emb = _Embeddings([s.text for s in src + tgt], 16, leftover_similarity)
    settings = Settings(attach_fragments=False, align_threshold=0.1, min_pairs_for_document=100)
    doc = da.align_document(src, tgt, emb, 16, settings, loose=_AlwaysAlike(settings))
    return [(b.src, b.tgt) for b in doc.beads if b.loose]


def test_a_leftover_target_far_too_short_is_no_loose_pair():
    assert _loose_pairs(leftover_units=4.0) == []  # 60 source units against 4 target units


def test_a_leftover_target_of_fitting_length_is_a_loose_pair():
    assert _loose_pairs(leftover_units=50.0) == [((3, 4), (3, 4))]


def test_a_leftover_target_rather_too_short_and_weakly_alike_is_no_loose_pair():
    # 60 source units against 20: log ratio -0.96 (between the two bars); dense share 0.1
    assert _loose_pairs(leftover_units=20.0, leftover_similarity=0.01) == []


def test_a_leftover_target_rather_too_short_but_densely_alike_is_a_loose_pair():
    assert _loose_pairs(leftover_units=20.0, leftover_similarity=0.08) == [((3, 4), (3, 4))]
