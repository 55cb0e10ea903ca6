"""Text in legacy Vietnamese fonts inside word-processor files: readers/fonts.py, and the
font-aware walk of readers/docx.py (.docx files, and .doc files converted to .docx)."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest

from tracuu.readers import read_document
from tracuu.readers.fonts import (
    decode_font_run,
    fix_mojibake,
    legacy_encoding,
    mentions_legacy_font,
)


def norm(paragraphs: list[str]) -> list[str]:
    """NFC, white space collapsed, empty paragraphs dropped."""
    out = [" ".join(unicodedata.normalize("NFC", p).split()) for p in paragraphs]
    return [p for p in out if p]


def read_paragraphs(path: Path) -> list[str]:
    return norm(read_document(path).text.split("\n\n"))


@pytest.mark.parametrize(
    ("font", "encoding"),
    [
        (".VnTime", "tcvn3"),
        (".VnArial NarrowH", "tcvn3-caps"),
        (".VnTimeH", "tcvn3-caps"),
        ("VNI-Times", "vni"),
        ("VNI-Helve-Condense", "vni"),
        ("Times New Roman", None),
        ("Vni", None),
        ("", None),
        (None, None),
    ],
)
def test_legacy_encoding_from_font_name(font: str | None, encoding: str | None):
    assert legacy_encoding(font) == encoding


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        ("B¸o c¸o", "tcvn3", "Báo cáo"),
        ("Hå s¬ l\x1fu tr÷", "tcvn3", "Hồ sơ lưu trữ"),  # "ư" saved as Word's optional hyphen
        ("B¸O C¸O", "tcvn3-caps", "BÁO CÁO"),
        ("Thaønh phoá Hoà Chí Minh", "vni", "Thành phố Hồ Chí Minh"),
        ("Ủy ban nhân dân", "tcvn3", "Ủy ban nhân dân"),  # Unicode pasted into the font
        ("Phường\xadban", "vni", "Phườngban"),  # ... its soft hyphens are just soft hyphens
    ],
)
def test_decode_font_run(text: str, encoding: str, expected: str):
    assert decode_font_run(text, encoding) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("B¸o c¸o t×nh h×nh thùc hiÖn", "Báo cáo tình hình thực hiện"),  # TCVN3
        ("Baùo caùo tình hình thöïc hieän", "Báo cáo tình hình thực hiện"),  # VNI
        ("Người ký: Phã Chñ tÞch", "Người ký: Phó Chủ tịch"),  # a Unicode word, then TCVN3
        ("Hå s¬ l\xadu tr÷", "Hồ sơ lưu trữ"),  # TCVN3 "ư" is U+00AD, the soft hyphen
        ("B¸O C¸O TæNG KÕT", "BÁO CÁO TỔNG KẾT"),  # .VnTimeH capitals without the font name
        ("Báo cáo tình hình", "Báo cáo tình hình"),  # Unicode stays
        ("Bá Êđê Đà", "Bá Êđê Đà"),  # capitalised words are not taken for .VnTimeH
        ("café crème brûlée", "café crème brûlée"),  # other Latin text stays
        ("Phòng\xadban", "Phòngban"),  # a real soft hyphen in Unicode text is dropped
    ],
)
def test_fix_mojibake(text: str, expected: str):
    assert unicodedata.normalize("NFC", fix_mojibake(text)) == expected


@pytest.mark.parametrize(
    ("font_table", "legacy"),
    [
        ("{\\fonttbl{\\f0\\froman Times New Roman;}{\\f1\\fswiss\\fcharset0 .VnTime;}}", True),
        ("{\\fonttbl{\\f0 Arial;}{\\f1{\\*\\panose 0}VNI-Helve{\\*\\falt Arial};}}", True),
        ("{\\fonttbl{\\f0\\froman Times New Roman;}{\\f1 Verdana;}}", False),
        ("", False),
    ],
)
def test_mentions_legacy_font(font_table: str, legacy: bool):
    assert mentions_legacy_font(font_table) is legacy


# --------------------------------------------------------------------------- DOCX runs


def make_docx(runs_by_paragraph: list[list[tuple[str, str | None]]], normal: str | None = None):
    import docx

    document = docx.Document()
    if normal:
        document.styles["Normal"].font.name = normal
    for runs in runs_by_paragraph:
        paragraph = document.add_paragraph()
        for text, font in runs:
            run = paragraph.add_run(text)
            if font:
                run.font.name = font
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


LEGACY_DOCX = [
    [("B¸o c¸o t×nh h×nh l\xadu tr÷", ".VnTime")],
    [("B¸O C¸O", ".VnTimeH")],  # capitals font: small letters' codes drawn as capitals
    [("Người ký: ", "Times New Roman"), ("Phã Chñ tÞch", ".VnTime")],
    [("Baùo caùo", None)],  # no run font: the Normal style's VNI-Times
    [("Ba", "VNI-Times"), ("ù", "VNI-Times"), ("o", "VNI-Times")],  # tone byte in its own run
    [("Ủy ban nhân dân phường", ".VnTime")],  # Unicode typed in a legacy font stays
    [("café crème", "Times New Roman")],
]
LEGACY_DOCX_TEXT = [
    "Báo cáo tình hình lưu trữ",
    "BÁO CÁO",
    "Người ký: Phó Chủ tịch",
    "Báo cáo",
    "Báo",
    "Ủy ban nhân dân phường",
    "café crème",
]


def test_docx_runs_in_legacy_fonts_are_decoded(tmp_path: Path):
    path = tmp_path / "cu.docx"
    path.write_bytes(make_docx(LEGACY_DOCX, normal="VNI-Times"))
    assert read_paragraphs(path) == LEGACY_DOCX_TEXT


def test_docx_named_doc(tmp_path: Path):
    path = tmp_path / "that-ra-docx.doc"
    path.write_bytes(make_docx(LEGACY_DOCX, normal="VNI-Times"))
    assert read_paragraphs(path) == LEGACY_DOCX_TEXT


def test_docx_without_legacy_fonts_is_left_alone(tmp_path: Path):
    # Runs in a font that is not a legacy font are never guessed at (as before this walk
    # knew fonts): "B¸o c¸o" in Arial stays, and so does a soft hyphen.
    path = tmp_path / "moi.docx"
    path.write_bytes(make_docx([[("B¸o c¸o", "Arial")], [("Phòng\xadban", None)]]))
    assert read_document(path).text.split("\n\n") == ["B¸o c¸o", "Phòng\xadban"]
