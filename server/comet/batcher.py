"""A dynamic batcher: worker threads per model, shared by every request.

Requests put their samples on a bounded queue and wait on futures. A free worker
takes the oldest sample, waits at most `max_delay` for more to arrive (or until
a full batch is there), sorts the queued samples that can share a batch with it
(same input fields) by length, and runs the batch of at most `max_batch` that
holds the oldest one -- cut early where more than `max_padding` of it would be
padding (worth it on a CPU, where a batch costs its padded size). What it leaves
stays queued and is sorted again with whatever arrives meanwhile. On a CPU,
several workers each run their own batch through the one model copy, each on its
share of the cores: for small batches that beats one batch spread over every core.
A submit that would overflow the queue is refused whole with `QueueFull`, which
the service answers as RESOURCE_EXHAUSTED.
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
                 max_queued: int, name: str = "comet", max_padding: float = 1.0, workers: int = 1):
        """`max_padding`: the largest share of a batch's slots that may be padding (by job
        length); a sorted round is cut into smaller batches rather than exceed it. On a CPU,
        where a batch costs what its padded size costs, a small value wins; 1.0 = no limit.
        `workers`: threads that each run one batch at a time through `run_batch`."""
        self.run_batch = run_batch
        self.max_padding = float(max_padding)
        self.max_batch = max(1, int(max_batch))
        self.max_delay_s = max(0.0, float(max_delay_s))
        self.max_queued = max(1, int(max_queued))
        self.name = name
        self._pending: list[Job] = []
        self._in_flight = 0  # taken by the worker, not finished yet (still counts against the bound)
        self._idle = 0  # workers waiting for a batch
        self._cond = threading.Condition()
        self._closed = False
        self.batches_run = 0
        self.busy_seconds = 0.0  # time spent inside run_batch
        self.batch_sizes: list[int] = []  # recent batch sizes, for tests and benchmarks
        self.workers = max(1, int(workers))
        self._threads = [threading.Thread(target=self._loop, name=f"lacuna-batcher-{name}-{k}", daemon=True)
                         for k in range(self.workers)]
        for thread in self._threads:
            thread.start()

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

    @property
    def running(self) -> bool:
        """True while the batcher takes work: not closed, and a worker thread is alive."""
        return not self._closed and any(t.is_alive() for t in self._threads)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=30)
        with self._cond:
            leftover, self._pending = self._pending, []
        for job in leftover:
            job.future.set_exception(RuntimeError(f"{self.name}: server shutting down"))

    # -- worker ------------------------------------------------------------------------

    def _take(self, free_since: float) -> list[Job] | None:
        """Wait for work; take and return one batch (same group, sorted by length) that holds
        the oldest queued job. `free_since`: when the calling worker finished its last batch."""
        with self._cond:
            self._idle += 1
            try:
                return self._take_locked(free_since)
            finally:
                self._idle -= 1

    def _take_locked(self, free_since: float) -> list[Job] | None:
        while not self._pending and not self._closed:
            self._cond.wait()
        # Wait up to max_delay for a full batch, counted from when the oldest job came in or
        # the worker became free, whichever is later: jobs that queued while the model was busy
        # were not kept waiting by the delay, and the clients answered by the last batch get the
        # chance to join the next (else closed-loop clients split into two half batches).
        # Idle workers share what is queued: with two idle, each wants half a batch.
        while not self._closed and self._pending:
            deadline = max(self._pending[0].enqueued, free_since) + self.max_delay_s
            group = self._pending[0].group
            ready = sum(1 for j in self._pending if j.group == group)
            remaining = deadline - time.monotonic()
            if ready >= self._share(self.max_batch) or remaining <= 0:
                break
            self._cond.wait(remaining)
        if self._closed:
            return None
        if not self._pending:  # another worker took them while this one waited
            return []
        oldest = self._pending[0]
        window = self.max_batch * SORT_WINDOW_BATCHES
        candidates = []
        for job in self._pending:
            if job.group == oldest.group and len(candidates) < window:
                candidates.append(job)
        limit = min(self.max_batch, self._share(len(candidates)))
        candidates.sort(key=lambda j: j.length)
        batch = next(chunk for chunk in self._chunks(candidates, limit) if any(j is oldest for j in chunk))
        chosen = {id(j) for j in batch}
        self._pending = [j for j in self._pending if id(j) not in chosen]
        self._in_flight += len(batch)
        if self._pending:
            self._cond.notify()  # what is left may be ready for another worker
        return batch

    def _share(self, n: int) -> int:
        """This worker's part of `n` queued jobs when the idle workers split them evenly."""
        return max(1, -(-n // max(1, self._idle)))

    def _chunks(self, jobs: list[Job], limit: int) -> list[list[Job]]:
        """Cut length-sorted jobs into batches of at most `limit` jobs and max_padding."""
        chunks: list[list[Job]] = []
        current: list[Job] = []
        total = 0
        for job in jobs:
            if current:
                slots = (len(current) + 1) * max(job.length, 1)
                padding = 1.0 - (total + job.length) / slots
                if len(current) >= limit or padding > self.max_padding:
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
        # Each worker tokenises and runs its own batches. On a GPU one worker is right: the bf16
        # forward pass is bound by Python's kernel launches, and tokenising on a second thread
        # meanwhile slowed it (bench/gpu_comet_large.py: 597 vs 412 segments/s on an H200).
        free_since = 0.0
        while True:
            batch = self._take(free_since)
            if batch is None:
                return
            if not batch:
                continue
            began = time.perf_counter()
            self._run(batch)
            with self._cond:
                self.busy_seconds += time.perf_counter() - began
            free_since = time.monotonic()
