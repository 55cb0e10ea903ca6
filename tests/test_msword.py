"""Word 97-2003 .doc and .rtf files: readers/msword.py, doc_tools.py, rtf.py.

The fixtures in tests/fixtures/doc are made by tests/fixtures/make_doc_fixtures.py
(generated RTF, converted to .doc by LibreOffice); expected.json holds their paragraphs.
msdoc2docx, the main .doc reader, comes with the test extra, so its tests never skip;
the LibreOffice and antiword fallbacks are tested where they are installed.
"""

from __future__ import annotations

import email.message
import json
import os
import shutil
import sys
import time
import tomllib
import unicodedata
from pathlib import Path

import pytest

from tracuu import Archive
from tracuu.errors import UnreadableFile
from tracuu.readers import doc_tools, msword, read_document
from tracuu.readers.msword import doc_paragraphs

FIXTURES = Path(__file__).parent / "fixtures" / "doc"
EXPECTED: dict[str, list[str]] = json.loads((FIXTURES / "expected.json").read_text("utf-8"))
DOCS = ["unicode.doc", "tcvn3.doc", "tcvn3_word.doc", "vni.doc"]
RTFS = ["unicode.rtf", "tcvn3.rtf", "vni.rtf"]
INSTALLED = doc_tools.available_extractors()
# CI installs the fallbacks (.ci/run): there a missing one is a failure, not a skip.
REQUIRE_TOOLS = os.environ.get("TRACUU_REQUIRE_DOC_TOOLS") == "1"
INSTALL = {
    "soffice": "apt-get install libreoffice-writer-nogui",
    "antiword": "apt-get install antiword",
}


def needs(extractor: str) -> None:
    if extractor not in INSTALLED:
        reason = f"{extractor} not installed ({INSTALL.get(extractor, 'pip install -e .[test]')})"
        if REQUIRE_TOOLS:
            pytest.fail(reason)
        pytest.skip(reason)


def norm(paragraphs: list[str]) -> list[str]:
    """NFC, white space collapsed, empty paragraphs dropped."""
    out = [" ".join(unicodedata.normalize("NFC", p).split()) for p in paragraphs]
    return [p for p in out if p]


def read_paragraphs(path: Path) -> list[str]:
    return norm(read_document(path).text.split("\n\n"))


def copy_as(tmp_path: Path, fixture: str, name: str) -> Path:
    target = tmp_path / name
    shutil.copy(FIXTURES / fixture, target)
    return target


def failure(path: Path) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as info:
        read_document(path)
    assert "\n" not in str(info.value) and "Traceback" not in str(info.value)
    return info.value


def change_word_stream(path: Path, change) -> Path:
    import olefile

    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        stream = bytearray(ole.openstream("WordDocument").read())
        change(stream)
        ole.write_stream("WordDocument", bytes(stream))
    return path


# --------------------------------------------------------------------------- the fixtures


@pytest.mark.parametrize("name", DOCS + RTFS)
def test_fixture_reads_as_unicode_vietnamese(name: str):
    doc = read_document(FIXTURES / name)
    assert doc.format == name.rsplit(".", 1)[1]
    assert norm(doc.text.split("\n\n")) == norm(EXPECTED[name])


@pytest.mark.parametrize("name", DOCS)
def test_msdoc2docx_is_the_main_reader(name: str):
    assert "msdoc2docx" in INSTALLED, "msdoc2docx comes with the test extra: pip install -e .[test]"
    assert norm(doc_paragraphs((FIXTURES / name).read_bytes(), ("msdoc2docx",))) == norm(
        EXPECTED[name]
    )


@pytest.mark.parametrize("name", DOCS)
def test_libreoffice_fallback(name: str):
    needs("soffice")
    got = doc_paragraphs((FIXTURES / name).read_bytes(), ("soffice",))
    assert norm(got) == norm(EXPECTED[name])


@pytest.mark.parametrize("name", DOCS)
def test_antiword_fallback(name: str):
    needs("antiword")
    got = norm(doc_paragraphs((FIXTURES / name).read_bytes(), ("antiword",)))
    if name == "tcvn3.doc":
        # Known limit: antiword drops Word's optional hyphen, which is where LibreOffice
        # saved TCVN3 "ư"; without font names nothing can bring it back.
        expected = norm(EXPECTED[name])
        assert got != expected and len(got) == len(expected)
        assert all(g in (e, e.replace("ư", "")) for g, e in zip(got, expected, strict=True))
        return
    assert got == norm(EXPECTED[name])


def test_tables_are_rows_of_cells():
    for name in ("unicode.doc", "vni.doc", "tcvn3.rtf"):
        paragraphs = read_paragraphs(FIXTURES / name)
        assert "STT | Họ và tên | Chức vụ" in paragraphs
        assert "2 | Lê Quốc Đạt | Chuyên viên lưu trữ" in paragraphs


