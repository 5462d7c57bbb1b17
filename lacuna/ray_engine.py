"""`lacuna score --engine ray`: the same job, scored by Ray actors instead of a server.

This module joins the two sides: the batch client's inputs, results, summary and report
(lacuna.client) and the server's pipeline (lacuna.server), which each actor runs in
process. lacuna.client itself still never imports lacuna.server; `lacuna score` imports
this module only for `--engine ray`.

The driver (this process) reads the inputs exactly as the server path does, skips ids
already in `--output`, cuts what is left into blocks of `--block-size` segments and
hands them to Ray Data. `map_batches` runs `ScoringActor`, a callable class: each actor
builds the server's pipeline once (from `--pipeline-args`, the `lacuna-server` flags)
and scores every block it gets through the servicer's own ScoreStream, in process
(`lacuna.server.inprocess`). Results come back to the driver block by block, in the
order they finish, and are written as they arrive: the same result records as the
server path (JSONL or CSV, or Parquet parts for large jobs), then the same summary,
gates, report and alerts.

Resume: a block's records are written as soon as it is done, so a killed job keeps
every finished block; a rerun with the same `--output` skips their ids and scores only
what is missing, nothing twice. Without `--ray-address` a local Ray starts on this
machine and stops with the job.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import socket
import sys
import time
from dataclasses import replace

DEFAULT_BLOCK_SIZE = 64


# -- command line ----------------------------------------------------------------------------

def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """The `--engine` flags of `lacuna score` (Ray itself is imported only when used)."""
    group = parser.add_argument_group("engine (lacuna score --engine ray: score on a Ray cluster, no server)")
    group.add_argument("--engine", choices=("server", "ray"), default="server",
                       help="server: send segments to --server (default); ray: score them in Ray actors that "
                            "each load the pipeline once")
    group.add_argument("--ray-address", metavar="ADDRESS",
                       help="Ray cluster to use: auto (the one `ray start` runs on this node) or HEAD:6379 "
                            "[env RAY_ADDRESS]; default: start a local Ray for this job. (Ray Data does not run "
                            "over the Ray Client, so not ray://.)")
    group.add_argument("--ray-actors", type=int, default=0,
                       help="scoring actors (default 0: as many as the cluster's CPUs, or GPUs with "
                            "--ray-gpus-per-actor, allow)")
    group.add_argument("--ray-cpus-per-actor", type=float, default=1.0, help="CPUs reserved per actor [1]")
    group.add_argument("--ray-gpus-per-actor", type=float, default=None,
                       help="GPUs per actor (default: 1 when --pipeline-args loads a COMET model and the "
                            "cluster has GPUs, else 0)")
    group.add_argument("--block-size", type=int, default=DEFAULT_BLOCK_SIZE,
                       help=f"segments per block: what one actor call scores, and what a killed job may "
                            f"have to score again [{DEFAULT_BLOCK_SIZE}]")
    group.add_argument("--pipeline-args", default="", metavar="'FLAGS'",
                       help="lacuna-server flags for the pipeline in each actor, as one string, e.g. "
                            "'--no-omission-latent-terms --comet-model Unbabel/wmt22-comet-da'; a single flag "
                            "needs the = form: --pipeline-args=--no-omission (LACUNA_* variables of this "
                            "process apply too)")
    group.add_argument("--ray-block-delay", type=float, default=0.0, help=argparse.SUPPRESS)  # tests: slow actors


def _usage(message: str) -> Exception:
    from lacuna.client.batch import UsageError

    return UsageError(message)


def pipeline_config(args):
    """The ServerConfig each actor builds its pipeline from; a bad flag is a usage error."""
    from lacuna.server.config import ConfigError, parse_config

    try:
        argv = shlex.split(args.pipeline_args)
    except ValueError as exc:
        raise _usage(f"--pipeline-args: {exc}") from None
    if any(a in ("-h", "--help") for a in argv):
        raise _usage("--pipeline-args takes lacuna-server flags; see lacuna-server --help")
    try:
        return parse_config(argv)
    except ConfigError as exc:  # a bad value (validate_config, a LACUNA_* variable)
        raise _usage(f"--pipeline-args {args.pipeline_args!r}: {exc}") from None
    except SystemExit:  # argparse has printed what is wrong
        raise _usage(f"--pipeline-args {args.pipeline_args!r}: not valid lacuna-server flags "
                     "(lacuna-server --help)") from None


# -- the actor ---------------------------------------------------------------------------------

def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def actor_name() -> str:
    """How a Ray actor names itself in results: ray:HOST:PID."""
    return f"ray:{socket.gethostname()}:{os.getpid()}"


class ScoringActor:
    """One pipeline per actor, loaded in __init__; each call scores one block of segments."""

    def __init__(self, config, options: bytes, delay: float = 0.0):
        from lacuna.proto import types_pb2
        from lacuna.server.inprocess import InProcessScorer
        from lacuna.server.logs import configure_logging

        import structlog

        configure_logging(config.log_level, config.log_format)
        self.log = structlog.get_logger("lacuna.ray")
        self.replica = actor_name()
        self.scorer = InProcessScorer(config, replica=self.replica)
        self.signatures = capability_signatures(self.scorer.capabilities())  # what this actor's scores depend on
        self.options = types_pb2.ScoreOptions.FromString(options)
        self.delay = delay

    def __call__(self, batch: dict) -> dict:
        import numpy as np

        from lacuna.proto import types_pb2

        started = time.perf_counter()
        segments = [types_pb2.Segment.FromString(bytes(b)) for b in batch["segment"]]
        results = self.scorer.score(segments, self.options)
        if self.delay:
            time.sleep(self.delay)
        n = len(results)
        self.log.info("block", replica=self.replica, segments=n,
                      errors=sum(1 for r in results if r.error.code), failed=sum(1 for r in results if not r.passed),
                      duration_ms=round((time.perf_counter() - started) * 1000, 2))
        return {"row": np.asarray(batch["row"]),
                "result": np.array([r.SerializeToString() for r in results], dtype=object),
                "replica": np.array([self.replica] * n, dtype=object),
                "signatures": np.array([self.signatures] * n, dtype=object),
                "rss_mb": np.full(n, _peak_rss_mb())}


def capability_signatures(caps) -> str:
    """A pipeline's metric signatures (GetCapabilities), as one JSON text: {metric: [signature]}."""
    return json.dumps({m.name: sorted(m.signatures) for m in caps.metrics if m.signatures}, sort_keys=True)


