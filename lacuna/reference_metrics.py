"""BLEU, chrF and TER through sacrebleu, configured one way for the server, the
client's summary and the report.

The tokenizer follows the target language as sacrebleu maps it (`ja-mecab`, `zh`,
`ko-mecab`, else `13a`). When a tokenizer's extra is not installed (MeCab for
`ja-mecab`/`ko-mecab`), every reader falls back to sacrebleu's `char` tokenizer,
and the signature says so. TER splits CJK characters (`normalized`,
`asian_support`) for the languages written without spaces that sacrebleu maps.
Sentence BLEU uses effective order, as `sacrebleu.sentence_bleu` does.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Sequence

import structlog
from sacrebleu.metrics import BLEU, CHRF, TER

from lacuna.languages import Language, UnknownLanguage, parse

METRICS = ("bleu", "chrf", "ter")
DEFAULT_TOKENIZER = BLEU.TOKENIZER_DEFAULT  # "13a"
FALLBACK_TOKENIZER = "char"
#: The tokenizers capabilities describe, in their order.
TOKENIZERS = (DEFAULT_TOKENIZER, "ja-mecab", "zh", "ko-mecab")

log = structlog.get_logger("lacuna.metrics")
_unavailable: dict[str, str] = {}  # tokenizer -> why sacrebleu cannot build it here


def _base(lang: Language | str) -> str:
    if isinstance(lang, Language):
        return lang.base
    try:
        return parse(str(lang)).base
    except UnknownLanguage:
        return ""


@lru_cache(maxsize=None)
def tokenizer_usable(name: str) -> bool:
    """Whether sacrebleu can build this tokenizer here (its extra is installed). A missing extra
    is logged once with sacrebleu's reason; any other error is a bug and propagates."""
    try:
        BLEU(tokenize=name)
    except (ImportError, RuntimeError) as exc:  # sacrebleu's "install mecab" errors
        _unavailable[name] = " ".join(str(exc).split())[:200] or type(exc).__name__
        log.warning("tokenizer_unavailable", tokenizer=name, reason=_unavailable[name], fallback=FALLBACK_TOKENIZER)
        return False
    _unavailable.pop(name, None)
    return True


def unavailable_tokenizers() -> dict[str, str]:
    """The tokenizers of TOKENIZERS that cannot be built here -> why."""
    return {name: _unavailable[name] for name in TOKENIZERS if not tokenizer_usable(name)}


def tokenizer_for(lang: Language | str) -> str:
    """The sacrebleu tokenizer for a target language (a Language or a tag; 13a when unknown)."""
    name = BLEU._TOKENIZER_MAP.get(_base(lang), DEFAULT_TOKENIZER)
    if name == DEFAULT_TOKENIZER or tokenizer_usable(name):
        return name
    return FALLBACK_TOKENIZER


class MetricSet:
    """The sacrebleu objects for one tokenizer. MeCab taggers are not thread-safe: one lock each."""

    def __init__(self, tokenize: str):
        self.tokenize = tokenize
        self.bleu_corpus = BLEU(tokenize=tokenize)
        self.bleu_sentence = BLEU(tokenize=tokenize, effective_order=True)
        self.chrf = CHRF()
        # tercom splits CJK text into characters only with normalization on.
        cjk = tokenize != DEFAULT_TOKENIZER
        self.ter = TER(normalized=cjk, asian_support=cjk)
        self.lock = threading.Lock()
        # sacrebleu fills in the reference count (part of the signature) on first use.
        for obj in (self.bleu_corpus, self.bleu_sentence, self.chrf, self.ter):
            obj.corpus_score(["a"], [["a"]])

    def _corpus_object(self, metric: str):
        return {"bleu": self.bleu_corpus, "chrf": self.chrf, "ter": self.ter}[metric]

    def stats(self, metric: str, hyp: str, ref: str) -> list:
        """One segment's sufficient statistics (TER runs its edit-distance search)."""
        obj = self._corpus_object(metric)
        with self.lock:
            return obj._extract_corpus_statistics([hyp], [[ref]])[0]

    def stats_from_sentence(self, metric: str, hyp: str, ref: str, sentence_score: float) -> list:
        """The same statistics, cheaper: TER's edits come from its sentence score (edits = TER x
        reference length), so the edit-distance search is not run again; BLEU and chrF skip
        sacrebleu's per-call set-up."""
        if metric == "ter":
            with self.lock:
                ref_len = len(self.ter._preprocess_segment(ref).split())
                if ref_len == 0:
                    return [len(self.ter._preprocess_segment(hyp).split()), 0]
            return [round(sentence_score * ref_len / 100.0), ref_len]
        obj = self._corpus_object(metric)
        with self.lock:
            ref_info = obj._extract_reference_info([obj._preprocess_segment(ref)])
            return obj._compute_segment_statistics(obj._preprocess_segment(hyp), ref_info)

    def sentence(self, metric: str, stats: list) -> float:
        obj = {"bleu": self.bleu_sentence, "chrf": self.chrf, "ter": self.ter}[metric]
        return float(obj._compute_score_from_stats(stats).score)

    def corpus(self, metric: str, summed: list) -> float:
        return float(self._corpus_object(metric)._compute_score_from_stats(summed).score)

    def signature(self, metric: str, sentence: bool = False) -> str:
        obj = self.bleu_sentence if (metric == "bleu" and sentence) else self._corpus_object(metric)
        return obj.get_signature().format()


_sets: dict[str, MetricSet] = {}
_sets_lock = threading.Lock()


def metric_set(lang: Language | str) -> MetricSet:
    """The shared MetricSet for a target language (one per tokenizer, built on first use)."""
    return metric_set_for_tokenizer(tokenizer_for(lang))


def metric_set_for_tokenizer(tokenize: str) -> MetricSet:
    with _sets_lock:
        found = _sets.get(tokenize)
        if found is None:
            found = _sets[tokenize] = MetricSet(tokenize)
        return found


def add_stats(total: list | None, stats: Sequence) -> list:
    """Running sum of sufficient statistics."""
    return list(stats) if total is None else [a + b for a, b in zip(total, stats)]


def corpus_scores(hyps: Sequence[str], refs: Sequence[str], tgt_lang: Language | str,
                  metrics: Sequence[str] = METRICS) -> dict[str, tuple[float, str]]:
    """{metric: (corpus score, signature)} over parallel translations and references."""
    ms = metric_set(tgt_lang)
    out = {}
    for metric in metrics:
        total = None
        for hyp, ref in zip(hyps, refs):
            total = add_stats(total, ms.stats(metric, hyp, ref))
        if total is not None:
            out[metric] = (ms.corpus(metric, total), ms.signature(metric))
    return out


def known_signatures(metric: str) -> list[str]:
    """The signatures `metric` can have here, one per usable tokenizer (for capabilities)."""
    out: list[str] = []
    for tok in dict.fromkeys(tokenizer_for_name(n) for n in TOKENIZERS):
        sig = metric_set_for_tokenizer(tok).signature(metric)
        if sig not in out:
            out.append(sig)
    return out


def tokenizer_for_name(name: str) -> str:
    """`name` if usable here, else the fallback."""
    return name if name == DEFAULT_TOKENIZER or tokenizer_usable(name) else FALLBACK_TOKENIZER
