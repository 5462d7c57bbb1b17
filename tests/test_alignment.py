"""The DP sentence aligner on controlled embeddings: skips, one-to-one, merges."""

import numpy as np

from lacuna.server.omission.alignment import align


def unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def basis(n, dim=16):
    return np.eye(dim, dtype=np.float32)[:n]


def run(src, tgt, threshold=0.3):
    n, m = len(src), len(tgt)
    return align(src, tgt, np.ones(n), np.ones(m), np.zeros(n), np.zeros(m), threshold)


def shape(beads):
    return [(b.src, b.tgt) for b in beads]


def test_unmatched_source_sentence_is_a_one_zero_bead():
    e = basis(4)
    beads = run(e[[0, 1, 2, 3]], e[[0, 2, 3]])
    assert shape(beads) == [((0, 1), (0, 1)), ((1, 2), (1, 1)), ((2, 3), (1, 2)), ((3, 4), (2, 3))]
    assert not beads[1].matched and beads[0].matched


def test_unmatched_target_sentence_is_an_addition_bead():
    e = basis(5)
    beads = run(e[[0, 1]], e[[0, 4, 1]])
    assert ((1, 1), (1, 2)) in shape(beads)


def test_one_target_sentence_covering_two_sources_merges():
    e = basis(4)
    merged = unit([e[1] + e[2]])[0]
    beads = run(e[[0, 1, 2, 3]], np.stack([e[0], merged, e[3]]))
    assert ((1, 3), (1, 2)) in shape(beads)
    assert all(b.matched for b in beads)


def test_empty_sides():
    e = basis(3)
    assert all(not b.matched for b in run(e[:3], e[:0]))
    assert len(run(e[:0], e[:2])) == 2
    assert run(e[:0], e[:0]) == []


def test_leftovers_in_the_same_gap_that_prefer_each_other_are_paired():
    from lacuna.server.omission.alignment import Bead, pair_leftovers

    sims = np.array([[0.9, 0.0, 0.0], [0.0, 0.2, 0.0], [0.0, 0.0, 0.1]])
    beads = [Bead((0, 1), (0, 1), 0.9), Bead((1, 2), (1, 1), float("nan")), Bead((2, 2), (1, 2), float("nan")),
             Bead((2, 3), (2, 3), 0.1)]
    out = pair_leftovers(beads, sims, floor=0.15)
    assert shape(out) == [((0, 1), (0, 1)), ((1, 2), (1, 2)), ((2, 3), (2, 3))]
    # below the floor they stay an omission and an addition, unless they share a number
    assert shape(pair_leftovers(beads, sims, floor=0.25)) == shape(beads)
    shared = lambda i, j: (i, j) == (1, 1)  # noqa: E731
    assert shape(pair_leftovers(beads, sims, floor=0.25, shared_number=shared))[1] == ((1, 2), (1, 2))


def test_leftovers_in_different_gaps_are_not_paired():
    from lacuna.server.omission.alignment import Bead, pair_leftovers

    sims = np.array([[0.0, 0.9, 0.0], [0.0, 0.0, 0.9], [0.5, 0.0, 0.0]])
    beads = [Bead((0, 0), (0, 1), float("nan")), Bead((0, 1), (1, 2), 0.9), Bead((1, 2), (2, 3), 0.9),
             Bead((2, 3), (3, 3), float("nan"))]
    assert shape(pair_leftovers(beads, sims, floor=0.1)) == shape(beads)


def test_sentences_left_over_in_one_gap_that_translate_each_other_become_loose_pairs():
    from lacuna.server.omission.alignment import Bead, pair_in_gaps

    # source 1 and 2, target 1 and 2 left over between two matched beads
    beads = [Bead((0, 1), (0, 1), 0.9), Bead((1, 2), (1, 1), float("nan")), Bead((2, 3), (1, 1), float("nan")),
             Bead((3, 3), (1, 2), float("nan")), Bead((3, 3), (2, 3), float("nan")), Bead((3, 4), (3, 4), 0.8)]
    strong = {(1, 1): 0.5, (2, 2): 0.3}
    out = pair_in_gaps(beads, lambda i, j, lone: strong.get((i, j)), lambda i, j: 0.01)
    assert shape(out) == [((0, 1), (0, 1)), ((1, 2), (1, 2)), ((2, 3), (2, 3)), ((3, 4), (3, 4))]
    assert [b.loose for b in out] == [False, True, True, False]
    # only the strongest of two crossing pairs is kept; the rest stay an omission and an addition
    out = pair_in_gaps(beads, lambda i, j, lone: {(1, 2): 0.5, (2, 1): 0.4}.get((i, j)), lambda i, j: 0.01)
    assert [(b.src, b.tgt) for b in out if b.loose] == [((1, 2), (2, 3))]
    assert sum(1 for b in out if not b.matched) == 2
    assert shape(pair_in_gaps(beads, lambda i, j, lone: None, lambda i, j: 0.0)) == shape(beads)
