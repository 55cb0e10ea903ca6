"""Ingesting real archives: every format and encoding end to end, incremental updates, bad files."""

import json
import os
import random

import pytest
from click.testing import CliRunner
from test_readers import (
    TCVN3_PARAGRAPHS,
    encode_cp1258,
    encode_tcvn3,
    encode_vni,
    html_page,
    make_pdf,
)

from tracuu import Archive
from tracuu.cli import cli

# The sample TCVN3 can represent (it has few accented capitals); every format gets it.
SAMPLE = "\n\n".join(TCVN3_PARAGRAPHS) + "\n"


def make_docx(path, paragraphs):
    import docx

    document = docx.Document()
    for para in paragraphs:
        document.add_paragraph(para)
    document.save(str(path))


def write_all_formats(corpus):
    text_encodings = {
        "utf8.txt": SAMPLE.encode("utf-8"),
        "utf8-bom.txt": SAMPLE.encode("utf-8-sig"),
        "utf16.txt": SAMPLE.encode("utf-16"),
        "cp1258.txt": encode_cp1258(SAMPLE),
        "tcvn3.txt": encode_tcvn3(SAMPLE),
        "vni.txt": encode_vni(SAMPLE),
        "trang.html": html_page("utf-8", "".join(f"<p>{p}</p>" for p in TCVN3_PARAGRAPHS)).encode(),
    }
    for name, data in text_encodings.items():
        (corpus / name).write_bytes(data)
    make_docx(corpus / "van-ban.docx", TCVN3_PARAGRAPHS)
    make_pdf(corpus / "van-ban.pdf", TCVN3_PARAGRAPHS)
    (corpus / "van-ban.ttf").unlink()  # the test font, not part of the archive
    return sorted([*text_encodings, "van-ban.docx", "van-ban.pdf"])


