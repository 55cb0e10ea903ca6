"""Real archives end to end: hard-wrapped text and paged PDFs are indexed as the paragraphs
the author wrote, with their pages, and phrases that run over a line or page break are found."""

import re
import textwrap
from itertools import pairwise
from pathlib import Path

import pytest
from test_readers import box_font

from tracuu import Archive

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
LAW = [
    p.strip()
    for p in (CORPUS / "luat-an-ninh-mang-2018.txt").read_text(encoding="utf-8").split("\n")
    if p.strip()
]
SENTENCE_END = re.compile(r"[.:;!?…][\"'”’)]*$")
UNIT = re.compile(r"(?:Chương|Mục|Điều)\s+[0-9IVX]+|\d{1,2}\.\s|[a-zđ]\)\s|[-–+•]\s")


def mid_sentence_share(paragraphs):
    """The share of paragraph boundaries with no sentence end before and no unit after."""
    pairs = list(pairwise(paragraphs))
    bad = [
        (a, b)
        for a, b in pairs
        if not SENTENCE_END.search(a)
        and not UNIT.match(b)
        and not a.isupper()
        and not b.isupper()
        and not (UNIT.match(a) and len(a) < 150)
    ]
    return len(bad) / max(1, len(pairs)), bad


def indexed_paragraphs(archive, name):
    return archive.show(name).paragraphs


def test_hard_wrapped_text_is_indexed_as_written(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    wrapped = "\n".join(line for p in LAW for line in textwrap.wrap(p, 64))
    (corpus / "luat-xuat-may.txt").write_text(wrapped + "\n", encoding="utf-8")
    lines = wrapped.split("\n")
    assert mid_sentence_share(lines)[0] > 0.2, "the fixture really is hard-wrapped"
    with Archive.build(corpus, tmp_path / "ix") as a:
        paragraphs = [p.text for p in indexed_paragraphs(a, "luat-xuat-may.txt")]
        share, bad = mid_sentence_share([" ".join(p.split()) for p in paragraphs])
        assert share <= 0.02, bad[:3]
        # a phrase whose words stand on two lines of the file
        long = next(p for p in LAW if len(p) > 300)
        first, second = textwrap.wrap(long, 64)[:2]
        phrase = f"{first.split()[-1]} {second.split()[0]}"
        hits = a.search(f'"{phrase}"', limit=50)
        assert any(f"{first}\n{second}" in h.text for h in hits), phrase
        unaccented = a.search('"an ninh mang"', limit=5)
        assert unaccented and all(
            "an ninh mạng" in h.text.replace("\n", " ").lower() for h in unaccented
        )


def test_a_word_cut_by_a_hyphen_at_a_line_end_is_found(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Hệ thống thông tin được kết nối với mạng Inter-\nnet và các thiết bị ngoại vi.\n",
        encoding="utf-8",
    )
    with Archive.build(corpus, tmp_path / "ix") as a:
        assert [h.path for h in a.search("internet")] == ["a.txt"]
        assert [h.path for h in a.search("Inter")] == ["a.txt"]  # the parts stay findable


def make_paged_pdf(path: Path, paragraphs: list[str], header: str) -> Path:
    """A PDF of several pages with a running header and page numbers in the footer."""
    from fpdf import FPDF

    class Paged(FPDF):
        def header(self):
            if self.page_no() > 1:
                self.set_font("HopChu", size=9)
                self.cell(0, 6, header)
                self.ln(10)

        def footer(self):
            self.set_y(-15)
            self.set_font("HopChu", size=9)
            self.cell(0, 6, f"Trang {self.page_no()}")

    font = path.with_suffix(".ttf")
    font.write_bytes(box_font("".join(paragraphs) + header + "Trang 0123456789"))
    pdf = Paged()
    pdf.add_font("HopChu", fname=str(font))
    pdf.set_font("HopChu", size=11)
    pdf.add_page()
    for para in paragraphs:
        pdf.multi_cell(0, 5.5, para)
        pdf.ln(4)
    pdf.output(str(path))
    font.unlink()
    return path


def test_paged_pdf_keeps_pages_and_joins_paragraphs_over_page_breaks(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_paged_pdf(corpus / "luat.pdf", LAW, "LUẬT AN NINH MẠNG 2018")
    with Archive.build(corpus, tmp_path / "ix") as a:
        paragraphs = indexed_paragraphs(a, "luat.pdf")
        pages = {p.page for p in paragraphs}
        assert len(pages) >= 3 and None not in pages
        texts = [" ".join(p.text.split()) for p in paragraphs]
        assert not any(t.startswith("Trang ") or "Trang 2" in t for t in texts)
        assert sum(t == "LUẬT AN NINH MẠNG 2018" for t in texts) == 0  # the running header
        share, bad = mid_sentence_share(texts)
        assert share <= 0.02, bad[:3]
        # every paragraph of the source is there, whole, wherever the pages broke it
        assert [t for t in texts if t in LAW] == [p for p in LAW if p in texts]
        assert len(set(LAW) & set(texts)) >= len(LAW) - 2
        hit = a.search("bảo vệ không gian mạng quốc gia", limit=1)[0]
        assert hit.page is not None and hit.page >= 1


@pytest.mark.parametrize("query", ["chinh sach an ninh mang", "chính sách an ninh mạng"])
def test_paged_pdf_hits_say_their_page(tmp_path, query):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_paged_pdf(corpus / "luat.pdf", LAW, "LUẬT AN NINH MẠNG 2018")
    with Archive.build(corpus, tmp_path / "ix") as a:
        hits = a.search(query, limit=3)
        assert hits and all(h.page is not None for h in hits)
        shown = {p.number: p.page for p in indexed_paragraphs(a, "luat.pdf")}
        assert all(shown[h.number] == h.page for h in hits)
