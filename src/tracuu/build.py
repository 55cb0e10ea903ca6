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

import contextlib
import hashlib
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import engine, store
from . import text as vtext
from .corpus import display_name, document_from_bytes, iter_corpus_files, relative_name
from .errors import (
    IndexMissing,
    IndexProblem,
    IndexVersionError,
    IndexWriteError,
    UnreadableFile,
)
from .models import Document, Progress
from .readers import ReadContext, format_of, read_bytes
from .workers import Pool, report, reporting_to

PARALLEL_MIN_FILES = 8  # fewer files to read than this are read in this process
PREPARE_MAX_CHARS = 1_000_000  # documents up to this size are analysed by the reader
CACHE = "cache"  # in the index folder, outside generations: OCR output by file hash


@dataclass
class UpdateSummary:
    """What an index run did."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    skipped_kinds: Counter[str] = field(default_factory=Counter)  # needs-ocr, corrupt ...
    partial: dict[str, str] = field(default_factory=dict)  # indexed, but not all of it
    ignored: Counter[str] = field(default_factory=Counter)  # other file types, by suffix
    paragraphs: int = 0
    rebuilt: bool = False
    repaired: str | None = None  # what was wrong with the index this run rebuilt
    seconds: float = 0.0


# ---- plan -------------------------------------------------------------------------


@dataclass
class Plan:
    corpus: Path
    files: dict[str, Path]  # every corpus file tracuu reads, by name
    to_read: list[str]  # new, or size or mtime changed (every file on a full build)
    removed: list[str]
    old: store.Manifest | None  # None: a full build
    ignored: dict[str, str]  # files of types tracuu does not read: name -> suffix


def make_plan(corpus_dir: Path, old: store.Manifest | None) -> Plan:
    """What to read and remove to bring the index of ``old`` (None: none) up to date."""
    others: list[Path] = []
    files = {relative_name(p, corpus_dir): p for p in iter_corpus_files(corpus_dir, others)}
    ignored = {display_name(relative_name(p, corpus_dir)): p.suffix.lower() for p in others}
    if old is None:
        return Plan(corpus_dir, files, list(files), [], None, ignored)
    to_read = []
    for name, path in files.items():
        rec = old.files.get(name)
        if rec is None or _stat_key(path) != (rec.size, rec.mtime_ns):
            to_read.append(name)
    removed = sorted(set(old.files) - set(files))
    return Plan(corpus_dir, files, to_read, removed, old, ignored)


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
    skipped: store.SkippedFile | None = None  # why it cannot be indexed

    @property
    def same_content(self) -> bool:
        return self.record is not None and self.document is None


@dataclass(frozen=True)
class ReadTask:
    name: str
    path: Path
    old_sha: str | None  # of the indexed version: the same hash needs no new reading
    cache_dir: Path | None  # for slow work that a rebuild should not repeat (OCR)
    words: bool = True  # index underthesea's longer words


def read_file(task: ReadTask) -> ReadResult:
    """Read, hash, parse and analyse one file (in a worker process when parallel)."""
    name, fmt = task.name, format_of(task.path) or ""
    if not vtext.is_valid(name):
        reason = "file name is not valid UTF-8 (rename the file to index it)"
        return ReadResult(name, skipped=store.SkippedFile(reason, "unreadable", fmt))
    key = _stat_key(task.path)  # before reading: a file changed after this is seen next run
    try:
        data = read_bytes(task.path)
        sha = hashlib.sha256(data).hexdigest()
        if sha == task.old_sha:
            return ReadResult(name, store.FileRecord(sha, key[0], key[1], -1) if key else None)
        ctx = ReadContext(sha, task.cache_dir, lambda done, total: report((name, done, total)))
        doc, raw = document_from_bytes(name, data, ctx)
    except UnreadableFile as exc:
        return ReadResult(name, skipped=store.SkippedFile(str(exc), exc.kind, fmt))
    # A big document's postings would all sit in memory at once (and be sent whole to the
    # writer): the writer prepares those paragraph by paragraph instead.
    small = len(doc.text) <= PREPARE_MAX_CHARS
    prepared = [engine.prepare(p.text, task.words) for p in doc.paragraphs] if small else None
    size, mtime = key if key else (len(data), 0)
    meta = {k: v for k, v in doc.metadata.as_dict().items() if v}
    record = store.FileRecord(
        sha, size, mtime, len(doc.paragraphs), doc.format, raw.ocr_pages, raw.unread_pages, meta
    )
    return ReadResult(name, record, replace(doc, text=""), prepared)


def _given_up(task: ReadTask, exitcode: int | None) -> ReadResult:
    reason = f"the reader process died on it twice (exit {exitcode})"
    return ReadResult(task.name, skipped=store.SkippedFile(reason, "unreadable"))


def read_files(
    plan: Plan, procs: int, progress: Progress, cache_dir: Path | None, words: bool = True
) -> Iterator[ReadResult]:
    """A ReadResult per file to read, in the plan's order."""
    old = plan.old.files if plan.old else {}
    tasks = [
        ReadTask(n, plan.files[n], old[n].sha256 if n in old else None, cache_dir, words)
        for n in plan.to_read
    ]
    on_page = lambda message: progress.page(*message)  # noqa: E731
    if procs <= 1 or len(tasks) < PARALLEL_MIN_FILES:
        with reporting_to(on_page):
            yield from map(read_file, tasks)
        return
    with Pool(read_file, procs, _given_up, on_report=on_page) as pool:
        yield from pool.map(tasks)


