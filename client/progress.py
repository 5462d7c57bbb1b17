"""Progress for `lacuna score`: a tqdm bar (rate, ETA) on a terminal, a plain line
every few seconds otherwise (CI logs), nothing with --quiet. All on stderr."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def update(self, n: int = 1) -> None: ...

    def close(self) -> None: ...


class QuietProgress(Progress):
    pass


class BarProgress(Progress):
    def __init__(self, total: int, initial: int, stream: TextIO):
        from tqdm import tqdm

        self._bar = tqdm(total=total, initial=initial, unit="seg", file=stream, dynamic_ncols=True,
                         smoothing=0.1, desc="scoring")

    def update(self, n: int = 1) -> None:
        self._bar.update(n)

    def close(self) -> None:
        self._bar.close()


class LineProgress(Progress):
    """`scored 1200/5000 (24.0%), 310.2 seg/s, ETA 12s` every `interval` seconds and at the end."""

    def __init__(self, total: int, initial: int, stream: TextIO, interval: float = 10.0):
        self.total, self.done, self.stream, self.interval = total, initial, stream, interval
        self._initial = initial
        self._start = self._last = time.monotonic()

    def _line(self) -> str:
        elapsed = max(time.monotonic() - self._start, 1e-9)
        rate = (self.done - self._initial) / elapsed
        left = self.total - self.done
        eta = f"{left / rate:.0f}s" if rate > 0 else "?"
        pct = 100.0 * self.done / self.total if self.total else 100.0
        return f"scored {self.done}/{self.total} ({pct:.1f}%), {rate:.1f} seg/s, ETA {eta}"

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            print(self._line(), file=self.stream, flush=True)

    def close(self) -> None:
        print(self._line(), file=self.stream, flush=True)


def make_progress(total: int, initial: int = 0, quiet: bool = False, stream: TextIO | None = None,
                  interval: float = 10.0) -> Progress:
    stream = stream or sys.stderr
    if quiet:
        return QuietProgress()
    if stream.isatty():
        return BarProgress(total, initial, stream)
    return LineProgress(total, initial, stream, interval)
