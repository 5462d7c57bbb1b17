"""TLS, mutual TLS and bearer tokens, accepted and refused as configured (real certificates)."""

from __future__ import annotations

import json
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from lacuna.client import Client, LacunaError
from lacuna.server.auth import ENV_TOKENS
from tests.tls_certs import make_pki

SEGMENT = {"id": "1", "source": "Good night.", "translation": "Gute Nacht.", "src_lang": "en", "tgt_lang": "de"}


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


def score(address: str, **kwargs) -> str:
    """'OK' or the status code name of one Score call."""
    with Client(address, timeout=30, retries=0, **kwargs) as client:
        try:
            client.score([SEGMENT])
            return "OK"
        except LacunaError as err:
            return err.code.name


def plain_score(address: str) -> str:
    """A Score call over plaintext that does not wait for the channel to become ready."""
    from lacuna.proto import service_pb2, service_pb2_grpc, types_pb2

    with grpc.insecure_channel(address) as channel:
        try:
            service_pb2_grpc.LacunaStub(channel).Score(
                service_pb2.ScoreRequest(segments=[types_pb2.Segment(**SEGMENT)]), timeout=5)
            return "OK"
        except grpc.RpcError as err:
            return err.code().name


def test_tls_server_accepts_clients_that_trust_its_ca(start_server, pki):
    server = start_server(omission=False, host="127.0.0.1", tls_cert=pki.server_cert, tls_key=pki.server_key)
    assert score(server.address, tls_ca=pki.ca) == "OK"
    assert score(f"localhost:{server.port}", tls_ca=pki.ca) == "OK"
    assert plain_score(server.address) == "UNAVAILABLE"  # plaintext gets no answer
    with Client(server.address, timeout=5, retries=0, tls_ca=pki.other_ca) as client:  # an untrusted server
        with pytest.raises(Exception):
            client.wait_ready(1.5)


def test_mutual_tls_refuses_clients_without_a_certificate(start_server, pki):
    server = start_server(omission=False, tls_cert=pki.server_cert, tls_key=pki.server_key,
                          tls_client_ca=pki.ca)
    assert score(server.address, tls_ca=pki.ca, tls_cert=pki.client_cert, tls_key=pki.client_key) == "OK"
    with Client(server.address, timeout=5, retries=0, tls_ca=pki.ca) as client:
        with pytest.raises(Exception):
            client.wait_ready(1.5)
    assert plain_score(server.address) == "UNAVAILABLE"


def test_tokens_are_required_on_every_method_but_health(start_server, tmp_path, monkeypatch):
    token_file = tmp_path / "tokens"
    token_file.write_text("# operators\nfirst-token-0123456789\n")
    monkeypatch.setenv(ENV_TOKENS, "env-token-abcdef")
    server = start_server(omission=False, auth_token_file=str(token_file))
    assert score(server.address, token="first-token-0123456789") == "OK"
    assert score(server.address, token="env-token-abcdef") == "OK"
    assert score(server.address) == "UNAUTHENTICATED"
    assert score(server.address, token="first-token-012345678") == "UNAUTHENTICATED"  # a prefix
    assert score(server.address, token="x" * 5_000) == "UNAUTHENTICATED"  # over MAX_TOKEN_CHARS, under gRPC's 8 KB
    with Client(server.address, timeout=5, retries=0) as client:
        with pytest.raises(LacunaError) as err:
            client.capabilities()
        assert err.value.code == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(LacunaError) as err:
            list(client.score_stream_pb([[SEGMENT]], timeout=5))
        assert err.value.code == grpc.StatusCode.UNAUTHENTICATED
    with grpc.insecure_channel(server.address) as channel:  # health needs no token
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING

    # the file is read again when it changes: the new token works, the revoked one no longer does
    time.sleep(1.1)
    token_file.write_text("second-token-9876543210\n")
    deadline = time.monotonic() + 10
    while score(server.address, token="second-token-9876543210") != "OK" and time.monotonic() < deadline:
        time.sleep(0.3)
    assert score(server.address, token="second-token-9876543210") == "OK"
    assert score(server.address, token="first-token-0123456789") == "UNAUTHENTICATED"


def test_tokens_and_tls_together_through_the_cli(start_server, pki, tmp_path, monkeypatch):
    from lacuna.client.batch import main

    token_file = tmp_path / "tokens"
    token_file.write_text("cli-token-42\n")
    monkeypatch.delenv(ENV_TOKENS, raising=False)
    server = start_server(omission=False, tls_cert=pki.server_cert, tls_key=pki.server_key,
                          auth_token_file=str(token_file))
    jobs = tmp_path / "job.jsonl"
    jobs.write_text('{"id": "a", "source": "Good night.", "translation": "Gute Nacht.", '
                    '"src_lang": "en", "tgt_lang": "de"}\n')
    out = tmp_path / "out.jsonl"
    argv = ["score", str(jobs), "--server", server.address, "--output", str(out), "--quiet", "--tls-ca", pki.ca,
            "--connect-timeout", "5", "--reconnect-timeout", "0", "--retries", "0"]
    monkeypatch.setenv("LACUNA_TOKEN", "wrong")
    assert main(argv[1:]) == 3
    monkeypatch.setenv("LACUNA_TOKEN", "cli-token-42")
    assert main(argv[1:]) == 0
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a"]
