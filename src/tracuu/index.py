"""The on-disk index: schema, full builds with an atomic swap, incremental updates, stats.

Layout of an index folder::

    index/CURRENT        name of the generation in use ("gen-000003"), replaced atomically
    index/gen-000003/    a Whoosh index plus manifest.json (files, hashes, skipped files)
    index/.lock          held (flock) by the one process that writes

A full build writes a new generation beside the old one and only then points CURRENT at
it, so a crash or Ctrl-C mid-build leaves the previous index as it was. An incremental
update changes the current generation through Whoosh's own commit, which is atomic.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import fields
from whoosh import index as windex
from whoosh.multiproc import MpWriter, SubWriterTask

from . import analysis
from .corpus import Document, Paragraph, iter_corpus_files, load_document, relative_name
from .readers import UnreadableFile

SCHEMA_VERSION = 2
LIMIT_MB = 512  # per writer process; enough to sort a segment's postings in memory
PARALLEL_MIN_FILES = 8  # fewer changed files than this are indexed in one process
MANIFEST = "manifest.json"
CURRENT = "CURRENT"


class IndexError_(Exception):
    """The index cannot be used or written (missing, corrupt, locked)."""


class IndexMissing(IndexError_):
    pass


class IndexLocked(IndexError_):
    pass


def make_schema() -> fields.Schema:
    return fields.Schema(
        key=fields.ID(unique=True),  # "path#number"
        path=fields.ID(stored=True),
        number=fields.NUMERIC(stored=True, numtype=int),
        start=fields.STORED,
        end=fields.STORED,
        text=fields.STORED,
        title=fields.STORED,
        date=fields.ID(stored=True),  # ISO date; "" when unknown
        doc_number=fields.STORED,
        issuer=fields.STORED,
        format=fields.ID(stored=True),
        body=fields.TEXT(analyzer=analysis.exact_analyzer(), phrase=True),
        fold=fields.TEXT(analyzer=analysis.folded_analyzer(), phrase=True),
    )


def paragraph_fields(p: Paragraph) -> dict:
    """The Whoosh document for one paragraph (both analyzed fields share one text)."""
    return dict(
        key=f"{p.path}#{p.number}",
        path=p.path,
        number=p.number,
        start=p.start,
        end=p.end,
        text=p.text,
        title=p.title,
        date=p.date or "",
        doc_number=p.doc_number,
        issuer=p.issuer,
        format=p.format,
        body=p.text,
        fold=p.text,
    )


# ---- progress ---------------------------------------------------------------------


class Reporter:
    """What a build tells its caller; the CLI draws a progress bar from it."""

    def start(self, total: int) -> None: ...
    def file_done(self, path: str, paragraphs: int) -> None: ...
    def skipped(self, path: str, reason: str) -> None: ...
    def phase(self, name: str) -> None: ...


# ---- locations --------------------------------------------------------------------


def current_generation(index_dir: Path) -> Path | None:
    """The folder of the generation in use, or None when there is no index."""
    pointer = Path(index_dir) / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexError_(f"cannot read index pointer {pointer}: {exc.strerror}") from None
    gen = Path(index_dir) / name
    if not name.startswith("gen-") or not gen.is_dir():
        raise IndexError_(f"index at {index_dir} is damaged: {CURRENT} names missing {name!r}")
    return gen


def exists(index_dir: Path) -> bool:
    try:
        return current_generation(index_dir) is not None
    except IndexError_:
        return False


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index's writer lock, or fail at once if another process holds it."""
    index_dir = Path(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(index_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise IndexError_(f"cannot write index at {index_dir}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexLocked(
                f"index at {index_dir} is locked by another writer (another 'tracuu index' running?)"
            ) from None
        yield
    finally:
        os.close(fd)


def _atomic_write(path: Path, data: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# ---- manifest ---------------------------------------------------------------------


@dataclass
class FileRecord:
    sha256: str
    size: int
    mtime_ns: int
    paragraphs: int


@dataclass
class Manifest:
    schema: int = SCHEMA_VERSION
    corpus: str = ""
    built_at: str = ""
    updated_at: str = ""
    files: dict[str, FileRecord] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def dump(self) -> str:
        d = dict(self.__dict__)
        d["files"] = {k: v.__dict__ for k, v in sorted(self.files.items())}
        return json.dumps(d, ensure_ascii=False, indent=1)

    @classmethod
    def load(cls, gen: Path) -> Manifest:
        try:
            d = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
            d["files"] = {k: FileRecord(**v) for k, v in d.get("files", {}).items()}
            return cls(**d)
        except FileNotFoundError:
            return cls(schema=-1)
        except (OSError, ValueError, TypeError) as exc:
            raise IndexError_(f"index manifest in {gen} is damaged: {exc}") from None


def read_manifest(index_dir: Path) -> Manifest:
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexMissing(f"no index at {index_dir} (run 'tracuu index')")
    return Manifest.load(gen)


def _now() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


# ---- building ---------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _new_generation_name(index_dir: Path) -> str:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    return f"gen-{max(numbers, default=0) + 1:06d}"


def _swap_in(index_dir: Path, tmp: Path) -> Path:
    """Move a finished build into place and point CURRENT at it; prune old generations."""
    previous = current_generation(index_dir) if (index_dir / CURRENT).exists() else None
    name = _new_generation_name(index_dir)
    gen = index_dir / name
    os.rename(tmp, gen)
    _atomic_write(index_dir / CURRENT, name + "\n")
    # Keep the previous generation for readers that still have it open.
    keep = {gen.name, previous.name if previous else ""}
    for old in index_dir.glob("gen-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    for stale in index_dir.glob(".tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    return gen


def build_index(
    paragraphs: Iterable[Paragraph],
    index_dir: Path,
    manifest: Manifest | None = None,
    procs: int = 1,
) -> Path:
    """Build a fresh index of ``paragraphs`` and swap it in atomically.

    The low-level entry point (benchmarks feed it paragraphs they made themselves);
    :func:`build_corpus` reads a corpus folder and records its files.
    """
    index_dir = Path(index_dir)
    with writer_lock(index_dir):
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=index_dir))
        try:
            ix = windex.create_in(tmp, make_schema())
            writer = _open_writer(ix, procs)
            try:
                for p in paragraphs:
                    writer.add_document(**paragraph_fields(p))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            ix.close()
            m = manifest or Manifest()
            m.built_at = m.updated_at = _now()
            _atomic_write(tmp / MANIFEST, m.dump())
            return _swap_in(index_dir, tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


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


def _load_all(paths: list[Path], root: Path) -> Iterator[tuple[Path, Document | None, str | None]]:
    """Yield (path, document or None, skip reason or None) for each path, in order."""
    for path in paths:
        try:
            yield path, load_document(path, root), None
        except UnreadableFile as exc:
            yield path, None, str(exc)


def _open_writer(ix: windex.Index, procs: int):
    """A Whoosh writer; with ``procs`` > 1, Whoosh's multiprocess writer.

    Segmenting and posting are the cost of indexing, and both happen inside Whoosh's
    writer (the analyzers run there), so its worker processes parallelize all of it. Each
    worker writes its own segment (``multisegment``): merging them would be serial again.
    """
    if procs > 1:
        return _SpawningMpWriter(
            ix, procs=procs, multisegment=True, limitmb=LIMIT_MB, batchsize=128
        )
    return ix.writer(limitmb=LIMIT_MB)


class _SpawnedSubWriter(SubWriterTask):
    """Whoosh's worker process, started with "spawn" instead of the platform default.

    Forking a threaded process can deadlock the child (Python 3.12+ warns about it), and
    by the time workers start there are threads: the job queue's feeder thread, and
    underthesea's native thread once anything was segmented in this process.
    """

    _start_method = "spawn"

    @staticmethod
    def _Popen(process_obj):  # noqa: N802 - the name multiprocessing looks up
        return multiprocessing.get_context("spawn").Process._Popen(process_obj)


class _SpawningMpWriter(MpWriter):
    """Whoosh's multiprocess writer with spawned workers, all started before the first job."""

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        spawn = multiprocessing.get_context("spawn")
        self.jobqueue = spawn.Queue(self.procs * 4)
        self.resultqueue = spawn.Queue()

    def _new_task(self):
        task = _SpawnedSubWriter(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task

    def _enqueue(self) -> None:
        while len(self.tasks) < self.procs:
            self._new_task()
        super()._enqueue()


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def build_corpus(
    corpus_dir: Path,
    index_dir: Path,
    *,
    rebuild: bool = False,
    procs: int = 1,
    reporter: Reporter | None = None,
) -> UpdateSummary:
    """Bring the index at ``index_dir`` up to date with ``corpus_dir``.

    Incremental by default: only new, changed (content hash) and deleted files are
    touched. ``rebuild`` (or a missing or older index) makes a full build instead.
    """
    t0 = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    reporter = reporter or Reporter()
    summary = UpdateSummary()
    files = list(iter_corpus_files(corpus_dir, summary.ignored))

    old: Manifest | None = None
    if not rebuild:
        try:
            gen = current_generation(index_dir)
            old = Manifest.load(gen) if gen else None
        except IndexError_:
            old = None
        if old is not None and old.schema != SCHEMA_VERSION:
            old = None
    summary.rebuilt = old is None

    # Decide what to (re)read: a file whose size and mtime match the manifest is unchanged.
    names = {relative_name(p, corpus_dir): p for p in files}
    todo: list[Path] = []
    hashes: dict[str, str] = {}
    if old is None:
        todo = files
    else:
        for name, p in names.items():
            rec = old.files.get(name)
            key = _stat_key(p)
            if rec and key == (rec.size, rec.mtime_ns):
                summary.unchanged += 1
                continue
            if rec and key and key[0] == rec.size:
                try:
                    digest = file_sha256(p)
                except OSError:
                    digest = ""
                if digest == rec.sha256:
                    hashes[name] = digest
                    summary.unchanged += 1
                    continue
            todo.append(p)
        summary.deleted = sorted(set(old.files) - set(names))

    manifest = Manifest(corpus=str(corpus_dir.resolve()))
    if old is not None:
        manifest.built_at = old.built_at
        manifest.files = {k: v for k, v in old.files.items() if k in names and names[k] not in todo}
        for k, digest in hashes.items():  # touched but same content: remember new mtime
            key = _stat_key(names[k])
            if key:
                manifest.files[k] = FileRecord(digest, key[0], key[1], manifest.files[k].paragraphs)

    reporter.start(len(todo))

    def documents() -> Iterator[Document]:
        for path, doc, reason in _load_all(todo, corpus_dir):
            name = relative_name(path, corpus_dir)
            if doc is None:
                summary.skipped[name] = manifest.skipped[name] = reason or "unreadable"
                reporter.skipped(name, summary.skipped[name])
                manifest.files.pop(name, None)
                continue
            key = _stat_key(path) or (doc.size, 0)
            manifest.files[name] = FileRecord(
                file_sha256(path) if path.exists() else doc.sha256,
                key[0],
                key[1],
                len(doc.paragraphs),
            )
            if old is not None:
                (summary.changed if name in old.files else summary.added).append(name)
            else:
                summary.added.append(name)
            summary.paragraphs += len(doc.paragraphs)
            reporter.file_done(name, len(doc.paragraphs))
            yield doc
        reporter.phase("writing the index")

    procs = procs if len(todo) >= PARALLEL_MIN_FILES else 1
    if old is None:
        build_index(
            (p for doc in documents() for p in doc.paragraphs),
            index_dir,
            manifest=manifest,
            procs=procs,
        )
    else:
        _update_in_place(index_dir, documents(), summary, manifest, reporter, procs)
    summary.seconds = time.perf_counter() - t0
    return summary


def _update_in_place(
    index_dir: Path,
    docs: Iterator[Document],
    summary: UpdateSummary,
    manifest: Manifest,
    reporter: Reporter,
    procs: int = 1,
) -> None:
    with writer_lock(index_dir):
        gen = current_generation(index_dir)
        assert gen is not None
        changed_any = bool(summary.deleted)
        ix = windex.open_dir(str(gen))
        writer = _open_writer(ix, procs)
        try:
            for name in summary.deleted:
                writer.delete_by_term("path", name)
            for doc in docs:
                changed_any = True
                writer.delete_by_term("path", doc.path)
                for p in doc.paragraphs:
                    writer.add_document(**paragraph_fields(p))
            # a file that became unreadable loses its old paragraphs too
            for name in summary.skipped:
                changed_any = True
                writer.delete_by_term("path", name)
        except BaseException:
            writer.cancel()
            ix.close()
            raise
        if changed_any:
            writer.commit()
        else:
            writer.cancel()
        ix.close()
        manifest.skipped = dict(summary.skipped)
        manifest.updated_at = _now()
        _atomic_write(gen / MANIFEST, manifest.dump())


# ---- opening and stats ------------------------------------------------------------


def open_index(index_dir: Path) -> windex.Index:
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexMissing(f"no index at {index_dir} (run 'tracuu index')")
    if not (gen / MANIFEST).exists():
        raise IndexError_(f"cannot open index at {index_dir}: {gen.name} has no {MANIFEST}")
    schema = Manifest.load(gen).schema
    if schema != SCHEMA_VERSION:
        raise IndexError_(
            f"index at {index_dir} was built by another version of tracuu "
            f"(schema {schema}, this one reads {SCHEMA_VERSION}): run 'tracuu index --rebuild'"
        )
    try:
        return windex.open_dir(str(gen))
    except Exception as exc:  # noqa: BLE001 - any Whoosh failure here means a damaged index
        raise IndexError_(f"cannot open index at {index_dir}: {exc}") from None


@dataclass(frozen=True)
class Stats:
    documents: int
    paragraphs: int
    distinct_terms: int
    size_bytes: int
    built_at: str
    updated_at: str
    corpus: str
    skipped: dict[str, str]


def stats(index_dir: Path) -> Stats:
    m = read_manifest(index_dir)
    gen = current_generation(index_dir)
    assert gen is not None
    ix = open_index(index_dir)
    try:
        with ix.reader() as r:
            paragraphs = r.doc_count()
            terms = sum(1 for _ in r.lexicon("body"))
    finally:
        ix.close()
    size = sum(p.stat().st_size for p in gen.iterdir() if p.is_file())
    return Stats(
        documents=len(m.files),
        paragraphs=paragraphs,
        distinct_terms=terms,
        size_bytes=size,
        built_at=m.built_at,
        updated_at=m.updated_at,
        corpus=m.corpus,
        skipped=dict(m.skipped),
    )
