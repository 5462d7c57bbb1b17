"""What a report says about a results file: totals, corpus scores per language pair, flag
counts, score distributions and the flagged segments, worst first."""

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


@dataclass
class CorpusScore:
    metric: str
    value: float
    how: str  # "corpus" (sacrebleu over the texts) or "mean" (of segment scores)
    segments: int
    note: str  # signature or "mean of N segment scores"


@dataclass
class PairSummary:
    pair: str
    segments: int = 0
    passed: int = 0
    errors: int = 0
    flagged: int = 0
    flags: int = 0
    scores: list[CorpusScore] = field(default_factory=list)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.segments if self.segments else 0.0


@dataclass
class ReportData:
    segments: int
    passed: int
    errors: int
    flagged: int
    pairs: list[PairSummary]
    flag_counts: dict[str, dict[str, int]]  # type -> severity -> count
    distributions: dict[str, dict[str, list[float]]]  # metric -> pair -> values
    rows: list[dict]  # flagged and failed segments, worst first (compact keys for the page)
    source_files: list[str]

    @property
    def pass_rate(self) -> float:
        return self.passed / self.segments if self.segments else 0.0


def corpus_reference_scores(records: list[Mapping], tgt_lang: str) -> list[CorpusScore]:
    """Corpus BLEU/chrF/TER with sacrebleu over the records that carry a reference."""
    usable = [r for r in records if isinstance(r.get("reference"), str) and not r.get("error")]
    if not usable:
        return []
    hyps = [str(r.get("translation") or "") for r in usable]
    refs = [str(r["reference"]) for r in usable]
    return [CorpusScore(name, value, "corpus", len(usable), signature)
            for name, (value, signature) in corpus_scores(hyps, refs, tgt_lang).items()]


def _severity(flag: Mapping) -> str:
    return normalize_severity(flag.get("severity", "minor"))


def _row(record: Mapping, index: int) -> dict:
    flags = []
    for f in record.get("flags") or ():
        if not isinstance(f, Mapping):
            continue
        flag = {"t": str(f.get("type") or "flag"), "s": _severity(f), "m": str(f.get("message") or ""),
                "d": str(f.get("detector") or ""), "c": _float(f.get("confidence"))}
        src, tgt = _span(f.get("source_span")), _span(f.get("target_span"))
        if src:
            flag["ss"] = src
        if tgt:
            flag["ts"] = tgt
        flags.append(flag)
    scores = {str(k): round(v, 4) for k, v in ((k, _float(v)) for k, v in (record.get("scores") or {}).items())
              if v is not None}
    row = {"i": index, "id": str(record.get("id", "")), "p": pair_of(record),
           "src": str(record.get("source") or ""), "tgt": str(record.get("translation") or ""),
           "f": flags, "sc": scores, "ok": bool(record.get("passed", False))}
    if isinstance(record.get("reference"), str):
        row["ref"] = record["reference"]
    if record.get("source_file"):
        row["file"] = str(record["source_file"])
    labels = record.get("labels")
    if isinstance(labels, Mapping) and labels:
        row["l"] = {str(k): str(v) for k, v in labels.items()}
    error = record.get("error")
    if error:
        e = error if isinstance(error, Mapping) else {"message": str(error)}
        row["e"] = {"code": str(e.get("code", "")), "field": str(e.get("field", "")),
                    "message": str(e.get("message", ""))}
    return row


def summarize(records: Iterable[Mapping]) -> ReportData:
    records = list(records)
    by_pair: dict[str, list[Mapping]] = defaultdict(list)
    flag_counts: dict[str, Counter] = defaultdict(Counter)
    distributions: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    rows = []
    files: list[str] = []
    seen_files: set[str] = set()
    passed = errors = flagged = 0
    for index, record in enumerate(records):
        pair = pair_of(record)
        by_pair[pair].append(record)
        f = record.get("source_file")
        if f and f not in seen_files:
            seen_files.add(f)
            files.append(str(f))
        if record.get("error"):
            errors += 1
        elif record.get("passed"):
            passed += 1
        for flag in record.get("flags") or ():
            if isinstance(flag, Mapping):
                flag_counts[str(flag.get("type") or "flag")][_severity(flag)] += 1
        for metric, value in (record.get("scores") or {}).items():
            v = _float(value)
            if v is not None:
                distributions[str(metric)][pair].append(round(v, 4))
        if record.get("flags") or record.get("error"):
            flagged += 1 if record.get("flags") else 0
            rows.append((record_worst_key(record), index, _row(record, index)))
    rows = [row for _, _, row in sorted(rows, key=lambda t: t[:2])]
    pairs = []
    for pair in sorted(by_pair):
        recs = by_pair[pair]
        ps = PairSummary(pair, segments=len(recs))
        ps.passed = sum(1 for r in recs if r.get("passed") and not r.get("error"))
        ps.errors = sum(1 for r in recs if r.get("error"))
        ps.flagged = sum(1 for r in recs if r.get("flags"))
        ps.flags = sum(len(r.get("flags") or ()) for r in recs)
        ps.scores = corpus_reference_scores(recs, str(recs[0].get("tgt_lang") or ""))
        done = {s.metric for s in ps.scores}
        for metric in sorted(distributions):
            values = distributions[metric].get(pair)
            if values and metric not in done:
                ps.scores.append(CorpusScore(metric, sum(values) / len(values), "mean", len(values),
                                             f"mean of {len(values)} segment scores"))
        pairs.append(ps)
    return ReportData(segments=len(records), passed=passed, errors=errors, flagged=flagged, pairs=pairs,
                      flag_counts={t: dict(c) for t, c in sorted(flag_counts.items(), key=lambda kv: -sum(kv[1].values()))},
                      distributions={m: dict(v) for m, v in sorted(distributions.items())}, rows=rows,
                      source_files=files)
