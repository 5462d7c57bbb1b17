"""ScoreStream: per-segment errors, ids in every response, limits, a client that cancels."""

import threading
import time

import grpc
import pytest

from lacuna.client import Client, LacunaError
from lacuna.proto import service_pb2, service_pb2_grpc, types_pb2


def seg(i, **overrides):
    base = {"id": f"s{i}", "source": f"Room {i} is on the second floor.",
            "translation": f"Zimmer {i} ist im zweiten Stock.", "reference": f"Zimmer {i} liegt im zweiten Stock.",
            "src_lang": "en", "tgt_lang": "de"}
    base.update(overrides)
    return base


@pytest.fixture
def server(start_server):
    return start_server(omission=False, max_segments=4, max_chars=500)


def test_bad_segments_get_errors_and_the_stream_goes_on(server):
    batches = [
        [seg(1), seg(2, tgt_lang="zz"), seg(3)],
        [seg(4, id=""), seg(5, source="x" * 501), seg(1)],  # empty id, too long, duplicate of s1
        [seg(6)],
    ]
    with Client(server.address, timeout=30) as client:
        responses = list(client.score_stream_pb(batches))
    assert [r.final for r in responses] == [False, False, False, True]
    first, second, third = (list(r.results) for r in responses[:3])
    assert [r.id for r in first] == ["s1", "s2", "s3"]
    assert not first[0].HasField("error") and "bleu" in first[0].scores
    assert first[1].error.code == "INVALID_ARGUMENT" and first[1].error.field == "segments[1].tgt_lang"
    assert "(id 's2')" in first[1].error.message and "'zz'" in first[1].error.message
    assert not first[1].passed and not first[1].scores
    assert [r.error.code for r in second] == ["INVALID_ARGUMENT", "RESOURCE_EXHAUSTED", "INVALID_ARGUMENT"]
    assert [r.error.field for r in second] == ["segments[3].id", "segments[4].source", "segments[5].id"]
    assert "duplicate" in second[2].error.message and "segments[0]" in second[2].error.message
    assert third[0].id == "s6" and third[0].passed
    corpus = {c.metric: c for c in responses[-1].corpus_scores}
    assert corpus["bleu"].segments == 3  # s1, s3, s6


def test_too_many_segments_in_one_message_ends_the_stream(server):
    with Client(server.address, timeout=30) as client:
        with pytest.raises(LacunaError) as info:
            list(client.score_stream_pb([[seg(1)], [seg(i) for i in range(10, 15)]]))
    assert info.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert info.value.field == "segments" and "5 segments" in info.value.message


def test_bad_options_end_the_stream_with_the_field(server):
    with Client(server.address, timeout=30) as client:
        with pytest.raises(LacunaError) as info:
            list(client.score_stream_pb([[seg(1)]], metrics=["ter", "comet"]))
    assert info.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert info.value.field == "options.metrics[1]"


def test_empty_stream_gets_only_the_final_response(server):
    with Client(server.address, timeout=30) as client:
        responses = list(client.score_stream_pb([]))
    assert len(responses) == 1 and responses[0].final and not responses[0].corpus_scores


def test_client_cancel_leaves_the_server_healthy(server):
    channel = grpc.insecure_channel(server.address)
    stub = service_pb2_grpc.LacunaStub(channel)
    release = threading.Event()

    def requests():
        yield service_pb2.ScoreStreamRequest(segments=[types_pb2.Segment(
            id="c1", source="Good morning, everyone.", translation="Guten Morgen zusammen.",
            src_lang="en", tgt_lang="de")])
        release.wait(10)  # keep the stream open until the test cancels it

    call = stub.ScoreStream(requests(), timeout=30)
    first = next(call)
    assert [r.id for r in first.results] == ["c1"]
    call.cancel()
    release.set()
    with pytest.raises(grpc.RpcError) as info:
        next(call)
    assert info.value.code() == grpc.StatusCode.CANCELLED
    channel.close()
    time.sleep(0.2)
    with Client(server.address, timeout=30) as client:
        assert client.score([seg(9)]).segments[0].passed
