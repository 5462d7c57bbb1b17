"""The consistency pass of a 100,000-segment job: its time and memory against the job's scoring time.

Segments: the real localization units of bench/bench_terms.py (django-allauth PO, Symfony XLIFF,
Excalidraw / Uptime Kuma UI strings) repeated with numbered variants up to N, so that, as in a
real job, most texts are distinct, some recur, and some recur with another translation (every
50th a changed translation, every 70th a source given another unit's translation).

Measured, each in one run:
- `lacuna score`'s pass (`JobConsistency`, the whole job at once): seconds, and the peak of the
  memory it allocates (tracemalloc, in a second run: tracing slows it down);
- the server's pass over one stream (`ConsistencyStream`, segment by segment): the same;
- the job's scoring time: `lacuna score --no-consistency` on a sample of the job against a
  checks-only server on loopback (no omission encoder: the fastest server, so the worst case for
  the ratio), extrapolated to N segments at the measured segments/s.

Prints the pass's share of the job's run time (target: at most 10%).

    python bench/bench_consistency.py [--segments 100000] [--sample 5000]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import pathlib
import sys
import tempfile
import time
import tracemalloc

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


def build_records(n: int) -> list:
    from bench_terms import load_units

    from lacuna.client.formats import Record

    units = load_units(0)
    records = []
    for i in range(n):
        u = units[i % len(units)]
        round_ = i // len(units)
        suffix = f" ({round_})" if round_ and i % 3 else ""  # two thirds of later rounds are new texts
        translation = u.translation + suffix
        if i % 50 == 0:
            translation += " !"  # a changed translation of a recurring source
        elif i % 70 == 0:
            translation = units[(i * 7) % len(units)].translation  # another unit's translation
        records.append(Record(id=f"seg{i}", source=u.source + suffix, translation=translation,
                              src_lang="en", tgt_lang=u.tgt_lang, source_file="bench", location=f"line {i}",
                              labels={}))
    return records


def time_and_peak(fn) -> tuple[float, float, object]:
    """(seconds of an untraced run, peak MiB allocated in a traced run, result)."""
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, result


def batch_pass(records):
    from lacuna.client.job_checks import JobConsistency

    return JobConsistency(records)


def stream_pass(records):
    from lacuna.consistency import ConsistencyStream, Item

    stream, flagged = ConsistencyStream(), 0
    for r in records:
        flagged += bool(stream.add(Item.of(r.id, r.source, r.translation, r.src_lang, r.tgt_lang, r.labels)))
    return flagged


def scoring_rate(records, sample: int) -> float:
    """Segments per second of `lacuna score --no-consistency` against a checks-only server."""
    from lacuna.client.batch import main
    from lacuna.server.app import LacunaServer
    from lacuna.server.config import ServerConfig

    server = LacunaServer(ServerConfig(port=0, workers=8, omission=False, log_level="warning")).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = pathlib.Path(tmp) / "job.jsonl"
            with open(path, "w", encoding="utf-8") as f:
                for r in records[:sample]:
                    f.write(json.dumps({"id": r.id, "source": r.source, "translation": r.translation,
                                        "src_lang": r.src_lang, "tgt_lang": r.tgt_lang}) + "\n")
            started = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):  # its summary is not this benchmark's output
                code = main([str(path), "--server", server.address, "--quiet", "--no-consistency",
                             "--summary", str(pathlib.Path(tmp) / "summary.json")])
            seconds = time.perf_counter() - started
            if code not in (0, 1):
                raise SystemExit(f"lacuna score exited {code}")
    finally:
        server.stop(grace=None)
    return sample / seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=5000, help="segments scored to measure the job's rate")
    args = parser.parse_args(argv)
    records = build_records(args.segments)
    print(f"segments: {len(records)}")
    batch_s, batch_mib, job = time_and_peak(lambda: batch_pass(records))
    flagged = len(job.found)
    print(f"lacuna score's pass (whole job): {batch_s:.2f} s, peak {batch_mib:.1f} MiB allocated, "
          f"{flagged} segments flagged ({flagged / len(records):.2%})")
    stream_s, stream_mib, stream_flagged = time_and_peak(lambda: stream_pass(records))
    print(f"server stream pass (segment by segment): {stream_s:.2f} s, peak {stream_mib:.1f} MiB allocated, "
          f"{stream_flagged} segments flagged")
    rate = scoring_rate(records, args.sample)
    job_s = len(records) / rate
    print(f"job scoring: {rate:,.0f} segments/s (lacuna score, {args.sample} segments, checks-only server) "
          f"-> {job_s:,.0f} s for {len(records)} segments")
    print(f"consistency pass / job run time: {batch_s / job_s:.2%} (target <= 10%); "
          f"server stream pass: {stream_s / job_s:.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
