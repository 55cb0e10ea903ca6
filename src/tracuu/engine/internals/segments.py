"""One index from indexes written apart: build workers each write a one-segment index of
their share of the files; their segment files then move into the index folder and one
table of contents lists the segments in order. No posting is read or written again
(Whoosh's own multi-process writer merges, or leaves its segments in whatever order its
workers finish)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..gate import filestore, windex


def join(folder: Path, parts: Sequence[Path], schema) -> None:
    """Make ``folder`` (an empty folder) the index of the segments of the indexes at
    ``parts``, in that order: a paragraph of ``parts[i]`` comes before every paragraph of
    ``parts[i + 1]``. The parts' segment files are moved, not copied."""
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