def test_same_text_in_every_format_is_found_with_the_same_snippet(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    names = write_all_formats(corpus)
    summary = Archive(tmp_path / "ix").update(corpus)
    assert summary.skipped == {}
    with Archive(tmp_path / "ix") as a:
        for query in ("chỉnh đốn Đảng", "chinh don dang", "qui chế"):
            hits = a.search(query, limit=50)
            assert sorted(h.path for h in hits) == names, query
            snippets = {(h.snippet.text, h.snippet.spans) for h in hits}
            assert len(snippets) == 1, (query, snippets)
        formats = {h.path: h.format for h in a.search("Đảng", limit=50)}
    assert formats["van-ban.pdf"] == "pdf" and formats["van-ban.docx"] == "docx"
    assert formats["trang.html"] == "html" and formats["vni.txt"] == "txt"


def test_update_touches_only_the_changed_file(corpus, tmp_path, monkeypatch):
    index = tmp_path / "ix"
    Archive(index).update(corpus)
    loaded = []
    import tracuu.build as par

    real = par.document_from_bytes

    def spy(name, data, ctx=None):
        loaded.append(name)
        return real(name, data, ctx)

    monkeypatch.setattr(par, "document_from_bytes", spy)
    nfd = corpus / "bien-ban-nfd.txt"
    nfd.write_text(
        nfd.read_text(encoding="utf-8") + "Đoạn mới về thi đua yêu nước.\n", encoding="utf-8"
    )
    summary = Archive(index).update(corpus)
    assert loaded == ["bien-ban-nfd.txt"]
    assert (summary.changed, summary.added, summary.deleted) == (["bien-ban-nfd.txt"], [], [])
    assert summary.unchanged == 2
    with Archive(index) as a:
        hits = a.search("thi đua yêu nước", limit=50)
        assert ("bien-ban-nfd.txt", 3) in [(h.path, h.number) for h in hits]
        assert a.stats().documents == 3

    # touching a file without changing it re-reads nothing
    loaded.clear()
    os.utime(nfd, ns=(1, 1))
    summary = Archive(index).update(corpus)
    assert loaded == [] and summary.unchanged == 3 and not summary.changed


def test_deleted_file_disappears(corpus, tmp_path):
    index = tmp_path / "ix"
    Archive(index).update(corpus)
    (corpus / "thong-bao-hoa.txt").unlink()
    summary = Archive(index).update(corpus)
    assert summary.deleted == ["thong-bao-hoa.txt"]
    with Archive(index) as a:
        assert all(h.path != "thong-bao-hoa.txt" for h in a.search("hòa bình", limit=50))
        assert a.stats().documents == 2


def test_added_file_is_indexed(corpus, tmp_path):
    index = tmp_path / "ix"
    Archive(index).update(corpus)
    sub = corpus / "2001"
    sub.mkdir()
    (sub / "moi.txt").write_text("Quyết định khen thưởng chi bộ khu phố 3.\n", encoding="utf-8")
    summary = Archive(index).update(corpus)
    assert summary.added == ["2001/moi.txt"]
    with Archive(index) as a:
        assert [h.path for h in a.search("khen thưởng chi bộ")] == ["2001/moi.txt"]


def add_bad_files(corpus):
    (corpus / "anh.txt").write_bytes(bytes(range(256)) * 8)  # binary
    (corpus / "rong.txt").write_bytes(b"")  # empty
    # invalid UTF-8 that is no plausible legacy Vietnamese text either
    noise = random.Random(7)
    (corpus / "hong.txt").write_bytes(bytes(noise.randrange(0x80, 0x100) for _ in range(400)))
    (corpus / ".an.txt").write_text("Tệp ẩn về công tác dân vận.\n", encoding="utf-8")


def test_bad_files_are_skipped_and_others_indexed(corpus, tmp_path):
    add_bad_files(corpus)
    index = tmp_path / "ix"
    summary = Archive(index).update(corpus)
    assert set(summary.skipped) == {"anh.txt", "rong.txt", "hong.txt"}
    assert summary.skipped["rong.txt"] == "empty file"
    assert summary.skipped["anh.txt"] == "binary file"
    assert len(summary.added) == 4  # the three good files and the hidden one
    with Archive(index) as a:
        assert [h.path for h in a.search("công tác dân vận")][:1] == [".an.txt"]
        assert a.search("chỉnh đốn Đảng")
        assert set(a.stats().skipped) == set(summary.skipped)


def test_cli_reports_skips_and_strict_fails(corpus, tmp_path):
    add_bad_files(corpus)
    runner = CliRunner()
    args = ["index", "--corpus", str(corpus), "--index", str(tmp_path / "ix")]
    r = runner.invoke(cli, args)
    assert r.exit_code == 0, r.output
    assert r.output.count("tracuu: warning: skipped") == 3
    assert "3 skipped" in r.output
    r = runner.invoke(cli, [*args, "--strict", "--rebuild"])
    assert r.exit_code == 2 and "3 file(s) skipped (--strict)" in r.output
    r = runner.invoke(cli, ["stats", "--index", str(tmp_path / "ix"), "--json"])
    assert json.loads(r.output)["documents"] == 4


def test_parallel_build_matches_serial(corpus, tmp_path, monkeypatch):
    import tracuu.build as tindex

    monkeypatch.setattr(tindex, "PARALLEL_MIN_FILES", 1)  # parallel even for 3 files
    serial, parallel = Archive(tmp_path / "a"), Archive(tmp_path / "b")
    serial.update(corpus, procs=1)
    parallel.update(corpus, procs=2)
    for q in ("chỉnh đốn Đảng", "chinh don dang", "hoà bình", '"qui chế"'):
        a = [(h.path, h.number, round(h.score, 4)) for h in serial.search(q, limit=20)]
        b = [(h.path, h.number, round(h.score, 4)) for h in parallel.search(q, limit=20)]
        assert a == b, q
    serial.close()
    parallel.close()


@pytest.mark.parametrize("procs", [1, 2])
def test_metadata_is_stored_and_filterable(tmp_path, procs, monkeypatch):
    import tracuu.build as tindex

    monkeypatch.setattr(tindex, "PARALLEL_MIN_FILES", 1)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bc.txt").write_text(
        "ĐẢNG BỘ QUẬN 10\n\nSố: 12/BC-QU\n\nBÁO CÁO\nVề công tác kiểm tra năm 1999\n\n"
        "TP. Hồ Chí Minh, ngày 16 tháng 01 năm 2000\n\nCông tác kiểm tra đảng viên được tăng cường.\n",
        encoding="utf-8",
    )
    (corpus / "khac.txt").write_text(
        "Công tác kiểm tra ở phường 12, ngày 3/4/1998.\n", encoding="utf-8"
    )
    with Archive.build(corpus, tmp_path / "ix", procs=procs) as a:
        hit = a.search("kiểm tra đảng viên", limit=1)[0]
        # the title is the type and the subject ("trích yếu"), in sentence case
        assert (hit.doc_number, hit.issuer, hit.date, hit.title, hit.doc_type, hit.place) == (
            "12/BC-QU",
            "ĐẢNG BỘ QUẬN 10",
            "2000-01-16",
            "Báo cáo về công tác kiểm tra năm 1999",
            "Báo cáo",
            "TP. Hồ Chí Minh",
        )
        assert {h.path for h in a.search("kiểm tra", filters=[("from", "1999")])} == {"bc.txt"}
        assert {h.path for h in a.search("kiểm tra to:1999")} == {"khac.txt"}
        assert {h.path for h in a.search("kiểm tra number:12/BC-QU")} == {"bc.txt"}
        assert {h.path for h in a.search('kiểm tra issuer:"quan 10"')} == {"bc.txt"}
        assert {h.path for h in a.search("kiểm tra date:1998-04")} == {"khac.txt"}


def test_files_without_a_real_suffix_are_text_and_other_types_are_counted(corpus, tmp_path):
    (corpus / "iso 3166-2").write_text("Mã vùng hành chính của Việt Nam.\n", encoding="utf-8")
    (corpus / "i am... yours").write_text("Một bài hát về hòa bình.\n", encoding="utf-8")
    (corpus / "nhac.mp3").write_bytes(b"ID3\x03")
    (corpus / "bang.xlsx").write_bytes(b"PK\x03\x04")
    summary = Archive(tmp_path / "ix").update(corpus)
    assert {"iso 3166-2", "i am... yours"} <= set(summary.added)
    assert dict(summary.ignored) == {".mp3": 1, ".xlsx": 1}
    with Archive(tmp_path / "ix") as a:
        assert [h.path for h in a.search("mã vùng hành chính")] == ["iso 3166-2"]
    r = CliRunner().invoke(
        cli, ["index", "--corpus", str(corpus), "--index", str(tmp_path / "ix2")]
    )
    assert "not read (other file types): .mp3 1, .xlsx 1" in r.output
