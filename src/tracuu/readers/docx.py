"""Word .docx files via python-docx; we walk its XML ourselves so tracked insertions,
content controls and text boxes are not lost."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from ..errors import UnreadableFile

# --------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_W_P, _W_TBL, _W_TR, _W_TC = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_W_T, _W_TXBX, _W_NB_HYPHEN = f"{_W}t", f"{_W}txbxContent", f"{_W}noBreakHyphen"
_W_SPACES = frozenset({f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}ptab"})
# Tracked deletions and the old place of moved text are not the document's text.
_W_SKIP = frozenset({_MC_FALLBACK, f"{_W}del", f"{_W}moveFrom"})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A 50 MB zip can unpack to gigabytes; the XML is parsed in memory, so cap it.
_MAX_UNPACKED = 512 * 1024 * 1024


def docx_paragraphs(data: bytes) -> list[str]:
    import docx  # python-docx; imported lazily so only DOCX files pay for loading lxml

    if data.startswith(_OLE_MAGIC):
        raise UnreadableFile(
            "not a DOCX file (old Word .doc or password-protected)", kind="corrupt"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > _MAX_UNPACKED:
                raise UnreadableFile("DOCX too large when unpacked", kind="too-large")
        body = docx.Document(io.BytesIO(data)).element.body
        return list(_docx_blocks(body))
    except UnreadableFile:
        raise
    except Exception:  # zipfile, lxml and python-docx each raise their own types
        raise UnreadableFile("not a valid DOCX file", kind="corrupt") from None


def _docx_blocks(parent: Any) -> Iterator[str]:  # lxml elements throughout
    """Paragraph texts below ``parent`` in document order; a table row may be one line."""
    for child in parent.iterchildren():
        if child.tag == _W_P:
            words: list[str] = []
            boxes: list[Any] = []
            _docx_run_text(child, words, boxes)
            yield "".join(words)
            for box in boxes:
                yield from _docx_blocks(box)
        elif child.tag == _W_TBL:
            yield from _docx_table(child)
        elif child.tag not in _W_SKIP:
            # Content controls, custom XML and tracked insertions wrap real paragraphs.
            yield from _docx_blocks(child)


def _docx_run_text(element: Any, words: list[str], boxes: list[Any]) -> None:
    for child in element.iterchildren():
        tag = child.tag
        if tag == _W_T:
            words.append(child.text or "")
        elif tag in _W_SPACES:
            words.append(" ")
        elif tag == _W_NB_HYPHEN:
            words.append("-")
        elif tag == _W_TXBX:
            boxes.append(child)  # a text box: its own paragraphs, after this one
        elif tag not in _W_SKIP:  # mc:Fallback repeats the preferred content
            _docx_run_text(child, words, boxes)


def _docx_table(table: Any) -> Iterator[str]:
    for row in table.iterchildren(_W_TR):
        cells = [[p for p in _docx_blocks(tc) if p.strip()] for tc in row.iterchildren(_W_TC)]
        if all(len(paras) <= 1 for paras in cells):
            # A row of short cells reads best as one line ("STT | Họ tên | Chức vụ").
            line = " | ".join(" ".join(paras[0].split()) for paras in cells if paras)
            if line:
                yield line
        else:
            for paras in cells:
                yield from paras
