"""COMET through a real server on loopback, with tiny checkpoints built by the fixture."""

from __future__ import annotations

import threading

import grpc
import pytest
from comet_fixture import tiny_comet  # noqa: F401  (session fixture)

from lacuna.client import Client, LacunaError
from lacuna.server.comet.synthetic import sample_sentences

EN, DE = sample_sentences("en"), sample_sentences("de")
TOL = 1e-4


def _segments(with_reference: bool = True):
    """en->de and de->en segments of different lengths; translations partly scrambled."""
    segs = []
    for i, (en, de) in enumerate(zip(EN, DE)):
        translation = de if i % 3 else " ".join(reversed(de.split()))
        segs.append({"id": f"ende-{i}", "source": en, "translation": translation, "src_lang": "en",
                     "tgt_lang": "de", **({"reference": de} if with_reference else {})})
    for i, (en, de) in enumerate(zip(EN[:5], DE[:5])):
        segs.append({"id": f"deen-{i}", "source": de, "translation": en if i % 2 else en.lower(),
                     "src_lang": "de", "tgt_lang": "en", **({"reference": en} if with_reference else {})})
    return segs


def _samples(segs, with_reference: bool = True):
    return [{"src": s["source"], "mt": s["translation"], **({"ref": s["reference"]} if with_reference else {})}
            for s in segs]


def _mean_by_pair(segs, scores):
    sums: dict[tuple[str, str], list[float]] = {}
    for seg, score in zip(segs, scores):
        sums.setdefault((seg["src_lang"], seg["tgt_lang"]), []).append(score)
    return {pair: sum(v) / len(v) for pair, v in sums.items()}


def test_comet_matches_model_predict_per_segment_and_per_pair(start_server, tiny_comet):
    path = tiny_comet.path("regression")
    server = start_server(comet_models=[path], omission=False, comet_batch_size=4)
    segs = _segments()
    expected = tiny_comet.comet_model("regression").predict(_samples(segs), batch_size=3, gpus=0,
                                                            progress_bar=False).scores
    assert max(expected) - min(expected) > 0.1, "the fixture model should tell inputs apart"
    with Client(server.address, timeout=60) as client:
        result = client.score(segs, metrics=["comet"])
    got = [r.scores["comet"] for r in result.segments]
    assert [r.id for r in result.segments] == [s["id"] for s in segs]
    assert got == pytest.approx(expected, abs=TOL)
    corpus = {(c.src_lang, c.tgt_lang): c for c in result.corpus if c.metric == "comet"}
    for pair, mean in _mean_by_pair(segs, expected).items():
        assert corpus[pair].score == pytest.approx(mean, abs=TOL)
        assert corpus[pair].signature.startswith(f"comet|model:{path}|comet-version:")
    assert corpus[("en", "de")].segments == len(EN)


def test_qe_model_scores_without_reference_and_matches_predict(start_server, tiny_comet):
    server = start_server(comet_models=[tiny_comet.path("referenceless")], omission=False)
    segs = _segments(with_reference=False)
    expected = tiny_comet.comet_model("referenceless").predict(_samples(segs, False), batch_size=5, gpus=0,
                                                               progress_bar=False).scores
    with Client(server.address, timeout=60) as client:
        result = client.score(segs, metrics=["comet_qe"])
        caps = client.capabilities()
    assert [r.scores["comet_qe"] for r in result.segments] == pytest.approx(expected, abs=TOL)
    assert {(m.name, m.kind) for m in caps.models} >= {(tiny_comet.path("referenceless"), "comet_qe")}
    qe = next(m for m in caps.metrics if m.name == "comet_qe")
    assert not qe.requires_reference


def test_unified_qe_model_matches_predict(start_server, tiny_comet):
    server = start_server(comet_models=[tiny_comet.path("unified_qe")], omission=False, comet_batch_size=3)
    segs = _segments(with_reference=True)  # a cometkiwi-style model ignores the reference
    expected = tiny_comet.comet_model("unified_qe").predict(_samples(segs, False), batch_size=8, gpus=0,
                                                            progress_bar=False).scores
    with Client(server.address, timeout=60) as client:
        result = client.score(segs)
    assert [r.scores["comet_qe"] for r in result.segments] == pytest.approx(expected, abs=TOL)
    assert all("comet" not in r.scores for r in result.segments)


