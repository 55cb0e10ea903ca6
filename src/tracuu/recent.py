"""A dict that keeps its newest entries: what an open index remembers between queries
(compiled queries, hints, term infos and BM25 parameters) without growing for ever."""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(dict[K, V]):
    """At most ``size`` entries: putting a new key past that drops the oldest put."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __setitem__(self, key: K, value: V) -> None:
        if key not in self and len(self) >= self.size:
            del self[next(iter(self))]  # the oldest
        super().__setitem__(key, value)
