"""Bad input to Score: the right gRPC status, a message naming the field and segment id, no crash."""

import grpc
import pytest

from lacuna.client import Client, LacunaError


def seg(**overrides):
    base = {"id": "a1", "source": "The lift is out of order.", "translation": "Der Aufzug ist außer Betrieb.",
            "src_lang": "en", "tgt_lang": "de"}
    base.update(overrides)
    return base


@pytest.fixture
def server(start_server):
    return start_server(omission=False, max_segments=5, max_chars=200, max_message_bytes=64 * 1024)


def score_error(server, segments, **kwargs) -> LacunaError:
    with Client(server.address, timeout=30) as client:
        with pytest.raises(LacunaError) as info:
            client.score(segments, **kwargs)
    return info.value


@pytest.mark.parametrize("bad,field,words", [
    ({"id": ""}, "segments[1].id", ["segments[1]", "id", "required"]),
    ({"id": "   "}, "segments[1].id", ["segments[1]", "required"]),
    ({"source": ""}, "segments[1].source", ["segments[1] (id 'b2')", "source", "empty"]),
    ({"source": " \n "}, "segments[1].source", ["(id 'b2')", "source"]),
    ({"src_lang": ""}, "segments[1].src_lang", ["(id 'b2')", "src_lang", "required"]),
    ({"tgt_lang": ""}, "segments[1].tgt_lang", ["(id 'b2')", "tgt_lang", "required"]),
    ({"tgt_lang": "xx"}, "segments[1].tgt_lang", ["(id 'b2')", "tgt_lang", "'xx'"]),
    ({"src_lang": "english"}, "segments[1].src_lang", ["(id 'b2')", "src_lang", "'english'"]),
    ({"tgt_lang": "de-!!"}, "segments[1].tgt_lang", ["(id 'b2')", "tgt_lang"]),
    ({"labels": {"": "x"}}, "segments[1].labels", ["(id 'b2')", "labels"]),
])
def test_bad_segment_is_invalid_argument_naming_field_and_id(server, bad, field, words):
    err = score_error(server, [seg(), seg(**{"id": "b2", **bad})])
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.field == field
    for word in words:
        assert word in err.message, (word, err.message)


def test_duplicate_ids_name_both_segments(server):
    err = score_error(server, [seg(), seg(id="x"), seg(id="a1")])
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.field == "segments[2].id"
    assert "segments[2] (id 'a1')" in err.message and "segments[0]" in err.message and "duplicate" in err.message


def test_no_segments_is_invalid_argument(server):
    err = score_error(server, [])
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT and err.field == "segments"


def test_too_many_segments_is_resource_exhausted(server):
    err = score_error(server, [seg(id=str(i)) for i in range(6)])
    assert err.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert err.field == "segments" and "6 segments" in err.message and "limit of 5" in err.message


@pytest.mark.parametrize("name", ["source", "translation", "reference"])
def test_text_over_max_chars_is_resource_exhausted(server, name):
    err = score_error(server, [seg(), seg(id="long", **{name: "x" * 201})])
    assert err.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert err.field == f"segments[1].{name}"
    assert "(id 'long')" in err.message and "201 characters" in err.message and "200" in err.message


def test_message_over_max_bytes_is_resource_exhausted(server):
    segments = [seg(id=str(i), source="y" * 190, translation="z" * 190) for i in range(5)]
    with Client(server.address, timeout=30) as client:
        client.score(segments[:1])  # fine
        big = [dict(s, labels={f"k{j}": "v" * 200 for j in range(80)}) for s in segments]
        with pytest.raises(LacunaError) as info:
            client.score(big)
    assert info.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "larger than max" in info.value.message


@pytest.mark.parametrize("metrics,field", [(["bleu", "meteor"], "options.metrics[1]"), (["BLEURT"], "options.metrics[0]")])
def test_unknown_metric_is_invalid_argument(server, metrics, field):
    err = score_error(server, [seg()], metrics=metrics)
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.field == field and "unknown metric" in err.message and "chrf" in err.message


def test_unknown_threshold_metric_is_invalid_argument(server):
    err = score_error(server, [seg()], thresholds={"chrf": 40, "fluency": 0.5})
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.field == "options.thresholds[fluency]" and "fluency" in err.message


def test_nan_threshold_is_invalid_argument(server):
    err = score_error(server, [seg()], thresholds={"chrf": float("nan")})
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT and err.field == "options.thresholds[chrf]"


@pytest.mark.parametrize("metric", ["comet", "comet_qe"])
def test_comet_without_a_model_is_failed_precondition(server, metric):
    err = score_error(server, [seg()], metrics=["bleu", metric])
    assert err.code == grpc.StatusCode.FAILED_PRECONDITION
    assert err.field == "options.metrics[1]" and "--comet-model" in err.message


def test_omission_on_a_server_without_it_is_failed_precondition(server):
    err = score_error(server, [seg()], thresholds={"omission": 0.5})
    assert err.code == grpc.StatusCode.FAILED_PRECONDITION
    assert err.field == "options.thresholds[omission]" and "--no-omission" in err.message


def test_server_still_serves_after_bad_requests(server):
    score_error(server, [seg(tgt_lang="??")])
    score_error(server, [seg(id=str(i)) for i in range(50)])
    with Client(server.address, timeout=30) as client:
        result = client.score([seg(reference="The lift is broken.")])
    assert result.segments[0].passed and "bleu" in result.segments[0].scores


def test_threshold_adds_its_metric_and_flags_low_scores(server):
    with Client(server.address, timeout=30) as client:
        result = client.score([seg(reference="The elevator does not work."),
                               seg(id="ok", translation="Der Aufzug ist außer Betrieb.",
                                   reference="Der Aufzug ist außer Betrieb.")],
                              metrics=["bleu"], thresholds={"CHRF": 50})
    low, ok = result.segments
    assert set(low.scores) == {"bleu", "chrf"}
    assert [f.type for f in low.flags] == ["low_score"] and not low.passed
    assert "chrf" in low.flags[0].message and "50" in low.flags[0].message
    assert ok.passed and ok.flags == []


def test_blank_reference_counts_as_none(server):
    with Client(server.address, timeout=30) as client:
        result = client.score([seg(reference="  ")])
    assert result.segments[0].scores == {} and result.corpus == []


def test_request_id_is_echoed(server):
    with Client(server.address, timeout=30) as client:
        assert client.score([seg()], request_id="job-42/7").request_id == "job-42/7"
        assert len(client.score([seg()]).request_id) == 16
