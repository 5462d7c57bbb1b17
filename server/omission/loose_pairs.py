"""Loose translations: an omitted source sentence and an added target sentence in the same
alignment gap that, compared directly, translate each other.

The aligner leaves a pair unmatched when its sentence similarity is below the document's
threshold -- a free rendering, a sentence split differently, a number written in another digit
form. Reported as they are, they would be an `omission` flag on a source sentence and an
`addition` flag on its own translation: a contradiction a reader sees at once. So every source
sentence left unmatched in a gap is compared with every target sentence left unmatched in the
same gap, on evidence the sentence similarity does not weigh:

- the latent-term cosine (shared concepts, across scripts), when the encoder has latent terms and
  both sentences are long enough for them (else the dense similarity, against the threshold);
- numbers both share, in any digit form ("30" and full-width "３０"; evidence.py);
- names both share (a capitalized Latin word or an acronym found in both, "NATO", "Yoon");

and a pair that translates each other becomes one matched bead (`loose`): scored by the pair
models like any bead, never flagged. Pairs are taken strongest first and never cross.

Chosen on the document drops of bench/devsets (NTREX-128, 25 documents in each of 6 directions,
dropped and clean copies; 171 candidate pairs in gaps, 108 of them a sentence and its
translation): the latent-term cosine alone, strongest first, with the bar at 0.20 pairs 92 of the
108 and one wrong pair; the word alignment's shares added nothing; the dense similarity relative to
the threshold, or the two combined, paired as many but 4 to 9 wrong. The 16 missed are mostly
sentences segmented differently on the two sides (one sentence against two).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lacuna.server.omission.evidence import numbers
from lacuna.server.omission.measure import BeadMeasurer
from lacuna.server.omission.passages import Sentence
from lacuna.server.omission.settings import Settings
from lacuna.server.omission.similarity import Embeddings, latent_cosine

_NAME = re.compile(r"(?<![A-Za-z])(?:[A-Z][a-z]*[A-Z][A-Za-z]*|[A-Z][a-z]{2,}|[A-Z]{2,})(?![A-Za-z])")


def names(text: str) -> frozenset[str]:
    """Capitalized Latin words and acronyms (names survive translation into most scripts)."""
    return frozenset(_NAME.findall(text))


@dataclass(frozen=True)
class PairEvidence:
    """What a direct comparison of one source and one target sentence found."""

    similarity: float  # background-normalized dense similarity
    latent: float | None = None  # latent-term cosine, when both sides are long enough for it
    shared_numbers: int = 0
    shared_names: int = 0

    @property
    def lexical(self) -> bool:
        """A number or a name on both sides."""
        return bool(self.shared_numbers or self.shared_names)


class LoosePairJudge:
    """Decides whether two sentences left unmatched in one gap translate each other."""

    def __init__(self, encoder, settings: Settings, measurer: BeadMeasurer):
        self.encoder = encoder
        self.settings = settings
        self.measurer = measurer

    def evidence(self, s: Sentence, t: Sentence, emb: Embeddings | None) -> PairEvidence:
        latent = None
        if self.measurer.use_latent([s], [t]):  # (a word or two: latent terms say little)
            latent = latent_cosine(self.encoder, [s.text], [t.text])
        return PairEvidence(emb.between(s.text, t.text) if emb is not None else float("nan"), latent,
                            len(numbers(s.text) & numbers(t.text)), len(shared_names(s.text, t.text)))

    def too_short(self, below_usual: float, share: float) -> bool:
        """The target sentence is too short to render the source sentence, however alike their
        latent terms (a dropped sentence next to an unrelated leftover): their log length ratio
        lies more than `loose_short_ratio` below the document's usual one (`below_usual`), or
        more than `loose_weak_ratio` below it while their dense similarity is under
        `loose_weak_share` of the aligner's threshold (`share`). Checked before the evidence,
        which costs latent terms."""
        st = self.settings
        return below_usual > st.loose_short_ratio or (below_usual > st.loose_weak_ratio
                                                      and share < st.loose_weak_share)

    def strength(self, ev: PairEvidence, threshold: float, lone: bool = False) -> float | None:
        """How surely the two translate each other (higher: surer), or None when they do not.
        With latent terms: their cosine, plus a credit for a shared number or name, against
        `loose_latent_bar`; else the dense similarity as a share of the aligner's `threshold`,
        plus its credit, against `loose_similarity_share`. `lone`: the two are all their gap
        leaves over (one sentence a side, in the same place between two aligned pairs), where a
        lower bar applies (`loose_lone_latent_bar`, `loose_lone_similarity_share`)."""
        st = self.settings
        if ev.latent is not None:
            score = ev.latent + (st.loose_lexical_credit if ev.lexical else 0.0)
            return score if score >= (st.loose_lone_latent_bar if lone else st.loose_latent_bar) else None
        if not ev.similarity == ev.similarity or threshold <= 0:  # no dense similarity measured
            return None
        score = ev.similarity / threshold + (st.loose_lexical_credit_dense if ev.lexical else 0.0)
        return score if score >= (st.loose_lone_similarity_share if lone else st.loose_similarity_share) else None


def shared_names(a: str, b: str) -> frozenset[str]:
    """Names found in both texts, except a capitalized word that opens both (capitalized by
    position: "In"); acronyms always count."""
    both = names(a) & names(b)
    openers = [m.group() for m in (_NAME.match(a.strip()), _NAME.match(b.strip())) if m]
    return frozenset(n for n in both if n.isupper() or openers.count(n) < 2)