def signature_conflicts(seen: list[str], metrics: list[str]) -> list[dict]:
    """The `signature_conflicts` of a summary (client/signatures.py's shape) from the distinct
    `capability_signatures` the probe and the actors reported: each requested metric whose
    signatures (one per tokenizer for BLEU and TER) differ between them, with the signatures not
    all of them share. Actors share one configuration, but `auto` settings resolve per machine
    (`--omission-token-precision auto` is bf16 only on CPUs that have it), so a cluster of mixed
    nodes can score one job two ways; the job then says so."""
    by_metric: dict[str, list[tuple[str, ...]]] = {}
    for text in seen:
        for metric, signatures in json.loads(text).items():
            found = by_metric.setdefault(metric, [])
            if tuple(signatures) not in found:
                found.append(tuple(signatures))
    conflicts = []
    for metric, found in sorted(by_metric.items()):
        if metric in metrics and len(found) > 1:
            shared = set.intersection(*(set(f) for f in found))
            differing = list(dict.fromkeys(sig for f in found for sig in f if sig not in shared))
            conflicts.append({"metric": metric, "src_lang": "*", "tgt_lang": "*", "signatures": differing})
    return conflicts


def probe(config, options: bytes) -> tuple[bytes, str | None]:
    """On the cluster, as an actor would: the pipeline's capabilities, and why the options
    would be refused (None when they are fine)."""
    from lacuna.proto import types_pb2
    from lacuna.server.inprocess import InProcessError, InProcessScorer

    scorer = InProcessScorer(config)
    try:
        caps = scorer.capabilities().SerializeToString()
        try:
            scorer.check_options(types_pb2.ScoreOptions.FromString(options))
        except InProcessError as exc:
            return caps, exc.message
        return caps, None
    finally:
        scorer.close()


# -- Ray on the driver ---------------------------------------------------------------------------

