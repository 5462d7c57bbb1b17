"""HalOmi (Dale et al., EMNLP 2023): loading the core file and the paper's metrics.

The data (CC BY-NC 4.0) is read at run time from ../shared/data/halomi; nothing
derived from it is stored in the repository.
"""

from __future__ import annotations

import csv
import os
import pathlib
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

DEFAULT_PATH = pathlib.Path(os.environ.get(
    "LACUNA_SHARED", pathlib.Path(__file__).resolve().parents[2] / "shared")) / "data" / "halomi" / "halomi_core.tsv"

HIGH_RESOURCE = ("arb_Arab", "deu_Latn", "rus_Cyrl", "spa_Latn", "zho_Hans")
OMIT_CLASSES = ("1_No_omission", "2_Small_omission", "3_Partial_omission", "4_Full_omission")
HALL_CLASSES = ("1_No_hallucination", "2_Small_hallucination", "3_Partial_hallucination", "4_Full_hallucination")


@dataclass(frozen=True)
class Row:
    src_lang: str
    tgt_lang: str
    src_text: str
    mt_text: str
    omit_spans: str
    hall_spans: str
    omit_class: int  # 0..3
    hall_class: int  # 0..3
    data_source: str

    @property
    def direction(self) -> str:
        return f"{self.src_lang}-{self.tgt_lang}"

    @property
    def high_resource(self) -> bool:
        return "eng_Latn" in (self.src_lang, self.tgt_lang) and (
            self.src_lang in HIGH_RESOURCE or self.tgt_lang in HIGH_RESOURCE)


def load(path: str | os.PathLike = DEFAULT_PATH) -> list[Row]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t")
        return [Row(r["src_lang"], r["tgt_lang"], r["src_text"], r["mt_text"], r["omit_spans"], r["hall_spans"],
                    OMIT_CLASSES.index(r["class_omit"]), HALL_CLASSES.index(r["class_hall"]), r["data_source"])
                for r in reader]


def percent_correct_pairs(labels: Sequence[float], scores: Sequence[float]) -> float:
    """Multi-class ROC AUC (stopes' percent_correct_pairs): among pairs of items with
    different labels, the share the score orders the same way; ties count half."""
    y = np.asarray(labels, dtype=float)
    s = np.asarray(scores, dtype=float)
    higher_label = y[:, None] > y[None, :]
    if not higher_label.any():
        return float("nan")
    diff = s[:, None] - s[None, :]
    correct = (diff > 0) + 0.5 * (diff == 0)
    return float(correct[higher_label].mean())


# -- word level -----------------------------------------------------------------------

_MARK = re.compile(r"<<<|>>>")


def char_mask(marked: str, plain: str) -> np.ndarray:
    """Per-character 0/1 mask over `plain` from the `<<<...>>>`-marked copy.

    The annotation sometimes differs from the plain text (extra spaces, stray
    marks): characters are matched greedily, skipping what does not match.
    """
    mask = np.zeros(len(plain), dtype=np.int8)
    inside, j = False, 0
    pos = 0
    while pos < len(marked) and j < len(plain):
        if marked.startswith("<<<", pos):
            inside, pos = True, pos + 3
            continue
        if marked.startswith(">>>", pos):
            inside, pos = False, pos + 3
            continue
        ch = marked[pos]
        if ch == plain[j]:
            mask[j] = 1 if inside else 0
            j += 1
        elif ch.isspace():
            pass  # extra space in the annotation
        elif plain[j].isspace():
            j += 1
            continue
        pos += 1
    return mask


def word_spans(text: str) -> list[tuple[int, int]]:
    """Words as sacrebleu's TokenizerZh splits them (each CJK character a word, punctuation
    split off), located back in `text`; tokens the tokenizer rewrote are skipped."""
    from sacrebleu.tokenizers.tokenizer_zh import TokenizerZh

    global _ZH
    if _ZH is None:
        _ZH = TokenizerZh()
    spans, pos = [], 0
    for token in _ZH(text).split():
        found = text.find(token, pos)
        if found < 0:
            continue
        spans.append((found, found + len(token)))
        pos = found + len(token)
    return spans


_ZH = None


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Binary ROC AUC by the rank-sum formula (ties count half); vectorized, so a bootstrap can
    call it a thousand times on thousands of rows."""
    y = np.asarray(labels) > 0
    s = np.asarray(scores, dtype=float)
    pos, neg = int(y.sum()), int((~y).sum())
    if not pos or not neg:
        return float("nan")
    _, inverse, counts = np.unique(s, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2.0)[inverse]  # 1-based, averaged over ties
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))