def test_segment_without_reference_gets_only_qe(start_server, tiny_comet):
    server = start_server(comet_models=[tiny_comet.path("regression"), tiny_comet.path("referenceless")],
                          omission=False)
    segs = _segments()[:4]
    del segs[1]["reference"]
    with Client(server.address, timeout=60) as client:
        result = client.score(segs)  # default metrics: comet and comet_qe
        caps = client.capabilities()
    assert "comet" not in result.segments[1].scores and "comet_qe" in result.segments[1].scores
    for i in (0, 2, 3):
        assert {"comet", "comet_qe"} <= set(result.segments[i].scores)
    kinds = {m.name: m.kind for m in caps.models}
    assert kinds[tiny_comet.path("regression")] == "comet"
    assert kinds[tiny_comet.path("referenceless")] == "comet_qe"
    comet_spec = next(m for m in caps.metrics if m.name == "comet")
    assert comet_spec.requires_reference
    comet_corpus = [c for c in result.corpus if c.metric == "comet"]
    assert comet_corpus[0].segments == 3  # the segment without a reference is not in the comet mean


def test_scores_do_not_depend_on_batching(start_server, tiny_comet):
    server = start_server(comet_models=[tiny_comet.path("regression"), tiny_comet.path("xcomet")],
                          omission=False, comet_batch_size=16, comet_max_delay_ms=50, comet_cache_size=0)
    segs = _segments()
    scorers = {s.model_name: s for s in server.pipeline.scorers if hasattr(s, "batcher")}
    with Client(server.address, timeout=60) as client:
        together = client.score(segs, metrics=["comet", "comet:xcomet"])
        assert max(scorers[tiny_comet.path("regression")].batcher.batch_sizes) > 2  # padded batches ran
        alone = [client.score([seg], metrics=["comet", "comet:xcomet"]).segments[0] for seg in segs]
    for a, b in zip(together.segments, alone):
        assert a.scores["comet"] == pytest.approx(b.scores["comet"], abs=TOL)
        assert a.scores["comet:xcomet"] == pytest.approx(b.scores["comet:xcomet"], abs=TOL)
        assert [(f.target_span, f.severity) for f in a.flags if f.type == "error_span"] == \
               [(f.target_span, f.severity) for f in b.flags if f.type == "error_span"]


def test_repeated_sentences_come_from_the_cache_with_the_same_scores(start_server, tiny_comet):
    """A regression model embeds each distinct sentence once: repeats within a request (one
    source, several translations) and across requests cost no encoder work, and change no score."""
    path = tiny_comet.path("regression")
    server = start_server(comet_models=[path], omission=False, comet_batch_size=8, comet_workers=2)
    segs = _segments()[:6]
    variants = [dict(seg, id=seg["id"] + "-b", translation=seg["translation"] + " Ja.") for seg in segs]
    both = segs + variants  # every source and reference twice
    expected = tiny_comet.comet_model("regression").predict(_samples(both), batch_size=4, gpus=0,
                                                            progress_bar=False).scores
    scorer = next(s for s in server.pipeline.scorers if hasattr(s, "batcher"))
    forward = scorer.batcher.run_batch
    assert type(forward).__name__ == "SentenceForward"
    with Client(server.address, timeout=60) as client:
        first = [r.scores["comet"] for r in client.score(both, metrics=["comet"]).segments]
        cached = len(forward.cache)
        misses = forward.cache.misses
        again = [r.scores["comet"] for r in client.score(both, metrics=["comet"]).segments]
    distinct = {s[k] for s in both for k in ("source", "translation", "reference")}
    assert cached == len(distinct) + 1  # plus the start-up check's sentence
    assert forward.cache.misses == misses  # the second request embedded nothing
    assert first == pytest.approx(expected, abs=TOL)
    assert again == pytest.approx(expected, abs=TOL)


