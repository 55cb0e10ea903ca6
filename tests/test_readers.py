"""Tests for tracuu.readers: text encodings, DOCX/PDF/HTML, and reasons for unreadable files.

Every fixture is built in tmp_path by the tests themselves; no binary file is committed.
"""

from __future__ import annotations

import io
import random
import unicodedata
from pathlib import Path

import pytest

from tracuu.readers import (
    MAX_BYTES,
    SUPPORTED_SUFFIXES,
    DocumentText,
    UnreadableFile,
    decode_text,
    legacy,
    read_document,
)

CANNOT_DECODE = "cannot decode text (tried UTF-8, UTF-16, CP1258, TCVN3, VNI)"

# Real report text with all five tones, ă â ê ô ơ ư đ, and accented capitals (Đ, Ủ, Ấ, Ở, Ẩ).
PARAGRAPHS = [
    "Báo cáo tình hình thực hiện cuộc vận động xây dựng, chỉnh đốn Đảng tại Quận 10.",
    (
        "Quán triệt kế hoạch của Ban Thường vụ Thành ủy; hoàn tất các qui chế về phân công "
        "trách nhiệm, quản lý cán bộ."
    ),
    (
        "Ủy ban nhân dân phường ghi nhận: Ấp Bắc giữ vững an ninh; Ở đâu có đảng viên, ở đó "
        "có tổ chức. Ông Nguyễn Văn Ẩn được khen thưởng vì kỹ thuật giỏi."
    ),
]
SAMPLE = "\n\n".join(PARAGRAPHS) + "\n"

# TCVN3 (VN3) has capital codes only for Ă Â Ê Ô Ơ Ư Đ: other accented capitals were typed
# with lowercase codes in a capitals font (.VnTimeH), so bytes cannot say "Ủ". Its sample
# keeps to capitals the encoding has; the first two paragraphs already do.
TCVN3_PARAGRAPHS = PARAGRAPHS[:2] + [
    (
        "Ông Đỗ Văn Ưng và ông Ân Hữu Ơn báo cáo trước Đảng ủy về đồng bào Êđê; "
        "kỹ thuật canh tác được cải tiến, thu nhập tăng, đời sống ổn định."
    ),
]
TCVN3_SAMPLE = "\n\n".join(TCVN3_PARAGRAPHS) + "\n"

# --------------------------------------------------------------------------- charts
# Written out from the published charts, independently of the module's tables.
# Columns: no tone, huyền (grave), hỏi (hook), ngã (tilde), sắc (acute), nặng (dot below).
TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")

