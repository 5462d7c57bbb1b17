"""The committed Python modules in proto/ match proto/lacuna/v1/*.proto (run `make proto` if not)."""

import pathlib

from lacuna.proto import generate

PROTO = pathlib.Path(generate.__file__).resolve().parent


def test_generated_modules_are_current(tmp_path):
    written = generate.generate(tmp_path)
    assert written, "protoc produced nothing"
    for fresh in written:
        committed = PROTO / fresh.relative_to(tmp_path)
        assert committed.exists(), f"{committed} is missing: run `make proto`"
        assert committed.read_text() == fresh.read_text(), f"{committed} is stale: run `make proto`"


def test_service_descriptor_names_the_rpcs():
    from lacuna.proto import service_pb2

    service = service_pb2.DESCRIPTOR.services_by_name["Lacuna"]
    assert {m.name for m in service.methods} == {"Score", "ScoreStream", "GetCapabilities"}
    stream = service.methods_by_name["ScoreStream"]
    assert stream.client_streaming and stream.server_streaming
