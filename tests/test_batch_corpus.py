"""The job-wide corpus scores of `lacuna score`: exact sacrebleu corpus BLEU/chrF/TER,
whether computed in the client process or in its helper process."""

from __future__ import annotations

import random

import pytest
from sacrebleu.metrics import BLEU, CHRF, TER

from lacuna.client.corpus import CorpusStats

WORDS = "quiet harbor lamps glow while tired sailors mend torn nets before dawn".split()


def make_pairs(n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        ref = " ".join(rng.choices(WORDS, k=rng.randint(1, 12)))
        hyp = " ".join(w for w in ref.split() if rng.random() > 0.25) + " " + rng.choice(WORDS)
        pairs.append((hyp.strip(), ref))
    return pairs


@pytest.mark.parametrize("background_after", [10_000, 20], ids=["inline", "helper-process"])
def test_corpus_scores_equal_sacrebleu(background_after):
    en_de, en_fr = make_pairs(120, 1), make_pairs(40, 2)
    sentence_ter = TER()
    stats = CorpusStats(background_after=background_after, chunk=16)
    for tgt, pairs in (("de", en_de), ("fr", en_fr)):
        for hyp, ref in pairs:
            stats.add("en", tgt, hyp, ref, {"bleu": 0.0, "chrf": 0.0,
                                            "ter": sentence_ter.sentence_score(hyp, [ref]).score})
    scores = stats.scores()
    assert (stats._process is not None) == (background_after == 20)
    for tgt, pairs in (("de", en_de), ("fr", en_fr)):
        hyps, refs = [p[0] for p in pairs], [[p[1] for p in pairs]]
        got = scores[("en", tgt)]
        assert got["bleu"]["score"] == pytest.approx(BLEU().corpus_score(hyps, refs).score, abs=1e-3)
        assert got["chrf"]["score"] == pytest.approx(CHRF().corpus_score(hyps, refs).score, abs=1e-3)
        assert got["ter"]["score"] == pytest.approx(TER().corpus_score(hyps, refs).score, abs=1e-3)
        assert {m["segments"] for m in got.values()} == {len(pairs)}
        assert got["bleu"]["signature"].startswith("nrefs:1|case:mixed|eff:no|tok:13a")


def test_japanese_targets_use_the_mecab_tokenizer():
    stats = CorpusStats()
    stats.add("en", "ja", "猫が寝ている。", "猫が寝ています。", {"bleu": 0.0})
    got = stats.scores()[("en", "ja")]["bleu"]
    assert "tok:ja-mecab" in got["signature"]
    assert got["score"] == pytest.approx(
        BLEU(tokenize="ja-mecab").corpus_score(["猫が寝ている。"], [["猫が寝ています。"]]).score, abs=1e-3)
