"""The dynamic batcher on its own: several workers, fair shares, padding cuts, errors."""

from __future__ import annotations

import threading
import time

import pytest

from lacuna.server.comet.batcher import DynamicBatcher, QueueFull


class Recorder:
    """A run_batch that doubles its items, records each batch and how many ran at once."""

    def __init__(self, hold: float = 0.05):
        self.hold = hold
        self.batches: list[list[int]] = []
        self.running = self.most_at_once = 0
        self.lock = threading.Lock()

    def __call__(self, items):
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.batches.append(list(items))
        time.sleep(self.hold)
        with self.lock:
            self.running -= 1
        return [2 * i for i in items]


def test_idle_workers_split_the_queue_and_run_side_by_side():
    run = Recorder()
    batcher = DynamicBatcher(run, max_batch=16, max_delay_s=0.02, max_queued=100, workers=2)
    try:
        futures = batcher.submit([("g", 10, i) for i in range(16)])
        assert [f.result(timeout=10) for f in futures] == [2 * i for i in range(16)]
    finally:
        batcher.close()
    assert run.most_at_once == 2
    assert sorted(len(b) for b in run.batches) == [8, 8]


def test_one_worker_takes_a_full_batch():
    run = Recorder(hold=0.0)
    batcher = DynamicBatcher(run, max_batch=16, max_delay_s=0.02, max_queued=100, workers=1)
    try:
        futures = batcher.submit([("g", 10, i) for i in range(16)])
        [f.result(timeout=10) for f in futures]
    finally:
        batcher.close()
    assert [len(b) for b in run.batches] == [16]


def test_groups_never_share_a_batch_and_padding_cuts_batches():
    run = Recorder(hold=0.0)
    batcher = DynamicBatcher(run, max_batch=8, max_delay_s=0.02, max_queued=100, workers=2, max_padding=0.2)
    try:
        jobs = [("a", 10, 1), ("b", 10, 2), ("a", 100, 3), ("a", 11, 4), ("b", 95, 5)]
        futures = batcher.submit(jobs)
        assert [f.result(timeout=10) for f in futures] == [2, 4, 6, 8, 10]
    finally:
        batcher.close()
    for batch in run.batches:
        groups = {"b" if i in (2, 5) else "a" for i in batch}
        assert len(groups) == 1
    assert [1, 4] in [sorted(b) for b in run.batches]  # the two short "a" jobs together, the long one apart
    assert [3] in run.batches


def test_a_failing_batch_fails_only_its_jobs_and_the_workers_go_on():
    def run(items):
        if "bad" in items:
            raise ValueError("broken input")
        return [s.upper() for s in items]

    batcher = DynamicBatcher(run, max_batch=1, max_delay_s=0.0, max_queued=10, workers=2)
    try:
        bad, good = batcher.submit([("g", 3, "bad"), ("g", 2, "ok")])
        with pytest.raises(ValueError):
            bad.result(timeout=10)
        assert good.result(timeout=10) == "OK"
        assert batcher.submit([("g", 1, "x")])[0].result(timeout=10) == "X"
    finally:
        batcher.close()


def test_the_queue_bound_counts_batches_in_flight():
    gate = threading.Event()

    def run(items):
        gate.wait(10)
        return items

    batcher = DynamicBatcher(run, max_batch=4, max_delay_s=0.0, max_queued=4, workers=2)
    try:
        first = batcher.submit([("g", 1, i) for i in range(4)])
        time.sleep(0.1)  # taken by the workers, still running
        with pytest.raises(QueueFull):
            batcher.submit([("g", 1, 9)])
        gate.set()
        assert [f.result(timeout=10) for f in first] == [0, 1, 2, 3]
        assert batcher.submit([("g", 1, 9)])[0].result(timeout=10) == 9
    finally:
        gate.set()
        batcher.close()
