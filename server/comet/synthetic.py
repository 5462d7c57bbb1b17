"""Random-weight COMET checkpoints built entirely offline, for tests and benchmarks.

Real COMET checkpoints cannot be downloaded everywhere (CI, air-gapped GPU boxes),
so this module builds checkpoints with unbabel-comet's own model classes:

* an XLM-R-style tokenizer trained here on text written for this module
  (a SentencePiece-like Unigram model via the `tokenizers` library),
* an encoder config of any size (tiny for tests, XLM-R-large-shaped for GPU
  figures) saved next to it, so `pretrained_model` resolves from a folder,
* the COMET model with random weights, saved as `checkpoints/model.ckpt` plus
  `hparams.yaml` -- the layout of a checkpoint downloaded from Hugging Face.

Scores from these models mean nothing; they exercise loading, batching and
speed with the same code paths a real checkpoint takes.
"""

from __future__ import annotations

import json
import os
import pathlib
from dataclasses import dataclass, field

# Sentences written for this module in the languages the tests use. Word lists
# are multiplied into a training text so the tokenizer learns every character.
_SENTENCES = {
    "en": [
        "The committee approved the new budget on Tuesday after a long debate.",
        "Please restart the router before calling technical support again.",
        "Our office in the harbour district opens at nine in the morning.",
        "The river flooded three villages, but nobody was hurt.",
        "She translated the manual into four languages in two weeks.",
        "Prices rose by 4.5 percent in March, the highest rise in a decade.",
        "Click the blue button to save your changes and close the window.",
        "The train to the airport leaves every twenty minutes.",
    ],
    "de": [
        "Der Ausschuss hat den neuen Haushalt am Dienstag nach langer Debatte gebilligt.",
        "Bitte starten Sie den Router neu, bevor Sie den Support erneut anrufen.",
        "Unser Büro im Hafenviertel öffnet um neun Uhr morgens.",
        "Der Fluss überflutete drei Dörfer, aber niemand wurde verletzt.",
        "Sie übersetzte das Handbuch in zwei Wochen in vier Sprachen.",
        "Die Preise stiegen im März um 4,5 Prozent, der größte Anstieg seit zehn Jahren.",
        "Klicken Sie auf die blaue Schaltfläche, um Ihre Änderungen zu speichern.",
        "Der Zug zum Flughafen fährt alle zwanzig Minuten.",
    ],
    "fr": [
        "Le comité a approuvé le nouveau budget mardi après un long débat.",
        "Veuillez redémarrer le routeur avant de rappeler le support technique.",
        "Notre bureau du quartier du port ouvre à neuf heures du matin.",
        "Le train pour l'aéroport part toutes les vingt minutes.",
    ],
    "es": [
        "El comité aprobó el nuevo presupuesto el martes tras un largo debate.",
        "Nuestra oficina en el barrio del puerto abre a las nueve de la mañana.",
        "El tren al aeropuerto sale cada veinte minutos.",
    ],
    "ja": [
        "委員会は長い議論の末、火曜日に新しい予算を承認した。",
        "サポートに再度電話する前に、ルーターを再起動してください。",
        "港地区の事務所は朝九時に開きます。",
        "空港行きの電車は二十分ごとに出発します。",
    ],
    "ru": [
        "Комитет утвердил новый бюджет во вторник после долгих споров.",
        "Поезд в аэропорт отправляется каждые двадцать минут.",
    ],
    "misc": [
        "Emoji 😀 and music 𝄞 and café, naïve, Ærø, Zoë — “quotes” «guillemets» 0123456789 %&()[]{}<>+-*/=?!:;,.'\"",
    ],
}

SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>"]


def sample_sentences(lang: str | None = None) -> list[str]:
    """The sentences the tokenizer was trained on (one language, or all)."""
    if lang is not None:
        return list(_SENTENCES[lang])
    return [s for group in _SENTENCES.values() for s in group]


def sample_segments(n: int, seed: int = 0) -> list[dict]:
    """`n` COMET samples {src, mt, ref} (en->de) of one to three sentences plus a numbered
    ticket line, so no source, translation or reference repeats (a benchmark must not gain
    from caching). Half the translations have their first sentence scrambled, the others
    drop or swap a word against the reference."""
    import random

    rng = random.Random(seed)
    en, de = _SENTENCES["en"], _SENTENCES["de"]
    out = []
    for k in range(n):
        idx = [rng.randrange(len(en)) for _ in range(rng.choice((1, 1, 2, 3)))]
        ticket = 1000 + k * 7 + rng.randrange(7)
        src = [en[i] for i in idx] + [f"Ticket {ticket} stays open."]
        ref = [de[i] for i in idx] + [f"Ticket {ticket} bleibt offen."]
        mt = list(ref)
        words = mt[0].split()
        if rng.random() < 0.5:
            mt[0] = " ".join(rng.sample(words, len(words)))
        elif len(words) > 2 and rng.random() < 0.5:
            del words[rng.randrange(1, len(words))]
            mt[0] = " ".join(words)
        else:
            j = rng.randrange(len(words) - 1) if len(words) > 1 else 0
            words[j:j + 2] = reversed(words[j:j + 2])
            mt[0] = " ".join(words)
        out.append({"src": " ".join(src), "mt": " ".join(mt), "ref": " ".join(ref)})
    return out


