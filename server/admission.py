"""Admission control: how many scoring jobs run at once, and a bounded, fair queue for the rest.

A job is one `Score` request or one `ScoreStream` message. At most `max_active` run at once
(default: one per core); of those at most `max_large` may be large (estimated cost above
`large_cost`, see `lacuna.server.text_cost`), so a big document never holds every slot and
small requests keep flowing past it. Up to `max_queued` jobs wait; a job that finds the queue
full is refused at once with RESOURCE_EXHAUSTED and a retry hint (the expected wait), rather
than joining a queue that grows without bound. A waiting job leaves the queue as soon as its
call's budget is spent (deadline, cancellation), costing no work.

Waiting jobs are served small-first in arrival order; a large job waits while the large
slots are taken.
"""

from __future__ import annotations

import itertools
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from lacuna.server.budget import CallBudget
from lacuna.server.pipeline import Overloaded

#: Shortest and longest retry hint, seconds.
MIN_RETRY_S, MAX_RETRY_S = 0.05, 30.0
#: How often a waiting job looks at its budget, seconds.
POLL_S = 0.05


class QueueFull(Overloaded):
    """Refused: the queue is full. `retry_after_s` is the expected wait."""

    def __init__(self, message: str, retry_after_s: float):
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(order=True)
class _Waiter:
    small_first: int
    seq: int
    large: bool = field(compare=False)
    admitted: bool = field(default=False, compare=False)


class Admission:
    def __init__(self, max_active: int, max_queued: int, large_cost: int, max_large: int | None = None):
        self.max_active = max(1, max_active)
        self.max_queued = max(0, max_queued)
        self.large_cost = large_cost
        self.max_large = max(1, min(self.max_active - 1, max_large or self.max_active // 2)) \
            if self.max_active > 1 else 1
        self._cond = threading.Condition()
        self._active = self._active_large = 0
        self._waiting: list[_Waiter] = []
        self._seq = itertools.count()
        self._mean_s = 0.5  # running mean of a job's run time, for retry hints
        self.refused = 0

    # -- the one entry point --------------------------------------------------------------------

    @contextmanager
    def slot(self, cost: int, budget: CallBudget | None = None):
        """Hold a slot while the body runs; raises QueueFull, or the budget's Abandoned."""
        large = cost > self.large_cost
        self._acquire(large, budget)
        started = time.monotonic()
        try:
            yield
        finally:
            self._release(large, time.monotonic() - started)

    def stats(self) -> dict[str, int]:
        with self._cond:
            return {"active": self._active, "active_large": self._active_large, "queued": len(self._waiting),
                    "refused": self.refused}

    # -- inside ------------------------------------------------------------------------------

    def _fits(self, large: bool) -> bool:
        return self._active < self.max_active and (not large or self._active_large < self.max_large)

    def _acquire(self, large: bool, budget: CallBudget | None) -> None:
        with self._cond:
            if self._fits(large):  # any job still waiting does not fit (see _give_back)
                self._take(large)
                return
            if len(self._waiting) >= self.max_queued:
                self.refused += 1
                wait = self._expected_wait()
                raise QueueFull(f"the server is busy ({self._active} jobs running, {len(self._waiting)} queued); "
                                f"retry in {wait:.2f} s", wait)
            waiter = _Waiter(1 if large else 0, next(self._seq), large)
            self._waiting.append(waiter)
            self._waiting.sort()
            try:
                while not waiter.admitted:
                    if budget is not None:
                        budget.check()
                    self._cond.wait(POLL_S)
            except BaseException:
                if waiter.admitted:  # admitted while we were leaving: hand the slot on
                    self._give_back(large)
                else:
                    self._waiting.remove(waiter)
                raise

    def _take(self, large: bool) -> None:
        self._active += 1
        self._active_large += large

    def _release(self, large: bool, seconds: float) -> None:
        with self._cond:
            self._mean_s = 0.9 * self._mean_s + 0.1 * seconds
            self._give_back(large)

    def _give_back(self, large: bool) -> None:
        self._active -= 1
        self._active_large -= large
        for waiter in list(self._waiting):  # small first, then by arrival
            if self._fits(waiter.large):
                self._waiting.remove(waiter)
                waiter.admitted = True
                self._take(waiter.large)
        self._cond.notify_all()

    def _expected_wait(self) -> float:
        jobs_ahead = len(self._waiting) + self._active
        return min(MAX_RETRY_S, max(MIN_RETRY_S, self._mean_s * jobs_ahead / self.max_active))