def connect(address: str | None, quiet: bool):
    """ray.init on the cluster at `address`, or a local one; returns the ray module."""
    try:
        import ray
    except ImportError:
        raise _usage("--engine ray needs Ray: pip install 'lacuna[ray]'") from None
    address = address or os.environ.get("RAY_ADDRESS") or "local"  # local: a new Ray, even if one runs here
    if address.startswith("ray://"):
        raise _usage(f"--ray-address {address}: Ray Data does not run over the Ray Client (ray://); run "
                     "lacuna score on a node of the cluster with --ray-address auto (or HEAD:6379)")
    if ray.is_initialized():  # a caller (a test, a notebook) already connected
        return ray
    kwargs = dict(log_to_driver=False, logging_level=logging.WARNING, configure_logging=True)
    if address == "local":
        kwargs["include_dashboard"] = False
    try:
        ray.init(address=address, **kwargs)
    except Exception as exc:  # ConnectionError, a bad address, ...
        where = "a new local instance" if address == "local" else address
        raise ConnectionError(f"cannot connect to Ray at {where}: {exc}") from None
    return ray


def _quiet_ray_data(quiet: bool) -> None:
    from ray.data import DataContext

    ctx = DataContext.get_current()
    ctx.enable_progress_bars = False  # the job's own progress line replaces Ray's
    for name in ("ray.data", "ray"):
        logging.getLogger(name).setLevel(logging.WARNING if not quiet else logging.ERROR)


