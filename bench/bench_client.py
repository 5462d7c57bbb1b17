"""Client overhead of `lacuna score`: its segments/s on a generated JSONL job vs the
server's own throughput on the same segments, in the same run.

The server runs in its own process (`lacuna-server --no-omission`, so the encoder
does not dominate). "Server" = the same segments sent as pre-built `Score`
requests of the same batch size at the same concurrency (threads = --streams),
i.e. what the server can do when the client costs nothing. "lacuna score" = the
CLI's `main()` in this process, reading the file, streaming, writing results and
building the summary; its figure counts the whole command. The ratio is
lacuna score / server (target >= 0.9).

Each round runs server, client, client, server and compares the sums, so a drift
in machine load during the round cancels out. Also printed: one run per round
with `--corpus-scores mean` (no exact corpus BLEU/chrF/TER recomputation), one
`python -m lacuna.client` subprocess (adds interpreter start-up and imports), and
CPU seconds per segment (the server process from /proc; this process and its
corpus helper for the client), which do not depend on the machine's load.

    .venv/bin/python bench/bench_client.py                 # 5,000 segments, 2 rounds (about 2 minutes)
    .venv/bin/python bench/bench_client.py --segments 20000 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from lacuna.client.batch import main as score_main
from lacuna.client.client import Client, to_options, to_segment
from lacuna.proto import service_pb2

WORDS = ("river stone garden window morning letter market bridge winter candle harbor orchard "
         "lantern meadow station pocket ladder mirror valley thunder").split()
GERMAN = ("Fluss Stein Garten Fenster Morgen Brief Markt Brücke Winter Kerze Hafen Obstgarten "
          "Laterne Wiese Bahnhof Tasche Leiter Spiegel Tal Donner").split()


def make_job(path: str, n: int, seed: int = 7) -> list[dict]:
    """Synthetic English->German segments with references (word lists, not real text)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        k = rng.randint(6, 18)
        picks = [rng.randrange(len(WORDS)) for _ in range(k)]
        source = " ".join(WORDS[p] for p in picks).capitalize() + f" {i}."
        reference = " ".join(GERMAN[p] for p in picks).capitalize() + f" {i}."
        kept = [GERMAN[p] for p in picks if rng.random() > 0.1]
        translation = (" ".join(kept) or GERMAN[picks[0]]).capitalize() + f" {i}."
        rows.append({"id": f"b{i:06d}", "source": source, "translation": translation, "reference": reference,
                     "src_lang": "en", "tgt_lang": "de"})
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return rows


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc), 0.0 where unavailable."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def own_cpu() -> float:
    """CPU seconds of this process and its finished children (the corpus helper process)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int) -> subprocess.Popen:
    exe = os.path.join(os.path.dirname(sys.executable), "lacuna-server")
    cmd = [exe] if os.path.exists(exe) else [sys.executable, "-m", "lacuna.server"]
    return subprocess.Popen(cmd + ["--no-omission", "--port", str(port), "--workers", str(workers),
                                   "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def server_direct(address: str, rows: list[dict], metrics: list[str], batch_size: int, concurrency: int) -> float:
    """Seconds to score every row through Score calls, requests built beforehand."""
    options = to_options(metrics)
    requests = [service_pb2.ScoreRequest(segments=[to_segment(r) for r in rows[i:i + batch_size]], options=options)
                for i in range(0, len(rows), batch_size)]
    lock = threading.Lock()
    queue = list(reversed(requests))
    with Client(address, timeout=600) as client:
        client.wait_ready(30)

        def worker():
            while True:
                with lock:
                    if not queue:
                        return
                    req = queue.pop()
                client.stub.Score(req, timeout=600)

        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - start


def client_args(job: str, out: str, address: str, metrics: list[str], args) -> list[str]:
    return [job, "--server", address, "--metrics", ",".join(metrics), "-o", out, "--fresh", "-q",
            "--batch-size", str(args.batch_size), "--streams", str(args.streams), "--window", str(args.window)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--segments", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--metrics", default="bleu,chrf,ter")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--streams", type=int, default=4)
    ap.add_argument("--window", type=int, default=4)
    ap.add_argument("--server-workers", type=int, default=8)
    ap.add_argument("--no-subprocess", action="store_true", help="skip the python -m lacuna.client timing")
    args = ap.parse_args()
    metrics = [m for m in args.metrics.split(",") if m]

    port = free_port()
    server = start_server(port, args.server_workers)
    address = f"127.0.0.1:{port}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            job = os.path.join(tmp, "job.jsonl")
            rows = make_job(job, args.segments)
            warm = os.path.join(tmp, "warm.jsonl")
            make_job(warm, 200, seed=1)
            with Client(address) as c:
                c.wait_ready(60)
            # warm-up: language detector, tokenizers, channels
            server_direct(address, rows[:200], metrics, args.batch_size, args.streams)
            with open(os.devnull, "w") as devnull:
                stdout, sys.stdout = sys.stdout, devnull
                try:
                    score_main(client_args(warm, os.path.join(tmp, "warm.out"), address, metrics, args))
                finally:
                    sys.stdout = stdout

            n = len(rows)
            print(f"bench_client: {n} segments en->de, metrics {','.join(metrics)}, batch {args.batch_size}, "
                  f"{args.streams} streams x window {args.window}, server --no-omission --workers "
                  f"{args.server_workers} (own process)")
            ratios, direct_rates, client_rates, sub_rates, mean_rates = [], [], [], [], []
            cpu = {"server_direct": [], "server_client": [], "client": []}

            def run_server() -> float:
                before = process_cpu(server.pid)
                seconds = server_direct(address, rows, metrics, args.batch_size, args.streams)
                cpu["server_direct"].append((process_cpu(server.pid) - before) / n)
                return seconds

            def run_client(*extra: str) -> float:
                out = os.path.join(tmp, "out.jsonl")
                before_server, before_self = process_cpu(server.pid), own_cpu()
                with open(os.devnull, "w") as devnull:
                    stdout, sys.stdout = sys.stdout, devnull
                    try:
                        start = time.perf_counter()
                        rc = score_main(client_args(job, out, address, metrics, args) + list(extra))
                        seconds = time.perf_counter() - start
                    finally:
                        sys.stdout = stdout
                if rc != 0:
                    raise SystemExit(f"lacuna score exited {rc}")
                key = "client_mean" if extra else "client"
                cpu.setdefault(key, []).append((own_cpu() - before_self) / n)
                if not extra:
                    cpu["server_client"].append((process_cpu(server.pid) - before_server) / n)
                return seconds

            for rnd in range(args.rounds):
                # server, client, client, server: drifts in machine load cancel out within a round
                server_s = run_server()
                client_s = run_client() + run_client()
                server_s += run_server()
                rates = {"server": 2 * n / server_s, "client": 2 * n / client_s}
                mean_rates.append(n / run_client("--corpus-scores", "mean"))
                if not args.no_subprocess and rnd == 0:
                    out = os.path.join(tmp, "out_sub.jsonl")
                    start = time.perf_counter()
                    subprocess.run([sys.executable, "-m", "lacuna.client",
                                    *client_args(job, out, address, metrics, args)],
                                   check=True, stdout=subprocess.DEVNULL)
                    sub_rates.append(n / (time.perf_counter() - start))
                ratio = rates["client"] / rates["server"]
                ratios.append(ratio)
                direct_rates.append(rates["server"])
                client_rates.append(rates["client"])
                sub = f", subprocess {sub_rates[-1]:.0f} seg/s" if sub_rates and rnd == 0 else ""
                sub += f", --corpus-scores mean {mean_rates[-1]:.0f} seg/s"
                print(f"round {rnd + 1}: server (Score x{args.streams}) {rates['server']:.0f} seg/s, "
                      f"lacuna score {rates['client']:.0f} seg/s{sub}, ratio {ratio:.3f}", flush=True)
            ms = {k: 1000 * statistics.median(v) for k, v in cpu.items()}
            print(f"server throughput       median {statistics.median(direct_rates):.0f} seg/s")
            print(f"lacuna score (main())   median {statistics.median(client_rates):.0f} seg/s")
            if sub_rates:
                print(f"python -m lacuna.client median {statistics.median(sub_rates):.0f} seg/s "
                      f"(includes interpreter start-up)")
            print(f"lacuna score --corpus-scores mean median {statistics.median(mean_rates):.0f} seg/s "
                  f"(ratio {statistics.median(mean_rates) / statistics.median(direct_rates):.3f} to the median server)")
            print(f"CPU per segment (median): server {ms['server_direct']:.3f} ms fed by Score, "
                  f"{ms['server_client']:.3f} ms fed by lacuna score; lacuna score itself {ms['client']:.3f} ms "
                  f"incl. its corpus helper process "
                  f"({ms['client'] / ms['server_direct']:.2f} of the server's), {ms['client_mean']:.3f} ms "
                  f"with --corpus-scores mean")
            verdict = "meets" if statistics.median(ratios) >= 0.9 else "below"
            print(f"client/server ratio     median {statistics.median(ratios):.3f} "
                  f"(per round: {', '.join(f'{r:.3f}' for r in ratios)}; {verdict} the 0.9 target)")
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
