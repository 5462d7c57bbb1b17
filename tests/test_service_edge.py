"""The service edge (interceptor, start-up errors) and the defects issue 12 found there."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import grpc
import pytest
import structlog

from lacuna.client import Client
from lacuna.server.comet import resolve
from lacuna.server.logs import configure_logging
from lacuna.server.metrics import reference
from tests.test_telemetry import free_port, scrape, value


@pytest.fixture
def log_buffer():
    buffer = io.StringIO()
    configure_logging("info", "json", stream=buffer)
    yield buffer
    structlog.reset_defaults()


def test_malformed_protobuf_is_invalid_argument_with_one_json_log_line(checks_server, log_buffer):
    with grpc.insecure_channel(checks_server.address) as channel:
        score = channel.unary_unary("/lacuna.v1.Lacuna/Score")  # raw bytes, no serializer
        with pytest.raises(grpc.RpcError) as err:
            score(b"\xff\xff\xff\xff not a protobuf", timeout=10)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "not a valid Score request" in err.value.details()
    lines = [line for line in log_buffer.getvalue().splitlines() if line.strip()]
    events = [json.loads(line) for line in lines]  # every line is one JSON object
    found = [e for e in events if e.get("event") == "request" and e.get("status") == "INVALID_ARGUMENT"]
    assert len(found) == 1 and found[0]["method"] == "Score"
    assert "Traceback" not in log_buffer.getvalue()


def test_an_unexpected_error_is_internal_and_logged_once(start_server, log_buffer, monkeypatch):
    server = start_server(omission=False)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(server.pipeline, "new_corpus_session", broken)
    with Client(server.address, timeout=10) as client:
        with pytest.raises(Exception) as err:
            client.score([{"id": "1", "source": "Hi.", "translation": "Hallo.", "src_lang": "en", "tgt_lang": "de"}],
                         request_id="boom-1")
    assert "INTERNAL" in str(err.value) and "ZeroDivisionError" in str(err.value)
    events = [json.loads(line) for line in log_buffer.getvalue().splitlines() if line.startswith("{")]
    requests = [e for e in events if e.get("event") == "request" and e.get("request_id") == "boom-1"]
    assert len(requests) == 1 and requests[0]["status"] == "INTERNAL"


def test_model_loaded_reads_zero_once_the_encoder_stops(start_server):
    port = free_port()
    server = start_server(metrics_port=port)
    omission = next(s for s in server.pipeline.scorers if s.name == "omission")
    labels = dict(scorer="omission", model=omission.encoder.name, kind=omission.models()[0].kind, device="cpu")
    assert value(scrape(port), "lacuna_model_loaded", **labels) == 1
    omission.encoder.close()
    assert value(scrape(port), "lacuna_model_loaded", **labels) == 0
    with Client(server.address, timeout=10) as client:
        assert not next(m for m in client.capabilities().models if m.name == omission.encoder.name).loaded


def test_failed_model_lookup_quotes_the_real_cause(monkeypatch, tmp_path):
    import huggingface_hub

    def refuse(**kwargs):
        raise PermissionError(f"[Errno 13] Permission denied: '{tmp_path}/hub/models--Unbabel--wmt22-comet-da'")

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(huggingface_hub, "snapshot_download", refuse)
    with pytest.raises(resolve.ModelNotFound) as err:
        resolve.resolve_model("Unbabel/wmt22-comet-da", offline=True)
    assert "PermissionError" in str(err.value) and "Permission denied" in str(err.value)


def test_a_missing_tokenizer_is_reported_and_other_errors_propagate(monkeypatch, log_buffer):
    import sacrebleu.tokenizers.tokenizer_ja_mecab as ja_mecab

    from lacuna import reference_metrics

    monkeypatch.setattr(ja_mecab, "MeCab", None)  # sacrebleu without its [ja] extra
    monkeypatch.setattr(reference_metrics, "_sets", {})
    reference_metrics.tokenizer_usable.cache_clear()
    try:
        specs = {s.name: s for s in reference.ReferenceMetrics().metrics()}
        assert not any("ja-mecab" in sig for sig in specs["bleu"].signatures)
        assert "ja-mecab unavailable (Japanese tokenization requires extra dependencies" in specs["bleu"].description
        assert "tokenizer_unavailable" in log_buffer.getvalue() and "ja-mecab" in log_buffer.getvalue()

        def bug(*args, **kwargs):
            raise TypeError("a bug, not a missing extra")

        reference_metrics.tokenizer_usable.cache_clear()
        monkeypatch.setattr(reference_metrics, "BLEU", bug)
        with pytest.raises(TypeError):
            reference.ReferenceMetrics().metrics()
    finally:
        reference_metrics.tokenizer_usable.cache_clear()


def test_only_the_entry_point_exits_on_a_bad_setting():
    proc = subprocess.run([sys.executable, "-m", "lacuna.server", "--no-omission", "--port", "70000"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith("lacuna-server: --port must be 0..65535")
