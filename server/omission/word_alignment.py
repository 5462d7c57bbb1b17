"""Word alignment between a source and its translation, from the encoder's token states.

Two tokens are aligned when each is the other's most similar token on the other side (the
"mutual argmax" of SimAlign, Jalili Sabet et al. 2020); a word is aligned when any of its
tokens is. What a translation leaves out has nothing to align to, so the share of source words
left unaligned rises with an omission, and the share of translation words left unaligned with
an addition. Neither needs a threshold: each side's words only compete with each other.

On HalOmi, out of fold, the unaligned share of source words added to the latent-term model
raises sentence-level omission detection from 0.801 to 0.806, and the translation side raises
hallucination detection with the addition score from 0.755 to 0.767 (bench/bench_omission.py
--fit-only --limit 0, with and without --no-word-alignment).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lacuna.server.omission.token_states import TokenStates


@dataclass(frozen=True)
class WordAlignment:
    source_unaligned: float  # share of the source's words with no aligned token (0 when no words)
    target_unaligned: float  # the same for the translation
    source_words: int
    target_words: int
    source_gaps: tuple[tuple[int, int], ...]  # code-point spans of the unaligned source words
    #: every source word with content, in text order: (start, end, aligned)
    source_marks: tuple[tuple[int, int, bool], ...] = ()
    #: 1 - the mean coverage of the least-covered fifth of the source's content words (at least
    #: one), a word's coverage being the highest cosine of its content tokens to any content token
    #: of the translation (`weak_coverage`); 0 when there are no words
    weak_coverage: float = 0.0


#: The share of the source's content words whose coverage `weak_coverage` averages.
WEAK_COVERAGE_SHARE = 0.2


def weak_coverage(word_coverage: np.ndarray, share: float = WEAK_COVERAGE_SHARE) -> float:
    """1 - the mean of the lowest `share` of the words' coverages (at least one word). Where a
    clause is left out, its words have no close token on the other side, aligned or not: a
    graded view of what the mutual-argmax alignment sees only as aligned or not. Chosen on the
    pair models' fitting data, leave-one-dataset-out (bench/fit_pair_models.py)."""
    if not len(word_coverage):
        return 0.0
    lowest = np.sort(word_coverage)[:max(1, int(len(word_coverage) * share))]
    return float(1.0 - lowest.mean())


def join(parts: list[tuple[TokenStates, int]]) -> TokenStates:
    """Several texts' states as one block (sentences of a bead): spans shifted by each text's
    offset in the document, words renumbered to stay distinct."""
    if len(parts) == 1 and parts[0][1] == 0:
        return parts[0][0]
    vectors, spans, words, content, base = [], [], [], [], 0
    for states, offset in parts:
        vectors.append(states.vectors)
        spans.extend((a + offset, b + offset) for a, b in states.spans)
        words.append(states.words + base)
        content.append(states.content)
        base += int(states.words.max()) + 1 if len(states) else 0
    dim = parts[0][0].vectors.shape[1] if parts else 0
    if not vectors:
        return TokenStates(np.zeros((0, dim), np.float16), (), np.zeros(0, np.int64), np.zeros(0, bool))
    return TokenStates(np.concatenate(vectors), tuple(spans), np.concatenate(words), np.concatenate(content))


def align_words(source: TokenStates, target: TokenStates) -> WordAlignment:
    """Every token takes part, punctuation too, as in SimAlign (a word whose best match is a comma
    that prefers another token stays unaligned); the shares count the words with content only."""
    src_words = _content_words(source)
    tgt_words = _content_words(target)
    src_aligned = np.zeros(len(source.words) and int(source.words.max()) + 1, bool)
    tgt_aligned = np.zeros(len(target.words) and int(target.words.max()) + 1, bool)
    coverage = np.full(len(src_aligned), -1.0)
    if len(source) and len(target):
        sims = source.vectors.astype(np.float32) @ target.vectors.astype(np.float32).T
        best_target = sims.argmax(axis=1)
        best_source = sims.argmax(axis=0)
        mutual = best_source[best_target] == np.arange(len(source))
        src_aligned[source.words[mutual]] = True
        tgt_aligned[target.words[best_target[mutual]]] = True
        if target.content.any():  # covered by a word of the translation, not by its punctuation
            best = sims[:, target.content].max(axis=1)
            np.maximum.at(coverage, source.words[source.content], best[source.content])

    def unaligned(words: np.ndarray, aligned: np.ndarray) -> float:
        return 1.0 - float(aligned[words].mean()) if len(words) else 0.0

    words = src_words.tolist()
    gaps = [w for w in words if not src_aligned[w]]
    marks = tuple((a, b, bool(src_aligned[w])) for w, (a, b) in zip(words, _word_spans(source, words)))
    covered = np.maximum(coverage[src_words], 0.0) if len(target) else np.zeros(len(src_words))
    return WordAlignment(unaligned(src_words, src_aligned), unaligned(tgt_words, tgt_aligned),
                         len(src_words), len(tgt_words), _word_spans(source, gaps), marks,
                         weak_coverage(covered))


def _content_words(states: TokenStates) -> np.ndarray:
    """The words with at least one content token, in order."""
    return np.unique(states.words[states.content]) if len(states) else np.zeros(0, np.int64)


def _word_spans(states: TokenStates, words: list[int]) -> tuple[tuple[int, int], ...]:
    """Code-point spans of `words` (their content tokens), in text order."""
    wanted = set(words)
    spans: dict[int, tuple[int, int]] = {}
    for (start, end), word, has_content in zip(states.spans, states.words.tolist(), states.content.tolist()):
        if word in wanted and has_content:
            lo, hi = spans.get(word, (start, end))
            spans[word] = (min(lo, start), max(hi, end))
    return tuple(spans[w] for w in sorted(spans))
