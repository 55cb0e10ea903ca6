"""How the archive spells each syllable, kept with each generation of the index.

A word typed without diacritics is matched and weighted by how the archive writes it
(:mod:`tracuu.hints`): ``nguoi`` as ``người`` most of the time, ``ngươi`` sometimes. Asking
the term dictionary for each possible spelling costs some hundred lookups per word
(``accented_forms``), most of them for spellings the archive never uses. This table,
written with the generation from the syllables the index holds, answers in one lookup:
for each syllable without its diacritics, every spelling the index has, with how often it
occurs (as Whoosh counts a term's frequency: the paragraphs since deleted count until
their segment is merged).

File (``FILE`` in the generation folder): a sorted table (:mod:`.internals.table`) whose
keys are the folded syllables (UTF-8) and whose values list the spellings: for each,
varint length, UTF-8 bytes, varint count. An index without it (built by an older tracuu)
is asked spelling by spelling, as before.
"""

from __future__ import annotations

import mmap
import os
from collections import defaultdict
from pathlib import Path

from ..analysis import EXACT, VOCABULARY
from .internals.postings import segments
from .internals.table import TableReader, TableWriter, read_varint, varint

FILE = "SPELLINGS.tbl"


def write(folder: Path, searcher) -> None:
    """Write the spellings table of the index open in ``searcher`` into ``folder``
    (another file than the one a hard-linked copy of the generation may share)."""
    counts: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
    for sub, _ in segments(searcher):
        for btext, info in sub.reader().iter_field(EXACT):
            form = btext.decode("utf-8")
            counts[VOCABULARY.term(form, True)[1]][form] += info.weight()
    tmp = folder / f".{FILE}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            table = TableWriter(_Sink(f))
            for folded in sorted(counts, key=lambda k: k.encode("utf-8")):
                value = bytearray()
                for form, n in sorted(counts[folded].items()):
                    data = form.encode("utf-8")
                    varint(len(data), value)
                    value += data
                    varint(int(n), value)
                table.add(folded.encode("utf-8"), bytes(value))
            table.close()
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / FILE)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class Spellings:
    """A generation's spellings table (see the module), opened once read."""

    def __init__(self, folder: Path) -> None:
        self._path = folder / FILE
        self._table: TableReader | None = None
        self._file: _Mapped | None = None

    def exists(self) -> bool:
        return self._table is not None or self._path.is_file()

    def forms(self, folded: str) -> list[tuple[str, int]] | None:
        """Each spelling of the folded syllable the index holds, with its occurrences
        (none: not a syllable of the index); None when the generation has no table."""
        if self._table is None:
            if not self._path.is_file():
                return None
            self._open()
        assert self._table is not None
        value = self._table.get(folded.encode("utf-8"))
        if value is None:
            return []
        out, i = [], 0
        while i < len(value):
            size, i = read_varint(value, i)
            form = value[i : i + size].decode("utf-8")
            n, i = read_varint(value, i + size)
            out.append((form, n))
        return out

    def _open(self) -> None:
        with open(self._path, "rb") as f:
            buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self._file = _Mapped(buf)
        self._table = TableReader(self._file, len(buf))

    def close(self) -> None:
        if self._table is not None:
            self._table.close()
            self._table = None


class _Sink:
    """A file as TableWriter writes it (it closes what it writes to)."""

    def __init__(self, f) -> None:
        self._f = f

    def write(self, data: bytes) -> None:
        self._f.write(data)

    def tell(self) -> int:
        return self._f.tell()

    def close(self) -> None:
        pass  # the caller syncs and closes it


class _Mapped:
    """A mapped file as TableReader reads one (``_buf``, ``close``)."""

    def __init__(self, buf: mmap.mmap) -> None:
        self._buf = buf

    def get(self, at: int, size: int) -> bytes:
        return self._buf[at : at + size]

    def close(self) -> None:
        self._buf.close()
