"""Replicas: each result names the server that scored it, and --max-connection-age-ms makes
clients reconnect (and so rebalance over replicas that come and go)."""

from __future__ import annotations

import socket
import threading
import time

import grpc
import pytest

from lacuna.client import Client
from lacuna.proto import service_pb2, service_pb2_grpc
from lacuna.server.app import replica_name
from lacuna.server.config import ConfigError, ServerConfig, parse_config

SEGMENT = {"id": "s1", "source": "Please close the door behind you.",
           "translation": "Bitte schließen Sie die Tür hinter sich.", "src_lang": "en", "tgt_lang": "de"}


def test_results_name_the_replica_that_scored_them(start_server):
    server = start_server(omission=False, replica_id="lacuna-7f9c-abcde")
    with Client(server.address, timeout=30) as client:
        assert client.score([SEGMENT]).segments[0].replica == "lacuna-7f9c-abcde"
        responses = list(client.score_stream_pb([[SEGMENT, {**SEGMENT, "id": "s2", "tgt_lang": "xx"}]]))
    streamed = [r for response in responses for r in response.results]
    assert streamed[1].error.code == "INVALID_ARGUMENT"
    assert [r.replica for r in streamed] == ["lacuna-7f9c-abcde"] * 2  # an error result too


def test_replica_defaults_to_the_host_name_and_reads_the_environment(monkeypatch):
    assert replica_name(ServerConfig()) == socket.gethostname()
    monkeypatch.setenv("LACUNA_REPLICA_ID", "pod-b")
    assert replica_name(parse_config([])) == "pod-b"
    assert replica_name(parse_config(["--replica-id", "pod-c"])) == "pod-c"


@pytest.mark.parametrize("flag", ["--max-connection-age-ms", "--max-connection-age-grace-ms"])
def test_negative_connection_age_is_refused(flag):
    with pytest.raises(ConfigError, match=flag):
        parse_config([flag, "-1"])


def _states_after_first_call(address: str, wait: float) -> list[grpc.ChannelConnectivity]:
    """Connectivity states a channel passes through in `wait` seconds after a first call."""
    seen: list[grpc.ChannelConnectivity] = []
    lock = threading.Lock()
    channel = grpc.insecure_channel(address)
    try:
        stub = service_pb2_grpc.LacunaStub(channel)
        stub.GetCapabilities(service_pb2.GetCapabilitiesRequest(), timeout=30)

        def record(state):
            with lock:
                seen.append(state)

        channel.subscribe(record, try_to_connect=False)
        time.sleep(wait)
        stub.GetCapabilities(service_pb2.GetCapabilitiesRequest(), timeout=30)  # reconnects if it must
        channel.unsubscribe(record)
    finally:
        channel.close()
    with lock:
        return list(seen)


def test_max_connection_age_makes_clients_reconnect(start_server):
    aged = start_server(omission=False, max_connection_age_ms=300, max_connection_age_grace_ms=1000)
    forever = start_server(omission=False)
    aged_states = _states_after_first_call(aged.address, 1.5)
    forever_states = _states_after_first_call(forever.address, 1.5)
    # GOAWAY after 300 ms: the channel leaves READY and connects again; without the option it stays READY
    assert grpc.ChannelConnectivity.IDLE in aged_states or grpc.ChannelConnectivity.CONNECTING in aged_states
    assert set(forever_states) <= {grpc.ChannelConnectivity.READY}
