"""One index from indexes written apart: build workers each write a one-segment index of
their share of the files; the segments are then merged into one (:mod:`.merge`, copying
their bytes, a posting list's blocks one after another), or where they cannot be, their
files move into the index folder and one table of contents lists them in order. Either
way no posting is read and written again (Whoosh's own multi-process writer merges so,
or leaves its segments in whatever order its workers finish)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from ..gate import filestore, windex
from . import merge as _merge
from .storage import ReadStorage


def join(folder: Path, parts: Sequence[Path], schema, merge: bool = True) -> None:
    """Make ``folder`` (an empty folder) the index of the segments of the indexes at
    ``parts``, in that order: a paragraph of ``parts[i]`` comes before every paragraph of
    ``parts[i + 1]``. One segment (``merge``, where the segments can be; the parts are
    then removed), else the parts' segment files, moved."""
    if merge and len(parts) > 1 and merged(folder, parts, schema):
        return
    segments = []
    for part in parts:
        ix = windex.open_dir(str(part))
        try:
            found = ix._segments()
            for segment in found:
                for name in segment.list_files(ix.storage):
                    os.replace(part / name, folder / name)
        finally:
            ix.close()
        segments.extend(found)
    windex.TOC(schema, segments, 0).write(
        filestore.FileStorage(str(folder)), windex._DEF_INDEX_NAME
    )


def merged(folder: Path, parts: Sequence[Path], schema) -> bool:
    """Write the paragraphs of ``parts`` into ``folder`` as one segment; False (and
    ``folder`` left as it was) where the merge fails (:mod:`.merge`).

    Merged, the parts are removed before the segment's files are gathered into one:
    the disk then holds at most twice the index (the parts and the merged files, then
    these and the segment file they become), not three times."""
    name = windex._DEF_INDEX_NAME
    storage = filestore.FileStorage(str(folder))
    before = set(os.listdir(folder))
    indexes, readers = [], []
    try:
        for part in parts:
            indexes.append(windex.FileIndex(ReadStorage(str(part)), indexname=name))
            readers += [r for r, _ in _leaves(indexes[-1].reader())]
        segment = readers[0].codec().new_segment(storage, name)
        _merge.merge(storage, segment, readers, schema)
    except Exception as exc:
        _remove_new(folder, before)
        if isinstance(exc, OSError):
            raise  # (a full disk: the build stops and says so)
        # what the merge does not copy (NotMergeable), or reads otherwise than it should:
        # the segments stay apart, as good for every search (tests/test_merge.py fails)
        return False
    finally:
        for r in readers:
            r.close()
        for ix in indexes:
            ix.close()
    for part in parts:
        shutil.rmtree(part, ignore_errors=True)
    try:
        segment.create_compound_file(storage)
        windex.TOC(schema, [segment], 0).write(storage, name)
    except BaseException:
        _remove_new(folder, before)
        raise
    return True


def _remove_new(folder: Path, before: set[str]) -> None:
    """Remove what ``folder`` holds but for the names ``before``."""
    for left in set(os.listdir(folder)) - before:
        with contextlib.suppress(OSError):
            (shutil.rmtree if (folder / left).is_dir() else os.remove)(folder / left)


def _leaves(reader) -> list:
    """(segment reader, docnum offset) of each segment of ``reader`` that has
    paragraphs, in order."""
    found = [(reader, 0)] if reader.is_atomic() else list(reader.leaf_readers())
    return [(r, offset) for r, offset in found if r.doc_count_all()]
