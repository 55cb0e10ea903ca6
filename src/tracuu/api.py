"""The Python API: one object for an index folder, used by the CLI and by scripts."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from . import index as tindex
from .corpus import CorpusError
from .readers import UnreadableFile
from .search import Hit, Ranking, Results, Searcher, SearchError

# Every error a user can cause; the CLI prints its message as one line and exits 2.
TracuuError = (CorpusError, tindex.IndexError_, SearchError, UnreadableFile)


class Archive:
    """An index folder: build or update it from a corpus, search it, describe it.

    The searcher is opened on first use and kept, so many queries pay start-up once.
    """

    def __init__(self, index_dir: str | Path = "index", ranking: Ranking | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.ranking = ranking
        self._searcher: Searcher | None = None

    def exists(self) -> bool:
        return tindex.exists(self.index_dir)

    def update(
        self,
        corpus_dir: str | Path,
        *,
        rebuild: bool = False,
        procs: int = 1,
        reporter: tindex.Reporter | None = None,
    ) -> tindex.UpdateSummary:
        """Index ``corpus_dir``: incrementally, or from scratch with ``rebuild``."""
        self.close()
        return tindex.build_corpus(
            Path(corpus_dir), self.index_dir, rebuild=rebuild, procs=procs, reporter=reporter
        )

    @classmethod
    def build(cls, corpus_dir: str | Path, index_dir: str | Path = "index", **kwargs) -> Archive:
        """Build (or update) the index of ``corpus_dir`` and return the Archive."""
        archive = cls(index_dir)
        archive.update(corpus_dir, **kwargs)
        return archive

    @property
    def searcher(self) -> Searcher:
        if self._searcher is None:
            self._searcher = Searcher(self.index_dir, self.ranking)
        return self._searcher

    def run(
        self,
        query: str,
        limit: int = 10,
        mode: str = "auto",
        filters: Iterable[tuple[str, str]] = (),
        hints: bool = True,
        count: bool = False,
    ) -> Results:
        """Search with hints (accent restoration, "did you mean") and the match count."""
        return self.searcher.run(
            query, limit=limit, mode=mode, filters=filters, hints=hints, count=count
        )

    def search(
        self,
        query: str,
        limit: int = 10,
        mode: str = "auto",
        filters: Iterable[tuple[str, str]] = (),
    ) -> list[Hit]:
        """The ranked hits for ``query``."""
        return self.searcher.run(
            query, limit=limit, mode=mode, filters=filters, hints=False, count=False
        ).hits

    def stats(self) -> tindex.Stats:
        return tindex.stats(self.index_dir)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
