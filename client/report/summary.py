"""What a report says about a results file: totals, corpus scores per language pair, flag
counts, score distributions and the flagged segments, worst first."""

from __future__ import annotations

import json
import math
import pathlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from sacrebleu.metrics import BLEU, CHRF, TER

from lacuna.languages import parse as parse_language

SEVERITY_RANK = {"minor": 1, "major": 2, "critical": 3}
SEVERITIES = ("critical", "major", "minor")
REFERENCE_METRICS = ("bleu", "chrf", "ter")
LOWER_IS_BETTER = {"ter", "omission", "addition"}


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


def _tokenizer(tgt_lang: str) -> str:
    """The server's sacrebleu tokenizer for this target language (13a for an unknown tag)."""
    from lacuna.server.metrics.reference import bleu_tokenizer

    try:
        return bleu_tokenizer(parse_language(tgt_lang))
    except Exception:
        return "13a"


def corpus_reference_scores(records: list[Mapping], tgt_lang: str) -> list[CorpusScore]:
    """Corpus BLEU/chrF/TER with sacrebleu over the records that carry a reference."""
    usable = [r for r in records if isinstance(r.get("reference"), str) and not r.get("error")]
    if not usable:
        return []
    hyps = [str(r.get("translation") or "") for r in usable]
    refs = [[str(r["reference"]) for r in usable]]
    tok = _tokenizer(tgt_lang)
    cjk = tok != "13a"
    out = []
    try:
        metrics = {"bleu": BLEU(tokenize=tok), "chrf": CHRF(), "ter": TER(normalized=cjk, asian_support=cjk)}
    except Exception:  # tokenizer extra not installed: fall back to 13a / char-level
        metrics = {"bleu": BLEU(tokenize="char" if cjk else "13a"), "chrf": CHRF(), "ter": TER()}
    for name, metric in metrics.items():
        score = metric.corpus_score(hyps, refs)
        out.append(CorpusScore(name, float(score.score), "corpus", len(usable), metric.get_signature().format()))
    return out


def _severity(flag: Mapping) -> str:
    sev = str(flag.get("severity", "minor"))
    return sev if sev in SEVERITY_RANK else "minor"


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


def _badness(row: dict) -> tuple:
    """Sort key, worst first: most severe flag, then severity-weighted count, then confidence.
    Segments that could not be scored come after every flagged one."""
    if "e" in row:
        return (1, 0, 0, 0, row["i"])
    ranks = [SEVERITY_RANK[f["s"]] for f in row["f"]]
    weighted = sum(10 ** (r - 1) for r in ranks)
    confidence = sum(f["c"] if f["c"] is not None else 1.0 for f in row["f"])
    return (0, -max(ranks), -weighted, -confidence, row["i"])


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
            rows.append(_row(record, index))
    rows.sort(key=_badness)
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
