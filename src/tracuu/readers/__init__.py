"""Archive files -> clean Unicode text, one module per format family.

Text files may be UTF-8/UTF-16 or one of the pre-Unicode Vietnamese encodings (CP1258,
TCVN3, VNI), which are detected and converted (:mod:`.encodings`, :mod:`.legacy`).
Other formats: :mod:`.docx`, :mod:`.pdf`, :mod:`.html`. A new format is a new module and
one entry in ``_READERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UnreadableFile
from .detect import FORMATS, MAX_BYTES, SUPPORTED_SUFFIXES, effective_suffix, read_bytes
from .encodings import decode_text, join_paragraphs

__all__ = [
    "MAX_BYTES",
    "SUPPORTED_SUFFIXES",
    "DocumentText",
    "UnreadableFile",
    "decode_text",
    "parse_bytes",
    "read_bytes",
    "effective_suffix",
    "read_document",
]


@dataclass(frozen=True)
class DocumentText:
    """Text of one file: "\\n" line ends, no BOM; paragraphs split by blank lines.

    Unicode files keep their normalization form (an NFD file stays NFD); text decoded
    from legacy 8-bit encodings (CP1258, TCVN3, VNI) is NFC.
    """

    text: str
    format: str  # "txt" | "md" | "docx" | "pdf" | "html"
    encoding: str | None  # codec the bytes were decoded with; None for docx/pdf


def _plain(data: bytes, fmt: str) -> DocumentText:
    text, encoding = decode_text(data)
    return DocumentText(text, fmt, encoding)


def _docx(data: bytes, fmt: str) -> DocumentText:
    from .docx import docx_paragraphs  # lazily: python-docx loads lxml

    return DocumentText(join_paragraphs(docx_paragraphs(data)), fmt, None)


def _pdf(data: bytes, fmt: str) -> DocumentText:
    from .pdf import pdf_paragraphs  # lazily: pdfminer is slow to import

    return DocumentText(join_paragraphs(pdf_paragraphs(data)), fmt, None)


def _html(data: bytes, fmt: str) -> DocumentText:
    from .html import html_text

    text, encoding = html_text(data)
    return DocumentText(text, fmt, encoding)


# format name -> reader of a file's bytes
_READERS: dict[str, Callable[[bytes, str], DocumentText]] = {
    "txt": _plain,
    "md": _plain,
    "docx": _docx,
    "pdf": _pdf,
    "html": _html,
}


def read_document(path: Path, max_bytes: int = MAX_BYTES) -> DocumentText:
    """Read one supported file; raise UnreadableFile with a short reason if impossible."""
    path = Path(path)
    _format_of(path)  # an unsupported type is refused before reading it
    return parse_bytes(path, read_bytes(path, max_bytes))


def parse_bytes(path: Path, data: bytes) -> DocumentText:
    """Turn the bytes of the file at ``path`` (its name decides the format) into text."""
    fmt = _format_of(path)
    if not data:
        raise UnreadableFile("empty file")
    return _READERS[fmt](data, fmt)


def _format_of(path: Path) -> str:
    suffix = effective_suffix(path)
    if suffix is None:
        raise UnreadableFile(f"unsupported file type {path.suffix.lower()}")
    return FORMATS[suffix]
