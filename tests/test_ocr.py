"""OCR of scans (readers/ocr.py, readers/scans.py) on the rendered fixtures in fixtures/scans/.

The fixtures are Vietnamese text we wrote, rendered and "scanned" by
fixtures/make_scan_fixtures.py; expected.json holds the source text of every page.
Tests that run Tesseract skip when tesserocr or the Vietnamese model is missing, except
with TRACUU_REQUIRE_OCR=1 (.ci/run installs both and sets it).
"""

from __future__ import annotations

import io
import json
import os
import sys
import unicodedata
from pathlib import Path

import pytest

from tracuu import Archive
from tracuu.errors import NeedsOCR, UnreadableFile
from tracuu.output import hit_record
from tracuu.readers import DocumentText, ReadContext, ocr, parse_bytes
from tracuu.render import hit_lines, plain

FIXTURES = Path(__file__).parent / "fixtures" / "scans"
EXPECTED: dict[str, dict[str, list[str]]] = json.loads(
    (FIXTURES / "expected.json").read_text(encoding="utf-8")
)
MISSING = ocr.missing()
if MISSING is not None and os.environ.get("TRACUU_REQUIRE_OCR") == "1":  # CI: never skip
    pytest.fail(f"TRACUU_REQUIRE_OCR=1 but OCR is not available: {MISSING}", pytrace=False)
needs_tesseract = pytest.mark.skipif(
    MISSING is not None, reason=f"Tesseract OCR is not available here: {MISSING}"
)


