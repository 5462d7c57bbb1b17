"""BLEU, chrF and TER through sacrebleu, sentence- and corpus-level.

Each segment's sufficient statistics are extracted once; the sentence score and
the running corpus score are both computed from them, so the corpus score is
sacrebleu's own corpus score (not an average of sentence scores). The sacrebleu
configuration (tokenizer per target language, TER's CJK handling, effective
order) is `lacuna.reference_metrics`, shared with the client and the report.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

from lacuna.languages import Language
from lacuna.metric_direction import higher_is_better
from lacuna.reference_metrics import METRICS as METRIC_NAMES
from lacuna.reference_metrics import (
    MetricSet,
    add_stats,
    known_signatures,
    metric_set,
    tokenizer_for,
    unavailable_tokenizers,
)
from lacuna.server.model import CorpusScoreData, MetricSpec, ScorerOutput, SegmentInput
from lacuna.server.scorer import CorpusAccumulator, Scorer

__all__ = ["METRIC_NAMES", "ReferenceMetrics", "bleu_tokenizer"]


def bleu_tokenizer(lang: Language) -> str:
    """sacrebleu tokenizer for a target language (also selects TER's CJK handling)."""
    return tokenizer_for(lang)


class ReferenceMetrics(Scorer):
    """BLEU / chrF / TER for segments that carry a reference."""

    name = "sacrebleu"

    def metric_set(self, lang: Language) -> MetricSet:
        return metric_set(lang)

    def metrics(self) -> list[MetricSpec]:
        note = "".join(f"; tokenizer {tok} unavailable ({why}), char used instead"
                       for tok, why in unavailable_tokenizers().items())
        descriptions = {"bleu": "sacrebleu BLEU (sentence: effective order)" + note, "chrf": "sacrebleu chrF",
                        "ter": "sacrebleu TER (lower is better)" + note}
        return [MetricSpec(m, descriptions[m], True, higher_is_better(m), True, tuple(known_signatures(m)))
                for m in METRIC_NAMES]

    def score(self, segments: Sequence[SegmentInput], metrics: frozenset[str]) -> list[ScorerOutput]:
        wanted = [m for m in METRIC_NAMES if m in metrics]
        outputs = []
        for seg in segments:
            out = ScorerOutput()
            if seg.reference is not None and wanted:
                ms = self.metric_set(seg.tgt_lang)
                stats = {}
                for m in wanted:
                    stats[m] = ms.stats(m, seg.translation, seg.reference)
                    out.scores[m] = ms.sentence(m, stats[m])
                out.corpus_stats = stats
            outputs.append(out)
        return outputs

    def corpus(self, metrics: frozenset[str]) -> CorpusAccumulator | None:
        wanted = [m for m in METRIC_NAMES if m in metrics]
        return _ReferenceCorpus(self, wanted) if wanted else None


class _ReferenceCorpus(CorpusAccumulator):
    def __init__(self, owner: ReferenceMetrics, metrics: list[str]):
        self._owner = owner
        self._metrics = metrics
        # (metric, src, tgt, tokenizer) -> [summed stats, count]
        self._acc: dict[tuple[str, str, str, str], list] = defaultdict(lambda: [None, 0])
        self._lang: dict[str, Language] = {}

    def add(self, segment: SegmentInput, output: ScorerOutput) -> None:
        stats = output.corpus_stats
        if not stats:
            return
        tok = tokenizer_for(segment.tgt_lang)
        self._lang[tok] = segment.tgt_lang
        for metric, s in stats.items():
            acc = self._acc[(metric, *segment.pair, tok)]
            acc[0] = add_stats(acc[0], s)
            acc[1] += 1

    def results(self) -> list[CorpusScoreData]:
        out = []
        for (metric, src, tgt, tok), (summed, n) in sorted(self._acc.items()):
            ms = self._owner.metric_set(self._lang[tok])
            out.append(CorpusScoreData(metric, ms.corpus(metric, summed), ms.signature(metric), n, src, tgt))
        return out
