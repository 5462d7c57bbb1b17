"""Health checking, server reflection and GetCapabilities over loopback."""

import grpc
import pytest
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from lacuna.client import Client


@pytest.fixture
def server(start_server):
    return start_server(omission=False, max_segments=321, max_chars=4321, max_message_bytes=1_000_000,
                        reflection=True, expose_versions=True)


def test_reflection_and_versions_are_off_by_default(checks_server):
    with grpc.insecure_channel(checks_server.address) as channel:
        with pytest.raises(grpc.RpcError) as info:
            list(ProtoReflectionDescriptorDatabase(channel).get_services())
        assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED
    with Client(checks_server.address, timeout=30) as client:
        assert dict(client.capabilities().versions) == {}


def test_health_reports_serving_then_not_serving_on_shutdown(server):
    with grpc.insecure_channel(server.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ("", "lacuna.v1.Lacuna"):
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=10)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        with pytest.raises(grpc.RpcError) as info:
            stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
        assert info.value.code() == grpc.StatusCode.NOT_FOUND
        server.health.enter_graceful_shutdown()
        reply = stub.Check(health_pb2.HealthCheckRequest(service="lacuna.v1.Lacuna"), timeout=10)
        assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING


def test_reflection_lists_services_and_describes_the_api(server):
    with grpc.insecure_channel(server.address) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        services = set(database.get_services())
        assert {"lacuna.v1.Lacuna", "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= services
        pool = DescriptorPool(database)
        lacuna = pool.FindServiceByName("lacuna.v1.Lacuna")
        assert {m.name for m in lacuna.methods} == {"Score", "ScoreStream", "GetCapabilities"}
        segment = pool.FindMessageTypeByName("lacuna.v1.Segment")
        assert {"id", "source", "translation", "reference", "src_lang", "tgt_lang", "labels"} <= set(
            segment.fields_by_name)


def test_capabilities_describe_this_server(server):
    with Client(server.address, timeout=30) as client:
        caps = client.capabilities()
    metrics = {m.name: m for m in caps.metrics}
    assert set(metrics) == {"bleu", "chrf", "ter"}  # no omission, no COMET on this server
    assert metrics["ter"].higher_is_better is False and metrics["bleu"].higher_is_better is True
    assert all(m.requires_reference and m.default for m in metrics.values())
    assert any("tok:ja-mecab" in s for s in metrics["bleu"].signatures)
    assert any("tok:13a" in s for s in metrics["bleu"].signatures)
    assert any("tok:zh" in s for s in metrics["bleu"].signatures)
    assert [c.name for c in caps.checks] == [
        "empty", "untranslated", "wrong_language", "numbers", "length_ratio", "paired_marks",  # segment checks
        "placeholders", "tags", "plurals", "length_limit", "truncation", "sentence_count",  # localization checks
        "terminology", "forbidden_term", "do_not_translate", "inconsistent_translation"]  # the service's own
    assert all(c.description for c in caps.checks)
    assert {"en", "ja", "de", "zh", "no"} <= set(caps.languages)
    assert {"lacuna", "sacrebleu", "grpcio", "protobuf"} <= set(caps.versions)
    assert caps.limits.max_segments_per_request == 321
    assert caps.limits.max_chars_per_text == 4321
    assert caps.limits.max_message_bytes == 1_000_000