def build_tokenizer(folder: str | os.PathLike, vocab_size: int = 2000) -> pathlib.Path:
    """Train a small XLM-R-style Unigram tokenizer and save it as a transformers folder."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import XLMRobertaTokenizerFast

    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    text = sample_sentences()
    words = sorted({w for s in text for w in s.split()})
    corpus = text * 4 + [" ".join(words[i:i + 7]) for i in range(0, len(words), 7)]
    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS,
                                      unk_token="<unk>", show_progress=False)
    tok.train_from_iterator(corpus, trainer=trainer)
    tok = _fixed_order(tok)
    tok.add_special_tokens(["<mask>"])
    bos, eos = tok.token_to_id("<s>"), tok.token_to_id("</s>")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", bos), ("</s>", eos)])
    fast = XLMRobertaTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>",
                                   cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
                                   model_max_length=512)
    fast.save_pretrained(str(folder))
    return folder


def _fixed_order(trained):
    """The trainer learns the same pieces every run but orders and scores them a little
    differently (hash-map iteration), so token ids and segmentations -- and with them every
    random model built on top -- would change from run to run. Rebuild the model with the
    special tokens first, the rest sorted, and scores that depend on the piece alone
    (Viterbi then picks the segmentation with the fewest, longest pieces)."""
    import json

    from tokenizers import Tokenizer

    spec = json.loads(trained.to_str())
    vocab = spec["model"]["vocab"]
    specials = [[piece, 0.0] for piece, _ in vocab if piece in SPECIAL_TOKENS]
    pieces = sorted(piece for piece, _ in vocab if piece not in SPECIAL_TOKENS)
    spec["model"]["vocab"] = specials + [[piece, -10.0 + 0.01 * len(piece)] for piece in pieces]
    spec["model"]["unk_id"] = [piece for piece, _ in specials].index("<unk>")
    return Tokenizer.from_str(json.dumps(spec))


@dataclass(frozen=True)
class EncoderShape:
    hidden: int = 32
    layers: int = 2
    heads: int = 4
    intermediate: int = 64
    vocab: int | None = None  # None: the tokenizer's size
    init_range: float = 0.2  # wider than XLM-R's 0.02 so tiny random models tell inputs apart

    @classmethod
    def xlmr_large(cls) -> "EncoderShape":
        return cls(hidden=1024, layers=24, heads=16, intermediate=4096, vocab=250002, init_range=0.02)


def build_encoder_folder(folder: str | os.PathLike, shape: EncoderShape = EncoderShape()) -> pathlib.Path:
    """Tokenizer + XLM-R config in one folder: what COMET's `pretrained_model` must name."""
    from transformers import AutoTokenizer, XLMRobertaConfig

    folder = build_tokenizer(folder)
    vocab = shape.vocab or len(AutoTokenizer.from_pretrained(str(folder)))
    config = XLMRobertaConfig(vocab_size=vocab, hidden_size=shape.hidden, num_hidden_layers=shape.layers,
                              num_attention_heads=shape.heads, intermediate_size=shape.intermediate,
                              max_position_embeddings=514, type_vocab_size=1, pad_token_id=1,
                              bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5,
                              initializer_range=shape.init_range)
    config.save_pretrained(str(folder))
    return folder


# What each synthetic model kind is made of: COMET class name and hparams on top of the defaults.
MODEL_KINDS = {
    # wmt22-comet-da: reference-based regression.
    "regression": ("regression_metric", dict(pool="avg", layer="mix", layer_transformation="sparsemax",
                                             layer_norm=False, activations="Tanh")),
    # wmt20/21-style reference-free regression.
    "referenceless": ("referenceless_regression_metric", dict(pool="avg", layer="mix",
                                                              layer_transformation="sparsemax",
                                                              layer_norm=False, activations="Tanh")),
    # wmt22-cometkiwi-da: unified metric over [mt, src].
    "unified_qe": ("unified_metric", dict(input_segments=["mt", "src"], sent_layer="mix",
                                          layer_transformation="sparsemax", layer_norm=False,
                                          word_level_training=False)),
    # XCOMET: unified metric with error spans over [mt, src, ref].
    "xcomet": ("xcomet_metric", dict(sent_layer="mix", layer_transformation="softmax", layer_norm=False,
                                     encoder_model="XLM-RoBERTa")),
}


