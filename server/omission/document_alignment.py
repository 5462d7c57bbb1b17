"""Aligning the sentences of a source and its translation (the document analysis' first half).

The threshold adapts to the document: a share of the typical similarity of its mutually-best
sentence pairs, so it follows how well the encoder knows the language pair. After the dynamic
programme (alignment.py), a source and a target sentence left unmatched in the same gap, each
the other's best partner, are paired as a loose translation (a shared number makes that easier);
then those that translate each other on direct comparison (loose_pairs.py); then a merged bead
sheds an edge sentence its other side does not render, and a fragment left unmatched next to a
matched bead joins it when it leaves the bead's sides no less alike -- both judged on the blocks
embedded as texts, not on the mean of their sentences' embeddings the aligner uses. A title (a
first line that is one sentence without a sentence end) is kept apart throughout: it pairs with
the other side's title or with nothing, and is not folded into the next line's pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lacuna.server.omission.alignment import TITLE_MISMATCH, Bead, align, pair_in_gaps, pair_leftovers
from lacuna.server.omission.evidence import numbers
from lacuna.server.omission.length import log_length_ratio
from lacuna.server.omission.loose_pairs import names
from lacuna.server.omission.measure import unaligned_share
from lacuna.server.omission.passages import Sentence
from lacuna.server.omission.segmentation import ends_sentence
from lacuna.server.omission.settings import Settings
from lacuna.server.omission.similarity import Embeddings, block, normalized, normalized_matrix

if TYPE_CHECKING:
    from lacuna.server.omission.measure import BeadMeasurer
    from lacuna.server.omission.loose_pairs import LoosePairJudge


@dataclass
class Side:
    """One side's sentences as arrays: embeddings, background biases, lengths (weights)."""

    items: list[Sentence]
    emb: np.ndarray
    bias: np.ndarray
    weights: np.ndarray
    #: breaks[k]: a line break comes before sentence k (None: no line breaks)
    breaks: np.ndarray | None = None

    @classmethod
    def of(cls, items: list[Sentence], emb: Embeddings, dim: int) -> "Side":
        if not items:
            return cls(items, np.zeros((0, dim), np.float32), np.zeros(0), np.zeros(0), np.zeros(0, bool))
        return cls(items, np.stack([emb.vectors[s.text] for s in items]),
                   np.array([emb.bias[s.text] for s in items]), np.array([max(s.units, 1.0) for s in items]),
                   np.array([s.after_break for s in items], bool))

    def crosses_break(self, span: tuple[int, int]) -> bool:
        """The sentences `span` hold a line break between two of them."""
        return self.breaks is not None and bool(self.breaks[span[0] + 1:span[1]].any())


@dataclass
class DocumentAlignment:
    """The sentence alignment of one pair, and what was used to find it."""

    src: Side
    tgt: Side
    threshold: float
    beads: list[Bead]
    #: log length ratio of each matched bead, in order
    ratios: list[float]
    #: the document's own expected log length ratio (median over matched beads), or 0
    expected: float

    @property
    def matched(self) -> list[Bead]:
        return [b for b in self.beads if b.matched]


def adaptive_threshold(src: Side, tgt: Side, settings: Settings) -> float:
    """For documents, a share of the median similarity of the mutually-best sentence pairs; for
    short texts the default."""
    st = settings
    if src.emb.shape[0] == 0 or tgt.emb.shape[0] == 0:
        return st.align_threshold
    sims = normalized_matrix(src.emb, tgt.emb, src.bias, tgt.bias)
    rows, cols = sims.argmax(axis=1), sims.argmax(axis=0)
    mutual = [float(sims[i, rows[i]]) for i in range(sims.shape[0]) if cols[rows[i]] == i]
    if len(mutual) < st.min_pairs_for_document:
        return st.align_threshold
    return float(np.clip(st.document_threshold_share * np.median(mutual),
                         st.document_threshold_min, st.document_threshold_max))


