"""Bounded work: deadlines stop the work, a full queue says RESOURCE_EXHAUSTED with a retry hint,
pathological texts cost little."""

from __future__ import annotations

import io
import json
import random
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
import structlog

from lacuna.client import Client, LacunaError
from lacuna.server.admission import MIN_LEARNED_JOBS
from lacuna.server.logs import configure_logging
from lacuna.server.text_cost import MAX_MARKS, MAX_RUN, tame

WORDS = ("river station garden teacher window morning letter market winter bridge doctor village "
         "engine forest council harbour museum kitchen student painter").split()


def document(sentences: int, seed: int) -> str:
    """Distinct English sentences (nothing cached), as one text."""
    rng = random.Random(seed)
    return " ".join(f"The {rng.choice(WORDS)} near the {rng.choice(WORDS)} was number {seed}{i} on "
                    f"{rng.choice(WORDS)} day and the {rng.choice(WORDS)} saw it." for i in range(sentences))


@pytest.fixture
def log_events():
    buffer = io.StringIO()
    configure_logging("info", "json", stream=buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]
    structlog.reset_defaults()


def test_tame_keeps_length_and_prose_and_is_linear():
    prose = "Der Bericht erschien am Montag. Tiếng Việt có dấu. नमस्ते दुनिया। 日本語の文です。"
    assert tame(prose) is prose
    nospace = "ab" * 100_000
    tamed = tame(nospace)
    assert len(tamed) == len(nospace) and tamed[:MAX_RUN] == nospace[:MAX_RUN] and not tamed[MAX_RUN:].strip()
    zalgo = "e" + "\u0301" * 3000 + " ok"
    assert tame(zalgo) == "e" + "\u0301" * MAX_MARKS + " " * (3000 - MAX_MARKS) + " ok"
    started = time.perf_counter()
    tame("x" * 2_000_000)
    tame(("y" + "\u0300" * 9) * 200_000)
    assert time.perf_counter() - started < 10  # linear: a quadratic pass would take hours


def test_a_passed_deadline_stops_the_work_within_a_second(base_server, log_events):
    omission = next(s for s in base_server.pipeline.scorers if s.name == "omission")
    source, translation = document(400, 1), document(400, 2)
    # forget the learned time per cost unit, so the document is started (not refused up front)
    # and this test sees running work stop at the deadline
    base_server.admission.forget()
    before = omission.encoder.encoded
    with Client(base_server.address, timeout=2.0) as client:
        started = time.monotonic()
        with pytest.raises(LacunaError) as err:
            client.score([{"id": "doc", "source": source, "translation": translation, "src_lang": "en",
                           "tgt_lang": "en"}], request_id="deadline-1")
    assert err.value.code == grpc.StatusCode.DEADLINE_EXCEEDED
    for _ in range(40):  # the server's own event, written when its work has stopped
        found = [e for e in log_events() if e.get("request_id") == "deadline-1"]
        if found:
            break
        time.sleep(0.1)
    assert found and found[0]["status"] == "DEADLINE_EXCEEDED", found
    assert found[0]["duration_ms"] < 3000  # 2 s deadline + at most 1 s to stop
    # the encoder's chunk in progress at the deadline (at most 64 sentences) completes; no other starts
    encoded, stable_since = omission.encoder.encoded, time.monotonic()
    while time.monotonic() - stable_since < 2.0 and time.monotonic() - started < 30:
        time.sleep(0.2)
        if omission.encoder.encoded != encoded:
            encoded, stable_since = omission.encoder.encoded, time.monotonic()
    assert time.monotonic() - stable_since >= 2.0
    assert encoded - before < 800  # the document has 800 distinct sentences: the work stopped part way


