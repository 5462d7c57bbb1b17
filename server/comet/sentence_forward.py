"""Sentence-level batches for COMET models that embed each input on its own.

A regression model (wmt22-comet-da; `ReferencelessRegression` for QE) embeds the
source, the translation and the reference separately and only then combines the
three vectors. `CometForward` pads each of the three to the longest of its kind
in the batch, as `model.predict` does; this forward instead

- embeds each distinct sentence of a batch once (a source scored against several
  translations, a reference shared by several systems),
- keeps recent embeddings in an LRU cache, so a sentence seen in an earlier
  request costs nothing,
- sorts what is left by token count and encodes it in chunks cut where padding
  would exceed `max_padding` (or the padded size `max_chunk_tokens`), whatever
  field each sentence came from,

then runs the model's own combination and regression head. Scores agree with
`model.predict` to float rounding: padding is masked, and every sentence is
embedded exactly as in a padded batch.
"""

from __future__ import annotations

import torch

from lacuna.server.comet.forward import CometForward, CometResult, to_device
from lacuna.server.embedding_cache import EmbeddingCache

# model class -> the input fields it embeds, in the order its head takes them
SENTENCE_LEVEL_CLASSES = {
    "RegressionMetric": ("src", "mt", "ref"),
    "ReferencelessRegression": ("src", "mt"),
}


def sentence_level_fields(model) -> tuple[str, ...] | None:
    """The fields a model embeds one by one, or None when it needs whole-sample batches
    (unified models that read source and translation together, MC dropout, context)."""
    fields = SENTENCE_LEVEL_CLASSES.get(type(model).__name__)
    if fields is None or getattr(model, "mc_dropout", 0) or getattr(model, "use_context", False):
        return None
    return fields


class SentenceForward(CometForward):
    """`CometForward` for models whose inputs are embedded one sentence at a time."""

    def __init__(self, model, fields: tuple[str, ...], *, cache_size: int = 10_000, max_chunk: int = 16,
                 max_padding: float = 0.2, max_chunk_tokens: int | None = None):
        super().__init__(model, spans=False)
        self.fields = fields
        self.cache = EmbeddingCache(cache_size)
        self.max_chunk = max(1, int(max_chunk))
        self.max_padding = float(max_padding)
        self.max_chunk_tokens = max_chunk_tokens
        tokenizer = model.encoder.tokenizer
        self.pad_id = tokenizer.pad_token_id
        self.max_tokens = model.encoder.max_positions - 2

    def prepare(self, samples: list[dict]):
        """Distinct sentences not in the cache, tokenised without padding."""
        texts = list(dict.fromkeys(str(s[f]) for s in samples for f in self.fields))
        known = {t: e for t, e in zip(texts, self.cache.get_many(texts)) if e is not None}
        missing = [t for t in texts if t not in known]
        ids = self.model.encoder.tokenizer(missing, truncation=True, max_length=self.max_tokens)["input_ids"] \
            if missing else []
        return samples, known, list(zip(missing, ids))

    def _chunks(self, tokenised: list[tuple[str, list[int]]]) -> list[list[tuple[str, list[int]]]]:
        """Length-sorted sentences cut into chunks of at most max_chunk, max_padding and
        max_chunk_tokens (a longer sentence still gets a chunk of its own)."""
        chunks, current, total = [], [], 0
        for item in sorted(tokenised, key=lambda x: len(x[1])):
            n = len(item[1])
            if current and (len(current) >= self.max_chunk
                            or 1.0 - (total + n) / ((len(current) + 1) * n) > self.max_padding
                            or (self.max_chunk_tokens is not None
                                and (len(current) + 1) * n > self.max_chunk_tokens)):
                chunks.append(current)
                current, total = [], 0
            current.append(item)
            total += n
        if current:
            chunks.append(current)
        return chunks

    def _embed(self, chunk: list[tuple[str, list[int]]]) -> torch.Tensor:
        width = max(len(ids) for _, ids in chunk)
        input_ids = torch.full((len(chunk), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for row, (_, ids) in enumerate(chunk):
            input_ids[row, :len(ids)] = torch.tensor(ids, dtype=torch.long)
            mask[row, :len(ids)] = 1
        input_ids, mask = to_device(input_ids, self.device), to_device(mask, self.device)
        return self.model.get_sentence_embedding(input_ids, mask)

    def _head(self, embedded: dict[str, torch.Tensor]) -> torch.Tensor:
        """The model's own combination of the sentence embeddings and its regression head."""
        if self.fields == ("src", "mt", "ref"):
            return self.model.estimate(embedded["src"], embedded["mt"], embedded["ref"]).score
        src, mt = embedded["src"], embedded["mt"]  # ReferencelessRegression.forward, after its embeddings
        features = torch.cat((mt, src, mt * src, torch.abs(mt - src)), dim=1)
        return self.model.estimator(features).view(-1)

    def execute(self, prepared) -> list[CometResult]:
        samples, known, tokenised = prepared
        with torch.inference_mode(), self._precision():
            vectors = {text: emb.to(self.device) for text, emb in known.items()}
            for chunk in self._chunks(tokenised):
                rows = self._embed(chunk)
                for (text, _), emb in zip(chunk, rows):
                    vectors[text] = emb
                # kept on the host, each row its own copy (not a view holding the whole chunk)
                self.cache.put_many([text for text, _ in chunk], [emb.detach().to("cpu", copy=True) for emb in rows])
            embedded = {f: torch.stack([vectors[str(s[f])] for s in samples]) for f in self.fields}
            scores = self._head(embedded)
        return [CometResult(float(s)) for s in scores.float().cpu().tolist()]


def make_forward(model, spans: bool, *, cache_size: int = 10_000, max_chunk: int = 16,
                 max_padding: float = 0.2, max_chunk_tokens: int | None = None) -> CometForward:
    """The fastest forward a model allows: sentence-level where it embeds inputs one by one.
    `max_chunk`: most sentences per encoder call (the server passes --comet-batch-size)."""
    fields = None if spans else sentence_level_fields(model)
    if fields is None:
        return CometForward(model, spans=spans)
    return SentenceForward(model, fields, cache_size=cache_size, max_chunk=max_chunk, max_padding=max_padding,
                           max_chunk_tokens=max_chunk_tokens)
