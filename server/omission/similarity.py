"""Background-normalized similarity, the detector's one measure of "how close" (written once here).

e5 cosines are compressed: unrelated sentences still score about 0.75, and short or generic
sentences are close to everything. A text's *bias* is its mean cosine to the background sentences
(background.py); the similarity of two texts is their cosine minus the mean of their two biases.
It works for one pair as well as inside a document.

Also here: the cosine of two texts' sparse latent terms, and the embedding of a block of
sentences (their length-weighted mean).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from lacuna.server.omission.background import BACKGROUND_SENTENCES
from lacuna.server.omission.encoder import SentenceEncoder


def normalized(cosine, bias_a, bias_b):
    """Cosine minus the mean background similarity of the two sides (scalars or arrays)."""
    return cosine - 0.5 * (bias_a + bias_b)


def normalized_matrix(a: np.ndarray, b: np.ndarray, bias_a: np.ndarray, bias_b: np.ndarray) -> np.ndarray:
    """Every row of `a` against every row of `b`, normalized."""
    return normalized(a @ b.T, bias_a[:, None], bias_b[None, :])


def block(rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The unit vector of the weighted sum of `rows` (a block of sentences as one text)."""
    v = (rows * weights[:, None]).sum(axis=0)
    return v / max(float(np.linalg.norm(v)), 1e-9)


class Background:
    """The encoder's embeddings of the background sentences, computed on first use."""

    def __init__(self, encoder: SentenceEncoder):
        self.encoder = encoder
        self._matrix: np.ndarray | None = None

    def matrix(self) -> np.ndarray:
        if self._matrix is None:
            self._matrix = self.encoder.encode(list(BACKGROUND_SENTENCES))
        return self._matrix


class Embeddings:
    """Embeddings and background biases of the texts of one batch, by text (each text encoded once)."""

    def __init__(self, encoder: SentenceEncoder, background: Background):
        self.encoder = encoder
        self.background = background
        self.vectors: dict[str, np.ndarray] = {}
        self.bias: dict[str, float] = {}

    def add(self, texts: Sequence[str]) -> None:
        """Encode the texts not seen yet (one encoder call)."""
        unique = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if not unique:
            return
        rows = self.encoder.encode(unique)
        bias = (rows @ self.background.matrix().T).mean(axis=1)
        self.vectors.update(zip(unique, rows))
        self.bias.update(zip(unique, bias.tolist()))

    def between(self, a: str, b: str) -> float:
        """Normalized similarity of two texts already added."""
        return float(normalized(float(self.vectors[a] @ self.vectors[b]), self.bias[a], self.bias[b]))

    def to_vector(self, text: str, vector: np.ndarray, vector_bias: float) -> float:
        """Normalized similarity of a text already added to any unit vector with its bias."""
        return float(normalized(float(self.vectors[text] @ vector), self.bias[text], vector_bias))

    def best_against(self, text: str, others: np.ndarray, other_bias: np.ndarray) -> float:
        """The highest normalized similarity of `text` to any row of `others`."""
        return float(np.max(normalized(self.vectors[text] @ others.T, self.bias[text], other_bias)))


def latent_cosine(encoder, source_texts: list[str], target_texts: list[str]) -> float:
    """Cosine of the two sides' latent terms (several texts a side: max-pooled, as the encoder
    pools tokens)."""
    terms = encoder.latent_terms(source_texts + target_texts)
    a, b = _pooled(terms[:len(source_texts)]), _pooled(terms[len(source_texts):])
    norm = math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))
    return sum(w * b.get(i, 0.0) for i, w in a.items()) / norm if norm > 0 else 0.0


def _pooled(vectors) -> dict[int, float]:
    out: dict[int, float] = {}
    for vector in vectors:
        for i, w in vector.items():
            if w > out.get(i, 0.0):
                out[i] = w
    return out