@dataclass
class SyntheticModel:
    folder: pathlib.Path
    checkpoint: pathlib.Path
    hparams: dict = field(default_factory=dict)


def new_model(kind: str, encoder_folder: str | os.PathLike, hidden_sizes: list[int] | None = None,
              seed: int = 0, **overrides):
    """A random-weight COMET model of `kind` (see MODEL_KINDS) in memory."""
    import torch

    from lacuna.server.comet.quiet import import_comet

    comet_models = import_comet().models
    class_id, params = MODEL_KINDS[kind]
    params = dict(params)
    params.update(pretrained_model=str(encoder_folder), load_pretrained_weights=False, local_files_only=True,
                  hidden_sizes=hidden_sizes or [64], dropout=0.1)
    if kind == "xcomet":
        params["word_layer"] = _num_hidden_layers(encoder_folder)  # the last layer
    params.update(overrides)
    torch.manual_seed(seed)
    model = comet_models.str2model[class_id](**params)
    with torch.no_grad():
        _spread_random_weights(model, seed)
        if kind == "xcomet":
            # Favour the no-error tag ("O", label 0) enough to get a mix of short error spans
            # and clean subwords; a lower regression output keeps the score below XCOMET's clip at 1.0.
            model.hidden2tag.bias.zero_()
            model.hidden2tag.bias[0] = 2.0
            model.estimator.ff[-1].bias.sub_(1.0)
    return model.eval()


def _num_hidden_layers(encoder_folder) -> int:
    with open(pathlib.Path(encoder_folder) / "config.json") as fh:
        return json.load(fh)["num_hidden_layers"]


def _spread_random_weights(model, seed: int) -> None:
    """Give the top layers some spread so different inputs get visibly different scores."""
    import torch

    gen = torch.Generator().manual_seed(seed + 1)
    for name, param in model.named_parameters():
        if name.startswith(("estimator", "hidden2tag", "layerwise_attention")) and param.dim() >= 1:
            param.copy_(torch.randn(param.shape, generator=gen) * (0.5 if param.dim() > 1 else 0.3))


def save_checkpoint(model, folder: str | os.PathLike, pretrained_model: str | None = None) -> SyntheticModel:
    """Write `model` as `<folder>/checkpoints/model.ckpt` + `<folder>/hparams.yaml`.

    `pretrained_model` overrides the name written into the hparams (e.g. a Hugging
    Face name such as "xlm-roberta-large", as in the published checkpoints).
    """
    import pytorch_lightning as ptl
    import torch
    import yaml

    folder = pathlib.Path(folder)
    (folder / "checkpoints").mkdir(parents=True, exist_ok=True)
    hparams = {k: (list(v) if isinstance(v, tuple) else v) for k, v in dict(model.hparams).items()}
    for transient in ("load_pretrained_weights", "local_files_only"):
        hparams.pop(transient, None)
    if pretrained_model is not None:
        hparams["pretrained_model"] = pretrained_model
    checkpoint = folder / "checkpoints" / "model.ckpt"
    torch.save({"state_dict": model.state_dict(), "hyper_parameters": hparams,
                "pytorch-lightning_version": ptl.__version__, "epoch": 0, "global_step": 0}, checkpoint)
    with open(folder / "hparams.yaml", "w") as fh:
        yaml.safe_dump(hparams, fh, sort_keys=True)
    return SyntheticModel(folder, checkpoint, hparams)


def build_checkpoint(folder: str | os.PathLike, kind: str, encoder_folder: str | os.PathLike,
                     pretrained_model: str | None = None, seed: int = 0, **overrides) -> SyntheticModel:
    """new_model + save_checkpoint."""
    return save_checkpoint(new_model(kind, encoder_folder, seed=seed, **overrides), folder, pretrained_model)


def place_in_hub_cache(cache: str | os.PathLike, repo_id: str, files_from: str | os.PathLike,
                       revision: str = "0" * 40) -> pathlib.Path:
    """Lay out `files_from` as the Hugging Face cache would after `huggingface-cli download repo_id`."""
    import shutil

    cache = pathlib.Path(cache)
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / revision
    if snapshot.exists():
        shutil.rmtree(snapshot)
    shutil.copytree(files_from, snapshot)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(revision)
    return snapshot
