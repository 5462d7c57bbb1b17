"""One JSON log event per request (id, segment count, duration, flag counts) and no texts by default."""

import io
import json
import time

import pytest
import structlog

from lacuna.client import Client, LacunaError
from lacuna.server.logs import configure_logging

SECRET = "Quarterly revenue for Project Nightjar"


def segments():
    return [
        {"id": "g1", "source": f"{SECRET} rose by 12% to 4.5 million euros.",
         "translation": "Der Quartalsumsatz von Project Nightjar stieg um 12 % auf 4,5 Millionen Euro.",
         "src_lang": "en", "tgt_lang": "de"},
        {"id": "g2", "source": f"{SECRET} was published on Monday.", "translation": "   ",
         "src_lang": "en", "tgt_lang": "de"},
        {"id": "g3", "source": f"{SECRET} rose by 12% to 4.5 million euros.",
         "translation": "Der Quartalsumsatz stieg auf 4,5 Millionen Euro.", "src_lang": "en", "tgt_lang": "de"},
    ]


@pytest.fixture
def log_lines():
    buffer = io.StringIO()
    configure_logging("info", "json", stream=buffer)

    def lines(wait_for=None):
        for _ in range(50):  # stream events are written as the call winds down
            events = [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
            if wait_for is None or any(wait_for(e) for e in events):
                return events, buffer.getvalue()
            time.sleep(0.05)
        return events, buffer.getvalue()

    yield lines
    structlog.reset_defaults()


def requests_of(events, **match):
    return [e for e in events if e.get("event") == "request" and all(e.get(k) == v for k, v in match.items())]


def test_score_logs_one_json_event_without_texts(start_server, log_lines):
    server = start_server(omission=False)
    with Client(server.address, timeout=30) as client:
        client.score(segments(), request_id="req-log-1")
    events, raw = log_lines()
    found = requests_of(events, request_id="req-log-1")
    assert len(found) == 1, events
    event = found[0]
    assert event["method"] == "Score" and event["status"] == "OK" and event["level"] == "info"
    assert event["segments"] == 3 and event["failed"] == 2 and event["errors"] == 0
    assert event["flags"] == {"empty": 1, "number_mismatch": 1}
    assert isinstance(event["duration_ms"], float) and event["duration_ms"] >= 0
    assert "timestamp" in event
    assert "Nightjar" not in raw and "Quartalsumsatz" not in raw


def test_failed_request_is_logged_once_with_its_status(start_server, log_lines):
    server = start_server(omission=False)
    with Client(server.address, timeout=30) as client:
        with pytest.raises(LacunaError):
            client.score([dict(segments()[0], tgt_lang="qq")], request_id="req-log-2")
    events, raw = log_lines()
    found = requests_of(events, request_id="req-log-2")
    assert len(found) == 1 and found[0]["status"] == "INVALID_ARGUMENT"
    assert "tgt_lang" in found[0]["error"]
    assert "Nightjar" not in raw


def test_stream_logs_one_event_for_the_whole_stream(start_server, log_lines):
    server = start_server(omission=False)
    batch = segments()
    with Client(server.address, timeout=30) as client:
        responses = list(client.score_stream_pb([batch[:1], batch[1:]]))
    assert responses[-1].final
    events, raw = log_lines(lambda e: e.get("method") == "ScoreStream")
    found = requests_of(events, method="ScoreStream")
    assert len(found) == 1, events
    assert found[0]["segments"] == 3 and found[0]["messages"] == 2 and found[0]["status"] == "OK"
    assert found[0]["flags"] == {"empty": 1, "number_mismatch": 1}
    assert "Nightjar" not in raw


def test_log_texts_writes_flagged_segments_only(start_server, log_lines):
    server = start_server(omission=False, log_texts=True)
    with Client(server.address, timeout=30) as client:
        client.score(segments(), request_id="req-log-3")
    events, _ = log_lines()
    (event,) = requests_of(events, request_id="req-log-3")
    assert [t["id"] for t in event["texts"]] == ["g2", "g3"]
    assert SECRET in event["texts"][0]["source"] and event["texts"][1]["flags"] == ["number_mismatch"]


def test_console_format_is_not_json():
    buffer = io.StringIO()
    configure_logging("info", "console", stream=buffer)
    try:
        structlog.get_logger("lacuna.test").info("hello", answer=42)
    finally:
        structlog.reset_defaults()
    line = buffer.getvalue().strip()
    assert "hello" in line and "answer=42" in line and not line.startswith("{")


def test_cancelled_stream_is_logged_as_cancelled(start_server, log_lines):
    import threading

    import grpc

    from lacuna.proto import service_pb2, service_pb2_grpc, types_pb2

    server = start_server(omission=False)
    release = threading.Event()

    def requests():
        yield service_pb2.ScoreStreamRequest(segments=[types_pb2.Segment(
            id="c1", source="Good morning.", translation="Guten Morgen.", src_lang="en", tgt_lang="de")])
        release.wait(10)

    with grpc.insecure_channel(server.address) as channel:
        call = service_pb2_grpc.LacunaStub(channel).ScoreStream(requests(), timeout=30)
        next(call)
        call.cancel()
        release.set()
        events, _ = log_lines(lambda e: e.get("method") == "ScoreStream")
    found = requests_of(events, method="ScoreStream")
    assert len(found) == 1 and found[0]["status"] == "CANCELLED" and found[0]["segments"] == 1


def test_a_call_cancelled_by_a_drain_is_logged_before_stop_returns(log_lines):
    """stop() waits briefly for cancelled handlers, so the process does not exit before their event."""
    import threading

    from lacuna.server import budget
    from lacuna.server.app import LacunaServer
    from lacuna.server.config import ServerConfig
    from lacuna.server.model import ScorerOutput
    from lacuna.server.pipeline import Pipeline
    from lacuna.server.scorer import Scorer

    started = threading.Event()

    class Slow(Scorer):
        """Works in 0.3 s steps, looking at its budget between them, for up to 10 s."""
        name, always = "slow", True

        def score(self, segments, metrics):
            started.set()
            for _ in range(33):
                budget.check()
                time.sleep(0.3)
            return [ScorerOutput() for _ in segments]

    server = LacunaServer(ServerConfig(port=0, omission=False), pipeline=Pipeline([Slow()])).start()

    def call():
        with Client(server.address, timeout=5) as client:
            with pytest.raises(LacunaError):
                client.score([{"id": "s", "source": "Hello.", "translation": "Hallo.", "src_lang": "en",
                               "tgt_lang": "de"}], request_id="drained")

    caller = threading.Thread(target=call)
    caller.start()
    assert started.wait(10)
    server.stop(grace=0.05)
    events, _ = log_lines()  # no waiting: the event is written before stop() returns
    caller.join(10)
    assert [e["status"] for e in requests_of(events, request_id="drained")] == ["CANCELLED"]
