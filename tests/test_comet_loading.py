"""Finding and loading COMET models: local folders, the Hugging Face cache, offline mode, errors."""

from __future__ import annotations

import os
import pathlib
import socket
import subprocess
import sys

import grpc
import pytest
from comet_fixture import HUB_ENCODER, HUB_MODEL, tiny_comet  # noqa: F401  (session fixture)

from lacuna.client import Client, LacunaError
from lacuna.server.comet.synthetic import sample_sentences
from lacuna.server.config import ConfigError, parse_config

REPO = pathlib.Path(__file__).resolve().parents[1]
ORIGINAL_OFFLINE = os.environ.get("HF_HUB_OFFLINE")
SEGS = [{"id": str(i), "source": en, "translation": de, "reference": de, "src_lang": "en", "tgt_lang": "de"}
        for i, (en, de) in enumerate(zip(sample_sentences("en"), sample_sentences("de")))]


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection from Python fails the test (gRPC's C core is not affected)."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


@pytest.fixture
def hub_cache(monkeypatch, tiny_comet):
    """HF_HUB_CACHE pointing at the fixture's cache; offline switches are undone afterwards."""
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_CACHE", str(tiny_comet.hub))
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):  # setenv first so teardown restores the original
        monkeypatch.setenv(name, "0")
        monkeypatch.delenv(name)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", constants.HF_HUB_OFFLINE)
    return tiny_comet.hub


def test_no_model_answers_failed_precondition_naming_the_flag(start_server):
    server = start_server(omission=False)
    with Client(server.address, timeout=30) as client:
        for metric in ("comet", "comet_qe"):
            with pytest.raises(LacunaError) as err:
                client.score(SEGS[:1], metrics=[metric])
            assert err.value.code == grpc.StatusCode.FAILED_PRECONDITION
            assert "--comet-model" in err.value.message
            assert err.value.field == "options.metrics[0]"
        result = client.score(SEGS[:1])  # without COMET the server runs as before
    assert "comet" not in result.segments[0].scores and "chrf" in result.segments[0].scores


def test_metric_no_loaded_model_offers_answers_failed_precondition(start_server, tiny_comet):
    server = start_server(comet_models=[tiny_comet.path("referenceless")], omission=False)
    with Client(server.address, timeout=30) as client:
        with pytest.raises(LacunaError) as err:
            client.score(SEGS[:1], metrics=["comet"])
        assert err.value.code == grpc.StatusCode.FAILED_PRECONDITION
        assert "reference-based" in err.value.message and "--comet-model" in err.value.message
        assert "comet_qe" in client.score(SEGS[:1], metrics=["comet_qe"]).segments[0].scores


def test_hub_name_resolves_from_cache_offline(start_server, tiny_comet, hub_cache, no_network):
    local = start_server(comet_models=[tiny_comet.path("regression")], omission=False)
    cached = start_server(comet_models=[HUB_MODEL], omission=False, offline=True)
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    with Client(local.address, timeout=60) as a, Client(cached.address, timeout=60) as b:
        want = [r.scores["comet"] for r in a.score(SEGS, metrics=["comet"]).segments]
        got = b.score(SEGS, metrics=["comet"])
        caps = b.capabilities()
    assert [r.scores["comet"] for r in got.segments] == pytest.approx(want, abs=1e-4)
    import importlib.metadata

    version = importlib.metadata.version("unbabel-comet")
    assert {c.signature for c in got.corpus if c.metric == "comet"} == {f"comet|model:{HUB_MODEL}|comet-version:{version}"}
    assert next(m for m in caps.metrics if m.name == "comet").signatures == [
        f"comet|model:{HUB_MODEL}|comet-version:{version}"]
    model = next(m for m in caps.models if m.name == HUB_MODEL)
    assert model.kind == "comet" and str(hub_cache) in model.path and model.device == "cpu"
    assert no_network == []


def test_missing_hub_model_offline_says_what_to_download(start_server, hub_cache, no_network):
    with pytest.raises(ConfigError) as err:
        start_server(comet_models=["Unbabel/wmt22-comet-da"], omission=False, offline=True)
    message = str(err.value)
    assert "huggingface-cli download Unbabel/wmt22-comet-da" in message
    assert str(hub_cache) in message and "offline" in message.lower()
    assert no_network == []


def test_short_name_means_unbabel_and_gated_models_mention_login(start_server, hub_cache, no_network):
    with pytest.raises(ConfigError) as err:
        start_server(comet_models=["wmt22-cometkiwi-da"], omission=False, offline=True)
    assert "huggingface-cli download Unbabel/wmt22-cometkiwi-da" in str(err.value)
    assert "huggingface-cli login" in str(err.value)


