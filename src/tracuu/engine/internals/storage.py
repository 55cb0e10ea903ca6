"""An index folder read in place: a compound segment's files are views of its memory map.

whoosh3 maps a compound segment file (``.seg``), but hands out each file inside it as a
``BufferFile`` whose ``BytesIO`` copies the whole file: opening a segment reader copies
its term table and posting lists, every page of them read from disk. On full viwiki that
was 0.26 s of a 0.67 s ``tracuu search``. Here whoosh3's CompoundStorage is told that
the folder cannot be mapped, so it asks the segment file for subsets; the segment file
maps itself and gives each subset a view of the map, read like a file without a copy.
"""

from __future__ import annotations

import mmap
import os

from ..gate import filestore, structfile

PEEK = 256  # bytes a peek() returns


class ReadStorage(filestore.FileStorage):
    """A FileStorage whose segment files are mapped and read in place (read-only use)."""

    def __init__(self, path: str) -> None:
        # not mappable as whoosh3 sees it: CompoundStorage then asks the file for subsets
        super().__init__(path, supports_mmap=False, readonly=True)

    def open_file(self, name, **kwargs):
        f = super().open_file(name, **kwargs)
        if not name.endswith(".seg"):
            return f
        try:
            return _Mapped(f, name)
        except (OSError, ValueError):  # (an empty file cannot be mapped)
            return f


class _Mapped(structfile.StructFile):
    """A segment file, mapped; its subsets are views of the map."""

    def __init__(self, f, name: str) -> None:
        super().__init__(f.file, name=name)
        self._map = mmap.mmap(f.file.fileno(), 0, access=mmap.ACCESS_READ)

    def subset(self, offset: int, length: int, name: str | None = None):
        return View(memoryview(self._map)[offset : offset + length], name or self._name)

    def close(self) -> None:
        super().close()
        try:
            self._map.close()
        except BufferError:  # a view is still open: the map goes with the last of them
            pass


class View(structfile.BufferFile):
    """whoosh3's BufferFile over a memoryview, read without copying it."""

    def __init__(self, buf: memoryview, name: str | None = None) -> None:
        self._buf = buf
        self._name = name
        self.file = _ViewIO(buf)  # type: ignore[assignment]  # (the methods used)
        self.onclose = None
        self.is_real = False
        self.is_closed = False


class _ViewIO:
    """The file methods whoosh3 and pickle call, over a memoryview."""

    def __init__(self, buf: memoryview) -> None:
        self._buf: memoryview | None = buf
        self._pos = 0

    def read(self, n: int | None = -1) -> bytes:
        assert self._buf is not None
        end = len(self._buf) if n is None or n < 0 else min(self._pos + n, len(self._buf))
        out = bytes(self._buf[self._pos : end])
        self._pos = max(self._pos, end)
        return out

    def peek(self, n: int = 0) -> bytes:
        # pickle.load reads ahead with peek() and then read()s what it used; without
        # peek it calls read() for every opcode. Whoosh's pickles here are block headers
        # of a few dozen bytes: a short look ahead (callers accept fewer bytes).
        assert self._buf is not None
        return bytes(self._buf[self._pos : self._pos + PEEK])

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def readline(self, limit: int | None = -1) -> bytes:
        assert self._buf is not None
        end = len(self._buf) if limit is None or limit < 0 else self._pos + limit
        chunk = self._buf[self._pos : end]
        at = bytes(chunk).find(b"\n") if len(chunk) < 4096 else _find_newline(chunk)
        return self.read(at + 1 if at >= 0 else len(chunk))

    def seek(self, pos: int, whence: int = os.SEEK_SET) -> int:
        assert self._buf is not None
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._buf)}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = None


def _find_newline(chunk: memoryview) -> int:
    step = 4096
    for start in range(0, len(chunk), step):
        at = bytes(chunk[start : start + step]).find(b"\n")
        if at >= 0:
            return start + at
    return -1
