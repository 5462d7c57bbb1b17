"""Omission and addition detection for one batch of (source, translation) pairs: the router.

For each pair, both sides are cut into sentences (passages.py); then
- a pair of one sentence a side, with latent terms on and enough text, is judged on latent
  terms (single_pair.py): nothing to align, a dense pass only for the few the latent terms
  call unrelated;
- every other pair is a document: its sentences are embedded (one encoder call for the whole
  batch), aligned (document_alignment.py) and the alignment read (document.py).

The pieces: settings.py (hand-set settings), weights.py (the fitted pair models, a data file per
encoder), similarity.py (background-normalized similarity), pair_models.py (the logistic models),
measure.py (their inputs), clauses.py (which clause a partial omission is flagged on), flags.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Sequence

import lacuna
from lacuna.languages import Language
from lacuna.server.omission.confidence import ConfidenceModel
from lacuna.server.omission.document import DocumentAnalyzer
from lacuna.server.omission.encoder import SentenceEncoder
from lacuna.server.omission.flags import FlagBuilder, quote
from lacuna.server.omission.measure import BeadMeasurer
from lacuna.server.omission.pair_models import BeadFeatures, Logistic, PairModels
from lacuna.server.omission.passages import PairAnalysis, Sentence, clauses, sentences, whole
from lacuna.server.omission.settings import Settings
from lacuna.server.omission.similarity import Background, Embeddings, latent_cosine
from lacuna.server.omission.single_pair import analyze_single, unrelated_candidate
from lacuna.server.omission.weights import FittedWeights, load_for

__all__ = ["OmissionDetector", "Settings", "PairAnalysis", "BeadFeatures", "Logistic", "quote"]


def settings_digest(settings: Settings) -> str:
    """First 8 hex digits of the SHA-256 of every `Settings` field and its value: two replicas
    whose hand-set thresholds, margins or switches differ (a flag, an environment variable, a
    weights file's overrides) say so in their signatures."""
    fields = json.dumps(dataclasses.asdict(settings), sort_keys=True, default=repr)
    return hashlib.sha256(fields.encode("utf-8")).hexdigest()[:8]


class OmissionDetector:
    """Routes each pair to the single-pair or the document analysis."""

    def __init__(self, encoder: SentenceEncoder, settings: Settings | None = None, detector_name: str = "omission",
                 weights: FittedWeights | None = None):
        self.encoder = encoder
        self.settings = settings or Settings()
        self.detector_name = detector_name
        name = getattr(encoder, "name", encoder)
        if self.settings.latent_terms and not getattr(encoder, "has_latent_terms", False):
            raise ValueError(f"encoder {name!r} has no latent terms")
        if self.settings.word_alignment and not (self.settings.latent_terms
                                                 and getattr(encoder, "has_token_states", False)):
            raise ValueError(f"encoder {name!r} has no token states"
                             if self.settings.latent_terms else "word alignment needs latent terms")
        self.weights = weights or load_for(encoder)
        self.background = Background(encoder)
        self.measurer = BeadMeasurer(encoder, self.settings)
        confidence = ConfidenceModel(self.weights.confidence) if self.weights.confidence is not None else None
        self.flags = FlagBuilder(detector_name, self.settings.major_units, self.settings.major_confidence,
                                 self.weights.calibration, confidence)
        self.documents = DocumentAnalyzer(encoder, self.settings, self.models, self.measurer, self.flags)

    def signature(self, metric: str) -> str:
        """What the scores of `metric` depend on, in sacrebleu's style: encoder and its version,
        the mode, the precision of the token-state pass (where latent terms come from it), the
        Lacuna release, the digest of every hand-set setting (settings_digest), the weights
        file's digest. Two servers whose scores differ in any of these give different signatures."""
        st = self.settings
        version = getattr(self.encoder, "version", "") or "unknown"
        precision = getattr(self.encoder, "token_precision", "") if st.latent_terms else ""
        return (f"{metric}|encoder:{getattr(self.encoder, 'name', 'unknown')}|encoder-version:{version}"
                f"|latent-terms:{'yes' if st.latent_terms else 'no'}"
                f"|word-alignment:{'yes' if st.word_alignment else 'no'}"
                f"{f'|token-precision:{precision}' if precision else ''}"
                f"{'|stretches:yes' if st.unrendered_stretches and st.word_alignment else ''}"
                f"|lacuna:{lacuna.__version__}|settings:{settings_digest(st)}"
                f"|weights:{self.weights.digest}")

    @property
    def models(self) -> PairModels:
        return self.weights.models

    def embeddings(self, texts: Sequence[str] = ()) -> Embeddings:
        """A fresh store of background-normalized embeddings, with `texts` added."""
        emb = Embeddings(self.encoder, self.background)
        emb.add(texts)
        return emb

    def analyze(self, pairs: Sequence[tuple[str, str, Language | None, Language | None]]) -> list[PairAnalysis]:
        """Analyze many (source, translation, src_lang, tgt_lang) pairs with one encoder call."""
        prepared = []
        texts: list[str] = []
        single: list[str] = []  # the sentences of pairs judged on latent terms alone
        for source, translation, src_lang, tgt_lang in pairs:
            src = sentences(source, src_lang, self.settings.max_sentences)
            tgt = sentences(translation, tgt_lang, self.settings.max_sentences)
            by_sentence = {i: clauses(source, s) for i, s in enumerate(src) if s.content}
            one = self._latent_only(src, tgt)
            prepared.append((src, tgt, by_sentence, one))
            if one:
                single.extend((src[0].text, tgt[0].text))
                continue
            texts.extend(s.text for s in src)
            texts.extend(t.text for t in tgt)
            if self.documents.is_short(src, tgt):  # judged on the whole texts: embed them too
                texts.extend(whole(items, text) for items, text in ((src, source), (tgt, translation)))
        judged: list[tuple[float, bool] | None] = [None] * len(prepared)  # one-sentence pairs: (latent, candidate)
        if single:
            self.encoder.latent_terms(single)  # one call for the batch (cached)
            if self.settings.word_alignment:
                self.encoder.token_states(single)
            for k, (src, tgt, _, one) in enumerate(prepared):
                if one:
                    latent = latent_cosine(self.encoder, [src[0].text], [tgt[0].text])
                    candidate = unrelated_candidate(src[0], tgt[0], latent, self.settings)
                    judged[k] = (latent, candidate)
                    if candidate:  # the latent terms call them unrelated: embed them too, to confirm it
                        texts.extend((src[0].text, tgt[0].text))
        emb = self.embeddings(texts)
        out = []
        for (source, translation, *_), (src, tgt, by_sentence, one), latent in zip(pairs, prepared, judged):
            if one:
                out.append(analyze_single(source, translation, src[0], tgt[0], by_sentence.get(0, []), latent,
                                          self.encoder, self.settings, self.models, self.measurer, self.flags, emb))
            else:
                out.append(self.documents.analyze(source, translation, src, tgt, by_sentence, emb))
        return out

    def _latent_only(self, src: list[Sentence], tgt: list[Sentence]) -> bool:
        """One sentence a side, long enough for latent terms: no alignment to do, no dense pass."""
        return len(src) == 1 and len(tgt) == 1 and self.measurer.use_latent(src, tgt)
