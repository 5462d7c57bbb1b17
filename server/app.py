"""Builds and runs the gRPC server: the Lacuna service, health checking and reflection."""

from __future__ import annotations

import signal
import socket
import threading
from concurrent import futures

import grpc
import structlog
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from lacuna.proto import service_pb2, service_pb2_grpc
from lacuna.server.admission import Admission
from lacuna.server.auth import TokenAuthInterceptor, TokenSet, server_credentials
from lacuna.server.checks import ChecksScorer
from lacuna.server.comet import usable_cores
from lacuna.server.config import (AdmissionConfig, CometConfig, ConfigError, SecurityConfig, ServerConfig,
                                  TelemetryConfig)
from lacuna.server.interceptor import ServiceInterceptor
from lacuna.server.metrics.reference import ReferenceMetrics
from lacuna.server.pipeline import Pipeline
from lacuna.server.service import LacunaService
from lacuna.server.validation import Limits

log = structlog.get_logger("lacuna.server")

SERVICE_NAME = service_pb2.DESCRIPTOR.services_by_name["Lacuna"].full_name
#: Calls in progress or waiting for a thread, as a multiple of the threads.
RPC_BACKLOG = 4
#: After a drain's grace, how long cancelled calls get to stop and write their log event.
DRAIN_LOG_WAIT_S = 0.5
NO_COMET = ("no COMET model is loaded; start the server with --comet-model NAME_OR_PATH "
            "(or LACUNA_COMET_MODELS)")


def build_pipeline(config: ServerConfig) -> Pipeline:
    scorers = [ChecksScorer(), ReferenceMetrics()]
    unavailable: dict[str, str] = {}
    omission = None
    if config.omission:
        from lacuna.server.omission import build_omission_scorer

        omission = build_omission_scorer(config.omission_config)
    if omission is not None:
        scorers.append(omission)
    else:
        for name in ("omission", "addition"):
            unavailable[name] = "omission detection is off on this server (started with --no-omission)"
    if config.comet_models:
        from lacuna.server.comet import build_comet_scorers, missing_comet_metrics

        comet = build_comet_scorers(config.comet_config)
        scorers.extend(comet)
        unavailable.update(missing_comet_metrics(comet))
    else:
        unavailable.update({"comet": NO_COMET, "comet_qe": NO_COMET})
    return Pipeline(scorers, unavailable)


def replica_name(config: ServerConfig) -> str:
    """--replica-id, else the host name (in Kubernetes, the pod's name)."""
    return config.replica_id.strip() or socket.gethostname()


def connection_options(config: ServerConfig) -> list[tuple[str, int]]:
    """gRPC channel arguments for --max-connection-age-ms and its grace period."""
    options = []
    if config.max_connection_age_ms:
        options.append(("grpc.max_connection_age_ms", config.max_connection_age_ms))
        if config.max_connection_age_grace_ms:
            options.append(("grpc.max_connection_age_grace_ms", config.max_connection_age_grace_ms))
    return options


def build_observers(config: TelemetryConfig) -> list:
    observers = []
    if config.metrics_port:
        from lacuna.server.telemetry import PrometheusObserver

        observers.append(PrometheusObserver.start(config.host, config.metrics_port))
    if config.alert_rules:
        from lacuna.server.alerting import ServerAlerts

        observers.append(ServerAlerts.from_file(config.alert_rules))
    return observers


def build_admission(config: AdmissionConfig, comet: CometConfig | None = None) -> Admission:
    """Admission control (see `lacuna.server.admission`): by default one job per core, or, with
    COMET models, enough jobs at once to fill a COMET batch (its batcher gathers concurrent
    requests into one forward pass, on a GPU up to --comet-batch-size of them)."""
    active = config.max_active or usable_cores()
    if not config.max_active and comet is not None and comet.models:
        active = max(active, comet.batch_size)
    return Admission(max_active=active, max_queued=config.max_queued or active,
                     large_cost=config.large_request_cost)


def build_interceptors(security: SecurityConfig, admission: AdmissionConfig, observers: list,
                       log_texts: bool) -> list[grpc.ServerInterceptor]:
    """Token authentication first (when configured), then the service edge."""
    interceptors: list[grpc.ServerInterceptor] = []
    tokens = TokenSet.from_config(security.auth_token_file)
    if tokens is not None:
        interceptors.append(TokenAuthInterceptor(tokens))
    interceptors.append(ServiceInterceptor(observers, log_texts=log_texts,
                                           time_budget_s=admission.request_time_budget or None))
    return interceptors


def build_credentials(security: SecurityConfig) -> grpc.ServerCredentials | None:
    """TLS credentials, or None for plaintext."""
    if not security.tls_cert:
        return None
    return server_credentials(security.tls_cert, security.tls_key, security.tls_client_ca)


def load_glossaries(config: ServerConfig):
    """The --glossary files, read at start; a bad one stops start-up naming it (ConfigError)."""
    from lacuna.server.terminology.store import GlossarySpecError, GlossaryStore, parse_specs

    try:
        glossaries = parse_specs(config.glossaries)
    except GlossarySpecError as exc:
        raise ConfigError(str(exc)) from None
    for glossary in glossaries.values():
        log.info("glossary_loaded", name=glossary.name, path=glossary.path, entries=len(glossary))
    return GlossaryStore(glossaries, label=config.glossary_label)


