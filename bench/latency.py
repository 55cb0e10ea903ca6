"""Warm query latency through tracuu's Python API, in a fresh process.

    python bench/latency.py INDEX_DIR QUERIES.tsv     # prints one JSON object

``speed.py`` runs this with the Python of the tracuu being measured (its virtualenv), so it
imports that tracuu, not this checkout's. Each query runs as ``tracuu search`` runs it:
``Archive(index).run(query, limit=10)`` with hints (accent restoration, "did you mean").
One warm-up pass over all queries (opens the index, loads the segmenter, fills caches),
then three passes; a query's time is the median of its three.

Standard library and tracuu only: it must run in another tracuu's virtualenv.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

PASSES = 3
SLOWEST = 10  # the slowest queries' ids go to speed.json


def read_queries(path: Path) -> list[tuple[str, str]]:
    """``id<TAB>query`` lines; blank lines and ``#`` comments skipped."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            qid, _, q = line.partition("\t")
            out.append((qid, q))
    return out


def nearest_rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def timed_passes(archive, queries: list[tuple[str, str]]) -> tuple[list[float], int]:
    """Per-query median ms over PASSES passes, and how many queries found something."""
    found = sum(bool(archive.run(q, limit=10).hits) for _, q in queries)  # warm-up
    passes: list[list[float]] = [[] for _ in queries]
    for _ in range(PASSES):
        for i, (_, q) in enumerate(queries):
            t0 = time.perf_counter()
            archive.run(q, limit=10)
            passes[i].append((time.perf_counter() - t0) * 1000)
    return [statistics.median(p) for p in passes], found


def measure(index: Path, queries: list[tuple[str, str]]) -> dict:
    from tracuu import Archive

    archive = Archive(index)
    try:
        times, found = timed_passes(archive, queries)
    finally:
        archive.close()
    slowest = sorted(zip(times, (qid for qid, _ in queries)), reverse=True)[:SLOWEST]
    return {
        "p50_ms": nearest_rank(times, 50),
        "p95_ms": nearest_rank(times, 95),
        "max_ms": max(times),
        "mean_ms": statistics.fmean(times),
        "queries": len(times),
        "with_hits": found,
        "slowest": [{"id": qid, "ms": round(ms, 2)} for ms, qid in slowest],
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python latency.py INDEX_DIR QUERIES.tsv", file=sys.stderr)
        return 2
    print(json.dumps(measure(Path(argv[0]), read_queries(Path(argv[1])))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
