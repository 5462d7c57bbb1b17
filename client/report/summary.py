"""What a report says about a results file: totals, an overview per language pair and per
file (counts by flag type and severity, pass rate, corpus scores), score distributions, the
labels present, and the flagged segments, worst first (`lacuna.worst_order`)."""

from __future__ import annotations

import json
import math
import pathlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from lacuna.reference_metrics import METRICS as REFERENCE_METRICS
from lacuna.reference_metrics import corpus_scores
from lacuna.severity import most_severe_first, normalize_severity
from lacuna.worst_order import record_worst_key

SEVERITIES = most_severe_first()
NO_FILE = "(no file)"
MAX_LABEL_VALUES = 200  # label keys with more distinct values get a text box, not a list


class RecordsError(ValueError):
    """A results file that cannot be read; the message names the file and line."""


def load_records(path: str | pathlib.Path) -> list[dict]:
    """The records of a `lacuna score --output` JSONL file (blank lines skipped)."""
    p = pathlib.Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise RecordsError(f"{p}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise RecordsError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RecordsError(f"{p}:{number}: not a JSON object ({exc.msg})") from None
        if not isinstance(record, dict):
            raise RecordsError(f"{p}:{number}: expected a JSON object, got {type(record).__name__}")
        records.append(record)
    return records


def pair_of(record: Mapping) -> str:
    return f"{record.get('src_lang') or '?'} → {record.get('tgt_lang') or '?'}"


def file_of(record: Mapping) -> str:
    return str(record.get("source_file") or NO_FILE)


def _span(value) -> list[int] | None:
    if not isinstance(value, Mapping):
        return None
    try:
        start, end = int(value.get("start", 0)), int(value.get("end", 0))
    except (TypeError, ValueError):
        return None
    return [start, end] if end > start >= 0 else None


def _float(value) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _flags(record: Mapping) -> list[Mapping]:
    return [f for f in record.get("flags") or () if isinstance(f, Mapping)]


def _labels(record: Mapping) -> dict[str, str]:
    labels = record.get("labels")
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, Mapping) else {}


@dataclass
class CorpusScore:
    metric: str
    value: float
    how: str  # "corpus" (sacrebleu over the texts) or "mean" (of segment scores)
    segments: int
    note: str  # signature or "mean of N segment scores"


@dataclass
class GroupSummary:
    """One row of an overview table: a language pair or a file."""

    name: str
    segments: int = 0
    passed: int = 0
    errors: int = 0
    flagged: int = 0
    flags: int = 0
    by_type: Counter = field(default_factory=Counter)
    by_severity: Counter = field(default_factory=Counter)
    scores: list[CorpusScore] = field(default_factory=list)

    @property
    def pair(self) -> str:  # the name of a language-pair row
        return self.name

    @property
    def pass_rate(self) -> float:
        return self.passed / self.segments if self.segments else 0.0

    @property
    def score_map(self) -> dict[str, CorpusScore]:
        return {s.metric: s for s in self.scores}

    def add(self, record: Mapping) -> None:
        self.segments += 1
        if record.get("error"):
            self.errors += 1
        elif record.get("passed"):
            self.passed += 1
        flags = _flags(record)
        if flags:
            self.flagged += 1
            self.flags += len(flags)
        for f in flags:
            self.by_type[str(f.get("type") or "flag")] += 1
            self.by_severity[normalize_severity(f.get("severity"))] += 1


PairSummary = GroupSummary  # the name earlier releases used


@dataclass
class ReportData:
    segments: int
    passed: int
    errors: int
    flagged: int
    pairs: list[GroupSummary]
    files: list[GroupSummary]
    flag_counts: dict[str, dict[str, int]]  # type -> severity -> count
    distributions: dict[str, list[float]]  # metric -> every segment's value
    rows: list[dict]  # flagged and failed segments, worst first (compact keys for the page)
    labels: dict[str, list[str]]  # label key -> its values (most frequent first)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.segments if self.segments else 0.0

    @property
    def source_files(self) -> list[str]:
        return [f.name for f in self.files if f.name != NO_FILE]

    @property
    def metrics(self) -> list[str]:
        """Metrics with a score anywhere: BLEU, chrF, TER first, then by name."""
        present = {s.metric for g in self.pairs + self.files for s in g.scores}
        return [m for m in REFERENCE_METRICS if m in present] + sorted(present - set(REFERENCE_METRICS))


def corpus_reference_scores(records: list[Mapping], tgt_lang: str) -> list[CorpusScore]:
    """Corpus BLEU/chrF/TER with sacrebleu over the records that carry a reference."""
    usable = [r for r in records if isinstance(r.get("reference"), str) and not r.get("error")]
    if not usable:
        return []
    hyps = [str(r.get("translation") or "") for r in usable]
    refs = [str(r["reference"]) for r in usable]
    return [CorpusScore(name, value, "corpus", len(usable), signature)
            for name, (value, signature) in corpus_scores(hyps, refs, tgt_lang).items()]


