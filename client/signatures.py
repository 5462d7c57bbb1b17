"""Which scorer configurations one job's results came from.

Every stream's last message carries corpus scores, each with the signature of
the scorer that produced it (`nrefs:1|case:mixed|...|version:2.4.0` for sacrebleu,
`name|key:value|...` for omission, addition and COMET). The client round-robins
over several servers; when two of them answer one job with different signatures
for the same metric and language pair (another sacrebleu version, omission
mode, detector weights or COMET model), the job's scores are not comparable, and
the client says so in the terminal, the summary and the report.
"""

from __future__ import annotations

import threading
from typing import Iterable


class SignatureLog:
    """Collects (metric, src_lang, tgt_lang) -> signatures seen, from any thread."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str, str], list[str]] = {}
        self._lock = threading.Lock()

    def add(self, corpus_scores: Iterable) -> None:
        """Record the signatures of CorpusScore messages (or anything with metric, signature,
        src_lang, tgt_lang)."""
        with self._lock:
            for score in corpus_scores:
                if not score.signature:
                    continue
                seen = self._seen.setdefault((score.metric, score.src_lang, score.tgt_lang), [])
                if score.signature not in seen:
                    seen.append(score.signature)

    def conflicts(self) -> list[dict]:
        """[{metric, src_lang, tgt_lang, signatures}] for each metric and pair answered with
        more than one signature."""
        with self._lock:
            return [{"metric": metric, "src_lang": src, "tgt_lang": tgt, "signatures": list(sigs)}
                    for (metric, src, tgt), sigs in sorted(self._seen.items()) if len(sigs) > 1]


def conflict_messages(conflicts: list[dict]) -> list[str]:
    """One line per conflict, for the terminal and the report."""
    return [f"{c['metric']} {c['src_lang']}->{c['tgt_lang']}: results come from servers with different "
            f"signatures ({' ; '.join(c['signatures'])}); these scores are not comparable"
            for c in conflicts]
