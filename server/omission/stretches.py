"""Unrendered stretches: a run of a matched pair's source words that the translation leaves out.

The sentence aligner works on whole sentences, so a sentence the segmenter could not cut off
its neighbour (a headline or subheading run into the next sentence without punctuation, Chinese
lines without 。, a quotation glued to the next one) is matched as one with the translation of
its other half: the dropped half disappears inside a matched bead. The word alignment still
sees it, as a long run of source words none of which has a counterpart.

The run is the stretch of the source's words that maximizes (unaligned words) - `aligned_cost`
x (aligned words) (the maximum-sum segment; a stray aligned word -- a name or number the
translation repeats elsewhere, a function word aligned by chance -- does not cut it). Only a
long one counts (document.py flags it when the bead's omission probability is high too): short
unaligned runs are how every free translation looks.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The price of an aligned word inside a stretch (the default of Settings.stretch_aligned_cost;
#: the pair models' candidate `stretch` input is measured at it).
STRETCH_ALIGNED_COST = 2.0


@dataclass(frozen=True)
class Stretch:
    """A run of source words: its code-point span, and how many of its words are (un)aligned."""

    span: tuple[int, int]
    unaligned: int
    aligned: int


def longest_unaligned_stretch(marks: tuple[tuple[int, int, bool], ...], aligned_cost: float) -> Stretch | None:
    """The maximum-sum run of `marks` ((start, end, aligned) per word, in text order) scoring +1
    per unaligned word and -`aligned_cost` per aligned one; None when every word is aligned."""
    best_sum, best = 0.0, None
    running, start = 0.0, 0
    for i, (_, _, aligned) in enumerate(marks):
        if running <= 0.0:
            running, start = 0.0, i
        running += -aligned_cost if aligned else 1.0
        if running > best_sum:
            best_sum, best = running, (start, i + 1)
    if best is None:
        return None
    words = marks[best[0]:best[1]]
    aligned = sum(1 for _, _, a in words if a)
    return Stretch((words[0][0], words[-1][1]), len(words) - aligned, aligned)


def snapped(stretch: Stretch, marks: tuple[tuple[int, int, bool], ...], sentence: tuple[int, int],
            slack_words: int) -> tuple[int, int]:
    """The stretch's span, widened to its sentence's start (end) when at most `slack_words` words
    of the sentence lie before (after) it: a word the alignment matched by chance ("Farmers" to
    "Grundbesitzern") should not leave the flag starting mid-phrase."""
    start, end = stretch.span
    before = sum(1 for a, _, _ in marks if sentence[0] <= a < start)
    after = sum(1 for _, b, _ in marks if end < b <= sentence[1])
    if before <= slack_words:
        start = min(start, next((a for a, _, _ in marks if a >= sentence[0]), start))
    if after <= slack_words:
        end = max(end, max((b for _, b, _ in marks if b <= sentence[1]), default=end))
    return start, end