def align_document(src_items: list[Sentence], tgt_items: list[Sentence], emb: Embeddings, dim: int,
                   settings: Settings, loose: "LoosePairJudge | None" = None) -> DocumentAlignment:
    """Align the sentences (already embedded in `emb`). With `loose`, two sentences left unmatched
    in one gap that translate each other are joined as a loose translation."""
    src, tgt = Side.of(src_items, emb, dim), Side.of(tgt_items, emb, dim)
    threshold = adaptive_threshold(src, tgt, settings)
    titles = settings.title_lines and title_end(src) is not None and title_end(tgt) is not None
    beads = align(src.emb, tgt.emb, src.weights, tgt.weights, src.bias, tgt.bias, threshold, settings.merge_penalty,
                  titles)
    if src_items and tgt_items:  # a source and a target sentence left over at the same place: a loose pair?
        sims = normalized_matrix(src.emb, tgt.emb, src.bias, tgt.bias)
        if titles:  # (as in the DP: a title pairs with the other title or stays unmatched)
            sims[0, 1:] = sims[1:, 0] = -TITLE_MISMATCH
        beads = pair_leftovers(beads, sims, settings.leftover_share * threshold,
                               lambda i, j: bool(numbers(src_items[i].text) & numbers(tgt_items[j].text)),
                               within_gap=settings.leftover_within_gap)
        if loose is not None:
            usual = expected_ratio(beads, src, tgt, settings)

            belongs = _names_next_door(beads, src_items, tgt_items)

            def strength(i: int, j: int, lone: bool) -> float | None:
                if titles and (i == 0) != (j == 0):
                    return None
                if belongs(i, j):
                    return None
                share = emb.between(src_items[i].text, tgt_items[j].text) / threshold if threshold > 0 else 1.0
                below = usual - log_length_ratio(float(src.weights[i]), float(tgt.weights[j]))
                if loose.too_short(below, share):
                    return None
                return loose.strength(loose.evidence(src_items[i], tgt_items[j], emb), threshold, lone)

            beads = pair_in_gaps(beads, strength, lambda i, j: emb.between(src_items[i].text, tgt_items[j].text))
    if settings.attach_fragments:
        emb.add(_candidate_texts(beads, src, tgt))  # one encoder call for the usual candidates
        measurer = loose.measurer if loose is not None else None
        usual = expected_ratio(beads, src, tgt, settings)
        beads = split_merges(beads, src, tgt, settings, emb, measurer, usual)
        title = title_end(src) if settings.title_lines else None
        beads = attach_fragments(beads, src, tgt, settings, emb, measurer, usual, title, titles)
        if title is not None:
            split = split_headline(beads, src, tgt, emb, measurer, title, settings)
            if split != beads:  # what the cut left unmatched may belong to the next pair
                beads = attach_fragments(split, src, tgt, settings, emb, measurer, usual, title, titles)
    ratios = [bead_ratio(b, src, tgt) for b in beads if b.matched]
    return DocumentAlignment(src, tgt, threshold, beads, ratios, usual_of(ratios, settings))


def _names_next_door(beads: list[Bead], src_items: list[Sentence], tgt_items: list[Sentence]):
    """`belongs(i, j)`: source sentence i and target sentence j, both left unmatched, are no loose
    pair because one of them holds a name that the matched pair next to it has on the other side
    only -- the rest of that pair's translation -- and the two share no name (a target sentence
    "Scott Robinson brach durch ..." beside the pair of "Scott Robinson broke through but ..."
    and "Dann konnte Alan Lithgow ..." is the first half of that sentence's translation, split in
    two, not the translation of an unrelated source sentence left over in the same gap). A name
    the pair renders on both sides says nothing ("Kalbitz" named in a pair, then "Dieser" /
    "Kalbitz announced ..."). Names: capitalized Latin words and acronyms (loose_pairs.names)."""
    src_names = [names(x.text) for x in src_items]
    tgt_names = [names(x.text) for x in tgt_items]
    near_src: dict[int, frozenset] = {}  # target sentence -> names of the sources of the pairs next to it
    near_tgt: dict[int, frozenset] = {}
    for bead in beads:
        if not bead.matched:
            continue
        s_names = frozenset().union(*src_names[slice(*bead.src)])
        t_names = frozenset().union(*tgt_names[slice(*bead.tgt)])
        for j in (bead.tgt[0] - 1, bead.tgt[1]):  # names the pair's source has and its target lacks
            near_src[j] = near_src.get(j, frozenset()) | (s_names - t_names)
        for i in (bead.src[0] - 1, bead.src[1]):
            near_tgt[i] = near_tgt.get(i, frozenset()) | (t_names - s_names)

    def belongs(i: int, j: int) -> bool:
        if src_names[i] & tgt_names[j]:
            return False  # they share a name themselves
        return bool(tgt_names[j] & near_src.get(j, frozenset())) or bool(src_names[i] & near_tgt.get(i, frozenset()))

    return belongs