# ---- apply ------------------------------------------------------------------------


def build_corpus(
    corpus_dir: Path,
    index_dir: Path,
    *,
    rebuild: bool = False,
    procs: int = 1,
    progress: Progress | None = None,
    words: bool = True,
) -> UpdateSummary:
    """Bring the index at ``index_dir`` up to date with ``corpus_dir``.

    Incremental by default: only new, changed (content hash) and deleted files are
    touched. ``rebuild`` (or a missing, damaged or older index) makes a full build. Every
    change is made in a new generation that replaces the current one only when complete
    and checked, so a failure at any point leaves the index as it was.
    """
    t0 = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    progress = progress or Progress()
    with store.writer_lock(index_dir):
        store.remove_leftovers(index_dir)
        old, repaired = (None, None) if rebuild else _current_state(index_dir)
        if old is not None and old.words != words:
            old = None  # indexed with or without words the other way: all of it again
        plan = make_plan(corpus_dir, old)
        summary = UpdateSummary(rebuilt=old is None, repaired=repaired)
        summary.ignored.update(plan.ignored.values())
        progress.start(len(plan.to_read))
        results = read_files(plan, procs, progress, index_dir / CACHE, words)
        try:
            _build(plan, index_dir, results, summary, progress, words)
        finally:
            store.remove_leftovers(index_dir)
    summary.seconds = time.perf_counter() - t0
    return summary


def _current_state(index_dir: Path) -> tuple[store.Manifest | None, str | None]:
    """The current manifest if the index can be updated, else None and what is wrong."""
    try:
        gen, manifest = store.open_generation(index_dir)
    except IndexMissing:
        return None, None
    except IndexVersionError:
        return None, None  # built by another version: rebuilt, nothing is damaged
    except IndexProblem as exc:
        return None, str(exc)
    problems = store.damage(gen, manifest)
    return (None, "; ".join(problems[:3])) if problems else (manifest, None)


