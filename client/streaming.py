"""Scoring a long job over `ScoreStream`: several concurrent streams, each with a
sliding window of batches in flight.

The server answers one stream's messages in order, one at a time, so a window of
a few batches keeps its worker busy while answers travel back, and several
streams let a server with several workers (or several servers, round-robin)
score in parallel. Each stream call carries at most `batches_per_call` batches,
so the per-call deadline (`timeout`) bounds a call, not the whole job, and new
calls keep spreading over the round-robin targets.

A call that fails with UNAVAILABLE (a server restarting, a connection lost) or
with RESOURCE_EXHAUSTED from a full server queue puts its unanswered batches back
at the head of the queue and is retried with exponential backoff and jitter (or after
the server's retry hint); a batch is never answered twice, because it is forgotten as
soon as its answer arrives. Failures are retried while fewer than `retries` came in a
row, or while less than `reconnect_timeout` seconds have passed since the last answer
(a server being restarted); anything else stops the job with `StreamFailed`. gRPC's own
retry policy does not apply to the stream (see client.py).
"""

from __future__ import annotations

import collections
import itertools
import queue
import random
import threading
import time
from typing import Any, Iterable, Iterator, Sequence

import grpc

from lacuna.client.client import LacunaError
from lacuna.client.signatures import SignatureLog
from lacuna.proto import service_pb2, service_pb2_grpc, types_pb2

def retryable(err: LacunaError) -> bool:
    """UNAVAILABLE (a server down or restarting), and RESOURCE_EXHAUSTED without a field at
    fault (a server whose queue is full; "too many segments" names the field and is not retried)."""
    return err.code == grpc.StatusCode.UNAVAILABLE or (
        err.code == grpc.StatusCode.RESOURCE_EXHAUSTED and not err.field)

Item = tuple[Any, types_pb2.Segment]  # (caller's payload, segment)


class StreamFailed(Exception):
    def __init__(self, error: LacunaError):
        super().__init__(str(error))
        self.error = error


class _Call:
    """The state of one ScoreStream call: batches sent and not yet answered."""

    def __init__(self, window: int):
        self.sent: collections.deque[list[Item]] = collections.deque()
        self.window = threading.Semaphore(window)
        self.dead = False


