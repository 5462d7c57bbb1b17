"""Served COMET throughput vs unbabel-comet's own `model.predict`, same model, same inputs, same run.

A random-weight regression model (wmt22-comet-da layout) is saved as a
checkpoint folder and served by a real Lacuna server on loopback
(`--comet-model FOLDER`). Its encoder has the shape of a real COMET encoder:
by default eamt22-cometinho-da's Multilingual-MiniLM (12 layers, 384 wide; the
large models are too slow for a CPU run -- `bench/gpu_comet_large.py` measures
those on a GPU), with the test tokenizer's small vocabulary (embedding lookups
cost the same at any vocabulary size). `--shape small` (4 layers, 256 wide) is a
quick run in which the server's per-request work (gRPC, the QA checks) weighs
far more than it would next to any real model. Clients send one segment
per request -- the hard case for a server, which must batch across requests --
and 8 per request, at concurrency 1 and 16. The offline baseline is
`model.predict(batch_size=16, gpus=0)` on the same segments, run with one torch
thread and with one per core, before and after the served runs; the faster
setting is the baseline. The server runs with its defaults for this machine
(on a CPU: `--comet-workers` one per core, each batch on its share of the cores),
except that its sentence-embedding cache is off: every run scores the same
segments, and no sentence repeats within them.

    python bench/bench_comet.py                 # default: a few minutes on 2 CPU cores
    python bench/bench_comet.py --shape small   # about a minute
    python bench/bench_comet.py --segments 1024 --per-request 4 --concurrency 1,4,16,32
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import tempfile
import threading
import time


#: Encoder shapes: (layers, width, attention heads).
SHAPES = {
    "cometinho": (12, 384, 12),  # eamt22-cometinho-da: Multilingual-MiniLM-L12-H384
    "small": (4, 256, 4),
}


def build_model(folder: pathlib.Path, layers: int, hidden: int, heads: int) -> pathlib.Path:
    from lacuna.server.comet import synthetic

    shape = synthetic.EncoderShape(hidden=hidden, layers=layers, heads=heads, intermediate=hidden * 4,
                                   init_range=0.02)
    encoder = synthetic.build_encoder_folder(folder / "enc", shape)
    synthetic.build_checkpoint(folder / "model", "regression", encoder, hidden_sizes=[hidden * 2, hidden])
    return folder / "model"


def served(address: str, segments: list[dict], concurrency: int, per_request: int) -> tuple[float, list[float]]:
    """Seconds to score every segment with `concurrency` clients; the scores, in order."""
    from lacuna.client import Client

    requests = [list(range(i, min(i + per_request, len(segments)))) for i in range(0, len(segments), per_request)]
    scores: list[float | None] = [None] * len(segments)
    errors: list[Exception] = []

    def worker(mine):
        with Client(address, timeout=300) as client:
            for idx in mine:
                try:
                    result = client.score([segments[i] for i in idx], metrics=["comet"])
                    for i, seg in zip(idx, result.segments):
                        scores[i] = seg.scores["comet"]
                except Exception as exc:  # noqa: BLE001 - reported after the run
                    errors.append(exc)

    shares = [requests[k::concurrency] for k in range(concurrency)]
    threads = [threading.Thread(target=worker, args=(share,)) for share in shares]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, first: {errors[0]}")
    return seconds, scores  # type: ignore[return-value]


def batcher_only(batcher, samples: list[dict], concurrency: int, per_request: int) -> float:
    """Seconds for `concurrency` threads to push `samples` straight into the server's batcher:
    the serving path without gRPC, validation and the QA checks."""
    requests = [samples[i:i + per_request] for i in range(0, len(samples), per_request)]

    def worker(mine):
        for chunk in mine:
            for future in batcher.submit([("comet", sum(len(v) for v in s.values()), s) for s in chunk]):
                future.result()

    threads = [threading.Thread(target=worker, args=(requests[k::concurrency],)) for k in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def served_from_another_process(address: str, n: int, concurrency: int, per_request: int
                                ) -> tuple[float, list[float]]:
    """`served` run by a separate Python process, as real clients are: the load generator's
    threads must not share the server's interpreter lock."""
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-W", "ignore", __file__, "--client-load", address, "--segments", str(n),
                           "--concurrency", str(concurrency), "--per-request", str(per_request)],
                          capture_output=True, text=True, check=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return result["seconds"], result["scores"]


