"""Service overhead of `Score`: requests/s and p50/p99 latency for 1-segment and
100-segment requests (BLEU + chrF + TER + the five checks), against the same work
done in-process without gRPC, in the same run.

The server runs in its own process (`python -m lacuna.server --no-omission`, so
the omission encoder is not measured here) and is called one request at a time
from this process, over loopback. "In-process" scores the same request batches
by calling ReferenceMetrics and ChecksScorer directly (with the corpus
statistics the service also computes). The two paths are measured in alternating
rounds, so load from other processes falls on both. Overhead = service latency /
in-process latency (p50, p99), and in-process req/s / service req/s. On a
busy 2-core machine the figures swing by tens of percent between runs; the
in-process path also shares this process (and its GIL) with the gRPC client.

The segments are synthetic English->German and English->Japanese sentence
pairs built here from templates (with references), not data from the repo.

    .venv/bin/python bench/bench_service.py                    # about a minute
    .venv/bin/python bench/bench_service.py --seconds 30       # longer, steadier
    .venv/bin/python bench/bench_service.py --in-process-server  # server in this process
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from typing import Callable, Sequence

from lacuna.client import Client
from lacuna.client.client import to_segment
from lacuna.languages import parse
from lacuna.proto import service_pb2, service_pb2_grpc, types_pb2
from lacuna.server.checks import ChecksScorer
from lacuna.server.metrics.reference import ReferenceMetrics
from lacuna.server.model import SegmentInput

METRICS = frozenset({"bleu", "chrf", "ter"})

# (English, German translation, German reference, Japanese translation, Japanese reference);
# {n}, {m}, {city}, {day} are filled in per segment.
TEMPLATES = [
    ("The train to {city} leaves at {n}:15 from platform {m}.",
     "Der Zug nach {city} fährt um {n}:15 von Gleis {m} ab.",
     "Der Zug nach {city} fährt um {n}.15 Uhr auf Gleis {m} ab.",
     "{city}行きの列車は{n}時15分に{m}番線から発車します。",
     "{city}行きの電車は{m}番線から{n}時15分に出発します。"),
    ("Our team shipped {n},500 orders on {day}, a record for the month.",
     "Unser Team hat am {day} {n}.500 Bestellungen versandt, ein Rekord für den Monat.",
     "Am {day} verschickte unser Team {n}.500 Bestellungen – ein Monatsrekord.",
     "当チームは{day}に{n},500件の注文を発送し、月間の記録となりました。",
     "{day}、チームは{n},500件の注文を出荷し、今月の最高記録を更新した。"),
    ("Please restart the router and wait {m} minutes before you try again.",
     "Bitte starten Sie den Router neu und warten Sie {m} Minuten, bevor Sie es erneut versuchen.",
     "Starten Sie den Router neu und warten Sie {m} Minuten, bevor Sie es noch einmal versuchen.",
     "ルーターを再起動し、{m}分待ってからもう一度お試しください。",
     "ルーターを再起動して、{m}分後に再度お試しください。"),
    ("The museum in {city} will stay closed until {day} for repairs to the roof.",
     "Das Museum in {city} bleibt wegen Reparaturen am Dach bis {day} geschlossen.",
     "Wegen Dachreparaturen bleibt das Museum in {city} bis {day} geschlossen.",
     "{city}の博物館は屋根の修理のため{day}まで休館します。",
     "屋根の補修工事のため、{city}の美術館は{day}まで閉館となります。"),
    ("Sales rose by {m}.5% in the third quarter, driven by strong demand in {city}.",
     "Der Umsatz stieg im dritten Quartal um {m},5 %, getrieben von der starken Nachfrage in {city}.",
     "Im dritten Quartal wuchs der Umsatz dank starker Nachfrage in {city} um {m},5 %.",
     "第3四半期の売上高は、{city}での旺盛な需要に支えられ{m}.5%増加した。",
     "{city}の強い需要を背景に、第3四半期の売上は{m}.5%伸びた。"),
    ("Your subscription renews on {day}; you can cancel it at any time in your account settings.",
     "Ihr Abonnement verlängert sich am {day}; Sie können es jederzeit in Ihren Kontoeinstellungen kündigen.",
     "Ihr Abo wird am {day} verlängert und kann jederzeit in den Kontoeinstellungen gekündigt werden.",
     "ご契約は{day}に更新されます。アカウント設定からいつでも解約できます。",
     "サブスクリプションは{day}に自動更新されます。解約はアカウント設定からいつでも可能です。"),
    ("More than {n},000 runners took part in the {city} marathon despite the heat.",
     "Trotz der Hitze nahmen mehr als {n}.000 Läufer am {city}-Marathon teil.",
     "Mehr als {n}.000 Läuferinnen und Läufer starteten trotz Hitze beim Marathon in {city}.",
     "暑さにもかかわらず、{city}マラソンには{n},000人以上のランナーが参加した。",
     "猛暑の中、{n},000人を超えるランナーが{city}マラソンに出場した。"),
    ("The council approved a budget of {m} million euros for new cycle lanes.",
     "Der Stadtrat genehmigte ein Budget von {m} Millionen Euro für neue Radwege.",
     "Der Rat bewilligte {m} Millionen Euro für neue Fahrradwege.",
     "市議会は新しい自転車レーンのために{m}00万ユーロの予算を承認した。",
     "議会は新たな自転車専用レーン整備に{m}00万ユーロの予算を承認した。"),
]
CITIES = ["Berlin", "Hamburg", "Osaka", "Kyoto", "Vienna", "Zurich", "Sapporo", "Munich"]
DAYS_EN_DE_JA = [("Monday", "Montag", "月曜日"), ("Friday", "Freitag", "金曜日"), ("Sunday", "Sonntag", "日曜日")]


def synthetic_segments(count: int, seed: int = 7) -> list[dict]:
    """`count` plausible en->de / en->ja segments with references, alternating targets."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        en, de, de_ref, ja, ja_ref = rng.choice(TEMPLATES)
        day_en, day_de, day_ja = rng.choice(DAYS_EN_DE_JA)
        n, m, city = rng.randint(2, 19), rng.randint(2, 9), rng.choice(CITIES)
        fill = {"n": n, "m": m, "city": city}
        to_ja = i % 2 == 1
        out.append({
            "id": f"b{i}", "src_lang": "en", "tgt_lang": "ja" if to_ja else "de",
            "source": en.format(day=day_en, **fill),
            "translation": (ja if to_ja else de).format(day=day_ja if to_ja else day_de, **fill),
            "reference": (ja_ref if to_ja else de_ref).format(day=day_ja if to_ja else day_de, **fill),
        })
    return out


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def measure(call: Callable[[int], None], batches: int, seconds: float, max_requests: int,
            start: int = 0) -> tuple[list[float], float]:
    """Run `call(i)` one at a time for about `seconds` (at least 2, at most `max_requests` calls);
    (latencies in s, wall time in s)."""
    latencies = []
    started = time.perf_counter()
    i = 0
    while i < max_requests and (time.perf_counter() - started < seconds or i < 2):
        t0 = time.perf_counter()
        call((start + i) % batches)
        latencies.append(time.perf_counter() - t0)
        i += 1
    return latencies, time.perf_counter() - started


