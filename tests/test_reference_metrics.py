"""BLEU / chrF / TER from the service equal sacrebleu's own, sentence and corpus, Score and ScoreStream."""

import pytest
import sacrebleu

from lacuna.client import Client

# (source, translation, reference); our own sentences.
EN_TARGET = [
    ("Der Zug nach Berlin hat zwanzig Minuten Verspätung.",
     "The train to Berlin is twenty minutes late.",
     "The train to Berlin is running twenty minutes late."),
    ("Bitte schließen Sie alle Fenster, bevor Sie das Gebäude verlassen.",
     "Please close every window before you leave the building.",
     "Please close all windows before leaving the building."),
    ("Die Ergebnisse werden am Montag veröffentlicht.",
     "Results are published on Monday.",
     "The results will be published on Monday."),
    ("Er hat den Schlüssel im Auto vergessen.",
     "He forgot the key in the car.",
     "He left the key in the car."),
    ("Kurz.", "Short.", "Brief."),
]
JA_TARGET = [
    ("The museum is closed on Mondays.", "博物館は月曜日に休館です。", "美術館は毎週月曜日が休館日です。"),
    ("Please submit the report by Friday.", "金曜日までに報告書を提出してください。", "報告書は金曜日までに提出してください。"),
    ("It rained all day in Osaka yesterday.", "昨日大阪は一日中雨が降った。", "昨日の大阪は一日中雨でした。"),
    ("The new bridge will open next spring.", "新しい橋は来春開通する。", "新しい橋は来年の春に開通します。"),
]


def segments(rows, src, tgt, prefix):
    return [{"id": f"{prefix}{i}", "source": s, "translation": h, "reference": r, "src_lang": src, "tgt_lang": tgt}
            for i, (s, h, r) in enumerate(rows)]


def expected_sentence(hyp, ref, tgt):
    tok = {"ja": "ja-mecab"}.get(tgt, "13a")
    cjk = tgt == "ja"
    return {
        "bleu": sacrebleu.sentence_bleu(hyp, [ref], tokenize=tok).score,
        "chrf": sacrebleu.sentence_chrf(hyp, [ref]).score,
        "ter": sacrebleu.sentence_ter(hyp, [ref], normalized=cjk, asian_support=cjk).score,
    }


def expected_corpus(rows, tgt):
    tok = {"ja": "ja-mecab"}.get(tgt, "13a")
    cjk = tgt == "ja"
    hyps, refs = [h for _, h, _ in rows], [[r for _, _, r in rows]]
    return {
        "bleu": sacrebleu.corpus_bleu(hyps, refs, tokenize=tok),
        "chrf": sacrebleu.corpus_chrf(hyps, refs),
        "ter": sacrebleu.corpus_ter(hyps, refs, normalized=cjk, asian_support=cjk),
    }


@pytest.fixture
def server(start_server):
    return start_server(omission=False)


@pytest.mark.parametrize("rows,src,tgt", [(EN_TARGET, "de", "en"), (JA_TARGET, "en", "ja")])
def test_score_matches_sacrebleu(server, rows, src, tgt):
    with Client(server.address, timeout=60) as client:
        result = client.score(segments(rows, src, tgt, "s"), metrics=["bleu", "chrf", "ter"])
    for (_, hyp, ref), seg in zip(rows, result.segments):
        assert seg.scores == expected_sentence(hyp, ref, tgt), seg.id
    corpus = {c.metric: c for c in result.corpus}
    assert set(corpus) == {"bleu", "chrf", "ter"}
    for metric, want in expected_corpus(rows, tgt).items():
        got = corpus[metric]
        assert got.score == want.score, metric
        assert (got.segments, got.src_lang, got.tgt_lang) == (len(rows), src, tgt)
    assert "tok:ja-mecab" in corpus["bleu"].signature if tgt == "ja" else "tok:13a" in corpus["bleu"].signature
    # corpus BLEU is computed from corpus statistics, not the mean of sentence scores
    mean = sum(s.scores["bleu"] for s in result.segments) / len(rows)
    assert corpus["bleu"].score != pytest.approx(mean)


def test_stream_matches_sacrebleu_per_language_pair(server):
    en = segments(EN_TARGET, "de", "en", "e")
    ja = segments(JA_TARGET, "en", "ja", "j")
    batches = [en[:2] + ja[:1], ja[1:] + en[2:3], en[3:]]
    with Client(server.address, timeout=60) as client:
        responses = list(client.score_stream_pb(batches))
    assert [r.final for r in responses] == [False, False, False, True]
    assert [[r.id for r in resp.results] for resp in responses[:3]] == [[s["id"] for s in b] for b in batches]
    results = {r.id: r for resp in responses for r in resp.results}
    for rows, segs, tgt in ((EN_TARGET, en, "en"), (JA_TARGET, ja, "ja")):
        for (_, hyp, ref), seg in zip(rows, segs):
            assert dict(results[seg["id"]].scores) == expected_sentence(hyp, ref, tgt)
    final = {(c.metric, c.src_lang, c.tgt_lang): c for c in responses[-1].corpus_scores}
    assert len(final) == 6
    for rows, pair in ((EN_TARGET, ("de", "en")), (JA_TARGET, ("en", "ja"))):
        for metric, want in expected_corpus(rows, pair[1]).items():
            got = final[(metric, *pair)]
            assert got.score == want.score and got.segments == len(rows), (metric, pair)


def test_no_reference_means_no_reference_metrics(server):
    seg = {"id": "x", "source": "Guten Morgen zusammen.", "translation": "Good morning, everyone.",
           "src_lang": "de", "tgt_lang": "en"}
    with Client(server.address, timeout=60) as client:
        result = client.score([seg])
    assert result.segments[0].scores == {} and result.corpus == []


def test_only_requested_metrics_are_computed(server):
    with Client(server.address, timeout=60) as client:
        result = client.score(segments(EN_TARGET, "de", "en", "s"), metrics=["chrf"])
    assert all(set(s.scores) == {"chrf"} for s in result.segments)
    assert [c.metric for c in result.corpus] == ["chrf"]