def test_a_full_queue_answers_resource_exhausted_with_a_retry_hint(start_server, log_events):
    server = start_server(omission=False, max_active=1, max_queued=1)
    checks = server.pipeline.scorers[0]
    original = checks.score

    def slow(segments, metrics):
        time.sleep(1.0)
        return original(segments, metrics)

    checks.score = slow
    segment = {"id": "1", "source": "Good night.", "translation": "Gute Nacht.", "src_lang": "en", "tgt_lang": "de"}

    def call(i: int):
        time.sleep(0.2 * i)  # in order: running, queued, refused
        with Client(server.address, timeout=20, retries=0, busy_retries=0) as client:
            try:
                client.score([segment], request_id=f"q{i}")
                return "OK", None
            except LacunaError as err:
                return err.code.name, err

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(call, range(3)))
    assert [code for code, _ in results] == ["OK", "OK", "RESOURCE_EXHAUSTED"]
    refused = results[2][1]
    assert refused.field == "" and 0 < refused.retry_after <= 30 and "busy" in refused.message
    assert server.admission.stats()["refused"] == 1
    with Client(server.address, timeout=20) as client:  # by default the client waits out the hint
        with ThreadPoolExecutor(3) as pool:
            answers = list(pool.map(lambda i: client.score([segment], request_id=f"b{i}"), range(3)))
    assert len(answers) == 3 and server.admission.stats()["refused"] >= 2

    # a queued call whose deadline passes leaves the queue: DEADLINE_EXCEEDED, no work done
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(call, 0)
        time.sleep(0.2)
        with Client(server.address, timeout=0.3, retries=0) as client:
            with pytest.raises(LacunaError) as err:
                client.score([segment], request_id="late")
        assert err.value.code == grpc.StatusCode.DEADLINE_EXCEEDED
        assert first.result()[0] == "OK"
    time.sleep(0.3)
    late = [e for e in log_events() if e.get("request_id") == "late"]
    assert late and late[0]["status"] == "DEADLINE_EXCEEDED" and late[0]["segments"] == 0


def test_pathological_texts_are_answered_quickly(base_server):
    nospace = "".join(chr(0x61 + (i * 7) % 26) for i in range(200_000))
    garbled = "".join(chr(0x61 + (i * 11) % 26) for i in range(200_000))
    stacked = "e" + "\u0301\u0302\u0303" * 1000
    started = time.monotonic()
    with Client(base_server.address, timeout=120) as client:
        result = client.score([
            {"id": "run", "source": nospace, "translation": garbled, "src_lang": "en", "tgt_lang": "de"},
            {"id": "marks", "source": stacked, "translation": "e" + "\u0300" * 3000, "src_lang": "en",
             "tgt_lang": "fr"},
        ])
    assert [s.id for s in result.segments] == ["run", "marks"] and all(s.error is None for s in result.segments)
    assert time.monotonic() - started < 30  # was minutes (241 CPU-s for the first alone)


def test_the_time_budget_stops_a_request_but_not_a_long_stream(start_server):
    server = start_server(omission=False, request_time_budget=0.5)
    checks = server.pipeline.scorers[0]
    original = checks.score

    def slow(segments, metrics):
        time.sleep(0.3 * len(segments))
        return original(segments, metrics)

    checks.score = slow
    seg = {"source": "Good night.", "translation": "Gute Nacht.", "src_lang": "en", "tgt_lang": "de"}
    with Client(server.address, timeout=20, retries=0) as client:
        with pytest.raises(LacunaError) as err:
            client.score([dict(seg, id="a"), dict(seg, id="b")])
        assert err.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED and err.value.field == "segments"
        assert "--request-time-budget" in err.value.message
        # four messages of one segment: 1.2 s in all, each within the budget
        responses = list(client.score_stream_pb([[dict(seg, id=f"m{i}")] for i in range(4)], timeout=20))
    assert responses[-1].final and sum(len(r.results) for r in responses) == 4


def slow_checks(server, seconds_per_segment: float) -> list[str]:
    """Make the server's only scorer take `seconds_per_segment` per segment; returns the ids it
    starts, in order."""
    checks = server.pipeline.scorers[0]
    original, started = checks.score, []

    def slow(segments, metrics):
        started.extend(s.id for s in segments)
        time.sleep(seconds_per_segment * len(segments))
        return original(segments, metrics)

    checks.score = slow
    return started


def segments(prefix: str, count: int) -> list[dict]:
    return [{"id": f"{prefix}{i}", "source": "Good night.", "translation": "Gute Nacht.", "src_lang": "en",
             "tgt_lang": "de"} for i in range(count)]