def bead_ratio(bead: Bead, src: Side, tgt: Side, extra_source: float = 0.0, extra_target: float = 0.0) -> float:
    """A bead's log length ratio (target / source content units), with `extra_source` /
    `extra_target` units added to a side (negative: a sentence taken out)."""
    return log_length_ratio(float(src.weights[bead.src[0]:bead.src[1]].sum()) + extra_source,
                            float(tgt.weights[bead.tgt[0]:bead.tgt[1]].sum()) + extra_target)


def expected_ratio(beads: list[Bead], src: Side, tgt: Side, settings: Settings) -> float:
    """The document's usual log length ratio: the median over its matched beads (0 when too few)."""
    return usual_of([bead_ratio(b, src, tgt) for b in beads if b.matched], settings)


def usual_of(ratios: list[float], settings: Settings) -> float:
    """The median of beads' log length ratios, or 0 when there are too few to trust."""
    return float(np.median(ratios)) if len(ratios) >= settings.min_beads_for_expected_ratio else 0.0


def lopsided(before: float, after: float, settings: Settings) -> bool:
    """`after` (a bead's log length ratio less the usual one, with a source sentence joined on)
    leaves the target too short by more than `lopsided_ratio`, `lopsided_gain` worse than
    `before` (without that sentence)."""
    return after < -settings.lopsided_ratio and abs(after) - abs(before) > settings.lopsided_gain


def block_similarity(src: Side, tgt: Side, s_range: tuple[int, int], t_range: tuple[int, int]) -> float:
    """Normalized dense similarity of two blocks of sentences (length-weighted means)."""
    (a, b), (c, d) = s_range, t_range
    return float(normalized(block(src.emb[a:b], src.weights[a:b]) @ block(tgt.emb[c:d], tgt.weights[c:d]),
                            np.average(src.bias[a:b], weights=src.weights[a:b]),
                            np.average(tgt.bias[c:d], weights=tgt.weights[c:d])))


def attach_fragments(beads: list[Bead], src: Side, tgt: Side, settings: Settings, emb: Embeddings,
                     measurer: "BeadMeasurer | None" = None, usual: float = 0.0,
                     title: int | None = None, titles: bool = False) -> list[Bead]:
    """Fourth pass: a sentence left unmatched next to a matched bead joins it when the bead's
    other side renders it. With word alignment (`measurer`): when the share of its words left
    unaligned in the grown bead is at most `attach_unaligned`, a bar that moves by
    `attach_gain_weight` times what the fragment adds to the similarity of the bead's two sides
    embedded as texts. Without: when that similarity does not drop (within `attach_margin`).
    A fragment that one side cut off as a sentence of its own ("と彼は述べた。",
    "The Rev.", the second half of a sentence the translator split in two) is part of its
    neighbour's translation, not an omission or an addition. An omitted sentence makes its
    neighbour's source block clearly less like the target. Loose pairs take no fragments. Nor
    does a pair that a source fragment would leave lopsided (`lopsided`: its target far too
    short for the grown source, against the document's `usual` ratio) when most of the
    fragment's words stay unaligned. With `title` (the source's title line ends before sentence
    `title`, see `title_end`), no fragment joins a pair across the title's end unless the pair's
    target crosses a line break too; with `titles` (both sides open with a title), no pair joins
    one side's title with the other side's body."""
    out = list(beads)
    k = 0
    while k < len(out):
        bead = out[k]
        if bead.matched:
            k += 1
            continue
        best = None
        for n in (k - 1, k + 1):
            if not 0 <= n < len(out) or not out[n].matched or out[n].loose:
                continue  # (a loose pair's embeddings are not what matched it: they cannot judge)
            grown = _grown(out[n], bead)
            if grown is None or (title is not None and _title_unrendered(grown, title, src, tgt, settings, measurer)) or (
                    titles and (grown[0][0] == 0) != (grown[1][0] == 0)):
                continue
            gain = text_similarity(src, tgt, *grown, emb) - text_similarity(src, tgt, out[n].src, out[n].tgt, emb)
            unaligned = _fragment_unaligned(grown, bead, src, tgt, measurer)
            joins = (gain >= -settings.attach_margin if unaligned is None
                     else unaligned <= settings.attach_unaligned + settings.attach_gain_weight * gain)
            if joins and bead.src[1] > bead.src[0] and (unaligned is None or unaligned >= settings.lopsided_unaligned):
                joins = not lopsided(bead_ratio(out[n], src, tgt) - usual,
                                     bead_ratio(out[n], src, tgt, extra_source=float(src.weights[bead.src[0]])) - usual, settings)
            if joins and (best is None or gain > best[0]):
                best = (gain, n, grown)
        if best is None:
            k += 1
            continue
        _, n, grown = best
        out[n] = Bead(grown[0], grown[1], block_similarity(src, tgt, *grown), loose=out[n].loose)
        del out[k]
        k = max(0, min(k, n) - 1)
    return out


