"""Hostile input through a real server: fuzzed bytes and messages, and the hand-made bad-input
list of issue 15. Every answer is a proper status with a short message; the server stays healthy."""

from __future__ import annotations

import string

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings, strategies as st

from lacuna.proto import service_pb2, types_pb2
from tests.test_telemetry import free_port, scrape

CLEAN_CODES = {"OK", "INVALID_ARGUMENT", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION"}
#: Longest error message a bad request may get back (it quotes at most a prefix of what was sent).
MAX_MESSAGE = 400


def good_segment(**overrides) -> types_pb2.Segment:
    fields = {"id": "s1", "source": "The meeting starts at 10:30.", "translation": "La réunion commence à 10h30.",
              "src_lang": "en", "tgt_lang": "fr", **overrides}
    labels = fields.pop("labels", {})
    seg = types_pb2.Segment(**fields)
    seg.labels.update(labels)
    return seg


def call_raw(address: str, payload: bytes, method: str = "Score") -> tuple[str, str]:
    """(status name, message) of one call with `payload` sent as the serialized request."""
    with grpc.insecure_channel(address, options=[("grpc.max_send_message_length", 64 * 1024 * 1024)]) as channel:
        try:
            if method == "ScoreStream":
                stream = channel.stream_stream("/lacuna.v1.Lacuna/ScoreStream")
                list(stream(iter([payload]), timeout=30))
            else:
                channel.unary_unary(f"/lacuna.v1.Lacuna/{method}")(payload, timeout=30)
            return "OK", ""
        except grpc.RpcError as err:
            return err.code().name, err.details() or ""


def score(address: str, request: service_pb2.ScoreRequest) -> tuple[str, str]:
    return call_raw(address, request.SerializeToString())


def assert_healthy(address: str) -> None:
    with grpc.insecure_channel(address) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING
    assert score(address, service_pb2.ScoreRequest(segments=[good_segment()])) == ("OK", "")


BAD_INPUTS = {
    "malformed protobuf": (b"\x0a\xff\xff\xff\x0f garbage", "INVALID_ARGUMENT", "not a valid Score request"),
    "truncated message": (service_pb2.ScoreRequest(segments=[good_segment()]).SerializeToString()[:-7],
                          "INVALID_ARGUMENT", "not a valid"),
    "10 MB request id": (service_pb2.ScoreRequest(segments=[good_segment()], request_id="r" * 10_000_000),
                         "INVALID_ARGUMENT", "request_id"),
    "100,000-character id": (service_pb2.ScoreRequest(segments=[good_segment(id="i" * 100_000)]),
                             "INVALID_ARGUMENT", "id"),
    "10,000-character tag": (service_pb2.ScoreRequest(segments=[good_segment(tgt_lang="fr-" + "x" * 9997)]),
                             "INVALID_ARGUMENT", "tgt_lang"),
    "100 labels": (service_pb2.ScoreRequest(segments=[good_segment(labels={f"k{i}": "v" for i in range(100)})]),
                   "INVALID_ARGUMENT", "labels"),
    "1 MB label value": (service_pb2.ScoreRequest(segments=[good_segment(labels={"project": "p" * 1_000_000})]),
                         "INVALID_ARGUMENT", "labels"),
    "long label name": (service_pb2.ScoreRequest(segments=[good_segment(labels={"k" * 5000: "v"})]),
                        "INVALID_ARGUMENT", "labels"),
    "10,000-character metric name": (service_pb2.ScoreRequest(
        segments=[good_segment()], options=types_pb2.ScoreOptions(metrics=["m" * 10_000])),
        "INVALID_ARGUMENT", "unknown metric"),
    "NaN threshold": (service_pb2.ScoreRequest(
        segments=[good_segment()], options=types_pb2.ScoreOptions(thresholds={"chrf": float("nan")})),
        "INVALID_ARGUMENT", "not a number"),
    "control characters in id": (service_pb2.ScoreRequest(segments=[good_segment(id="\x00\x1b[31m\n")]),
                                 "OK", ""),
    "BCP-47 extension": (service_pb2.ScoreRequest(segments=[good_segment(src_lang="en-US-u-ca-gregory")]), "OK", ""),
    "BCP-47 private use": (service_pb2.ScoreRequest(segments=[good_segment(tgt_lang="fr-CH-x-phonebk")]), "OK", ""),
    "script, region, extension": (service_pb2.ScoreRequest(
        segments=[good_segment(tgt_lang="zh-Hant-TW-u-nu-hanidec", translation="會議十點半開始。")]), "OK", ""),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_list(checks_server, name):
    payload, want, words = BAD_INPUTS[name]
    if not isinstance(payload, bytes):
        payload = payload.SerializeToString()
    code, message = call_raw(checks_server.address, payload)
    assert code == want, (code, message[:300])
    assert words in message and len(message) <= MAX_MESSAGE, message[:MAX_MESSAGE + 100]
    assert_healthy(checks_server.address)


def test_a_malformed_stream_message_is_invalid_argument(checks_server):
    code, message = call_raw(checks_server.address, b"\xff\xfe\xfd", "ScoreStream")
    assert code == "INVALID_ARGUMENT" and "stream message 1" in message
    assert_healthy(checks_server.address)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.binary(max_size=300))
def test_fuzzed_bytes_get_a_proper_status(checks_server, payload):
    code, message = call_raw(checks_server.address, payload)
    assert code in CLEAN_CODES, (code, message)
    assert len(message) <= MAX_MESSAGE


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
TAG = st.sampled_from(["en", "de-CH", "ja", "zh-Hans", "en-US-u-ca-gregory", "sr-Latn-RS", "x-klingon", "qq",
                       "", "en-", "-en", "eng_Latn", "EN-us", "a" * 100]) | st.text(
    alphabet=string.ascii_letters + "-_0123456789", max_size=20)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segments=st.lists(st.fixed_dictionaries({
    "id": TEXT | st.text(max_size=400), "source": TEXT, "translation": TEXT, "src_lang": TAG, "tgt_lang": TAG,
    "labels": st.dictionaries(TEXT, TEXT, max_size=3)}), max_size=4),
    request_id=st.text(max_size=200), metrics=st.lists(TEXT, max_size=2))
def test_fuzzed_messages_get_a_proper_status(checks_server, segments, request_id, metrics):
    request = service_pb2.ScoreRequest(request_id=request_id, options=types_pb2.ScoreOptions(metrics=metrics))
    for fields in segments:
        request.segments.append(good_segment(**fields))
    code, message = score(checks_server.address, request)
    assert code in CLEAN_CODES, (code, message)
    assert len(message) <= MAX_MESSAGE


def test_metric_labels_stay_bounded_whatever_the_tags(start_server):
    port = free_port()
    server = start_server(omission=False, metrics_port=port)
    regions = [a + b for a in string.ascii_uppercase for b in string.ascii_uppercase[:12]]  # 312 regions
    tags = [f"en-{r}" for r in regions] + [f"de-x-t{i}" for i in range(300)] + [f"fr-u-ca-c{i:04d}" for i in range(300)]
    for start in range(0, len(tags), 300):
        request = service_pb2.ScoreRequest(segments=[
            good_segment(id=f"s{i}", src_lang=tag, tgt_lang=tag) for i, tag in enumerate(tags[start:start + 300])])
        assert score(server.address, request) == ("OK", "")
    series = {labels for (name, labels) in scrape(port) if name == "lacuna_segments_scored_total"}
    assert len(tags) == 912 and len(series) == 3  # en-en, de-de, fr-fr
