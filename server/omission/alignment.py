"""Monotonic cross-lingual sentence alignment by dynamic programming (Vecalign/Bertalign style).

Beads join 0..3 source sentences to 0..3 target sentences. A sentence may stay
unmatched (a 1-0 or 0-1 bead, gain 0): an unmatched source sentence is an
omission candidate, an unmatched target sentence an addition candidate. A
matched bead gains `size * (similarity - threshold)`, so the path keeps a
pair only when its similarity beats the threshold, and a merge (1-2, 2-1, 1-3,
3-1, 2-2) wins when the joined sentences match better together than apart.

The embedding of a block of consecutive sentences is the length-weighted mean
of its sentences' embeddings (renormalized), an approximation of embedding the
concatenation that costs no encoder call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

#: (source sentences, target sentences) of the matched bead shapes.
BEAD_SHAPES = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1))


@dataclass(frozen=True)
class Bead:
    src: tuple[int, int]  # half-open range of source sentence indices
    tgt: tuple[int, int]
    similarity: float  # normalized similarity of the two blocks (nan when one side is empty)
    #: a loose translation: a pair the aligner left unmatched that, compared directly, translate
    #: each other (loose_pairs.py); scored, never flagged
    loose: bool = False

    @property
    def matched(self) -> bool:
        return self.src[1] > self.src[0] and self.tgt[1] > self.tgt[0]


def block_embeddings(emb: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """Row i = normalized weighted mean of emb[i:i+size] (rows past the end are zero)."""
    n = emb.shape[0]
    out = np.zeros_like(emb)
    if n < size:
        return out
    weighted = emb * weights[:, None]
    csum = np.vstack([np.zeros((1, emb.shape[1]), emb.dtype), np.cumsum(weighted, axis=0)])
    block = csum[size:] - csum[:-size]
    norms = np.linalg.norm(block, axis=1, keepdims=True)
    out[: n - size + 1] = block / np.maximum(norms, 1e-9)
    return out


def align(src_emb: np.ndarray, tgt_emb: np.ndarray, src_weights: np.ndarray, tgt_weights: np.ndarray,
          src_bias: np.ndarray, tgt_bias: np.ndarray, threshold: float,
          merge_penalty: float = 0.02, titles: bool = False) -> list[Bead]:
    """Best monotonic alignment. `*_bias` is each sentence's background similarity
    (subtracted, half from each side, to normalize the cosine); `*_weights` its length. With
    `titles` (both texts open with a title line, sentence 0), a title is matched with the other
    side's title or with nothing, never with sentences of the body."""
    n, m = src_emb.shape[0], tgt_emb.shape[0]
    if n == 0 or m == 0:
        return [Bead((i, i + 1), (0, 0), float("nan")) for i in range(n)] + \
               [Bead((n, n), (j, j + 1), float("nan")) for j in range(m)]
    sizes = {k for shape in BEAD_SHAPES for k in shape}
    src_blocks = {k: block_embeddings(src_emb, src_weights, k) for k in sizes}
    tgt_blocks = {k: block_embeddings(tgt_emb, tgt_weights, k) for k in sizes}
    src_bias_blocks = {k: _block_mean(src_bias, src_weights, k) for k in sizes}
    tgt_bias_blocks = {k: _block_mean(tgt_bias, tgt_weights, k) for k in sizes}
    sims = {}
    for a, b in BEAD_SHAPES:
        if a > n or b > m:
            continue
        cos = src_blocks[a] @ tgt_blocks[b].T
        sims[(a, b)] = cos - 0.5 * (src_bias_blocks[a][:, None] + tgt_bias_blocks[b][None, :])
    cost = sims
    if titles:  # a block holding one side's title but not the other's is out of the question
        cost = {shape: sim.copy() for shape, sim in sims.items()}
        for sim in cost.values():
            sim[0, 1:] -= TITLE_MISMATCH
            sim[1:, 0] -= TITLE_MISMATCH

    neg = -1e18
    best = np.full((n + 1, m + 1), neg)
    back = np.zeros((n + 1, m + 1, 2), dtype=np.int8)
    best[0, 0] = 0.0
    shapes = [(a, b, cost[(a, b)]) for a, b in BEAD_SHAPES if (a, b) in sims]
    width = band_width(n, m)
    for i in range(n + 1):
        row = best[i]
        if width is None:
            lo, hi = 0, m
        else:  # a band around the proportional diagonal keeps long documents fast
            centre = i * m / n
            lo, hi = max(0, int(centre - width)), min(m, int(centre + width) + 1)
        for j in range(lo, hi + 1):
            if i == 0 and j == 0:
                continue
            top, how = neg, (0, 0)
            if i > 0 and best[i - 1, j] > top:
                top, how = best[i - 1, j], (1, 0)
            if j > 0 and row[j - 1] > top:
                top, how = row[j - 1], (0, 1)
            for a, b, sim in shapes:
                if i >= a and j >= b:
                    gain = best[i - a, j - b] + sim[i - a, j - b] - threshold - merge_penalty * (a + b - 2)
                    if gain > top:
                        top, how = gain, (a, b)
            row[j] = top
            back[i, j] = how
    beads: list[Bead] = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b = int(back[i, j, 0]), int(back[i, j, 1])
        if a == 0 and b == 0:  # never reached (outside the band): step back as a skip
            a, b = (1, 0) if i > 0 else (0, 1)
        sim = float(sims[(a, b)][i - a, j - b]) if a and b else float("nan")
        beads.append(Bead((i - a, i), (j - b, j), sim))
        i, j = i - a, j - b
    beads.reverse()
    return beads


