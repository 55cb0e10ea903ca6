"""Which files are read as which format, and reading their bytes safely."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from ..errors import UnreadableFile

MAX_BYTES = 50 * 1024 * 1024
# suffix -> format name; each format has its reader in this package
FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".doc": "doc",  # Word 97-2003; like .rtf, may hold RTF, DOCX or HTML
    ".rtf": "rtf",
    ".png": "png",  # images are scans: read by OCR
    ".jpg": "jpg",
    ".jpeg": "jpg",
    ".tif": "tif",
    ".tiff": "tif",
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(FORMATS)

_REAL_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}")


def effective_suffix(path: Path) -> str | None:
    """The suffix a file is read as, or None for a file type we do not read.

    Archives hold plain-text files with no extension or with a name that only looks like
    one ("iso 3166-2", "i am... yours"): those are read as text.
    """
    suffix = Path(path).suffix.lower()
    if suffix in SUPPORTED_SUFFIXES:
        return suffix
    if not _REAL_SUFFIX.fullmatch(suffix):
        return ".txt"
    return None


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, or UnreadableFile."""
    try:
        info = path.stat()
        # Opening a FIFO or device would block or never end; only plain files are archives.
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile("not a regular file", kind="unsupported")
        if info.st_size > max_bytes:
            raise UnreadableFile(f"larger than {_size_text(max_bytes)}", kind="too-large")
        with path.open("rb") as handle:
            # One byte past the limit tells us the file grew after stat() without
            # reading an unbounded amount.
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        # The corpus walk listed it, so it was deleted or renamed in between.
        raise UnreadableFile("file vanished while reading") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise UnreadableFile(f"larger than {_size_text(max_bytes)}", kind="too-large")
    return data


def _size_text(n: int) -> str:
    mib = 1024 * 1024
    if n >= mib and n % mib == 0:
        return f"{n // mib} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} bytes"
