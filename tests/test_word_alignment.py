"""Word alignment on token states: the mutual-best rule on vectors built by hand, blocks of
sentences, and real translations with and without a dropped passage."""

import numpy as np
import pytest

from lacuna.server.omission.token_states import E5TokenStates, TokenStates
from lacuna.server.omission.word_alignment import align_words, join


def states(vectors, spans, words, content=None):
    v = np.asarray(vectors, dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    content = np.ones(len(v), bool) if content is None else np.asarray(content, bool)
    return TokenStates(v.astype(np.float16), tuple(spans), np.asarray(words), content)


def test_mutual_best_tokens_align_and_the_missing_word_is_left():
    eye = np.eye(4)
    # source: four one-token words; the translation renders three of them (in another order)
    source = states(eye, [(0, 3), (4, 8), (9, 12), (13, 18)], [0, 1, 2, 3])
    target = states(eye[[2, 0, 3]] + 0.1, [(0, 2), (3, 6), (7, 9)], [0, 1, 2])
    found = align_words(source, target)
    assert found.source_words == 4 and found.target_words == 3
    assert found.source_unaligned == pytest.approx(0.25)
    assert found.target_unaligned == pytest.approx(0.0)
    assert found.source_gaps == ((4, 8),)


def test_a_word_is_aligned_when_any_of_its_tokens_is():
    eye = np.eye(3)
    source = states(eye, [(0, 2), (2, 5), (6, 9)], [0, 0, 1])  # word 0 has two tokens
    target = states(eye[[1, 2]], [(0, 3), (4, 7)], [0, 1])
    found = align_words(source, target)
    assert found.source_unaligned == 0.0 and found.source_gaps == ()


def test_punctuation_competes_but_is_not_counted():
    eye = np.eye(3)
    # the source's second word is closest to the translation's comma, but the comma is closer to
    # the source's own comma: that word stays unaligned
    source = states([eye[0], 0.8 * eye[1] + 0.6 * eye[2], eye[2]], [(0, 3), (4, 8), (8, 9)], [0, 1, 2],
                    [True, True, False])
    target = states(eye[[0, 2]], [(0, 3), (3, 4)], [0, 1], [True, False])
    found = align_words(source, target)
    assert found.source_words == 2 and found.target_words == 1
    assert found.source_unaligned == 0.5 and found.source_gaps == ((4, 8),)
    assert found.target_unaligned == 0.0


def test_empty_sides():
    empty = TokenStates(np.zeros((0, 4), np.float16), (), np.zeros(0, np.int64), np.zeros(0, bool))
    one = states([[1, 0, 0, 0]], [(0, 4)], [0])
    assert align_words(one, empty).source_unaligned == 1.0
    assert align_words(one, empty).source_gaps == ((0, 4),)
    assert align_words(empty, one).target_unaligned == 1.0
    assert align_words(empty, empty).source_unaligned == 0.0


def test_join_shifts_spans_and_keeps_words_apart():
    a = states([[1, 0], [0, 1]], [(0, 2), (3, 5)], [0, 1])
    b = states([[1, 1]], [(0, 4)], [0])
    block = join([(a, 10), (b, 20)])
    assert block.spans == ((10, 12), (13, 15), (20, 24))
    assert block.words.tolist() == [0, 1, 2]


@pytest.fixture(scope="module")
def model():
    return E5TokenStates()


def test_a_dropped_clause_leaves_its_words_unaligned(model):
    source = "The museum will open a new room for ancient pottery next spring, the mayor said on Tuesday."
    full = "El museo abrirá una nueva sala de cerámica antigua la próxima primavera, dijo el alcalde el martes."
    cut = "El museo abrirá una nueva sala la próxima primavera."
    s, f, c = model.states([source, full, cut])
    complete, partial = align_words(s, f), align_words(s, c)
    assert partial.source_unaligned > complete.source_unaligned + 0.15
    # what the cut translation lost is where its unaligned source words are
    lost = {source[a:b] for a, b in partial.source_gaps}
    assert {"mayor", "Tuesday"} <= lost or {"pottery", "mayor"} <= lost
    assert complete.target_unaligned < 0.3


DROPPED_CLAUSES = {
    "es": ("The museum will open a new room for ancient pottery next spring, the mayor said on Tuesday.",
           "El museo abrirá una nueva sala de cerámica antigua la próxima primavera, dijo el alcalde el martes.",
           "El museo abrirá una nueva sala la próxima primavera."),
    "ja": ("The prime minister met the NATO secretary general in Tokyo and discussed security in Asia.",
           "首相は東京でNATO事務総長と会談し、アジアの安全保障について話し合った。",
           "首相は東京でNATO事務総長と会談した。"),
}


@pytest.mark.parametrize("lang", sorted(DROPPED_CLAUSES))
def test_a_dropped_clause_raises_the_unaligned_share_and_weakens_the_coverage(model, lang):
    s, f, c = model.states(list(DROPPED_CLAUSES[lang]))
    complete, partial = align_words(s, f), align_words(s, c)
    assert partial.source_unaligned > complete.source_unaligned + 0.1
    assert partial.weak_coverage > complete.weak_coverage + 0.1


def test_weak_coverage_is_the_least_covered_fifth_of_the_source_words():
    eye = np.eye(6)
    # ten one-token words; the translation has close tokens for eight, none for the last two
    source = states(np.r_[np.tile(eye[:4], (2, 1)), [eye[4], eye[5]]], [(i, i + 1) for i in range(10)], list(range(10)))
    full = states(np.r_[eye[:4], [eye[4], eye[5]]], [(i, i + 1) for i in range(6)], list(range(6)))
    cut = states(eye[:4], [(i, i + 1) for i in range(4)], list(range(4)))
    assert align_words(source, full).weak_coverage == pytest.approx(0.0, abs=1e-3)
    assert align_words(source, cut).weak_coverage == pytest.approx(1.0, abs=1e-3)  # the two left out: cosine 0
    # a punctuation token is neither a word nor a cover: the same figures with one on each side
    comma = [0.3, 0.3, 0.3, 0.3, 0.3, 0.3]
    source_p = states(np.r_[source.vectors.astype(np.float32), [comma]], source.spans + ((10, 11),),
                      list(range(11)), [True] * 10 + [False])
    cut_p = states(np.r_[cut.vectors.astype(np.float32), [comma]], cut.spans + ((4, 5),), list(range(5)),
                   [True] * 4 + [False])
    assert align_words(source_p, cut_p).weak_coverage == pytest.approx(1.0, abs=1e-3)
    empty = TokenStates(np.zeros((0, 6), np.float16), (), np.zeros(0, np.int64), np.zeros(0, bool))
    assert align_words(source, empty).weak_coverage == 1.0 and align_words(empty, full).weak_coverage == 0.0
