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
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import (
    IndexDamaged,
    IndexLocked,
    IndexMissing,
    IndexProblem,
    IndexVersionError,
    IndexWriteError,
)

SCHEMA_VERSION = 3
MANIFEST = "manifest.json"
CURRENT = "CURRENT"
LOCK = ".lock"
TMP_PREFIX = ".tmp-"


@dataclass
class FileRecord:
    """What the index knows of one corpus file."""

    sha256: str
    size: int
    mtime_ns: int
    paragraphs: int


@dataclass
class Manifest:
    """The files a generation holds, and the ones that could not be read."""

    schema: int = SCHEMA_VERSION
    corpus: str = ""
    built_at: str = ""
    updated_at: str = ""
    files: dict[str, FileRecord] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def dump(self) -> str:
        d = asdict(self)
        d["files"] = {k: asdict(v) for k, v in sorted(self.files.items())}
        d["skipped"] = dict(sorted(self.skipped.items()))
        # surrogateescape'd file names (not valid UTF-8) must survive the round trip
        return json.dumps(d, ensure_ascii=True, indent=1)

    @classmethod
    def load(cls, gen: Path) -> Manifest:
        try:
            d = json.loads((gen / MANIFEST).read_text(encoding="utf-8"))
            d["files"] = {k: FileRecord(**v) for k, v in d.get("files", {}).items()}
            return cls(**d)
        except FileNotFoundError:
            raise IndexDamaged(
                f"cannot open index at {gen.parent}: {gen.name} has no {MANIFEST}"
            ) from None
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise IndexDamaged(
                f"cannot open index at {gen.parent}: damaged manifest ({exc})"
            ) from None


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


def new_workspace(index_dir: Path) -> Path:
    """A temporary folder inside the index folder for a generation being built."""
    try:
        return Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=index_dir))
    except OSError as exc:
        raise IndexWriteError(f"cannot write index at {index_dir}: {exc.strerror}") from None


def _new_generation_name(index_dir: Path) -> str:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    return f"gen-{max(numbers, default=0) + 1:06d}"


def swap_in(index_dir: Path, tmp: Path) -> Path:
    """Move a finished build into place and point CURRENT at it; prune old generations."""
    try:
        previous = current_generation(index_dir)
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


def open_generation(index_dir: Path) -> tuple[Path, Manifest]:
    """The current generation and its manifest, checked to be one this tracuu reads."""
    gen = require_generation(index_dir)
    manifest = Manifest.load(gen)
    if manifest.schema != SCHEMA_VERSION:
        raise IndexVersionError(
            f"index at {index_dir} was built by another version of tracuu "
            f"(schema {manifest.schema}, this one reads {SCHEMA_VERSION})",
            hint="run 'tracuu index --rebuild'",
        )
    return gen, manifest