def group_scores(records: list[Mapping]) -> list[CorpusScore]:
    """Corpus BLEU/chrF/TER where the records share one target language, then the mean of
    every other metric's segment scores."""
    targets = {str(r.get("tgt_lang") or "") for r in records}
    scores = corpus_reference_scores(records, targets.pop()) if len(targets) == 1 else []
    done = {s.metric for s in scores}
    sums: Counter = Counter()
    counts: Counter = Counter()
    for r in records:
        for metric, value in (r.get("scores") or {}).items():
            v = _float(value)
            if v is not None and metric not in done:
                sums[str(metric)] += v
                counts[str(metric)] += 1
    for metric in sorted(counts):
        n = counts[metric]
        scores.append(CorpusScore(metric, sums[metric] / n, "mean", n, f"mean of {n} segment scores"))
    return scores


def _row(record: Mapping) -> dict:
    flags = []
    for f in _flags(record):
        flag = {"t": str(f.get("type") or "flag"), "s": normalize_severity(f.get("severity")),
                "m": str(f.get("message") or ""), "d": str(f.get("detector") or ""), "c": _float(f.get("confidence"))}
        src, tgt = _span(f.get("source_span")), _span(f.get("target_span"))
        if src:
            flag["ss"] = src
        if tgt:
            flag["ts"] = tgt
        flags.append(flag)
    scores = {str(k): round(v, 4) for k, v in ((k, _float(v)) for k, v in (record.get("scores") or {}).items())
              if v is not None}
    row = {"id": str(record.get("id", "")),
           "src": str(record.get("source") or ""), "tgt": str(record.get("translation") or ""),
           "f": flags, "sc": scores, "ok": bool(record.get("passed", False)),
           "sl": str(record.get("src_lang") or ""), "tl": str(record.get("tgt_lang") or "")}
    if isinstance(record.get("reference"), str):
        row["ref"] = record["reference"]
    if record.get("source_file"):
        row["file"] = str(record["source_file"])
    if record.get("unit_id"):
        row["u"] = str(record["unit_id"])
    if isinstance(record.get("line"), int) and not isinstance(record.get("line"), bool):
        row["ln"] = record["line"]
    labels = _labels(record)
    if labels:
        row["l"] = labels
    error = record.get("error")
    if error:
        e = error if isinstance(error, Mapping) else {"message": str(error)}
        row["e"] = {"code": str(e.get("code", "")), "field": str(e.get("field", "")),
                    "message": str(e.get("message", ""))}
    return row


def summarize(records: Iterable[Mapping]) -> ReportData:
    records = list(records)
    by_pair: dict[str, list[Mapping]] = defaultdict(list)
    by_file: dict[str, list[Mapping]] = defaultdict(list)
    pair_rows: dict[str, GroupSummary] = {}
    file_rows: dict[str, GroupSummary] = {}
    flag_counts: dict[str, Counter] = defaultdict(Counter)
    distributions: dict[str, list[float]] = defaultdict(list)
    label_values: dict[str, Counter] = defaultdict(Counter)
    ranked = []
    passed = errors = flagged = 0
    for index, record in enumerate(records):
        pair, file = pair_of(record), file_of(record)
        by_pair[pair].append(record)
        by_file[file].append(record)
        pair_rows.setdefault(pair, GroupSummary(pair)).add(record)
        file_rows.setdefault(file, GroupSummary(file)).add(record)
        if record.get("error"):
            errors += 1
        elif record.get("passed"):
            passed += 1
        flags = _flags(record)
        flagged += bool(flags)
        for flag in flags:
            flag_counts[str(flag.get("type") or "flag")][normalize_severity(flag.get("severity"))] += 1
        for metric, value in (record.get("scores") or {}).items():
            v = _float(value)
            if v is not None:
                distributions[str(metric)].append(v)
        for key, value in _labels(record).items():
            label_values[key][value] += 1
        if flags or record.get("error"):
            ranked.append((record_worst_key(record), index, _row(record)))
    for name, group in pair_rows.items():
        group.scores = group_scores(by_pair[name])
    for name, group in file_rows.items():
        group.scores = group_scores(by_file[name])
    ranked.sort(key=lambda t: t[:2])
    return ReportData(
        segments=len(records), passed=passed, errors=errors, flagged=flagged,
        pairs=[pair_rows[p] for p in sorted(pair_rows)], files=[file_rows[f] for f in sorted(file_rows)],
        flag_counts={t: dict(c) for t, c in sorted(flag_counts.items(), key=lambda kv: -sum(kv[1].values()))},
        distributions=dict(sorted(distributions.items())), rows=[row for _, _, row in ranked],
        labels={k: [v for v, _ in c.most_common()] for k, c in sorted(label_values.items())})
