"""Clause localization: which clause of a matched pair a likely partial omission is flagged on.

Three views of "the clause the translation covers least", by what was measured:
- `least_aligned_clause`: the clause holding most of the source words the word alignment left
  unaligned (with neighbours mostly unaligned too);
- `weakest_clause_latent`: the largest drop from a clause's latent-term cosine with its own
  sentence to its cosine with the translation;
- `weakest_clause_dense`: the same drop on the background-normalized dense similarity.
Each weighs a clause shorter than `clause_trust_units` down, so a word or two does not win on
one miss.
"""

from __future__ import annotations

import numpy as np

from lacuna.server.omission.alignment import Bead
from lacuna.server.omission.passages import Sentence, Span
from lacuna.server.omission.settings import Settings
from lacuna.server.omission.similarity import Embeddings, block, latent_cosine


def _trust(piece: Sentence, settings: Settings) -> float:
    return min(1.0, piece.units / settings.clause_trust_units)


def least_aligned_clause(source: str, pieces: list[Sentence], gaps: tuple[Span, ...],
                         settings: Settings) -> Sentence | None:
    """The clause holding the largest share of the unaligned source words, joined with the
    neighbouring clauses that are mostly unaligned too (a passage cut at a comma is one passage);
    None when the sentence has one clause or no clause has a gap."""
    pieces = [p for p in pieces if p.content]
    if len(pieces) < 2 or not gaps:
        return None

    def share(piece: Sentence) -> float:
        a, b = piece.span
        return sum(min(b, e) - max(a, g) for g, e in gaps if g < b and a < e) / max(1, b - a)

    shares = [share(p) for p in pieces]
    scores = [x * _trust(p, settings) for x, p in zip(shares, pieces)]
    best = max(range(len(pieces)), key=scores.__getitem__)
    if scores[best] <= 0.0:
        return None
    lo = hi = best
    while lo > 0 and shares[lo - 1] >= settings.clause_join_share:
        lo -= 1
    while hi + 1 < len(pieces) and shares[hi + 1] >= settings.clause_join_share:
        hi += 1
    if lo == hi:
        return pieces[best]
    start, end = pieces[lo].span[0], pieces[hi].span[1]
    return Sentence((start, end), source[start:end], sum(p.units for p in pieces[lo:hi + 1]), True)


def weakest_clause_latent(encoder, sentence: Sentence, pieces: list[Sentence], target: Sentence,
                          settings: Settings) -> Sentence:
    """The clause of `sentence` the target covers least, on latent terms."""
    pieces = [p for p in pieces if p.content]
    if len(pieces) < 2:
        return sentence
    encoder.latent_terms([p.text for p in pieces])  # one call for all of them (cached)
    best, best_drop = sentence, -1e9
    for piece in pieces:
        drop = (latent_cosine(encoder, [piece.text], [sentence.text])
                - latent_cosine(encoder, [piece.text], [target.text])) * _trust(piece, settings)
        if drop > best_drop:
            best, best_drop = piece, drop
    return best


def weakest_clause_dense(bead: Bead, src: list[Sentence], clauses: dict[int, list[Sentence]],
                         t_emb: np.ndarray, t_bias: np.ndarray, t_w: np.ndarray, emb: Embeddings,
                         settings: Settings) -> Sentence | None:
    """The source clause of a bead the translation covers least, on the dense similarity
    (`t_emb`, `t_bias`, `t_w`: the target sentences' embeddings, biases and lengths)."""
    lo, hi = bead.tgt
    t_block = block(t_emb[lo:hi], t_w[lo:hi])
    t_block_bias = float(np.average(t_bias[lo:hi], weights=t_w[lo:hi]))
    # clauses are embedded only here, for the few beads that get a flag
    emb.add([c.text for k in range(bead.src[0], bead.src[1]) for c in clauses.get(k, [])])
    best, best_drop = None, -1e9
    for k in range(bead.src[0], bead.src[1]):
        pieces = clauses.get(k, [])
        if len(pieces) < 2 and bead.src[1] - bead.src[0] == 1:
            return src[k]  # one clause in one sentence: the sentence is the passage
        for piece in (pieces if len(pieces) > 1 else [src[k]]):
            if not piece.content:
                continue
            own = emb.between(piece.text, src[k].text)
            other = emb.to_vector(piece.text, t_block, t_block_bias)
            drop = (own - other) * _trust(piece, settings)
            if drop > best_drop:
                best, best_drop = piece, drop
    return best
