"""The service without the network (lacuna.server.inprocess, what the Ray engine runs): each
call gets a record and a time budget as the interceptor gives a server's call."""

import time

import grpc
import pytest

from lacuna.proto import types_pb2
from lacuna.server import budget
from lacuna.server.checks import Check, ChecksScorer
from lacuna.server.config import ServerConfig
from lacuna.server.inprocess import InProcessError, InProcessScorer
from lacuna.server.interceptor import current_call
from lacuna.server.model import ScorerOutput
from lacuna.server.pipeline import Pipeline


class Recording(Check):
    """Notes the call each segment is scored in; sleeps `delay` seconds per segment."""

    name = "recording"
    description = "records the current call and budget"

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.seen: list[tuple[str, budget.CallBudget | None]] = []

    def run(self, segment):
        self.seen.append((current_call().method, budget.current_budget()))
        time.sleep(self.delay)
        return ScorerOutput()


def _segments(n: int) -> list[types_pb2.Segment]:
    return [types_pb2.Segment(id=str(i), source="Good evening.", translation="Guten Abend.",
                              src_lang="en", tgt_lang="de") for i in range(n)]


def test_each_call_gets_a_record_and_the_servers_time_budget():
    check = Recording()
    scorer = InProcessScorer(ServerConfig(omission=False, request_time_budget=7.0),
                             pipeline=Pipeline([ChecksScorer([check])]))
    results = scorer.score(_segments(3), types_pb2.ScoreOptions())
    assert [r.id for r in results] == ["0", "1", "2"] and all(r.passed for r in results)
    methods, budgets = zip(*check.seen)
    assert set(methods) == {"ScoreStream"}
    assert budgets[0] is not None and budgets[0].budget_s == 7.0 and len(set(map(id, budgets))) == 1
    assert budget.current_budget() is None and current_call().method == ""  # nothing left bound


def test_a_call_over_the_time_budget_fails_at_once_and_is_not_retried():
    check = Recording(delay=0.3)
    scorer = InProcessScorer(ServerConfig(omission=False, request_time_budget=0.1),
                             pipeline=Pipeline([ChecksScorer([check])]))
    started = time.monotonic()
    with pytest.raises(InProcessError) as info:
        scorer.score(_segments(1), types_pb2.ScoreOptions())
    assert info.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED and "time budget" in info.value.message
    assert not info.value.busy and len(check.seen) == 1 and time.monotonic() - started < 5