def test_legacy_documents_keep_their_unicode_and_mixed_paragraphs():
    for name in ("tcvn3.doc", "tcvn3_word.doc", "vni.doc"):
        paragraphs = read_paragraphs(FIXTURES / name)
        assert paragraphs[0] == "BÁO CÁO TỔNG KẾT CÔNG TÁC LƯU TRỮ NĂM 1998"  # .VnTimeH
        assert "Người ký: Phó Chủ tịch Phạm Thị Hoa" in paragraphs  # Unicode run + legacy run
        assert any(p.startswith("Ghi chú (bổ sung năm 2010") for p in paragraphs)


# --------------------------------------------------------------------------- disguises


def test_rtf_named_doc_and_doc_named_rtf(tmp_path: Path):
    assert read_paragraphs(copy_as(tmp_path, "vni.rtf", "a.doc")) == norm(EXPECTED["vni.rtf"])
    assert read_paragraphs(copy_as(tmp_path, "tcvn3.doc", "b.rtf")) == norm(EXPECTED["tcvn3.doc"])


def test_web_page_named_doc(tmp_path: Path):
    page = "<html><head><meta charset='utf-8'></head><body><p>Báo cáo lưu trữ</p></body></html>"
    path = tmp_path / "trang.doc"
    path.write_bytes(page.encode("utf-8"))
    assert read_paragraphs(path) == ["Báo cáo lưu trữ"]
    message = email.message.EmailMessage()
    message["MIME-Version"] = "1.0"
    message.set_content(page, subtype="html", charset="utf-8", cte="quoted-printable")
    path.write_bytes(message.as_bytes())  # Word's "single file web page" (MHT)
    assert read_paragraphs(path) == ["Báo cáo lưu trữ"]


def test_plain_tcvn3_text_named_doc(tmp_path: Path):
    path = tmp_path / "dos.doc"
    path.write_bytes("B¸o c¸o t×nh h×nh thùc hiÖn\r\n\r\nHå s¬ l\xadu tr÷\r\n".encode("cp1252"))
    doc = read_document(path)
    assert (norm(doc.text.split("\n")), doc.encoding) == (
        ["Báo cáo tình hình thực hiện", "Hồ sơ lưu trữ"],
        "tcvn3",
    )


# --------------------------------------------------------------------------- failures


def test_password_protected_doc():
    error = failure(FIXTURES / "khoa.doc")
    assert (str(error), error.kind) == ("Word document is password-protected", "encrypted")


@pytest.mark.parametrize("extractor", ["msdoc2docx", "antiword"])
def test_extractors_report_password_protection(extractor: str):
    needs(extractor)
    with pytest.raises(UnreadableFile) as info:
        doc_tools.EXTRACTORS[extractor]((FIXTURES / "khoa.doc").read_bytes())
    assert info.value.kind == "encrypted"


def test_damaged_doc(tmp_path: Path):
    good = (FIXTURES / "unicode.doc").read_bytes()
    cut = tmp_path / "cut.doc"
    cut.write_bytes(good[:3000])
    error = failure(cut)
    assert error.kind == "corrupt" and str(error).startswith("cannot read Word document (")
    zeros = tmp_path / "zeros.doc"
    zeros.write_bytes(good[:8] + bytes(4000))
    assert failure(zeros).kind == "corrupt"


def test_random_bytes_named_doc_or_rtf(tmp_path: Path):
    for name in ("rac.doc", "rac.rtf"):
        path = tmp_path / name
        path.write_bytes(bytes(range(256)) * 8)
        error = failure(path)
        assert error.kind == "corrupt" and str(error).startswith(("not a Word", "not an RTF"))


def test_empty_doc(tmp_path: Path):
    path = tmp_path / "trong.doc"
    path.write_bytes(b"")
    assert failure(path).kind == "empty"


def missing(data: bytes, legacy_fonts: bool) -> list[str]:
    raise doc_tools.Unavailable


def test_no_extractor_installed_says_what_to_install(monkeypatch):
    for name in doc_tools.EXTRACTORS:
        monkeypatch.setitem(doc_tools.EXTRACTORS, name, missing)
    error = failure(FIXTURES / "vni.doc")
    assert error.kind == "unreadable"
    assert str(error) == f"no reader for Word .doc files installed ({msword.install_hint()})"


def test_a_fallback_failing_without_the_main_reader_says_to_install_it(tmp_path, monkeypatch):
    needs("antiword")
    monkeypatch.setitem(doc_tools.EXTRACTORS, "msdoc2docx", missing)
    monkeypatch.setitem(doc_tools.EXTRACTORS, "soffice", missing)
    cut = tmp_path / "cut.doc"
    cut.write_bytes((FIXTURES / "unicode.doc").read_bytes()[:3000])
    error = failure(cut)
    assert error.kind == "unreadable"
    assert str(error).startswith("cannot read Word document (antiword: ")
    assert str(error).endswith(f") ({msword.install_hint()})")


