"""The end-of-job summary: counts, corpus scores per language pair, flags, worst
segments, and the CI gates (--fail-on, --min).

Corpus scores: BLEU, chrF and TER are recomputed exactly over every row of the
results file (`lacuna.client.corpus`: the server's corpus scores cover one stream
each, and a job uses several streams and may be resumed). Metrics without corpus
statistics (omission, addition, COMET, ...) are reported as the mean of the
segment scores, marked "mean"; `--corpus-scores mean` (exact_corpus=False)
reports means for every metric, for jobs where the recomputation's CPU matters.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from lacuna.client.corpus import METRICS as CORPUS_METRICS
from lacuna.client.corpus import CorpusStats
from lacuna.client.signatures import conflict_messages
from lacuna.severity import SEVERITIES, at_least
from lacuna.worst_order import record_worst_key


@dataclass
class _PairTotals:
    segments: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    score_sum: Counter = field(default_factory=Counter)
    score_count: Counter = field(default_factory=Counter)
    by_type: Counter = field(default_factory=Counter)
    by_severity: Counter = field(default_factory=Counter)


class SummaryBuilder:
    """Fed one results record at a time (`add`), then `summary()` once."""

    def __init__(self, worst: int = 10, exact_corpus: bool = True):
        self.worst_count = worst
        self.exact_corpus = exact_corpus
        self.pairs: dict[tuple[str, str], _PairTotals] = {}
        self.errors_by_code: Counter = Counter()
        self.corpus = CorpusStats() if exact_corpus else None
        self._ranked: list[tuple] = []  # (worst-order key, id, record digest)

    def add(self, rec: dict) -> None:
        key = (rec.get("src_lang", ""), rec.get("tgt_lang", ""))
        pair = self.pairs.get(key)
        if pair is None:
            pair = self.pairs[key] = _PairTotals()
        pair.segments += 1
        error = rec.get("error")
        if error:
            pair.errors += 1
            self.errors_by_code[error.get("code", "UNKNOWN")] += 1
            return
        if rec.get("passed"):
            pair.passed += 1
        else:
            pair.failed += 1
        flags = rec.get("flags") or []
        for f in flags:
            pair.by_type[f.get("type", "")] += 1
            pair.by_severity[f.get("severity", "")] += 1
        scores = rec.get("scores") or {}
        reference = rec.get("reference")
        for metric, value in scores.items():
            pair.score_sum[metric] += float(value)
            pair.score_count[metric] += 1
        if self.corpus is not None and reference is not None:
            exact = {m: float(v) for m, v in scores.items() if m in CORPUS_METRICS}
            if exact:
                self.corpus.add(key[0], key[1], rec.get("translation", ""), reference, exact)
        if flags or not rec.get("passed"):
            self._ranked.append((record_worst_key(rec), rec["id"], {
                "id": rec["id"], "source_file": rec.get("source_file", ""),
                "src_lang": key[0], "tgt_lang": key[1], "passed": bool(rec.get("passed")),
                "flags": [f"{f.get('type')}/{f.get('severity')}" for f in flags],
                "scores": {k: round(float(v), 4) for k, v in scores.items()},
            }))
            if len(self._ranked) > 4 * self.worst_count + 100:
                self._ranked.sort(key=lambda t: t[:2])
                del self._ranked[self.worst_count:]

    def _corpus_scores(self, key: tuple[str, str], pair: _PairTotals, exact: dict | None) -> dict[str, dict]:
        out = dict((exact or {}).get(key, {}))
        for metric in sorted(pair.score_sum):
            if metric not in out:
                n = pair.score_count[metric]
                out[metric] = {"score": round(pair.score_sum[metric] / n, 4), "segments": n, "method": "mean"}
        return dict(sorted(out.items()))

    def close(self) -> None:
        """Stops the corpus helper process of a job that ends without a summary."""
        if self.corpus is not None:
            self.corpus.close()

    def summary(self) -> dict:
        pairs, by_type, by_severity = [], Counter(), Counter()
        totals = Counter()
        exact = self.corpus.scores() if self.corpus is not None else None
        for (src, tgt), p in sorted(self.pairs.items()):
            pairs.append({"src_lang": src, "tgt_lang": tgt, "segments": p.segments, "passed": p.passed,
                          "failed": p.failed, "errors": p.errors, "corpus": self._corpus_scores((src, tgt), p, exact),
                          "flags_by_type": dict(sorted(p.by_type.items())),
                          "flags_by_severity": {s: p.by_severity[s] for s in SEVERITIES if p.by_severity[s]}})
            by_type.update(p.by_type)
            by_severity.update(p.by_severity)
            totals.update(segments=p.segments, passed=p.passed, failed=p.failed, errors=p.errors)
        self._ranked.sort(key=lambda t: t[:2])
        return {
            "segments": totals["segments"], "passed": totals["passed"], "failed": totals["failed"],
            "errors": totals["errors"], "errors_by_code": dict(sorted(self.errors_by_code.items())),
            "flags_by_type": dict(sorted(by_type.items())),
            "flags_by_severity": {s: by_severity[s] for s in SEVERITIES if by_severity[s]},
            "pairs": pairs,
            "worst_segments": [t[2] for t in self._ranked[:self.worst_count]],
            "corpus_method": "exact" if exact is not None else (
                "mean (the exact recomputation failed)" if self.corpus is not None else "mean"),
        }


# -- gates ---------------------------------------------------------------------------------

def gate_failures(summary: dict, fail_on: str | None, minimums: dict[str, float],
                  maximums: dict[str, float] | None = None) -> list[str]:
    """Why the job fails its CI gates (empty = it passes). Score gates apply to every
    language pair's corpus score: --min for higher-is-better metrics, --max for TER etc."""
    reasons = []
    if fail_on:
        hits = {s: summary["flags_by_severity"].get(s, 0) for s in at_least(fail_on)}
        if any(hits.values()):
            found = ", ".join(f"{n} {s}" for s, n in hits.items() if n)
            reasons.append(f"--fail-on {fail_on}: {found} flag(s)")
        if summary["errors"]:
            reasons.append(f"--fail-on {fail_on}: {summary['errors']} segment(s) could not be scored")
    limits = [("--min", m, v) for m, v in minimums.items()] + [("--max", m, v) for m, v in (maximums or {}).items()]
    for flag, metric, limit in limits:
        seen = False
        for p in summary["pairs"]:
            score = p["corpus"].get(metric)
            if score is None:
                continue
            seen = True
            if (score["score"] < limit) if flag == "--min" else (score["score"] > limit):
                reasons.append(f"{flag} {metric}={limit:g}: {p['src_lang']}->{p['tgt_lang']} has "
                               f"{metric} {score['score']:.2f} ({score['method']})")
        if not seen:
            reasons.append(f"{flag} {metric}={limit:g}: no {metric} scores in the results")
    return reasons


