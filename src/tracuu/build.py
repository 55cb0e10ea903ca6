"""Bring an index up to date with a corpus: plan, read, apply.

* plan: which files are new, changed, removed or unchanged, from size and mtime alone;
* read: each file to (re)read is read once, hashed, parsed and analysed, in worker
  processes when there are many (a file whose hash did not change is not re-indexed);
* apply: one writer adds and removes documents, in the plan's order, so the index is the
  same whatever the number of workers.

A full build writes a new generation and swaps it in when complete; an update changes
the current generation through the engine's atomic commit.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import engine, store
from .corpus import document_from_bytes, iter_corpus_files, relative_name
from .errors import IndexProblem, UnreadableFile
from .models import Document, Progress
from .readers import read_bytes
from .workers import Pool

PARALLEL_MIN_FILES = 8  # fewer files to read than this are read in this process


@dataclass
class UpdateSummary:
    """What an index run did."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    ignored: Counter[str] = field(default_factory=Counter)  # other file types, by suffix
    paragraphs: int = 0
    rebuilt: bool = False
    seconds: float = 0.0


# ---- plan -------------------------------------------------------------------------


@dataclass
class Plan:
    corpus: Path
    files: dict[str, Path]  # every corpus file tracuu reads, by name
    to_read: list[str]  # new, or size or mtime changed (every file on a full build)
    removed: list[str]
    old: store.Manifest | None  # None: a full build
    ignored: Counter[str]


def make_plan(corpus_dir: Path, index_dir: Path, rebuild: bool) -> Plan:
    ignored: Counter[str] = Counter()
    files = {relative_name(p, corpus_dir): p for p in iter_corpus_files(corpus_dir, ignored)}
    old = None if rebuild else _old_manifest(index_dir)
    if old is None:
        return Plan(corpus_dir, files, list(files), [], None, ignored)
    to_read = []
    for name, path in files.items():
        rec = old.files.get(name)
        if rec is None or _stat_key(path) != (rec.size, rec.mtime_ns):
            to_read.append(name)
    removed = sorted(set(old.files) - set(files))
    return Plan(corpus_dir, files, to_read, removed, old, ignored)


def _old_manifest(index_dir: Path) -> store.Manifest | None:
    """The current manifest, or None when a full build is needed (none, damaged, older)."""
    try:
        _gen, manifest = store.open_generation(index_dir)
    except IndexProblem:
        return None
    return manifest


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


# ---- read -------------------------------------------------------------------------


@dataclass
class ReadResult:
    """One file as read: a document to index, the same content as before, or a reason."""

    name: str
    record: store.FileRecord | None = None
    document: Document | None = None  # text dropped: the paragraphs carry it
    prepared: list[dict[str, engine.Prepared]] | None = None
    reason: str | None = None  # why it cannot be indexed

    @property
    def same_content(self) -> bool:
        return self.record is not None and self.document is None


def read_file(task: tuple[str, Path, str | None]) -> ReadResult:
    """Read, hash, parse and analyse one file (in a worker process when parallel)."""
    name, path, old_sha = task
    key = _stat_key(path)  # before reading: a file changed after this is seen next run
    try:
        data = read_bytes(path)
        sha = hashlib.sha256(data).hexdigest()
        if sha == old_sha:
            return ReadResult(name, store.FileRecord(sha, key[0], key[1], -1) if key else None)
        doc = document_from_bytes(name, data)
    except UnreadableFile as exc:
        return ReadResult(name, reason=str(exc))
    prepared = [engine.prepare(p.text) for p in doc.paragraphs]
    size, mtime = key if key else (len(data), 0)
    record = store.FileRecord(sha, size, mtime, len(doc.paragraphs))
    return ReadResult(name, record, replace(doc, text=""), prepared)


def _given_up(task: tuple[str, Path, str | None], exitcode: int | None) -> ReadResult:
    return ReadResult(task[0], reason=f"the reader process died on it twice (exit {exitcode})")


