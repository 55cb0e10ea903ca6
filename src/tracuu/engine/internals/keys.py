"""Paragraph keys (path, number) read in bulk from a segment's raw columns.

Ranking by document groups hundreds of paragraphs by their path, and equal scores are
ordered by (path, number): the web page's depth of 200 documents asks for about 760 keys
a query. Through Whoosh, one key is two trips through its column readers (the multi-
segment reader, the translating reader, the column's reader, the file), about 9 µs. Here
a segment's PATH column (whoosh3's ``VarBytesColumn``: the values one after another, then
arrays of their offsets and lengths) and its NUMBER column (a ``NumericColumn``: fixed
size, big-endian) are read once, as one bytes object and numpy arrays; a key is then two
slices. A segment whose columns are of other kinds is read through Whoosh.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence

import numpy as np

from ..gate import columns
from .postings import segments


class SegmentKeys:
    """The (path, number) of each paragraph of one segment, from its raw column data."""

    def __init__(self, reader, path_field: str, number_field: str) -> None:
        paths = reader.column_reader(path_field, translate=False)
        numbers = reader.column_reader(number_field, translate=False)
        if type(paths) is not columns.VarBytesColumn.Reader:
            raise TypeError(f"{path_field} is not a VarBytesColumn: {paths!r}")
        if type(numbers) is not columns.NumericColumn.Reader or numbers._typecode != "I":
            raise TypeError(f"{number_field} is not a NumericColumn('I'): {numbers!r}")
        self._offsets = np.asarray(paths._offsets, dtype=np.int64)
        self._lengths = np.asarray(paths._lengths, dtype=np.int64)
        size = int(self._offsets[-1] + self._lengths[-1]) if len(self._offsets) else 0
        self._data = bytes(paths._dbfile.get(paths._basepos, size))
        count = numbers._count  # paragraphs after the last one written read the default
        raw = bytes(numbers._dbfile.get(numbers._basepos, count * numbers._fixedlen))
        self._numbers = np.full(reader.doc_count_all(), numbers._default, dtype=np.int64)
        self._numbers[:count] = np.frombuffer(raw, dtype=">u4", count=count)

    def paths(self, local: np.ndarray) -> list[str]:
        return [path.decode("utf-8") for path in self._raw(local)]

    def _raw(self, local: np.ndarray) -> list[bytes]:
        data, starts = self._data, self._offsets[local]
        ends = (starts + self._lengths[local]).tolist()
        return [data[a:b] for a, b in zip(starts.tolist(), ends, strict=True)]

    def numbers(self, local: np.ndarray) -> np.ndarray:
        return self._numbers[local]

    def runs(self) -> np.ndarray | None:
        """Where each file's paragraphs begin, when they lie one file after another and
        numbered 1, 2, 3 ... as a build writes them: a run's first paragraph is number 1,
        each other one the number before it plus one, and its first and last paragraphs
        have one path. None where the numbers do not show that."""
        numbers = self._numbers
        starts = np.flatnonzero(numbers == 1)
        if not len(numbers) or not len(starts) or starts[0] != 0:
            return None
        inside = np.ones(len(numbers), dtype=bool)
        inside[starts] = False
        if not (numbers[inside] == numbers[np.flatnonzero(inside) - 1] + 1).all():
            return None
        ends = np.append(starts[1:], len(numbers)) - 1
        return starts if self._same_paths(starts, ends) else None

    def _same_paths(self, a: np.ndarray, b: np.ndarray) -> bool:
        """Is the path of each paragraph of ``a`` the path of its partner in ``b``?
        (Compared undecoded, byte by byte, all in a few array operations.)"""
        lengths = self._lengths[a]
        if not (lengths == self._lengths[b]).all():
            return False
        data = np.frombuffer(self._data, dtype=np.uint8)
        within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return bool(
            (
                data[np.repeat(self._offsets[a], lengths) + within]
                == data[np.repeat(self._offsets[b], lengths) + within]
            ).all()
        )

    def every_path(self) -> Iterator[bytes]:
        """Each paragraph's path, undecoded, in docnum order."""
        data, ends = self._data, (self._offsets + self._lengths).tolist()
        return (data[a:b] for a, b in zip(self._offsets.tolist(), ends, strict=True))

    def one(self, local: int) -> tuple[str, int]:
        start = int(self._offsets[local])
        end = start + int(self._lengths[local])
        return self._data[start:end].decode("utf-8"), int(self._numbers[local])


class WhooshKeys:
    """The same through Whoosh's column readers (columns of another kind)."""

    def __init__(self, reader, path_field: str, number_field: str) -> None:
        self._paths = reader.column_reader(path_field)
        self._numbers = reader.column_reader(number_field)
        self._count = reader.doc_count_all()

    def paths(self, local: np.ndarray) -> list[str]:
        return [self._paths[d] for d in local.tolist()]

    def numbers(self, local: np.ndarray) -> np.ndarray:
        return np.array([self._numbers[d] for d in local.tolist()], dtype=np.int64)

    def runs(self) -> None:
        return None

    def every_path(self) -> Iterator[bytes]:
        return (self._paths[d].encode("utf-8") for d in range(self._count))

    def one(self, local: int) -> tuple[str, int]:
        return self._paths[local], self._numbers[local]


