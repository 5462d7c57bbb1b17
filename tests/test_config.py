"""Server settings: flags, LACUNA_* environment variables, and the real entry point."""

import json
import os
import signal
import socket
import subprocess
import sys

import pytest

from lacuna.client import Client
from lacuna.server.config import ConfigError, ServerConfig, parse_config

ENV_NAMES = ["LACUNA_HOST", "LACUNA_PORT", "LACUNA_WORKERS", "LACUNA_MAX_SEGMENTS", "LACUNA_MAX_CHARS",
             "LACUNA_MAX_MESSAGE_BYTES", "LACUNA_LOG_LEVEL", "LACUNA_LOG_FORMAT", "LACUNA_LOG_TEXTS",
             "LACUNA_NO_OMISSION", "LACUNA_COMET_MODELS", "LACUNA_OMISSION_LATENT_TERMS", "LACUNA_COMET_WORKERS",
             "LACUNA_COMET_CACHE_SIZE"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in list(os.environ):
        if (name.startswith("LACUNA_") and name != "LACUNA_SHARED") or name == "HF_HUB_OFFLINE":
            monkeypatch.delenv(name)


def test_help_lists_every_flag_with_its_env_var():
    out = subprocess.run([sys.executable, "-m", "lacuna.server", "--help"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    for flag in ("--host", "--port", "--workers", "--max-segments", "--max-chars", "--max-message-bytes",
                 "--log-level", "--log-format", "--log-texts", "--no-omission", "--comet-model",
                 "--omission-latent-terms", "--comet-workers", "--comet-cache-size"):
        assert flag in out.stdout, flag
    help_text = " ".join(out.stdout.split())
    for env in ENV_NAMES:
        assert env in help_text, env


def test_defaults():
    config = parse_config([])
    assert (config.host, config.port, config.log_format, config.log_texts, config.omission) == (
        "127.0.0.1", 50051, "json", False, True)
    assert config == ServerConfig()


def test_env_vars_set_values_and_flags_win(monkeypatch):
    monkeypatch.setenv("LACUNA_PORT", "6123")
    monkeypatch.setenv("LACUNA_HOST", "0.0.0.0")
    monkeypatch.setenv("LACUNA_MAX_SEGMENTS", "7")
    monkeypatch.setenv("LACUNA_MAX_CHARS", "900")
    monkeypatch.setenv("LACUNA_LOG_FORMAT", "console")
    monkeypatch.setenv("LACUNA_LOG_TEXTS", "true")
    monkeypatch.setenv("LACUNA_NO_OMISSION", "1")
    monkeypatch.setenv("LACUNA_COMET_MODELS", "Unbabel/wmt22-comet-da, /models/qe")
    monkeypatch.setenv("LACUNA_OMISSION_LATENT_TERMS", "no")
    config = parse_config([])
    assert config.omission_latent_terms is False
    assert parse_config(["--omission-latent-terms"]).omission_latent_terms is True
    assert (config.port, config.host, config.max_segments, config.max_chars) == (6123, "0.0.0.0", 7, 900)
    assert config.log_format == "console" and config.log_texts is True and config.omission is False
    assert config.comet_models == ["Unbabel/wmt22-comet-da", "/models/qe"]
    config = parse_config(["--port", "7000", "--max-segments", "9", "--no-log-texts", "--comet-model", "x"])
    assert (config.port, config.max_segments, config.log_texts, config.comet_models) == (7000, 9, False, ["x"])


@pytest.mark.parametrize("argv,env,words", [
    (["--port", "70000"], {}, "--port"),
    (["--max-segments", "0"], {}, "--max-segments"),
    (["--log-format", "xml"], {}, "--log-format"),
    (["--log-level", "loud"], {}, "--log-level"),
    ([], {"LACUNA_MAX_CHARS": "lots"}, "LACUNA_MAX_CHARS"),
])
def test_bad_settings_stop_with_a_clear_message(monkeypatch, argv, env, words):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ConfigError) as info:
        parse_config(argv)
    assert words in str(info.value)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_entry_point_serves_with_env_settings_and_stops_on_sigterm():
    port = free_port()
    env = dict(os.environ, LACUNA_PORT=str(port), LACUNA_MAX_SEGMENTS="7", LACUNA_LOG_FORMAT="json")
    proc = subprocess.Popen([sys.executable, "-m", "lacuna.server", "--no-omission", "--workers", "2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        with Client(f"127.0.0.1:{port}", timeout=30) as client:
            client.wait_ready(timeout=60)
            caps = client.capabilities()
            assert caps.limits.max_segments_per_request == 7
            assert "omission" not in {m.name for m in caps.metrics}
            result = client.score([{"id": "1", "source": "Good night.", "translation": "Gute Nacht.",
                                    "src_lang": "en", "tgt_lang": "de"}])
            assert result.segments[0].passed
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, stderr = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0, stderr
    events = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    names = [e["event"] for e in events]
    assert "server_started" in names and "server_stopped" in names and "request" in names
    started = next(e for e in events if e["event"] == "server_started")
    assert started["address"] == f"127.0.0.1:{port}"
    assert started["omission_signature"] == ""  # --no-omission


def test_a_busy_port_is_refused_not_shared(start_server):
    from lacuna.server.app import LacunaServer

    first = start_server(omission=False)
    with pytest.raises(ConfigError) as info:
        LacunaServer(ServerConfig(port=first.port, omission=False))
    assert f"cannot bind 127.0.0.1:{first.port}" in str(info.value)
