"""The edge of every Lacuna call, written once: timing, the one log event, error mapping.

`ServiceInterceptor` wraps each `lacuna.v1.Lacuna` method (health and reflection pass
through untouched):

- a request that does not parse as protobuf answers INVALID_ARGUMENT (gRPC itself would
  answer INTERNAL and log a multi-line traceback);
- the call gets a `CallRecord` (`current_call()`), which the servicer fills with the request
  id, segments and outcomes, and a `CallBudget` (deadline, server time budget, cancellation);
- what the servicer raises becomes the call's status: `Abort` its code, message and details;
  `Abandoned` CANCELLED / DEADLINE_EXCEEDED / RESOURCE_EXHAUSTED; anything else INTERNAL
  with the exception's type name (the traceback goes to the log);
- at the end, one JSON log event ("request") and one `observe_call` to every observer.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Sequence

import grpc
import structlog

from lacuna.server import budget as budgets
from lacuna.server.budget import Abandoned, CallBudget
from lacuna.server.errors import Abort, status_of

log = structlog.get_logger("lacuna.service")

SERVICE_PREFIX = "/lacuna.v1.Lacuna/"


@dataclass
class CallRecord:
    """What the servicer tells the interceptor about the call it handles."""

    method: str
    budget: CallBudget
    started: float = field(default_factory=time.perf_counter)
    cpu_started: float = field(default_factory=time.thread_time)
    request_id: str = ""
    segments: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    code: grpc.StatusCode = grpc.StatusCode.OK
    error: str = ""
    logged: bool = False

    def cpu_seconds(self) -> float:
        """CPU of the handler thread since the call began, plus what other threads charged to it."""
        return time.thread_time() - self.cpu_started + self.budget.cpu_s


_CURRENT: contextvars.ContextVar[CallRecord | None] = contextvars.ContextVar("lacuna_call", default=None)


def current_call() -> CallRecord:
    """The record of the call this thread handles (a detached one outside a call, e.g. in tests)."""
    record = _CURRENT.get()
    if record is None:
        record = CallRecord(method="", budget=CallBudget())
    return record


@contextmanager
def bound_call(method: str, budget: CallBudget) -> Iterator[CallRecord]:
    """A `CallRecord` with `budget`, current on this thread while the body runs: what a call
    served without gRPC (`lacuna.server.inprocess`) gets in place of the interceptor's."""
    call = CallRecord(method=method, budget=budget)
    call_token, budget_token = _CURRENT.set(call), budgets.bind(budget)
    try:
        yield call
    finally:
        _CURRENT.reset(call_token)
        budgets.unbind(budget_token)


class Malformed:
    """Stands in for a request message that did not parse."""

    def __init__(self, message: str):
        self.message = message


def tolerant(deserializer: Callable[[bytes], object] | None, what: str) -> Callable[[bytes], object]:
    """`deserializer`, returning `Malformed` instead of raising on bytes that are not a message."""
    def parse(raw: bytes):
        try:
            return deserializer(raw) if deserializer is not None else raw
        except Exception as exc:
            return Malformed(f"the request is not a valid {what} message ({type(exc).__name__}); "
                             "send a serialized protobuf of the lacuna.v1 API")
    return parse


