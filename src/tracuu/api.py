"""The Python API: one object for an index folder, used by the CLI and by scripts."""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .inventory import FileStatus, FormatCount
    from .output import Topic

import msgspec

from . import store
from .errors import InputError, QueryError
from .models import Hit, Paragraph, Ranking, Results


class Stats(msgspec.Struct, frozen=True):
    documents: int
    paragraphs: int
    distinct_terms: int
    size_bytes: int
    built_at: str
    updated_at: str
    corpus: str
    skipped: dict[str, str]  # file -> why it is not searchable
    skipped_kinds: dict[str, int]  # needs-ocr, encrypted, corrupt ... -> files
    ocr_pages: int
    formats: list[FormatCount]
    not_read: dict[str, int]  # other file types: suffix -> files


class FileView(msgspec.Struct, frozen=True):
    """One file as the index holds it: its status and its paragraphs."""

    status: FileStatus
    paragraphs: list[Paragraph]


# A batch hands its queries to worker processes when that is worth it. Forked, a worker
# starts at once, with the archive open; spawned (where this process cannot fork), it
# starts in about as long as this process took to open the index (0.4 s on full viwiki,
# where 200 queries take 3.3 s in one process).
HANDOFF_S = 0.1  # queries run here first, to see how long they take (spawned workers)
WORKERS_WORTH_S = 0.5  # what the rest must take here for forked workers to run them
SPAWNED_WORTH_S = 1.5  # ... for spawned workers
BATCH_CHUNK = 4  # topics a batch worker runs per task


class _BatchOptions(msgspec.Struct, frozen=True):
    limit: int
    mode: str
    filters: tuple[tuple[str, str], ...]
    by_document: bool
    render: Callable[[TopicResult], str] | None = None


class TopicResult(msgspec.Struct, frozen=True):
    """The results of one batch topic, or why it could not run.

    From ``Archive.batch(..., render=...)``, the topic as rendered where it ran instead
    of its results (``results`` is None then, ``found`` still says whether it found any).
    """

    topic: Topic
    results: Results | None
    error: str | None = None
    rendered: str | None = None
    found_any: bool = False

    @property
    def found(self) -> bool:
        """Did the query find anything?"""
        return bool(self.results.hits) if self.results is not None else self.found_any


