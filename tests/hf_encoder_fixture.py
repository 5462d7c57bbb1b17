"""Tiny Hugging Face sentence encoders built on the spot (session-scoped), laid out as users get them.

* `<root>/labse-like`: a 2-layer, 32-wide random BertModel, a WordPiece tokenizer trained here,
  and sentence-transformers files (modules.json, 1_Pooling: CLS, 2_Dense: tanh, 3_Normalize),
  as `huggingface-cli download sentence-transformers/LaBSE --local-dir DIR` lays LaBSE out;
* `<root>/hub`: a Hugging Face cache holding `lacuna-test/tiny-multilingual-e5` (a random
  XLM-R with the Unigram tokenizer of the COMET fixtures and no sentence-transformers files:
  the e5 family defaults apply, mean pooling and the "query: " prefix).

Test modules use it with `from hf_encoder_fixture import tiny_encoders  # noqa: F401`.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass

import pytest

HUB_E5 = "lacuna-test/tiny-multilingual-e5"
SENTENCES = [
    "The committee approved the budget for next year.",
    "Der Ausschuss hat den Haushalt für das nächste Jahr gebilligt.",
    "Le comité a approuvé le budget de l'année prochaine.",
    "The train to Hamburg is twenty minutes late because of construction work.",
    "Der Zug nach Hamburg hat wegen Bauarbeiten zwanzig Minuten Verspätung.",
    "Press Save to keep your changes.", "Klicken Sie auf Speichern, um Ihre Änderungen zu behalten.",
    "東京は日本の首都です。", "会議は午後三時に始まります。", "The meeting starts at three in the afternoon.",
]


@dataclass(frozen=True)
class TinyEncoders:
    labse_like: pathlib.Path  # local folder with sentence-transformers files
    hub: pathlib.Path  # a Hugging Face cache holding HUB_E5


def build_wordpiece_tokenizer(folder: pathlib.Path) -> None:
    """A BERT-style WordPiece tokenizer trained on SENTENCES, saved as a transformers folder."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertTokenizerFast

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok.train_from_iterator(SENTENCES * 3, trainers.WordPieceTrainer(vocab_size=400, special_tokens=specials,
                                                                     show_progress=False))
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
                                                       special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    BertTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                      sep_token="[SEP]", mask_token="[MASK]", model_max_length=512).save_pretrained(str(folder))


def _write_json(path: pathlib.Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2))


def build_labse_like(folder: pathlib.Path, width: int = 32, seed: int = 0) -> pathlib.Path:
    """Random BertModel + WordPiece tokenizer + sentence-transformers modules (CLS, tanh Dense, Normalize)."""
    import torch
    from safetensors.torch import save_file
    from transformers import AutoTokenizer, BertConfig, BertModel

    folder.mkdir(parents=True, exist_ok=True)
    build_wordpiece_tokenizer(folder)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(AutoTokenizer.from_pretrained(str(folder))), hidden_size=width,
                        num_hidden_layers=2, num_attention_heads=4, intermediate_size=2 * width,
                        max_position_embeddings=128, initializer_range=0.2)
    BertModel(config).save_pretrained(str(folder))
    _write_json(folder / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
        {"idx": 3, "name": "3", "path": "3_Normalize", "type": "sentence_transformers.models.Normalize"}])
    _write_json(folder / "1_Pooling" / "config.json", {
        "word_embedding_dimension": width, "pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False,
        "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False})
    _write_json(folder / "2_Dense" / "config.json", {
        "in_features": width, "out_features": 24, "bias": True,
        "activation_function": "torch.nn.modules.activation.Tanh"})
    dense = torch.nn.Linear(width, 24)
    save_file({"linear.weight": dense.weight.detach().contiguous(), "linear.bias": dense.bias.detach().contiguous()},
              str(folder / "2_Dense" / "model.safetensors"))
    (folder / "3_Normalize").mkdir(exist_ok=True)
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": 64, "do_lower_case": False})
    return folder


def build_e5_like(folder: pathlib.Path, seed: int = 1) -> pathlib.Path:
    """Random XLM-R (the COMET fixtures' Unigram tokenizer and shape), no sentence-transformers files."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel

    from lacuna.server.comet import synthetic

    synthetic.build_encoder_folder(folder)
    torch.manual_seed(seed)
    XLMRobertaModel(XLMRobertaConfig.from_pretrained(str(folder))).save_pretrained(str(folder))
    return folder


@pytest.fixture(scope="session")
def tiny_encoders(tmp_path_factory) -> TinyEncoders:
    from lacuna.server.comet import synthetic

    root = tmp_path_factory.mktemp("tiny-encoders")
    labse = build_labse_like(root / "labse-like")
    hub = root / "hub"
    synthetic.place_in_hub_cache(hub, HUB_E5, build_e5_like(root / "e5-staged"))
    return TinyEncoders(labse, hub)
