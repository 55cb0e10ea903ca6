"""Where a request's time went, sent as the standard ``Server-Timing`` header: a
browser's developer tools show it, and bench/web_load.py splits page times with it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class Timing:
    """Milliseconds per named part of one request (``wait``, ``search``, ``render`` ...)."""

    def __init__(self) -> None:
        self.parts: dict[str, float] = {}

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, (time.perf_counter() - start) * 1000)

    def add(self, name: str, ms: float) -> None:
        self.parts[name] = self.parts.get(name, 0.0) + ms

    def header(self) -> str:
        """``search;dur=12.3, render;dur=4.5``: the Server-Timing value."""
        return ", ".join(f"{name};dur={ms:.1f}" for name, ms in self.parts.items())
