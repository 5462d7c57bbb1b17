"""How long `write_report` takes and how big and quick to open the page is, by number of segments.

    python bench/bench_report.py                 # 1,000 and 10,000 segments
    python bench/bench_report.py --sizes 50000   # larger jobs
    python bench/bench_report.py --references    # with references (corpus BLEU/chrF/TER by sacrebleu)

Open time is Chromium's headless --dump-dom wall time (process start included), when chromium is installed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import tempfile
import time
import pathlib

from lacuna.client.report import write_report

SOURCES = ["The bus leaves at 8 and arrives at 11.", "Our office is closed for the holidays.",
           "Add two eggs and stir for three minutes.", "Read the manual before first use, then keep it safe."]


def records(n: int, references: bool, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        src = SOURCES[i % len(SOURCES)]
        tgt = ["fr", "de", "ja"][i % 3]
        flags = []
        if rng.random() < 0.5:
            flags.append({"type": rng.choice(["omission", "addition", "number_mismatch"]),
                          "severity": rng.choice(["minor", "major", "critical"]),
                          "source_span": {"start": 4, "end": 14}, "target_span": {"start": 0, "end": 6},
                          "confidence": round(rng.random(), 3), "message": "synthetic flag", "detector": "bench"})
        rec = {"id": f"s{i}", "src_lang": "en", "tgt_lang": tgt, "source": src, "translation": src[::-1],
               "passed": not flags, "flags": flags, "labels": {}, "source_file": "bench.jsonl",
               "scores": {"chrf": round(rng.uniform(10, 95), 2), "omission": round(rng.random(), 3)}}
        if references:
            rec["reference"] = src
        out.append(rec)
    return out


def open_seconds(page: pathlib.Path) -> float | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        return None
    with tempfile.TemporaryDirectory() as profile:
        started = time.perf_counter()
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run",
                        f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                       capture_output=True, timeout=300, check=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--references", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            recs = records(n, args.references)
            page = pathlib.Path(tmp) / f"report-{n}.html"
            started = time.perf_counter()
            write_report(recs, page)
            written = time.perf_counter() - started
            opened = open_seconds(page)
            opened_text = f"{opened:.2f} s" if opened is not None else "n/a (no chromium)"
            print(f"segments={n:>6}  references={'yes' if args.references else 'no '}  write={written:.2f} s  "
                  f"size={page.stat().st_size / 1e6:.1f} MB  open(headless dump-dom)={opened_text}")


if __name__ == "__main__":
    main()
