"""Exact corpus BLEU, chrF and TER per language pair over a whole job.

The server's corpus scores cover one stream each, and a job uses several streams
(and may be resumed), so the client recomputes them over every row of the
results file. BLEU and chrF are sacrebleu's own corpus scores: each segment's
sufficient statistics are extracted from its texts (tokenizer per target
language, as the server picks it: `lacuna.reference_metrics`) and summed. TER's statistics are (edits,
reference length); the length comes from TER's tokenizer and the edits from the
server's sentence score (edits = TER x length), so the slow edit-distance search
is not run twice.

Extracting statistics costs about as much CPU per segment as the server spends
on BLEU and chrF. Small jobs do it in this process at the end; once a job has
more than `background_after` segments, a spawned helper process does it while
results stream in, so the loop that receives and writes results stays cheap.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
from typing import Iterable

from lacuna.reference_metrics import METRICS, metric_set_for_tokenizer, tokenizer_for

# (src_lang, tgt_lang, translation, reference, {metric: sentence score})
Item = tuple[str, str, str, str, dict]
# (src_lang, tgt_lang, metric) -> [summed stats, segments, tokenizer]
Totals = dict[tuple[str, str, str], list]

log = logging.getLogger("lacuna.client.corpus")


class _Accumulator:
    def __init__(self):
        self.tokenizers: dict[str, str] = {}
        self.totals: Totals = {}

    def add(self, items: Iterable[Item]) -> None:
        for src, tgt, hyp, ref, scores in items:
            tok = self.tokenizers.get(tgt)
            if tok is None:
                tok = self.tokenizers[tgt] = tokenizer_for(tgt)
            metric_set = metric_set_for_tokenizer(tok)
            for metric, score in scores.items():
                s = metric_set.stats_from_sentence(metric, hyp, ref, score)
                entry = self.totals.get((src, tgt, metric))
                if entry is None:
                    self.totals[(src, tgt, metric)] = [list(s), 1, tok]
                else:
                    entry[0] = [a + b for a, b in zip(entry[0], s)]
                    entry[1] += 1


def _helper(inbox, outbox) -> None:
    """The helper process: sums statistics until the None sentinel, then sends the totals."""
    acc = _Accumulator()
    try:
        while True:
            chunk = inbox.recv()
            if chunk is None:
                break
            acc.add(chunk)
    except EOFError:  # the parent is gone
        return
    outbox.send(acc.totals)


class CorpusStats:
    def __init__(self, background_after: int = 2000, chunk: int = 256, timeout: float = 600.0):
        self.background_after, self.chunk, self.timeout = background_after, chunk, timeout
        self._buffer: list[Item] = []
        self._count = 0
        self._process = None
        self._feed: queue.Queue | None = None
        self._feeder: threading.Thread | None = None
        self._result_conn = None
        self._totals: Totals | None = None
        self.failed = False

    def add(self, src: str, tgt: str, hyp: str, ref: str, scores: dict) -> None:
        self._buffer.append((src, tgt, hyp, ref, scores))
        self._count += 1
        if self._process is None and self._count >= self.background_after and not self.failed:
            self._start_helper()
        if self._process is not None and len(self._buffer) >= self.chunk:
            self._feed.put(self._buffer)
            self._buffer = []

    def _start_helper(self) -> None:
        try:
            ctx = multiprocessing.get_context("spawn")  # never fork a process with gRPC threads
            inbox_read, inbox_write = ctx.Pipe(duplex=False)
            result_read, result_write = ctx.Pipe(duplex=False)
            process = ctx.Process(target=_helper, args=(inbox_read, result_write), daemon=True,
                                  name="lacuna-corpus")
            process.start()
            inbox_read.close()
            result_write.close()
        except Exception as exc:  # no processes here: do it inline at the end
            log.warning("corpus helper process unavailable (%s); computing in this process", exc)
            self.failed = True
            return
        self._process, self._result_conn = process, result_read
        self._feed = queue.Queue()

        def feed() -> None:
            try:
                while True:
                    chunk = self._feed.get()
                    inbox_write.send(chunk)
                    if chunk is None:
                        return
            except (OSError, EOFError):
                return
            finally:
                inbox_write.close()

        self._feeder = threading.Thread(target=feed, name="lacuna-corpus-feed", daemon=True)
        self._feeder.start()
        self._feed.put(self._buffer)
        self._buffer = []

    def totals(self) -> Totals | None:
        """Summed statistics per (src, tgt, metric); None if the helper process failed."""
        if self._totals is not None:
            return self._totals
        if self._process is None:
            acc = _Accumulator()
            acc.add(self._buffer)
            self._buffer = []
            self._totals = acc.totals
            return self._totals
        if self._buffer:
            self._feed.put(self._buffer)
            self._buffer = []
        self._feed.put(None)
        try:
            if not self._result_conn.poll(self.timeout):
                raise TimeoutError(f"no answer in {self.timeout:g}s")
            self._totals = self._result_conn.recv()
        except (EOFError, OSError, TimeoutError) as exc:
            log.warning("corpus helper process failed: %s", exc)
            self.failed = True
            return None
        finally:
            self._process.join(5)
            if self._process.is_alive():
                self._process.terminate()
        return self._totals

    def scores(self) -> dict[tuple[str, str], dict[str, dict]] | None:
        """{(src, tgt): {metric: {score, segments, method, signature}}}; None if unavailable."""
        totals = self.totals()
        if totals is None:
            return None
        out: dict[tuple[str, str], dict[str, dict]] = {}
        for (src, tgt, metric), (summed, count, tok) in sorted(totals.items()):
            ms = metric_set_for_tokenizer(tok)
            out.setdefault((src, tgt), {})[metric] = {
                "score": round(ms.corpus(metric, summed), 4), "segments": count,
                "method": "corpus", "signature": ms.signature(metric)}
        return out

    def close(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
