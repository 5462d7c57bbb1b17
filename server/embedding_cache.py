"""A thread-safe LRU map from text to embedding, shared by the omission encoder and COMET.

Rows are whatever the owner stores: numpy rows for the sentence encoder, torch tensors
for COMET's sentence embeddings.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Sequence


class EmbeddingCache:
    """A thread-safe LRU map text -> embedding row. `capacity` counts rows, or with `weigh` the
    sum of `weigh(row)` over the rows kept (e.g. tokens, for per-token states); a row heavier
    than the whole capacity is not kept."""

    def __init__(self, capacity: int, weigh: Callable[[Any], int] | None = None):
        self.capacity = max(0, int(capacity))
        self._weigh = weigh or (lambda row: 1)
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_many(self, texts: Sequence[str]) -> list[Any]:
        out: list[Any] = []
        with self._lock:
            for text in texts:
                row = self._items.get(text)
                if row is None:
                    self.misses += 1
                else:
                    self._items.move_to_end(text)
                    self.hits += 1
                out.append(row)
        return out

    def put_many(self, texts: Sequence[str], rows: Sequence[Any]) -> None:
        if not self.capacity:
            return
        with self._lock:
            for text, row in zip(texts, rows):
                weight = self._weigh(row)
                if weight > self.capacity:
                    continue
                old = self._items.pop(text, None)
                if old is not None:
                    self._weight -= self._weigh(old)
                self._items[text] = row
                self._weight += weight
            while self._weight > self.capacity:
                self._weight -= self._weigh(self._items.popitem(last=False)[1])

    def __len__(self) -> int:
        return len(self._items)
