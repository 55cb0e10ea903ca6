"""Bytes of a text file -> clean Unicode text: BOMs, UTF-8/UTF-16, legacy fallbacks."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

from ..errors import UnreadableFile
from .legacy import WESTERN, decode_legacy

# --------------------------------------------------------------------------- normalizing

# A vertical tab and Unicode line separators end a line; a form feed ("\f", a page break
# in text exports) is kept: layout gives paragraphs their page from it. The other C0
# controls carry no text, and the index should not see them.
_LINE_BREAKS = {0x0B: "\n", 0x2028: "\n", 0x2029: "\n"}
_DROP_CONTROLS = {c: None for c in [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F]}
_CLEANUP = str.maketrans({**_LINE_BREAKS, **_DROP_CONTROLS, 0xFEFF: None})
_BAD_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_MAX_CONTROL_FRACTION = 0.01


def normalize_text(text: str) -> str:
    # Unicode text stays as written (NFD included): paragraphs and highlight offsets
    # refer to the file's own characters; text.py normalizes for matching only.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A BOM (U+FEFF) anywhere is invisible noise, e.g. from concatenated exports.
    return text.translate(_CLEANUP)


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """One paragraph per line, blank line between: the corpus splitter relies on it."""
    text = _page_text(paragraphs)
    if not text:
        raise UnreadableFile("document has no text", kind="empty")
    return text


def join_pages(pages: Iterable[Iterable[str]]) -> str:
    """Pages of paragraphs: each page as :func:`join_paragraphs`, "\\f" between pages."""
    texts = [_page_text(page) for page in pages]
    if not any(texts):
        raise UnreadableFile("document has no text", kind="empty")
    return "\n\f\n".join(texts)


def _page_text(paragraphs: Iterable[str]) -> str:
    parts = [p for p in (" ".join(x.split()) for x in paragraphs) if p]
    return normalize_text("\n\n".join(parts))


# --------------------------------------------------------------------------- text decoding


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text file's bytes to normalized text; return (text, encoding name)."""
    return decode(data, declared=None)


def decode(data: bytes, declared: str | None) -> tuple[str, str]:
    if not data:
        raise UnreadableFile("empty file", kind="empty")
    text, encoding = _decode_raw(data, declared)
    # Controls are counted before cleanup: text full of them is a binary file. DOS-era
    # files may end in Ctrl-Z (end-of-file mark), which says nothing about the content.
    judged = text.rstrip("\x1a")
    if len(_BAD_CONTROL.findall(judged)) > _MAX_CONTROL_FRACTION * len(judged):
        raise UnreadableFile("binary file", kind="unsupported")
    text = normalize_text(text)
    if not text.strip():
        raise UnreadableFile("empty file", kind="empty")
    return text, encoding


def _decode_raw(data: bytes, declared: str | None) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        body = data[len(codecs.BOM_UTF8) :]
        try:
            return body.decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            lossy = _mostly_utf8(body)
            if lossy is not None:
                return lossy, "utf-8-sig"
            data = body  # the BOM was wrong; detect the rest like any other text
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # A BOM is strong evidence; a truncated last unit becomes U+FFFD, not an error.
        return data.decode("utf-16", errors="replace"), "utf-16"
    utf16 = _sniff_utf16(data)
    if utf16 is not None:
        return data.decode(utf16), utf16
    if b"\x00" in data:
        raise UnreadableFile("binary file", kind="unsupported")
    if declared is not None and declared not in WESTERN:
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            pass  # the declaration lies; detect instead
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lossy = _mostly_utf8(data)
    if lossy is not None:
        return lossy, "utf-8"
    return decode_legacy(data, declared if declared in WESTERN else None)


def _sniff_utf16(data: bytes) -> str | None:
    """Detect BOM-less UTF-16 by its zero high bytes (ASCII and Latin letters)."""
    if len(data) < 4 or len(data) % 2:
        return None
    half = len(data) // 2
    even_zeros, odd_zeros = data[0::2].count(0), data[1::2].count(0)
    if odd_zeros >= 0.3 * half and even_zeros <= 0.02 * half:
        codec = "utf-16-le"
    elif even_zeros >= 0.3 * half and odd_zeros <= 0.02 * half:
        codec = "utf-16-be"
    else:
        return None
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return None
    return codec


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few damaged bytes (e.g. a cut-off last character), else None.

    Legacy 8-bit text almost never forms valid multi-byte sequences, so a file where
    valid non-ASCII characters outnumber bad bytes 100 to 1 is UTF-8 with damage, and
    decoding it as a legacy encoding would mangle every Vietnamese letter.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ch > "\x7f") - bad
    if good >= 20 and bad * 100 <= good:
        return text
    return None
