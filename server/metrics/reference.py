"""BLEU, chrF and TER through sacrebleu, sentence- and corpus-level.

Each segment's sufficient statistics are extracted once; the sentence score and
the running corpus score are both computed from them, so the corpus score is
sacrebleu's own corpus score (not an average of sentence scores). Sentence BLEU
uses effective order, as `sacrebleu.sentence_bleu` does.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Sequence

import structlog
from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.utils import sum_of_lists

from lacuna.languages import Language
from lacuna.server.model import CorpusScoreData, MetricSpec, ScorerOutput, SegmentInput
from lacuna.server.scorer import CorpusAccumulator, Scorer

METRIC_NAMES = ("bleu", "chrf", "ter")
TOKENIZERS = ("13a", "ja-mecab", "zh", "ko-mecab")

log = structlog.get_logger("lacuna.metrics")


def bleu_tokenizer(lang: Language) -> str:
    """sacrebleu tokenizer for a target language (also selects TER's CJK handling)."""
    return {"ja": "ja-mecab", "zh": "zh", "ko": "ko-mecab"}.get(lang.base, "13a")


class _MetricSet:
    """The sacrebleu objects for one tokenizer. MeCab taggers are not thread-safe: one lock each."""

    def __init__(self, tokenize: str):
        self.tokenize = tokenize
        self.bleu_corpus = BLEU(tokenize=tokenize)
        self.bleu_sentence = BLEU(tokenize=tokenize, effective_order=True)
        self.chrf = CHRF()
        # tercom splits CJK text into characters only with normalization on.
        cjk = tokenize != "13a"
        self.ter = TER(normalized=cjk, asian_support=cjk)
        self.lock = threading.Lock()
        # sacrebleu fills in the reference count (part of the signature) on first use.
        for obj in (self.bleu_corpus, self.bleu_sentence, self.chrf, self.ter):
            obj.corpus_score(["a"], [["a"]])

    def stats(self, metric: str, hyp: str, ref: str) -> list:
        obj = {"bleu": self.bleu_corpus, "chrf": self.chrf, "ter": self.ter}[metric]
        with self.lock:
            return obj._extract_corpus_statistics([hyp], [[ref]])[0]

    def sentence(self, metric: str, stats: list) -> float:
        obj = {"bleu": self.bleu_sentence, "chrf": self.chrf, "ter": self.ter}[metric]
        return float(obj._compute_score_from_stats(stats).score)

    def corpus(self, metric: str, summed: list) -> float:
        obj = {"bleu": self.bleu_corpus, "chrf": self.chrf, "ter": self.ter}[metric]
        return float(obj._compute_score_from_stats(summed).score)

    def signature(self, metric: str, sentence: bool = False) -> str:
        if metric == "bleu":
            obj = self.bleu_sentence if sentence else self.bleu_corpus
        else:
            obj = {"chrf": self.chrf, "ter": self.ter}[metric]
        return obj.get_signature().format()


class ReferenceMetrics(Scorer):
    """BLEU / chrF / TER for segments that carry a reference."""

    name = "sacrebleu"

    def __init__(self) -> None:
        self._sets: dict[str, _MetricSet] = {}
        self._sets_lock = threading.Lock()
        self._unavailable: dict[str, str] | None = None

    def metric_set(self, lang: Language) -> _MetricSet:
        return self.metric_set_for(bleu_tokenizer(lang))

    def metrics(self) -> list[MetricSpec]:
        signatures = {m: [] for m in METRIC_NAMES}
        missing = self.unavailable_tokenizers()
        for tok in TOKENIZERS:
            if tok in missing:
                continue
            ms = self.metric_set_for(tok)
            for m in METRIC_NAMES:
                if ms.signature(m) not in signatures[m]:
                    signatures[m].append(ms.signature(m))
        note = "".join(f"; tokenizer {tok} unavailable ({why})" for tok, why in missing.items())
        return [
            MetricSpec("bleu", "sacrebleu BLEU (sentence: effective order)" + note, True, True, True,
                       tuple(signatures["bleu"])),
            MetricSpec("chrf", "sacrebleu chrF", True, True, True, tuple(signatures["chrf"])),
            MetricSpec("ter", "sacrebleu TER (lower is better)" + note, True, False, True,
                       tuple(signatures["ter"])),
        ]

    def metric_set_for(self, tok: str) -> _MetricSet:
        with self._sets_lock:
            if tok not in self._sets:
                self._sets[tok] = _MetricSet(tok)
            return self._sets[tok]

    def unavailable_tokenizers(self) -> dict[str, str]:
        """Tokenizers whose optional dependency is missing (MeCab for ja/ko) -> sacrebleu's reason.
        Each is logged once as a warning; any other error is a bug and propagates."""
        if self._unavailable is None:
            found: dict[str, str] = {}
            for tok in TOKENIZERS:
                try:
                    self.metric_set_for(tok)
                except (ImportError, RuntimeError) as exc:  # sacrebleu's "install mecab" errors
                    found[tok] = " ".join(str(exc).split())[:200] or type(exc).__name__
                    log.warning("tokenizer_unavailable", tokenizer=tok, reason=found[tok])
            self._unavailable = found
        return self._unavailable

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
        tok = bleu_tokenizer(segment.tgt_lang)
        self._lang[tok] = segment.tgt_lang
        for metric, s in stats.items():
            acc = self._acc[(metric, *segment.pair, tok)]
            acc[0] = list(s) if acc[0] is None else sum_of_lists([acc[0], s])
            acc[1] += 1

    def results(self) -> list[CorpusScoreData]:
        out = []
        for (metric, src, tgt, tok), (summed, n) in sorted(self._acc.items()):
            ms = self._owner.metric_set(self._lang[tok])
            out.append(CorpusScoreData(metric, ms.corpus(metric, summed), ms.signature(metric), n, src, tgt))
        return out