def _build(
    plan: Plan, index_dir: Path, results, summary: UpdateSummary, progress, words: bool
) -> None:
    old = plan.old
    manifest = store.Manifest(
        corpus=str(plan.corpus.resolve()), ignored=dict(plan.ignored), words=words
    )
    if old is not None:
        manifest.built_at = old.built_at
        manifest.files = {k: v for k, v in old.files.items() if k in plan.files}
        summary.deleted = list(plan.removed)
        summary.unchanged = len(plan.files) - len(plan.to_read)
    base = store.require_generation(index_dir) if old is not None else None
    tmp = store.new_workspace(index_dir, base, engine.TRANSIENT_FILES)
    pool = engine.pool_mb(sum((_stat_key(plan.files[n]) or (0, 0))[0] for n in plan.to_read))
    writer = engine.Writer(tmp, create=base is None, limitmb=pool, words=words)
    try:
        for name in plan.removed:
            writer.delete_path(name)
        _apply(writer, results, manifest, summary, progress, old)
    except BaseException:
        writer.cancel()
        raise
    progress.phase("writing the index")
    now = store.now()
    manifest.updated_at = now
    manifest.built_at = manifest.built_at or now
    if base is not None and not writer.changed:
        writer.cancel()  # only touched files: the index stays, the manifest learns mtimes
        manifest.sealed = old.sealed  # type: ignore[union-attr]
        store.atomic_write(base / store.MANIFEST, manifest.dump())
        return
    writer.commit()
    _check(tmp, manifest)
    manifest.sealed = store.seal(tmp, engine.TRANSIENT_FILES)
    store.atomic_write(tmp / store.MANIFEST, manifest.dump())
    store.swap_in(index_dir, tmp, keep_previous=summary.repaired is None)
    _prune_cache(index_dir / CACHE, {r.sha256 for r in manifest.files.values()})


def _prune_cache(cache: Path, keep: set[str]) -> None:
    """Forget cached work (OCR) of file contents the corpus no longer has."""
    for entry in cache.glob("*/*"):
        if entry.is_file() and entry.stem not in keep:
            with contextlib.suppress(OSError):
                entry.unlink()


def _check(folder: Path, manifest: store.Manifest) -> None:
    """The committed generation holds exactly the paragraphs the manifest lists."""
    problem = _contents_problem(folder, manifest)
    if problem:
        raise IndexWriteError(f"the new index {problem}; the previous index was kept")


def _contents_problem(folder: Path, manifest: store.Manifest) -> str | None:
    expected = sum(r.paragraphs for r in manifest.files.values())
    found, missing = engine.contents(folder, manifest.files)
    if found == expected and not missing:
        return None
    names = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
    return f"holds {found} paragraphs where {expected} were written" + (
        f"; no paragraph of {names}" if missing else ""
    )


def check_index(index_dir: Path) -> list[str]:
    """Everything wrong with the index (empty when healthy): every file checksummed."""
    try:
        gen, manifest = store.open_generation(index_dir)
    except IndexProblem as exc:
        return [str(exc)]
    problems = store.damage(gen, manifest, thorough=True)
    if not problems:
        try:
            problem = _contents_problem(gen, manifest)
        except IndexProblem as exc:
            problem = str(exc)
        problems += [problem] if problem else []
    return problems


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
        if old is not None and name in old.files:
            writer.delete_path(name)  # its old text
        if res.document is None or res.record is None:
            shown = display_name(name)
            skipped = res.skipped or store.SkippedFile("unreadable")
            manifest.skipped[shown] = skipped
            summary.skipped[shown] = skipped.reason
            summary.skipped_kinds[skipped.kind] += 1
            manifest.files.pop(name, None)
            progress.skipped(shown, skipped.reason)
            continue
        doc = res.document
        if res.record.unread_pages:
            note = f"{res.record.unread_pages} scanned page(s) left out: they need OCR"
            summary.partial[name] = note
            progress.skipped(f"{display_name(name)} (in part)", note)
        writer.add(doc.paragraphs, res.prepared)
        manifest.files[name] = res.record
        (summary.changed if old is not None and name in old.files else summary.added).append(name)
        summary.paragraphs += len(doc.paragraphs)
        progress.file_done(name, len(doc.paragraphs))
