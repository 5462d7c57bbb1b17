"""Admission control: how many scoring jobs run at once, and a bounded, fair queue for the rest.

A job is one `Score` request or one `ScoreStream` message. At most `max_active` run at once
(default: one per core); of those at most `max_large` may be large (estimated cost above
`large_cost`, see `lacuna.server.text_cost`), so a big document never holds every slot and
small requests keep flowing past it. Up to `max_queued` jobs wait; a job that finds the queue
full is refused at once with RESOURCE_EXHAUSTED and a retry hint (the expected wait), rather
than joining a queue that grows without bound. A waiting job leaves the queue as soon as its
call's budget is spent (deadline, cancellation), costing no work.

A job starts only if it can finish before its call's deadline: the time a job takes is
estimated from its cost and the seconds per cost unit that recent jobs took (a running mean,
learned from the jobs of some size this server finished, so it includes the load of the moment, and
leaning low, so only jobs that clearly cannot finish are refused). A job
whose estimate, plus its expected wait in the queue, exceeds its call's remaining time is
refused at once, before any work: DEADLINE_EXCEEDED where the client's deadline is the limit,
RESOURCE_EXHAUSTED where the server's time budget is. A queued job is checked again while it
waits and when it gets its slot. Until a few jobs have finished nothing is refused this way.

Waiting jobs are served shortest first (estimated cost, then arrival), so normal requests do
not wait behind documents; a large job also waits while the large slots are taken.
"""

from __future__ import annotations

import itertools
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from lacuna.server.budget import CallBudget, DeadlineExceeded, OverBudget
from lacuna.server.pipeline import Overloaded

#: Shortest and longest retry hint, seconds.
MIN_RETRY_S, MAX_RETRY_S = 0.05, 30.0
#: How often a waiting job looks at its budget, seconds.
POLL_S = 0.05
#: Weight of the newest job in the running mean of seconds per cost unit: a faster job than the
#: mean counts more than a slower one, so the estimate leans low (a cold start, a moment of
#: contention is soon forgotten) and a job is refused only when it clearly cannot finish.
FASTER_WEIGHT, SLOWER_WEIGHT = 0.5, 0.1
#: Only jobs of at least this cost teach the seconds per unit: a small job's time is mostly the
#: fixed work of any call, which would make large jobs look far slower than they are.
RATE_MIN_COST = 2_000
#: Such jobs that must have finished before any job is refused for its estimate.
MIN_LEARNED_JOBS = 3