class ServiceInterceptor(grpc.ServerInterceptor):
    def __init__(self, observers: Iterable = (), log_texts: bool = False, time_budget_s: float | None = None):
        self.observers = list(observers)
        self.log_texts = log_texts
        self.time_budget_s = time_budget_s
        self._in_flight = 0
        self._idle = threading.Condition()

    def wait_idle(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for every call in flight to end (and log); True if none is left.
        A drain cancels calls; their handlers stop at their next check and still log the call."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        name = handler_call_details.method
        if handler is None or not name.startswith(SERVICE_PREFIX):
            return handler
        method = name[len(SERVICE_PREFIX):]
        what = f"{method} request"
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self._unary(method, handler.unary_unary),
                request_deserializer=tolerant(handler.request_deserializer, what),
                response_serializer=handler.response_serializer)
        if handler.stream_stream is not None:
            return grpc.stream_stream_rpc_method_handler(
                self._stream(method, handler.stream_stream),
                request_deserializer=tolerant(handler.request_deserializer, what),
                response_serializer=handler.response_serializer)
        return handler

    # -- the two call shapes ---------------------------------------------------------------

    def _unary(self, method: str, behavior):
        def handle(request, context):
            call = self._begin(method, context)
            try:
                if isinstance(request, Malformed):
                    raise Abort(grpc.StatusCode.INVALID_ARGUMENT, request.message)
                response = behavior(request, context)
                _raise_if_caller_left(call.budget)
                return response
            except Exception as exc:
                self._fail(call, context, exc)
            finally:
                self._end(call)
        return handle

    def _stream(self, method: str, behavior):
        def handle(request_iterator, context):
            call = self._begin(method, context)
            try:
                yield from behavior(_parsed(request_iterator), context)
            except GeneratorExit:  # closed at a yield: the client went away
                call.code = grpc.StatusCode.CANCELLED
                raise
            except Exception as exc:
                self._fail(call, context, exc)
            finally:
                self._end(call)
        return handle

    # -- begin, fail, end -------------------------------------------------------------------

    def _begin(self, method: str, context) -> CallRecord:
        call = CallRecord(method=method, budget=CallBudget.for_context(context, self.time_budget_s))
        with self._idle:
            self._in_flight += 1
        _CURRENT.set(call)
        budgets.bind(call.budget)
        return call

    def _fail(self, call: CallRecord, context, exc: Exception) -> None:
        """Record the status `exc` maps to and end the call with it (context.abort raises)."""
        if isinstance(exc, Abort):
            call.code, call.error = exc.code, exc.message
            context.abort_with_status(status_of(exc))
        if isinstance(exc, Abandoned):
            call.code, call.error = exc.code, str(exc)
            context.abort_with_status(status_of(Abort(exc.code, str(exc), exc.field)))
        if isinstance(exc, grpc.RpcError):  # reading the requests of a call the client cancelled
            call.code = grpc.StatusCode.CANCELLED
            return
        call.code, call.error = grpc.StatusCode.INTERNAL, type(exc).__name__
        log.error("call_failed", method=call.method, request_id=call.request_id,
                  error=f"{type(exc).__name__}: {str(exc)[:200]}", exc_info=exc)
        context.abort_with_status(status_of(Abort(
            grpc.StatusCode.INTERNAL, f"internal error while scoring ({type(exc).__name__})")))

    def _end(self, call: CallRecord) -> None:
        """The one log event of the call, then `observe_call` for every observer."""
        _CURRENT.set(None)
        budgets.bind(None)
        if call.logged:
            return
        call.logged = True
        try:
            self._log(call)
        finally:  # a call counts as in flight until its event is written
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def _log(self, call: CallRecord) -> None:
        """Write the call's one "request" event; tell every observer."""
        seconds = time.perf_counter() - call.started
        outcomes: Sequence = call.outcomes
        flags = Counter(f.type for o in outcomes for f in o.flags)
        extra = dict(call.extra)
        if self.log_texts and call.segments:
            extra["texts"] = _flagged_texts(call.segments, outcomes)
        if call.error:
            extra["error"] = call.error
        log.info("request", method=call.method, request_id=call.request_id, status=call.code.name,
                 segments=len(outcomes), failed=sum(1 for o in outcomes if not o.passed),
                 errors=sum(1 for o in outcomes if o.error_code), flags=dict(flags),
                 duration_ms=round(seconds * 1000, 2), cpu_ms=round(call.cpu_seconds() * 1000, 2), **extra)
        for obs in self.observers:
            try:
                obs.observe_call(call.method, call.code, seconds)
                record_cpu = getattr(obs, "observe_cpu", None)
                if record_cpu is not None:
                    record_cpu(call.method, call.code, call.cpu_seconds())
            except Exception:  # an observer must never cost a result
                log.exception("observer_failed", observer=type(obs).__name__)


def _raise_if_caller_left(budget: CallBudget) -> None:
    """A call finished after its caller left (deadline passed, cancelled) is not an OK call."""
    reason = budget.spent()
    if isinstance(reason, (budgets.Cancelled, budgets.DeadlineExceeded)):
        raise reason


def _parsed(request_iterator: Iterator) -> Iterator:
    """The stream's requests; one that does not parse ends the call with INVALID_ARGUMENT."""
    for n, request in enumerate(request_iterator, 1):
        if isinstance(request, Malformed):
            raise Abort(grpc.StatusCode.INVALID_ARGUMENT, f"stream message {n}: {request.message}")
        yield request


def _flagged_texts(segments: Sequence, outcomes: Sequence) -> list[dict]:
    """Texts of the segments that were flagged or failed (only with --log-texts)."""
    by_id = {o.id: o for o in outcomes}
    return [{"id": seg.id, "source": seg.source, "translation": seg.translation,
             "flags": [f.type for f in by_id[seg.id].flags]}
            for seg in segments if seg.id in by_id and (by_id[seg.id].flags or by_id[seg.id].error_code)]
