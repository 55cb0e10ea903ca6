"""Archive files -> documents -> paragraphs (the search unit) with their metadata.

A paragraph is a non-empty line of a document's text; it keeps its character offsets
in that text, its number in the file, and the document's title, date, number and
issuing body as far as the header says them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import text as vtext
from .errors import CorpusError
from .models import Document, Metadata, Paragraph

if TYPE_CHECKING:
    from .readers import DocumentText, ReadContext

# ---- paragraphs -------------------------------------------------------------------

_LINE = re.compile(r"[^\n]+")


MAX_PARAGRAPH = 8000  # characters; longer paragraphs are cut at sentence ends
_SENTENCE_END = re.compile(r"[.!?…][\"'”)\]]*\s+")


def split_paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-empty line, with surrounding white space trimmed."""
    for m in _LINE.finditer(text):
        s, e = m.span()
        line = m.group()
        stripped = line.strip()
        if not stripped:
            continue
        s += len(line) - len(line.lstrip())
        e -= len(line) - len(line.rstrip())
        yield from bounded(text, s, e)


def bounded(
    text: str, start: int, end: int, limit: int = MAX_PARAGRAPH
) -> Iterator[tuple[int, int]]:
    """A span cut into pieces of at most ``limit`` characters, at sentence ends if possible.

    A search unit of megabytes (a file with no line breaks) would cost memory in
    proportion to it and make a useless snippet; pieces keep both bounded.
    """
    while end - start > limit:
        cut = None
        for m in _SENTENCE_END.finditer(text, start + limit // 2, start + limit):
            cut = m  # the last sentence end in the second half of the window
        if cut is not None:
            piece_end, next_start = cut.start() + len(cut.group().rstrip()), cut.end()
        else:
            space = text.rfind(" ", start + limit // 2, start + limit)
            piece_end = next_start = space if space > start else start + limit
        yield start, piece_end
        start = next_start
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end


# ---- metadata ---------------------------------------------------------------------

_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_DATE_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?![\d/-]|\.\d)")
_DOC_NUMBER = re.compile(r"^(?:[\w ]{0,20}\s)?số\s*(?:hiệu)?\s*:\s*([\w./-]+)", re.IGNORECASE)
_MOTTO = re.compile(
    r"^(cộng hòa xã hội chủ nghĩa việt nam|độc lập\s*[-–—]\s*tự do\s*[-–—]\s*hạnh phúc"
    r"|đảng cộng sản việt nam)\W*$",
    re.IGNORECASE,
)
_DOC_TYPES = (
    "LUẬT",
    "BỘ LUẬT",
    "NGHỊ QUYẾT",
    "NGHỊ ĐỊNH",
    "QUYẾT ĐỊNH",
    "THÔNG TƯ",
    "CHỈ THỊ",
    "BÁO CÁO",
    "THÔNG BÁO",
    "BIÊN BẢN",
    "TỜ TRÌNH",
    "KẾ HOẠCH",
    "CÔNG VĂN",
    "HƯỚNG DẪN",
    "PHÁP LỆNH",
    "HIẾN PHÁP",
    "QUY ĐỊNH",
    "QUY CHẾ",
    "ĐIỀU LỆ",
    "CHƯƠNG TRÌNH",
)
_ISSUERS = (
    "QUỐC HỘI",
    "CHÍNH PHỦ",
    "THỦ TƯỚNG",
    "CHỦ TỊCH NƯỚC",
    "BỘ ",
    "ỦY BAN",
    "UBND",
    "BAN ",
    "ĐẢNG BỘ",
    "ĐẢNG ỦY",
    "QUẬN ỦY",
    "THÀNH ỦY",
    "TỈNH ỦY",
    "HUYỆN ỦY",
    "HỘI ĐỒNG",
    "TÒA ÁN",
    "VIỆN KIỂM SÁT",
    "SỞ ",
    "CHI BỘ",
    "TỔNG CỤC",
    "CỤC ",
    "VĂN PHÒNG",
    "TRUNG ƯƠNG",
)


def parse_date(text: str) -> str | None:
    """The first valid date written in ``text`` as ISO ``YYYY-MM-DD``.

    Understands ``ngày 28 tháng 2 năm 2024`` and ``16/01/1999`` (also ``-`` and ``.``).
    """
    norm = vtext.normalize(text)
    found: list[tuple[int, str]] = []
    for rx in (_DATE_WORDS, _DATE_NUMERIC):
        for m in rx.finditer(norm):
            day, month, year = (int(g) for g in m.groups())
            try:
                found.append((m.start(), dt.date(year, month, day).isoformat()))
            except ValueError:
                continue
            break
    return min(found)[1] if found else None


def _is_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _canon_upper(line: str) -> str:
    return vtext.normalize(line).upper()


def _is_issuer(line: str) -> bool:
    if not _is_upper(line) or len(line) > 90:
        return False
    up = _canon_upper(line)
    if up.startswith(tuple(t + " " for t in _DOC_TYPES)) or up in _DOC_TYPES:
        return False
    return up.startswith(_ISSUERS)


def _is_date_line(line: str) -> bool:
    return len(line) <= 80 and parse_date(line) is not None and not line.rstrip().endswith(".")


def describe(text: str, fallback_title: str) -> Metadata:
    """Title, date, document number and issuing body from a document's text."""
    spans = list(split_paragraphs(text))
    lines = [text[s:e] for s, e in spans]
    head = lines[:12]
    title = ""
    doc_number = issuer = None
    for line in head:
        m = _DOC_NUMBER.match(vtext.normalize(line))
        if m and len(line) <= 80:
            doc_number = doc_number or m.group(1).rstrip(".")
            continue
        if _MOTTO.match(vtext.normalize(line)) or _is_date_line(line):
            continue
        if _is_issuer(line):
            issuer = issuer or line.strip()
            continue
        if not title and len(line) <= 300:
            title = line.strip()
    if issuer is None:
        # the signing body often closes a report ("BAN THƯỜNG VỤ QUẬN ỦY 10")
        for line in reversed(lines[-4:]):
            if _is_issuer(line):
                issuer = line.strip()
                break
    date = None
    for line in lines:
        date = parse_date(line)
        if date:
            break
    return Metadata(title=title or fallback_title, date=date, doc_number=doc_number, issuer=issuer)


# ---- files ------------------------------------------------------------------------


def iter_corpus_files(root: Path, ignored: Counter[str] | None = None) -> Iterator[Path]:
    """Every regular file below ``root`` that tracuu reads, in a stable order.

    Names starting with "." are included: archives have them and shell globs skip them.
    Files of other types (.jpg, .xlsx) are counted by suffix in ``ignored``.
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
                ignored[p.suffix.lower()] += 1


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
    """Build a Document (with paragraphs and metadata) from already decoded text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    metadata = describe(text, Path(name).stem)
    paragraphs = tuple(
        Paragraph(name, i, s, e, text[s:e])
        for i, (s, e) in enumerate(split_paragraphs(text), start=1)
    )
    data = text.encode("utf-8", "surrogatepass")
    return Document(
        name, text, fmt, metadata, paragraphs, hashlib.sha256(data).hexdigest(), len(data)
    )