def split_merges(beads: list[Bead], src: Side, tgt: Side, settings: Settings, emb: Embeddings,
                 measurer: "BeadMeasurer | None" = None, usual: float = 0.0) -> list[Bead]:
    """Third-and-a-half pass: the aligner merges sentences on the mean of their embeddings, which
    a sentence the other side lacks barely moves. A merged bead's first or last sentence whose
    removal makes the two sides, embedded as texts, more alike by more than `split_margin` is
    split off, unmatched (an omission or an addition next to its neighbour) -- with word
    alignment (`measurer`), only when at least `split_unaligned` of its words find nothing on
    the other side.
    Also, by length: a merged bead whose target is too short for its source sheds the edge
    source sentence whose removal brings its length ratio back towards the document's `usual`
    one (`lopsided`) when most of that sentence's words stay unaligned (`lopsided_unaligned`),
    or whose words nearly all stay unaligned (`unrendered_unaligned`), whatever the lengths:
    a sentence the translation lacks, which the aligner folded into its neighbour."""
    out: list[Bead] = []
    memo: dict[tuple, float | None] = {}

    def unaligned_of(bead: Bead, skip: Bead) -> float | None:  # (each edge is aligned once)
        key = (bead.src, bead.tgt, skip.src, skip.tgt)
        if key not in memo:
            memo[key] = _fragment_unaligned((bead.src, bead.tgt), skip, src, tgt, measurer)
        return memo[key]

    for bead in beads:
        if not bead.matched:
            out.append(bead)
            continue
        (a, b), (c, d) = bead.src, bead.tgt
        whole = text_similarity(src, tgt, bead.src, bead.tgt, emb) if b - a > 1 or d - c > 1 else 0.0
        edges = []  # (gain of removing it, the bead's ranges without it, the removed skip)
        if b - a > 1:
            edges.append((text_similarity(src, tgt, (a + 1, b), (c, d), emb) - whole, ((a + 1, b), (c, d)),
                          Bead((a, a + 1), (c, c), float("nan")), 0))
            edges.append((text_similarity(src, tgt, (a, b - 1), (c, d), emb) - whole, ((a, b - 1), (c, d)),
                          Bead((b - 1, b), (d, d), float("nan")), 1))
        if d - c > 1:
            edges.append((text_similarity(src, tgt, (a, b), (c + 1, d), emb) - whole, ((a, b), (c + 1, d)),
                          Bead((a, a), (c, c + 1), float("nan")), 0))
            edges.append((text_similarity(src, tgt, (a, b), (c, d - 1), emb) - whole, ((a, b), (c, d - 1)),
                          Bead((b, b), (d - 1, d), float("nan")), 1))
        gain, rest, skip, after = max(edges, key=lambda e: e[0], default=(0.0, None, None, 0))
        if rest is None or gain <= settings.split_margin:
            shed = _lopsided_edge(bead, src, tgt, settings, measurer, usual, unaligned_of)
            out.extend(shed if shed is not None else [bead])
            continue
        unaligned = unaligned_of(bead, skip)
        if unaligned is not None and unaligned < settings.split_unaligned:
            shed = _lopsided_edge(bead, src, tgt, settings, measurer, usual, unaligned_of)
            out.extend(shed if shed is not None else [bead])  # (its words find their translation in the bead)
            continue
        kept = Bead(rest[0], rest[1], block_similarity(src, tgt, *rest), loose=bead.loose)
        out.extend([kept, skip] if after else [skip, kept])
    return out


