"""`lacuna score --engine ray` with 1 and 2 actors vs the server path, on the same segments,
in one run.

Each configuration is one fresh command, timed from start to exit, as a user runs it:

- server: `lacuna-server` (same pipeline flags) started, waited for, then `lacuna score
  --server`; the figure counts the server's start-up (model loading) and the job.
- ray N: `lacuna score --engine ray --ray-actors N` with no `--ray-address`, so each run
  starts its own local Ray, its actors (each loading the pipeline) and scores the job.

Also printed: segments/s of the scoring phase alone (the summary's `scoring_seconds`:
for the server path the stream only; for Ray the dataset's execution, actor start-up
included), each actor's peak resident memory (from the actors themselves) and the
server's (VmHWM). The segments are HalOmi pairs (18 directions; read from
../shared/data/halomi at run time, never copied), else a synthetic English-German set.

    flock /work/wt/cpu.lock .venv/bin/python bench/bench_ray.py                   # 2,000 segments
    flock /work/wt/cpu.lock .venv/bin/python bench/bench_ray.py --segments 500 \\
        --pipeline-args=--no-omission-latent-terms
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

FLORES_TO_TAG = {"eng_Latn": "en", "deu_Latn": "de", "spa_Latn": "es", "rus_Cyrl": "ru", "zho_Hans": "zh-Hans",
                 "arb_Arab": "ar"}


def make_job(path: str, n: int) -> str:
    """HalOmi pairs (cycled up to n, each id unique), else synthetic ones."""
    try:
        import halomi

        rows = halomi.load()
    except (OSError, ImportError):
        rows = []
    if not rows:
        from bench_client import make_job as synthetic

        synthetic(path, n)
        return "synthetic en-de"
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            r = rows[i % len(rows)]
            f.write(json.dumps({"id": f"h{i:05d}", "source": r.src_text, "translation": r.mt_text,
                                "src_lang": FLORES_TO_TAG.get(r.src_lang, r.src_lang),
                                "tgt_lang": FLORES_TO_TAG.get(r.tgt_lang, r.tgt_lang)}, ensure_ascii=False) + "\n")
    return f"HalOmi ({len(rows)} rows, cycled)" if n > len(rows) else "HalOmi"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lacuna(*args: str) -> list[str]:
    return [sys.executable, "-m", "lacuna.client.cli", *args]


def _run_score(args: list[str], workdir: str, tag: str) -> tuple[float, dict]:
    out, summary = os.path.join(workdir, f"{tag}.jsonl"), os.path.join(workdir, f"{tag}.summary.json")
    started = time.perf_counter()
    proc = subprocess.run(_lacuna("score", *args, "-o", out, "--summary", summary, "-q",
                                  "--corpus-scores", "mean"), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{tag}: lacuna score exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    with open(summary, encoding="utf-8") as f:
        return seconds, json.load(f)


def run_server(job: str, n: int, pipeline_args: str, workdir: str) -> dict:
    from lacuna.client import Client

    port = _free_port()
    started = time.perf_counter()
    # no per-request time budget: on a busy machine a stream call of 16 x 32 long segments can take
    # longer than the default 120 s (the Ray path's blocks of 64 stay far below it)
    server = subprocess.Popen([sys.executable, "-m", "lacuna.server", "--port", str(port), "--log-level", "warning",
                               "--request-time-budget", "0", *shlex.split(pipeline_args)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with Client(f"127.0.0.1:{port}", timeout=600) as client:
            client.wait_ready(600)
        ready = time.perf_counter() - started
        # a generous per-call deadline: 16 batches of 32 long HalOmi pairs per call take minutes here
        seconds, summary = _run_score([job, "--server", f"127.0.0.1:{port}", "--timeout", "3600"], workdir, "server")
        with open(f"/proc/{server.pid}/status") as f:
            hwm = next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024
    finally:
        server.terminate()
        server.wait(30)
    run = summary["run"]
    return {"name": "server", "seconds": ready + seconds, "start_s": ready, "scored": run["scored"],
            "scoring_rate": run["segments_per_second"], "peak_rss_mb": round(hwm), "segments": summary["segments"]}


def run_ray(job: str, n: int, actors: int, pipeline_args: str, block_size: int, workdir: str) -> dict:
    args = [job, "--engine", "ray", "--ray-actors", str(actors), "--block-size", str(block_size)]
    if pipeline_args:
        args.append(f"--pipeline-args={pipeline_args}")
    seconds, summary = _run_score(args, workdir, f"ray{actors}")
    run = summary["run"]
    stats = run["actor_stats"]
    return {"name": f"ray, {actors} actor{'s' if actors > 1 else ''}", "seconds": seconds, "scored": run["scored"],
            "scoring_rate": run["segments_per_second"], "segments": summary["segments"],
            "peak_rss_mb": round(max(s["peak_rss_mb"] for s in stats.values())),
            "per_actor": sorted(s["segments"] for s in stats.values())}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--segments", type=int, default=2000)
    p.add_argument("--pipeline-args", default="", help="lacuna-server flags for both paths, e.g. --no-omission")
    p.add_argument("--block-size", type=int, default=64)
    opts = p.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        job = os.path.join(workdir, "job.jsonl")
        source = make_job(job, opts.segments)
        print(f"{opts.segments} segments ({source}); pipeline: {opts.pipeline_args or 'server defaults'}; "
              f"{os.cpu_count()} CPUs; block size {opts.block_size}", flush=True)
        results = [run_server(job, opts.segments, opts.pipeline_args, workdir)]
        print(f"  {results[-1]}", flush=True)
        for actors in (1, 2):
            results.append(run_ray(job, opts.segments, actors, opts.pipeline_args, opts.block_size, workdir))
            print(f"  {results[-1]}", flush=True)
    print(f"\n| path | segments/s (whole command) | seconds | segments/s (scoring phase) | peak RSS, MB |")
    print("| --- | --- | --- | --- | --- |")
    for r in results:
        assert r["scored"] == opts.segments == r["segments"], r
        print(f"| {r['name']} | {opts.segments / r['seconds']:.2f} | {r['seconds']:.1f} | {r['scoring_rate']} "
              f"| {r['peak_rss_mb']}{' per actor' if r['name'].startswith('ray') else ''} |")
    server, one, two = results
    print(f"\nray 2 actors / ray 1 actor: {one['seconds'] / two['seconds']:.2f}x;  "
          f"ray 2 actors / server: {server['seconds'] / two['seconds']:.2f}x;  "
          f"ray 1 actor / server: {server['seconds'] / one['seconds']:.2f}x (whole commands)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
