"""The index folder on disk: generations, the manifest, the writer lock. Engine-agnostic.

Layout of an index folder::

    index/CURRENT        name of the generation in use ("gen-000003"), replaced atomically
    index/gen-000003/    the engine's files plus manifest.json (files, hashes, skipped files)
    index/.lock          held (flock) by the one process that writes

A full build writes a new generation beside the old one and only then points CURRENT at
it, so a crash or Ctrl-C mid-build leaves the previous index as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import json
import os
import shutil
import zlib
from collections.abc import Iterator
from pathlib import Path

import msgspec
from msgspec.structs import replace

from .errors import (
    IndexDamaged,
    IndexLocked,
    IndexMissing,
    IndexProblem,
    IndexVersionError,
    IndexWriteError,
)

SCHEMA_VERSION = 9  # 6: term tables, shards; 7: numpy blocks; 8: of 1024; 9: key columns
MANIFEST = "manifest.json"
CURRENT = "CURRENT"
LOCK = ".lock"
TMP_PREFIX = ".tmp-"


class FileRecord(msgspec.Struct, forbid_unknown_fields=True):
    """What the index knows of one corpus file."""

    sha256: str
    size: int
    mtime_ns: int
    paragraphs: int
    format: str = ""
    ocr_pages: int = 0  # pages read by OCR
    unread_pages: int = 0  # scanned pages left out (OCR not installed)
    metadata: dict[str, str] = msgspec.field(default_factory=dict)  # the header fields found


class SkippedFile(msgspec.Struct, forbid_unknown_fields=True):
    """A corpus file that is not searchable, and why."""

    reason: str
    kind: str = "unreadable"  # one of errors.SKIP_KINDS
    format: str = ""


class Manifest(msgspec.Struct, forbid_unknown_fields=True):
    """The files a generation holds, and the ones that could not be read."""

    schema: int = SCHEMA_VERSION
    corpus: str = ""
    words: bool = True  # underthesea's longer words are indexed
    built_at: str = ""
    updated_at: str = ""
    files: dict[str, FileRecord] = msgspec.field(default_factory=dict)
    skipped: dict[str, SkippedFile] = msgspec.field(default_factory=dict)
    # other file types: name -> suffix
    ignored: dict[str, str] = msgspec.field(default_factory=dict)
    # the generation's own files (the engine's): name -> [size, mtime_ns, crc32]
    sealed: dict[str, list[int]] = msgspec.field(default_factory=dict)

    def dump(self) -> str:
        d = msgspec.to_builtins(replace(self, files={}))
        d["files"] = {k: msgspec.to_builtins(v) for k, v in sorted(self.files.items())}
        d["skipped"] = {k: msgspec.to_builtins(v) for k, v in sorted(self.skipped.items())}
        d["ignored"] = dict(sorted(self.ignored.items()))
        # surrogateescape'd file names (not valid UTF-8) must survive the round trip (as
        # \u escapes); compact, as every search reads it (full viwiki: 4.2 MB indented,
        # 3.8 MB compact, parsed in two thirds of the time)
        return json.dumps(d, ensure_ascii=True, separators=(",", ":"))

    @classmethod
    def load(cls, gen: Path) -> Manifest:
        try:
            return _parsed((gen / MANIFEST).read_bytes())
        except FileNotFoundError:
            raise IndexDamaged(
                f"cannot open index at {gen.parent}: {gen.name} has no {MANIFEST}"
            ) from None
        except (OSError, ValueError, TypeError) as exc:  # (msgspec's errors are ValueErrors)
            raise IndexDamaged(
                f"cannot open index at {gen.parent}: damaged manifest ({exc})"
            ) from None


@functools.cache
def _decoder() -> msgspec.json.Decoder[Manifest]:
    return msgspec.json.Decoder(Manifest)


def _parsed(data: bytes) -> Manifest:
    """A manifest read from its JSON, each field checked as it is made (every search
    reads it: full viwiki's 3.7 MB into 7,860 records in less time than orjson took to
    parse it into dicts). msgspec refuses a file name's lone surrogate (escaped): such a
    manifest is parsed by the standard library, then checked the same way. A manifest
    that is not one raises ValueError."""
    try:
        return _decoder().decode(data)
    except msgspec.DecodeError as first:
        try:
            parsed = json.loads(data.decode("utf-8"))
        except ValueError:  # (not JSON: msgspec's error says where)
            raise first from None
        return msgspec.convert(parsed, Manifest)


def now() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


# ---- generations ------------------------------------------------------------------


def current_generation(index_dir: Path) -> Path | None:
    """The folder of the generation in use, or None when there is no index."""
    pointer = Path(index_dir) / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexDamaged(f"cannot read index pointer {pointer}: {exc}") from None
    gen = Path(index_dir) / name
    if not name.startswith("gen-") or not gen.is_dir():
        raise IndexDamaged(
            f"index at {index_dir} is damaged: {CURRENT} names missing {name!r}",
            hint="run 'tracuu index' to rebuild it",
        )
    return gen


def require_generation(index_dir: Path) -> Path:
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexMissing(f"no index at {index_dir}", hint="run 'tracuu index'")
    return gen


def exists(index_dir: Path) -> bool:
    try:
        return current_generation(index_dir) is not None
    except IndexProblem:
        return False


def read_manifest(index_dir: Path) -> Manifest:
    return Manifest.load(require_generation(index_dir))


def new_workspace(
    index_dir: Path, base: Path | None = None, skip: frozenset[str] = frozenset()
) -> Path:
    """A temporary folder inside the index folder for the next generation.

    With ``base``, it starts as a copy of that generation made of hard links (the engine
    never changes a file it wrote, it only adds and removes files), so an update works on
    its own copy and the current generation stays as it was until the swap.
    """
    try:
        import tempfile  # (here: a search never makes a generation)

        tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=index_dir))
        for src in base.iterdir() if base is not None else ():
            if src.name != MANIFEST and src.name not in skip and src.is_file():
                _link_or_copy(src, tmp / src.name)
        return tmp
    except OSError as exc:
        raise IndexWriteError(f"cannot write index at {index_dir}: {exc.strerror}") from None


def _link_or_copy(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)  # a file system without hard links


def _new_generation_name(index_dir: Path) -> str:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    return f"gen-{max(numbers, default=0) + 1:06d}"


def swap_in(index_dir: Path, tmp: Path, keep_previous: bool = True) -> Path:
    """Move a finished build into place and point CURRENT at it; prune old generations.

    The previous generation stays for readers that still have it open, unless told
    otherwise (a damaged one is of no use to anybody).
    """
    try:
        previous = current_generation(index_dir) if keep_previous else None
    except IndexProblem:
        previous = None
    name = _new_generation_name(index_dir)
    gen = index_dir / name
    os.rename(tmp, gen)
    atomic_write(index_dir / CURRENT, name + "\n")
    # Keep the previous generation for readers that still have it open.
    keep = {gen.name, previous.name if previous else ""}
    for old in index_dir.glob("gen-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    remove_leftovers(index_dir)
    return gen


def remove_leftovers(index_dir: Path) -> None:
    """Delete what killed runs left behind (temporary build folders and files)."""
    for stale in Path(index_dir).glob(TMP_PREFIX + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in Path(index_dir).glob(f".{CURRENT}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


# ---- writing safely ---------------------------------------------------------------


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index's writer lock, or fail at once if another process holds it."""
    index_dir = Path(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(index_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise IndexWriteError(f"cannot write index at {index_dir}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexLocked(
                f"index at {index_dir} is locked by another writer",
                hint="another 'tracuu index' running?",
            ) from None
        yield
    finally:
        os.close(fd)


def atomic_write(path: Path, data: str) -> None:
    """Write a whole file or nothing: a temporary file, fsync'd, renamed over it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def open_generation(index_dir: Path, verify: bool = False) -> tuple[Path, Manifest]:
    """The current generation and its manifest, checked to be one this tracuu reads.

    ``verify`` also checks its files (quickly: see :func:`damage`).
    """
    gen = require_generation(index_dir)
    manifest = Manifest.load(gen)
    if manifest.schema != SCHEMA_VERSION:
        raise IndexVersionError(
            f"index at {index_dir} was built by another version of tracuu "
            f"(schema {manifest.schema}, this one reads {SCHEMA_VERSION})",
            hint="run 'tracuu index --rebuild'",
        )
    problems = damage(gen, manifest) if verify else []
    if problems:
        raise IndexDamaged(
            f"the index at {index_dir} is damaged: {'; '.join(problems[:3])}",
            hint="run 'tracuu index' to repair it",
        )
    return gen, manifest


# ---- integrity --------------------------------------------------------------------


def _crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            crc = zlib.crc32(block, crc)
    return crc


def seal(gen: Path, skip: frozenset[str] = frozenset()) -> dict[str, list[int]]:
    """Size, mtime and checksum of each file of a generation, to check it against later."""
    out = {}
    for p in sorted(gen.iterdir()):
        if p.is_file() and p.name != MANIFEST and p.name not in skip:
            st = p.stat()
            out[p.name] = [st.st_size, st.st_mtime_ns, _crc32(p)]
    return out


def damage(gen: Path, manifest: Manifest, thorough: bool = False) -> list[str]:
    """What is wrong with a generation's files (empty when healthy).

    Quick by default: a file whose size and mtime are as sealed is trusted, others are
    checksummed. ``thorough`` checksums every file.
    """
    problems = []
    for name, (size, mtime, crc) in sorted(manifest.sealed.items()):
        try:
            st = (gen / name).stat()
        except FileNotFoundError:
            problems.append(f"{name} is missing")
            continue
        if st.st_size != size:
            problems.append(f"{name} has {st.st_size} bytes, {size} written")
        elif (thorough or st.st_mtime_ns != mtime) and _crc32(gen / name) != crc:
            problems.append(f"{name} does not hold what was written")
    if not manifest.sealed:
        problems.append(f"{MANIFEST} lists no index files")
    return problems
