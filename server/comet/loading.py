"""Load a resolved COMET checkpoint onto a device, and say what kind of model it is.

The checkpoint is loaded with unbabel-comet's own classes (the `class_identifier`
in hparams.yaml picks the class), with the encoder's tokenizer/config taken from
the local folder found by `resolve` -- never from the network -- and without the
encoder's pretrained weights, which the checkpoint replaces anyway.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import structlog

from lacuna.server.comet.quiet import import_comet, silence_libraries
from lacuna.server.comet.resolve import ModelNotFound, ResolvedModel

log = structlog.get_logger("lacuna.comet")

DTYPES = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}


@dataclass(frozen=True)
class ModelTraits:
    """What a loaded model can do."""

    kind: str  # "comet" (needs a reference), "comet_qe" (reference-free), "xcomet" (score + error spans)
    uses_reference: bool  # can read a reference
    needs_reference: bool  # cannot score without one
    spans: bool  # predicts error spans (word-level XCOMET-style models)

    @property
    def metrics(self) -> tuple[str, ...]:
        """Base metric names this model can compute."""
        names = []
        if self.uses_reference:
            names.append("comet")
        if not self.needs_reference:
            names.append("comet_qe")
        return tuple(names)


def traits_of(model) -> ModelTraits:
    class_id = model.hparams.get("class_identifier", "")
    if class_id == "ranking_metric":
        raise ModelNotFound("ranking COMET models compare two translations and give no segment scores; "
                            "use a regression, referenceless or unified model")
    if class_id in ("unified_metric", "xcomet_metric"):
        segments = list(model.hparams.get("input_segments") or ["mt", "src", "ref"])
        uses_ref = "ref" in segments
        needs_ref = "src" not in segments
        spans = bool(getattr(model, "word_level", False))
    else:
        needs_ref = uses_ref = bool(model.requires_references())
        spans = False
    kind = "xcomet" if spans else ("comet" if uses_ref else "comet_qe")
    return ModelTraits(kind, uses_ref, needs_ref, spans)


def _load(model_class, resolved: ResolvedModel, extra: dict, weights_only: bool | None):
    import torch

    return model_class.load_from_checkpoint(
        checkpoint_path=str(resolved.checkpoint), map_location=torch.device("cpu"), strict=False,
        weights_only=weights_only, load_pretrained_weights=False, local_files_only=True,
        pretrained_model=str(resolved.encoder_folder), **extra)


def load_model(resolved: ResolvedModel, device: str = "cpu", precision: str = "fp32"):
    """The COMET model in eval mode on `device`, weights cast to `precision`."""
    import torch

    comet = import_comet()
    str2model = comet.models.str2model
    class_id = resolved.hparams["class_identifier"]
    if class_id not in str2model:
        raise ModelNotFound(f"COMET model {resolved.name!r}: unknown class_identifier {class_id!r} in "
                            f"{resolved.hparams_file} (this unbabel-comet knows {', '.join(sorted(str2model))})")
    extra = {}
    # unbabel-comet >= 2.2.4 loads checkpoints marked "sparsemax_patch" with softmax (its issue #244).
    if resolved.hparams.get("layer_transformation") == "sparsemax_patch":
        extra["layer_transformation"] = "softmax"
    try:
        model = _load(str2model[class_id], resolved, extra, weights_only=None)
    except pickle.UnpicklingError:
        # Older checkpoints pickle more than tensors; the user named this file, so trust it as COMET does.
        log.warning("comet_checkpoint_not_weights_only", model=resolved.name, path=str(resolved.checkpoint))
        model = _load(str2model[class_id], resolved, extra, weights_only=False)
    silence_libraries()
    model.eval()
    model.requires_grad_(False)
    dtype = getattr(torch, DTYPES[precision])
    model.to(device=torch.device(device), dtype=dtype)
    return model