def test_missing_encoder_files_offline_name_the_encoder(start_server, tiny_comet, tmp_path, monkeypatch,
                                                        hub_cache, no_network):
    from lacuna.server.comet import synthetic

    empty_cache = tmp_path / "hub"
    synthetic.place_in_hub_cache(empty_cache, HUB_MODEL, tiny_comet.hub / ("models--" + HUB_MODEL.replace("/", "--"))
                                 / "snapshots" / ("0" * 40))
    monkeypatch.setenv("HF_HUB_CACHE", str(empty_cache))
    with pytest.raises(ConfigError) as err:
        start_server(comet_models=[HUB_MODEL], omission=False, offline=True)
    message = str(err.value)
    assert HUB_ENCODER in message and f"huggingface-cli download {HUB_ENCODER}" in message
    assert "tokenizer" in message


def test_missing_local_checkpoint_explains_the_layout(start_server, tmp_path):
    with pytest.raises(ConfigError) as err:
        start_server(comet_models=[str(tmp_path / "nowhere")], omission=False)
    assert "checkpoints/model.ckpt" in str(err.value) and "hparams.yaml" in str(err.value)
    (tmp_path / "half" / "checkpoints").mkdir(parents=True)
    (tmp_path / "half" / "checkpoints" / "model.ckpt").write_bytes(b"")
    with pytest.raises(ConfigError) as err:
        start_server(comet_models=[str(tmp_path / "half")], omission=False)
    assert "hparams.yaml is missing" in str(err.value)


def test_ckpt_path_loads_like_its_folder(start_server, tiny_comet):
    ckpt = pathlib.Path(tiny_comet.path("referenceless")) / "checkpoints" / "model.ckpt"
    server = start_server(comet_models=[str(ckpt)], omission=False)
    with Client(server.address, timeout=60) as client:
        caps = client.capabilities()
    assert [(m.name, m.kind) for m in caps.models if m.kind.startswith("comet")] == [(str(ckpt), "comet_qe")]


def test_precision_and_device_are_checked_at_start_up(start_server, tiny_comet):
    with pytest.raises(ConfigError, match="needs --device cuda"):
        start_server(comet_models=[tiny_comet.path("regression")], omission=False, precision="bf16")
    with pytest.raises(ConfigError, match="--device must be"):
        start_server(comet_models=[tiny_comet.path("regression")], omission=False, device="tpu")


def test_offline_switches_are_restored_after_the_offline_tests():
    assert os.environ.get("HF_HUB_OFFLINE") != "1" or ORIGINAL_OFFLINE == "1"


def test_flags_and_environment(monkeypatch):
    monkeypatch.setenv("LACUNA_COMET_MODELS", "Unbabel/wmt22-comet-da, Unbabel/wmt22-cometkiwi-da")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    config = parse_config([])
    assert config.comet_models[0] == "Unbabel/wmt22-comet-da" and len(config.comet_models) == 2
    assert config.offline
    monkeypatch.delenv("HF_HUB_OFFLINE")
    config = parse_config(["--comet-model", "a", "--comet-model", "b", "--comet-batch-size", "8"])
    assert config.comet_models == ["a", "b"] and config.comet_batch_size == 8 and not config.offline


def test_worker_flags_plan_threads_per_core(monkeypatch):
    import lacuna.server.comet as comet_package

    monkeypatch.setenv("LACUNA_COMET_WORKERS", "3")
    config = parse_config(["--comet-cache-size", "0"])
    assert config.comet_workers == 3 and config.comet_cache_size == 0
    monkeypatch.setattr(comet_package, "usable_cores", lambda: 8)
    assert comet_package.plan_workers(config.comet_config, "cpu") == (3, 2)  # 8 cores: 3 workers x 2 threads
    assert comet_package.plan_workers(parse_config(["--comet-workers", "0"]).comet_config, "cpu") == (4, 2)  # automatic
    assert comet_package.plan_workers(parse_config(["--comet-workers", "0"]).comet_config, "cuda:0") == (1, None)
    monkeypatch.setattr(comet_package, "usable_cores", lambda: 1)
    assert comet_package.plan_workers(parse_config(["--comet-workers", "0"]).comet_config, "cpu") == (1, 1)
    with pytest.raises(ConfigError, match="--comet-workers"):
        parse_config(["--comet-workers", "-1"])


def test_importing_comet_leaves_logging_alone():
    """In a fresh interpreter: root logger unchanged, no Lightning banner on stdout/stderr."""
    code = (
        "import logging, sys\n"
        "root = logging.getLogger(); before = (list(root.handlers), root.level)\n"
        "from lacuna.server.comet.quiet import import_comet\n"
        "import_comet()\n"
        "assert (list(root.handlers), root.level) == before, (root.handlers, root.level)\n"
        "assert not logging.getLogger('pytorch_lightning').handlers\n"
        "logging.getLogger('comet').info('should not appear')\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
    assert "should not appear" not in proc.stderr


def test_gpu_benchmark_runs_end_to_end_on_cpu_with_tiny():
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "gpu_comet_large.py"), "--tiny"],
                          capture_output=True, text=True, timeout=170, cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "segments/s" in proc.stdout and "fp32" in proc.stdout