def read_files(plan: Plan, procs: int) -> Iterator[ReadResult]:
    """A ReadResult per file to read, in the plan's order."""
    old = plan.old.files if plan.old else {}
    tasks = [(n, plan.files[n], old[n].sha256 if n in old else None) for n in plan.to_read]
    if procs <= 1 or len(tasks) < PARALLEL_MIN_FILES:
        yield from map(read_file, tasks)
        return
    with Pool(read_file, procs, _given_up) as pool:
        yield from pool.map(tasks)


# ---- apply ------------------------------------------------------------------------


def build_corpus(
    corpus_dir: Path,
    index_dir: Path,
    *,
    rebuild: bool = False,
    procs: int = 1,
    progress: Progress | None = None,
) -> UpdateSummary:
    """Bring the index at ``index_dir`` up to date with ``corpus_dir``.

    Incremental by default: only new, changed (content hash) and deleted files are
    touched. ``rebuild`` (or a missing, damaged or older index) makes a full build.
    """
    t0 = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    progress = progress or Progress()
    with store.writer_lock(index_dir):
        store.remove_leftovers(index_dir)
        plan = make_plan(corpus_dir, index_dir, rebuild)
        summary = UpdateSummary(ignored=plan.ignored, rebuilt=plan.old is None)
        progress.start(len(plan.to_read))
        results = read_files(plan, procs)
        if plan.old is None:
            _full_build(plan, index_dir, results, summary, progress)
        else:
            _update(plan, index_dir, results, summary, progress)
    summary.seconds = time.perf_counter() - t0
    return summary


def _full_build(
    plan: Plan, index_dir: Path, results: Iterable[ReadResult], summary: UpdateSummary, progress
) -> None:
    tmp = store.new_workspace(index_dir)
    try:
        manifest = store.Manifest(corpus=str(plan.corpus.resolve()))
        _write(engine.Writer(tmp, create=True), plan, results, manifest, summary, progress)
        manifest.built_at = manifest.updated_at = store.now()
        store.atomic_write(tmp / store.MANIFEST, manifest.dump())
        store.swap_in(index_dir, tmp)
    finally:
        store.remove_leftovers(index_dir)


def _update(
    plan: Plan, index_dir: Path, results: Iterable[ReadResult], summary: UpdateSummary, progress
) -> None:
    assert plan.old is not None
    gen = store.require_generation(index_dir)
    manifest = store.Manifest(corpus=str(plan.corpus.resolve()), built_at=plan.old.built_at)
    manifest.files = {k: v for k, v in plan.old.files.items() if k in plan.files}
    summary.deleted = list(plan.removed)
    summary.unchanged = len(plan.files) - len(plan.to_read)
    _write(engine.Writer(gen, create=False), plan, results, manifest, summary, progress)
    manifest.updated_at = store.now()
    store.atomic_write(gen / store.MANIFEST, manifest.dump())


def _write(writer, plan: Plan, results, manifest, summary, progress) -> None:
    """Apply the plan with ``writer`` and commit; nothing is committed on any failure."""
    try:
        for name in plan.removed:
            writer.delete_path(name)
        _apply(writer, results, manifest, summary, progress, plan.old)
    except BaseException:
        writer.cancel()
        raise
    progress.phase("writing the index")
    writer.commit()


def _apply(writer, results, manifest, summary, progress, old) -> None:
    """Write each read file into the index and the manifest, in order."""
    for res in results:
        name = res.name
        if res.same_content and res.record is not None:
            res.record.paragraphs = manifest.files[name].paragraphs
            manifest.files[name] = res.record  # touched, same content: remember the new mtime
            summary.unchanged += 1
            progress.file_done(name, res.record.paragraphs)
            continue
        if old is not None:
            writer.delete_path(name)  # its old text, if any
        if res.document is None or res.record is None:
            summary.skipped[name] = manifest.skipped[name] = res.reason or "unreadable"
            manifest.files.pop(name, None)
            progress.skipped(name, summary.skipped[name])
            continue
        doc = res.document
        writer.add(doc.paragraphs, doc.format, doc.metadata, res.prepared)
        manifest.files[name] = res.record
        (summary.changed if old is not None and name in old.files else summary.added).append(name)
        summary.paragraphs += len(doc.paragraphs)
        progress.file_done(name, len(doc.paragraphs))