class Archive:
    """An index folder: build or update it from a corpus, search it, describe it.

    The searcher is opened on first use and kept, so many queries pay start-up once.
    """

    def __init__(self, index_dir: str | Path = "index", ranking: Ranking | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.ranking = ranking
        self._searcher = None

    def exists(self) -> bool:
        """Is there an index? (One that is there but damaged raises IndexDamaged.)"""
        return store.current_generation(self.index_dir) is not None

    def update(
        self,
        corpus_dir: str | Path,
        *,
        rebuild: bool = False,
        procs: int = 1,
        progress=None,
        words: bool = False,
    ):
        """Index ``corpus_dir``: incrementally, or from scratch with ``rebuild``;
        ``words=True`` also indexes underthesea's words of 3+ syllables (for
        ``Ranking.word_boost``; they did not change ranking quality, and they cost about
        two fifths of the build: see bench/results/quality.md and speed.md).

        Returns a :class:`tracuu.build.UpdateSummary`.
        """
        from .build import build_corpus  # the build needs the readers; searching does not

        self.close()
        return build_corpus(
            Path(corpus_dir),
            self.index_dir,
            rebuild=rebuild,
            procs=procs,
            progress=progress,
            words=words,
        )

    @classmethod
    def build(cls, corpus_dir: str | Path, index_dir: str | Path = "index", **kwargs) -> Archive:
        """Build (or update) the index of ``corpus_dir`` and return the Archive."""
        archive = cls(index_dir)
        archive.update(corpus_dir, **kwargs)
        return archive

    @property
    def searcher(self):
        """The open :class:`tracuu.search.Searcher` of this index."""
        if self._searcher is None:
            from .search import Searcher

            self._searcher = Searcher(self.index_dir, self.ranking)
        return self._searcher

    def run(self, query: str, limit: int = 10, **options: Any) -> Results:
        """Search with hints (accent restoration, "did you mean") and, if asked, a count.

        ``options`` are those of :meth:`tracuu.search.Searcher.run`: ``mode`` ("auto",
        "exact", "fold"), ``filters`` ((name, value) pairs), ``hints``, ``count``.
        """
        return self.searcher.run(query, limit=limit, **options)

    def search(self, query: str, limit: int = 10, **options: Any) -> list[Hit]:
        """The ranked hits for ``query`` (options as for :meth:`run`)."""
        return self.run(query, limit=limit, hints=False, **options).hits

    def batch(
        self,
        topics: Iterable[Topic],
        limit: int = 10,
        mode: str = "auto",
        filters: Iterable[tuple[str, str]] = (),
        by_document: bool = True,
        jobs: int = 1,
        render: Callable[[TopicResult], str] | None = None,
    ) -> Iterator[TopicResult]:
        """Run many queries (see :func:`tracuu.output.read_topics`), one result each, in
        order; documents are ranked (each with its best paragraphs), as ``tracuu batch``
        does, unless ``by_document`` is False.

        With ``jobs`` > 1, the queries left after the first go to that many worker
        processes, if by the time it took they would take ``WORKERS_WORTH_S`` more here.
        Where this process cannot fork, each worker opens the index again: they are
        given the queries left after ``HANDOFF_S`` seconds, if those would take
        ``SPAWNED_WORTH_S`` more. The results are the same.

        ``render`` (a picklable callable, e.g. :class:`tracuu.output.BatchFormat`) turns
        each result into text where its query ran: a worker sends back that text, not the
        results, and this process has little left to do but write it.
        """
        topics = list(topics)
        options = _BatchOptions(limit, mode, tuple(filters), by_document, render)
        done = 0
        fork = jobs > 1 and _can_fork()
        # (forked, the workers start with what the first query set up: the time to
        # see how long queries take would be time one core works alone)
        handoff, worth = (0.0, WORKERS_WORTH_S) if fork else (HANDOFF_S, SPAWNED_WORTH_S)
        if jobs > 1:
            _ = self.searcher  # opened before the clock starts
        start = time.perf_counter()
        for result in self._batch_here(topics, options):
            yield result
            done += 1
            spent = time.perf_counter() - start
            if jobs > 1 and spent >= handoff and (len(topics) - done) * spent / done >= worth:
                break
        if done < len(topics):
            yield from self._batch_in_workers(topics[done:], options, jobs, fork)

    def _batch_in_workers(
        self, topics: list[Topic], options: _BatchOptions, jobs: int, fork: bool
    ) -> Iterator[TopicResult]:
        """Where it is safe, the workers are forked: they start with this archive open
        (0.4 s on full viwiki for a spawned one), its caches warm. Its segment files are
        memory maps (engine.internals.storage), never read through a shared file offset."""
        from .workers import Pool

        chunks = [topics[i : i + BATCH_CHUNK] for i in range(0, len(topics), BATCH_CHUNK)]
        tasks = [(str(self.index_dir), self.ranking, options, chunk) for chunk in chunks]
        key = (str(self.index_dir), self.ranking)
        if fork:
            _worker_archives[key] = self  # what the copies find
            for stream in (sys.stdout, sys.stderr):  # or a copy would write it again
                with contextlib.suppress(OSError, ValueError, AttributeError):
                    stream.flush()
            # the copies' garbage collections pass over what they were given (the open
            # index, its caches): each would write to every page of it, copying them all
            gc.freeze()
        try:
            pool = Pool(_run_topics, min(jobs, len(chunks)), given_up=_topics_lost, fork=fork)
            with pool:
                for outcome in pool.map(tasks):
                    if isinstance(outcome, Exception):
                        raise outcome  # as it would have been raised here
                    yield from outcome
        finally:
            if fork:
                gc.unfreeze()
                _worker_archives.pop(key, None)

    def _batch_here(self, topics: list[Topic], o: _BatchOptions) -> Iterator[TopicResult]:
        for topic in topics:
            result = self._topic(topic, o)
            if o.render is not None:
                result = TopicResult(topic, None, result.error, o.render(result), result.found)
            yield result

    def _topic(self, topic: Topic, o: _BatchOptions) -> TopicResult:
        if topic.problem is not None or topic.query is None:
            return TopicResult(topic, None, topic.problem)
        try:
            results = self.run(
                topic.query,
                limit=o.limit,
                mode=o.mode,
                filters=list(o.filters),
                hints=False,
                by_document=o.by_document,
            )
        except QueryError as exc:
            return TopicResult(topic, None, str(exc))
        return TopicResult(topic, results)

    def stats(self) -> Stats:
        from . import inventory
        from .analysis import EXACT

        gen, manifest = store.open_generation(self.index_dir)
        with self._engine(gen) as engine:
            paragraphs, terms = engine.doc_count(), engine.distinct_terms(EXACT)
        return Stats(
            documents=len(manifest.files),
            paragraphs=paragraphs,
            distinct_terms=terms,
            size_bytes=sum(p.stat().st_size for p in gen.iterdir() if p.is_file()),
            built_at=manifest.built_at,
            updated_at=manifest.updated_at,
            corpus=manifest.corpus,
            skipped={k: v.reason for k, v in manifest.skipped.items()},
            skipped_kinds=inventory.skip_kinds(manifest),
            ocr_pages=sum(r.ocr_pages for r in manifest.files.values()),
            formats=inventory.format_counts(manifest),
            not_read=dict(Counter(manifest.ignored.values()).most_common()),
        )

    def files(self) -> list[FileStatus]:
        """Every corpus file with its status, format, paragraphs and header fields."""
        from . import inventory

        _gen, manifest = store.open_generation(self.index_dir)
        return inventory.file_statuses(manifest)

    def show(self, name: str) -> FileView:
        """The paragraphs the index holds for one file (``name`` as in search results)."""
        from . import inventory

        gen, manifest = store.open_generation(self.index_dir)
        status = next((f for f in inventory.file_statuses(manifest) if f.file == name), None)
        if status is None:
            raise InputError(f"{name!r} is not a file of the indexed corpus ({manifest.corpus})")
        paragraphs: list[Paragraph] = []
        if status.status == inventory.INDEXED:
            with self._engine(gen) as engine:
                paragraphs = engine.paragraphs_of(name)
        return FileView(status, paragraphs)

    def check(self) -> list[str]:
        """What is wrong with the index, every file checksummed (empty: healthy)."""
        from .build import check_index

        return check_index(self.index_dir)

    def _engine(self, gen: Path):
        from contextlib import closing

        from .engine import Searcher

        return closing(Searcher(gen, self.ranking or Ranking()))

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_worker_archives: dict[tuple[str, Ranking | None], Archive] = {}  # a batch worker's


def _run_topics(task: tuple[str, Ranking | None, _BatchOptions, list[Topic]]):
    """A batch worker's task: its topics' results, or the error that stopped them."""
    index_dir, ranking, options, topics = task
    try:
        archive = _worker_archives.get((index_dir, ranking))
        if archive is None:
            archive = _worker_archives[index_dir, ranking] = Archive(index_dir, ranking)
        return list(archive._batch_here(topics, options))
    except Exception as exc:  # noqa: BLE001 - the parent raises it, as one process would
        return exc


def _topics_lost(task, exitcode: int | None) -> list[TopicResult]:
    """The results of a task whose worker died twice (out of memory, killed)."""
    why = f"the process running this query died (exit code {exitcode})"
    return [TopicResult(topic, None, why) for topic in task[3]]


def _can_fork() -> bool:
    """Can batch workers be copies of this process? (Not with other threads running.)"""
    import multiprocessing  # (not at start-up: only batches of many queries need it)

    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
