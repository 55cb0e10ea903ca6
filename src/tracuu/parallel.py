"""Reading and segmenting archive files in worker processes.

underthesea is the bottleneck of indexing and Whoosh's writer is single-threaded, so
workers read and segment whole files and the indexing process only writes postings.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path

from . import segment as vseg
from .corpus import Document, load_document
from .readers import UnreadableFile

Loaded = tuple[Path, "Document | None", "str | None"]


def _load(path: Path, root: Path) -> Loaded:
    try:
        return path, load_document(path, root), None
    except UnreadableFile as exc:
        return path, None, str(exc)


def _load_and_segment(args: tuple[Path, Path]):
    path, doc, reason = _load(*args)
    segs = [vseg.segment(p.text) for p in doc.paragraphs] if doc else []
    return path, doc, reason, segs


def load_documents(paths: list[Path], root: Path, procs: int = 1) -> Iterator[Loaded]:
    """Yield (path, document or None, skip reason or None) for each path, in order.

    With ``procs`` > 1 the segmentation of each yielded document is pinned in the
    segmentation cache until the next document is asked for.
    """
    if procs <= 1 or len(paths) < 2:
        for path in paths:
            yield _load(path, root)
        return
    ctx = multiprocessing.get_context("spawn" if _threads_running() else None)
    with ctx.Pool(procs) as pool:
        try:
            for path, doc, reason, segs in pool.imap(
                _load_and_segment, [(p, root) for p in paths], chunksize=4
            ):
                if doc is not None:
                    vseg.cache.pinned = {p.text: s for p, s in zip(doc.paragraphs, segs)}
                yield path, doc, reason
        finally:
            vseg.cache.pinned = {}


def _threads_running() -> bool:
    import threading

    return threading.active_count() > 1
