"""Tiny COMET checkpoints built on the spot (session-scoped), laid out as users get them.

* `<root>/enc`: tokenizer trained here + a 2-layer, 32-wide XLM-R config;
* `<root>/<kind>/checkpoints/model.ckpt` + `hparams.yaml` for each synthetic kind,
  whose hparams name the encoder by its local folder;
* `<root>/hub`: a Hugging Face cache holding `lacuna-test/tiny-comet-da` (the
  regression checkpoint, its hparams naming the encoder `lacuna-test/tiny-xlmr`
  the way published checkpoints name `xlm-roberta-large`) and that encoder.

Test modules use it with `from comet_fixture import tiny_comet  # noqa: F401`.
"""

from __future__ import annotations

import pathlib
import shutil
from dataclasses import dataclass

import pytest

HUB_MODEL = "lacuna-test/tiny-comet-da"
HUB_ENCODER = "lacuna-test/tiny-xlmr"


@dataclass(frozen=True)
class TinyComet:
    root: pathlib.Path
    encoder: pathlib.Path
    hub: pathlib.Path

    def path(self, kind: str) -> str:
        """The local checkpoint folder of a synthetic kind (regression, referenceless, unified_qe, xcomet)."""
        return str(self.root / kind)

    def comet_model(self, kind: str):
        """The same checkpoint loaded by unbabel-comet's own loader, for parity checks."""
        from lacuna.server.comet.quiet import import_comet

        comet = import_comet()
        return comet.load_from_checkpoint(str(self.root / kind / "checkpoints" / "model.ckpt"),
                                          local_files_only=True)


@pytest.fixture(scope="session")
def tiny_comet(tmp_path_factory) -> TinyComet:
    from lacuna.server.comet import synthetic

    root = tmp_path_factory.mktemp("tiny-comet")
    encoder = synthetic.build_encoder_folder(root / "enc")
    for seed, kind in enumerate(synthetic.MODEL_KINDS):
        synthetic.build_checkpoint(root / kind, kind, encoder, seed=seed)
    hub = root / "hub"
    synthetic.place_in_hub_cache(hub, HUB_ENCODER, encoder)
    staged = root / "staged-hub-model"  # the regression weights, naming the encoder by its hub name
    shutil.copytree(root / "regression", staged)
    _rename_encoder(staged, HUB_ENCODER)
    synthetic.place_in_hub_cache(hub, HUB_MODEL, staged)
    return TinyComet(root, encoder, hub)


def _rename_encoder(folder: pathlib.Path, pretrained_model: str) -> None:
    import torch
    import yaml

    ckpt = folder / "checkpoints" / "model.ckpt"
    checkpoint = torch.load(ckpt, map_location="cpu", weights_only=True)
    checkpoint["hyper_parameters"]["pretrained_model"] = pretrained_model
    torch.save(checkpoint, ckpt)
    hparams = yaml.safe_load((folder / "hparams.yaml").read_text())
    hparams["pretrained_model"] = pretrained_model
    (folder / "hparams.yaml").write_text(yaml.safe_dump(hparams))