def actor_plan(ray, args, config) -> tuple[int, float, float]:
    """(actors, cpus per actor, gpus per actor) for this cluster."""
    resources = ray.cluster_resources()
    gpus_here = resources.get("GPU", 0.0)
    gpus = args.ray_gpus_per_actor
    if gpus is None:
        gpus = 1.0 if config.comet_models and gpus_here >= 1 else 0.0
    cpus = args.ray_cpus_per_actor
    if cpus <= 0 or gpus < 0:
        raise _usage("--ray-cpus-per-actor must be more than 0 and --ray-gpus-per-actor 0 or more")
    actors = args.ray_actors
    if actors <= 0:
        fits = int(resources.get("CPU", 1.0) // cpus)
        if gpus > 0:
            fits = min(fits, int(gpus_here // gpus))
        actors = max(1, fits)
    return actors, cpus, gpus


def _dataset(ray, segments: list[bytes], block_size: int):
    """One Arrow block per `block_size` segments, so blocks spread over the actors."""
    import pyarrow as pa

    tables = []
    for start in range(0, len(segments), block_size):
        chunk = segments[start:start + block_size]
        tables.append(pa.table({"row": pa.array(range(start, start + len(chunk)), pa.int64()),
                                "segment": pa.array(chunk, pa.binary())}))
    return ray.data.from_arrow(tables)


# -- outputs -------------------------------------------------------------------------------------

class _ParquetOutput:
    """--output DIR.parquet: lock, resume, fresh, write."""

    def __init__(self, args, metrics: list[str]):
        from lacuna.client import results_parquet
        from lacuna.client.results import OutputLock, ResultsFileError

        self.module = results_parquet
        self.path = args.output
        if os.path.exists(self.path) and not os.path.isdir(self.path):
            raise _usage(f"--output {self.path}: exists and is not a directory of Parquet parts")
        os.makedirs(self.path, exist_ok=True)
        try:
            args.output_lock = OutputLock(os.path.join(self.path, results_parquet.LOCK_NAME)).acquire()
        except ResultsFileError as exc:
            raise _usage(f"--output {self.path}: {exc}") from None
        if args.fresh:
            results_parquet.clear(self.path)
        self.metrics = metrics

    def existing(self) -> list[dict]:
        try:
            return list(self.module.read_records(self.path))
        except Exception as exc:
            raise _usage(f"--output {self.path}: cannot resume it: {exc}") from None

    def writer(self):
        return self.module.ParquetResultsWriter(self.path, self.metrics)


def _open_output(args, metrics: list[str]):
    """(records already written, writer or None)."""
    from lacuna.client.batch import _resume
    from lacuna.client.results import ResultsWriter, csv_columns

    if not args.output:
        return [], None
    if args.format_out == "parquet":
        out = _ParquetOutput(args, metrics)
        return out.existing(), out.writer()
    existing = _resume(args, csv_columns(metrics))
    try:
        return existing, ResultsWriter(args.output, args.format_out, metrics)
    except OSError as exc:
        raise _usage(f"--output {args.output}: cannot write it: {exc}") from None


# -- the job -------------------------------------------------------------------------------------

def _check_flags(args) -> None:
    if args.block_size < 1:
        raise _usage("--block-size must be at least 1")
    if args.server:
        raise _usage("--server names a server to send segments to; --engine ray scores without one "
                     "(give --pipeline-args for the pipeline's flags instead)")
    if args.format_out is None and args.output:
        from lacuna.client.results_parquet import is_parquet_output

        lower = args.output.lower()
        args.format_out = ("parquet" if is_parquet_output(args.output, None)
                           else "csv" if lower.endswith(".csv") else "jsonl")
    args.format_out = args.format_out or "jsonl"


def _read(args, labels):
    from lacuna.client.batch import MAX_PROBLEMS_SHOWN, _warn, read_inputs
    from lacuna.client.formats import ReadOptions

    options = ReadOptions(format=args.format, src_lang=args.src_lang, tgt_lang=args.tgt_lang,
                          id_column=args.id_column, source_column=args.source_column,
                          translation_column=args.translation_column, reference_column=args.reference_column,
                          labels=labels, include_untranslated=args.include_untranslated,
                          include_unready=getattr(args, "include_unready", False))
    records, problems = read_inputs(args.files, options, args.skip_invalid)
    if problems and not args.skip_invalid:
        for problem in problems[:MAX_PROBLEMS_SHOWN]:
            _warn(f"error: {problem}")
        if len(problems) > MAX_PROBLEMS_SHOWN:
            _warn(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more problems")
        _warn("nothing scored (fix the input, or give --skip-invalid to score the rest)")
        return None, problems
    return records, problems


class _Actors:
    """Per actor: segments scored and peak resident memory, for the summary."""

    def __init__(self):
        self.by_name: dict[str, dict] = {}
        self.signatures: list[str] = []  # the distinct capability_signatures the actors reported

    def add(self, replicas, rss, signatures=()) -> None:
        for name, mb in zip(replicas, rss):
            entry = self.by_name.setdefault(str(name), {"segments": 0, "peak_rss_mb": 0.0})
            entry["segments"] += 1
            entry["peak_rss_mb"] = round(max(entry["peak_rss_mb"], float(mb)), 1)
        for text in signatures:
            if str(text) not in self.signatures:
                self.signatures.append(str(text))


def run_ray(args) -> int:
    """`lacuna score --engine ray`: same exit codes as the server path."""
    from lacuna.client import batch
    from lacuna.client.client import to_options, to_segment
    from lacuna.client.progress import make_progress
    from lacuna.client.summary import format_summary, gate_failures
    from lacuna.metric_direction import directions_from_capabilities
    from lacuna.proto import service_pb2

    started = time.perf_counter()
    _check_flags(args)
    thresholds = batch._key_values(args.threshold, "--threshold", True)
    minimums = batch._key_values(args.min, "--min", True)
    maximums = batch._key_values(args.max, "--max", True)
    labels = batch._key_values(args.label, "--label", False)
    requested = [m.strip().lower() for m in args.metrics.split(",") if m.strip()]
    config = pipeline_config(args)
    records, problems = _read(args, labels)
    if records is None:
        return batch.EXIT_USAGE
    if args.alerts:
        batch._check_rules(args.alerts)
    from lacuna.client.job_checks import JobConsistency, job_options

    try:
        extra_options = job_options(args.glossary, args.do_not_translate, args.server_glossary)
    except ValueError as exc:
        raise _usage(str(exc)) from None
    consistency = JobConsistency(records, batch._labels_list(args.consistency_context)) if args.consistency else None
    if not records:
        raise _usage("no segments to score in " + ", ".join(args.files))

    try:
        ray = connect(args.ray_address, args.quiet)
    except ConnectionError as exc:
        batch._warn(f"error: {exc}")
        return batch.EXIT_SERVER
    _quiet_ray_data(args.quiet)
    actors, cpus, gpus = actor_plan(ray, args, config)
    if gpus > 0 and config.comet_models and config.device == "cpu":
        config = replace(config, device="cuda")
    styles = [s.strip() for v in getattr(args, "placeholder_style", []) for s in v.split(",") if s.strip()]
    options = to_options(requested, thresholds, extra_options, placeholder_styles=styles,
                         placeholder_patterns=getattr(args, "placeholder_regex", []),
                         max_length=getattr(args, "max_length", 0))
    options_bytes = options.SerializeToString()

    caps_bytes, refused = ray.get(ray.remote(probe).options(num_cpus=cpus, num_gpus=gpus)
                                  .remote(config, options_bytes))
    caps = service_pb2.GetCapabilitiesResponse.FromString(caps_bytes)
    if refused:
        raise _usage(refused)
    metrics = batch._check_metrics(caps, requested, {**minimums, **maximums}, thresholds)

    existing, writer = _open_output(args, metrics)
    pending, all_records, builder = batch.resume_state(args, existing, records)
    done = {rec["id"] for rec in existing}

    progress = make_progress(len(done) + len(pending), len(done), quiet=args.quiet,
                             interval=args.progress_interval)
    stats = _Actors()
    scored = blocks = 0
    score_started = time.perf_counter()
    try:
        if pending:
            from ray.data import ActorPoolStrategy

            segments = [to_segment(r.to_segment_dict()).SerializeToString() for r in pending]
            ds = _dataset(ray, segments, args.block_size).map_batches(
                ScoringActor, batch_size=args.block_size, compute=ActorPoolStrategy(size=min(actors, max(
                    1, -(-len(pending) // args.block_size)))),
                num_cpus=cpus, num_gpus=gpus,
                fn_constructor_kwargs={"config": config, "options": options_bytes, "delay": args.ray_block_delay})
            for out in ds.iter_batches(batch_size=None, batch_format="numpy", prefetch_batches=0):
                for row, blob in zip(out["row"], out["result"]):
                    from lacuna.proto import types_pb2

                    result = types_pb2.SegmentResult.FromString(bytes(blob))
                    record = pending[int(row)]
                    batch.take_result(args, result, record, consistency, writer, builder, all_records)
                stats.add(out["replica"], out["rss_mb"], out["signatures"])
                scored += len(out["row"])
                blocks += 1
                progress.update(len(out["row"]))
    except Exception as exc:
        builder.close()
        where = f"; {scored} results written to {args.output}, rerun to resume" if args.output else ""
        batch._warn(f"error: the Ray job stopped: {type(exc).__name__}: {str(exc).strip()[:2000]}{where}")
        return batch.EXIT_SERVER
    except BaseException:
        builder.close()
        raise
    finally:
        progress.close()
        if writer is not None:
            writer.close()
    score_seconds = time.perf_counter() - score_started

    summary = builder.summary()
    probed = capability_signatures(caps)
    summary["signature_conflicts"] = signature_conflicts([probed, *stats.signatures], metrics)
    gates = gate_failures(summary, args.fail_on, minimums, maximums)
    summary["run"] = {
        "engine": "ray", "ray_address": args.ray_address or os.environ.get("RAY_ADDRESS") or "local",
        "actors": actors, "cpus_per_actor": cpus, "gpus_per_actor": gpus, "block_size": args.block_size,
        "blocks": blocks, "actor_stats": stats.by_name, "pipeline_args": args.pipeline_args,
        "metrics": metrics, "corpus_scores": args.corpus_scores, "inputs": list(args.files),
        "higher_is_better": directions_from_capabilities(m for m in caps.metrics if m.name in metrics),
        "scored": scored, "resumed": len(existing), "skipped_invalid": len(problems),
        "scoring_seconds": round(score_seconds, 3),
        "segments_per_second": round(scored / score_seconds, 1) if score_seconds > 0 and scored else None,
        "seconds": round(time.perf_counter() - started, 3),
        "consistency_seconds": round(consistency.seconds, 3) if consistency is not None else None,
    }
    summary["gates"] = {"fail_on": args.fail_on, "min": minimums, "max": maximums, "failed": gates}
    print(format_summary(summary, gates), flush=True)
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as f:
            json.dump(summary, f, ensure_ascii=False, indent=2)
            f.write("\n")
    if args.html or args.alerts:
        from lacuna.client.signatures import conflict_messages

        code = batch._report_and_alert(args, all_records, conflict_messages(summary["signature_conflicts"]))
        if code != batch.EXIT_OK:
            return code
    return batch.EXIT_GATE if gates else batch.EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    from lacuna.client.batch import main

    sys.exit(main(["--engine", "ray", *sys.argv[1:]]))