# -- text ----------------------------------------------------------------------------------

def format_summary(summary: dict, gates: list[str] | None = None) -> str:
    lines = [f"segments: {summary['segments']}  passed: {summary['passed']}  failed: {summary['failed']}  "
             f"errors: {summary['errors']}"]
    if summary["errors_by_code"]:
        lines.append("errors by code: " + ", ".join(f"{k} {v}" for k, v in summary["errors_by_code"].items()))
    if summary["flags_by_severity"]:
        lines.append("flags by severity: " + ", ".join(f"{k} {v}" for k, v in summary["flags_by_severity"].items()))
    if summary["flags_by_type"]:
        lines.append("flags by type: " + ", ".join(f"{k} {v}" for k, v in summary["flags_by_type"].items()))
    for p in summary["pairs"]:
        corpus = ", ".join(f"{m} {c['score']:.2f}" + (" (mean)" if c["method"] == "mean" else "")
                           for m, c in p["corpus"].items())
        flags = ", ".join(f"{k} {v}" for k, v in p["flags_by_type"].items())
        lines.append(f"{p['src_lang']}->{p['tgt_lang']}: {p['segments']} segments, {p['passed']} passed"
                     + (f"; {corpus}" if corpus else "") + (f"; flags: {flags}" if flags else ""))
    if summary["worst_segments"]:
        lines.append("worst segments:")
        for w in summary["worst_segments"]:
            scores = " ".join(f"{k}={v:g}" for k, v in w["scores"].items())
            lines.append(f"  {w['id']}  {' '.join(w['flags']) or 'no flags'}  {scores}".rstrip())
    for message in conflict_messages(summary.get("signature_conflicts") or []):
        lines.append(f"WARNING {message}")
    for reason in gates or []:
        lines.append(f"GATE FAILED {reason}")
    return "\n".join(lines)
