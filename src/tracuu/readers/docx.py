"""Word .docx files via python-docx; we walk its XML ourselves so tracked insertions,
content controls and text boxes are not lost, and so each run's font is known: text typed
in a legacy Vietnamese font (.VnTime, VNI-Times) is decoded (:mod:`.fonts`)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from ..errors import UnreadableFile
from .fonts import decode_runs, legacy_encoding

# --------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_W_P, _W_TBL, _W_TR, _W_TC = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_W_T, _W_TXBX, _W_NB_HYPHEN = f"{_W}t", f"{_W}txbxContent", f"{_W}noBreakHyphen"
_W_R, _W_SOFT_HYPHEN, _W_VAL = f"{_W}r", f"{_W}softHyphen", f"{_W}val"
_W_SPACES = frozenset({f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}ptab"})
# Tracked deletions and the old place of moved text are not the document's text.
_W_SKIP = frozenset({_MC_FALLBACK, f"{_W}del", f"{_W}moveFrom"})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A 50 MB zip can unpack to gigabytes; the XML is parsed in memory, so cap it.
_MAX_UNPACKED = 512 * 1024 * 1024


def docx_paragraphs(data: bytes) -> list[str]:
    """Paragraph texts, table rows of short cells as "a | b | c"; runs in a legacy font
    decoded."""
    import docx  # python-docx; imported lazily so only DOCX files pay for loading lxml

    if data.startswith(_OLE_MAGIC):
        raise UnreadableFile(
            "not a DOCX file (old Word .doc or password-protected)", kind="corrupt"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > _MAX_UNPACKED:
                raise UnreadableFile("DOCX too large when unpacked", kind="too-large")
        document = docx.Document(io.BytesIO(data))
        fonts = _Fonts(document.styles.element)
        return list(_docx_blocks(document.element.body, fonts))
    except UnreadableFile:
        raise
    except Exception:  # zipfile, lxml and python-docx each raise their own types
        raise UnreadableFile("not a valid DOCX file", kind="corrupt") from None


class _Fonts:
    """The font each run is drawn in: its own, else its character style's, else its
    paragraph style's (following ``basedOn``), else the document default."""

    def __init__(self, styles: Any) -> None:
        self._styles: dict[str, tuple[str | None, str | None]] = {}
        self._default_paragraph: str | None = None
        self.default = _font_of(styles.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr"))
        for style in styles.iterchildren(f"{_W}style"):
            based = style.find(f"{_W}basedOn")
            parent = based.get(_W_VAL) if based is not None else None
            style_id = style.get(f"{_W}styleId")
            self._styles[style_id] = (_font_of(style.find(f"{_W}rPr")), parent)
            if style.get(f"{_W}type") == "paragraph" and style.get(f"{_W}default") in ("1", "true"):
                self._default_paragraph = style_id

    def style_font(self, style_id: str | None) -> str | None:
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            font, style_id = self._styles.get(style_id, (None, None))
            if font is not None:
                return font
        return None

    def paragraph_font(self, paragraph: Any) -> str | None:
        style = paragraph.find(f"{_W}pPr/{_W}pStyle")
        style_id = style.get(_W_VAL) if style is not None else self._default_paragraph
        font = self.style_font(style_id)
        return font if font is not None else self.default

    def run_font(self, run: Any, paragraph_font: str | None) -> str | None:
        props = run.find(f"{_W}rPr")
        if props is None:
            return paragraph_font
        font = _font_of(props)
        if font is None:
            style = props.find(f"{_W}rStyle")
            font = self.style_font(style.get(_W_VAL)) if style is not None else None
        return font if font is not None else paragraph_font


def _font_of(props: Any) -> str | None:
    """The font named in run properties; "" for a theme (modern) font; None if unset."""
    fonts = props.find(f"{_W}rFonts") if props is not None else None
    if fonts is None:
        return None
    if fonts.get(f"{_W}hAnsiTheme") or fonts.get(f"{_W}asciiTheme"):
        return ""
    return fonts.get(f"{_W}hAnsi") or fonts.get(f"{_W}ascii")


Runs = list[tuple[str, str | None]]  # (text, font) in document order


def _docx_blocks(parent: Any, fonts: _Fonts) -> Iterator[str]:  # lxml elements throughout
    """Paragraph texts below ``parent`` in document order; a table row may be one line."""
    for child in parent.iterchildren():
        if child.tag == _W_P:
            runs: Runs = []
            boxes: list[Any] = []
            _docx_run_text(child, fonts.paragraph_font(child), fonts, runs, boxes)
            yield decode_runs(runs)
            for box in boxes:
                yield from _docx_blocks(box, fonts)
        elif child.tag == _W_TBL:
            yield from _docx_table(child, fonts)
        elif child.tag not in _W_SKIP:
            # Content controls, custom XML and tracked insertions wrap real paragraphs.
            yield from _docx_blocks(child, fonts)


def _docx_run_text(
    element: Any, font: str | None, fonts: _Fonts, runs: Runs, boxes: list[Any]
) -> None:
    for child in element.iterchildren():
        tag = child.tag
        if tag == _W_T:
            runs.append((child.text or "", font))
        elif tag in _W_SPACES:
            runs.append((" ", font))
        elif tag == _W_NB_HYPHEN:
            runs.append(("-", font))
        elif tag == _W_SOFT_HYPHEN:
            if legacy_encoding(font) is not None:  # TCVN3 "ư" is the soft-hyphen byte
                runs.append(("\xad", font))
        elif tag == _W_TXBX:
            boxes.append(child)  # a text box: its own paragraphs, after this one
        elif tag == _W_R:
            _docx_run_text(child, fonts.run_font(child, font), fonts, runs, boxes)
        elif tag not in _W_SKIP:  # mc:Fallback repeats the preferred content
            _docx_run_text(child, font, fonts, runs, boxes)


def _docx_table(table: Any, fonts: _Fonts) -> Iterator[str]:
    for row in table.iterchildren(_W_TR):
        cells = [
            [p for p in _docx_blocks(tc, fonts) if p.strip()] for tc in row.iterchildren(_W_TC)
        ]
        if all(len(paras) <= 1 for paras in cells):
            # A row of short cells reads best as one line ("STT | Họ tên | Chức vụ").
            line = " | ".join(" ".join(paras[0].split()) for paras in cells if paras)
            if line:
                yield line
        else:
            for paras in cells:
                yield from paras
