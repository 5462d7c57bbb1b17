"""A dynamic batcher: one worker thread per model, shared by every request.

Requests put their samples on a bounded queue and wait on futures. The worker
takes the oldest sample, waits at most `max_delay` for more to arrive (or until
a full batch is there), takes every queued sample that can share a batch with it
(same input fields), sorts them by length and runs them at most `max_batch` at a
time -- cutting a batch early where more than `max_padding` of it would be padding
(worth it on a CPU, where a batch costs its padded size). A submit that would
overflow the queue is refused whole with `QueueFull`, which the service answers
as RESOURCE_EXHAUSTED.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Callable, Hashable, Sequence

import structlog

from lacuna.server.pipeline import Overloaded

log = structlog.get_logger("lacuna.comet")

# How many batches' worth of queued samples one round sorts together.
SORT_WINDOW_BATCHES = 8


class QueueFull(Overloaded):
    pass


@dataclass
class Job:
    group: Hashable  # jobs with different groups never share a batch
    length: int
    item: object
    future: Future = field(default_factory=Future)
    enqueued: float = field(default_factory=time.monotonic)


class DynamicBatcher:
    def __init__(self, run_batch: Callable[[list], list], *, max_batch: int, max_delay_s: float,
                 max_queued: int, name: str = "comet", max_padding: float = 1.0):
        """`max_padding`: the largest share of a batch's slots that may be padding (by job
        length); a sorted round is cut into smaller batches rather than exceed it. On a CPU,
        where a batch costs what its padded size costs, a small value wins; 1.0 = no limit."""
        self.run_batch = run_batch
        self.max_padding = float(max_padding)
        self.max_batch = max(1, int(max_batch))
        self.max_delay_s = max(0.0, float(max_delay_s))
        self.max_queued = max(1, int(max_queued))
        self.name = name
        self._pending: list[Job] = []
        self._in_flight = 0  # taken by the worker, not finished yet (still counts against the bound)
        self._cond = threading.Condition()
        self._closed = False
        self.batches_run = 0
        self.busy_seconds = 0.0  # time spent inside run_batch
        self._free_since = 0.0  # monotonic time the worker finished its last round
        self.batch_sizes: list[int] = []  # recent batch sizes, for tests and benchmarks
        self._thread = threading.Thread(target=self._loop, name=f"lacuna-batcher-{name}", daemon=True)
        self._thread.start()

    # -- requests ----------------------------------------------------------------------

    @property
    def queued(self) -> int:
        with self._cond:
            return len(self._pending) + self._in_flight

    def submit(self, jobs: Sequence[tuple[Hashable, int, object]]) -> list[Future]:
        """Queue (group, length, item) jobs; all or none. Raises QueueFull."""
        new = [Job(group, length, item) for group, length, item in jobs]
        with self._cond:
            if self._closed:
                raise RuntimeError(f"{self.name}: the batcher is shut down")
            waiting = len(self._pending) + self._in_flight
            if waiting + len(new) > self.max_queued:
                raise QueueFull(
                    f"{self.name} is overloaded: {waiting} segments are queued and {len(new)} more would exceed "
                    f"the queue limit of {self.max_queued} (--comet-queue-size); retry later")
            self._pending.extend(new)
            self._cond.notify()
        return [job.future for job in new]

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=30)
        with self._cond:
            leftover, self._pending = self._pending, []
        for job in leftover:
            job.future.set_exception(RuntimeError(f"{self.name}: server shutting down"))

    # -- worker ------------------------------------------------------------------------

    def _take(self) -> list[Job] | None:
        """Wait for work; return the jobs of one round (same group, sorted by length)."""
        with self._cond:
            while not self._pending and not self._closed:
                self._cond.wait()
            if self._closed:
                return None
            # Wait up to max_delay for a full batch, counted from when the oldest job came in or
            # the worker became free, whichever is later: jobs that queued while the model was busy
            # were not kept waiting by the delay, and the clients answered by the last batch get the
            # chance to join the next (else closed-loop clients split into two half batches).
            deadline = max(self._pending[0].enqueued, self._free_since) + self.max_delay_s
            while not self._closed:
                group = self._pending[0].group
                ready = sum(1 for j in self._pending if j.group == group)
                remaining = deadline - time.monotonic()
                if ready >= self.max_batch or remaining <= 0:
                    break
                self._cond.wait(remaining)
            if self._closed:
                return None
            group = self._pending[0].group
            window = self.max_batch * SORT_WINDOW_BATCHES
            taken, kept = [], []
            for job in self._pending:
                (taken if job.group == group and len(taken) < window else kept).append(job)
            self._pending = kept
            self._in_flight += len(taken)
        taken.sort(key=lambda j: j.length)
        return taken

    def _chunks(self, jobs: list[Job]) -> list[list[Job]]:
        """Cut length-sorted jobs into batches of at most max_batch and max_padding."""
        chunks: list[list[Job]] = []
        current: list[Job] = []
        total = 0
        for job in jobs:
            if current:
                slots = (len(current) + 1) * max(job.length, 1)
                padding = 1.0 - (total + job.length) / slots
                if len(current) >= self.max_batch or padding > self.max_padding:
                    chunks.append(current)
                    current, total = [], 0
            current.append(job)
            total += job.length
        if current:
            chunks.append(current)
        return chunks

    def _run(self, chunk: list[Job]) -> None:
        try:
            results = self.run_batch([j.item for j in chunk])
            if len(results) != len(chunk):
                raise RuntimeError(f"{len(results)} results for a batch of {len(chunk)}")
        except BaseException as exc:  # the waiting requests get the error, the worker goes on
            log.exception("comet_batch_failed", model=self.name, batch=len(chunk))
            for job in chunk:
                job.future.set_exception(exc)
        else:
            for job, result in zip(chunk, results):
                job.future.set_result(result)
        finally:
            with self._cond:
                self._in_flight -= len(chunk)
            self.batches_run += 1
            self.batch_sizes.append(len(chunk))
            del self.batch_sizes[:-1000]

    def _loop(self) -> None:
        # One thread tokenises and runs the model: on a GPU the bf16 forward pass is bound by
        # Python's kernel launches, and tokenising on a second thread meanwhile slowed it
        # (measured with bench/gpu_comet_large.py: 597 vs 412 segments/s on an H200).
        while True:
            jobs = self._take()
            if jobs is None:
                return
            began = time.perf_counter()
            for chunk in self._chunks(jobs):
                self._run(chunk)
            self.busy_seconds += time.perf_counter() - began
            with self._cond:
                self._free_since = time.monotonic()
