"""Reading a document alignment (the document analysis' second half): what is missing, what is added.

- an unmatched source sentence (consecutive ones: one passage) is an omitted passage, unless the
  whole translation renders it after all (short segments: a leave-one-out test);
- an unmatched target sentence is an added passage;
- each matched bead gets the pair models' probabilities; a likely omission flags its weakest clause;
- a short segment (a few sentences a side) is then scored as one bead over the whole texts.
`omission` is the content-weighted share of the source likely missing: an unmatched sentence
counts by how sure the detector is that it went untranslated, a matched bead by how far its
omission probability goes past the flag bar (`Settings.flag_probability`; below it, nothing: the
many faithful beads of a long document would otherwise each add a little doubt, and a document's
score would say more about its length than about what it lacks). `addition` is the share of the
target likely added, counted the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lacuna.server.model import FlagData
from lacuna.server.omission.alignment import Bead
from lacuna.server.omission.clauses import weakest_clause_dense
from lacuna.server.omission.confidence import FlagEvidence
from lacuna.server.omission.document_alignment import DocumentAlignment, Side, align_document, neighbour_length_fit
from lacuna.server.omission.flags import FlagBuilder
from lacuna.server.omission.length import content_units
from lacuna.server.omission.loose_pairs import LoosePairJudge
from lacuna.server.omission.measure import BeadMeasurer, with_words
from lacuna.server.omission.pair_models import BeadFeatures, PairModels, sigmoid
from lacuna.server.omission.passages import PairAnalysis, Sentence, whole
from lacuna.server.omission.settings import Settings
from lacuna.server.omission.similarity import Embeddings, block, latent_cosine, normalized
from lacuna.server.omission.stretches import longest_unaligned_stretch, snapped
from lacuna.server.omission.word_alignment import WordAlignment


@dataclass
class _Tally:
    """Running totals while a document is read."""

    prob: list[float]  # per source sentence: probability its content is missing
    flags: list[FlagData] = field(default_factory=list)
    missing_units: float = 0.0
    added_units: float = 0.0
    unmatched_units: float = 0.0  # the part of missing_units from unmatched sentences
    added_unmatched_units: float = 0.0
    #: what every flag's evidence shares: both sides' sentence counts and content units
    src_sentences: int = 0
    tgt_sentences: int = 0
    src_units: float = 0.0
    tgt_units: float = 0.0
    #: per unmatched source (target) sentence: unmatched sentences of the other side in its gap
    src_gap_other: dict[int, int] = field(default_factory=dict)
    tgt_gap_other: dict[int, int] = field(default_factory=dict)


def past_bar(probability: float, bar: float) -> float:
    """How far `probability` goes past `bar`, on [0, 1]: 0 up to the bar, 1 at certainty."""
    return max(0.0, probability - bar) / (1.0 - bar) if bar < 1.0 else float(probability >= 1.0)


def gap_leftovers(beads: list[Bead], src: list[Sentence], tgt: list[Sentence]) -> tuple[dict[int, int], dict[int, int]]:
    """For each unmatched source sentence, how many target sentences with content its gap (the
    run of unmatched beads between two matched ones) leaves unmatched; and the same for each
    unmatched target sentence."""
    src_other: dict[int, int] = {}
    tgt_other: dict[int, int] = {}
    gap: list[Bead] = []
    for bead in beads + [Bead((0, 0), (0, 0), 0.0)]:  # (a matched sentinel closes the last gap)
        if not bead.matched and (bead.src[1] > bead.src[0] or bead.tgt[1] > bead.tgt[0]):
            gap.append(bead)
            continue
        src_ids = [i for b in gap for i in range(*b.src) if src[i].content]
        tgt_ids = [j for b in gap for j in range(*b.tgt) if tgt[j].content]
        src_other.update({i: len(tgt_ids) for i in src_ids})
        tgt_other.update({j: len(src_ids) for j in tgt_ids})
        gap = []
    return src_other, tgt_other


def _unmatched_next_to(doc: DocumentAlignment, bead: Bead) -> list[Sentence]:
    """The target sentences with content the alignment left unmatched in the gaps just before and
    just after `bead` (up to the neighbouring matched beads)."""
    at = next(i for i, b in enumerate(doc.beads) if b is bead)
    found: list[int] = []
    for step in (-1, 1):
        k = at + step
        while 0 <= k < len(doc.beads) and not doc.beads[k].matched:
            found.extend(range(*doc.beads[k].tgt))
            k += step
    return [doc.tgt.items[j] for j in sorted(found) if doc.tgt.items[j].content]


class DocumentAnalyzer:
    """Aligns a pair's sentences and reads the alignment."""

    def __init__(self, encoder, settings: Settings, models: PairModels, measurer: BeadMeasurer,
                 flags: FlagBuilder):
        self.encoder = encoder
        self.settings = settings
        self.models = models
        self.measurer = measurer
        self.flags = flags
        self.loose = LoosePairJudge(encoder, settings, measurer)

    def is_short(self, src: list[Sentence], tgt: list[Sentence]) -> bool:
        """Scored as one bead: some content on each side, a few sentences at most."""
        n = self.settings.short_sentences
        return bool(src) and bool(tgt) and len(src) <= n and len(tgt) <= n

    def analyze(self, source: str, translation: str, src: list[Sentence], tgt: list[Sentence],
                clauses: dict[int, list[Sentence]], emb: Embeddings) -> PairAnalysis:
        """`src`/`tgt`: the sentences (embedded in `emb`); `clauses`: by source sentence index."""
        src_content = [s for s in src if s.content]
        tgt_content = [t for t in tgt if t.content]
        if not src_content and not tgt_content:
            return PairAnalysis(0.0, 0.0)
        judge = self.loose if self.settings.loose_pairs else None
        doc = align_document(src, tgt, emb, self.encoder.dim, self.settings, judge)
        tally = _Tally(prob=[0.0] * len(src), src_sentences=len(src_content), tgt_sentences=len(tgt_content),
                       src_units=sum(s.units for s in src_content), tgt_units=sum(t.units for t in tgt_content))
        tally.src_gap_other, tally.tgt_gap_other = gap_leftovers(doc.beads, src, tgt)
        self._omitted(source, translation, doc, emb, tally)
        self._added(translation, doc, emb, tally)
        features = self._matched(source, doc, clauses, emb, tally)
        src_total = sum(s.units for s in src_content) or 1.0
        tgt_total = sum(t.units for t in tgt_content) or 1.0
        omission = min(1.0, tally.missing_units / src_total) if src_content else 0.0
        addition = min(1.0, tally.added_units / tgt_total) if tgt_content else 0.0
        if src_content and tgt_content and self.is_short(src, tgt):
            omission, addition, features = self._as_one_bead(source, translation, doc, clauses, emb, tally,
                                                             src_total, tgt_total)
        if src_content and not tgt_content:
            omission = 1.0
            tally.prob = [1.0] * len(src)
        missing = [(x.span, p, x.units) for x, p in zip(src, tally.prob) if x.content]
        flags = self.flags.for_short_texts(tally.flags, min(src_total, tgt_total), self.settings.short_text_units)
        return PairAnalysis(omission, addition, flags, doc.beads, missing, features)

    # -- unmatched sentences -----------------------------------------------------------------

    def _omitted(self, source: str, translation: str, doc: DocumentAlignment, emb: Embeddings,
                 tally: _Tally) -> None:
        """Unmatched source sentences: omitted passages (consecutive ones are one passage)."""
        src = doc.src.items
        n, m = len(src), len(doc.tgt.items)
        run: list[int] = []
        for bead in doc.beads + [Bead((n, n), (m, m), float("nan"))]:
            if not bead.matched and bead.src[1] > bead.src[0] and src[bead.src[0]].content:
                run.append(bead.src[0])
                continue
            if not bead.matched and bead.src[1] > bead.src[0]:
                continue  # a sentence without letters: neither flagged nor a break
            if run:
                self._omitted_run(source, translation, doc, run, emb, tally)
                run = []

    def _omitted_run(self, source: str, translation: str, doc: DocumentAlignment, run: list[int],
                     emb: Embeddings, tally: _Tally) -> None:
        src = doc.src.items
        units = sum(src[i].units for i in run)
        conf = self._unmatched_confidence([src[i] for i in run], doc.tgt, emb, doc.threshold)
        if self._covered_by_whole_translation(source, translation, src, run, emb):
            return
        tally.missing_units += units * conf
        tally.unmatched_units += units * conf
        for i in run:
            tally.prob[i] = conf
        span = (src[run[0]].span[0], src[run[-1]].span[1])
        other = max(tally.src_gap_other.get(i, 0) for i in run)
        fit = neighbour_length_fit(doc, run[0], run[-1], units, on_source=True)
        tally.flags.append(self.flags.omission(span, source, self._source_evidence(
            "omission_sentence", conf, source, span, units, tally, other, fit)))

    def _added(self, translation: str, doc: DocumentAlignment, emb: Embeddings, tally: _Tally) -> None:
        """Unmatched target sentences: additions."""
        for bead in doc.beads:
            if not bead.matched and bead.tgt[1] > bead.tgt[0]:
                t = doc.tgt.items[bead.tgt[0]]
                if not t.content:
                    continue
                conf = self._unmatched_confidence([t], doc.src, emb, doc.threshold)
                tally.added_units += t.units * conf
                tally.added_unmatched_units += t.units * conf
                fit = neighbour_length_fit(doc, bead.tgt[0], bead.tgt[0], t.units, on_source=False)
                tally.flags.append(self.flags.addition(t.span, translation, FlagEvidence(
                    "addition_sentence", conf, t.text, t.units, tally.tgt_units, t.span[0] / max(1, len(translation)),
                    tally.tgt_sentences, tally.src_sentences, tally.tgt_gap_other.get(bead.tgt[0], 0), fit)))

    @staticmethod
    def _source_evidence(kind: str, raw: float, source: str, span: tuple[int, int], units: float, tally: _Tally,
                         gap_other: int = 0, neighbour_fit: float = 0.0) -> FlagEvidence:
        return FlagEvidence(kind, raw, source[span[0]:span[1]], units, tally.src_units, span[0] / max(1, len(source)),
                            tally.src_sentences, tally.tgt_sentences, gap_other, neighbour_fit)

    def _unmatched_confidence(self, items: list[Sentence], other: Side, emb: Embeddings, threshold: float) -> float:
        """How sure we are that nothing on the other side renders `items`: near 1 when the best
        normalized similarity to any single sentence there is far below the threshold."""
        if other.emb.shape[0] == 0:
            return 1.0
        best = max(emb.best_against(s.text, other.emb, other.bias) for s in items)
        st = self.settings
        return sigmoid((threshold + st.unmatched_margin - best) * st.unmatched_steepness)

    def _covered_by_whole_translation(self, source: str, translation: str, src: list[Sentence], run: list[int],
                                      emb: Embeddings) -> bool:
        """Leave-one-out test for short segments: an unmatched source passage whose removal makes
        the source clearly LESS similar to the whole translation is rendered there after all (a
        translation that fuses two sentences into one)."""
        st = self.settings
        if not 2 <= len(src) <= st.short_sentences or len(run) == len(src):
            return False
        reduced = " ".join(src[i].text for i in range(len(src)) if i not in run)
        emb.add([source, translation, reduced])
        if emb.between(reduced, translation) - emb.between(source, translation) < -st.leave_one_out_margin:
            return True
        # the latent terms' view: the translation shares at least as much with the passage as with
        # the rest of the source, which it renders (two sentences fused into one, whose dense
        # embedding the second sentence dominates)
        passage = " ".join(src[i].text for i in run)
        return st.latent_terms and self._latent_covers(passage, reduced, translation, src, run)

    def _latent_covers(self, passage: str, rest: str, translation: str, src: list[Sentence], run: list[int]) -> bool:
        """The translation's latent terms share at least as much with `passage` as with `rest`, and
        more than unrelated texts do (`latent_unrelated`), for a passage of `latent_min_units` or
        more. On the NTREX dev pairs of a sentence with the next one joined on and left out
        (bench/devsets: docdrop-pairs), 8 of 2,511 dropped sentences pass (0.3%); at 0.75 of the
        rest's cosine 56 would.)"""
        st = self.settings
        if sum(src[i].units for i in run) < st.latent_min_units:
            return False
        own = latent_cosine(self.encoder, [passage], [translation])
        return own >= st.latent_unrelated and own >= latent_cosine(self.encoder, [rest], [translation])

    # -- matched beads --------------------------------------------------------------------------

    def _matched(self, source: str, doc: DocumentAlignment, clauses: dict[int, list[Sentence]],
                 emb: Embeddings, tally: _Tally) -> list[BeadFeatures]:
        """Matched beads: how likely each misses (or adds) content; a likely omission flags the
        bead's weakest clause."""
        src, tgt, matched = doc.src.items, doc.tgt.items, doc.matched
        partial_flags = self.settings.partial_flags_in_documents or self.is_short(src, tgt)
        latent = [self.measurer.use_latent(src[b.src[0]:b.src[1]], tgt[b.tgt[0]:b.tgt[1]]) for b in matched]
        if any(latent):  # the latent terms (token states) of every bead that needs them, in one call
            texts = [x.text for b, use in zip(matched, latent) if use
                     for x in src[b.src[0]:b.src[1]] + tgt[b.tgt[0]:b.tgt[1]]]
            self.encoder.latent_terms(texts)
            if self.settings.word_alignment:
                self.encoder.token_states(texts)
        features: list[BeadFeatures] = []
        for bead, use_latent in zip(matched, latent):
            b_src, b_tgt = src[bead.src[0]:bead.src[1]], tgt[bead.tgt[0]:bead.tgt[1]]
            feat = self.measurer.basic(bead, src, tgt, doc.expected)
            words = None
            if use_latent:
                feat = self.measurer.latent(feat, [x.text for x in b_src], [t.text for t in b_tgt])
                if self.settings.word_alignment:
                    words = self.measurer.word_alignment(b_src, b_tgt)
                    feat = with_words(feat, words)
            features.append(feat)
            p_omit, p_add = self.models.p_omit(feat), self.models.p_add(feat)
            if (words is not None and self.settings.unrendered_stretches and not bead.loose
                    and p_omit >= self.settings.stretch_probability):
                self._unrendered_stretch(source, doc, bead, words, emb, tally)
            tally.missing_units += past_bar(p_omit, self.settings.flag_probability) * feat.units
            for i in range(bead.src[0], bead.src[1]):
                tally.prob[i] = p_omit
            added = sum(t.units for t in b_tgt if t.content)
            tally.added_units += past_bar(p_add, self.settings.flag_probability) * added
            if p_omit >= self.settings.flag_probability and not bead.loose and partial_flags:
                weakest = weakest_clause_dense(bead, src, clauses, doc.tgt.emb, doc.tgt.bias, doc.tgt.weights,
                                               emb, self.settings)
                if weakest is not None:
                    tally.flags.append(self.flags.omission(weakest.span, source, self._source_evidence(
                        "omission_partial", p_omit, source, weakest.span, weakest.units, tally)))
        return features

    def _unrendered_stretch(self, source: str, doc: DocumentAlignment, bead: Bead, words: WordAlignment,
                            emb: Embeddings, tally: _Tally) -> None:
        """A matched bead likely missing content whose source holds a long run of words the
        translation does not render (stretches.py): that run is flagged as an omitted passage, its
        confidence from its best similarity to any target sentence, as for an unmatched one --
        unless a target sentence the alignment left unmatched next to the bead translates it (the
        two sides cut their sentences differently: a loose pair, not an omission)."""
        st = self.settings
        stretch = longest_unaligned_stretch(words.source_marks, st.stretch_aligned_cost)
        if stretch is None:
            return
        text = source[stretch.span[0]:stretch.span[1]]
        units = content_units(text)
        if units < st.stretch_min_units:
            return
        passage = Sentence(stretch.span, text, units, True)
        emb.add([text])
        if any(self.loose.strength(self.loose.evidence(passage, t, emb), doc.threshold) is not None
               for t in _unmatched_next_to(doc, bead)):
            return
        if self._rendered_next_door(doc, bead, stretch.span) >= st.stretch_rendered_nearby:
            return
        conf = self._unmatched_confidence([passage], doc.tgt, emb, doc.threshold)
        sentence = next((x.span for x in doc.src.items[bead.src[0]:bead.src[1]]
                         if x.span[0] <= stretch.span[0] < x.span[1]), stretch.span)
        span = snapped(stretch, words.source_marks, sentence, st.stretch_slack_words)
        tally.flags.append(self.flags.omission(span, source, self._source_evidence(
            "omission_stretch", conf, source, span, content_units(source[span[0]:span[1]]), tally)))

    def _rendered_next_door(self, doc: DocumentAlignment, bead: Bead, span: tuple[int, int]) -> float:
        """The highest share of the words of a stretch (`span`, inside `bead`'s source) that align
        when the bead is word-aligned together with its nearest neighbour holding target sentences
        (before, then after): a neighbour's translation that renders the stretch (the two sides cut
        a long sentence at different places) claims its words against the neighbour's own source."""
        src, tgt = doc.src.items, doc.tgt.items
        at = next(i for i, b in enumerate(doc.beads) if b is bead)
        best = 0.0
        for step in (-1, 1):
            k = at + step
            while 0 <= k < len(doc.beads) and doc.beads[k].tgt[1] <= doc.beads[k].tgt[0]:
                k += step
            if not 0 <= k < len(doc.beads):
                continue
            near = doc.beads[k]
            found = self.measurer.word_alignment(
                src[min(bead.src[0], near.src[0]):max(bead.src[1], near.src[1])],
                tgt[min(bead.tgt[0], near.tgt[0]):max(bead.tgt[1], near.tgt[1])])
            inside = [aligned for a, b, aligned in found.source_marks if span[0] <= a and b <= span[1]]
            if inside:
                best = max(best, sum(inside) / len(inside))
        return best

    # -- short segments ----------------------------------------------------------------------------

    def _as_one_bead(self, source: str, translation: str, doc: DocumentAlignment,
                     clauses: dict[int, list[Sentence]], emb: Embeddings, tally: _Tally,
                     src_total: float, tgt_total: float) -> tuple[float, float, list[BeadFeatures]]:
        """A short segment (a sentence or two each side) is judged as one bead: the alignment
        still places the flags, but the scores come from the whole texts. Their similarity is the
        lower of two views: the texts embedded whole (on HalOmi, better than the sentence average)
        and the average of the sentences' embeddings (which a dropped sentence moves more)."""
        src, tgt = doc.src, doc.tgt
        whole_src, whole_tgt = whole(src.items, source), whole(tgt.items, translation)
        as_text = emb.between(whole_src, whole_tgt)
        by_sentence = float(normalized(block(src.emb, src.weights) @ block(tgt.emb, tgt.weights),
                                       np.average(src.bias, weights=src.weights),
                                       np.average(tgt.bias, weights=tgt.weights)))
        one = Bead((0, len(src.items)), (0, len(tgt.items)), min(as_text, by_sentence))
        feat = self.measurer.basic(one, src.items, tgt.items, expected=0.0)
        if self.measurer.use_latent(src.items, tgt.items):
            feat = self.measurer.latent(feat, [whole_src], [whole_tgt])
            feat = self.measurer.aligned(feat, src.items, tgt.items)
        omission, addition = self.models.p_omit(feat), self.models.p_add(feat)
        if doc.matched:  # some sentences align: the ones that do not are missing content too
            omission = max(omission, tally.unmatched_units / src_total)
            addition = max(addition, tally.added_unmatched_units / tgt_total)
        has_flag = any(f.type == "omission" for f in tally.flags)
        if omission >= self.settings.flag_probability and not has_flag:
            weakest = weakest_clause_dense(one, src.items, clauses, tgt.emb, tgt.bias, tgt.weights, emb,
                                           self.settings)
            if weakest is not None:
                tally.flags.append(self.flags.omission(weakest.span, source, self._source_evidence(
                    "omission_partial", omission, source, weakest.span, weakest.units, tally)))
        tally.prob = [max(p, omission) for p in tally.prob]
        return omission, addition, [feat]
