"""Where a `--comet-model` lives on disk: a checkpoint path, a folder, or a Hugging Face name.

Names resolve from the Hugging Face cache first. With `--offline` (or
HF_HUB_OFFLINE=1) nothing else is tried; otherwise a name missing from the cache
is downloaded once, as `comet-score` would. The encoder named by the
checkpoint's hparams (`pretrained_model`, e.g. xlm-roberta-large) is resolved the
same way, but only its tokenizer and config are needed: the weights come from the
COMET checkpoint. Anything missing stops the server at start-up with the exact
command that fetches it.
"""

from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass

import yaml

# Files of the encoder repository COMET needs (the tokenizer and the config, not the weights).
ENCODER_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                 "sentencepiece.bpe.model", "spm.model", "vocab.txt", "sentencepiece.model"]
TOKENIZER_FILES = ("tokenizer.json", "sentencepiece.bpe.model", "spm.model", "vocab.txt", "sentencepiece.model")
# Published Unbabel checkpoints that need `huggingface-cli login` and accepting the licence first.
GATED = ("cometkiwi", "xcomet")


class ModelNotFound(Exception):
    """Carries the message a user needs to fix it (what to download, where to put it)."""


@dataclass(frozen=True)
class ResolvedModel:
    name: str  # as the user wrote it; the signature of the corpus scores
    checkpoint: pathlib.Path
    hparams_file: pathlib.Path
    hparams: dict
    encoder_folder: pathlib.Path  # tokenizer + config.json of `pretrained_model`


def hub_cache() -> pathlib.Path:
    """The Hugging Face hub cache, read from the environment now (HF_HUB_CACHE, HF_HOME)."""
    if os.environ.get("HF_HUB_CACHE"):
        return pathlib.Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return pathlib.Path(os.environ["HF_HOME"]).expanduser() / "hub"
    from huggingface_hub import constants

    return pathlib.Path(constants.HF_HUB_CACHE)


def _looks_like_path(spec: str) -> bool:
    return (spec.startswith((".", "/", "~")) or spec.endswith((".ckpt", os.sep)) or os.sep + os.sep in spec
            or spec.count("/") > 1 or os.path.exists(os.path.expanduser(spec)))


def _repo_id(spec: str) -> str:
    """'wmt22-comet-da' -> 'Unbabel/wmt22-comet-da'; names with an owner stay as they are."""
    return spec if "/" in spec else f"Unbabel/{spec}"


def _download_hint(repo_id: str, files: list[str] | None = None) -> str:
    what = " ".join([repo_id, *(files or [])])
    hint = f"huggingface-cli download {what}"
    if any(g in repo_id.lower() for g in GATED):
        hint = (f"huggingface-cli login (accept the licence at https://huggingface.co/{repo_id} first), "
                f"then {hint}")
    return hint


def _snapshot(repo_id: str, offline: bool,
              allow_patterns: list[str] | None = None) -> tuple[pathlib.Path | None, str]:
    """The cached snapshot of `repo_id` (downloaded when missing unless offline), or None and the
    reason the lookup gave (its own error, which the caller's message quotes)."""
    from huggingface_hub import snapshot_download

    cache = hub_cache()
    try:
        return pathlib.Path(snapshot_download(repo_id=repo_id, cache_dir=str(cache), local_files_only=True)), ""
    except Exception as exc:
        reason = _reason(exc)
        if offline:
            return None, reason
    try:
        return pathlib.Path(snapshot_download(repo_id=repo_id, cache_dir=str(cache),
                                              allow_patterns=allow_patterns)), ""
    except Exception as exc:
        return None, _reason(exc)