TCVN3_CHART = {
    "a": (0x61, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (0x65, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (0x69, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (0x6F, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (0x75, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (0x79, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
TCVN3_OTHERS = {
    "đ": 0xAE,
    "Ă": 0xA1,
    "Â": 0xA2,
    "Ê": 0xA3,
    "Ô": 0xA4,
    "Ơ": 0xA5,
    "Ư": 0xA6,
    "Đ": 0xA7,
}

# VNI Windows spells a letter as base + mark bytes (shown as Latin-1); capitals are the
# Latin-1 capitals of the same spelling.
VNI_CHART = {
    "a": ("a", "aø", "aû", "aõ", "aù", "aï"),
    "ă": ("aê", "aè", "aú", "aü", "aé", "aë"),
    "â": ("aâ", "aà", "aå", "aã", "aá", "aä"),
    "e": ("e", "eø", "eû", "eõ", "eù", "eï"),
    "ê": ("eâ", "eà", "eå", "eã", "eá", "eä"),
    "i": ("i", "ì", "æ", "ó", "í", "ò"),
    "o": ("o", "oø", "oû", "oõ", "où", "oï"),
    "ô": ("oâ", "oà", "oå", "oã", "oá", "oä"),
    "ơ": ("ô", "ôø", "ôû", "ôõ", "ôù", "ôï"),
    "u": ("u", "uø", "uû", "uõ", "uù", "uï"),
    "ư": ("ö", "öø", "öû", "öõ", "öù", "öï"),
    "y": ("y", "yø", "yû", "yõ", "yù", "î"),
}


def letter(vowel: str, tone: str) -> str:
    return unicodedata.normalize("NFC", vowel + tone)


def tcvn3_code_table() -> dict[str, int]:
    table = dict(TCVN3_OTHERS)
    for vowel, codes in TCVN3_CHART.items():
        for tone, code in zip(TONES, codes, strict=True):
            table[letter(vowel, tone)] = code
    return table


def vni_spelling_table() -> dict[str, str]:
    table = {"đ": "ñ", "Đ": "Ñ"}
    for vowel, spellings in VNI_CHART.items():
        for tone, spelling in zip(TONES, spellings, strict=True):
            table[letter(vowel, tone)] = spelling
            table[letter(vowel, tone).upper()] = spelling.upper()
    return table


TCVN3_CODES = tcvn3_code_table()
VNI_SPELLINGS = vni_spelling_table()
ALL_LETTERS = sorted(
    {letter(v, t) for v in TCVN3_CHART for t in TONES} | {"đ"}, key=lambda c: (c.lower(), c)
)
ALL_LETTERS = [c for c in ALL_LETTERS if not c.isascii()]
ALL_LETTERS += [c.upper() for c in ALL_LETTERS]


def encode_tcvn3(text: str) -> bytes:
    return b"".join(
        bytes([TCVN3_CODES[ch]]) if ch in TCVN3_CODES else ch.encode("cp1252") for ch in text
    )


def encode_vni(text: str) -> bytes:
    return "".join(VNI_SPELLINGS.get(ch, ch) for ch in text).encode("cp1252")


def encode_cp1258(text: str) -> bytes:
    """What Windows writes: precomposed where CP1258 has the letter, else letter + tone."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tone = "".join(m for m in parts if m in TONES)
        base = unicodedata.normalize("NFC", "".join(m for m in parts if m not in TONES))
        out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def assert_paragraphs(text: str, paragraphs: list[str]) -> None:
    """Each paragraph is a whole line of the text, in order, separated by blank lines."""
    text = nfc(text)
    assert [line for line in text.split("\n") if line in paragraphs] == paragraphs, text
    assert "\n\n".join(paragraphs) in text


# --------------------------------------------------------------------------- the API


def test_public_api():
    images = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}  # scans, read by OCR
    word = {".doc", ".rtf"}  # Word 97-2003 and RTF: test_msword.py
    assert frozenset({".txt", ".md", ".docx", ".pdf", ".html", ".htm", *images, *word}) == (
        SUPPORTED_SUFFIXES
    )
    assert MAX_BYTES == 50 * 1024 * 1024
    doc = DocumentText("x", "txt", "utf-8")
    with pytest.raises(AttributeError):
        doc.text = "y"  # type: ignore[misc]
    assert issubclass(UnreadableFile, Exception)


def test_sample_covers_vietnamese():
    decomposed = unicodedata.normalize("NFD", SAMPLE)
    assert set(TONES[1:]) <= set(decomposed)
    untoned = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
    assert set("ăâêôơưđĐ") <= set(untoned)
    assert {"Ủ", "Ấ", "Ở", "Ẩ"} <= set(SAMPLE)
    assert all(ch in TCVN3_CODES or ch.isascii() for ch in TCVN3_SAMPLE)


# --------------------------------------------------------------------------- text files

TEXT_CASES = [
    ("utf-8", lambda s: s.encode("utf-8"), "utf-8", SAMPLE),
    ("utf-8-bom", lambda s: s.encode("utf-8-sig"), "utf-8-sig", SAMPLE),
    ("utf-16", lambda s: s.encode("utf-16"), "utf-16", SAMPLE),
    ("utf-16-be-bom", lambda s: b"\xfe\xff" + s.encode("utf-16-be"), "utf-16", SAMPLE),
    ("utf-16-le-no-bom", lambda s: s.encode("utf-16-le"), "utf-16-le", SAMPLE),
    ("cp1258", encode_cp1258, "cp1258", SAMPLE),
    ("tcvn3", encode_tcvn3, "tcvn3", TCVN3_SAMPLE),
    ("vni", encode_vni, "vni", SAMPLE),
]


@pytest.mark.parametrize(
    ("encode", "encoding", "sample"),
    [case[1:] for case in TEXT_CASES],
    ids=[case[0] for case in TEXT_CASES],
)
def test_text_file_encodings(tmp_path: Path, encode, encoding: str, sample: str):
    path = tmp_path / "bao-cao.txt"
    path.write_bytes(encode(sample))
    doc = read_document(path)
    assert (doc.format, doc.encoding) == ("txt", encoding)
    assert doc.text == sample  # exact: NFC, LF, no BOM
    assert_paragraphs(doc.text, sample.strip().split("\n\n"))


@pytest.mark.parametrize(
    ("encode", "encoding", "sample"),
    [case[1:] for case in TEXT_CASES if case[0] in ("cp1258", "tcvn3", "vni")],
    ids=["cp1258", "tcvn3", "vni"],
)
def test_legacy_detection_line_by_line(encode, encoding: str, sample: str):
    """Even one short line is enough to tell the legacy encodings apart."""
    for line in sample.split("\n"):
        if line:
            assert decode_text(encode(line)) == (line, encoding)


def test_markdown_crlf_and_bom(tmp_path: Path):
    path = tmp_path / "ghi-chu.MD"
    path.write_bytes(("# Tiêu đề\r\n\r\n" + SAMPLE.replace("\n", "\r\n")).encode("utf-8-sig"))
    doc = read_document(path)
    assert (doc.format, doc.encoding) == ("md", "utf-8-sig")
    assert "\r" not in doc.text and "\ufeff" not in doc.text
    assert doc.text == "# Tiêu đề\n\n" + SAMPLE


def test_old_mac_line_endings_become_lf_and_nfd_stays_as_written():
    # offsets of paragraphs and highlights refer to the file's own characters
    nfd = unicodedata.normalize("NFD", "Dòng một\rDòng hai\r")
    text, encoding = decode_text(nfd.encode())
    assert (text, encoding) == (nfd.replace("\r", "\n"), "utf-8")


@pytest.mark.parametrize(
    "original",
    [
        "Plain ASCII report, Quan 10, 2001.\n",
        # TCVN3 bytes for "Cộng hoà xã hội chủ nghĩa Việt Nam", already stored as UTF-8.
        "Céng hoµ x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do - H¹nh phóc\n",
        # VNI bytes for the same, already stored as UTF-8.
        "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\n",
        "Giá: 100 € – “trích dẫn” ½ µ ¸ ¶ ©\n",
    ],
)
def test_valid_utf8_comes_back_unchanged(original: str):
    assert decode_text(original.encode("utf-8")) == (original, "utf-8")


def test_utf8_with_a_cut_off_last_character_stays_utf8():
    data = (SAMPLE * 3).encode("utf-8") + "ệ".encode()[:2]
    text, encoding = decode_text(data)
    assert encoding == "utf-8"
    assert text.startswith(SAMPLE * 3) and text.endswith("\ufffd")


@pytest.mark.parametrize("words", ["cá", "Hà Nội", "người", "Đảng", "ở đâu", "Ủy ban"])
@pytest.mark.parametrize(
    ("encode", "encoding"),
    [(encode_cp1258, "cp1258"), (encode_tcvn3, "tcvn3"), (encode_vni, "vni")],
    ids=["cp1258", "tcvn3", "vni"],
)
def test_legacy_detection_of_a_few_words(words: str, encode, encoding: str):
    if encoding == "tcvn3":
        words = words.replace("Ủ", "ủ")  # no capital Ủ in TCVN3
    assert decode_text(encode(words)) == (words, encoding)


@pytest.mark.parametrize(
    ("word", "valid"),
    [
        ("người", True),
        ("Quốc", True),
        ("khuỷu", True),
        ("thuở", True),
        ("giỏi", True),
        ("hoà", True),
        ("thuỷ", True),
        ("nghiêng", True),
        ("xoong", True),
        ("caù", False),  # tone on the closing glide: VNI "cá" read as CP1258
        ("vaø", False),
        ("ñöôïc", False),
        ("hoọi", False),
        ("láà", False),
        ("nhµ", False),
    ],
)
def test_syllable_check(word: str, valid: bool):
    assert legacy._is_syllable(word) is valid


def test_large_legacy_file_is_judged_on_a_sample():
    body = "Report header in ASCII only.\n" * 20000 + SAMPLE * 200
    text, encoding = decode_text(encode_vni(body))
    assert encoding == "vni" and text == body


def test_western_cp1252_text_is_not_forced_into_vietnamese():
    original = "Café au lait, naïve résumé – “Zürich”.\n"
    assert decode_text(original.encode("cp1252"))[0] == original


# --------------------------------------------------------------------------- the tables


@pytest.mark.parametrize("ch", ALL_LETTERS)
def test_every_letter_round_trips_through_vni(ch: str):
    spelling = VNI_SPELLINGS[ch]
    assert legacy._vni_to_unicode(spelling.encode("cp1252")) == ch
    assert legacy._VNI_ENCODE[ch] == spelling


@pytest.mark.parametrize("ch", [c for c in ALL_LETTERS if c in TCVN3_CODES])
def test_every_letter_round_trips_through_tcvn3(ch: str):
    assert legacy._tcvn3_to_unicode(bytes([TCVN3_CODES[ch]])) == ch


def test_letter_tables_are_complete_and_unambiguous():
    assert len(ALL_LETTERS) == len(set(ALL_LETTERS)) == 134
    # TCVN3 (VN3): all 67 lowercase letters and 7 capitals, one distinct byte each.
    tcvn3 = {ch: code for ch, code in TCVN3_CODES.items() if not ch.isascii()}
    assert len(tcvn3) == 67 + 7 and len(set(tcvn3.values())) == len(tcvn3)
    assert {code: ch for ch, code in tcvn3.items()} == legacy._TCVN3
    # VNI: all 134 letters, distinct spellings, so decoding is unambiguous.
    vni = {ch: VNI_SPELLINGS[ch] for ch in ALL_LETTERS}
    assert len(set(vni.values())) == 134
    assert vni == legacy._VNI_ENCODE


def test_tables_decode_known_real_world_strings():
    # The national motto as it appears in countless .VnTime and VNI-Times documents.
    assert (
        legacy._tcvn3_to_unicode(
            "Céng hoµ x· héi chñ nghÜa ViÖt Nam §éc lËp - Tù do - H¹nh phóc".encode("latin-1")
        )
        == "Cộng hoà xã hội chủ nghĩa Việt Nam Độc lập - Tự do - Hạnh phúc"
    )
    assert (
        legacy._vni_to_unicode(
            "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam Ñoäc laäp - Töï do - Haïnh phuùc".encode(
                "latin-1"
            )
        )
        == "Cộng hòa xã hội chủ nghĩa Việt Nam Độc lập - Tự do - Hạnh phúc"
    )


def test_tcvn3_capitals_font_text_comes_back_lowercase():
    """Documented limitation: .VnTimeH capitals reuse lowercase codes."""
    assert legacy._tcvn3_to_unicode("B¸O C¸O".encode("latin-1")) == "BáO CáO"


def test_vni_accepts_mixed_case_marks():
    assert legacy._vni_to_unicode("Aù OÂNG Ñoâng".encode("latin-1")) == "Á ÔNG Đông"


def test_vni_keeps_typographic_quotes():
    assert legacy._vni_to_unicode(b"\x93Ba\xf8\x94 \x96 ok") == "“Bà” – ok"


# --------------------------------------------------------------------------- unreadable


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def reason(path: Path, **kwargs) -> str:
    with pytest.raises(UnreadableFile) as info:
        read_document(path, **kwargs)
    return str(info.value)


def test_binary_file(tmp_path: Path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    assert reason(write(tmp_path, "anh.txt", png)) == "binary file"


def test_binary_without_nul_bytes(tmp_path: Path):
    data = bytes(random.Random(3).choice(b"\x01\x02\x03\x1bABC\x7f") for _ in range(2000))
    assert reason(write(tmp_path, "x.txt", data)) == "binary file"


def test_random_bytes_with_nul_are_binary(tmp_path: Path):
    data = random.Random(1).randbytes(4096)
    assert reason(write(tmp_path, "x.txt", data)) == "binary file"


def test_random_high_bytes_cannot_be_decoded(tmp_path: Path):
    rng = random.Random(2)
    data = bytes(rng.randrange(0x80, 0x100) for _ in range(4096))
    assert reason(write(tmp_path, "x.txt", data)) == CANNOT_DECODE


def test_empty_file(tmp_path: Path):
    assert reason(write(tmp_path, "rong.txt", b"")) == "empty file"
    assert reason(write(tmp_path, "rong.pdf", b"")) == "empty file"


@pytest.mark.parametrize(
    "data", [b" \n\t\r\n  \n", "\ufeff  \n".encode("utf-8"), " \r\n".encode("utf-16")]
)
def test_whitespace_only_file(tmp_path: Path, data: bytes):
    assert reason(write(tmp_path, "trang.txt", data)) == "empty file"


def test_decode_text_rejects_empty_bytes():
    with pytest.raises(UnreadableFile, match="^empty file$"):
        decode_text(b"")


def test_too_large_with_small_limit(tmp_path: Path):
    path = write(tmp_path, "lon.txt", b"a" * 101)
    assert reason(path, max_bytes=100) == "larger than 100 bytes"
    assert read_document(path, max_bytes=101).text == "a" * 101


def test_too_large_by_default_is_not_read(tmp_path: Path):
    path = tmp_path / "lon.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: costs no disk and would fail if read
    assert reason(path) == "larger than 50 MB"


def test_missing_file(tmp_path: Path):
    assert reason(tmp_path / "khong-co.txt") == "file vanished while reading"


def test_file_vanishing_between_stat_and_open(tmp_path: Path, monkeypatch):
    path = write(tmp_path, "a.txt", b"abc")

    def vanish(*args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(Path, "open", vanish)
    assert reason(path) == "file vanished while reading"


def test_permission_denied(tmp_path: Path, monkeypatch):
    path = write(tmp_path, "a.txt", b"abc")

    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", deny)
    assert reason(path) == "cannot read: Permission denied"


def test_directory_and_unsupported_suffix(tmp_path: Path):
    (tmp_path / "thu-muc.txt").mkdir()
    assert reason(tmp_path / "thu-muc.txt") == "not a regular file"
    assert reason(write(tmp_path, "a.xlsx", b"abc")) == "unsupported file type .xlsx"


# --------------------------------------------------------------------------- DOCX


def make_docx(path: Path) -> Path:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_heading("Báo cáo Quận 10", level=1)
    for para in PARAGRAPHS:
        document.add_paragraph(para)
    document.add_paragraph("")  # empty paragraphs are dropped
    run = document.add_paragraph("Dòng một").add_run()
    run.add_break()  # a soft line break stays inside its paragraph
    run.add_text("dòng hai\tcột")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["STT", "Họ và tên", "Chức vụ"], strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["1", "Nguyễn Thị Ánh", "Bí thư"], strict=True):
        cell.text = text
    long_table = document.add_table(rows=1, cols=2)
    long_table.rows[0].cells[0].text = "Ô trái"
    long_table.rows[0].cells[1].text = "Đoạn một"
    long_table.rows[0].cells[1].add_paragraph("Đoạn hai")
    # Tracked changes: inserted and moved-to text counts, deleted and moved-from does not.
    ns = (
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:v="urn:schemas-microsoft-com:vml"'
    )
    document.element.body.append(
        parse_xml(
            f'<w:p {ns}><w:r><w:t xml:space="preserve">Kết luận </w:t></w:r>'
            '<w:ins w:id="1" w:author="a"><w:r><w:t>đã sửa</w:t></w:r></w:ins>'
            '<w:del w:id="2" w:author="a"><w:r><w:delText>bỏ đi</w:delText></w:r></w:del>'
            '<w:moveFrom w:id="3" w:author="a"><w:r><w:t>chỗ cũ</w:t></w:r></w:moveFrom>'
            '<w:moveTo w:id="4" w:author="a"><w:r><w:t xml:space="preserve"> chỗ mới</w:t></w:r>'
            "</w:moveTo></w:p>"
        )
    )
    # A text box: Word writes it twice (DrawingML choice and VML fallback); read it once.
    box = "<w:txbxContent><w:p><w:r><w:t>Hộp chữ ghi chú</w:t></w:r></w:p></w:txbxContent>"
    document.element.body.append(
        parse_xml(
            f"<w:p {ns}><w:r><w:t>Có hộp</w:t></w:r><w:r><mc:AlternateContent>"
            f'<mc:Choice Requires="wps"><w:drawing>{box}</w:drawing></mc:Choice>'
            f"<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict>"
            "</mc:Fallback></mc:AlternateContent></w:r></w:p>"
        )
    )
    document.save(str(path))
    return path


def test_docx(tmp_path: Path):
    doc = read_document(make_docx(tmp_path / "bao-cao.docx"))
    assert (doc.format, doc.encoding) == ("docx", None)
    assert doc.text.split("\n\n") == [
        "Báo cáo Quận 10",
        *PARAGRAPHS,
        "Dòng một dòng hai cột",
        "STT | Họ và tên | Chức vụ",
        "1 | Nguyễn Thị Ánh | Bí thư",
        "Ô trái",
        "Đoạn một",
        "Đoạn hai",
        "Kết luận đã sửa chỗ mới",
        "Có hộp",
        "Hộp chữ ghi chú",
    ]


def test_docx_without_text(tmp_path: Path):
    import docx

    path = tmp_path / "trong.docx"
    docx.Document().save(str(path))
    assert reason(path) == "document has no text"


def test_corrupt_docx(tmp_path: Path):
    assert reason(write(tmp_path, "hong.docx", b"PK\x03\x04 not really a zip")) == (
        "not a valid DOCX file"
    )
    good = make_docx(tmp_path / "tot.docx").read_bytes()
    assert reason(write(tmp_path, "cut.docx", good[: len(good) // 2])) == "not a valid DOCX file"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert reason(write(tmp_path, "cu.docx", ole)).startswith("not a DOCX file")


# --------------------------------------------------------------------------- PDF


def box_font(chars: str) -> bytes:
    """A TrueType font whose glyphs are plain boxes, covering exactly ``chars``.

    Built with fontTools (fpdf2 uses it to embed fonts) so the test needs no font on the
    machine; PDF text extraction reads the ToUnicode map, not the glyph shapes.
    """
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    chars = sorted(set(chars) | {" "})
    names = [".notdef"] + [f"uni{ord(c):04X}" for c in chars]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(c): f"uni{ord(c):04X}" for c in chars})
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        if name != "uni0020":
            pen.moveTo((50, 0))
            pen.lineTo((50, 700))
            pen.lineTo((450, 700))
            pen.lineTo((450, 0))
            pen.closePath()
        glyphs[name] = pen.glyph()
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: (500, 50) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "HopChu", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()


def make_pdf(path: Path, paragraphs: list[str]) -> Path:
    from fpdf import FPDF

    font = path.with_suffix(".ttf")
    font.write_bytes(box_font("".join(paragraphs)))
    pdf = FPDF()
    pdf.add_page()
    if paragraphs:
        pdf.add_font("HopChu", fname=str(font))
        pdf.set_font("HopChu", size=12)
    else:
        pdf.rect(20, 20, 100, 50)  # a page with drawing but no text, like a scan
    for para in paragraphs:
        pdf.multi_cell(0, 6, para)  # long paragraphs wrap over several lines
        pdf.ln(6)
    pdf.output(str(path))
    return path


def test_pdf(tmp_path: Path):
    doc = read_document(make_pdf(tmp_path / "bao-cao.pdf", PARAGRAPHS))
    assert (doc.format, doc.encoding) == ("pdf", None)
    assert doc.text == "\n\n".join(PARAGRAPHS)


def test_pdf_without_text_layer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from tracuu.readers import ocr

    monkeypatch.setattr(ocr, "missing", lambda: ocr.INSTALL)  # with OCR: test_ocr.py
    assert "needs OCR" in reason(make_pdf(tmp_path / "scan.pdf", []))


def test_corrupt_pdf(tmp_path: Path):
    assert reason(write(tmp_path, "hong.pdf", b"%PDF-1.4\n garbage \x00\xff")) == (
        "not a valid PDF file"
    )
    good = make_pdf(tmp_path / "tot.pdf", PARAGRAPHS).read_bytes()
    try:  # a cut-off PDF may still be readable, but never raises anything else
        read_document(write(tmp_path, "cut.pdf", good[: len(good) // 2]))
    except UnreadableFile:
        pass


# --------------------------------------------------------------------------- HTML


def html_page(charset: str | None, body: str) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>Báo cáo</title>"
        "<style>p { color: red }</style><script>var x = '<p>không</p>';</script></head>"
        f"<body>{body}</body></html>"
    )


HTML_BODY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def test_html_utf8(tmp_path: Path):
    path = write(tmp_path, "trang.html", html_page("utf-8", HTML_BODY).encode("utf-8"))
    doc = read_document(path)
    assert (doc.format, doc.encoding) == ("html", "utf-8")
    assert doc.text == "\n\n".join(PARAGRAPHS)  # the page's <title> is the site's, not text


def test_html_windows_1258_meta(tmp_path: Path):
    page = html_page(None, HTML_BODY).replace(
        "<head>",
        '<head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258">',
    )
    doc = read_document(write(tmp_path, "trang.htm", encode_cp1258(page)))
    assert (doc.format, doc.encoding) == ("html", "cp1258")
    assert_paragraphs(doc.text, PARAGRAPHS)


def test_html_legacy_font_page_declared_western(tmp_path: Path):
    """Old sites declared ISO-8859-1 and drew TCVN3 bytes with a .VnTime font."""
    body = "".join(f"<p>{p}</p>" for p in TCVN3_PARAGRAPHS)
    page = html_page("iso-8859-1", body).replace("Báo cáo</title>", "Bao cao</title>")
    doc = read_document(write(tmp_path, "cu.html", encode_tcvn3(page)))
    assert doc.encoding == "tcvn3"
    assert_paragraphs(doc.text, TCVN3_PARAGRAPHS)


def test_html_western_page_keeps_declared_charset(tmp_path: Path):
    page = html_page("windows-1252", "<p>São Paulo, Zürich, café.</p>").replace("Báo cáo", "T")
    doc = read_document(write(tmp_path, "w.html", page.encode("cp1252")))
    assert (doc.text, doc.encoding) == ("São Paulo, Zürich, café.", "cp1252")


def test_html_without_charset_is_detected(tmp_path: Path):
    doc = read_document(write(tmp_path, "vni.html", encode_vni(html_page(None, HTML_BODY))))
    assert doc.encoding == "vni"
    assert_paragraphs(doc.text, PARAGRAPHS)


def test_html_main_content_without_site_chrome(tmp_path: Path):
    page = (
        "<html><head><title>Văn bản pháp luật | Cơ sở dữ liệu quốc gia về pháp luật</title></head>"
        "<body><nav><a>Trang chủ</a><a>Văn bản</a></nav><div>Đăng nhập | Đăng ký</div>"
        f"<article>{HTML_BODY}</article><aside>Văn bản liên quan</aside>"
        "<footer>Bản quyền thuộc Bộ Tư pháp</footer></body></html>"
    )
    doc = read_document(write(tmp_path, "vb.html", page.encode("utf-8")))
    assert doc.text == "\n\n".join(PARAGRAPHS)
    # without <main>/<article>, everything but the menus, asides and footers is text
    doc = read_document(
        write(tmp_path, "vb2.html", page.replace("article>", "div>").encode("utf-8"))
    )
    assert doc.text == "\n\n".join(["Đăng nhập | Đăng ký", *PARAGRAPHS])


def test_html_structure(tmp_path: Path):
    body = (
        "<div>Mở đầu<br>Dòng sau&nbsp;br</div><ul><li>Mục  một</li><li>Mục &amp; hai</li></ul>"
        "<table><tr><th>STT</th><th>Tên</th></tr><tr><td>1</td><td>Lê <b>Văn</b> Tám</td></tr>"
        "</table><pre>dòng 1\ndòng 2</pre><noscript>bật JavaScript</noscript>"
        "<p>Ch&#7919; cu&#7889;i &ndash; h&#x1EBF;t"
    )
    doc = read_document(write(tmp_path, "t.html", html_page("utf-8", body).encode("utf-8")))
    assert doc.text.split("\n\n") == [
        "Mở đầu",
        "Dòng sau br",
        "Mục một",
        "Mục & hai",
        "STT | Tên",
        "1 | Lê Văn Tám",
        "dòng 1",
        "dòng 2",
        "Chữ cuối – hết",
    ]


def test_html_without_text(tmp_path: Path):
    page = b"<html><head><script>alert(1)</script></head><body><img src=x></body></html>"
    assert reason(write(tmp_path, "rong.html", page)) == "document has no text"
