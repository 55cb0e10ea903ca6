"""Writing a generation folder with Whoosh, and checking what it holds."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path

from ..analysis import PATH
from ..errors import IndexDamaged, IndexWriteError
from ..models import Paragraph
from .gate import windex
from .internals import Codec
from .internals.segments import join as _join
from .internals.storage import ReadStorage
from .schema import SCHEMA, Prepared, paragraph_fields

LIMIT_MB = 512  # the least posting pool the writer takes
# Whoosh's estimate of its posting pool per MB of text (viwiki, words on: 10 MB -> 849 MB).
# A pool that holds every posting sorts once in memory; a smaller one spills sorted runs to
# disk, reads them back and merges them at commit: the fewer the runs, the cheaper (10 MB of
# viwiki, -j1: commit CPU 61 s with 512 MB, 43 s with 1000 MB; full viwiki, 85 MB, -j2:
# 940 CPU s and 797 s wall with 512 MB, 693 CPU s and 544 s wall with 7.9 GB, peak RSS 1.7
# -> 9.3 GB on a 24 GB machine). So the pool is as large as the build, within a share of
# the memory available.
POOL_PER_TEXT_MB = 100
# Whoosh's estimate is about 3/4 of what its postings really take: a third of the available
# memory as estimate is about half of it in fact
POOL_SHARE = 1 / 3


def pool_mb(text_bytes: int, writers: int = 1) -> int:
    """The posting pool of each of ``writers`` writers at work together, for
    ``text_bytes`` of text each: room for all of it where the machine has that, else as
    much as their share of the available memory."""
    wanted = int(text_bytes / 1e6 * POOL_PER_TEXT_MB)
    return max(LIMIT_MB, min(wanted, int(available_mb() * POOL_SHARE / max(writers, 1))))


def available_mb() -> int:
    """Memory available for new work (Linux ``MemAvailable``); 0 where it cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class Writer:
    """The one writer of a generation folder (a new one, or the current one to update)."""

    def __init__(
        self, folder: Path, create: bool, limitmb: int = LIMIT_MB, words: bool = True
    ) -> None:
        self.words = words
        try:
            if create:
                self._ix = windex.create_in(str(folder), SCHEMA)
            else:
                self._ix = windex.open_dir(str(folder))
            self._w = self._ix.writer(limitmb=limitmb, codec=Codec())
        except OSError as exc:
            raise IndexWriteError(f"cannot write index at {folder}: {exc.strerror}") from None
        except Exception as exc:  # noqa: BLE001 - any Whoosh failure here is a damaged index
            raise IndexDamaged(f"cannot open index at {folder.parent}: {exc}") from None
        from .internals.pool import adder, sort_faster  # (whoosh.writing: searches never load it)

        sort_faster(self._w)
        self._add = adder(self._w)
        self.changed = False

    def add(
        self, paragraphs: Iterable[Paragraph], prepared: Iterable[dict[str, Prepared]] | None = None
    ) -> None:
        """Add a document's paragraphs (with their postings, if prepared elsewhere)."""
        preps = iter(prepared) if prepared is not None else itertools.repeat(None)
        for p, prep in zip(paragraphs, preps):
            self._add(paragraph_fields(p, prep, self.words))
        self.changed = True

    def delete_path(self, path: str) -> None:
        self._w.delete_by_term(PATH, path)
        self.changed = True

    def commit(self) -> None:
        if self.changed:
            self._w.commit()
        else:
            self._w.cancel()
        self._ix.close()

    def cancel(self) -> None:
        try:
            self._w.cancel()
        finally:
            self._ix.close()


def join(folder: Path, parts: list[Path], merge: bool = True) -> None:
    """Make the empty ``folder`` the index of the paragraphs of the indexes at ``parts``
    (each written by a Writer), in that order: one segment of their segments' bytes
    (``merge``; the parts are removed), else their segments' files moved (where they
    cannot be merged too)."""
    try:
        _join(folder, parts, SCHEMA, merge)
    except OSError as exc:
        raise IndexWriteError(f"cannot write index at {folder}: {exc.strerror}") from None


def contents(folder: Path, paths: Iterable[str]) -> tuple[int, list[str]]:
    """The paragraphs a generation holds, and which of ``paths`` it holds none of."""
    ix = open_index(folder)
    try:
        with ix.reader() as r:
            missing = [p for p in paths if r.doc_frequency(PATH, p) == 0]
            return r.doc_count(), missing
    finally:
        ix.close()


def write_spellings(folder: Path) -> None:
    """Write the spellings table (:mod:`.spellings`) of the index in ``folder``."""
    from . import spellings

    ix = open_index(folder)
    try:
        with ix.searcher() as searcher:
            spellings.write(folder, searcher)
    finally:
        ix.close()


def open_index(folder: Path):
    try:
        return windex.FileIndex(ReadStorage(str(folder)), indexname=windex._DEF_INDEX_NAME)
    except Exception as exc:  # noqa: BLE001 - any Whoosh failure here means a damaged index
        raise IndexDamaged(f"cannot open index at {folder.parent}: {exc}") from None
