"""The header of an official Vietnamese document (Nghị định 30/2020/NĐ-CP, Phụ lục I):
issuing body, number, place and date, type and subject, read into :class:`Metadata`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from .. import text as vtext
from ..models import Metadata
from .paragraphs import _LETTER, _PAGE_NUMBER, _SENTENCE_END, Span
from .tables import AUTHORITIES, DOC_TYPES, ISSUERS, MOTTOS

__all__ = ["read_header"]


# ---- header data ----------------------------------------------------------------------

_TYPE_KEYS = sorted(
    ((vtext.casefold(vtext.normalize(t)), t) for t in DOC_TYPES), key=lambda kv: -len(kv[0])
)


def _words(*items: str) -> re.Pattern[str]:
    """A pattern matching any of ``items`` as whole words at the start (normalized)."""
    alts = "|".join(re.escape(vtext.normalize(i)) for i in sorted(items, key=len, reverse=True))
    return re.compile(rf"(?:{alts})(?=[\s.,]|$)")


_ISSUER = _words(*ISSUERS)  # a caps line starting so opens the header
_AUTHORITY = _words(*AUTHORITIES)
_MOTTOS = frozenset(MOTTOS)
_SEPARATOR = re.compile(r"[-_=*~.·•─━═–—+#\s]*(?:[oO0][oO0][oO0])?[-_=*~.·•─━═–—+#\s]*")
_NUMBER = re.compile(
    r"(?:(?:bộ\s+)?luật\s+|pháp\s+lệnh\s+)?số\s*(?:hiệu)?\s*[:.]?\s*(?=[\d/])", re.IGNORECASE
)
_VV = re.compile(r"V/[vV]\b")
# The body begins: citations, addressees, articles, numbered sections.
_BODY = re.compile(
    r"(?:Căn cứ|CĂN CỨ|Kính gửi|KÍNH GỬI|Theo đề nghị|Xét đề nghị|Nơi nhận"
    r"|Điều\s+\d|ĐIỀU\s+\d|Chương\s+[IVXLC\d]|CHƯƠNG\s+[IVXLC\d]|[IVX]{1,4}\.\s|\d{1,2}\.\s)"
)
_DATE_WORDS = re.compile(
    r"ngày\s*(?P<d>\d{1,2})\s+tháng\s*(?P<m>\d{1,2})\s+năm\s*(?P<y>\d{4})", re.IGNORECASE
)
_DATE_NUMERIC = re.compile(
    r"(?<![\d/.-])(?P<d>\d{1,2})([/.-])(?P<m>\d{1,2})\2(?P<y>\d{4})(?![\d/-]|\.\d)"
)
_DATE_PREFIX_END = re.compile(r"[\s,;:–-]*(?:ngày)?[\s,;:–-]*$", re.IGNORECASE)
_WEEKDAY = re.compile(r"(?:thu (?:hai|ba|tu|nam|sau|bay)|chu nhat|hom nay)\b")
_SIGNING = re.compile(r"(?:TM|KT|TL|TUQ|Q|T/M|K/T)\.?\s+")
_ASCII_LOWER, _ASCII_UPPER = re.compile(r"[a-z]"), re.compile(r"[A-Z]")
_NON_WORD = re.compile(r"[\W_]+")
_COLUMN_SPLIT = re.compile(r"\s*\|\s*|\t+|\s{3,}")
_LINE_BREAK = re.compile(r"[\n\f]")

_HEAD_SPANS = 40  # a saved web page puts its menus before the header
_HEAD_ROWS = 30  # rows read from the first header line on
_TITLE_ROWS = 12  # rows searched for a title when there is no header
_MAX_TITLE = 300


# ---- header cells -----------------------------------------------------------------------


class _Cell(NamedTuple):
    text: str  # normalized, legacy capitals repaired, single spaces
    raw: str  # as written, trimmed
    side: str  # "left" / "right" in a row of columns, else "single"
    kind: str  # sep, motto, page, number, vv, type, date, caps, text
    gap: bool  # a blank line stands before the cell's row
    row: int  # keeps equal cells of different rows apart


def _header_rows(text: str, spans: list[Span]) -> list[list[_Cell]]:
    """The first lines of the document, each split into its columns."""
    rows: list[list[_Cell]] = []
    last = 0
    for span in spans[:_HEAD_SPANS]:
        begin = max(text.rfind("\n", 0, span.start), text.rfind("\f", 0, span.start)) + 1
        gap = not rows or text.count("\n", last, span.start) >= 2
        for k, line in enumerate(_LINE_BREAK.split(text[begin : span.end])):
            cells = [c for c in _COLUMN_SPLIT.split(line.strip()) if c]
            if not cells:
                continue
            sides = ["single"] if len(cells) == 1 else ["left"] + ["right"] * (len(cells) - 1)
            norms = [_repair_caps(" ".join(vtext.normalize(c).split())) for c in cells]
            rows.append([_Cell(t, c, side, _kind(t, c), gap and k == 0, len(rows))
                         for t, c, side in zip(norms, cells, sides)])  # fmt: skip
        last = span.end
    return rows


def _repair_caps(line: str) -> str:
    """Upper-case a capitals line that a TCVN3 capitals font left half lowercase.

    TCVN3 has no capital accented letters: "ỦY" typed in .VnTimeH decodes as "ủY".
    Such a line has only capital ASCII letters and lowercase accented ones.
    """
    if _ASCII_LOWER.search(line) or len(_ASCII_UPPER.findall(line)) < 2 or line.isupper():
        return line
    return line.upper()


def _kind(text: str, raw: str) -> str:
    if _SEPARATOR.fullmatch(text):
        return "sep"
    if _fold(text) in _MOTTOS:
        return "motto"
    if _PAGE_NUMBER.fullmatch(text):
        return "page"
    if _number(raw):
        return "number"
    if _VV.match(text):
        return "vv"
    found = _doc_type(text)
    if found and text[: len(found[0])].isupper():
        return "type"
    if len(text) <= 80 and not text.endswith(".") and _find_date(text):
        return "date"
    if text.isupper() and len(_LETTER.findall(text)) >= 2:
        return "caps"
    return "text"


def _fold(text: str) -> str:
    return _NON_WORD.sub(" ", vtext.fold_diacritics(vtext.casefold(text))).strip()


def _doc_type(text: str) -> tuple[str, str] | None:
    """(type as written in titles, rest of the line) when ``text`` starts with a type."""
    low = vtext.casefold(text)
    for key, name in _TYPE_KEYS:
        if low.startswith(key) and (len(low) == len(key) or low[len(key)] == " "):
            return name, text[len(key) :].strip()
    return None


def _number(raw: str) -> str | None:
    """The số/ký hiệu of a "Số: 15/2010/QĐ-UBND" line, stray spaces removed."""
    text = vtext.normalize(raw.strip())
    m = _NUMBER.match(text)
    if not m:
        return None
    tokens = text[m.end() :].split()
    number = tokens[0]
    for token in tokens[1:]:
        if not (number.endswith(("/", "-")) or token.startswith(("/", "-"))):
            break
        number += token
    number = number.rstrip(".,;:")
    return number if "/" in number else None  # a ký hiệu always has one; "Số 5 ..." not


def _find_date(text: str) -> tuple[str, int] | None:
    """(ISO date, offset) of the first valid date in normalized ``text``."""
    found: list[tuple[int, str]] = []
    for rx in (_DATE_WORDS, _DATE_NUMERIC):
        for m in rx.finditer(text):
            day, month, year = m.group("d", "m", "y")
            try:
                found.append((m.start(), dt.date(int(year), int(month), int(day)).isoformat()))
                break
            except ValueError:
                continue  # "ngày 31 tháng 2": not a date, maybe the next one is
    return (min(found)[1], min(found)[0]) if found else None


def _date_place(text: str) -> tuple[str | None, str | None]:
    """Date and place of "Quảng Nam, ngày 12 tháng 3 năm 2010"."""
    found = _find_date(text)
    if found is None:
        return None, None
    iso, start = found
    place = _DATE_PREFIX_END.sub("", text[:start]).strip()
    ok = 1 < len(place) <= 50 and place[0].isupper() and not _WEEKDAY.match(_fold(place))
    return iso, place if ok else None


def _sentence_case(text: str) -> str:
    if text.isupper():
        return text.lower()
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1].isupper():
        return text  # an acronym: "UBND tỉnh ..."
    return text[:1].lower() + text[1:]


def _clip(title: str) -> str:
    if len(title) <= _MAX_TITLE:
        return title
    cut = title.rfind(" ", 0, _MAX_TITLE)
    return title[: cut if cut > _MAX_TITLE // 2 else _MAX_TITLE - 1].rstrip(" ,;:-") + "…"


# ---- header reading ----------------------------------------------------------------------


def read_header(text: str, spans: list[Span], fallback_title: str) -> Metadata:
    """Title, type, số/ký hiệu, issuing body, place and date from a document's header.

    ``spans`` are the document's paragraphs (:func:`paragraph_spans`). The header begins
    at the first motto, "Số:", "V/v" or capitals type line or issuing body (a web page's
    menus before it are ignored) and ends where the body does ("Căn cứ", "Điều 1.", a
    long paragraph); its lines are split into columns at " | ", tabs or 3+ spaces.
    Left column: issuing body (a parent body above it is kept: "BỘ TÀI CHÍNH TỔNG CỤC
    THUẾ"), số/ký hiệu, "V/v ..." of a công văn; right: motto, place and date; then the
    type line and subject. ``title`` is type + subject in sentence case ("Quyết định về
    việc ...", "Luật an ninh mạng", "Công văn V/v ..."); without a type or "V/v" line
    it is the first heading-like line, and ``doc_type`` comes from its first words.
    Without a header, the issuer may be the signing body at the end and the date is the
    first in the text outside citations. Titles are clipped to 300 characters; values
    are NFC with one tone placement; ``fallback_title`` when nothing fits.
    """
    rows = _header_rows(text, spans)
    start = _header_start(rows)
    head = _header_cells(rows, start)
    number = next((_number(c.raw) for c in head if c.kind == "number"), None)
    date, place = next((_date_place(c.text) for c in head if c.kind == "date"), (None, None))
    issuer = _issuer(head)
    doc_type, title = _type_and_title(head)
    if title is None:
        real = start is not None and bool(number or issuer or date)
        title = _first_heading(rows, start if real and start is not None else 0, issuer)
        found = _doc_type(title) if title else None
        if found and (not found[1] or found[1][:1].islower() or title.isupper()):
            doc_type = found[0]  # "Báo cáo tình hình ...", "Thông báo kết luận"
    return Metadata(
        title=_clip(title or fallback_title),
        doc_type=doc_type,
        doc_number=number,
        issuer=" ".join(c.text for c in issuer) or _signature_issuer(text, spans),
        place=place,
        date=date or _first_date(text, spans),
    )


def _header_start(rows: list[list[_Cell]]) -> int | None:
    """The row where the header begins, or None for a text without one.

    After a sentence (a web page's notice, a plain text's first paragraph) an issuing
    body alone opens no header (it is a signature); after the body's first long
    paragraph or citation nothing does.
    """
    prose = False
    for i, row in enumerate(rows):
        for cell in row:
            if cell.kind == "text" and (len(cell.text) > _MAX_TITLE or _BODY.match(cell.text)):
                return None
            sentence = cell.text.count(" ") >= 6 and _SENTENCE_END.search(cell.text)
            prose = prose or (cell.kind == "text" and bool(sentence))
            if cell.kind == "motto":
                # an issuing body unknown to _ISSUER stands right above the motto
                while i > 0 and len(rows[i - 1]) == 1 and rows[i - 1][0].kind == "caps":
                    i -= 1
                return i
            if cell.kind in ("number", "vv") or (cell.kind == "type" and cell.side == "single"):
                return i
            issuer = cell.kind == "caps" and cell.side != "right" and _ISSUER.match(cell.text)
            if issuer and not prose:
                return i
    return None


def _header_cells(rows: list[list[_Cell]], start: int | None) -> list[_Cell]:
    """The header's cells in reading order, up to where the body begins."""
    head: list[_Cell] = []
    for row in rows[start : start + _HEAD_ROWS] if start is not None else []:
        for cell in row:
            if _BODY.match(cell.text) or (cell.kind == "text" and len(cell.text) > _MAX_TITLE):
                return head
            head.append(cell)
    return head


def _issuer(head: list[_Cell]) -> list[_Cell]:
    """The lines of the issuing body: capitals in the left column above the number.

    A run starts at a known body ("ỦY BAN ...") or any left cell of a two-column row and
    goes on over capitals lines ("TỈNH QUẢNG NAM"); the last run wins, since capitals
    menu lines of a web page may come first. The other column's lines interleave.
    """
    run: list[_Cell] = []
    going = False
    for cell in head:
        if cell.kind in ("number", "vv") or (cell.kind == "type" and cell.side != "left"):
            break
        if cell.side == "right" or cell.kind in ("motto", "page"):
            continue
        if cell.kind == "caps" and (going or cell.side == "left" or _ISSUER.match(cell.text)):
            run = [*run, cell] if going else [cell]
            going = True
        else:
            going = False
    return run


def _type_and_title(head: list[_Cell]) -> tuple[str | None, str | None]:
    vv = _vv_lines(head)
    t = next((k for k, c in enumerate(head) if c.kind == "type" and c.side != "left"), None)
    if t is None:
        # a công văn has no type line, only "V/v ..."; its title keeps the "V/v"
        return ("Công văn", "Công văn " + " ".join(vv)) if vv else (None, None)
    doc_type, rest = _doc_type(head[t].text) or ("", "")
    subject = _subject(rest, head[t + 1 :])
    if subject:
        return doc_type, f"{doc_type} {_sentence_case(' '.join(subject))}"
    return doc_type, " ".join([doc_type, *vv])


def _vv_lines(head: list[_Cell]) -> list[str]:
    """The "V/v ..." subject of a công văn, wrapped over left-column lines maybe."""
    k = next((k for k, c in enumerate(head) if c.kind == "vv"), None)
    if k is None:
        return []
    lines = [head[k].text]
    for cell in head[k + 1 :]:
        if cell.side == "right" or cell.kind in ("motto", "page"):
            continue
        wrapped = cell.side == "left" or (not cell.gap and cell.text[:1].islower())
        if cell.kind != "text" or not wrapped:
            break
        lines.append(cell.text)
    return lines


def _subject(rest: str, after: list[_Cell]) -> list[str]:
    """The subject: the rest of the type line or the next line, and its wrapped lines.

    "QUYẾT ĐỊNH / CỦA BỘ TRƯỞNG ..." names who decides, not what: skipped. A line naming
    the enacting body ("ỦY BAN NHÂN DÂN TỈNH ...") ends it; wrapped lines follow with no
    blank line, in capitals after capitals, starting lowercase after sentence case.
    """
    lines = [rest] if rest and not rest.startswith("CỦA ") else []
    for cell in after:
        caps = cell.kind in ("caps", "type")
        if cell.kind in ("motto", "page") or (not lines and caps and cell.text.startswith("CỦA ")):
            continue
        if caps and _AUTHORITY.match(cell.text):
            break
        if not lines:
            if caps or cell.kind == "text":
                lines.append(cell.text)
            continue  # a date or number line may stand between type and subject
        same = lines[0].isupper() if caps else cell.text[:1].islower()
        if cell.gap or not same or cell.kind not in ("caps", "type", "text"):
            break
        lines.append(cell.text)
    return lines


def _first_heading(rows: list[list[_Cell]], begin: int, skip: list[_Cell]) -> str:
    """The first short line that is no header furniture (the old rule)."""
    for row in rows[begin : begin + _TITLE_ROWS]:
        for cell in row:
            if cell in skip or cell.kind in ("sep", "motto", "page", "number", "date"):
                continue
            if len(cell.text) <= _MAX_TITLE and not (
                cell.kind == "caps" and _ISSUER.match(cell.text)
            ):
                return cell.text
    return ""


def _signature_issuer(text: str, spans: list[Span]) -> str | None:
    """The signing body closing the text ("TM. BAN THƯỜNG VỤ QUẬN ỦY 10")."""
    for span in reversed(spans[-4:]):
        line = _repair_caps(" ".join(vtext.normalize(text[span.start : span.end]).split()))
        line = _SIGNING.sub("", line, count=1) if _SIGNING.match(line) else line
        if len(line) <= 90 and line.isupper() and _ISSUER.match(line):
            return line
    return None


def _first_date(text: str, spans: list[Span]) -> str | None:
    """The first date anywhere, for texts whose header has none."""
    for span in spans:
        line = vtext.normalize(text[span.start : span.end])
        if line.startswith(("Căn cứ", "CĂN CỨ")):
            continue  # dates of the documents cited, not of this one
        found = _find_date(line)
        if found:
            return found[0]
    return None