def _lopsided_edge(bead: Bead, src: Side, tgt: Side, settings: Settings, measurer: "BeadMeasurer | None",
                   usual: float, unaligned_of) -> list[Bead] | None:
    """The beads `bead` becomes when its lopsided source edge is split off (see split_merges),
    or an edge of which at least `unrendered_unaligned` of the words stay unaligned, whatever
    the lengths; or None when it keeps its sentences (needs word alignment)."""
    (a, b), (c, d) = bead.src, bead.tgt
    if b - a < 2 or measurer is None or not measurer.settings.word_alignment:
        return None
    before = bead_ratio(bead, src, tgt) - usual
    best = None
    for i, rest, after in ((a, (a + 1, b), 0), (b - 1, (a, b - 1), 1)):
        without = bead_ratio(bead, src, tgt, extra_source=-float(src.weights[i])) - usual
        skip = Bead((i, i + 1), (c, c) if not after else (d, d), float("nan"))
        unaligned = unaligned_of(bead, skip)
        if unaligned is None:
            continue
        if unaligned < settings.unrendered_unaligned and (
                unaligned < settings.lopsided_unaligned or not lopsided(without, before, settings)):
            continue
        if best is None or abs(without) < best[0]:
            best = (abs(without), rest, skip, after)
    if best is None:
        return None
    _, rest, skip, after = best
    kept = Bead(rest, bead.tgt, block_similarity(src, tgt, rest, bead.tgt), loose=bead.loose)
    return [kept, skip] if after else [skip, kept]


def title_end(src: Side) -> int | None:
    """When the source's first line is a title -- one sentence without a sentence end, more lines
    following -- the index of the sentence after it (1); else None. A line that ends as a
    sentence does is a paragraph: translators do join short ones (a dateline, a one-line quote)
    to the next."""
    if src.breaks is None or not src.breaks.any():
        return None
    end = int(np.argmax(src.breaks))  # the first line's sentences are 0 .. end-1
    return end if end == 1 and not ends_sentence(src.items[0].text) else None


def _joins_title(ranges: tuple[tuple[int, int], tuple[int, int]], title: int, tgt: Side) -> bool:
    """A pair of these ranges would join the source's title with what follows it, on a target
    that stands on one line."""
    (a, b), t_range = ranges
    return a < title < b and not tgt.crosses_break(t_range)


def _title_unrendered(ranges: tuple[tuple[int, int], tuple[int, int]], title: int, src: Side, tgt: Side,
                      settings: Settings, measurer: "BeadMeasurer | None") -> bool:
    """A pair of these ranges would join the source's title with what follows it on a target that
    stands on one line, and the title's words do not find their translation there: more than
    `title_unaligned` of them stay unaligned (a translator who put the title at the head of the
    first paragraph -- "Sturm sperrt Bergpass: Starker Schneefall ..." -- did render it). Without
    word alignment, any such pair."""
    if not _joins_title(ranges, title, tgt):
        return False
    unaligned = _fragment_unaligned(ranges, Bead((0, title), (0, 0), float("nan")), src, tgt, measurer)
    return unaligned is None or unaligned > settings.title_unaligned


def split_headline(beads: list[Bead], src: Side, tgt: Side, emb: Embeddings,
                   measurer: "BeadMeasurer | None", title: int, settings: Settings) -> list[Bead]:
    """A matched bead that joins the source's title (its first line, ending before sentence
    `title`: `title_end`) with sentences after it, while its target sentences stand on one line,
    is cut at the title's end. Of the two parts, the one that word-aligns best with the target
    keeps the pair (`_line_misfit`; a tie: the one most like the target, embedded as texts;
    without word alignment, the one most like it); the other's sentences are left unmatched. A
    translation gives its title a line of its own: a title folded into the next line's pair is
    one the translation lacks (or the next line's sentences are)."""
    out: list[Bead] = []
    for bead in beads:
        if not bead.matched or not _title_unrendered((bead.src, bead.tgt), title, src, tgt, settings, measurer):
            out.append(bead)
            continue
        (a, b), (c, d) = bead.src, bead.tgt
        lines = [(a, title), (title, b)]
        keep = max(lines, key=lambda line: (-_line_misfit(bead, line, src, tgt, measurer),
                                            text_similarity(src, tgt, line, bead.tgt, emb)))
        out += [Bead((i, i + 1), (c, c), float("nan")) for i in range(a, keep[0])]
        out.append(Bead(keep, bead.tgt, block_similarity(src, tgt, keep, bead.tgt), loose=bead.loose))
        out += [Bead((i, i + 1), (d, d), float("nan")) for i in range(keep[1], b)]
    return out


def _line_misfit(bead: Bead, line: tuple[int, int], src: Side, tgt: Side, measurer: "BeadMeasurer | None") -> float:
    """How badly the source sentences `line` alone and `bead`'s target sentences word-align: the
    mean of the content-weighted shares of each side's words left unaligned (the line's words the
    target does not render, the target's words the line does not account for); 0 without word
    alignment."""
    if measurer is None or not measurer.settings.word_alignment:
        return 0.0
    ranges = (line, bead.tgt)
    own = [_fragment_unaligned(ranges, Bead((i, i + 1), (0, 0), float("nan")), src, tgt, measurer) for i in range(*line)]
    other = [_fragment_unaligned(ranges, Bead((0, 0), (j, j + 1), float("nan")), src, tgt, measurer)
             for j in range(*bead.tgt)]
    return 0.5 * (float(np.average(own, weights=src.weights[line[0]:line[1]]))
                  + float(np.average(other, weights=tgt.weights[bead.tgt[0]:bead.tgt[1]])))


