"""The shared encoder worker serves waiting requests round-robin and drops abandoned ones."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from lacuna.server import budget
from lacuna.server.budget import CallBudget, Cancelled
from lacuna.server.omission.encoder import BatchingEncoder


class SlowEncoder:
    """1 ms per text, records what it was asked to encode."""

    name, dim = "slow", 4

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts):
        time.sleep(0.001 * len(texts) + 0.01)
        self.seen.extend(texts)
        return np.ones((len(texts), self.dim), dtype=np.float32)


def test_a_short_request_is_not_held_up_by_a_long_one():
    encoder = BatchingEncoder(SlowEncoder(), max_batch=64, max_delay_s=0.0)
    finished: dict[str, float] = {}

    def run(name: str, texts: list[str]) -> None:
        encoder.encode(texts)
        finished[name] = time.monotonic()

    try:
        long = threading.Thread(target=run, args=("long", [f"long {i}" for i in range(1500)]))
        long.start()
        time.sleep(0.05)
        run("short", ["short a", "short b"])
        long.join(30)
    finally:
        encoder.close()
    assert finished["short"] < finished["long"] - 0.5  # answered while the long one still had most to go


def test_an_abandoned_request_is_dropped_between_chunks():
    slow = SlowEncoder()
    encoder = BatchingEncoder(slow, max_batch=16, max_delay_s=0.0)
    call = CallBudget()
    outcome: dict = {}

    def run() -> None:
        budget.bind(call)
        try:
            encoder.encode([f"text {i}" for i in range(2000)])
        except Cancelled as exc:
            outcome["error"] = exc
            outcome["at"] = time.monotonic()

    try:
        worker = threading.Thread(target=run)
        worker.start()
        time.sleep(0.2)
        call.cancel()
        cancelled = time.monotonic()
        worker.join(5)
        time.sleep(0.2)
        encoded = len(slow.seen)
        time.sleep(0.3)
        assert len(slow.seen) == encoded < 2000  # the worker stopped encoding for it
    finally:
        encoder.close()
    assert isinstance(outcome.get("error"), Cancelled)
    assert outcome["at"] - cancelled < 0.5


@pytest.mark.parametrize("threads", [4])
def test_concurrent_callers_all_get_their_vectors(threads):
    encoder = BatchingEncoder(SlowEncoder(), max_batch=8, max_delay_s=0.001)
    results: list[np.ndarray] = []

    def run(k: int) -> None:
        results.append(encoder.encode([f"t{k} {i}" for i in range(30)] + ["shared"]))

    try:
        workers = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(30)
    finally:
        encoder.close()
    assert len(results) == threads and all(r.shape == (31, 4) and np.all(r == 1) for r in results)


def test_a_call_ended_at_its_deadline_is_a_deadline_not_a_cancellation():
    """gRPC may end a call (and so cancel its budget) a moment before the deadline as the budget
    measures it; that is the deadline passing. Ended well before its deadline, it is cancelled."""
    from lacuna.server.budget import DEADLINE_SLACK_S, DeadlineExceeded

    at_deadline = CallBudget(client_timeout_s=DEADLINE_SLACK_S / 5)
    at_deadline.cancel()
    assert isinstance(at_deadline.spent(), DeadlineExceeded)
    early = CallBudget(client_timeout_s=30.0)
    early.cancel()
    assert isinstance(early.spent(), Cancelled) and not isinstance(early.spent(), DeadlineExceeded)
    assert CallBudget(client_timeout_s=30.0).spent() is None
