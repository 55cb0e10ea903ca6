"""Writing a generation folder with Whoosh, and checking what it holds."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path

from ..analysis import PATH
from ..errors import IndexDamaged, IndexWriteError
from ..models import Paragraph
from .gate import windex
from .internals import Codec
from .schema import SCHEMA, Prepared, paragraph_fields

LIMIT_MB = 512  # posting pool of the writer before it spills sorted runs to disk


class Writer:
    """The one writer of a generation folder (a new one, or the current one to update)."""

    def __init__(
        self, folder: Path, create: bool, limitmb: int = LIMIT_MB, words: bool = True
    ) -> None:
        self.words = words
        try:
            if create:
                self._ix = windex.create_in(str(folder), SCHEMA)
            else:
                self._ix = windex.open_dir(str(folder))
            self._w = self._ix.writer(limitmb=limitmb, codec=Codec())
        except OSError as exc:
            raise IndexWriteError(f"cannot write index at {folder}: {exc.strerror}") from None
        except Exception as exc:  # noqa: BLE001 - any Whoosh failure here is a damaged index
            raise IndexDamaged(f"cannot open index at {folder.parent}: {exc}") from None
        self.changed = False

    def add(
        self, paragraphs: Iterable[Paragraph], prepared: Iterable[dict[str, Prepared]] | None = None
    ) -> None:
        """Add a document's paragraphs (with their postings, if prepared elsewhere)."""
        preps = iter(prepared) if prepared is not None else itertools.repeat(None)
        for p, prep in zip(paragraphs, preps):
            self._w.add_document(**paragraph_fields(p, prep, self.words))
        self.changed = True

    def delete_path(self, path: str) -> None:
        self._w.delete_by_term(PATH, path)
        self.changed = True

    def commit(self) -> None:
        if self.changed:
            self._w.commit()
        else:
            self._w.cancel()
        self._ix.close()

    def cancel(self) -> None:
        try:
            self._w.cancel()
        finally:
            self._ix.close()


def contents(folder: Path, paths: Iterable[str]) -> tuple[int, list[str]]:
    """The paragraphs a generation holds, and which of ``paths`` it holds none of."""
    ix = open_index(folder)
    try:
        with ix.reader() as r:
            missing = [p for p in paths if r.doc_frequency(PATH, p) == 0]
            return r.doc_count(), missing
    finally:
        ix.close()


def open_index(folder: Path):
    try:
        return windex.open_dir(str(folder))
    except Exception as exc:  # noqa: BLE001 - any Whoosh failure here means a damaged index
        raise IndexDamaged(f"cannot open index at {folder.parent}: {exc}") from None