def normalized(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def accuracy(got: str, expected: str) -> float:
    """1 - edit distance / length, after NFC and white space normalization."""
    got, expected = normalized(got), normalized(expected)
    return 1 - edit_distance(got, expected) / len(expected)


def test_accuracy_measure():
    assert accuracy("Biên  bản\n", "Biên bản") == 1.0
    assert accuracy("Bien ban", "Biên bản") == pytest.approx(1 - 2 / 8)
    assert edit_distance("kitten", "sitting") == 3


# ---- reading the fixtures ---------------------------------------------------------


class Read:
    """A fixture read once for the whole module: its text, pages and progress calls."""

    def __init__(self, name: str) -> None:
        self.calls: list[tuple[int, int]] = []
        ctx = ReadContext(on_page=lambda done, total: self.calls.append((done, total)))
        self.doc: DocumentText = parse_bytes(Path(name), (FIXTURES / name).read_bytes(), ctx)
        self.pages = self.doc.text.split("\f")


@pytest.fixture(scope="module")
def read():
    done: dict[str, Read] = {}

    def get(name: str) -> Read:
        if name not in done:
            done[name] = Read(name)
        return done[name]

    return get


@needs_tesseract
@pytest.mark.parametrize(
    "name,page", [(name, page) for name, pages in EXPECTED.items() for page in pages]
)
def test_character_accuracy_at_least_95_percent(read, name: str, page: str):
    got = read(name).pages[int(page) - 1]
    assert accuracy(got, " ".join(EXPECTED[name][page])) >= 0.95


@needs_tesseract
def test_scanned_pdf_every_page_ocr_d_with_progress(read):
    scanned = read("bien-ban-scan.pdf")
    assert scanned.doc.ocr_pages == 2
    assert scanned.calls == [(1, 2), (2, 2)]
    assert "BIÊN BẢN KIỂM TRA" in scanned.pages[0] and "THÔNG BÁO" in scanned.pages[1]


@needs_tesseract
def test_mixed_pdf_ocrs_only_the_scanned_page(read):
    mixed = read("bao-cao-mixed.pdf")
    assert mixed.doc.ocr_pages == 1
    assert mixed.calls == [(1, 1)]
    # the text layer's paragraphs are kept as pdfminer reads them
    assert normalized(mixed.pages[0]) == normalized(" ".join(EXPECTED["bao-cao-mixed.pdf"]["1"]))
    assert "BIÊN BẢN KIỂM TRA KHO LƯU TRỮ" in mixed.pages[1]


@needs_tesseract
def test_ocr_gives_paragraphs_not_lines(read):
    page = read("quyet-dinh.png").pages[0]
    paragraphs = [p for p in page.split("\n\n") if p.strip()]
    article_1 = next(p for p in paragraphs if p.startswith("Điều 1."))
    # three printed lines, one paragraph
    assert article_1.endswith("chuyên viên lưu trữ, thư ký.")


@needs_tesseract
def test_multipage_tiff_each_frame_is_a_page():
    from PIL import Image

    page = Image.open(FIXTURES / "quyet-dinh.png").convert("L")
    top = page.crop((0, 0, page.width, page.height // 2))
    bottom = page.crop((0, page.height // 2, page.width, page.height))
    tiff = io.BytesIO()
    top.save(tiff, "TIFF", save_all=True, append_images=[bottom], dpi=(300, 300))
    doc = parse_bytes(Path("hai-trang.tiff"), tiff.getvalue())
    assert doc.format == "tif" and doc.ocr_pages == 2
    first, second = doc.text.split("\f")
    assert "QUYẾT ĐỊNH" in first and "Điều 3." not in first
    assert "Điều 3." in second and "QUYẾT ĐỊNH" not in second


@needs_tesseract
def test_deskew_measures_the_scan_angle():
    from PIL import Image

    page = Image.open(FIXTURES / "quyet-dinh.png").convert("L")  # scanned 1.5 degrees askew
    assert ocr.estimate_skew(page) == pytest.approx(-1.5, abs=0.2)


@needs_tesseract
def test_pdf_page_without_text_or_scan_is_empty(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50)  # a drawing, no text
    with pytest.raises(UnreadableFile, match="document has no text") as info:
        parse_bytes(Path("hinh.pdf"), bytes(pdf.output()))
    assert info.value.kind == "empty"


@needs_tesseract
def test_damaged_image_is_reported():
    with pytest.raises(UnreadableFile, match="not a readable image") as info:
        parse_bytes(Path("hong.png"), b"\x89PNG\r\n\x1a\n not really")
    assert info.value.kind == "corrupt"


# ---- through the index --------------------------------------------------------------


@pytest.fixture(scope="module")
def ocr_corpus(tmp_path_factory):
    """A corpus of the three scans, indexed once: (corpus, index, archive, summary)."""
    if MISSING is not None:
        pytest.skip(f"Tesseract OCR is not available here: {MISSING}")
    root = tmp_path_factory.mktemp("ocr")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in EXPECTED:
        (corpus / name).write_bytes((FIXTURES / name).read_bytes())
    archive = Archive(root / "index")
    summary = archive.update(corpus)
    yield corpus, root / "index", archive, summary
    archive.close()


def pages_of(hits, path: str) -> set[int | None]:
    return {h.page for h in hits if h.path == path}


def test_ocr_d_paragraphs_keep_their_page_in_hits(ocr_corpus):
    _, _, archive, summary = ocr_corpus
    assert summary.skipped == {}
    hits = archive.search('"kiểm tra kho lưu trữ"', limit=20)
    assert pages_of(hits, "bien-ban-scan.pdf") == {1}
    assert pages_of(hits, "bao-cao-mixed.pdf") == {2}  # page 1 is the text layer
    hits = archive.search('"chỉnh lý xong 42 mét"', limit=20)
    assert pages_of(hits, "bien-ban-scan.pdf") == {2}
    hits = archive.search("chỉnh đốn Đảng", limit=20)
    assert pages_of(hits, "bao-cao-mixed.pdf") == {1}
    hit = archive.search("Ban Tổ chức Chính quyền", limit=1)[0]
    assert (hit.path, hit.page) == ("bien-ban-scan.pdf", 2)
    assert hit_record(hit)["page"] == 2
    assert " p.2 ¶" in plain(hit_lines(hit)[0])


def test_unaccented_search_finds_ocr_d_text(ocr_corpus):
    _, _, archive, _ = ocr_corpus
    hits = archive.search("moi mot o vang", limit=5)
    assert {(h.path, h.page) for h in hits} == {("bien-ban-scan.pdf", 1), ("bao-cao-mixed.pdf", 2)}
    hit = archive.search("hoi dong xac dinh gia tri tai lieu", limit=1)[0]
    assert (hit.path, hit.format) == ("quyet-dinh.png", "png")


def test_rebuild_reads_ocr_from_the_cache(ocr_corpus, monkeypatch):
    corpus, index, archive, _ = ocr_corpus
    entries = sorted(p.name for p in (index / "cache" / "ocr").iterdir())
    assert len(entries) == 3 and all(e.endswith(".json") for e in entries)

    def no_ocr(*args, **kwargs):
        raise UnreadableFile("OCR ran although the cache had the page")

    monkeypatch.setattr(ocr.Tesseract, "paragraphs", no_ocr)
    summary = archive.update(corpus, rebuild=True)
    assert summary.skipped == {} and sorted(summary.added) == sorted(EXPECTED)
    hit = archive.search("Ban Tổ chức Chính quyền", limit=1)[0]
    assert (hit.path, hit.page) == ("bien-ban-scan.pdf", 2)


# ---- the cache ------------------------------------------------------------------------


@pytest.fixture
def title_png() -> bytes:
    """The title line of the PNG fixture: a page that OCRs in a fraction of a second."""
    from PIL import Image

    page = Image.open(FIXTURES / "quyet-dinh.png").convert("L")
    out = io.BytesIO()
    page.crop((0, 600, page.width, 800)).save(out, "PNG", dpi=(300, 300))
    return out.getvalue()


@pytest.fixture
def ocr_runs(monkeypatch):
    """Counts the pages Tesseract reads."""
    runs: list[int] = []
    real = ocr.Tesseract.paragraphs

    def counted(self, *args, **kwargs):
        runs.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ocr.Tesseract, "paragraphs", counted)
    return runs


@needs_tesseract
def test_damaged_or_stale_cache_entry_is_redone(tmp_path, title_png, ocr_runs):
    ctx = ReadContext("ab" * 32, tmp_path)
    entry = tmp_path / "ocr" / f"{'ab' * 32}.json"
    first = parse_bytes(Path("tieu-de.png"), title_png, ctx)
    assert "QUYẾT ĐỊNH" in first.text and len(ocr_runs) == 1
    assert json.loads(entry.read_text(encoding="utf-8"))["key"] == ocr.cache_key()
    assert parse_bytes(Path("tieu-de.png"), title_png, ctx) == first
    assert len(ocr_runs) == 1  # from the cache
    stale = {"key": {**ocr.cache_key(), "prep": -1}, "pages": {"1": ["made otherwise"]}}
    damaged = [
        "{not json",  # cut short
        '["key"]',
        json.dumps({"key": ocr.cache_key(), "pages": {"1": [3]}}),
        json.dumps(stale),  # made with other settings: redone, not damaged
    ]
    for n, text in enumerate(damaged, start=2):
        entry.write_text(text, encoding="utf-8")
        assert parse_bytes(Path("tieu-de.png"), title_png, ctx) == first
        assert len(ocr_runs) == n
        assert parse_bytes(Path("tieu-de.png"), title_png, ctx) == first
        assert len(ocr_runs) == n  # written again, used again
    assert not [p for p in entry.parent.iterdir() if p.suffix == ".tmp"]


@needs_tesseract
def test_16_bit_grey_image(title_png):
    import numpy as np
    from PIL import Image

    grey = np.asarray(Image.open(io.BytesIO(title_png)).convert("L"), dtype=np.uint16)
    tiff = io.BytesIO()
    Image.fromarray(grey * 257).save(tiff, "TIFF", dpi=(300, 300))  # mode I;16
    doc = parse_bytes(Path("16-bit.tif"), tiff.getvalue())
    assert "QUYẾT ĐỊNH VỀ VIỆC THÀNH LẬP" in doc.text


@needs_tesseract
def test_no_cache_without_hash_or_folder(tmp_path, title_png, ocr_runs):
    parse_bytes(Path("tieu-de.png"), title_png, ReadContext("", tmp_path))
    parse_bytes(Path("tieu-de.png"), title_png, ReadContext("cd" * 32, None))
    assert len(ocr_runs) == 2 and not (tmp_path / "ocr").exists()


@needs_tesseract
def test_pdf_pages_with_little_text(title_png):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.cell(text="Noi nhan: Luu VT.")  # a short typed page: kept as typed
    pdf.add_page()
    pdf.cell(text="Trang 2")  # a scan with a stamped page number: read by OCR
    pdf.image(io.BytesIO(title_png), x=0, y=30, w=210)
    doc = parse_bytes(Path("ngan.pdf"), bytes(pdf.output()))
    typed, scanned = doc.text.split("\f")
    assert doc.ocr_pages == 2
    assert typed.strip() == "Noi nhan: Luu VT."
    assert "QUYẾT ĐỊNH VỀ VIỆC THÀNH LẬP" in scanned


# ---- without OCR --------------------------------------------------------------------


@pytest.fixture
def fresh_probe():
    ocr._probe.cache_clear()
    yield
    ocr._probe.cache_clear()


def test_without_the_ocr_extra_scans_need_ocr(fresh_probe, monkeypatch):
    monkeypatch.setitem(sys.modules, "tesserocr", None)  # import fails
    assert ocr.missing() == "pip install 'tracuu[ocr]' and apt-get install tesseract-ocr-vie"
    for name, what in (
        ("bien-ban-scan.pdf", "scanned PDF (no text layer)"),
        ("quyet-dinh.png", "scanned image (png)"),
    ):
        with pytest.raises(NeedsOCR) as info:
            parse_bytes(Path(name), (FIXTURES / name).read_bytes())
        assert info.value.kind == "needs-ocr"
        assert str(info.value) == (
            f"{what}: needs OCR (pip install 'tracuu[ocr]' and apt-get install tesseract-ocr-vie)"
        )
    # a mixed PDF keeps what its text layer has, and says how many pages it left out
    mixed = parse_bytes(Path("m.pdf"), (FIXTURES / "bao-cao-mixed.pdf").read_bytes())
    assert mixed.ocr_pages == 0 and "chỉnh đốn Đảng" in mixed.text
    assert mixed.unread_pages == 1


def test_without_the_vietnamese_model_scans_need_ocr(fresh_probe, monkeypatch, tmp_path):
    pytest.importorskip("tesserocr")
    monkeypatch.setattr(ocr, "TESSDATA_DIRS", (str(tmp_path),))
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    assert (
        ocr.missing()
        == "Tesseract's Vietnamese model is missing: apt-get install tesseract-ocr-vie"
    )
    with pytest.raises(NeedsOCR, match=r"^scanned image \(png\): needs OCR \(Tesseract's"):
        parse_bytes(Path("a.png"), (FIXTURES / "quyet-dinh.png").read_bytes())


def test_index_lists_scans_as_needing_ocr(fresh_probe, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "tesserocr", None)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in EXPECTED:
        (corpus / name).write_bytes((FIXTURES / name).read_bytes())
    with Archive(tmp_path / "index") as archive:
        summary = archive.update(corpus)
    assert sorted(summary.skipped) == ["bien-ban-scan.pdf", "quyet-dinh.png"]
    assert all("needs OCR" in str(reason) for reason in summary.skipped.values())
    assert summary.added == ["bao-cao-mixed.pdf"]
    # the mixed PDF is searchable, but not whole: the summary and stats say so
    assert summary.partial == {"bao-cao-mixed.pdf": "1 scanned page(s) left out: they need OCR"}
    with Archive(tmp_path / "index") as archive:
        status = {f.file: f for f in archive.files()}["bao-cao-mixed.pdf"]
        assert (status.status, status.kind, status.unread_pages) == ("indexed", "needs-ocr", 1)
        assert archive.stats().skipped_kinds == {"needs-ocr": 2}
