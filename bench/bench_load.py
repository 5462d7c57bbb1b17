"""Load on a real server over loopback: latency under concurrency, refusals, work for callers who left.

Starts `lacuna-server` (default settings: omission on, admission control sized to the cores)
in its own process, then for each concurrency level runs that many closed-loop callers for a
fixed time. Each caller sends realistic requests — one sentence (most), or a short paragraph
of 2-5 sentences — with a 5 s deadline, and now and then (about 1 request in 40) a
pathological document: 100,000 characters without a space or punctuation, 3,000 stacked
combining marks, or a 60-sentence article, with a 30 s deadline. A caller told
RESOURCE_EXHAUSTED waits the server's retry hint and goes on with its next request.

Printed per level: answered requests/s, p50/p99 latency of the normal (non-pathological)
requests that succeeded, the share of answers that were RESOURCE_EXHAUSTED and
DEADLINE_EXCEEDED, and the share of the server's call CPU spent on calls that ended
CANCELLED or DEADLINE_EXCEEDED (work for callers who left; from the server's
`lacuna_request_cpu_seconds_total`), plus the server process's CPU-seconds.

    python bench/bench_load.py                      # 1, 16, 64, 256 callers, 15 s each
    python bench/bench_load.py --levels 1,64 --seconds 10

Targets (issue 15): p99 of normal requests at 64 callers within 2x of 1 caller's; CPU on
abandoned work under 5%.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import grpc

from lacuna.client import LacunaError
from lacuna.client.client import Client, to_segment
from lacuna.proto import service_pb2

WORDS = ("river station garden teacher window morning letter market winter bridge doctor village engine forest "
         "council harbour museum kitchen student painter ticket summer office report river island machine "
         "customer order invoice payment shipment warehouse budget contract meeting schedule").split()
NORMAL_DEADLINE_S = 5.0
PATHOLOGICAL_DEADLINE_S = 30.0
PATHOLOGICAL_EVERY = 40


def sentence(rng: random.Random) -> str:
    w = [rng.choice(WORDS) for _ in range(6)]
    return f"The {w[0]} near the {w[1]} sent {rng.randint(2, 999)} {w[2]}s to the {w[3]} before the {w[4]} {w[5]}."


def normal_request(rng: random.Random) -> list[dict]:
    count = 1 if rng.random() < 0.7 else rng.randint(2, 5)
    source = " ".join(sentence(rng) for _ in range(count))
    kept = source.split(". ")
    if count > 1 and rng.random() < 0.3:  # now and then a sentence left out
        kept.pop(rng.randrange(len(kept)))
    return [{"id": "n", "source": source, "translation": ". ".join(kept), "src_lang": "en", "tgt_lang": "en"}]


def pathological_request(rng: random.Random) -> list[dict]:
    kind = rng.randrange(3)
    if kind == 0:
        run = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(100_000))
        return [{"id": "p", "source": run, "translation": run[::-1], "src_lang": "en", "tgt_lang": "de"}]
    if kind == 1:
        marks = "e" + "\u0301\u0302\u0303" * 1000
        return [{"id": "p", "source": marks, "translation": marks[::-1], "src_lang": "en", "tgt_lang": "fr"}]
    article = " ".join(sentence(rng) for _ in range(60))
    return [{"id": "p", "source": article, "translation": article, "src_lang": "en", "tgt_lang": "en"}]


class Level:
    """What the callers of one concurrency level saw."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []  # normal requests answered OK
        self.codes: dict[str, int] = {}

    def record(self, code: str, seconds: float, normal: bool) -> None:
        with self.lock:
            self.codes[code] = self.codes.get(code, 0) + 1
            if code == "OK" and normal:
                self.latencies.append(seconds)


