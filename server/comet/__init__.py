"""COMET scoring inside the service.

`build_comet_scorers(config)` resolves every `--comet-model` (local checkpoint
or Hugging Face cache; see `resolve`), loads it once onto `--device`
(`loading`), puts a dynamic batcher in front of it (`batcher`, `forward`) and
wraps it as a pipeline stage (`scorer`). Anything that cannot load stops the
server at start-up with a message saying how to fix it.
"""

from __future__ import annotations

import os
import re
import time

import structlog

from lacuna.server.config import CometConfig, ConfigError

log = structlog.get_logger("lacuna.comet")

_DEVICE = re.compile(r"^(cpu|cuda(:\d+)?)$")
# On a CPU a batch costs its padded size and batching saves little, so batches are cut
# where more than this share would be padding; a GPU wants its batches full.
CPU_MAX_PADDING = 0.2
# ... and an encoder call on a CPU holds at most this many padded tokens: one thread ran
# 12x384 and 4x256 XLM-R encoders 8-11% faster per sentence at 8 x 71 tokens than at 16 x 71
# (larger activations fall out of the core's cache); short sentences still fill 16 rows.
CPU_CHUNK_TOKENS = 768
# Automatic --comet-workers on a CPU: one per core, at most this many.
CPU_MAX_WORKERS = 4
# Below this batch size an XLM-R-large COMET in bf16 on an H100 ran slower than fp32.
GPU_MIN_BATCH = 64


def _check_device(config: CometConfig) -> str:
    device = config.device.strip().lower()
    if not _DEVICE.match(device):
        raise ConfigError(f"--device must be cpu, cuda or cuda:N, not {config.device!r}")
    if device == "cpu" and config.precision != "fp32":
        raise ConfigError(f"--precision {config.precision} needs --device cuda; "
                         "COMET on CPU runs in fp32")
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise ConfigError(
                f"--device {device} but torch {torch.__version__} sees no CUDA GPU. Install a CUDA "
                "build of torch (e.g. pip install torch --index-url https://download.pytorch.org/whl/cu124) "
                "or use --device cpu")
        index = int(device.split(":")[1]) if ":" in device else 0
        if index >= torch.cuda.device_count():
            raise ConfigError(f"--device {device}: only {torch.cuda.device_count()} CUDA device(s)")
        if device == "cuda":
            device = "cuda:0"
    return device


def usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def plan_workers(config: CometConfig, device: str) -> tuple[int, int | None]:
    """(COMET worker threads per model, torch CPU threads per worker or None to leave torch's).

    On a CPU each worker runs its own batch on its share of the cores: two batches on one
    core each beat one batch on two cores (bench/bench_comet.py). A GPU gets one worker."""
    if device != "cpu":
        return max(1, config.workers or 1), None
    cores = usable_cores()
    workers = config.workers or min(cores, CPU_MAX_WORKERS)
    return workers, max(1, cores // workers)


def _short_name(spec: str) -> str:
    return spec.rstrip("/").split("/")[-1].lower() or spec.lower()


def build_comet_scorers(config: CometConfig):
    """Scorers for each --comet-model; raises ConfigError with a clear message if one cannot load."""
    from lacuna.server.comet.quiet import go_offline

    if config.offline:
        go_offline()  # before comet/transformers are imported, and for any later import
    device = _check_device(config)

    from lacuna.server.comet.batcher import DynamicBatcher
    from lacuna.server.comet.sentence_forward import SentenceForward, make_forward
    from lacuna.server.comet.loading import load_model, traits_of
    from lacuna.server.comet.resolve import ModelNotFound, resolve_model
    from lacuna.server.comet.scorer import CometScorer

    if device.startswith("cuda") and config.batch_size < GPU_MIN_BATCH:
        log.warning("comet_small_gpu_batches", comet_batch_size=config.batch_size,
                    hint=f"on a GPU the forward pass is bound by kernel launches at small batches; "
                         f"--comet-batch-size {GPU_MIN_BATCH} or more is 2-4x faster (bench/gpu_comet_large.py)")
    scorers: list[CometScorer] = []
    claimed: set[str] = set()
    specs = list(dict.fromkeys(s.strip() for s in config.models if s.strip()))
    workers, threads = plan_workers(config, device)
    if threads is not None and specs:
        import torch

        torch.set_num_threads(threads)
    padding = CPU_MAX_PADDING if device == "cpu" else 1.0
    chunk_tokens = CPU_CHUNK_TOKENS if device == "cpu" else None
    try:
        for spec in specs:
            started = time.perf_counter()
            try:
                resolved = resolve_model(spec, offline=config.offline)
                model = load_model(resolved, device=device, precision=config.precision)
                traits = traits_of(model)
            except ModelNotFound as exc:
                raise ConfigError(str(exc)) from exc
            names = {}
            for base in traits.metrics:
                names[base] = base if base not in claimed else f"{base}:{_short_name(spec)}"
                if names[base] in claimed:
                    raise ConfigError(f"--comet-model {spec!r} given twice under different names")
                claimed.add(names[base])
            forward = make_forward(model, traits.spans, cache_size=config.cache_size,
                                   max_chunk=config.batch_size, max_padding=padding,
                                   max_chunk_tokens=chunk_tokens)
            try:  # one sample through the model: a broken checkpoint fails here, not on the first request
                forward([{"src": "Lacuna start-up check.", "mt": "Lacuna start-up check.",
                          **({"ref": "Lacuna start-up check."} if traits.needs_reference else {})}])
            except Exception as exc:
                raise ConfigError(f"COMET model {spec!r} loaded but cannot score "
                                 f"({type(exc).__name__}: {exc})") from None
            batcher = DynamicBatcher(forward, max_batch=config.batch_size,
                                     max_delay_s=config.max_delay_ms / 1000.0,
                                     max_queued=config.queue_size, name=f"COMET model {spec}",
                                     # a sentence-level forward sorts and cuts its own batches
                                     max_padding=1.0 if isinstance(forward, SentenceForward) else padding,
                                     workers=workers)
            scorers.append(CometScorer(spec, traits, names, batcher, device, path=str(resolved.checkpoint)))
            log.info("comet_model_loaded", model=spec, kind=traits.kind, metrics=sorted(names.values()),
                     device=device, precision=config.precision, path=str(resolved.checkpoint), workers=workers,
                     torch_threads=threads, forward=type(forward).__name__,
                     seconds=round(time.perf_counter() - started, 2))
    except BaseException:
        for scorer in scorers:
            scorer.close()
        raise
    return scorers


_MISSING = {
    "comet": "the loaded COMET models are reference-free; add a reference-based one, "
             "e.g. --comet-model Unbabel/wmt22-comet-da",
    "comet_qe": "the loaded COMET models need a reference; add a quality-estimation one, "
                "e.g. --comet-model Unbabel/wmt22-cometkiwi-da",
}


def missing_comet_metrics(scorers) -> dict[str, str]:
    """Base COMET metrics none of `scorers` offers -> why (for FAILED_PRECONDITION answers)."""
    offered = {spec.name for scorer in scorers for spec in scorer.metrics()}
    return {name: hint for name, hint in _MISSING.items() if name not in offered}
