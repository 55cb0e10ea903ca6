"""Archive files -> documents: the corpus walk, and each file read into a Document.

A document's paragraphs (the search unit) are as :mod:`.layout` finds them: hard-wrapped
lines joined, page furniture dropped; each keeps its offsets in the text, its number in
the file and its page; the document's metadata comes from its header.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec.structs import replace

from . import text as vtext
from .errors import CorpusError
from .layout import paragraph_spans, read_header
from .models import Document, Paragraph

if TYPE_CHECKING:
    from .readers import DocumentText, ReadContext

# ---- files ------------------------------------------------------------------------


def iter_corpus_files(root: Path, ignored: list[Path] | None = None) -> Iterator[Path]:
    """Every regular file below ``root`` that tracuu reads, in a stable order.

    Names starting with "." are included: archives have them and shell globs skip them.
    Files of other types (.xlsx, .zip) are collected in ``ignored``.
    """
    from .readers import effective_suffix

    root = Path(root)
    if not root.exists():
        raise CorpusError(f"corpus folder not found: {root}")
    if not root.is_dir():
        raise CorpusError(f"corpus is not a folder: {root}")
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in {".git", "__pycache__"})
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if not p.is_file():
                continue
            if effective_suffix(p) is not None:
                yield p
            elif ignored is not None:
                ignored.append(p)


def relative_name(path: Path, root: Path) -> str:
    return Path(path).relative_to(root).as_posix()


def display_name(name: str) -> str:
    """A file name safe to print and store as text: bad bytes shown as \\xNN."""
    if vtext.is_valid(name):
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def load_document(path: Path, root: Path) -> Document:
    """Read one archive file into a Document with its paragraphs.

    Raises ``UnreadableFile`` with a one-line reason for files that cannot be used.
    """
    from .readers import read_bytes

    data = read_bytes(Path(path))
    return document_from_bytes(relative_name(path, root), data)[0]


def document_from_bytes(
    name: str, data: bytes, ctx: ReadContext | None = None
) -> tuple[Document, DocumentText]:
    """The Document of a file named ``name`` (relative to the corpus) whose bytes are
    ``data``, and the text its reader gave."""
    from .readers import parse_bytes

    raw = parse_bytes(Path(name), data, ctx)
    doc = make_document(name, raw.text, raw.format)
    return replace(doc, sha256=hashlib.sha256(data).hexdigest(), size=len(data)), raw


def make_document(name: str, text: str, fmt: str = "txt") -> Document:
    """Build a Document (paragraphs as written, header metadata) from decoded text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    spans = paragraph_spans(text)
    metadata = read_header(text, spans, Path(name).stem)
    paragraphs = tuple(
        Paragraph(name, i, sp.start, sp.end, sp.text_of(text), sp.page)
        for i, sp in enumerate(spans, start=1)
    )
    data = text.encode("utf-8", "surrogatepass")
    return Document(
        name, text, fmt, metadata, paragraphs, hashlib.sha256(data).hexdigest(), len(data)
    )