def _reason(exc: BaseException) -> str:
    """One line naming an exception and its message (the first 300 characters)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


def _checkpoint_layout(spec: str) -> tuple[pathlib.Path, pathlib.Path]:
    """(model.ckpt, hparams.yaml) for a local folder or .ckpt path, or ModelNotFound."""
    path = pathlib.Path(spec).expanduser()
    layout = ("expected a COMET checkpoint folder laid out as\n"
              "  <folder>/hparams.yaml\n  <folder>/checkpoints/model.ckpt\n"
              "(what `huggingface-cli download Unbabel/wmt22-comet-da --local-dir <folder>` writes), "
              "or the path of that model.ckpt")
    if not path.exists():
        raise ModelNotFound(f"COMET model {spec!r}: no such file or folder ({path.resolve()}); {layout}")
    checkpoint = path / "checkpoints" / "model.ckpt" if path.is_dir() else path
    if not checkpoint.is_file():
        raise ModelNotFound(f"COMET model {spec!r}: {checkpoint} is missing; {layout}")
    hparams = checkpoint.parent.parent / "hparams.yaml"
    if not hparams.is_file():
        raise ModelNotFound(f"COMET model {spec!r}: {hparams} is missing; {layout}")
    return checkpoint, hparams


def _encoder_folder(pretrained: str, spec: str, offline: bool) -> pathlib.Path:
    local = pathlib.Path(pretrained).expanduser()
    if local.is_dir():
        folder = local
    else:
        folder, reason = _snapshot(pretrained, offline, allow_patterns=ENCODER_FILES)
        if folder is None:
            raise ModelNotFound(
                f"COMET model {spec!r} needs the tokenizer and config of its encoder {pretrained!r}, which are not "
                f"in the Hugging Face cache ({hub_cache()})"
                + (" and --offline/HF_HUB_OFFLINE forbids downloading them" if offline else "")
                + f" (the lookup said: {reason})"
                + f". Fetch them on a machine with network access: "
                  f"{_download_hint(pretrained, ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'sentencepiece.bpe.model'])}"
                  f" and copy {hub_cache()} (or set HF_HUB_CACHE to a copy of it)")
    if not (folder / "config.json").is_file() or not any((folder / f).is_file() for f in TOKENIZER_FILES):
        raise ModelNotFound(
            f"COMET model {spec!r}: the encoder folder {folder} for {pretrained!r} needs config.json and a tokenizer "
            f"({' or '.join(TOKENIZER_FILES)}); fetch them with {_download_hint(pretrained, ['config.json', 'tokenizer.json'])}")
    return folder


def resolve_model(spec: str, offline: bool) -> ResolvedModel:
    """Find the checkpoint and the encoder files for one `--comet-model`, or raise ModelNotFound."""
    spec = spec.strip()
    if not spec:
        raise ModelNotFound("--comet-model: empty model name")
    if _looks_like_path(spec):
        checkpoint, hparams_file = _checkpoint_layout(spec)
    else:
        repo_id = _repo_id(spec)
        folder, reason = _snapshot(repo_id, offline)
        if folder is None:
            raise ModelNotFound(
                f"COMET model {spec!r} is not in the Hugging Face cache ({hub_cache()})"
                + (" and --offline/HF_HUB_OFFLINE forbids downloading it" if offline else " and could not be downloaded")
                + f" (the lookup said: {reason})"
                + f". On a machine with network access run: {_download_hint(repo_id)} "
                  f"and copy {hub_cache()} here (or set HF_HUB_CACHE to a copy of it); or download it into a folder "
                  f"(`--local-dir DIR`) and start with --comet-model DIR")
        try:
            checkpoint, hparams_file = _checkpoint_layout(str(folder))
        except ModelNotFound as exc:
            raise ModelNotFound(f"COMET model {spec!r} in the cache at {folder} is incomplete: {exc}") from None
    with open(hparams_file) as fh:
        hparams = yaml.safe_load(fh) or {}
    if "class_identifier" not in hparams:
        raise ModelNotFound(f"COMET model {spec!r}: {hparams_file} has no class_identifier; is it a COMET checkpoint?")
    pretrained = str(hparams.get("pretrained_model") or "xlm-roberta-large")
    encoder = _encoder_folder(pretrained, spec, offline)
    return ResolvedModel(spec, checkpoint, hparams_file, hparams, encoder)