class LacunaServer:
    """A running server. `port` is the bound port (useful with port 0)."""

    def __init__(self, config: ServerConfig, pipeline: Pipeline | None = None):
        self.config = config
        self.admission = build_admission(config.admission_config, config.comet_config)
        self.pipeline = pipeline or build_pipeline(config)
        try:
            self.observers = build_observers(config.telemetry_config)
            self.interceptors = build_interceptors(config.security_config, config.admission_config,
                                                   self.observers, config.log_texts)
            credentials = build_credentials(config.security_config)
        except BaseException:
            if pipeline is None:
                self.pipeline.close()
            raise
        for obs in self.observers:  # observers that report model state (Prometheus)
            if hasattr(obs, "attach"):
                obs.attach(self.pipeline)
        # every admitted or queued job holds a thread; a few more serve health and capabilities.
        # Calls beyond the threads wait for one (an open stream holds its thread between
        # messages); beyond RPC_BACKLOG times the threads gRPC refuses them (RESOURCE_EXHAUSTED).
        threads = max(config.workers, self.admission.max_active + self.admission.max_queued + 4)
        options = [
            ("grpc.max_receive_message_length", config.max_message_bytes),
            ("grpc.max_send_message_length", config.max_message_bytes),
            # gRPC sets SO_REUSEPORT by default: a second server on a busy port would bind
            # silently and share its traffic. Fail instead.
            ("grpc.so_reuseport", 0),
            *connection_options(config),
        ]
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lacuna-rpc"),
                                   options=options, interceptors=self.interceptors,
                                   maximum_concurrent_rpcs=RPC_BACKLOG * threads)
        limits = Limits(max_segments=config.max_segments, max_chars=config.max_chars)
        self.replica = replica_name(config)
        self.service = LacunaService(self.pipeline, limits, config.max_message_bytes, self.observers,
                                     glossaries=load_glossaries(config), replica=self.replica,
                                     admission=self.admission, expose_versions=config.expose_versions)
        service_pb2_grpc.add_LacunaServicer_to_server(self.service, self._server)
        self.health = health.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self._server)
        if config.reflection:
            reflection.enable_server_reflection(
                (SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME),
                self._server)
        host = config.host if ":" not in config.host else f"[{config.host}]"
        try:
            if credentials is not None:
                self.port = self._server.add_secure_port(f"{host}:{config.port}", credentials)
            else:
                self.port = self._server.add_insecure_port(f"{host}:{config.port}")
        except RuntimeError:
            self.port = 0
        if self.port == 0:
            raise ConfigError(f"cannot bind {config.host}:{config.port} "
                              "(address in use or not available; choose another --port / LACUNA_PORT)")

    @property
    def address(self) -> str:
        host = self.config.host if ":" not in self.config.host else f"[{self.config.host}]"
        return f"{host}:{self.port}"

    def start(self) -> "LacunaServer":
        self._server.start()
        for name in ("", SERVICE_NAME):
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        log.info("server_started", address=self.address, workers=self.config.workers, replica=self.replica,
                 metrics=sorted(self.pipeline.specs), tls=bool(self.config.tls_cert),
                 mutual_tls=bool(self.config.tls_client_ca), max_active=self.admission.max_active,
                 max_queued=self.admission.max_queued, omission_signature=self._omission_signature())
        return self

    def _omission_signature(self) -> str:
        """What this replica's omission scores depend on (encoder, mode, token precision,
        weights), for the start-up log; "" without omission detection."""
        spec = self.pipeline.specs.get("omission")
        return spec.signatures[0] if spec is not None and spec.signatures else ""

    def stop(self, grace: float | None = 2.0) -> None:
        """Drain: health says NOT_SERVING, no new calls are accepted, calls in flight get `grace`
        seconds to finish, then the rest are cancelled (their work stops at its next check)."""
        self.health.enter_graceful_shutdown()
        self._server.stop(grace).wait()
        for interceptor in self.interceptors:  # cancelled handlers still log their call
            if isinstance(interceptor, ServiceInterceptor):
                interceptor.wait_idle(DRAIN_LOG_WAIT_S)
        for obs in self.observers:
            close = getattr(obs, "close", None)
            if close:
                close()
        self.pipeline.close()
        log.info("server_stopped", address=self.address)

    def wait(self) -> None:
        self._server.wait_for_termination()


def serve(config: ServerConfig) -> None:
    """Serve until SIGTERM or SIGINT, then drain within --shutdown-grace. SIGHUP reloads tokens."""
    server = LacunaServer(config).start()
    done = threading.Event()

    def _stop(signum, frame):
        log.info("signal", signal=signal.Signals(signum).name, grace_s=config.shutdown_grace)
        done.set()

    def _reload(signum, frame):
        for interceptor in server.interceptors:
            if isinstance(interceptor, TokenAuthInterceptor):
                try:
                    interceptor.tokens.reload()
                except ConfigError as exc:
                    log.error("auth_tokens_reload_failed", error=str(exc))

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGHUP, _reload)
    done.wait()
    server.stop(config.shutdown_grace)