def test_a_token_budget_cuts_encoder_calls_without_changing_scores(tiny_comet):
    """On a CPU the server caps each encoder call's padded size (CPU_CHUNK_TOKENS): chunks stay
    within the budget -- a sentence longer than it gets a call of its own -- and every score
    is still model.predict's."""
    from lacuna.server.comet.sentence_forward import make_forward

    model = tiny_comet.comet_model("regression")
    samples = _samples(_segments())
    budget = 48
    forward = make_forward(model, spans=False, cache_size=0, max_chunk=16, max_padding=1.0,
                           max_chunk_tokens=budget)
    _, _, tokenised = forward.prepare(samples)
    chunks = forward._chunks(tokenised)
    assert sum(len(c) for c in chunks) == len(tokenised)
    for chunk in chunks:
        width = max(len(ids) for _, ids in chunk)
        assert len(chunk) * width <= budget or len(chunk) == 1
    unlimited = make_forward(model, spans=False, cache_size=0, max_chunk=16, max_padding=1.0)
    assert len(chunks) > len(unlimited._chunks(tokenised))
    expected = model.predict(samples, batch_size=8, gpus=0, progress_bar=False).scores
    assert [r.score for r in forward(samples)] == pytest.approx(expected, abs=TOL)


def test_models_that_read_inputs_together_keep_whole_sample_batches(start_server, tiny_comet):
    server = start_server(comet_models=[tiny_comet.path("unified_qe"), tiny_comet.path("xcomet")],
                          omission=False)
    kinds = {type(s.batcher.run_batch).__name__ for s in server.pipeline.scorers if hasattr(s, "batcher")}
    assert kinds == {"CometForward"}


def test_concurrent_requests_share_batches_and_get_their_own_scores(start_server, tiny_comet):
    server = start_server(comet_models=[tiny_comet.path("regression")], omission=False, comet_batch_size=32,
                          comet_max_delay_ms=100, comet_workers=2, comet_cache_size=0)
    segs = _segments()
    with Client(server.address, timeout=60) as client:
        reference = {r.id: r.scores["comet"] for r in client.score(segs, metrics=["comet"]).segments}
        batcher = next(s.batcher for s in server.pipeline.scorers if hasattr(s, "batcher"))
        runs_before = batcher.batches_run
        results, errors = {}, []

        def one(seg):
            try:
                results[seg["id"]] = client.score([seg], metrics=["comet"]).segments[0].scores["comet"]
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=one, args=(seg,)) for seg in segs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    assert results == pytest.approx(reference, abs=TOL)
    assert batcher.batches_run - runs_before < len(segs)  # requests were batched together


def test_full_queue_answers_resource_exhausted(start_server, tiny_comet):
    server = start_server(comet_models=[tiny_comet.path("regression")], omission=False, comet_queue_size=4)
    segs = _segments()
    with Client(server.address, timeout=60) as client:
        with pytest.raises(LacunaError) as err:
            client.score(segs[:5], metrics=["comet"])
        assert err.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "--comet-queue-size" in err.value.message
        # The stream refuses the same way.
        with pytest.raises(LacunaError) as err:
            list(client.score_stream_pb([segs[:5]], metrics=["comet"]))
        assert err.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        # What fits is scored; the queue is free again afterwards.
        ok = client.score(segs[:4], metrics=["comet"])
    assert all("comet" in r.scores for r in ok.segments)


def test_full_queue_under_concurrent_load(start_server, tiny_comet):
    """Many clients at once against a small queue: some are refused, none fail otherwise. (The
    queue holds less than two jobs at once: with 12 places two overlapping jobs could fit, and the
    run once saw no refusal on a quiet machine.)"""
    server = start_server(comet_models=[tiny_comet.path("regression")], omission=False, comet_queue_size=8,
                          comet_batch_size=2, comet_max_delay_ms=20)
    segs = _segments()
    codes, lock = [], threading.Lock()

    def one():
        with Client(server.address, timeout=60, busy_retries=0) as client:  # see the refusals
            try:
                client.score(segs[:6], metrics=["comet"])
                code = grpc.StatusCode.OK
            except LacunaError as exc:
                code = exc.code
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(codes) <= {grpc.StatusCode.OK, grpc.StatusCode.RESOURCE_EXHAUSTED}
    assert grpc.StatusCode.RESOURCE_EXHAUSTED in codes and grpc.StatusCode.OK in codes


