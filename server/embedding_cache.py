"""A thread-safe LRU map from text to embedding, shared by the omission encoder and COMET.

Rows are whatever the owner stores: numpy rows for the sentence encoder, torch tensors
for COMET's sentence embeddings.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Sequence


class EmbeddingCache:
    """A thread-safe LRU map text -> embedding row."""

    def __init__(self, capacity: int):
        self.capacity = max(0, int(capacity))
        self._items: OrderedDict[str, Any] = OrderedDict()
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
                self._items[text] = row
                self._items.move_to_end(text)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