#: What a bead costs that pairs a title with sentences of the other side's body (see `align`):
#: more than any similarity can gain, so the DP leaves such a title unmatched instead.
TITLE_MISMATCH = 10.0

#: Above this many (source x target) sentence pairs the DP runs in a band.
FULL_DP_CELLS = 40_000


def band_width(n: int, m: int) -> int | None:
    """Half-width of the DP band in target sentences, or None for the full table."""
    if (n + 1) * (m + 1) <= FULL_DP_CELLS:
        return None
    return max(40, abs(n - m) + 20, min(150, int(0.1 * max(n, m))))


def _block_mean(values: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    n = values.shape[0]
    out = np.zeros(n)
    if n < size:
        return out
    cv = np.concatenate([[0.0], np.cumsum(values * weights)])
    cw = np.concatenate([[0.0], np.cumsum(weights)])
    out[: n - size + 1] = (cv[size:] - cv[:-size]) / np.maximum(cw[size:] - cw[:-size], 1e-9)
    return out


def pair_leftovers(beads: list[Bead], sims: np.ndarray, floor: float,
                   shared_number: Callable[[int, int], bool] | None = None, within_gap: bool = False) -> list[Bead]:
    """Second pass: join source and target sentences that the DP left unmatched in the SAME gap
    between matched beads, when they are each other's best partner over the whole texts and their
    similarity reaches `floor` (below the aligner's threshold). A sentence left out and a
    sentence added at the same place are much more likely one loose translation than an
    omission plus an addition. `sims` is the normalized 1-1 similarity matrix;
    `shared_number(i, j)` (a digit sequence on both sides) lowers the floor to zero. With
    `within_gap`, "best partner" means among the sentences left in the same gap (monotonicity
    already rules out the rest).
    """
    n, m = sims.shape
    if n == 0 or m == 0:
        return beads
    best_tgt, best_src = sims.argmax(axis=1), sims.argmax(axis=0)
    out: list[Bead] = []
    gap: list[Bead] = []

    def flush():
        src = [b.src[0] for b in gap if b.src[1] > b.src[0]]
        tgt = {b.tgt[0] for b in gap if b.tgt[1] > b.tgt[0]}
        pairs = []
        for i in src:
            if within_gap:  # each other's best partner among the sentences left in this gap
                j = max(tgt, key=lambda t: sims[i, t], default=-1)
                if j < 0 or max(src, key=lambda r: sims[r, j]) != i:
                    continue
            else:  # ... over the whole texts
                j = int(best_tgt[i])
                if j not in tgt or int(best_src[j]) != i:
                    continue
            if sims[i, j] >= floor or (shared_number is not None and sims[i, j] >= 0.0 and shared_number(i, j)):
                pairs.append((i, j))
        kept: list[tuple[int, int]] = []  # mutual best pairs may cross: keep the best that do not
        for i, j in sorted(pairs, key=lambda p: -sims[p]):
            if all((i - a) * (j - b) > 0 for a, b in kept):
                kept.append((i, j))
        pairs = kept
        if not pairs:
            out.extend(gap)
        else:  # mutual best pairs are monotonic; the rest stay skips, in order
            paired_src, paired_tgt = {i for i, _ in pairs}, {j for _, j in pairs}
            items = [(i, j, Bead((i, i + 1), (j, j + 1), float(sims[i, j]))) for i, j in pairs]
            items += [(i, -1, Bead((i, i + 1), b.tgt, float("nan"))) for b in gap
                      for i in [b.src[0]] if b.src[1] > b.src[0] and i not in paired_src]
            items += [(-1, j, Bead(b.src, (j, j + 1), float("nan"))) for b in gap
                      for j in [b.tgt[0]] if b.tgt[1] > b.tgt[0] and j not in paired_tgt]
            out.extend(_monotonic_order(items))
        gap.clear()

    for bead in beads:
        if bead.matched:
            flush()
            out.append(bead)
        else:
            gap.append(bead)
    flush()
    return out


def pair_in_gaps(beads: list[Bead], strength: Callable[[int, int, bool], float | None],
                 similarity: Callable[[int, int], float]) -> list[Bead]:
    """Third pass: in each gap between matched beads, join source and target sentences left
    unmatched there whose direct comparison says they translate each other (`strength(i, j,
    lone)` not None, `lone` when they are the gap's only sentences, one a side; higher first;
    pairs never cross). They become matched beads marked `loose`."""
    out: list[Bead] = []
    gap: list[Bead] = []

    def flush():
        src = [b.src[0] for b in gap if b.src[1] > b.src[0]]
        tgt = [b.tgt[0] for b in gap if b.tgt[1] > b.tgt[0]]
        lone = len(src) == 1 and len(tgt) == 1
        scored = [(v, i, j) for i in src for j in tgt for v in [strength(i, j, lone)] if v is not None]
        kept: list[tuple[int, int]] = []
        for _, i, j in sorted(scored, key=lambda x: -x[0]):
            if all((i - a) * (j - b) > 0 for a, b in kept):
                kept.append((i, j))
        if not kept:
            out.extend(gap)
        else:
            paired_src, paired_tgt = {i for i, _ in kept}, {j for _, j in kept}
            items = [(i, j, Bead((i, i + 1), (j, j + 1), similarity(i, j), loose=True)) for i, j in kept]
            items += [(i, -1, b) for b in gap for i in [b.src[0]] if b.src[1] > b.src[0] and i not in paired_src]
            items += [(-1, j, b) for b in gap for j in [b.tgt[0]] if b.tgt[1] > b.tgt[0] and j not in paired_tgt]
            out.extend(_monotonic_order(items))
        gap.clear()

    for bead in beads:
        if bead.matched:
            flush()
            out.append(bead)
        else:
            gap.append(bead)
    flush()
    return out


def _monotonic_order(items: list[tuple[int, int, Bead]]) -> list[Bead]:
    """Skips and new pairs of one gap in reading order, with each skip's empty side set to
    where it falls between the pairs."""
    pairs = sorted((i, j) for i, j, _ in items if i >= 0 and j >= 0)
    out = []
    for i, j, bead in items:
        if i >= 0 and j < 0:  # source skip: target position = after the pairs before it
            pos = max([pj + 1 for pi, pj in pairs if pi < i], default=bead.tgt[0])
            out.append((i, pos, 0, Bead(bead.src, (pos, pos), bead.similarity)))
        elif j >= 0 and i < 0:
            pos = max([pi + 1 for pi, pj in pairs if pj < j], default=bead.src[0])
            out.append((pos, j, 1, Bead((pos, pos), bead.tgt, bead.similarity)))
        else:
            out.append((i, j, 2, bead))
    out.sort(key=lambda x: (x[0], x[1], x[2]))
    return [b for *_, b in out]
