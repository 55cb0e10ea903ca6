"""Bring an index up to date with a corpus: plan, read, apply.

* plan: which files are new, changed, removed or unchanged, from size and mtime alone;
* read: each file to (re)read is read once, hashed, parsed and analysed, in worker
  processes when there are many (a file whose hash did not change is not re-indexed);
* apply: one writer adds and removes documents, in the plan's order, so the index is the
  same whatever the number of workers.

A full build reads and writes at once: the files, in the plan's order, are cut into
shards of about equal size (how many depends on the files alone, never on the number of
workers); each shard is read and written as an index of its own, in a worker process
when there are several, and the shards' segments are merged in order into one segment,
their bytes copied (no posting is read and written again). So -j2 writes the same
index as -j1. A shard whose
worker dies twice is cut in halves and tried again, down to the one file that kills its
worker, which is skipped with the reason.

A full build writes a new generation and swaps it in when complete; an update changes
the current generation through the engine's atomic commit.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import math
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import msgspec
from msgspec.structs import replace

from . import engine, store
from . import text as vtext
from .corpus import display_name, document_from_bytes, iter_corpus_files, relative_name
from .errors import (
    IndexMissing,
    IndexProblem,
    IndexVersionError,
    IndexWriteError,
    TracuuError,
    UnreadableFile,
)
from .models import Document, Progress
from .readers import ReadContext, format_of, read_bytes
from .workers import Pool, report, reporting_to

PARALLEL_MIN_FILES = 8  # fewer files to read than this are read in this process
# A full build is written as SHARDS segments (one per shard of the files): as many as the
# machine has CPUs, so that -jN runs them all at once, but at most four: every segment
# costs queries (10 MB of viwiki in 1, 2, 4 and 8 segments: 200 queries by `tracuu batch`
# in 2.2, 2.5, 3.3 and 4.1 s; the index 80, 84, 88 and 94 MB). Fewer where there are
# fewer than SHARD_MIN_FILES files per shard, more where a shard would hold more than
# SHARD_MAX_BYTES (each shard's writer holds its postings in memory).
SHARDS = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
SHARD_MIN_FILES = 8
# ... and the shards' segments are then merged into one (engine.join): full viwiki, two
# shards: `tracuu batch` of 200 queries 9 % less CPU, the index 4.6 % smaller, for some
# 30 s of merging. False keeps them apart (tests of indexes in several segments).
MERGE_SHARDS = True
SHARD_MAX_BYTES = 64_000_000
PREPARE_MAX_CHARS = 1_000_000  # documents up to this size are analysed by the reader
CACHE = "cache"  # in the index folder, outside generations: OCR output by file hash


class UpdateSummary(msgspec.Struct):
    """What an index run did."""

    added: list[str] = msgspec.field(default_factory=list)
    changed: list[str] = msgspec.field(default_factory=list)
    deleted: list[str] = msgspec.field(default_factory=list)
    unchanged: int = 0
    skipped: dict[str, str] = msgspec.field(default_factory=dict)
    skipped_kinds: Counter[str] = msgspec.field(default_factory=Counter)  # needs-ocr, corrupt ...
    partial: dict[str, str] = msgspec.field(default_factory=dict)  # indexed, but not all of it
    ignored: Counter[str] = msgspec.field(default_factory=Counter)  # other file types, by suffix
    paragraphs: int = 0
    rebuilt: bool = False
    repaired: str | None = None  # what was wrong with the index this run rebuilt
    seconds: float = 0.0


# ---- plan -------------------------------------------------------------------------


class Plan(msgspec.Struct):
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


class ReadResult(msgspec.Struct):
    """One file as read: a document to index, the same content as before, or a reason."""

    name: str
    record: store.FileRecord | None = None
    document: Document | None = None  # text dropped: the paragraphs carry it
    prepared: list[dict[str, engine.Prepared]] | None = None
    skipped: store.SkippedFile | None = None  # why it cannot be indexed

    @property
    def same_content(self) -> bool:
        return self.record is not None and self.document is None


class ReadTask(msgspec.Struct, frozen=True):
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
        on_page = lambda done, total: report(("page", name, done, total))  # noqa: E731
        ctx = ReadContext(sha, task.cache_dir, on_page)
        doc, raw = document_from_bytes(name, data, ctx)
    except UnreadableFile as exc:
        return ReadResult(name, skipped=store.SkippedFile(str(exc), exc.kind, fmt))
    except Exception as exc:  # noqa: BLE001 - a reader's bug on one file stops no other
        reason = f"tracuu failed on it ({type(exc).__name__}: {exc}); please report this"
        return ReadResult(name, skipped=store.SkippedFile(reason, "unreadable", fmt))
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
    tell = _teller(progress)
    if procs <= 1 or len(tasks) < PARALLEL_MIN_FILES:
        with reporting_to(tell):
            yield from map(read_file, tasks)
        return
    with Pool(read_file, procs, _given_up, on_report=tell) as pool:
        yield from pool.map(tasks)


def _events(res: ReadResult) -> list[tuple]:
    """What a build tells its Progress about a file read: Progress method and arguments."""
    if res.document is None or res.record is None:
        skipped = res.skipped or store.SkippedFile("unreadable")
        return [("skipped", display_name(res.name), skipped.reason)]
    events: list[tuple] = []
    if res.record.unread_pages:
        events.append(("skipped", f"{display_name(res.name)} (in part)", _partial(res.record)))
    return [*events, ("file_done", res.name, res.record.paragraphs)]


def _partial(record: store.FileRecord) -> str:
    return f"{record.unread_pages} scanned page(s) left out: they need OCR"


def _teller(progress: Progress):
    """The callback for what reading and writing report (in this process or in workers):
    ("page", path, done, total) within a long scan, or an event of _events. A file
    reported twice (its shard tried again after its worker died) is told once."""
    told: set[tuple] = set()

    def tell(event: tuple) -> None:
        if event[0] != "page":
            if event in told:
                return
            told.add(event)
        getattr(progress, event[0])(*event[1:])

    return tell


# ---- full builds: shards read and written at once ----------------------------------


class ShardTask(msgspec.Struct, frozen=True):
    tasks: tuple[ReadTask, ...]
    folder: Path  # where its index is written
    limitmb: int
    words: bool

    def halves(self) -> list[ShardTask]:
        mid, name = len(self.tasks) // 2, self.folder.name
        return [
            replace(self, tasks=part, folder=self.folder.with_name(name + suffix))
            for part, suffix in ((self.tasks[:mid], "a"), (self.tasks[mid:], "b"))
        ]


class ShardResult(msgspec.Struct):
    """A shard's files as read (documents without their paragraphs) and whether its index
    was written; or why not."""

    folder: Path
    files: list[ReadResult]
    written: bool = True
    died: bool = False  # its worker died twice: nothing of it was kept
    error: str | None = None  # it could not be written (a full disk): the build fails


def make_shards(
    plan: Plan, workspace: Path, cache_dir: Path | None, words: bool, procs: int
) -> list[ShardTask]:
    """The plan's files in order, cut into shards of about equal size in bytes."""
    names = plan.to_read
    sizes = [(_stat_key(plan.files[n]) or (0, 0))[0] for n in names]
    total = sum(sizes)
    count = max(1, min(SHARDS, len(names) // SHARD_MIN_FILES), math.ceil(total / SHARD_MAX_BYTES))
    count = min(count, len(names))
    before = [0, *itertools.accumulate(sizes)]  # bytes before each file
    starts = [0]
    for i in range(1, len(names)):
        left = count - len(starts)  # shards still to start after the current one
        if left == 0:
            break
        share = (total - before[starts[-1]]) / (left + 1)  # of what the current one starts
        current = before[i] - before[starts[-1]]
        if current + sizes[i] / 2 > share or len(names) - i <= left:
            starts.append(i)
    bounds = list(zip(starts, [*starts[1:], len(names)], strict=True)) if names else []
    writers = max(1, min(procs, len(bounds)))
    return [
        ShardTask(
            tuple(ReadTask(n, plan.files[n], None, cache_dir, words) for n in names[a:b]),
            workspace / f"shard-{k:03d}",
            engine.pool_mb(sum(sizes[a:b]), writers),
            words,
        )
        for k, (a, b) in enumerate(bounds)
    ]


def write_shard(shard: ShardTask) -> ShardResult:
    """Read the shard's files and write them as an index of its own (in a worker)."""
    files: list[ReadResult] = []
    try:
        if shard.folder.exists():
            shutil.rmtree(shard.folder)  # what a worker that died on it left
        shard.folder.mkdir(parents=True)
        writer = engine.Writer(shard.folder, create=True, limitmb=shard.limitmb, words=shard.words)
        try:
            for task in shard.tasks:
                res = read_file(task)
                if res.document is not None and res.record is not None:
                    writer.add(res.document.paragraphs, res.prepared)
                    res = replace(res, document=replace(res.document, paragraphs=()), prepared=None)
                for event in _events(res):
                    report(event)
                files.append(res)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        error = f"cannot write the index: {exc.strerror or exc}{where}"
        return ShardResult(shard.folder, files, False, error=error)
    except TracuuError as exc:
        return ShardResult(shard.folder, files, False, error=str(exc))
    return ShardResult(shard.folder, files, writer.changed)


def _shard_given_up(shard: ShardTask, exitcode: int | None) -> ShardResult:
    files = [_given_up(t, exitcode) for t in shard.tasks] if len(shard.tasks) == 1 else []
    return ShardResult(shard.folder, files, False, died=True)


def write_shards(shards: list[ShardTask], procs: int, progress: Progress) -> list[ShardResult]:
    """Each shard written (``write_shard``), in order; a shard whose worker died twice is
    cut in halves and written again, down to the one file that kills its worker."""
    tell = _teller(progress)
    if procs <= 1 or len(shards) < 2:
        with reporting_to(tell):
            return list(map(write_shard, shards))
    with Pool(write_shard, procs, _shard_given_up, on_report=tell) as pool:
        return _bisected(shards, pool.map)


def _bisected(shards: list[ShardTask], run) -> list[ShardResult]:
    out: list[ShardResult] = []
    for shard, res in zip(shards, list(run(shards)), strict=True):
        if res.died and len(shard.tasks) > 1:
            out += _bisected(shard.halves(), run)
        else:
            out.append(res)
    return out


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
        try:
            if old is None:
                _build_new(plan, index_dir, procs, summary, progress, words)
            else:
                results = read_files(plan, procs, progress, index_dir / CACHE, words)
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


def _new_manifest(plan: Plan, words: bool) -> store.Manifest:
    return store.Manifest(
        corpus=str(plan.corpus.resolve()), ignored=dict(plan.ignored), words=words
    )


def _build_new(
    plan: Plan, index_dir: Path, procs: int, summary: UpdateSummary, progress, words: bool
) -> None:
    """A full build: shards read and written at once, joined in a new generation."""
    manifest = _new_manifest(plan, words)
    tmp = store.new_workspace(index_dir, None, engine.TRANSIENT_FILES)
    shards = make_shards(plan, tmp, index_dir / CACHE, words, procs)
    written = write_shards(shards, procs, progress)
    tell = _teller(progress)
    for res in written:
        if res.error:
            raise IndexWriteError(f"{res.error}; the previous index was kept")
        for read in res.files:
            _record(read, manifest, summary, None)
            for event in _events(read) if res.died else ():
                tell(event)  # a file given up: its worker could not say
    progress.phase("writing the index")
    engine.join(tmp, [res.folder for res in written if res.written], merge=MERGE_SHARDS)
    for part in tmp.glob("shard-*"):
        shutil.rmtree(part)  # emptied of segments, or left by a worker that died
    manifest.updated_at = manifest.built_at = store.now()
    _finish(index_dir, tmp, manifest, summary)


def _build(
    plan: Plan, index_dir: Path, results, summary: UpdateSummary, progress, words: bool
) -> None:
    """An update: one writer changes the current generation (in a copy)."""
    old = plan.old
    assert old is not None
    manifest = _new_manifest(plan, words)
    manifest.built_at = old.built_at
    manifest.files = {k: v for k, v in old.files.items() if k in plan.files}
    summary.deleted = list(plan.removed)
    summary.unchanged = len(plan.files) - len(plan.to_read)
    base = store.require_generation(index_dir)
    tmp = store.new_workspace(index_dir, base, engine.TRANSIENT_FILES)
    pool = engine.pool_mb(sum((_stat_key(plan.files[n]) or (0, 0))[0] for n in plan.to_read))
    writer = engine.Writer(tmp, create=False, limitmb=pool, words=words)
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
    if not writer.changed:
        writer.cancel()  # only touched files: the index stays, the manifest learns mtimes
        manifest.sealed = old.sealed
        store.atomic_write(base / store.MANIFEST, manifest.dump())
        return
    writer.commit()
    _finish(index_dir, tmp, manifest, summary)


def _finish(index_dir: Path, tmp: Path, manifest: store.Manifest, summary: UpdateSummary) -> None:
    """Check the written generation, seal it and make it the current one."""
    _check(tmp, manifest)
    engine.write_spellings(tmp)
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
    tell = _teller(progress)
    for res in results:
        name = res.name
        if res.same_content and res.record is not None:
            res.record.paragraphs = manifest.files[name].paragraphs
            manifest.files[name] = res.record  # touched, same content: remember the new mtime
            summary.unchanged += 1
            progress.file_done(name, res.record.paragraphs)
            continue
        if name in old.files:
            writer.delete_path(name)  # its old text
        if res.document is not None and res.record is not None:
            writer.add(res.document.paragraphs, res.prepared)
        _record(res, manifest, summary, old)
        for event in _events(res):
            tell(event)


def _record(res: ReadResult, manifest, summary: UpdateSummary, old) -> None:
    """Enter a file read (and written) into the manifest and the summary."""
    name = res.name
    if res.document is None or res.record is None:
        shown = display_name(name)
        skipped = res.skipped or store.SkippedFile("unreadable")
        manifest.skipped[shown] = skipped
        summary.skipped[shown] = skipped.reason
        summary.skipped_kinds[skipped.kind] += 1
        manifest.files.pop(name, None)
        return
    if res.record.unread_pages:
        summary.partial[name] = _partial(res.record)
    manifest.files[name] = res.record
    (summary.changed if old is not None and name in old.files else summary.added).append(name)
    summary.paragraphs += res.record.paragraphs
