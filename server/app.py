"""Builds and runs the gRPC server: the Lacuna service, health checking and reflection."""

from __future__ import annotations

import signal
import threading
from concurrent import futures

import grpc
import structlog
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from lacuna.proto import service_pb2, service_pb2_grpc
from lacuna.server.checks import ChecksScorer
from lacuna.server.config import ConfigError, ServerConfig, TelemetryConfig
from lacuna.server.interceptor import ServiceInterceptor
from lacuna.server.metrics.reference import ReferenceMetrics
from lacuna.server.pipeline import Pipeline
from lacuna.server.service import LacunaService
from lacuna.server.validation import Limits

log = structlog.get_logger("lacuna.server")

SERVICE_NAME = service_pb2.DESCRIPTOR.services_by_name["Lacuna"].full_name
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


def build_observers(config: TelemetryConfig) -> list:
    observers = []
    if config.metrics_port:
        from lacuna.server.telemetry import PrometheusObserver

        observers.append(PrometheusObserver.start(config.host, config.metrics_port))
    if config.alert_rules:
        from lacuna.server.alerting import ServerAlerts

        observers.append(ServerAlerts.from_file(config.alert_rules))
    return observers


class LacunaServer:
    """A running server. `port` is the bound port (useful with port 0)."""

    def __init__(self, config: ServerConfig, pipeline: Pipeline | None = None):
        self.config = config
        self.pipeline = pipeline or build_pipeline(config)
        self.observers = build_observers(config.telemetry_config)
        for obs in self.observers:  # observers that report model state (Prometheus)
            if hasattr(obs, "attach"):
                obs.attach(self.pipeline)
        options = [
            ("grpc.max_receive_message_length", config.max_message_bytes),
            ("grpc.max_send_message_length", config.max_message_bytes),
            # gRPC sets SO_REUSEPORT by default: a second server on a busy port would bind
            # silently and share its traffic. Fail instead.
            ("grpc.so_reuseport", 0),
        ]
        interceptor = ServiceInterceptor(self.observers, log_texts=config.log_texts)
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=config.workers,
                                                              thread_name_prefix="lacuna-rpc"),
                                   options=options, interceptors=[interceptor])
        limits = Limits(max_segments=config.max_segments, max_chars=config.max_chars)
        self.service = LacunaService(self.pipeline, limits, config.max_message_bytes, self.observers)
        service_pb2_grpc.add_LacunaServicer_to_server(self.service, self._server)
        self.health = health.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self._server)
        reflection.enable_server_reflection(
            (SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME),
            self._server)
        host = config.host if ":" not in config.host else f"[{config.host}]"
        try:
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
        log.info("server_started", address=self.address, workers=self.config.workers,
                 metrics=sorted(self.pipeline.specs))
        return self

    def stop(self, grace: float | None = 2.0) -> None:
        self.health.enter_graceful_shutdown()
        self._server.stop(grace).wait()
        for obs in self.observers:
            close = getattr(obs, "close", None)
            if close:
                close()
        self.pipeline.close()
        log.info("server_stopped", address=self.address)

    def wait(self) -> None:
        self._server.wait_for_termination()


def serve(config: ServerConfig) -> None:
    server = LacunaServer(config).start()
    done = threading.Event()

    def _stop(signum, frame):
        log.info("signal", signal=signal.Signals(signum).name)
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    done.wait()
    server.stop()