def caller(client: Client, level: Level, stop_at: float, seed: int) -> None:
    rng = random.Random(seed)
    n = 0
    while time.monotonic() < stop_at:
        n += 1
        pathological = rng.randrange(PATHOLOGICAL_EVERY) == 0
        segments = pathological_request(rng) if pathological else normal_request(rng)
        request = service_pb2.ScoreRequest(segments=[to_segment(s) for s in segments])
        timeout = PATHOLOGICAL_DEADLINE_S if pathological else NORMAL_DEADLINE_S
        started = time.monotonic()
        try:
            client.stub.Score(request, timeout=timeout)
            level.record("OK", time.monotonic() - started, not pathological)
        except grpc.RpcError as err:
            error = LacunaError.from_rpc_error(err)
            level.record(error.code.name, time.monotonic() - started, not pathological)
            if error.code == grpc.StatusCode.RESOURCE_EXHAUSTED:
                time.sleep(error.retry_after or 0.1)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def cpu_by_code(metrics_port: int) -> dict[str, float]:
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as response:
        text = response.read().decode()
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "lacuna_request_cpu_seconds_total" and s.labels.get("method") == "Score":
                out[s.labels["code"]] = out.get(s.labels["code"], 0.0) + s.value
    return out


def process_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_level(address: str, concurrency: int, seconds: float, metrics_port: int, pid: int) -> dict:
    level = Level()
    before, cpu_before = cpu_by_code(metrics_port), process_cpu(pid)
    stop_at = time.monotonic() + seconds
    with Client(address, timeout=None, retries=0) as client:
        threads = [threading.Thread(target=caller, args=(client, level, stop_at, 1000 * concurrency + i))
                   for i in range(concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    time.sleep(1.0)  # calls that were cut off finish their bookkeeping
    after, cpu_after = cpu_by_code(metrics_port), process_cpu(pid)
    spent = {code: after.get(code, 0.0) - before.get(code, 0.0) for code in after}
    total = sum(spent.values())
    abandoned = spent.get("CANCELLED", 0.0) + spent.get("DEADLINE_EXCEEDED", 0.0)
    answers = sum(level.codes.values())
    return {
        "concurrency": concurrency, "answers": answers, "per_s": answers / seconds,
        "ok_per_s": level.codes.get("OK", 0) / seconds,
        "p50": percentile(level.latencies, 0.5), "p99": percentile(level.latencies, 0.99),
        "exhausted": level.codes.get("RESOURCE_EXHAUSTED", 0) / max(1, answers),
        "deadline": level.codes.get("DEADLINE_EXCEEDED", 0) / max(1, answers),
        "abandoned_cpu": abandoned / total if total else 0.0, "call_cpu": total,
        "process_cpu": cpu_after - cpu_before, "codes": dict(sorted(level.codes.items())),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="1,16,64,256")
    parser.add_argument("--seconds", type=float, default=15.0, help="per level [15]")
    parser.add_argument("--server-args", default="", help="extra lacuna-server flags, space-separated")
    args = parser.parse_args()
    port, metrics_port = free_port(), free_port()
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="1048576")
    server = subprocess.Popen([sys.executable, "-m", "lacuna.server", "--port", str(port), "--metrics-port",
                               str(metrics_port), "--log-level", "warning", *args.server_args.split()],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    address = f"127.0.0.1:{port}"
    try:
        with Client(address, timeout=60) as client:
            client.wait_ready(120)
            rng = random.Random(0)
            for _ in range(5):  # load the models and warm the caches' code paths
                client.score(normal_request(rng))
        print(f"cores: {os.cpu_count()}; {args.seconds:g} s per level; normal deadline {NORMAL_DEADLINE_S:g} s; "
              f"1 request in {PATHOLOGICAL_EVERY} pathological", flush=True)
        print(f"{'callers':>7} {'answers/s':>9} {'ok/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'exhausted':>9} "
              f"{'deadline':>8} {'abandoned CPU':>13} {'server CPU-s':>12}", flush=True)
        rows = []
        for concurrency in (int(c) for c in args.levels.split(",")):
            r = run_level(address, concurrency, args.seconds, metrics_port, server.pid)
            rows.append(r)
            print(f"{r['concurrency']:>7} {r['per_s']:>9.1f} {r['ok_per_s']:>6.1f} {r['p50'] * 1000:>7.0f} "
                  f"{r['p99'] * 1000:>7.0f} {r['exhausted']:>9.1%} {r['deadline']:>8.1%} "
                  f"{r['abandoned_cpu']:>13.1%} {r['process_cpu']:>12.1f}   {r['codes']}", flush=True)
        base = rows[0]
        for r in rows[1:]:
            print(f"p99 at {r['concurrency']} callers / p99 at {base['concurrency']}: {r['p99'] / base['p99']:.2f}x")
    finally:
        server.terminate()
        server.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
