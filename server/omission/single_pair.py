"""A pair of one sentence a side, judged on latent terms (nothing to align).

Most of what a localization pipeline sends. The pair models give the scores; an unrelated pair
gets an omission and an addition flag (as the aligner would leave both sentences unmatched); a
likely omission otherwise flags the source clause the translation covers least: the one with
most unaligned words, else the one its latent terms cover least.

A pair is unrelated when its latent terms share too little (`latent_unrelated`) and no number or
name, and the dense similarity agrees (`unrelated_probability`): the detector embeds only the
pairs below the latent bar, so most pairs still need no dense pass.
"""

from __future__ import annotations

from dataclasses import replace

from lacuna.server.model import FlagData
from lacuna.server.omission.alignment import Bead
from lacuna.server.omission.clauses import least_aligned_clause, weakest_clause_latent
from lacuna.server.omission.confidence import FlagEvidence
from lacuna.server.omission.evidence import numbers
from lacuna.server.omission.flags import FlagBuilder
from lacuna.server.omission.loose_pairs import shared_names
from lacuna.server.omission.measure import BeadMeasurer, with_words
from lacuna.server.omission.pair_models import PairModels, sigmoid
from lacuna.server.omission.passages import PairAnalysis, Sentence
from lacuna.server.omission.settings import Settings
from lacuna.server.omission.similarity import Embeddings


def unrelated_candidate(s: Sentence, t: Sentence, latent: float, settings: Settings) -> bool:
    """The latent terms alone call the two unrelated: below the bar, no shared number or name."""
    return (latent < settings.latent_unrelated and not numbers(s.text) & numbers(t.text)
            and not shared_names(s.text, t.text))


def unrelated_probability(latent: float, dense: float, settings: Settings) -> float:
    """How likely two sentences are unrelated, from their latent-term cosine and normalized dense
    similarity (the model of Settings.unrelated_*)."""
    st = settings
    return sigmoid(st.unrelated_bias + st.unrelated_latent_weight * latent + st.unrelated_dense_weight * dense)


def analyze_single(source: str, translation: str, s: Sentence, t: Sentence, clauses: list[Sentence],
                   judged: tuple[float, bool], encoder, settings: Settings, models: PairModels,
                   measurer: BeadMeasurer, flags: FlagBuilder, emb: Embeddings) -> PairAnalysis:
    """One source sentence `s` and one target sentence `t` (`clauses`: those of `s`). `judged`:
    their latent-term cosine and whether it makes them an unrelated candidate
    (`unrelated_candidate`), as the detector measured them for the batch; `emb` holds the dense
    embeddings of a candidate's two sentences."""
    st = settings
    latent, candidate = judged
    whole = Bead((0, 1), (0, 1), latent)
    feat = replace(measurer.basic(whole, [s], [t], expected=0.0), latent=latent)
    words = measurer.word_alignment([s], [t]) if st.word_alignment else None
    if words is not None:
        feat = with_words(feat, words)
    omission, addition = models.p_omit(feat), models.p_add(feat)
    out: list[FlagData] = []
    unrelated = 0.0
    if candidate:
        emb.add([s.text, t.text])  # (the detector embedded them with the batch: nothing to encode)
        unrelated = unrelated_probability(latent, emb.between(s.text, t.text), st)
    if unrelated >= st.unrelated_min_probability:
        conf = unrelated
        out.append(flags.omission(s.span, source, _evidence("unrelated_pair", conf, s, s, t, source)))
        out.append(flags.addition(t.span, translation, _evidence("unrelated_pair", conf, t, t, s, translation)))
        beads = [Bead((0, 1), (0, 0), float("nan")), Bead((1, 1), (0, 1), float("nan"))]
    else:
        beads = [whole]
        if omission >= st.flag_probability:
            weakest = None
            if words is not None:  # the clause with most unaligned words, else the latent terms'
                weakest = least_aligned_clause(source, clauses, words.source_gaps, st)
            if weakest is None:
                weakest = weakest_clause_latent(encoder, s, clauses, t, st)
            out.append(flags.omission(weakest.span, source, _evidence("omission_partial", omission, weakest, s, t,
                                                                      source)))
    out = flags.for_short_texts(out, min(s.units, t.units), st.short_text_units)
    return PairAnalysis(omission, addition, out, beads, [(s.span, omission, s.units)], [feat])


def _evidence(kind: str, raw: float, passage: Sentence, own: Sentence, other: Sentence, text: str) -> FlagEvidence:
    """A flag's evidence in a one-sentence pair: `passage` on the side of sentence `own`."""
    return FlagEvidence(kind, raw, passage.text, passage.units, own.units, passage.span[0] / max(1, len(text)),
                        1, 1, 1 if kind == "unrelated_pair" else 0)