def interleaved(calls: dict[str, Callable[[int], None]], batches: int, seconds: float, rounds: int,
                max_requests: int) -> dict[str, dict]:
    """Measure each path in turn, `rounds` times, so that load from other processes hits all
    of them alike; stats over all rounds."""
    lat: dict[str, list[float]] = {name: [] for name in calls}
    wall = dict.fromkeys(calls, 0.0)
    for r in range(rounds):
        for name, call in calls.items():
            got, took = measure(call, batches, seconds / rounds, max_requests // rounds, start=len(lat[name]))
            lat[name] += got
            wall[name] += took
    return {name: {"requests": len(v), "rps": len(v) / wall[name], "p50": percentile(v, 50) * 1000,
                   "p99": percentile(v, 99) * 1000, "mean": statistics.fmean(v) * 1000}
            for name, v in lat.items()}


class InProcess:
    """The service's scoring work without gRPC: validation-free SegmentInputs, scorers, corpus stats."""

    def __init__(self) -> None:
        self.checks = ChecksScorer()
        self.reference = ReferenceMetrics()

    @staticmethod
    def inputs(segments: list[dict]) -> list[SegmentInput]:
        return [SegmentInput(i, s["id"], s["source"], s["translation"], s["reference"],
                             parse(s["src_lang"]), parse(s["tgt_lang"])) for i, s in enumerate(segments)]

    def score(self, segments: list[SegmentInput]) -> None:
        corpus = self.reference.corpus(METRICS)
        self.checks.score(segments, METRICS)
        for seg, out in zip(segments, self.reference.score(segments, METRICS)):
            corpus.add(seg, out)
        corpus.results()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(in_process: bool):
    """(address, stop function)."""
    if in_process:
        from lacuna.server.app import LacunaServer
        from lacuna.server.config import ServerConfig
        from lacuna.server.logs import configure_logging

        configure_logging("warning")
        server = LacunaServer(ServerConfig(port=0, omission=False)).start()
        return server.address, lambda: server.stop(grace=None)
    port = free_port()
    env = dict(os.environ, LACUNA_LOG_LEVEL="warning")
    proc = subprocess.Popen([sys.executable, "-m", "lacuna.server", "--no-omission", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop() -> None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()

    return f"127.0.0.1:{port}", stop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0,
                        help="time per path and request size (default 8)")
    parser.add_argument("--rounds", type=int, default=4,
                        help="alternate service / in-process this many times (default 4)")
    parser.add_argument("--sizes", default="1,100", help="segments per request (default 1,100)")
    parser.add_argument("--distinct", type=int, default=400,
                        help="distinct segments cycled through per size (default 400)")
    parser.add_argument("--in-process-server", action="store_true",
                        help="run the server in this process instead of a subprocess")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    pool = synthetic_segments(2000)
    local = InProcess()
    address, stop = start_server(args.in_process_server)
    rows = []
    try:
        with Client(address, timeout=120) as client:
            client.wait_ready(timeout=60)
            stub = service_pb2_grpc.LacunaStub(client.channel)
            options = types_pb2.ScoreOptions(metrics=sorted(METRICS))
            for size in sizes:
                # the same few hundred segments, cut into requests of `size`
                count = max(1, min(args.distinct // size, len(pool) // size))
                batches = [pool[i * size:(i + 1) * size] for i in range(count)]
                requests = [service_pb2.ScoreRequest(segments=[to_segment(s) for s in b], options=options)
                            for b in batches]
                inputs = [local.inputs(b) for b in batches]
                # warm up both paths on every batch (language-ID models load per language, MeCab, channel)
                for r, inp in zip(requests, inputs):
                    stub.Score(r, timeout=120)
                    local.score(inp)
                max_requests = 100_000 if size == 1 else 10_000
                stats = interleaved({"service": lambda i: stub.Score(requests[i], timeout=120),
                                     "in-process": lambda i: local.score(inputs[i])},
                                    len(requests), args.seconds, args.rounds, max_requests)
                rows.append((size, stats["service"], stats["in-process"]))
    finally:
        stop()

    breakdown = cost_breakdown(local, local.inputs(pool[:100]))

    where = "in this process" if args.in_process_server else "in a subprocess"
    print(f"Score over loopback (server {where}, --no-omission; BLEU+chrF+TER+5 checks), "
          f"one request at a time, {args.seconds:g} s per path in {args.rounds} alternating rounds, {os.cpu_count()} CPUs")
    print(f"{'segments/request':>16} {'path':>10} {'requests':>8} {'req/s':>9} {'segments/s':>10} "
          f"{'p50 ms':>8} {'p99 ms':>8}")
    for size, svc, loc in rows:
        for name, m in (("service", svc), ("in-process", loc)):
            print(f"{size:>16} {name:>10} {m['requests']:>8} {m['rps']:>9.1f} {m['rps'] * size:>10.0f} "
                  f"{m['p50']:>8.2f} {m['p99']:>8.2f}")
    for size, svc, loc in rows:
        print(f"overhead, {size}-segment requests: p50 latency service/in-process = {svc['p50'] / loc['p50']:.2f}x, "
              f"p99 = {svc['p99'] / loc['p99']:.2f}x, throughput in-process/service = {loc['rps'] / svc['rps']:.2f}x "
              f"(+{svc['p50'] - loc['p50']:.2f} ms per request at p50)")
    print("in-process cost per segment by stage (100 segments, half en->de, half en->ja):")
    for name, ms in breakdown:
        print(f"  {name:<28} {ms:8.3f} ms")
    return 0


def cost_breakdown(local: InProcess, segments: list[SegmentInput]) -> list[tuple[str, float]]:
    """Mean ms per segment of each metric (by target language) and each check."""
    out = []
    for lang in ("de", "ja"):
        group = [s for s in segments if s.tgt_lang.base == lang]
        for metric in sorted(METRICS):
            t0 = time.perf_counter()
            local.reference.score(group, frozenset({metric}))
            out.append((f"{metric} (-> {lang})", (time.perf_counter() - t0) / len(group) * 1000))
    for check in local.checks._checks:
        t0 = time.perf_counter()
        for seg in segments:
            check.run(seg)
        out.append((f"check {check.name}", (time.perf_counter() - t0) / len(segments) * 1000))
    return out


if __name__ == "__main__":
    sys.exit(main())
