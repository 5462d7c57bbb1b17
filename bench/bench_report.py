"""How big the HTML report is and how fast it opens in headless Chromium, by number of segments.

    python bench/bench_report.py                   # 100 and 100,000 segments
    python bench/bench_report.py --sizes 10000     # other sizes
    python bench/bench_report.py --references      # with references (corpus BLEU/chrF/TER by sacrebleu)

Half the segments carry a flag. Open time: from the navigation to the first page of
segment rows drawn (the page's data parsed, filters set up), measured over the DevTools
protocol (bench/headless.py); best of --repeat runs in one browser. Search time: typing an
id into the search box until the one matching row is shown.
"""

from __future__ import annotations

import argparse
import pathlib
import random
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from headless import Headless, chromium_path  # noqa: E402

from lacuna.client.report import write_report  # noqa: E402

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
               "passed": not flags, "flags": flags, "labels": {"state": rng.choice(["final", "translated"])},
               "source_file": f"part{i % 5}.xlf", "unit_id": f"u{i}", "line": 3 + 4 * (i // 5),
               "scores": {"chrf": round(rng.uniform(10, 95), 2), "omission": round(rng.random(), 3)}}
        if references:
            rec["reference"] = src
        out.append(rec)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 100_000])
    parser.add_argument("--references", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if chromium_path() is None:
        sys.exit("bench_report: needs chromium on PATH (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp, Headless(timeout=120) as browser:
        for n in args.sizes:
            recs = records(n, args.references)
            page = pathlib.Path(tmp) / f"report-{n}.html"
            started = time.perf_counter()
            write_report(recs, page)
            written = time.perf_counter() - started
            opened = min(browser.open(page) for _ in range(args.repeat))
            started = time.perf_counter()
            browser.type_into("#f-q", f"s{n - 1}")
            browser.wait_for("document.getElementById('shown-count').textContent === "
                             f"String({1 if recs[-1]['flags'] else 0})")
            searched = time.perf_counter() - started
            size = page.stat().st_size
            size_text = f"{size / 1e3:.0f} KB" if size < 1e6 else f"{size / 1e6:.1f} MB"
            print(f"segments={n:>7}  references={'yes' if args.references else 'no '}  write={written:.2f} s  "
                  f"size={size_text}  open={opened:.2f} s  search={searched:.2f} s", flush=True)


if __name__ == "__main__":
    main()
