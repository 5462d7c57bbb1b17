"""Measuring a matched bead: the inputs of the pair models (`BeadFeatures`).

Length against the expected ratio, the plain character and word length ratios, source size, and -- by mode -- the latent-term cosine and the
shares of words the word alignment leaves unaligned.
"""

from __future__ import annotations

import math
from dataclasses import replace

from lacuna.server.omission.alignment import Bead
from lacuna.server.omission.length import log_length_ratio
from lacuna.server.omission.pair_models import BeadFeatures
from lacuna.server.omission.passages import Sentence, units
from lacuna.server.omission.settings import Settings
from lacuna.server.omission.similarity import latent_cosine
from lacuna.server.omission.stretches import STRETCH_ALIGNED_COST, longest_unaligned_stretch
from lacuna.server.omission.word_alignment import WordAlignment, align_words, join


class BeadMeasurer:
    """Measures beads for one encoder and mode."""

    def __init__(self, encoder, settings: Settings):
        self.encoder = encoder
        self.settings = settings

    def use_latent(self, src: list[Sentence], tgt: list[Sentence]) -> bool:
        """Latent terms on, and enough text on both sides for them to mean something."""
        st = self.settings
        return st.latent_terms and min(units(src), units(tgt)) >= st.latent_min_units

    def basic(self, bead: Bead, src: list[Sentence], tgt: list[Sentence], expected: float) -> BeadFeatures:
        """Similarity (as the bead carries it), length against `expected` (scaled down for short
        beads: the length ratio of a few words says little) and source content units."""
        b_src, b_tgt = src[bead.src[0]:bead.src[1]], tgt[bead.tgt[0]:bead.tgt[1]]
        src_units, tgt_units = units(b_src), units(b_tgt)
        trust = min(1.0, (src_units + tgt_units) / self.settings.length_trust_units)
        src_chars, tgt_chars = sum(len(x.text) for x in b_src), sum(len(x.text) for x in b_tgt)
        return BeadFeatures(bead.similarity, (log_length_ratio(src_units, tgt_units) - expected) * trust,
                            sum(x.units for x in b_src if x.content),
                            char_length=math.log((tgt_chars + 5.0) / (src_chars + 5.0)))

    def latent(self, feat: BeadFeatures, source_texts: list[str], target_texts: list[str]) -> BeadFeatures:
        """`feat` with the latent-term cosine of the two sides."""
        return replace(feat, latent=latent_cosine(self.encoder, source_texts, target_texts))

    def aligned(self, feat: BeadFeatures, src: list[Sentence], tgt: list[Sentence]) -> BeadFeatures:
        """`feat` with the unaligned shares of the two blocks' words, when words are aligned."""
        if not self.settings.word_alignment:
            return feat
        found = self.word_alignment(src, tgt)
        return with_words(feat, found)

    def word_alignment(self, src: list[Sentence], tgt: list[Sentence]) -> WordAlignment:
        """Word alignment of two blocks of sentences (spans: offsets in their texts)."""
        states = self.encoder.token_states([x.text for x in src] + [x.text for x in tgt])
        return align_words(join([(st, x.span[0]) for st, x in zip(states[:len(src)], src)]),
                           join([(st, x.span[0]) for st, x in zip(states[len(src):], tgt)]))


def unaligned_share(measurer: "BeadMeasurer", block: list[Sentence], other: list[Sentence], part: Sentence) -> float:
    """Share of `part`'s content words (`part` is one sentence of `block`) that the word alignment
    of `block` with the `other` side's block leaves unaligned: near 0 when the other side renders
    it, near 1 when nothing there does."""
    states = measurer.encoder.token_states([x.text for x in block] + [x.text for x in other])
    found = align_words(join([(st, x.span[0]) for st, x in zip(states[:len(block)], block)]),
                        join([(st, x.span[0]) for st, x in zip(states[len(block):], other)]))
    own = states[block.index(part)]
    words = len(set(own.words[own.content].tolist())) if len(own) else 0
    if not words:
        return 0.0
    inside = sum(1 for a, b in found.source_gaps if part.span[0] <= a and b <= part.span[1])
    return min(1.0, inside / words)


def with_words(feat: BeadFeatures, words: WordAlignment) -> BeadFeatures:
    """`feat` with a word alignment's unaligned shares, its longest unaligned stretch and the
    source's weak coverage."""
    stretch = longest_unaligned_stretch(words.source_marks, STRETCH_ALIGNED_COST)
    return replace(feat, unaligned=words.source_unaligned, unaligned_target=words.target_unaligned,
                   word_length=math.log((words.target_words + 1.0) / (words.source_words + 1.0)),
                   stretch=stretch.unaligned / words.source_words if stretch and words.source_words else 0.0,
                   weak_coverage=words.weak_coverage)