class StreamScorer:
    def __init__(self, stub: service_pb2_grpc.LacunaStub, options: types_pb2.ScoreOptions, *,
                 streams: int = 4, window: int = 4, batch_size: int = 32, batches_per_call: int = 16,
                 timeout: float | None = 300.0, retries: int = 5, backoff: float = 0.5, max_backoff: float = 10.0,
                 reconnect_timeout: float = 0.0):
        if min(streams, window, batch_size, batches_per_call) < 1:
            raise ValueError("streams, window, batch_size and batches_per_call must be at least 1")
        self.stub, self.options = stub, options
        self.streams, self.window, self.batch_size = streams, window, batch_size
        self.batches_per_call, self.timeout = batches_per_call, timeout
        self.retries, self.backoff, self.max_backoff = retries, backoff, max_backoff
        self.reconnect_timeout = reconnect_timeout
        self._last_answer = time.monotonic()
        self._lock = threading.Lock()
        self._retry: collections.deque[list[Item]] = collections.deque()
        self._source: Iterator[list[Item]] = iter(())
        self._out: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._active: set = set()  # open calls, cancelled when the caller stops early
        self.signatures = SignatureLog()  # the corpus scores' signatures of every stream
        self.calls = 0  # stream calls opened
        self.retried_calls = 0

    # -- the shared queue of batches -------------------------------------------------------

    def _next_batch(self) -> list[Item] | None:
        with self._lock:
            if self._retry:
                return self._retry.popleft()
            return next(self._source, None)

    def _requeue(self, call: _Call) -> None:
        with self._lock:
            call.dead = True
            while call.sent:
                self._retry.appendleft(call.sent.pop())

    # -- one worker: stream calls back to back -----------------------------------------------

    def _requests(self, call: _Call, first: list[Item]) -> Iterator[service_pb2.ScoreStreamRequest]:
        batch: list[Item] | None = first
        sent = 0
        while batch is not None:
            msg = service_pb2.ScoreStreamRequest(segments=[seg for _, seg in batch])
            if sent == 0:
                msg.options.CopyFrom(self.options)
            with self._lock:
                if call.dead:
                    self._retry.appendleft(batch)
                    return
                call.sent.append(batch)
            yield msg
            sent += 1
            if sent >= self.batches_per_call:
                return
            while not call.window.acquire(timeout=0.1):
                if call.dead or self._stop.is_set():
                    return
            batch = self._next_batch()
            if batch is None:
                call.window.release()

    def _worker(self) -> None:
        failures = 0
        try:
            while not self._stop.is_set():
                first = self._next_batch()
                if first is None:
                    return
                call = _Call(self.window)
                call.window.acquire()  # the first batch's slot
                self.calls += 1
                responses = self.stub.ScoreStream(self._requests(call, first), timeout=self.timeout)
                with self._lock:
                    self._active.add(responses)
                try:
                    for response in responses:
                        if response.final:
                            self.signatures.add(response.corpus_scores)
                            continue
                        with self._lock:
                            batch = call.sent.popleft()
                        call.window.release()
                        self._out.put(("results", batch, list(response.results)))
                        self._last_answer = time.monotonic()
                        failures = 0
                    if call.sent:  # the server closed the stream without answering everything
                        self._requeue(call)
                        failures += 1
                        if failures > self.retries:
                            self._out.put(("error", LacunaError(grpc.StatusCode.INTERNAL, "the server ended "
                                                                "streams without answering every message"), None))
                            return
                except grpc.RpcError as rpc_error:
                    self._requeue(call)
                    err = LacunaError.from_rpc_error(rpc_error)
                    if retryable(err) and self._may_retry(failures) and not self._stop.is_set():
                        failures += 1
                        self.retried_calls += 1
                        delay = min(self.max_backoff, self.backoff * 2 ** (min(failures, 16) - 1))
                        if err.retry_after is not None:
                            delay = min(self.max_backoff, err.retry_after)
                        self._stop.wait(delay * (0.5 + random.random() / 2))
                        continue
                    if not self._stop.is_set():
                        self._out.put(("error", err, None))
                    return
                finally:
                    with self._lock:
                        self._active.discard(responses)
        except Exception as exc:  # a bug here must end the job, not hang it
            self._out.put(("error", LacunaError(grpc.StatusCode.INTERNAL, f"client error: {exc!r}"), None))
        finally:
            self._out.put(("done", None, None))

    def _may_retry(self, failures: int) -> bool:
        """Another try after `failures` in a row: within `retries`, or within `reconnect_timeout`
        of the last answer any stream got."""
        if failures < self.retries:
            return True
        return time.monotonic() - self._last_answer < self.reconnect_timeout

    # -- the caller's side ---------------------------------------------------------------------

    def run(self, items: Iterable[Item]) -> Iterator[tuple[Any, types_pb2.SegmentResult]]:
        """Yields (payload, result) as answers arrive, in no particular order."""
        it = iter(items)
        self._last_answer = time.monotonic()
        self._source = iter(lambda: list(itertools.islice(it, self.batch_size)), [])
        workers = [threading.Thread(target=self._worker, name=f"lacuna-stream-{i}", daemon=True)
                   for i in range(self.streams)]
        for w in workers:
            w.start()
        running = len(workers)
        try:
            while running:
                kind, batch, results = self._out.get()
                if kind == "done":
                    running -= 1
                elif kind == "error":
                    raise StreamFailed(batch)
                else:
                    yield from _pair(batch, results)
        finally:
            self._stop.set()
            with self._lock:
                active = list(self._active)
            for responses in active:
                responses.cancel()


def _pair(batch: Sequence[Item], results: Sequence[types_pb2.SegmentResult]):
    """Results come back in the order of the message's segments; match by id to be safe."""
    if len(batch) == len(results) and all(seg.id == r.id for (_, seg), r in zip(batch, results)):
        for (payload, _), result in zip(batch, results):
            yield payload, result
        return
    by_id = {seg.id: payload for payload, seg in batch}
    for result in results:
        if result.id in by_id:
            yield by_id.pop(result.id), result
    for seg_id, payload in by_id.items():  # never lose a segment silently
        missing = types_pb2.SegmentResult(id=seg_id, passed=False)
        missing.error.code, missing.error.message = "INTERNAL", "the server sent no result for this segment"
        yield payload, missing