def test_install_hint_is_one_command_with_the_pin_of_the_doc_extra(monkeypatch):
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    [pin] = pyproject["project"]["optional-dependencies"]["doc"]
    requires = [f'{pin}; extra == "doc"', 'pytest>=8; extra == "test"']
    monkeypatch.setattr(msword.metadata, "requires", lambda name: requires)
    assert msword.install_hint() == f"pip install '{pin}'" == "pip install 'msdoc2docx==0.36.6'"

    def not_installed(name: str):
        raise msword.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(msword.metadata, "requires", not_installed)
    assert msword.install_hint() == "pip install 'msdoc2docx'"


def test_word_95_without_fallback_names_antiword(tmp_path: Path):
    old = change_word_stream(copy_as(tmp_path, "unicode.doc", "cu.doc"), set_n_fib(104))
    with pytest.raises(UnreadableFile) as info:
        doc_paragraphs(old.read_bytes(), ("msdoc2docx",))  # it reads Word 97 and later only
    assert str(info.value) == "Word 6.0/95 document: no reader installed (apt-get install antiword)"


def set_n_fib(value: int):
    def change(stream: bytearray) -> None:
        stream[2:4] = value.to_bytes(2, "little")

    return change


def test_a_failing_extractor_gives_way_to_the_next(monkeypatch):
    import doc2docx

    def broken(source, target):
        raise RecursionError("deep")

    monkeypatch.setattr(doc2docx, "convert", broken)
    data = (FIXTURES / "vni.doc").read_bytes()
    with pytest.raises(UnreadableFile) as info:
        doc_paragraphs(data, ("msdoc2docx",))
    assert (str(info.value), info.value.kind) == (
        "cannot read Word document (msdoc2docx: converter failed (RecursionError))",
        "corrupt",
    )
    if "antiword" in INSTALLED:
        assert norm(doc_paragraphs(data, ("msdoc2docx", "antiword"))) == norm(EXPECTED["vni.doc"])


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for soffice")
def test_a_hanging_converter_is_killed(tmp_path: Path, monkeypatch):
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    pid_file = tmp_path / "child.pid"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pid_file}\nwait\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(doc_tools, "TIMEOUT", 1)
    with pytest.raises(UnreadableFile, match="LibreOffice took longer than 1 s"):
        doc_tools.from_soffice(b"not used")
    child = int(pid_file.read_text())
    # the converter's own child is gone too: killed with its group, it ends when the
    # kernel next runs it (on a loaded machine, a moment after the converter is reaped)
    deadline = time.monotonic() + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")  # killed, but not yet reaped by init: a zombie
    return not (status.exists() and "\nState:\tZ" in status.read_text())


# --------------------------------------------------------------------------- font table


def test_word_font_table_says_whether_legacy_fonts_are_used():
    # Only then are runs in other fonts (antiword's text has none) decoded by a guess:
    # a Unicode document's "Bé Tí ... mét" would read as TCVN3 "Bộ Tớ ... một".
    used = {name: msword._read_fib((FIXTURES / name).read_bytes()) for name in DOCS}
    assert {name: fib.legacy_fonts for name, fib in used.items() if fib} == {
        "unicode.doc": False,
        "tcvn3.doc": True,
        "tcvn3_word.doc": True,
        "vni.doc": True,
    }
    assert "Bé Tí và mẹ mua một mét vải." in EXPECTED["unicode.doc"]


# --------------------------------------------------------------------------- end to end


def test_tcvn3_doc_is_found_with_and_without_diacritics(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURES / "tcvn3.doc", corpus / "bao-cao-1998.doc")
    shutil.copy(FIXTURES / "vni.rtf", corpus / "bao-cao-vni.rtf")
    (corpus / "khac.txt").write_text("Một văn bản khác về giáo dục.\n", encoding="utf-8")
    archive = Archive(tmp_path / "index")
    summary = archive.update(corpus)
    assert not summary.skipped and len(summary.added) == 3
    for query in ("đồng bào Êđê", "dong bao ede", "lưu trữ", "luu tru"):
        hits = archive.search(query, limit=5)
        assert hits, query
        assert {h.path for h in hits} <= {"bao-cao-1998.doc", "bao-cao-vni.rtf"}, query
        doc_hits = [h for h in hits if h.path == "bao-cao-1998.doc"]
        assert doc_hits and doc_hits[0].format == "doc", query
    [hit] = [h for h in archive.search("canh tác", limit=5) if h.path == "bao-cao-1998.doc"]
    assert "kỹ thuật canh tác được cải tiến" in unicodedata.normalize("NFC", hit.text)
    archive.close()
