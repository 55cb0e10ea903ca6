"""Archive files -> clean Unicode text, one module per format family.

Text files may be UTF-8/UTF-16 or one of the pre-Unicode Vietnamese encodings (CP1258,
TCVN3, VNI), which are detected and converted (:mod:`.encodings`, :mod:`.legacy`).
Other formats: :mod:`.docx`, :mod:`.pdf`, :mod:`.html`, Word 97-2003 .doc and .rtf
(:mod:`.msword`; legacy-font text inside them: :mod:`.fonts`); scans (images, PDF pages
without text) are read by OCR (:mod:`.scans`, :mod:`.ocr`). A new format is a new module
and one entry in ``_READERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import msgspec

from ..errors import UnreadableFile
from .detect import FORMATS, MAX_BYTES, SUPPORTED_SUFFIXES, effective_suffix, read_bytes
from .encodings import decode_text, join_pages, join_paragraphs

__all__ = [
    "MAX_BYTES",
    "SUPPORTED_SUFFIXES",
    "DocumentText",
    "ReadContext",
    "UnreadableFile",
    "decode_text",
    "parse_bytes",
    "read_bytes",
    "effective_suffix",
    "format_of",
    "read_document",
]


class DocumentText(msgspec.Struct, frozen=True):
    """Text of one file: "\\n" line ends, "\\f" between pages, no BOM.

    Unicode files keep their normalization form (an NFD file stays NFD); text decoded
    from legacy 8-bit encodings (CP1258, TCVN3, VNI) is NFC.
    """

    text: str
    format: str  # "txt" | "md" | "docx" | "pdf" | "html" ...
    encoding: str | None  # codec the bytes were decoded with; None for docx/pdf
    ocr_pages: int = 0  # pages read by OCR
    unread_pages: int = 0  # scanned pages left out: OCR is not installed


class ReadContext(msgspec.Struct, frozen=True):
    """What a reader may need besides the bytes: where to cache slow work (OCR) and whom
    to tell about progress inside one long file."""

    sha256: str = ""  # of the file's bytes: the cache key
    cache_dir: Path | None = None  # None: no cache
    on_page: Callable[[int, int], None] | None = None  # (pages done, pages in all)


Reader = Callable[[bytes, str, ReadContext], DocumentText]


def _plain(data: bytes, fmt: str, ctx: ReadContext) -> DocumentText:
    text, encoding = decode_text(data)
    return DocumentText(text, fmt, encoding)


def _docx(data: bytes, fmt: str, ctx: ReadContext) -> DocumentText:
    from .docx import docx_paragraphs  # lazily: python-docx loads lxml

    return DocumentText(join_paragraphs(docx_paragraphs(data)), fmt, None)


def _pdf(data: bytes, fmt: str, ctx: ReadContext) -> DocumentText:
    from .pdf import pdf_pages  # lazily: pdfminer is slow to import
    from .scans import pdf_with_ocr

    pages, ocr_pages, unread = pdf_with_ocr(data, pdf_pages(data), ctx)  # no text: OCR
    return DocumentText(join_pages(pages), fmt, None, ocr_pages, unread)


def _image(data: bytes, fmt: str, ctx: ReadContext) -> DocumentText:
    from .scans import image_pages

    pages = image_pages(data, fmt, ctx)  # OCR, one page per frame
    return DocumentText(join_pages(pages), fmt, None, len(pages))


def _html(data: bytes, fmt: str, ctx: ReadContext) -> DocumentText:
    from .html import html_text

    text, encoding = html_text(data)
    return DocumentText(text, fmt, encoding)


def _word(data: bytes, fmt: str, ctx: ReadContext) -> DocumentText:
    from .msword import read_word  # .doc and .rtf: by their bytes, not their name

    return read_word(data, fmt, ctx)


# format name -> reader of a file's bytes
_READERS: dict[str, Reader] = {
    "txt": _plain,
    "md": _plain,
    "docx": _docx,
    "pdf": _pdf,
    "html": _html,
    "doc": _word,
    "rtf": _word,
    "png": _image,
    "jpg": _image,
    "tif": _image,
}


def read_document(path: Path, max_bytes: int = MAX_BYTES) -> DocumentText:
    """Read one supported file; raise UnreadableFile with a short reason if impossible."""
    path = Path(path)
    _format_of(path)  # an unsupported type is refused before reading it
    return parse_bytes(path, read_bytes(path, max_bytes))


def parse_bytes(path: Path, data: bytes, ctx: ReadContext | None = None) -> DocumentText:
    """Turn the bytes of the file at ``path`` (its name decides the format) into text."""
    fmt = _format_of(path)
    if not data:
        raise UnreadableFile("empty file", kind="empty")
    return _READERS[fmt](data, fmt, ctx or ReadContext())


def _format_of(path: Path) -> str:
    fmt = format_of(path)
    if fmt is None:
        raise UnreadableFile(f"unsupported file type {path.suffix.lower()}", kind="unsupported")
    return fmt


def format_of(path: Path) -> str | None:
    """The format a file is read as ("txt", "pdf" ...), None for a type tracuu does not read."""
    suffix = effective_suffix(Path(path))
    return FORMATS[suffix] if suffix is not None else None