class Keys:
    """(path, number) of any paragraphs of a multi-segment searcher, in bulk."""

    def __init__(self, searcher, path_field: str, number_field: str) -> None:
        self.segments: list[SegmentKeys | WhooshKeys] = []
        starts = []
        for sub, offset in segments(searcher):
            reader = sub.reader()
            try:
                keys: SegmentKeys | WhooshKeys = SegmentKeys(reader, path_field, number_field)
            except (TypeError, AttributeError):  # another kind of column, or another Whoosh
                keys = WhooshKeys(reader, path_field, number_field)
            self.segments.append(keys)
            starts.append(offset)
        self._starts = np.array(starts, dtype=np.int64)
        self._runs: list[np.ndarray | None] | None = None  # each segment's runs() once
        self._run_paths: list[list[str] | None] | None = None  # the path of each run
        self._ordered: bool | None = None
        self._first = starts  # the same, for one key at a time

    def runs(self) -> list[np.ndarray | None]:
        """Each segment's runs (``SegmentKeys.runs``), found once."""
        if self._runs is None:
            self._runs = [keys.runs() for keys in self.segments]
        return self._runs

    def run_paths(self) -> list[list[str] | None]:
        """The path of each run of each segment (None: a segment without runs), decoded
        once: ordering and numbering the documents both read them."""
        if self._run_paths is None:
            self._run_paths = [
                None if starts is None else keys.paths(starts)
                for keys, starts in zip(self.segments, self.runs(), strict=True)
            ]
        return self._run_paths

    def in_storage_order(self) -> bool:
        """Do the paragraphs lie in (path, number) order, docnum after docnum? A full
        build writes them so (its files in sorted order, each file's paragraphs one
        after another); an update appends the files it read again after the others."""
        if self._ordered is None:
            paths: list[str] = []
            for run_paths in self.run_paths():
                if run_paths is None:
                    self._ordered = False
                    return False
                paths += run_paths
            self._ordered = all(a < b for a, b in zip(paths, paths[1:]))
        return self._ordered

    def one(self, docnum: int) -> tuple[str, int]:
        """The path and number of ``docnum``."""
        i = bisect.bisect_right(self._first, docnum) - 1
        return self.segments[i].one(docnum - self._first[i])

    def documents(self, total: int) -> tuple[np.ndarray, list[str]]:
        """The document of each of ``total`` paragraphs (deleted ones too), and each
        document's path; documents are numbered in the order their first paragraph is
        stored. A segment whose files lie one after another (``runs``) is read from its
        numbers; another one path by path, compared undecoded."""
        number: dict[str, int] = {}
        owner = np.zeros(total, dtype=np.int64)
        runs = zip(self.segments, self.runs(), self.run_paths(), strict=True)
        for i, (keys, starts, run_paths) in enumerate(runs):
            first = self._first[i]
            end = self._first[i + 1] if i + 1 < len(self._first) else total
            if starts is not None and run_paths is not None:
                docs = [number.setdefault(p, len(number)) for p in run_paths]
                sizes = np.diff(np.append(starts, end - first))
                owner[first:end] = np.repeat(np.array(docs, dtype=np.int64), sizes)
                continue
            local: dict[bytes, int] = {}
            ids = np.fromiter(
                (local.setdefault(p, len(local)) for p in keys.every_path()),
                dtype=np.int64,
                count=end - first,
            )
            docs = [number.setdefault(p.decode("utf-8"), len(number)) for p in local]
            owner[first:end] = np.array(docs, dtype=np.int64)[ids]
        return owner, list(number)

    def numbers(self, docnums: Sequence[int] | np.ndarray) -> np.ndarray:
        """The paragraph numbers of ``docnums`` (in their order), without their paths."""
        ids = np.asarray(docnums, dtype=np.int64)
        if len(self.segments) == 1:
            return self.segments[0].numbers(ids)
        numbers = np.zeros(len(ids), dtype=np.int64)
        segment = np.searchsorted(self._starts, ids, side="right") - 1
        for i, keys in enumerate(self.segments):
            at = np.flatnonzero(segment == i)
            numbers[at] = keys.numbers(ids[at] - self._starts[i])
        return numbers

    def of(self, docnums: Sequence[int] | np.ndarray) -> tuple[list[str], np.ndarray]:
        """The paths and numbers of ``docnums`` (in their order)."""
        ids = np.asarray(docnums, dtype=np.int64)
        if len(self.segments) == 1:
            return self.segments[0].paths(ids), self.segments[0].numbers(ids)
        paths: list[str] = [""] * len(ids)
        numbers = np.zeros(len(ids), dtype=np.int64)
        segment = np.searchsorted(self._starts, ids, side="right") - 1
        for i, keys in enumerate(self.segments):
            at = np.flatnonzero(segment == i)
            if not len(at):
                continue
            local = ids[at] - self._starts[i]
            numbers[at] = keys.numbers(local)
            for j, path in zip(at.tolist(), keys.paths(local), strict=True):
                paths[j] = path
        return paths, numbers