def test_xcomet_error_spans_become_flags(start_server, tiny_comet):
    path = tiny_comet.path("xcomet")
    server = start_server(comet_models=[path], omission=False, comet_batch_size=4)
    segs = _segments()
    # Characters outside the BMP before the spans: UTF-16 or byte offsets would land elsewhere.
    segs[0]["translation"] = "😀 𝄞 " + segs[0]["translation"]
    segs[4]["translation"] = segs[4]["translation"].replace(" ", " 😀 ", 2)
    model = tiny_comet.comet_model("xcomet")
    expected = model.predict(_samples(segs), batch_size=4, gpus=0, progress_bar=False)
    with Client(server.address, timeout=60) as client:
        result = client.score(segs, metrics=["comet"])
        caps = client.capabilities()
    assert [r.scores["comet"] for r in result.segments] == pytest.approx(expected.scores, abs=TOL)
    total = 0
    for seg, res, spans in zip(segs, result.segments, expected.metadata.error_spans):
        flags = [f for f in res.flags if f.type == "error_span"]
        text = seg["translation"]
        want = []
        for span in spans:
            piece = span["text"].replace("<s>", "").strip()  # the model's own decoding of the subwords
            if piece and "<unk>" not in piece:
                start = text.index(piece, span["start"]) if piece in text[span["start"]:] else -1
                want.append(((start, start + len(piece)), span["severity"]))
                continue
            # Subwords the tokenizer cannot decode back: the span is where its offsets point,
            # less the word-boundary spaces; nothing when that is only whitespace.
            covered = text[span["start"]:span["end"]]
            if covered.strip():
                start = span["start"] + len(covered) - len(covered.lstrip())
                want.append(((start, start + len(covered.strip())), span["severity"]))
        assert [((f.target_span.start, f.target_span.end), f.severity) for f in flags] == want
        for f in flags:
            assert f.detector == "xcomet" and f.severity in ("minor", "major", "critical")
            assert 0 <= f.target_span.start < f.target_span.end <= len(text)
        if any(f.severity in ("major", "critical") for f in flags):
            assert not res.passed
        total += len(flags)
    assert total > 0, "the fixture XCOMET model should mark some spans"
    assert {(m.name, m.kind) for m in caps.models} >= {(path, "xcomet")}
    assert "error_span" in {c.name for c in caps.checks}


def test_xcomet_without_reference_scores_qe(start_server, tiny_comet):
    server = start_server(comet_models=[tiny_comet.path("xcomet")], omission=False)
    segs = _segments(with_reference=False)[:6]
    expected = tiny_comet.comet_model("xcomet").predict(_samples(segs, False), batch_size=2, gpus=0,
                                                        progress_bar=False).scores
    with Client(server.address, timeout=60) as client:
        result = client.score(segs)
    assert [r.scores["comet_qe"] for r in result.segments] == pytest.approx(expected, abs=TOL)
    assert all("comet" not in r.scores for r in result.segments)


def test_stream_scores_and_corpus_mean(start_server, tiny_comet):
    server = start_server(comet_models=[tiny_comet.path("regression")], omission=False)
    segs = _segments()
    with Client(server.address, timeout=60) as client:
        whole = client.score(segs, metrics=["comet"])
        responses = list(client.score_stream_pb([segs[:4], segs[4:9], segs[9:]], metrics=["comet"]))
    streamed = [r for resp in responses for r in resp.results]
    assert [r.scores["comet"] for r in streamed] == pytest.approx([r.scores["comet"] for r in whole.segments],
                                                                  abs=TOL)
    final = responses[-1]
    assert final.final
    got = {(c.src_lang, c.tgt_lang): c.score for c in final.corpus_scores if c.metric == "comet"}
    want = {(c.src_lang, c.tgt_lang): c.score for c in whole.corpus if c.metric == "comet"}
    assert got == pytest.approx(want, abs=TOL)


def test_untranslated_copy_scores_high_but_fails(start_server, tiny_comet):
    """COMET rewards a copy of the source; the untranslated / wrong-language checks must catch it."""
    server = start_server(comet_models=[tiny_comet.path("regression")], omission=False)
    source = ("The committee approved the new budget on Tuesday after a long debate, and the river "
              "flooded three villages but nobody was hurt.")
    copy = {"id": "copy", "source": source, "translation": source, "reference": DE[0] + " " + DE[3],
            "src_lang": "en", "tgt_lang": "de"}
    with Client(server.address, timeout=60) as client:
        result = client.score([copy], metrics=["comet"])
    seg = result.segments[0]
    assert "comet" in seg.scores
    assert {"untranslated", "wrong_language"} & {f.type for f in seg.flags}
    assert not seg.passed
