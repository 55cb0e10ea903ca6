"""The one open Archive of a server process, shared by its requests.

Searches reuse the open searcher; one request uses it at a time (the searcher is not
made for threads, and the interpreter runs one at a time anyway). The search page's
latest results are kept, so that its other pages, another sort or the back button do not
search again. When ``tracuu index`` rebuilds the index folder, the next request opens the
new index (and forgets those results); when opening fails, the error (missing, locked,
damaged index) is the request's answer and the next one tries again.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from msgspec.structs import replace

from ..api import Archive
from ..errors import IndexMissing, IndexProblem
from ..inventory import INDEXED, FileStatus
from ..models import DocumentHit, Results
from .timing import Timing

KEPT_RESULTS = 64  # searches of the search page kept, the least recently used dropped
Filters = tuple[tuple[str, str], ...]


class SharedArchive:
    """An index folder opened once per process, reopened after it changes."""

    def __init__(self, index_dir: str | Path, corpus_dir: str | Path | None = None) -> None:
        self.index_dir = Path(index_dir)
        self._corpus_dir = Path(corpus_dir) if corpus_dir is not None else None
        self._lock = threading.RLock()  # files() and corpus_dir() may run inside use()
        self._archive: Archive | None = None
        self._stamp: int | None = None
        self._files: dict[str, FileStatus] | None = None
        self._corpus: Path | None = None
        self._results: OrderedDict[tuple[str, Filters, int], Results] = OrderedDict()

    @contextmanager
    def use(self, timing: Timing | None = None) -> Iterator[Archive]:
        """The open archive, for one request's calls; the index's errors go up.

        The time spent waiting for the other requests' turns is ``timing``'s ``wait``.
        """
        start = time.perf_counter()
        with self._lock:
            if timing is not None:
                timing.add("wait", (time.perf_counter() - start) * 1000)
            try:
                yield self._current()
            except IndexProblem:
                self._drop()  # the next request opens it again
                raise

    def _current(self) -> Archive:
        stamp = self._folder_stamp()
        if self._archive is None or stamp != self._stamp:
            self._drop()
            archive = Archive(self.index_dir)
            if not archive.exists():
                raise IndexMissing(f"no index at {self.index_dir}", hint="run 'tracuu index'")
            self._archive, self._stamp = archive, stamp
        return self._archive

    def _folder_stamp(self) -> int | None:
        # A build adds a generation folder and replaces the pointer to the current one,
        # so the index folder's modification time changes with every build.
        try:
            return os.stat(self.index_dir).st_mtime_ns
        except OSError:
            return None

    def _drop(self) -> None:
        if self._archive is not None:
            self._archive.close()
        self._archive, self._stamp, self._files, self._corpus = None, None, None, None
        self._results.clear()

    def documents(self, query: str, filters: Filters, depth: int, timing: Timing) -> Results:
        """The best ``depth`` documents for ``query``: searched, or kept from the last time,
        their paragraphs neither read nor marked (:meth:`marked` does it for those a page
        shows).

        The results are shared between requests: read them, never change them.
        """
        key = (query, filters, depth)
        with self.use(timing) as archive:
            kept = self._results.get(key)
            if kept is not None:
                self._results.move_to_end(key)
                timing.add("kept", 0.0)
                return kept
            with timing.part("search"):
                results = archive.run(
                    query,
                    limit=depth,
                    by_document=True,
                    filters=list(filters),
                    marked=False,
                    texts=False,  # a page shows ten of them: marked() reads those
                    widen=False,  # (its facets count the documents with every word)
                )
            self._results[key] = results
            if len(self._results) > KEPT_RESULTS:
                self._results.popitem(last=False)
            return results

    def marked(self, documents: list[DocumentHit], query: str, timing: Timing) -> list[DocumentHit]:
        """``documents`` (of :meth:`documents`) with the words of ``query`` marked."""
        with self.use(timing) as archive, timing.part("mark"):
            return [replace(d, hits=archive.searcher.marked(d.hits, query)) for d in documents]

    def files(self) -> dict[str, FileStatus]:
        """Every corpus file the index knows, by name (cached until the index changes)."""
        with self.use() as archive:
            if self._files is None:
                self._files = {f.file: f for f in archive.files()}
            return self._files

    def indexed(self, name: str) -> FileStatus | None:
        status = self.files().get(name)
        return status if status is not None and status.status == INDEXED else None

    def corpus_dir(self) -> Path:
        """Where the original files are: as given, or the folder the index was built from."""
        if self._corpus_dir is not None:
            return self._corpus_dir
        with self.use() as archive:
            if self._corpus is None:
                self._corpus = Path(archive.stats().corpus)
            return self._corpus

    def close(self) -> None:
        with self._lock:
            self._drop()
