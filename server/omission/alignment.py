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

import numpy as np

#: (source sentences, target sentences) of the matched bead shapes.
BEAD_SHAPES = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1))


@dataclass(frozen=True)
class Bead:
    src: tuple[int, int]  # half-open range of source sentence indices
    tgt: tuple[int, int]
    similarity: float  # normalized similarity of the two blocks (nan when one side is empty)

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
          merge_penalty: float = 0.02) -> list[Bead]:
    """Best monotonic alignment. `*_bias` is each sentence's background similarity
    (subtracted, half from each side, to normalize the cosine); `*_weights` its length."""
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

    neg = -1e18
    best = np.full((n + 1, m + 1), neg)
    back = np.zeros((n + 1, m + 1, 2), dtype=np.int8)
    best[0, 0] = 0.0
    shapes = [(a, b, sims[(a, b)]) for a, b in BEAD_SHAPES if (a, b) in sims]
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