def answer(server, name: str, count: int, timeout: float) -> tuple[str, LacunaError | None]:
    """Score `count` segments named `name` with a deadline of `timeout` s: the status and error."""
    with Client(server.address, timeout=timeout, retries=0, busy_retries=0) as client:
        try:
            client.score(segments(name, count), request_id=name)
            return "OK", None
        except LacunaError as err:
            return err.code.name, err


def test_a_job_that_cannot_finish_before_its_deadline_is_refused_before_any_work(start_server, log_events):
    server = start_server(omission=False, max_active=1, max_queued=4)
    started = slow_checks(server, 0.1)
    for i in range(MIN_LEARNED_JOBS):  # the server learns how long a segment takes (~1 s a job)
        assert answer(server, f"learn{i}", 10, 20.0)[0] == "OK"
    assert server.admission.estimate(1000) > 0
    assert answer(server, "fits", 1, 3.0)[0] == "OK"  # ~0.1 s of work, 3 s deadline: runs
    begun = time.monotonic()
    code, err = answer(server, "late", 20, 1.0)  # ~2 s of work, 1 s deadline: refused at once
    assert code == "DEADLINE_EXCEEDED" and "would not finish" in err.message
    assert time.monotonic() - begun < 0.5 and not any(i.startswith("late") for i in started)
    assert server.admission.stats()["refused_late"] == 1

    # a queued job is judged with the work ahead of it: ~1 s left of the running one + 1 s of its
    # own > 1.5 s (alone it would fit)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(answer, server, "long", 12, 20.0)
        time.sleep(0.2)
        second = pool.submit(answer, server, "behind", 10, 1.5)
        assert second.result()[0] == "DEADLINE_EXCEEDED" and first.result()[0] == "OK"
    assert not any(i.startswith("behind") for i in started)
    time.sleep(0.3)
    events = {e.get("request_id"): e for e in log_events()}
    assert events["behind"]["status"] == "DEADLINE_EXCEEDED" and events["behind"]["segments"] == 0
    assert events["behind"]["duration_ms"] < 500


def test_a_job_late_only_because_of_the_queue_is_told_to_retry_not_that_it_is_too_big(start_server):
    """A stream message that waited for a slot until the server's time budget ran short was once
    refused as too big (RESOURCE_EXHAUSTED naming `segments`), which stops a batch job; it fits a
    budget of its own, so it is a busy server's refusal: no field, a retry hint, retried."""
    server = start_server(omission=False, max_active=1, max_queued=4, request_time_budget=3.0)
    slow_checks(server, 0.1)
    for i in range(MIN_LEARNED_JOBS):  # the server learns how long a segment takes
        assert answer(server, f"learn{i}", 10, 20.0)[0] == "OK"
    assert server.admission.estimate(1000) > 0
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(answer, server, "long", 25, 20.0)  # ~2.5 s holding the one slot
        time.sleep(0.2)
        code, err = pool.submit(answer, server, "behind", 10, 20.0).result()  # ~1 s alone, ~3.3 s behind it
        assert first.result()[0] == "OK"
    assert code == "RESOURCE_EXHAUSTED" and err.field == "" and err.retry_after, err
    assert "busy" in err.message and "retry" in err.message
    # a client that retries busy refusals gets it scored
    with Client(server.address, timeout=20) as client:
        assert len(client.score(segments("again", 5)).segments) == 5
    # a request that alone needs more than the budget is still refused as too big
    code, err = answer(server, "huge", 40, 20.0)
    assert code == "RESOURCE_EXHAUSTED" and err.field == "segments" and "--request-time-budget" in err.message


def test_waiting_jobs_are_served_shortest_first(start_server):
    server = start_server(omission=False, max_active=1, max_queued=4)
    started = slow_checks(server, 0.1)
    done: list[str] = []

    def call(request: tuple[str, int]):
        assert answer(server, *request, 30.0)[0] == "OK"
        done.append(request[0])

    with ThreadPoolExecutor(3) as pool:
        running = pool.submit(call, ("running", 8))  # 0.8 s holding the one slot
        time.sleep(0.3)
        large = pool.submit(call, ("document", 20))  # queued first
        time.sleep(0.1)
        small = pool.submit(call, ("sentence", 1))  # queued second, served first
        for f in (running, large, small):
            f.result()
    assert done == ["running", "sentence", "document"]
    assert [i for i in started if not i.startswith("running")][0] == "sentence0"