def _fragment_unaligned(ranges, skip: Bead, src: Side, tgt: Side, measurer: "BeadMeasurer | None") -> float | None:
    """Share of the skipped sentence's words left unaligned in the bead `ranges` that holds it,
    or None without word alignment."""
    if measurer is None or not measurer.settings.word_alignment:
        return None
    s_items, t_items = src.items[slice(*ranges[0])], tgt.items[slice(*ranges[1])]
    if skip.src[1] > skip.src[0]:
        return unaligned_share(measurer, s_items, t_items, src.items[skip.src[0]])
    return unaligned_share(measurer, t_items, s_items, tgt.items[skip.tgt[0]])


def _candidate_texts(beads: list[Bead], src: Side, tgt: Side) -> list[str]:
    """The block texts the two passes below will most likely compare: every merged bead with and
    without each edge sentence, every matched bead next to an unmatched sentence with and
    without it."""
    ranges = []
    for k, bead in enumerate(beads):
        if not bead.matched:
            continue
        (a, b), (c, d) = bead.src, bead.tgt
        ranges.append((bead.src, bead.tgt))
        if b - a > 1:
            ranges += [((a + 1, b), (c, d)), ((a, b - 1), (c, d))]
        if d - c > 1:
            ranges += [((a, b), (c + 1, d)), ((a, b), (c, d - 1))]
        for n in (k - 1, k + 1):
            if 0 <= n < len(beads) and not beads[n].matched and (grown := _grown(bead, beads[n])) is not None:
                ranges.append(grown)
    return [text for s_range, t_range in ranges
            for text in (block_text(src.items, s_range), block_text(tgt.items, t_range))]


def block_text(items: list[Sentence], span: tuple[int, int]) -> str:
    """A block of consecutive sentences as one text (what the encoder reads for it)."""
    return " ".join(x.text for x in items[span[0]:span[1]])


def text_similarity(src: Side, tgt: Side, s_range: tuple[int, int], t_range: tuple[int, int],
                    emb: Embeddings) -> float:
    """Normalized similarity of two blocks of sentences embedded as texts (the encoder reads the
    joined sentences; a block of one sentence is that sentence). Slower than `block_similarity`
    but it sees what a sentence adds to a block: encoded on first use, cached in `emb`."""
    a, b = block_text(src.items, s_range), block_text(tgt.items, t_range)
    emb.add([a, b])
    return emb.between(a, b)


def _grown(neighbour: Bead, skip: Bead) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The ranges of `neighbour` with the skipped sentence added, when it is adjacent on its side."""
    (a, b), (c, d) = neighbour.src, neighbour.tgt
    if skip.src[1] > skip.src[0]:
        i = skip.src[0]
        return ((a, i + 1), (c, d)) if i == b else ((i, b), (c, d)) if i + 1 == a else None
    j = skip.tgt[0]
    return ((a, b), (c, j + 1)) if j == d else ((a, b), (j, d)) if j + 1 == c else None


def neighbour_length_fit(doc: DocumentAlignment, first: int, last: int, units: float, on_source: bool) -> float:
    """How much closer to the document's usual length ratio (`doc.expected`) the nearest aligned
    pair before or after a passage would come if the passage (sentences `first`..`last` of one
    side, `units` content units) were joined to it: |r| - |r'| of the better neighbour, r the
    pair's log length ratio less the expected one. Positive: the pair's other side is longer
    than its own content explains, by about this passage -- a sentence split off and rendered
    inside its neighbour's translation. Negative: joining it makes the pair lopsided -- a
    passage the other side really lacks. 0 when no pair is aligned on either side."""
    best = None
    for bead in doc.matched:
        own = bead.src if on_source else bead.tgt
        if own[1] != first and own[0] != last + 1:
            continue
        before = bead_ratio(bead, doc.src, doc.tgt) - doc.expected
        after = bead_ratio(bead, doc.src, doc.tgt, *((units, 0.0) if on_source else (0.0, units))) - doc.expected
        fit = abs(before) - abs(after)
        best = fit if best is None else max(best, fit)
    return 0.0 if best is None else best
