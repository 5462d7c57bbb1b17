"""The length test of split_merges and attach_fragments (document_alignment.py): a sentence the
translation lacks, folded by the aligner into its neighbour's pair, is split off when the pair's
target is far too short for its source; a pair that the length of its two sides explains keeps
its sentences unless nearly all the words of an edge sentence stay unaligned; a fragment does
not join a pair it would leave that lopsided."""

from __future__ import annotations

import numpy as np
import pytest

import lacuna.server.omission.document_alignment as da
from lacuna.server.omission.alignment import Bead
from lacuna.server.omission.passages import Sentence
from lacuna.server.omission.settings import Settings


class _FlatEmbeddings:
    """Every block pair equally alike: the similarity test of split_merges never fires."""

    def add(self, texts):
        pass

    def between(self, a, b):
        return 0.5


class _Measurer:
    settings = Settings(latent_terms=True, word_alignment=True)


def _side(units: list[float]) -> da.Side:
    items = [Sentence((10 * k, 10 * k + 9), f"s{k}", u, True) for k, u in enumerate(units)]
    return da.Side(items, np.eye(len(units), 8, dtype=np.float32), np.zeros(len(units)), np.array(units))


@pytest.fixture
def unaligned(monkeypatch):
    """Set the share of the skipped sentence's words the word alignment leaves unaligned."""
    share = {"value": 0.95}
    monkeypatch.setattr(da, "_fragment_unaligned", lambda *args: share["value"])
    return share


def test_a_merged_pair_whose_target_lacks_one_source_sentence_sheds_it(unaligned):
    src, tgt = _side([100.0, 100.0]), _side([100.0])  # two source sentences, one target of one's length
    merged = Bead((0, 2), (0, 1), 0.2)
    out = da.split_merges([merged], src, tgt, Settings(), _FlatEmbeddings(), _Measurer(), usual=0.0)
    assert [b for b in out if not b.matched] and len([b for b in out if b.matched]) == 1
    assert sum(b.src[1] - b.src[0] for b in out if b.matched) == 1


def test_a_merge_the_lengths_explain_is_kept(unaligned):
    unaligned["value"] = 0.8  # most of the edge's words unaligned, but not nearly all
    src, tgt = _side([100.0, 100.0]), _side([200.0])  # the target is long enough for both
    merged = Bead((0, 2), (0, 1), 0.2)
    assert da.split_merges([merged], src, tgt, Settings(), _FlatEmbeddings(), _Measurer(), usual=0.0) == [merged]


def test_an_edge_sentence_whose_words_nearly_all_stay_unaligned_is_split_off_whatever_the_lengths(unaligned):
    unaligned["value"] = 0.95
    src, tgt = _side([100.0, 100.0]), _side([200.0])  # lengths fit, yet the words find nothing
    merged = Bead((0, 2), (0, 1), 0.2)
    out = da.split_merges([merged], src, tgt, Settings(), _FlatEmbeddings(), _Measurer(), usual=0.0)
    assert len([b for b in out if b.matched]) == 1 and len([b for b in out if not b.matched]) == 1


def test_a_sentence_whose_words_the_target_renders_stays_in_the_merge(unaligned):
    unaligned["value"] = 0.3
    src, tgt = _side([100.0, 100.0]), _side([100.0])
    merged = Bead((0, 2), (0, 1), 0.2)
    assert da.split_merges([merged], src, tgt, Settings(), _FlatEmbeddings(), _Measurer(), usual=0.0) == [merged]


def test_a_fragment_does_not_join_a_pair_it_would_leave_lopsided(unaligned):
    # the fragment's words look rendered enough for the old bar, but the pair's target is already
    # as long as its own source: joined, the target would be half the source's length
    unaligned["value"] = 0.75
    settings = Settings(attach_unaligned=0.9)
    src, tgt = _side([100.0, 100.0]), _side([100.0])
    beads = [Bead((0, 1), (0, 1), 0.3), Bead((1, 2), (1, 1), float("nan"))]
    assert da.attach_fragments(beads, src, tgt, settings, _FlatEmbeddings(), _Measurer(), usual=0.0) == beads
    longer = _side([200.0])  # a target long enough for both: the fragment joins
    joined = da.attach_fragments(beads, src, longer, settings, _FlatEmbeddings(), _Measurer(), usual=0.0)
    assert len(joined) == 1 and joined[0].src == (0, 2)
