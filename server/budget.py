"""The time a call may take, and whether anyone still waits for its answer.

Every call gets a `CallBudget` (made by the interceptor): it ends at the client's deadline or
at the server's per-request time budget (`--request-time-budget`), whichever comes first, and
it is cancelled when the call ends early (the client cancels or goes away, or the server
drains). Long work calls `check()` between steps (sentence batches, scorers, stream messages);
a spent budget raises `Abandoned`, which ends the call as CANCELLED, DEADLINE_EXCEEDED or
RESOURCE_EXHAUSTED — never OK — and stops the work there.

The budget of the running call is also reachable as `current_budget()` (a context variable),
so deep code (the encoder's batching) sees it without every signature carrying it. Work
handed to another thread carries the budget object itself.
"""

from __future__ import annotations

import contextvars
import threading
import time

import grpc


class Abandoned(Exception):
    """The call's budget is spent: stop working on it. `code` is the status it ends with."""

    code = grpc.StatusCode.CANCELLED
    field = ""


class Cancelled(Abandoned):
    code = grpc.StatusCode.CANCELLED


class DeadlineExceeded(Abandoned):
    code = grpc.StatusCode.DEADLINE_EXCEEDED


class OverBudget(Abandoned):
    """The server's own per-request time budget ran out (the client may have waited longer)."""

    code = grpc.StatusCode.RESOURCE_EXHAUSTED
    field = "segments"


#: How close to its deadline a call's cancellation counts as the deadline passing (seconds).
DEADLINE_SLACK_S = 0.25


class CallBudget:
    """Deadline, server time budget and cancellation of one call; also the CPU it used."""

    def __init__(self, client_timeout_s: float | None = None, budget_s: float | None = None):
        now = time.monotonic()
        self.started = now
        self.client_deadline = now + client_timeout_s if client_timeout_s is not None else None
        self.budget_s = budget_s
        self.budget_deadline = now + budget_s if budget_s else None
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self.cpu_s = 0.0  # CPU spent for this call on other threads (the encoder worker)

    @classmethod
    def for_context(cls, context: grpc.ServicerContext, budget_s: float | None) -> "CallBudget":
        """The budget of a gRPC call: its deadline, `budget_s`, cancelled when the call ends."""
        remaining = context.time_remaining()
        # gRPC reports a call without a deadline as a huge remaining time
        timeout = remaining if remaining is not None and remaining < 10 ** 8 else None
        budget = cls(timeout, budget_s)
        context.add_callback(budget.cancel)
        return budget

    def restart_budget(self) -> None:
        """Start the server's time budget afresh (each message of a stream gets the whole budget)."""
        if self.budget_s:
            self.budget_deadline = time.monotonic() + self.budget_s

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def remaining(self) -> float | None:
        """Seconds left (None: no limit)."""
        ends = [d for d in (self.client_deadline, self.budget_deadline) if d is not None]
        return min(ends) - time.monotonic() if ends else None

    def spent(self) -> Abandoned | None:
        """Why the call must stop now, or None while it may go on. A call that gRPC ends within
        `DEADLINE_SLACK_S` of its deadline ended at the deadline: gRPC's timer (or the client's,
        which then cancels) may fire a little before the deadline as measured here."""
        now = time.monotonic()
        if self.client_deadline is not None and (
                now >= self.client_deadline
                or (self._cancelled.is_set() and now >= self.client_deadline - DEADLINE_SLACK_S)):
            return DeadlineExceeded("the call's deadline passed before it was done")
        if self.budget_deadline is not None and now >= self.budget_deadline:
            return OverBudget(f"segments: the request needs more than the server's time budget of "
                              f"{self.budget_s:g} s per request (--request-time-budget); send fewer or shorter "
                              "segments per request")
        if self._cancelled.is_set():
            return Cancelled("the call was cancelled")
        return None

    def check(self) -> None:
        """Raise `Abandoned` when the call must stop."""
        reason = self.spent()
        if reason is not None:
            raise reason

    def add_cpu(self, seconds: float) -> None:
        with self._lock:
            self.cpu_s += seconds


_CURRENT: contextvars.ContextVar[CallBudget | None] = contextvars.ContextVar("lacuna_budget", default=None)


def current_budget() -> CallBudget | None:
    """The budget of the call this thread works for, if any."""
    return _CURRENT.get()


def bind(budget: CallBudget | None) -> contextvars.Token:
    """Make `budget` the current one on this thread (None: no call); the token undoes it."""
    return _CURRENT.set(budget)


def unbind(token: contextvars.Token) -> None:
    """Undo the `bind` that returned `token`."""
    _CURRENT.reset(token)


def check() -> None:
    """`current_budget().check()`, where there is a current call."""
    budget = _CURRENT.get()
    if budget is not None:
        budget.check()
