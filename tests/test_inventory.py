"""What the index holds, file by file: stats per format and reason, stats --files, show,
and the header fields as filters (--type, --issuer, --year)."""

import json

import pytest
from click.testing import CliRunner

from tracuu import Archive
from tracuu.cli import cli

DECISION = (
    "ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "QUẬN 10\tĐộc lập - Tự do - Hạnh phúc\n"
    "-------\t---------------\n"
    "Số: 15/2010/QĐ-UBND\tQuận 10, ngày 12 tháng 3 năm 2010\n\n"
    "QUYẾT ĐỊNH\n"
    "Về việc ban hành quy chế quản lý chợ\n\n"
    "Điều 1. Ban hành kèm theo Quyết định này quy chế quản lý chợ trên địa bàn quận.\n"
)
REPORT = (
    "ĐẢNG BỘ QUẬN 10\n\nSố: 12-BC/QU\n\nBÁO CÁO\nVề công tác kiểm tra năm 1999\n\n"
    "Quận 10, ngày 16 tháng 01 năm 2000\n\n"
    "Công tác quản lý chợ và kiểm tra đảng viên được tăng cường.\n"
)


@pytest.fixture
def archive_dir(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "qd-15.txt").write_text(DECISION, encoding="utf-8")
    (corpus / "bc-12.txt").write_text(REPORT, encoding="utf-8")
    (corpus / "rong.txt").write_bytes(b"")
    (corpus / "hong.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (corpus / "bang.xlsx").write_bytes(b"PK\x03\x04")
    return corpus, tmp_path / "ix"


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def test_every_file_not_indexed_is_listed_with_its_reason(archive_dir):
    corpus, index = archive_dir
    r = run("index", "--corpus", corpus, "--index", index)
    assert r.exit_code == 0, r.output
    assert "2 skipped (1 corrupt, 1 empty)" in r.output
    assert "skipped rong.txt: empty file" in r.output and "skipped hong.docx:" in r.output
    st = json.loads(run("stats", "--index", index, "--json").output)
    assert st["documents"] == 2 and set(st["skipped"]) == {"rong.txt", "hong.docx"}
    assert st["skipped_kinds"] == {"empty": 1, "corrupt": 1}
    assert st["not_read"] == {".xlsx": 1}
    formats = {f["format"]: f for f in st["formats"]}
    assert formats["txt"]["indexed"] == 2 and formats["txt"]["skipped"] == {"empty": 1}
    assert formats["docx"]["indexed"] == 0 and formats["docx"]["skipped"] == {"corrupt": 1}
    human = run("stats", "--index", index).output
    assert "rong.txt: empty file" in human and "not read: .xlsx 1" in human


def test_stats_files_lists_every_corpus_file(archive_dir):
    corpus, index = archive_dir
    Archive(index).update(corpus)
    records = json.loads(run("stats", "--files", "--json", "--index", index).output)
    by_file = {r["file"]: r for r in records}
    assert set(by_file) == {"qd-15.txt", "bc-12.txt", "rong.txt", "hong.docx", "bang.xlsx"}
    qd = by_file["qd-15.txt"]
    assert (qd["status"], qd["format"], qd["doc_type"], qd["doc_number"], qd["date"]) == (
        "indexed",
        "txt",
        "Quyết định",
        "15/2010/QĐ-UBND",
        "2010-03-12",
    )
    assert qd["issuer"] == "ỦY BAN NHÂN DÂN QUẬN 10" and qd["paragraphs"] >= 3
    assert (by_file["rong.txt"]["status"], by_file["rong.txt"]["kind"]) == ("skipped", "empty")
    assert by_file["bang.xlsx"]["status"] == "not read"
    lines = run("stats", "--files", "--index", index).output.splitlines()
    assert len(lines) == 5 and any(
        line.startswith("skipped") and "hong.docx" in line for line in lines
    )


def test_show_prints_the_paragraphs_the_index_holds(archive_dir):
    corpus, index = archive_dir
    Archive(index).update(corpus)
    r = run("show", "qd-15.txt", "--index", index, "--json")
    view = json.loads(r.output)
    texts = [p["text"] for p in view["paragraphs"]]
    assert [p["number"] for p in view["paragraphs"]] == list(range(1, len(texts) + 1))
    assert any(t.startswith("Điều 1.") for t in texts)
    assert view["title"] == "Quyết định về việc ban hành quy chế quản lý chợ"
    assert "Điều 1." in run("show", "qd-15.txt", "--index", index).output
    skipped = json.loads(run("show", "rong.txt", "--index", index, "--json").output)
    assert (skipped["status"], skipped["paragraphs"]) == ("skipped", [])
    r = run("show", "khong-co.txt", "--index", index)
    assert r.exit_code == 2 and "not a file of the indexed corpus" in r.output


def test_header_fields_filter_searches(archive_dir):
    corpus, index = archive_dir
    Archive(index).update(corpus)

    def files(*args):
        r = run("search", "--index", index, "--json", *args)
        return {h["file"] for h in json.loads(r.output)["hits"]}

    assert files("quản lý chợ") == {"qd-15.txt", "bc-12.txt"}
    assert files("quản lý chợ", "--type", "quyet dinh") == {"qd-15.txt"}
    assert files("quản lý chợ", "--type", "Báo cáo") == {"bc-12.txt"}
    assert files("quản lý chợ", "--issuer", "ủy ban") == {"qd-15.txt"}
    assert files("quản lý chợ", "--year", "2010") == {"qd-15.txt"}
    assert files("quản lý chợ", "--year", "1999-2000") == {"bc-12.txt"}
    assert files("quản lý chợ type:bao-cao") == set()  # a type is words, not a slug
    assert files("quản lý chợ year:2000") == {"bc-12.txt"}
    r = run("search", "--index", index, "quản lý chợ", "--year", "twenty")
    assert r.exit_code == 2 and "not a year" in r.output
    with Archive(index) as a:
        hits = a.search("quản lý chợ", filters=[("type", "quyết định"), ("year", "2010")])
        assert [h.path for h in hits][:1] == ["qd-15.txt"] and hits[0].doc_type == "Quyết định"
    r = run("batch", "--index", index, "-f", "trec", "--issuer", "đảng bộ", input="quản lý chợ\n")
    assert {line.split()[2].split("#")[0] for line in r.output.splitlines()} == {"bc-12.txt"}
