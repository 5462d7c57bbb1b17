"""Prometheus metrics for the server, served on their own HTTP port (`--metrics-port`).

`PrometheusObserver.start(host, port)` returns an Observer (see `lacuna.server.service`)
that counts requests by method and status code, times them, and counts segments,
pass/fail, errors and flags by type, severity and language pair. `attach(pipeline)`
adds the model state (which scorers, metrics and models are loaded), read afresh on
every scrape. Each observer has its own registry, so several servers can run in one
process (tests) without clashing.
"""

from __future__ import annotations

from typing import Sequence

import grpc
import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram, Summary, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from lacuna.languages import ISO_639_1, ISO_639_3, Language
from lacuna.server.model import SegmentInput, SegmentOutcome

log = structlog.get_logger("lacuna.telemetry")

#: Language label values: a primary language subtag from the ISO 639 tables Lacuna knows (a
#: bounded set; scripts, regions, extensions dropped), else OTHER_LANGUAGE. 3,000 distinct
#: tags make no more series than their languages do.
LABEL_LANGUAGES = frozenset(ISO_639_1) | frozenset(code for code, short in ISO_639_3.items() if short is None)
OTHER_LANGUAGE = "other"


def language_label(lang: Language) -> str:
    return lang.base if lang.base in LABEL_LANGUAGES else OTHER_LANGUAGE


LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


class ModelStateCollector(Collector):
    """Scorers, metrics and models of a pipeline, as gauges read at scrape time."""

    def __init__(self, pipeline):
        self.pipeline = pipeline

    def collect(self):
        scorers = GaugeMetricFamily("lacuna_scorer_loaded", "Scorers in the pipeline (1 = present)",
                                    labels=["scorer"])
        metrics = GaugeMetricFamily("lacuna_metric_available",
                                    "Metrics this server offers (1) or knows but cannot compute (0)",
                                    labels=["metric"])
        models = GaugeMetricFamily("lacuna_model_loaded", "Models behind the scorers (1 = loaded, 0 = not yet)",
                                   labels=["scorer", "model", "kind", "device"])
        for scorer in self.pipeline.scorers:
            scorers.add_metric([scorer.name], 1)
            try:
                described = scorer.models()
            except Exception:  # a scrape must never fail because one scorer misbehaves
                log.exception("model_state_failed", scorer=scorer.name)
                continue
            for m in described:
                models.add_metric([scorer.name, m.name, m.kind, m.device], 1 if m.loaded else 0)
        for name in sorted(self.pipeline.specs):
            metrics.add_metric([name], 1)
        for name in sorted(self.pipeline.unavailable):
            metrics.add_metric([name], 0)
        yield scorers
        yield metrics
        yield models


class PrometheusObserver:
    """Counts what the service does; serves it at http://HOST:PORT/metrics."""

    def __init__(self, registry: CollectorRegistry | None = None):
        self.registry = registry or CollectorRegistry()
        self._httpd = None
        self._thread = None
        self.port = 0
        r = self.registry
        self.requests = Counter("lacuna_requests", "RPCs handled, by method and gRPC status code",
                                ["method", "code"], registry=r)
        self.latency = Histogram("lacuna_request_duration_seconds", "RPC duration, by method",
                                 ["method"], buckets=LATENCY_BUCKETS, registry=r)
        self.segments = Counter("lacuna_segments_scored", "Segments scored, by language pair",
                                ["src_lang", "tgt_lang"], registry=r)
        self.passed = Counter("lacuna_segments_passed", "Scored segments with no major or critical flag",
                              ["src_lang", "tgt_lang"], registry=r)
        self.failed = Counter("lacuna_segments_failed", "Segments that could not be scored, by error code",
                              ["src_lang", "tgt_lang", "code"], registry=r)
        self.flags = Counter("lacuna_flags", "Flags raised, by type, severity and language pair",
                             ["type", "severity", "src_lang", "tgt_lang"], registry=r)
        self.scores = Summary("lacuna_segment_score", "Segment scores (sum and count give the mean)",
                              ["metric", "src_lang", "tgt_lang"], registry=r)
        self.cpu = Counter("lacuna_request_cpu_seconds", "CPU spent on calls, by method and the status they "
                           "ended with (CANCELLED/DEADLINE_EXCEEDED: work for callers who left)",
                           ["method", "code"], registry=r)
        self._model_state: ModelStateCollector | None = None

    @classmethod
    def start(cls, host: str, port: int) -> "PrometheusObserver":
        obs = cls()
        obs._httpd, obs._thread = start_http_server(port, addr=host, registry=obs.registry)
        obs.port = obs._httpd.server_port
        log.info("metrics_started", address=f"http://{host}:{obs.port}/metrics")
        return obs

    def attach(self, pipeline) -> None:
        """Report the pipeline's scorers, metrics and models on every scrape."""
        if self._model_state is not None:
            self.registry.unregister(self._model_state)
        self._model_state = ModelStateCollector(pipeline)
        self.registry.register(self._model_state)

    # -- Observer ------------------------------------------------------------------------

    def observe(self, method: str, segments: Sequence[SegmentInput], outcomes: Sequence[SegmentOutcome]) -> None:
        for seg, out in zip(segments, outcomes):
            src, tgt = language_label(seg.src_lang), language_label(seg.tgt_lang)
            if out.error_code:
                self.failed.labels(src, tgt, out.error_code).inc()
                continue
            self.segments.labels(src, tgt).inc()
            if out.passed:
                self.passed.labels(src, tgt).inc()
            for flag in out.flags:
                self.flags.labels(flag.type, flag.severity, src, tgt).inc()
            for metric, value in out.scores.items():
                self.scores.labels(metric, src, tgt).observe(value)

    def observe_call(self, method: str, code: grpc.StatusCode, seconds: float) -> None:
        self.requests.labels(method, code.name).inc()
        self.latency.labels(method).observe(seconds)

    def observe_cpu(self, method: str, code: grpc.StatusCode, seconds: float) -> None:
        self.cpu.labels(method, code.name).inc(seconds)

    def close(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
