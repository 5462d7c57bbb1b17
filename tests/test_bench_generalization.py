"""The measuring stick of bench/bench_generalization.py: span precision/recall, contradictory
pairs, calibration and the length baseline, on committed rows with made-up service output."""

from __future__ import annotations

import math
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "bench"))

import bench_generalization as bench  # noqa: E402
import devsets  # noqa: E402


def _flag(kind: str, severity: str = "major", confidence: float = 0.9, source=None, target=None) -> dict:
    return {"type": kind, "severity": severity, "confidence": confidence, "source_span": source,
            "target_span": target, "detector": "omission"}


def _doc_pair():
    rows = devsets.load("docdrop-en-de")
    drop = next(r for r in rows if not r["gold"]["clean"])
    clean = next(r for r in rows if r["gold"]["clean"] and r["source"] == drop["source"])
    return drop, clean


def test_precision_recall_and_pairs():
    drop, clean = _doc_pair()
    gold = drop["gold"]
    hit = gold["omitted_spans"][0]
    wrong_sentence = next(i for i in range(len(gold["sentence_spans"])) if i not in gold["omitted_sentences"])
    wrong = gold["sentence_spans"][wrong_sentence]
    drop_rec = {**drop, "scores": {"omission": 0.4}, "passed": False,
                "flags": [_flag("omission", source=[hit[0] + 1, hit[1] - 1]),
                          _flag("omission", "minor", 0.2, source=wrong)]}
    # on the clean copy: an omission on sentence k and an addition on its translation = one pair
    k = wrong_sentence
    tgt = clean["gold"]["target_sentence_spans"][clean["gold"]["target_sentence_ids"].index(k)]
    clean_rec = {**clean, "scores": {"omission": 0.1}, "passed": False,
                 "flags": [_flag("omission", source=clean["gold"]["sentence_spans"][k]),
                           _flag("addition", target=tgt)]}
    m = bench.docdrop_metrics([drop_rec, clean_rec])
    assert m["all"]["flags"] == 3 and math.isclose(m["all"]["precision"], 1 / 3)
    assert math.isclose(m["all"]["recall"], 1 / len(gold["omitted_sentences"]))
    assert m["major"]["flags"] == 2 and math.isclose(m["major"]["precision"], 0.5)
    assert m["clean_pairs"] == 1 and m["clean_docs_with_omission_and_addition"] == 1
    assert m["score_auc"] == 1.0
    # an addition on another target sentence is no pair
    other = clean["gold"]["target_sentence_spans"][0 if k else 1]
    clean_rec["flags"][1] = _flag("addition", target=other)
    assert bench.contradictory_pairs(clean_rec) == 0

    flags = bench.flag_records([drop_rec, clean_rec])
    assert [f["correct"] for f in flags] == [True, False, False]


def test_reliability_table():
    flags = [{"confidence": 0.95, "correct": True}] * 9 + [{"confidence": 0.95, "correct": False}] + \
            [{"confidence": 0.15, "correct": True}] * 10
    ece, table = bench.reliability(flags)
    assert math.isclose(ece, 0.5 * 0.05 + 0.5 * 0.85)
    assert table[9]["n"] == 10 and math.isclose(table[9]["accuracy"], 0.9)
    assert table[1]["n"] == 10 and table[5]["n"] == 0


def test_length_baseline_orientation():
    rows = [{"source": "x" * 100, "translation": "y" * n, "gold": {"label": int(n < 60)}} for n in (40, 50, 90, 95, 100)]
    b = bench.length_baseline(rows)
    assert b["orientation"] == "shorter" and b["ratio_auc"] == 1.0
    flipped = [{**r, "gold": {"label": 1 - r["gold"]["label"]}} for r in rows]
    assert bench.length_baseline(flipped)["orientation"] == "longer"


def test_sampling_keeps_document_pairs_and_languages():
    rows = bench.sample(devsets.load("docdrop-ja-en"), 5)
    assert len(rows) == 10 and sum(r["gold"]["clean"] for r in rows) == 5
    ui = bench.sample(devsets.load("ui-strings"), 60)
    assert len(ui) == 60 and len({r["tgt_lang"] for r in ui}) == 6


def test_every_ui_set_gets_its_own_table_and_share(capsys):
    rows = [{"id": f"u{i}", "set": name, "kind": "ui", "tgt_lang": lang, "source": "Save", "translation": "x",
             "gold": {"omitted_spans": [], "label": 0}} for i, (name, lang) in enumerate(
        [("ui-strings", "de"), ("ui-strings", "ja"), ("ui-strings-more", "uk"), ("ui-strings-more", "uk")])]
    flags = [[], [_flag("addition", "minor")], [_flag("omission", "major")], []]
    records = [{**row, "flags": f, "passed": not f, "scores": {}} for row, f in zip(rows, flags)]
    metrics = bench.report(records)
    assert metrics["sets"]["ui-strings"]["all"]["major_omission_or_addition"] == 0.0
    assert metrics["sets"]["ui-strings"]["all"]["any_omission_or_addition"] == 0.5
    assert metrics["sets"]["ui-strings-more"]["uk"]["major_omission_or_addition"] == 0.5
    line = bench.summary_line(metrics)
    assert "ui_major_share=0.00%" in line and "ui_more_major_share=50.00%" in line
    assert "(ui-strings-more:" in capsys.readouterr().out


def test_margin_interval_brackets_the_margin_and_is_wide_with_few_positives():
    """The bootstrap interval of (omission AUC - baseline AUC): around the margin, tight with many
    positives, wide with a handful; halomi.roc_auc counts ties half."""
    import random

    from halomi import roc_auc

    rng = random.Random(14)
    labels = [int(rng.random() < 0.5) for _ in range(600)]
    scores = [y + rng.gauss(0, 1.0) for y in labels]      # informative
    baseline = [round(rng.random(), 1) for _ in labels]   # chance, with ties
    margin = roc_auc(labels, scores) - roc_auc(labels, baseline)
    low, high = bench.margin_interval(labels, scores, baseline)
    assert 0.15 < low < margin < high < 0.45 and high - low < 0.15
    # ties count half: one positive tied with one negative, above another negative
    assert roc_auc([1, 0, 0], [0.5, 0.5, 0.1]) == 0.75 and math.isnan(roc_auc([1, 1], [0.3, 0.4]))
    few = [1] * 14 + [0] * 586
    scores_few = [y * 0.3 + rng.gauss(0, 1.0) for y in few]
    low_few, high_few = bench.margin_interval(few, scores_few, baseline)
    assert high_few - low_few > 2 * (high - low)
    assert bench.margin_interval(labels, scores, scores) == (0.0, 0.0)