def client_load(args) -> int:
    import json

    from lacuna.client import Client

    segments = make_segments(args.segments)
    with Client(args.client_load, timeout=60) as client:  # connect before the clock starts
        client.capabilities()
    seconds, scores = served(args.client_load, segments, int(args.concurrency), int(args.per_request))
    print(json.dumps({"seconds": seconds, "scores": scores}))
    return 0


def make_segments(n: int) -> list[dict]:
    from lacuna.server.comet import synthetic

    return [{"id": str(i), "source": s["src"], "translation": s["mt"], "reference": s["ref"],
             "src_lang": "en", "tgt_lang": "de"} for i, s in enumerate(synthetic.sample_segments(n, seed=7))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--segments", type=int, default=320)
    parser.add_argument("--per-request", default="1,8",
                        help="comma-separated segments per Score request (default 1,8: a CAT tool scoring "
                             "segment by segment, and a client sending small documents)")
    parser.add_argument("--concurrency", default="1,16", help="comma-separated client counts (default 1,16)")
    parser.add_argument("--batch-size", type=int, default=16, help="model.predict and server batch size")
    parser.add_argument("--shape", choices=sorted(SHAPES), default="cometinho",
                        help="encoder shape (default cometinho: 12 layers x 384)")
    parser.add_argument("--predict-threads", default=None,
                        help="comma-separated torch thread counts to run model.predict with; the fastest is the "
                             "baseline (default: 1 and one per core)")
    parser.add_argument("--comet-workers", type=int, default=0, help="server --comet-workers (default 0: automatic)")
    parser.add_argument("--cpu-max-padding", type=float, default=None,
                        help="override the server's CPU batch padding limit (an experiment knob)")
    parser.add_argument("--max-delay-ms", type=float, default=5.0, help="server --comet-max-delay-ms")
    parser.add_argument("--in-process-clients", action="store_true",
                        help="run the client threads inside the server's process (default: a separate process)")
    parser.add_argument("--client-load", metavar="ADDRESS", help=argparse.SUPPRESS)  # the separate process
    args = parser.parse_args(argv)
    if args.client_load:
        return client_load(args)

    import torch

    if args.cpu_max_padding is not None:
        import lacuna.server.comet as comet_package

        comet_package.CPU_MAX_PADDING = args.cpu_max_padding

    import os

    from lacuna.server.app import LacunaServer
    from lacuna.server.comet import usable_cores
    from lacuna.server.logs import configure_logging

    # As `lacuna-server` logs (a JSON line per request), into the void rather than this terminal.
    configure_logging("info", "json", stream=open(os.devnull, "w"))
    from lacuna.server.comet import synthetic
    from lacuna.server.config import ServerConfig

    samples = synthetic.sample_segments(args.segments, seed=7)
    segments = make_segments(args.segments)
    with tempfile.TemporaryDirectory() as tmp:
        layers, hidden, heads = SHAPES[args.shape]
        folder = build_model(pathlib.Path(tmp), layers, hidden, heads)
        from lacuna.server.comet.quiet import import_comet

        model = import_comet().load_from_checkpoint(str(folder / "checkpoints" / "model.ckpt"),
                                                    local_files_only=True)
        params = sum(p.numel() for p in model.parameters())
        cores = usable_cores()
        thread_counts = sorted({int(t) for t in (args.predict_threads or f"1,{cores}").split(",") if t.strip()})
        print(f"model: random-weight regression, {args.shape}-shaped encoder ({layers} layers x {hidden} wide), "
              f"{params / 1e6:.1f}M parameters; {args.segments} segments; batch size {args.batch_size}; "
              f"{cores} usable cores")
        model.predict(samples[:args.batch_size], batch_size=args.batch_size, gpus=0, progress_bar=False)  # warm-up

        def predict(threads: int) -> tuple[float, list[float]]:
            torch.set_num_threads(threads)
            started = time.perf_counter()
            scores = model.predict(samples, batch_size=args.batch_size, gpus=0, progress_bar=False).scores
            return len(samples) / (time.perf_counter() - started), scores

        predict_rates: dict[int, list[float]] = {t: [] for t in thread_counts}
        for threads in thread_counts:
            rate, offline = predict(threads)
            predict_rates[threads].append(rate)
            print(f"model.predict, {threads} torch thread(s): {rate:.1f} segments/s")

        config = ServerConfig(port=0, workers=64, omission=False, comet_models=[str(folder)],
                              comet_batch_size=args.batch_size, comet_max_delay_ms=args.max_delay_ms,
                              comet_queue_size=max(4096, args.segments), comet_workers=args.comet_workers,
                              comet_cache_size=0)  # every run scores the same segments: no cache
        server = LacunaServer(config).start()
        try:
            served(server.address, segments[:args.batch_size], 4, 1)  # warm-up
            batcher = next(s.batcher for s in server.pipeline.scorers if hasattr(s, "batcher"))
            print(f"server: {batcher.workers} COMET worker(s), {torch.get_num_threads()} torch thread(s) each")
            rows, direct_rows = [], []
            for per_request in [int(p) for p in args.per_request.split(",") if p.strip()]:
                for concurrency in [int(c) for c in args.concurrency.split(",") if c.strip()]:
                    before, busy = len(batcher.batch_sizes), batcher.busy_seconds
                    if args.in_process_clients:
                        seconds, scores = served(server.address, segments, concurrency, per_request)
                    else:
                        seconds, scores = served_from_another_process(server.address, len(segments), concurrency,
                                                                      per_request)
                    busy = (batcher.busy_seconds - busy) / seconds
                    sizes = batcher.batch_sizes[before:] or [0]
                    drift = max(abs(a - b) for a, b in zip(scores, offline))
                    rows.append((concurrency, per_request, len(segments) / seconds, statistics.mean(sizes), drift,
                                 busy))
                    print(f"served, concurrency {concurrency:3d}, {per_request} segment(s)/request: "
                          f"{rows[-1][2]:.1f} segments/s")
                    if concurrency > 1:
                        direct = len(samples) / batcher_only(batcher, samples, concurrency, per_request)
                        direct_rows.append((concurrency, per_request, direct))
        finally:
            server.stop(grace=None)
        for threads in thread_counts:  # again after the served runs: the machine's load drifts
            rate, _ = predict(threads)
            predict_rates[threads].append(rate)
            print(f"model.predict (again), {threads} torch thread(s): {rate:.1f} segments/s")
    means = {t: statistics.mean(r) for t, r in predict_rates.items()}
    best = max(means, key=means.get)
    baseline = means[best]
    print(f"baseline: model.predict with {best} torch thread(s), mean of both runs: {baseline:.1f} segments/s")
    for concurrency, per_request, rate, batch, drift, busy in rows:
        print(f"served / model.predict at concurrency {concurrency:2d}, {per_request} segment(s) per request: "
              f"{rate / baseline:.2f}x ({rate:.1f} vs {baseline:.1f} segments/s; mean batch {batch:.1f}; workers busy "
              f"{busy:.0%} of one; "
              f"max |score - predict| {drift:.1e})")
    for concurrency, per_request, rate in direct_rows:
        print(f"batcher alone (no gRPC, no checks) / model.predict at concurrency {concurrency:2d}, {per_request} "
              f"segment(s) per submit: {rate / baseline:.2f}x ({rate:.1f} segments/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
