"""The web page (``tracuu serve``) through Starlette's test client: every route, filter,
sort, page and error, on a small archive of Vietnamese documents built in tmp_path."""

from __future__ import annotations

import json
import logging
import re
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from web_corpus import DOCUMENTS, SCRIPT, make_web_corpus

from tracuu import Archive
from tracuu.cli import cli
from tracuu.output import results_record

pytest.importorskip("starlette", reason='the web extra is not installed: pip install ".[web]"')
from starlette.testclient import TestClient  # noqa: E402

from tracuu.web import create_app  # noqa: E402

DATED = ["nq-2019-binh-duong.txt", "qd-2001-khen-thuong.txt", "bc-2001-quan-10.txt"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(corpus, index, client) over the web corpus, built once."""
    root = tmp_path_factory.mktemp("web")
    corpus = make_web_corpus(root)
    Archive.build(corpus, root / "index").close()
    with TestClient(create_app(root / "index")) as client:
        yield corpus, root / "index", client


@pytest.fixture
def client(site):
    return site[2]


def facet(html: str, name: str) -> dict[str, int]:
    """The (value -> count) links of one facet of a search page."""
    m = re.search(rf'id="facet-{name}">(.*?)</section>', html, re.S)
    assert m, f"no facet {name}"
    pairs = re.findall(r'<a href="[^"]*">([^<]*)</a> <span class="count">(\d+)</span>', m[1])
    return {unescape(label): int(n) for label, n in pairs}


def paths(html: str) -> list[str]:
    """The files of the documents listed, in order."""
    return [unescape(p) for p in re.findall(r'<span class="path">([^<]*)</span>', html)]


def marks(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r"<mark>([^<]*)</mark>", html)]


def assert_clear_error(response, status: int, words: str) -> None:
    assert response.status_code == status
    assert words in unescape(response.text)
    assert "Traceback" not in response.text and 'File "' not in response.text


# ---- the search page -------------------------------------------------------------


def test_home_page_counts_the_indexed_documents(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "Tìm kiếm" in r.text and 'name="q"' in r.text
    indexed = len(DOCUMENTS) - 1  # the empty file is skipped
    assert f"<strong>{indexed}</strong> văn bản" in r.text


def test_unaccented_query_finds_and_marks_accented_words(client):
    r = client.get("/", params={"q": "chinh don dang"})
    assert r.status_code == 200
    assert "chỉnh đốn Đảng" in marks(r.text)
    assert set(paths(r.text)) == set(DOCUMENTS) - {"rong.txt"}
    # the accented form is offered as a link that searches for it
    assert "Có dấu:" in r.text
    reading = re.search(r'Có dấu:\s*<a href="([^"]*)">chỉnh đốn Đảng</a>', r.text)
    assert reading and "q=ch%E1%BB%89nh+%C4%91%E1%BB%91n+%C4%90%E1%BA%A3ng" in reading[1]


def test_accented_query_gives_the_same_documents(client):
    a = client.get("/", params={"q": "chinh don dang"})
    b = client.get("/", params={"q": "chỉnh đốn Đảng"})
    assert set(paths(a.text)) == set(paths(b.text))


def test_did_you_mean_links_to_the_suggestion(client):
    r = client.get("/", params={"q": "chỉnh đốnn"})
    assert r.status_code == 200
    assert "Không tìm thấy văn bản nào" in r.text
    m = re.search(r'Có phải bạn muốn tìm: <a href="([^"]*)">([^<]*)</a>', r.text)
    assert m and unescape(m[2]) == "chỉnh đốn"
    assert client.get(unescape(m[1])).text.count('class="document"') >= 5


def test_facets_count_matching_documents_by_type_issuer_and_year(client):
    html = client.get("/", params={"q": "chinh don dang"}).text
    assert facet(html, "type") == {
        "Quyết định": 2,
        "Công văn": 1,
        "Báo cáo": 1,
        "Nghị quyết": 1,
    }
    issuers = facet(html, "issuer")
    assert issuers["ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM"] == 3
    assert issuers["HỘI ĐỒNG NHÂN DÂN TỈNH BÌNH DƯƠNG"] == 1
    assert facet(html, "year") == {"2019": 1, "2001": 2, "2000": 1, "1999": 1}
    assert re.search(r'không rõ <span class="count">2</span>', html)  # two undated


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "Quyết định"}, {"qd-2000-quy-che.txt", "qd-2001-khen-thuong.txt"}),
        ({"type": "cong van"}, {"cv-1999-chinh-don.txt"}),  # without diacritics too
        (
            {"issuer": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM"},
            {"qd-2000-quy-che.txt", "qd-2001-khen-thuong.txt", "cv-1999-chinh-don.txt"},
        ),
        (
            {"from": "1999", "to": "2000"},
            {"cv-1999-chinh-don.txt", "qd-2000-quy-che.txt"},
        ),
        ({"from": "2001"}, {"qd-2001-khen-thuong.txt", "bc-2001-quan-10.txt", DATED[0]}),
        ({"to": "1999"}, {"cv-1999-chinh-don.txt"}),
        ({"type": "Quyết định", "from": "2001", "to": "2001"}, {"qd-2001-khen-thuong.txt"}),
    ],
)
def test_filters_narrow_the_results_and_the_counts(client, params, expected):
    r = client.get("/", params={"q": "chinh don dang", **params})
    assert r.status_code == 200
    assert set(paths(r.text)) == expected
    assert sum(facet(r.text, "year").values()) == len(expected)  # counts follow the filter
    assert "Đang lọc" in r.text


def test_facet_links_apply_the_filter_and_chips_remove_it(client):
    html = client.get("/", params={"q": "chinh don dang"}).text
    link = re.search(r'<a href="([^"]*)">Công văn</a>', html)
    assert link
    filtered = client.get(unescape(link[1])).text
    assert paths(filtered) == ["cv-1999-chinh-don.txt"]
    remove = re.search(r'<a class="remove" href="([^"]*)"', filtered)
    assert remove
    assert len(paths(client.get(unescape(remove[1])).text)) == len(paths(html))
    year = re.search(r'<a href="([^"]*)">2001</a>', html)
    assert year
    assert set(paths(client.get(unescape(year[1])).text)) == {
        "qd-2001-khen-thuong.txt",
        "bc-2001-quan-10.txt",
    }


def test_sort_by_date_puts_newest_first_and_undated_last(client):
    r = client.get("/", params={"q": "chinh don dang", "sort": "date"})
    got = paths(r.text)
    assert got[:3] in (DATED, [DATED[0], DATED[2], DATED[1]])  # two of 2001: either order
    assert got[3:5] == ["qd-2000-quy-che.txt", "cv-1999-chinh-don.txt"]
    assert set(got[5:]) == {"ghi-chu [nhap].txt", "tai-lieu-trang.txt"}
    relevance = paths(client.get("/", params={"q": "chinh don dang"}).text)
    assert relevance != got and sorted(relevance) == sorted(got)


def test_pages_cut_the_results_and_link_to_each_other(client):
    everything = paths(client.get("/", params={"q": "chinh don dang"}).text)
    first = client.get("/", params={"q": "chinh don dang", "n": "3"})
    assert paths(first.text) == everything[:3]
    assert "Trang 1/3" in first.text and "Trang trước" not in first.text
    following = re.search(r'<a rel="next" href="([^"]*)">Trang sau', first.text)
    assert following
    second = client.get(unescape(following[1]))
    assert paths(second.text) == everything[3:6]
    assert 'rel="prev"' in second.text and '<ol class="documents" start="4">' in second.text
    last = client.get("/", params={"q": "chinh don dang", "n": "3", "page": "3"})
    assert paths(last.text) == everything[6:] and "Trang sau" not in last.text


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"page": "9"}, 404, "Không có trang 9"),
        ({"page": "0"}, 400, "page='0' không hợp lệ"),
        ({"page": "abc"}, 400, "page='abc' không hợp lệ"),
        ({"page": "-1"}, 400, "không hợp lệ"),
        ({"n": "100000"}, 400, "n='100000' không hợp lệ"),
        ({"sort": "size"}, 400, "sort='size' không hợp lệ"),
        ({"q": "x" * 501}, 400, "Câu tìm kiếm quá dài (501 ký tự; tối đa 500 ký tự)"),
        ({"q": '"chỉnh đốn'}, 400, "Câu tìm kiếm không hợp lệ: malformed query: unclosed quote"),
        ({"from": "abc"}, 400, "not a date: 'abc'"),
    ],
)
def test_bad_requests_get_a_clear_message(client, params, status, words):
    r = client.get("/", params={"q": "chinh don dang", **params})
    assert_clear_error(r, status, words)
    assert "Về trang tìm kiếm" in r.text


def test_document_text_is_escaped(client):
    r = client.get("/", params={"q": "khu phố"})
    assert SCRIPT not in r.text and "<script" not in r.text
    assert "&lt;script&gt;" in r.text
    doc = client.get("/doc/ghi-chu [nhap].txt", params={"q": "khu phố"})
    assert doc.status_code == 200
    assert "<script" not in doc.text and "&lt;script&gt;alert(&#34;xss&#34;)" in doc.text
    error = client.get("/", params={"q": '"<script>alert(1)</script>'})
    assert error.status_code == 400 and "<script" not in error.text


# ---- the document page -----------------------------------------------------------


def test_result_links_open_the_document_at_its_best_hit(client):
    html = client.get("/", params={"q": "chinh don dang", "type": "Quyết định"}).text
    link = re.search(r'<h3><a href="(/doc/qd-2000-quy-che.txt\?q=[^"#]*#p(\d+))">', html)
    assert link
    doc = client.get(unescape(link[1]))
    assert doc.status_code == 200
    target = re.search(rf'<p id="p{link[2]}" class="para hit">(.*?)</p>', doc.text, re.S)
    assert target and "chỉnh đốn Đảng" in marks(target[1])


def test_document_page_shows_header_hits_and_download_link(client):
    r = client.get("/doc/qd-2000-quy-che.txt", params={"q": "chinh don dang"})
    assert r.status_code == 200
    text = unescape(r.text)
    assert "<h1>Quyết định về việc ban hành quy chế chỉnh đốn Đảng ở cơ sở</h1>" in text
    for name, value in [
        ("Loại văn bản", "Quyết định"),
        ("Số, ký hiệu", "15/2000/QĐ-UBND"),
        ("Cơ quan ban hành", "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM"),
        ("Ngày ban hành", "12/03/2000"),
    ]:
        assert f"<dt>{name}</dt><dd>{value}</dd>" in text
    hits = re.findall(r'<p id="p(\d+)" class="para hit">', r.text)
    assert hits and re.search(r"\d+ đoạn khớp với «chinh don dang»", text)
    for n in hits:
        assert f'<a href="#p{n}">¶{n}</a>' in r.text
    assert "Đến đoạn khớp đầu tiên" in text
    assert 'href="/file/qd-2000-quy-che.txt"' in r.text
    plain = client.get("/doc/qd-2000-quy-che.txt")  # without a query: nothing marked
    assert plain.status_code == 200 and "<mark>" not in plain.text


def test_document_hits_stay_in_their_file_whatever_its_name(client):
    # "[nhap]" is a glob class: the file filter must still match this one file exactly
    r = client.get("/doc/ghi-chu [nhap].txt", params={"q": "chỉnh đốn Đảng"})
    assert r.status_code == 200
    assert re.findall(r'<p id="p(\d+)" class="para hit">', r.text) == ["2"]
    other = client.get("/doc/tai-lieu-trang.txt", params={"q": "khu phố"})
    assert other.status_code == 200 and 'class="para hit"' not in other.text
    assert "Không đoạn nào của văn bản này khớp với «khu phố»" in other.text


def test_paged_file_shows_its_pages(client):
    r = client.get("/doc/tai-lieu-trang.txt", params={"q": "chinh don dang"})
    assert 'id="page1">Trang 1<' in r.text and 'id="page2">Trang 2<' in r.text
    assert r.text.index("Trang 2<") < r.text.index('id="p3"')
    results = client.get("/", params={"q": "chinh don dang"}).text
    assert re.search(r'tai-lieu-trang.txt\?q=chinh\+don\+dang#p3">tr. 2 ¶3</a>', results)


def test_skipped_file_shows_its_reason_and_cannot_be_downloaded(client):
    r = client.get("/doc/rong.txt")
    assert r.status_code == 200 and "empty" in r.text and "Tải tệp gốc" not in r.text
    assert_clear_error(client.get("/file/rong.txt"), 404, "Không có tệp")


@pytest.mark.parametrize(
    "path",
    [
        "/doc/khong-co.txt",
        "/doc/../../etc/passwd",
        "/doc/%2e%2e/%2e%2e/etc/passwd",
        "/doc/",
    ],
)
def test_unknown_document_is_a_404_page(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "Không có" in r.text and "Traceback" not in r.text


# ---- original files --------------------------------------------------------------


def test_original_file_is_downloaded_as_it_is(site):
    corpus, _, client = site
    r = client.get("/file/cv-1999-chinh-don.txt")
    assert r.status_code == 200
    assert r.content == (corpus / "cv-1999-chinh-don.txt").read_bytes()
    assert r.headers["content-disposition"].startswith("attachment")
    odd = client.get("/file/ghi-chu%20%5Bnhap%5D.txt")
    assert odd.status_code == 200 and SCRIPT.encode() in odd.content


@pytest.mark.parametrize(
    "path",
    [
        "/file/../../../../etc/passwd",
        "/file/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/file//etc/passwd",
        "/file/..%2f..%2fetc%2fpasswd",
        "/file/khong-co.txt",
        "/file/",
    ],
)
def test_only_indexed_files_are_served(client, path):
    r = client.get(path)
    assert r.status_code == 404 and "root:" not in r.text


def test_original_file_gone_from_the_corpus_is_a_404(tmp_path):
    corpus = make_web_corpus(tmp_path)
    Archive.build(corpus, tmp_path / "index").close()
    (corpus / "bc-2001-quan-10.txt").unlink()
    client = TestClient(create_app(tmp_path / "index"))
    assert_clear_error(client.get("/file/bc-2001-quan-10.txt"), 404, "không còn")


# ---- /api/search -----------------------------------------------------------------


def cli_json(index: Path, *args: str) -> dict:
    """What `tracuu search --json` prints for ``args``."""
    result = CliRunner().invoke(cli, ["search", "--json", "--index", str(index), *args])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


@pytest.mark.parametrize(
    ("params", "args"),
    [
        ({"q": "chinh don dang"}, ["chinh", "don", "dang"]),
        ({"q": "chỉnh đốn Đảng", "limit": "3"}, ["-n", "3", "chỉnh đốn Đảng"]),
        ({"q": "chinh don", "mode": "fold"}, ["--fold", "chinh don"]),
        ({"q": "chinh don", "mode": "exact"}, ["--exact", "chinh don"]),
        ({"q": "Đảng", "type": "quyet dinh"}, ["--type", "quyet dinh", "Đảng"]),
        ({"q": "Đảng", "year": "1999-2000"}, ["--year", "1999-2000", "Đảng"]),
        ({"q": "Đảng", "from": "2001", "to": "2019"}, ["--from", "2001", "--to", "2019", "Đảng"]),
        ({"q": "Đảng", "issuer": "quang nam"}, ["--issuer", "quang nam", "Đảng"]),
        ({"q": "Đảng", "file": "qd-*"}, ["--file", "qd-*", "Đảng"]),
        ({"q": "Đảng", "by_document": "1"}, ["--by-document", "Đảng"]),
        ({"q": "Đảng", "count": "1"}, ["--count", "Đảng"]),
        ({"q": "chỉnh đốnn"}, ["chỉnh đốnn"]),  # nothing found: the suggestion
    ],
)
def test_api_returns_the_records_of_search_json(site, params, args):
    _, index, client = site
    r = client.get("/api/search", params=params)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == cli_json(index, *args)


def test_api_record_is_the_output_module_s(site):
    _, index, client = site
    with Archive(index) as archive:
        expected = results_record(archive.run("chinh don dang", limit=10))
    assert client.get("/api/search", params={"q": "chinh don dang"}).json() == expected


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({}, 400, "Thiếu câu tìm kiếm"),
        ({"q": "   "}, 400, "Thiếu câu tìm kiếm"),
        ({"q": "x" * 501}, 400, "quá dài"),
        ({"q": "Đảng", "limit": "0"}, 400, "limit='0' không hợp lệ"),
        ({"q": "Đảng", "limit": "201"}, 400, "limit='201' không hợp lệ"),
        ({"q": "Đảng", "mode": "loose"}, 400, "mode='loose' không hợp lệ"),
        ({"q": "Đảng", "count": "maybe"}, 400, "count='maybe' không hợp lệ"),
        ({"q": "Đảng", "year": "nineteen"}, 400, "nineteen"),
        ({"q": '"chỉnh đốn'}, 400, "unclosed quote"),
    ],
)
def test_api_errors_are_json_with_a_message(client, params, status, words):
    r = client.get("/api/search", params=params)
    assert r.status_code == status
    body = r.json()
    assert body["status"] == status and words in body["error"]
    assert "Traceback" not in r.text


def test_api_unknown_route_and_method_are_json(client):
    r = client.get("/api/khong-co")
    assert r.status_code == 404 and r.json()["error"] == "Không có trang này."
    r = client.post("/api/search", params={"q": "Đảng"})
    assert r.status_code == 405 and "GET" in r.json()["error"]


# ---- failures of the server itself ---------------------------------------------------


def test_unexpected_error_is_one_line_in_the_log_and_a_page(site, monkeypatch, caplog):
    _, _, client = site

    def broken(self, *args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Archive, "run", broken)
    monkeypatch.delenv("TRACUU_DEBUG", raising=False)
    with caplog.at_level(logging.ERROR, logger="tracuu.web"):
        page = client.get("/", params={"q": "Đảng"})
        api = client.get("/api/search", params={"q": "Đảng"})
    assert_clear_error(page, 500, "Lỗi nội bộ của máy chủ")
    assert "disk on fire" not in page.text  # details go to the log, not to the reader
    assert api.status_code == 500 and "Lỗi nội bộ" in api.json()["error"]
    lines = [r.getMessage() for r in caplog.records]
    assert any("RuntimeError: disk on fire" in line for line in lines)
    assert all("\n" not in line for line in lines) and not any(r.exc_info for r in caplog.records)


def test_missing_index_is_a_503_page_that_says_what_to_run(tmp_path):
    client = TestClient(create_app(tmp_path / "khong-co"))
    assert_clear_error(client.get("/"), 503, "tracuu index")
    assert client.get("/api/search", params={"q": "Đảng"}).status_code == 503


def test_the_server_opens_the_new_index_after_a_rebuild(tmp_path):
    corpus = make_web_corpus(tmp_path)
    Archive.build(corpus, tmp_path / "index").close()
    client = TestClient(create_app(tmp_path / "index"))
    assert "tai-lieu-moi.txt" not in paths(client.get("/", params={"q": "Đảng"}).text)
    (corpus / "tai-lieu-moi.txt").write_text("Tài liệu mới về chỉnh đốn Đảng.\n", "utf-8")
    with Archive(tmp_path / "index") as archive:
        archive.update(corpus)
    assert "tai-lieu-moi.txt" in paths(client.get("/", params={"q": "Đảng"}).text)
    assert client.get("/file/tai-lieu-moi.txt").status_code == 200


def test_corpus_folder_can_be_given(tmp_path):
    corpus = make_web_corpus(tmp_path)
    Archive.build(corpus, tmp_path / "index").close()
    moved = tmp_path / "moved"
    corpus.rename(moved)
    client = TestClient(create_app(tmp_path / "index", moved))
    r = client.get("/file/qd-2000-quy-che.txt")
    assert r.status_code == 200 and r.content == (moved / "qd-2000-quy-che.txt").read_bytes()


# ---- tracuu serve ------------------------------------------------------------------


def test_serve_without_an_index_fails_in_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--index", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"tracuu: error: no index at {tmp_path / 'none'} yet: run 'tracuu index' first"
    ]


def test_serve_on_a_busy_port_fails_in_one_line(site):
    import socket

    _, index, _ = site
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--index", str(index), "--port", str(port)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"tracuu: error: cannot listen on 127.0.0.1:{port}"
    )


def test_serve_binds_localhost_by_default():
    from tracuu.cli.serving import serve_command

    host = next(p for p in serve_command.params if p.name == "host")
    assert host.default == "127.0.0.1"


def test_style_sheet_is_served_and_nothing_else_beside_it(client):
    r = client.get("/static/style.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/khong-co.css"):
        assert_clear_error(client.get(path), 404, "Không có trang này")


def test_pages_say_where_their_time_went(client):
    def parts(response) -> dict[str, float]:
        found = re.findall(r"(\w+);dur=([\d.]+)", response.headers["server-timing"])
        return {name: float(ms) for name, ms in found}

    asked = {"q": "quy chế", "type": "Quyết định"}
    # a search page: its words are marked in the documents it shows, not in all 200
    assert set(parts(client.get("/", params=asked))) == {"wait", "search", "mark", "render"}
    document = client.get("/doc/qd-2000-quy-che.txt", params={"q": "Đảng"})
    assert set(parts(document)) == {"wait", "search", "render"}
    assert set(parts(client.get("/api/search", params={"q": "Đảng"}))) == {"wait", "search"}
    # the same search again (another page, another sort): its results were kept
    again = client.get("/", params={**asked, "sort": "date"})
    assert set(parts(again)) == {"wait", "kept", "mark", "render"}
    assert paths(again.text) == ["qd-2000-quy-che.txt"]


def test_serve_connections_send_without_waiting_for_acknowledgements():
    # a kept-alive page must not wait ~40 ms for the browser's delayed ACK (Nagle)
    import asyncio
    import socket

    from tracuu.cli.serving import _listen

    async def nodelay_of_a_connection() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def accepted(reader, writer):
            sock = writer.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(accepted, sock=_listen("127.0.0.1", 0))
        port = server.sockets[0].getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(seen, 10)
        finally:
            writer.close()
            server.close()

    assert asyncio.run(nodelay_of_a_connection()) == 1


def _spawned_children(pid: int) -> list[int]:
    """The worker processes multiprocessing spawned for process ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def _headers(url: str):
    from urllib.request import urlopen

    with urlopen(url, timeout=30) as response:
        return response.headers


def _get(url: str) -> str:
    from urllib.request import urlopen

    with urlopen(url, timeout=30) as response:
        assert response.status == 200
        return response.read().decode("utf-8")


def test_a_request_has_its_process_to_itself(site, monkeypatch):
    """Pages are made in the event loop, start to end (not in threads that take the
    interpreter from each other); where several processes share the port, each answer
    closes its connection, so that the next request goes to a free process."""
    import asyncio

    from tracuu.web.app import Site

    _, index, _ = site
    loops = []
    made = Site._search_page

    def search_page(self, request):
        loops.append(asyncio.get_running_loop())  # RuntimeError in a worker thread
        return made(self, request)

    monkeypatch.setattr(Site, "_search_page", search_page)
    for shared_port in (False, True):
        with TestClient(create_app(index, shared_port=shared_port)) as client:
            for path in ("/?q=chinh+don+dang", "/api/search?q=chinh", "/doc/khong-co"):
                response = client.get(path)
                assert response.status_code in (200, 404)
                closes = response.headers.get("connection") == "close"
                assert closes == shared_port, (path, shared_port)
    assert len(loops) == 2


def test_a_free_server_process_takes_one_waiting_connection_at_a_time():
    """web.accepting (tracuu serve -w N): woken by a port where three connections wait,
    asyncio's loop accepts all three at once; made to accept one at a time, it takes one
    per turn of the loop, leaving the others to the next process free. Fails if Python
    changes the internals it replaces."""
    import asyncio
    import socket
    from collections import Counter

    from tracuu.web import accepting

    def most_accepted_in_one_turn() -> int:
        turns = Counter()
        turn = [0]

        class Counted(socket.socket):
            def accept(self):
                taken = super().accept()
                turns[turn[0]] += 1
                return taken

        loop = asyncio.new_event_loop()

        def tick():
            turn[0] += 1
            if turn[0] < 50:
                loop.call_soon(tick)
            else:
                loop.stop()

        with Counted(socket.AF_INET, socket.SOCK_STREAM) as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(16)
            clients = [socket.create_connection(listener.getsockname()) for _ in range(3)]
            try:
                server = loop.run_until_complete(
                    loop.create_server(asyncio.Protocol, sock=listener, start_serving=False)
                )
                loop.call_soon(tick)
                loop.run_until_complete(server.start_serving())
                loop.run_forever()
                server.close()
            finally:
                loop.close()
                for c in clients:
                    c.close()
        assert sum(turns.values()) == 3
        return max(turns.values())

    assert most_accepted_in_one_turn() == 3  # asyncio's own
    accepting.accept_one_at_a_time()
    try:
        assert most_accepted_in_one_turn() == 1
    finally:
        accepting.accept_all_waiting()
    assert most_accepted_in_one_turn() == 3


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_serve_answers_from_several_worker_processes(site):
    """--workers 2: two processes answer (uvicorn's supervisor starts them, each builds
    the application by name); one killed is replaced; stopping the server stops them."""
    import os
    import signal
    import time

    from browser import serving

    _, index, _ = site
    with serving(index, "--workers", "2") as (url, proc):
        deadline = time.monotonic() + 30
        while len(children := _spawned_children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(children) == 2
        for _ in range(6):
            assert _get(url + "?q=chinh+don+dang").rstrip().endswith("</html>")
        assert _headers(url)["Connection"] == "close"  # the next request: a free process
        assert json.loads(_get(url + "api/search?q=chinh+don+dang"))["hits"]
        os.kill(children[0], signal.SIGKILL)
        while (
            len(now := _spawned_children(proc.pid)) < 2 or children[0] in now
        ) and time.monotonic() < deadline + 30:
            time.sleep(0.2)
        assert len(now) == 2 and children[0] not in now
        assert _get(url + "?q=chinh+don+dang").rstrip().endswith("</html>")
    for _ in range(50):
        if not any(Path(f"/proc/{c}").exists() for c in now):
            break
        time.sleep(0.2)
    assert not any(Path(f"/proc/{c}/cmdline").exists() for c in now)