class QueueFull(Overloaded):
    """Refused: the queue is full. `retry_after_s` is the expected wait."""

    def __init__(self, message: str, retry_after_s: float):
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(order=True)
class _Waiter:
    cost: int  # shortest job first
    seq: int  # then in arrival order
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
        self.s_per_unit: float | None = None  # running mean of seconds per cost unit (None: no job done yet)
        self.learned = 0  # jobs the mean has seen
        self._running: dict[int, tuple[float, float]] = {}  # job -> (started, estimated seconds)
        self.refused = 0
        self.refused_late = 0  # refused because they could not finish before their deadline

    # -- the one entry point --------------------------------------------------------------------

    @contextmanager
    def slot(self, cost: int, budget: CallBudget | None = None):
        """Hold a slot while the body runs; raises QueueFull, or the budget's Abandoned."""
        large = cost > self.large_cost
        job = next(self._seq)
        self._acquire(job, cost, large, budget)
        started = time.monotonic()
        finished = False
        try:
            yield
            finished = True
        finally:
            self._release(job, cost, large, time.monotonic() - started, finished)

    def estimate(self, cost: int) -> float:
        """Seconds a job of `cost` units is expected to run (0 until enough jobs have finished)."""
        return cost * self.s_per_unit if self.s_per_unit is not None and self.learned >= MIN_LEARNED_JOBS else 0.0

    def forget(self) -> None:
        """Drop what was learned of the jobs' speed (estimates are 0 again until relearned)."""
        with self._cond:
            self.s_per_unit, self.learned = None, 0

    def stats(self) -> dict[str, int]:
        with self._cond:
            return {"active": self._active, "active_large": self._active_large, "queued": len(self._waiting),
                    "refused": self.refused, "refused_late": self.refused_late}

    # -- inside ------------------------------------------------------------------------------

    def _fits(self, large: bool) -> bool:
        return self._active < self.max_active and (not large or self._active_large < self.max_large)

    def _acquire(self, job: int, cost: int, large: bool, budget: CallBudget | None) -> None:
        with self._cond:
            if self._fits(large):  # any job still waiting does not fit (see _give_back)
                self._refuse_if_late(cost, 0.0, budget)
                self._take(job, cost, large)
                return
            if len(self._waiting) >= self.max_queued:
                self.refused += 1
                wait = self._expected_wait()
                raise QueueFull(f"the server is busy ({self._active} jobs running, {len(self._waiting)} queued); "
                                f"retry in {wait:.2f} s", wait)
            waiter = _Waiter(cost, job, large)
            self._refuse_if_late(cost, self._wait_ahead(waiter), budget)
            self._waiting.append(waiter)
            self._waiting.sort()
            try:
                while not waiter.admitted:
                    if budget is not None:
                        self._check_while_waiting(cost, budget)
                    self._refuse_if_late(cost, self._wait_ahead(waiter), budget)
                    self._cond.wait(POLL_S)
                self._refuse_if_late(cost, 0.0, budget)  # the slot came: is there still time?
            except BaseException:
                if waiter.admitted:  # admitted while we were leaving: hand the slot on
                    self._give_back(job, large)
                else:
                    self._waiting.remove(waiter)
                raise

    def _check_while_waiting(self, cost: int, budget: CallBudget) -> None:
        """`budget.check()` for a job still waiting for a slot: the server's budget running out
        there is the queue's doing when the job fits a budget of its own (QueueFull: retry)."""
        reason = budget.spent()
        if reason is None:
            return
        if isinstance(reason, OverBudget) and budget.budget_s and self.estimate(cost) <= budget.budget_s:
            self.refused_late += 1
            raise self._busy(budget.budget_s, budget.budget_s)
        raise reason

    @staticmethod
    def _busy(wait_s: float, budget_s: float) -> QueueFull:
        retry = min(wait_s, budget_s)
        return QueueFull(f"the server is busy: this request would wait about {wait_s:.1f} s for a slot, past the "
                         f"server's time budget of {budget_s:g} s per request; retry in {retry:.2f} s", retry)

    def _refuse_if_late(self, cost: int, wait_s: float, budget: CallBudget | None) -> None:
        """Raise when a job of `cost` starting in `wait_s` cannot finish within the call's budget:
        DeadlineExceeded for the client's deadline, OverBudget for the server's budget when the job
        alone needs more, QueueFull (retry later) when only the wait ahead of it makes it late."""
        if budget is None or self.learned < MIN_LEARNED_JOBS:
            return
        left = budget.remaining()
        needed = wait_s + self.estimate(cost)
        if left is None or needed <= left:
            return
        self.refused_late += 1
        if budget.client_deadline is not None and (budget.budget_deadline is None
                                                   or budget.client_deadline <= budget.budget_deadline):
            raise DeadlineExceeded(f"the request would not finish before its deadline: it needs about "
                                   f"{needed:.2f} s, {max(0.0, left):.2f} s are left; send fewer or shorter "
                                   "segments per request, or allow a longer deadline")
        if wait_s > 0 and budget.budget_s and self.estimate(cost) <= budget.budget_s:
            # it would fit a budget of its own; what makes it late is the work ahead of it, which
            # passes: the client is told to come back (a retryable refusal), not that it is too big
            raise self._busy(wait_s, budget.budget_s)
        raise OverBudget(f"segments: the request needs about {needed:.2f} s, more than the server's time budget "
                         f"of {budget.budget_s:g} s per request (--request-time-budget) allows now; send fewer "
                         "or shorter segments per request")

    def _wait_ahead(self, waiter: _Waiter) -> float:
        """Expected seconds until `waiter` gets a slot: the work left of the running jobs and of
        the waiting jobs served before it, spread over the slots."""
        now = time.monotonic()
        running = sum(max(0.0, est - (now - started)) for started, est in self._running.values())
        ahead = sum(self.estimate(w.cost) for w in self._waiting if w < waiter)
        return (running + ahead) / self.max_active

    def _take(self, job: int, cost: int, large: bool) -> None:
        self._active += 1
        self._active_large += large
        self._running[job] = (time.monotonic(), self.estimate(cost))

    def _release(self, job: int, cost: int, large: bool, seconds: float, finished: bool) -> None:
        with self._cond:
            self._mean_s = 0.9 * self._mean_s + 0.1 * seconds
            if finished and cost >= RATE_MIN_COST:  # abandoned jobs stopped part way: their time says little
                rate = seconds / cost
                if self.s_per_unit is None:
                    self.s_per_unit = rate
                else:
                    weight = FASTER_WEIGHT if rate < self.s_per_unit else SLOWER_WEIGHT
                    self.s_per_unit += weight * (rate - self.s_per_unit)
                self.learned += 1
            self._give_back(job, large)

    def _give_back(self, job: int, large: bool) -> None:
        self._active -= 1
        self._active_large -= large
        self._running.pop(job, None)
        for waiter in list(self._waiting):  # shortest first, then by arrival
            if self._fits(waiter.large):
                self._waiting.remove(waiter)
                waiter.admitted = True
                self._take(waiter.seq, waiter.cost, waiter.large)
        self._cond.notify_all()

    def _expected_wait(self) -> float:
        jobs_ahead = len(self._waiting) + self._active
        return min(MAX_RETRY_S, max(MIN_RETRY_S, self._mean_s * jobs_ahead / self.max_active))
