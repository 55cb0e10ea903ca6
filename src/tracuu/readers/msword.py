"""Word 97-2003 .doc files, and .rtf: archives mix the two and give either name to RTF,
DOCX, web pages and plain text, so the first bytes decide how a file is read.

A real .doc goes to the first extractor that runs here (:mod:`.doc_tools`): msdoc2docx
(pure Python) or LibreOffice convert it to .docx, whose walk knows each run's font, so
legacy-font text is decoded exactly; antiword gives text only, decoded by plausibility.
"""

from __future__ import annotations

import email
import io
import re
import struct
from email.policy import compat32
from importlib import metadata
from typing import Any

import msgspec

from ..errors import UnreadableFile
from . import DocumentText, ReadContext
from .doc_tools import EXTRACTORS, Unavailable, available_extractors
from .encodings import decode_text, join_paragraphs
from .fonts import mentions_legacy_font

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLD_WORD_HINT = "apt-get install antiword"
_WORD97_NFIB = 0xC1  # Word 97 and later; Word 6.0/95 files have 101-105
_HTML = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:!doctype html|html|\?xml[^>]*>\s*<html)", re.I)
_MHT = re.compile(rb"^mime-version:", re.I | re.M)


def read_word(data: bytes, fmt: str, ctx: ReadContext) -> DocumentText:
    """Text of a file named .doc or .rtf, read as what its bytes show it to be."""
    head = data[:64].lstrip(b"\xef\xbb\xbf\r\n\t ")
    if data.startswith(OLE_MAGIC):
        paragraphs = doc_paragraphs(data)
    elif head.startswith(b"{\\rtf"):
        from .rtf import rtf_paragraphs

        paragraphs = rtf_paragraphs(data)
    elif data.startswith(b"PK\x03\x04"):
        from .docx import docx_paragraphs

        paragraphs = docx_paragraphs(data)
    elif _HTML.match(data[:1024]) or _MHT.search(data[:2048]):
        from .html import html_text  # Word's "web page" and "single file web page"

        text, encoding = html_text(_web_page(data))
        return DocumentText(text, fmt, encoding)
    else:
        return _plain_text(data, fmt)
    return DocumentText(join_paragraphs(paragraphs), fmt, None)


def doc_paragraphs(data: bytes, extractors: tuple[str, ...] | None = None) -> list[str]:
    """Paragraphs of a Word 97-2003 file (table rows as "a | b | c"), by the first of
    ``extractors`` (default: every one, in order) that is installed and succeeds."""
    fib = _read_fib(data)
    if fib is not None and fib.encrypted:
        raise UnreadableFile("Word document is password-protected", kind="encrypted")
    old = fib is not None and fib.n_fib < _WORD97_NFIB
    names = extractors if extractors is not None else tuple(EXTRACTORS)
    if old:  # msdoc2docx reads the Word 97 layout only, by design
        names = tuple(n for n in names if n != "msdoc2docx")
    reasons: list[str] = []
    missing: list[str] = []
    for name in names:
        try:
            return EXTRACTORS[name](data, fib is None or fib.legacy_fonts)
        except Unavailable:
            missing.append(name)
        except UnreadableFile as exc:
            if exc.kind == "encrypted":
                raise
            reasons.append(f"{name}: {exc}")
    if not reasons:
        if old:
            raise UnreadableFile("Word 6.0/95 document: no reader installed", OLD_WORD_HINT)
        raise UnreadableFile("no reader for Word .doc files installed", install_hint())
    message = f"cannot read Word document ({'; '.join(reasons)})"
    if "msdoc2docx" in missing:  # only a fallback tried: the main reader may well read it
        raise UnreadableFile(message, install_hint())
    raise UnreadableFile(message, kind="corrupt")


def install_hint() -> str:
    """The command that installs the .doc reader, pinned as tracuu's ``doc`` extra pins it."""
    try:
        wanted = [r for r in metadata.requires("tracuu") or [] if r.startswith("msdoc2docx")]
    except metadata.PackageNotFoundError:  # run from a source tree
        wanted = []
    return f"pip install '{wanted[0].split(';')[0].strip() if wanted else 'msdoc2docx'}'"


class _Fib(msgspec.Struct, frozen=True):
    """What the start of the File Information Block says about a .doc."""

    n_fib: int  # the format version
    encrypted: bool  # fEncrypted: password-protected (RC4 or XOR obfuscation)
    legacy_fonts: bool  # the font table names a legacy font (.VnTime, VNI-Times ...)


def _read_fib(data: bytes) -> _Fib | None:
    """The FIB of a Word file, None if the container cannot be read (an extractor may
    still manage: LibreOffice reads some damaged files)."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if not ole.exists("WordDocument"):
                raise UnreadableFile(
                    "an Office file that is not a Word document", kind="unsupported"
                )
            head = ole.openstream("WordDocument").read(0x11A)
            n_fib, flags = struct.unpack_from("<H6xH", head, 2)  # nFib; flags at 0x0A
            word97 = n_fib >= _WORD97_NFIB and len(head) == 0x11A
            fonts = _font_table(ole, head, flags) if word97 else ""  # Word 95: another layout
    except UnreadableFile:
        raise
    except Exception:  # olefile raises OSError, struct.error, ... on damaged containers
        return None
    return _Fib(
        n_fib=n_fib,
        encrypted=bool(flags & 0x0100),
        legacy_fonts=mentions_legacy_font(fonts) if fonts else True,  # unknown: maybe
    )


def _font_table(ole: Any, fib: bytes, flags: int) -> str:
    """The font table (SttbfFfn) of a Word 97 file as text (its names are UTF-16), or ""."""
    offset, size = struct.unpack_from("<II", fib, 0x112)  # FibRgFcLcb97 fcSttbfFfn
    try:
        table = ole.openstream("1Table" if flags & 0x0200 else "0Table").read()
    except OSError:  # no table stream: the extractors will say what is wrong
        return ""
    return table[offset : offset + size].decode("utf-16-le", "replace")


def _web_page(data: bytes) -> bytes:
    """The HTML of a web page, or of the page inside a web archive (MHT)."""
    if _HTML.match(data[:1024]):
        return data
    message = email.message_from_bytes(data, policy=compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload
    raise UnreadableFile("web archive (MHT) without a page", kind="corrupt")


def _plain_text(data: bytes, fmt: str) -> DocumentText:
    """Old archives hold plain text named .doc; anything else is not a Word document."""
    try:
        text, encoding = decode_text(data)
    except UnreadableFile as exc:
        if exc.kind == "empty":
            raise
        what = "a Word" if fmt == "doc" else "an RTF"
        raise UnreadableFile(f"not {what} document (unknown content)", kind="corrupt") from None
    return DocumentText(text, fmt, encoding)


__all__ = ["available_extractors", "doc_paragraphs", "install_hint", "read_word"]
