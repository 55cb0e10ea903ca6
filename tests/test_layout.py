"""layout: paragraphs as written (hard-wrapped, paged, one per line) and document headers.

Hard-wrapped fixtures are generated here: paragraphs from the bundled corpus and a
report written for this test are wrapped with textwrap, so the expected paragraphs and
their exact offsets are known.
"""

from __future__ import annotations

import random
import re
import textwrap
import time
import unicodedata
from itertools import pairwise
from pathlib import Path

import pytest

from tracuu.layout import Span, paragraph_spans, read_header

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.txt"))


def old_split(text: str) -> list[tuple[int, int]]:
    """The splitter layout replaces (corpus.split_paragraphs): one span per non-empty line."""
    spans = []
    for m in re.finditer(r"[^\n]+", text):
        line = m.group()
        if line.strip():
            s = m.start() + len(line) - len(line.lstrip())
            spans.append((s, m.end() - (len(line) - len(line.rstrip()))))
    return spans


def corpus_paragraphs(name: str) -> list[str]:
    return [line.strip() for line in (CORPUS / name).read_text().splitlines() if line.strip()]


# A report written for these tests: headings, numbered sections, lists with "-", "+", "•",
# "a)", a dash inside "kinh tế - xã hội", hyphenated words, quotes after sentence ends.
REPORT = [
    "ĐẢNG BỘ QUẬN 10",
    "BÁO CÁO",
    "Tình hình, kết quả thực hiện công tác xây dựng Đảng và các nhiệm vụ kinh tế - xã hội, "
    "quốc phòng - an ninh trên địa bàn quận trong sáu tháng đầu năm và phương hướng nhiệm vụ "
    "sáu tháng cuối năm",
    "I. TÌNH HÌNH CHUNG",
    "Trong sáu tháng đầu năm, tình hình kinh tế - xã hội của quận tiếp tục ổn định và có bước "
    "phát triển; đời sống vật chất, tinh thần của nhân dân từng bước được cải thiện. Các cấp "
    "ủy, chính quyền đã tập trung lãnh đạo, chỉ đạo thực hiện đồng bộ các giải pháp phát triển "
    "sản xuất, kinh doanh, thương mại - dịch vụ, đồng thời chú trọng công tác bảo đảm an sinh "
    "xã hội, chăm lo cho gia đình chính sách, hộ nghèo và người có hoàn cảnh khó khăn.",
    "1. Về công tác xây dựng Đảng",
    "1.1. Công tác chính trị, tư tưởng được quan tâm thực hiện thường xuyên, kịp thời định "
    "hướng tư tưởng cho cán bộ, đảng viên và nhân dân trước những vấn đề phức tạp, nhạy cảm "
    "mà dư luận quan tâm. Ban Tuyên giáo đã tổ chức 12 lớp học tập, quán triệt nghị quyết cho "
    "hơn 3.500 lượt cán bộ, đảng viên; tỷ lệ tham dự đạt 96,5%, tăng 2,1% so với cùng kỳ.",
    "1.2. Công tác tổ chức, cán bộ và xây dựng tổ chức cơ sở đảng có nhiều chuyển biến, tập "
    "trung vào các nội dung sau:",
    "a) Rà soát, bổ sung quy hoạch cán bộ lãnh đạo, quản lý nhiệm kỳ 2020 - 2025 và những nhiệm "
    "kỳ tiếp theo theo đúng quy trình, bảo đảm công khai, dân chủ, khách quan;",
    "b) Kiện toàn tổ chức bộ máy, sắp xếp lại các chi bộ trực thuộc ở những nơi có số lượng "
    "đảng viên ít, hoạt động kém hiệu quả, gắn với việc tinh giản biên chế;",
    "c) Thực hiện nghiêm quy định về luân chuyển, điều động cán bộ, trong đó có 14 trường hợp "
    "được điều động giữ các chức danh chủ chốt ở phường.",
    "Kết quả phân loại cho thấy: 85% tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ; không có tổ "
    "chức cơ sở đảng yếu kém. Nhiều chi bộ đã đổi mới nội dung sinh hoạt theo chuyên đề, như "
    "chi bộ khu phố 3 với chủ đề “Nâng cao vai trò của đảng viên nơi cư trú.” Đây là cách làm "
    "hay cần được nhân rộng.",
    "2. Về phát triển kinh tế - xã hội",
    "Tổng giá trị sản xuất công nghiệp - tiểu thủ công nghiệp ước đạt 4.215 tỷ đồng, tăng "
    "8,3% so với cùng kỳ; doanh thu thương mại - dịch vụ ước đạt 38.940 tỷ đồng, tăng 11,2%. "
    "Thu ngân sách nhà nước đạt 56,7% dự toán năm. Công tác cải cách hành chính tiếp tục được "
    "đẩy mạnh, nhất là việc ứng dụng công nghệ thông tin, tiếp nhận hồ sơ qua hệ thống một "
    "cửa điện tử và thư điện tử (e-mail) của ủy ban nhân dân phường.",
    "Những hạn chế chủ yếu gồm:",
    "- việc triển khai một số chương trình, dự án trọng điểm còn chậm so với kế hoạch đề ra;",
    "- công tác quản lý trật tự đô thị, lòng lề đường ở một số phường chưa chặt chẽ, tình "
    "trạng tái lấn chiếm vẫn còn diễn ra;",
    "- Ý thức chấp hành pháp luật về bảo vệ môi trường của một bộ phận cơ sở sản xuất chưa cao.",
    "II. PHƯƠNG HƯỚNG NHIỆM VỤ SÁU THÁNG CUỐI NĂM",
    "Tiếp tục thực hiện có hiệu quả Nghị quyết Đại hội Đảng bộ quận lần thứ XI, tập trung "
    "vào các nhiệm vụ trọng tâm sau đây:",
    "+ Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh gắn với việc "
    "thực hiện Nghị quyết Trung ương 4 khóa XII về tăng cường xây dựng, chỉnh đốn Đảng;",
    "+ Nâng cao chất lượng sinh hoạt chi bộ, chú trọng công tác kiểm tra, giám sát và thi "
    "hành kỷ luật trong Đảng;",
    "• Tập trung tháo gỡ khó khăn cho doanh nghiệp, hộ kinh doanh; phấn đấu hoàn thành vượt "
    "mức các chỉ tiêu kinh tế - xã hội năm đã được Hội đồng nhân dân quận thông qua.",
    "Mục 2. BẢO ĐẢM QUỐC PHÒNG - AN NINH",
    "Giữ vững ổn định chính trị, trật tự an toàn xã hội; thực hiện tốt công tác tuyển chọn "
    "và gọi công dân nhập ngũ, bảo đảm 100% chỉ tiêu giao. Phát huy sức mạnh tổng hợp của "
    "cả hệ thống chính trị trong phòng ngừa, đấu tranh với các loại tội phạm, nhất là tội "
    "phạm sử dụng công nghệ cao.",
    "BAN THƯỜNG VỤ QUẬN ỦY",
]

SENTENCE_END = re.compile(r"[.:;!?…][\"'”’»)\]]*$")
UNIT = re.compile(
    r"(?:Chương|CHƯƠNG|Mục|MỤC|Điều|ĐIỀU|Phần|PHẦN)\s+[\dIVXLC]+"
    r"|\d+(?:\.\d+)*[.)]\s|[IVX]+\.\s|[a-zđ]\)\s|[-–+•*]\s"
)


def starts_unit(paragraph: str) -> bool:
    return bool(UNIT.match(paragraph)) or paragraph.isupper()


def ends_unit(paragraph: str) -> bool:
    """A sentence end, or a heading (which ends without punctuation)."""
    heading = paragraph.isupper() or (UNIT.match(paragraph) and len(paragraph) < 150)
    return bool(SENTENCE_END.search(paragraph)) or bool(heading)


def mid_sentence(paragraphs: list[str]) -> int:
    """Boundaries with no sentence/unit end before and no unit start after."""
    return sum(1 for a, b in pairwise(paragraphs) if not ends_unit(a) and not starts_unit(b))


def wrap(paragraph: str, width: int, indent: str = "") -> list[str]:
    hanging = "   " if indent == "hanging" and UNIT.match(paragraph) else ""
    first = "    " if indent == "first" and not starts_unit(paragraph) else ""
    return textwrap.wrap(paragraph, width, initial_indent=first, subsequent_indent=hanging)


def hard_wrap(paragraphs: list[str], width: int, blank: bool = False, indent: str = ""):
    """(text, expected spans) with each paragraph wrapped at ``width``."""
    text, spans = "", []
    for p in paragraphs:
        block = "\n".join(wrap(p, width, indent))
        start = text and len(text) + (2 if blank else 1) or 0
        text += ("\n\n" if blank else "\n") * bool(text) + block
        lead = len(block) - len(block.lstrip())
        spans.append(Span(start + lead, start + len(block), None))
    return text + "\n", spans


def paged(paragraphs: list[str], width: int, lines_per_page: int = 38):
    """(text, expected pieces) paginated with running header, footer and "\\f".

    A paragraph cut by a page break is expected as two pieces (page furniture lies
    between its halves and is no part of any span); piece = (text, page, continues).
    """
    lines: list[tuple[str, int]] = []  # (line, paragraph index)
    for k, p in enumerate(paragraphs):
        lines += [(line, k) for line in wrap(p, width)]
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)]
    total, out, pieces = len(pages), [], []
    for n, page in enumerate(pages, start=1):
        head = [] if n == 1 else ["LUẬT AN NINH MẠNG", ""]
        out.append("\n".join([*head, *(line for line, _ in page), "", f"Trang {n}/{total}"]))
        for k in dict.fromkeys(k for _, k in page):
            body = "\n".join(line for line, j in page if j == k)
            pieces.append((body, n, k))
    return "\n\f".join(out) + "\n\f", pieces


def texts(text: str, spans: list[Span]) -> list[str]:
    return [s.text_of(text) for s in spans]


def flat(s: str) -> str:
    """Paragraph text without its line breaks (a hyphen ending a line joins directly)."""
    return " ".join(re.sub(r"(?<=\S)-\n\s*", "-", s).split())


LAW = corpus_paragraphs("luat-an-ninh-mang-2018.txt")
CODE = corpus_paragraphs("bo-luat-lao-dong-2019-trich.txt")
SEED = corpus_paragraphs("bao-cao-quan-10-chinh-don-dang.txt")

WRAPPED = [
    ("law-72", LAW, 72, False, ""),
    ("law-60", LAW, 60, False, ""),
    ("code-80", CODE, 80, False, ""),
    ("code-66-hanging", CODE, 66, False, "hanging"),
    ("report-70", REPORT, 70, False, ""),
    ("report-64-first-line-indent", REPORT, 64, False, "first"),
    ("seed-78", SEED, 78, False, ""),
    ("seed-76-blank-lines", SEED, 76, True, ""),
    ("law+report-68-blank-lines", LAW + REPORT, 68, True, ""),
]


def ambiguous_merges(paragraphs: list[str], width: int, indent: str = "") -> list[str]:
    """The paragraphs, with those a reader cannot tell apart merged.

    Without a blank line, a paragraph whose last line is full and ends a sentence,
    followed by one that starts with no list marker or heading, looks exactly like a
    sentence ending at a wrapped line's end: such pairs are expected as one paragraph.
    """
    wrapped = [wrap(p, width, indent) for p in paragraphs]
    widest = max(len(line) for lines in wrapped for line in lines)
    merged = [paragraphs[0]]
    for lines, (prev, p) in zip(wrapped[1:], pairwise(paragraphs)):
        full = len(wrap(prev, width, indent)[-1]) + 1 + len(lines[0].split()[0]) > widest
        if full and SENTENCE_END.search(prev) and not starts_unit(p):
            merged[-1] += " " + p
        else:
            merged.append(p)
    return merged


@pytest.mark.parametrize(
    ("paragraphs", "width", "blank", "indent"),
    [case[1:] for case in WRAPPED],
    ids=[case[0] for case in WRAPPED],
)
def test_hard_wrapped_paragraphs_are_joined_again(paragraphs, width, blank, indent):
    text, expected = hard_wrap(paragraphs, width, blank, indent)
    spans = paragraph_spans(text)
    got = [flat(t) for t in texts(text, spans)]
    if blank:
        assert got == [flat(p) for p in paragraphs]
        assert spans == expected  # offsets map exactly into the text given
    else:
        want = ambiguous_merges(paragraphs, width, indent)
        assert got == [flat(p) for p in want]
        assert len(paragraphs) - len(want) <= 0.05 * len(paragraphs)
        assert {(s.start, s.end) for s in spans} <= {(s.start, s.end) for s in expected} | {
            (a.start, b.end) for a, b in pairwise(expected)
        }


@pytest.mark.parametrize(
    ("paragraphs", "width"),
    [(case[1], case[2]) for case in WRAPPED],
    ids=[case[0] for case in WRAPPED],
)
def test_mid_sentence_boundaries_at_most_two_percent(paragraphs, width):
    """Headings and titles end without punctuation: only extra boundaries count."""
    text, _ = hard_wrap(paragraphs, width)
    before = [text[s:e] for s, e in old_split(text)]
    after = texts(text, paragraph_spans(text))
    own = mid_sentence(paragraphs)  # boundaries of the real paragraphs the measure counts
    assert mid_sentence(before) - own > 0.25 * (len(before) - 1)
    assert mid_sentence(after) - own <= 0.02 * (len(after) - 1)


def ragged(paragraphs: list[str], low: int, high: int, seed: int = 1) -> str:
    """Hard returns typed by hand: every line ends somewhere between ``low`` and ``high``."""
    rnd, out = random.Random(seed), []
    for p in paragraphs:
        lines, limit = [""], rnd.randint(low, high)
        for word in p.split():
            if lines[-1] and len(lines[-1]) + 1 + len(word) > limit:
                lines.append(word)
                limit = rnd.randint(low, high)
            else:
                lines[-1] = f"{lines[-1]} {word}".strip()
        out.append("\n".join(lines))
    return "\n".join(out)


@pytest.mark.parametrize(
    "paragraphs", [LAW, CODE, REPORT, SEED], ids=["law", "code", "report", "seed"]
)
def test_ragged_hard_returns_rarely_split_a_sentence(paragraphs):
    text = ragged(paragraphs, 60, 75)
    before = [text[s:e] for s, e in old_split(text)]
    after = texts(text, paragraph_spans(text))
    own = mid_sentence(paragraphs)
    assert mid_sentence(before) - own > 0.25 * (len(before) - 1)
    assert mid_sentence(after) - own <= 0.02 * (len(after) - 1)


def test_paged_text_drops_running_header_footer_and_numbers_pages():
    text, pieces = paged(LAW + REPORT, 72)
    spans = paragraph_spans(text)
    got = texts(text, spans)
    assert not any("LUẬT AN NINH MẠNG\n" in t or "Trang " in t for t in got)
    assert "LUẬT AN NINH MẠNG" in got  # the title line on page 1 is no running header
    # a paragraph cut by a page break in mid-sentence, going on in lower case on the next
    # page, is one paragraph again: the furniture between its halves is left out of it
    expected: list[tuple[str, int, int]] = []
    for body, page, k in pieces:
        last = expected[-1] if expected else None
        if last and last[2] == k and not SENTENCE_END.search(last[0]) and body[:1].islower():
            expected[-1] = (f"{last[0]} {body}", last[1], k)
        else:
            expected.append((body, page, k))
    assert [(flat(t), s.page) for t, s in zip(got, spans)] == [(flat(b), p) for b, p, _ in expected]
    assert any(s.holes for s in spans), "some paragraph ran over a page break"
    # the only extra mid-sentence boundaries are page breaks before a capital letter
    cuts = sum(1 for (_, _, a), (_, _, b) in pairwise(expected) if a == b)
    assert mid_sentence(got) - mid_sentence(LAW + REPORT) <= cuts


PAGE_NUMBER_STYLES = ["12", "- 12 -", "Trang 12", "12/40", "Page 12 of 40", "(12)"]


@pytest.mark.parametrize("style", PAGE_NUMBER_STYLES)
def test_page_numbers_at_page_edges_are_dropped(style):
    chunks, body = [], LAW[7:19]
    for n in range(1, 5):
        number = re.sub(r"12", str(n), style)
        top = [number] if n % 2 else []  # numbers at the top of odd pages, bottom of even
        bottom = [] if n % 2 else [number]
        chunks.append("\n".join(top + body[3 * n - 3 : 3 * n] + bottom))
    text = "\f".join(chunks)
    spans = paragraph_spans(text)
    assert texts(text, spans) == body
    assert [s.page for s in spans] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]


def test_paged_one_paragraph_per_line_keeps_its_paragraphs():
    body = [p for p in LAW[:30]]
    text = "\n\n".join(body[:15]) + "\n\n- 1 -\n\f" + "\n\n".join(body[15:]) + "\n\n- 2 -\n\f"
    spans = paragraph_spans(text)
    assert texts(text, spans) == body
    assert [s.page for s in spans] == [1] * 15 + [2] * 15


UNCHANGED = [
    *((f.name, f.read_text(encoding="utf-8")) for f in CORPUS_FILES),
    ("one-per-line-no-blank-lines", "\n".join(LAW + SEED) + "\n"),
    ("docx-like", "\n\n".join(REPORT) + "\n"),
    (
        "nfd-minutes",
        unicodedata.normalize(
            "NFD",
            "Biên bản họp chi bộ\n\nNgày 05/3/2001 chi bộ bàn việc chỉnh đốn Đảng ở khu phố.\n"
            "Đoạn mới về thi đua yêu nước.\n",
        ),
    ),
    (
        "ingest-report",
        "ĐẢNG BỘ QUẬN 10\n\nSố: 12/BC-QU\n\nBÁO CÁO\nVề công tác kiểm tra năm 1999\n\n"
        "TP. Hồ Chí Minh, ngày 16 tháng 01 năm 2000\n\nCông tác kiểm tra đảng viên được tăng cường.\n",
    ),
    (
        "poem",
        "Trăm năm trong cõi người ta,\nChữ tài chữ mệnh khéo là ghét nhau.\n"
        "Trải qua một cuộc bể dâu,\nNhững điều trông thấy mà đau đớn lòng.\n"
        "Lạ gì bỉ sắc tư phong,\nTrời xanh quen thói má hồng đánh ghen.\n",
    ),
    (
        "short-list",
        "Danh sách tham dự\nNguyễn Văn An\nTrần Thị Bình\nlê văn cường\nphạm thị dung\n"
        "Hoàng Văn Em\nvõ thị phương\n",
    ),
    ("crlf-and-spaces", "  Dòng một  \n\n\t\nDòng hai\n   \n  dòng ba\n"),
    ("empty", ""),
    ("blank", "\n \n\t\n"),
]


@pytest.mark.parametrize("text", [t for _, t in UNCHANGED], ids=[n for n, _ in UNCHANGED])
def test_files_of_one_paragraph_per_line_are_unchanged(text):
    spans = paragraph_spans(text)
    assert [(s.start, s.end) for s in spans] == old_split(text)
    assert all(s.page is None for s in spans)


@pytest.mark.parametrize("seed", range(20))
def test_white_space_is_trimmed_like_the_old_splitter(seed):
    """Odd white space (tabs, no-break and ideographic spaces, controls) at line ends."""
    rnd = random.Random(seed)
    pieces = [" ", "\t", "\u00a0", "\u3000", "\x1c", "\u2003", "\r", "chữ", "Đ", "x", ".", "|"]
    lines = ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12))) for _ in range(30)]
    text = "\n\n".join(lines) + rnd.choice(["", "\n", " "])
    assert [(s.start, s.end) for s in paragraph_spans(text)] == old_split(text)


def wrapped_with(paragraphs: list[str], found) -> str:
    """The paragraphs hard-wrapped at the first width whose lines satisfy ``found``,
    with a blank line after each (the breaks under test are inside paragraphs)."""
    for width in range(56, 90):
        wrapped = [textwrap.wrap(p, width) for p in paragraphs]
        if found([line for lines in wrapped for line in lines]):
            return "\n\n".join("\n".join(lines) for lines in wrapped)
    raise AssertionError("no width gives the wanted line break")


LONG = REPORT[4]  # kinh tế - xã hội, thương mại - dịch vụ, several sentences
BREAKS = [
    # a line starting "- xã hội" continues the sentence before it
    ("dash-inside-sentence", [LONG, REPORT[8]], lambda ls: any(x.startswith("- ") for x in ls)),
    # a sentence ending at the end of a wrapped line does not end the paragraph
    (
        "sentence-ends-at-line-end",
        [REPORT[6], REPORT[11], LONG],
        lambda ls: sum(x.endswith(".") for x in ls) > 3,
    ),
    # a wrapped reference "... tại\nĐiều 5 của Luật này" is no new article
    (
        "article-reference",
        [
            "Cơ quan, tổ chức, cá nhân có hành vi vi phạm các quy định về an ninh mạng tại "
            "Điều 8 và Điều 17 của Luật này thì tùy theo tính chất, mức độ vi phạm mà bị xử "
            "lý kỷ luật, xử lý vi phạm hành chính hoặc bị truy cứu trách nhiệm hình sự.",
            LONG,
        ],
        lambda ls: any(x.startswith("Điều ") for x in ls),
    ),
    # numbers at line starts inside sentences: "... đạt\n56,7% ..." and "năm\n2020 - 2025"
    ("numbers-at-line-start", [REPORT[7], REPORT[9], REPORT[13]], lambda ls: True),
]


@pytest.mark.parametrize(
    ("paragraphs", "found"), [b[1:] for b in BREAKS], ids=[b[0] for b in BREAKS]
)
def test_wrapped_line_breaks_that_are_not_paragraph_breaks(paragraphs, found):
    text = wrapped_with(paragraphs, found)
    assert [flat(t) for t in texts(text, paragraph_spans(text))] == paragraphs


def test_line_ending_in_hyphen_joins_and_keeps_the_hyphen():
    text = (
        "Hồ sơ được tiếp nhận qua hệ thống một cửa điện tử, thư điện tử hoặc qua cổng dịch\n"
        "vụ công trực tuyến của tỉnh; cán bộ tiếp nhận phải kiểm tra tính đầy đủ, hợp lệ\n"
        "của hồ sơ và hướng dẫn người nộp bổ sung ngay trong ngày làm việc. Đối với hồ sơ\n"
        "gửi qua bưu điện, thời hạn được tính từ ngày ủy ban nhân dân nhận được hồ sơ, theo\n"
        "dấu bưu điện đến, không kể ngày nghỉ lễ, ngày nghỉ hằng tuần và các ngày nghỉ bù-\n"
        "theo quy định của Bộ luật Lao động.\n"
    )
    spans = paragraph_spans(text)
    assert len(spans) == 1 and (spans[0].start, spans[0].end) == (0, len(text) - 1)
    assert "nghỉ bù-\ntheo" in texts(text, spans)[0]


def test_header_lines_of_a_wrapped_file_stay_apart():
    header = [
        "ỦY BAN NHÂN DÂN                 CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "TỈNH QUẢNG NAM                        Độc lập - Tự do - Hạnh phúc",
        "Số: 15/2010/QĐ-UBND           Quảng Nam, ngày 12 tháng 3 năm 2010",
        "QUYẾT ĐỊNH",
        "Về việc ban hành quy chế quản lý cán bộ, công chức",
    ]
    body, _ = hard_wrap(REPORT[4:8], 70)
    text = "\n".join(header) + "\n" + body
    got = texts(text, paragraph_spans(text))
    assert got[: len(header)] == header
    assert [flat(t) for t in got[len(header) :]] == REPORT[4:8]


def test_cost_grows_linearly_with_the_text():
    """Four times the text costs about four times the CPU, not sixteen (no clock limit:
    a ratio of CPU times in one process holds on a busy machine; each the least of three
    runs, as a collection or another process's cache misses can land in any one)."""
    wrapped, _ = hard_wrap(LAW + REPORT + SEED, 72)
    lines = "\n".join(LAW + SEED) + "\n"
    for unit in (wrapped, lines):
        cost = {}
        for times in (10, 40):  # the larger about 2 MB
            text = unit * times
            runs = []
            for _ in range(3):
                start = time.process_time()
                spans = paragraph_spans(text)
                runs.append(time.process_time() - start)
                assert spans and spans[-1].end <= len(text)
            cost[times] = min(runs)
        assert cost[40] < 8 * max(cost[10], 0.01), cost


# ---- headers -------------------------------------------------------------------------

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def columns(rows: list[tuple[str, str]], sep: str) -> str:
    """Two header columns side by side: "   " pads to a fixed column, else ``sep``."""
    if sep == "   ":
        return "\n".join(f"{left:<34}{right}".rstrip() for left, right in rows)
    return "\n".join(
        f"{left}{sep}{right}" if left and right else left or right for left, right in rows
    )


def qd_header(sep: str, separator: str = "-------") -> str:
    return columns(
        [
            ("ỦY BAN NHÂN DÂN", MOTTO[0]),
            ("TỈNH QUẢNG NAM", MOTTO[1]),
            (separator, separator),
            ("Số: 15/2010/QĐ-UBND", "Quảng Nam, ngày 12 tháng 3 năm 2010"),
        ],
        sep,
    )


QD_BODY = (
    "\n\nQUYẾT ĐỊNH\nVề việc ban hành quy chế quản lý cán bộ, công chức\n\n"
    "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM\n\nCăn cứ Luật Tổ chức chính quyền địa phương ngày "
    "19 tháng 6 năm 2015;\n\nQUYẾT ĐỊNH:\n\nĐiều 1. Ban hành kèm theo Quyết định này Quy chế.\n"
)
QD = dict(
    title="Quyết định về việc ban hành quy chế quản lý cán bộ, công chức",
    doc_type="Quyết định",
    doc_number="15/2010/QĐ-UBND",
    issuer="ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM",
    place="Quảng Nam",
    date="2010-03-12",
)

HEADERS = [
    ("qd-spaces", qd_header("   ") + QD_BODY, QD),
    ("qd-tabs", qd_header("\t") + QD_BODY, QD),
    ("qd-docx-table-rows", qd_header(" | ") + QD_BODY, QD),
    *(
        (f"separator-{sep}", qd_header("\t", sep) + QD_BODY, QD)
        for sep in ("_______", "o0o", "***", "────", "=====", "---oOo---", "*")
    ),
    (
        "qd-docx-cells-one-after-another",
        "\n\n".join(
            ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NAM", "-------", "Số: 15/2010/QĐ-UBND", *MOTTO]
            + ["---------------", "Quảng Nam, ngày 12 tháng 3 năm 2010"]
        )
        + QD_BODY,
        QD,
    ),
    (
        "qd-one-column",
        "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NAM\n-------\nSố: 15/2010/QĐ-UBND\n"
        + "\n".join(MOTTO)
        + "\nQuảng Nam, ngày 12 tháng 3 năm 2010"
        + QD_BODY,
        QD,
    ),
    (
        "page-number-first",
        "76\n\n" + qd_header("   ") + QD_BODY,
        QD,
    ),
    (
        "tcvn3-lowercase-capitals",
        columns(
            [
                ("ủY BAN NHÂN DÂN", "CộNG HOà Xã HộI CHủ NGHĩA VIệT NAM"),
                ("TỉNH QUảNG NAM", "Độc lập - Tự do - Hạnh phúc"),
                ("Số: 15/2010/QĐ-UBND", "Quảng Nam, ngày 12 tháng 3 năm 2010"),
            ],
            "\t",
        )
        + QD_BODY.replace("QUYẾT ĐỊNH\n", "QUYếT ĐịNH\n"),
        QD,
    ),
    (
        "web-page-chrome-first",
        "Văn bản pháp luật | Cơ sở dữ liệu quốc gia về pháp luật\nTrang chủ\nGiới thiệu\n"
        "Văn bản quy phạm pháp luật\nThông báo\nLiên hệ\nCƠ SỞ DỮ LIỆU VĂN BẢN\n"
        "Bạn đang ở: Trang chủ > Văn bản > Quyết định\n" + qd_header(" | ") + QD_BODY,
        QD,
    ),
    (
        "qd-old-style-cua",
        columns([("ỦY BAN NHÂN DÂN", MOTTO[0]), ("TỈNH QUẢNG NAM", MOTTO[1])], "\t")
        + "\nSố: 45 /QĐ-UBND\tQuảng Nam, ngày 05-3-2001\n\n"
        "QUYẾT ĐỊNH CỦA CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH\nVề việc thành lập Ban chỉ đạo\n\n"
        "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH\n\nCăn cứ ...\n",
        dict(
            QD,
            title="Quyết định về việc thành lập Ban chỉ đạo",
            doc_number="45/QĐ-UBND",
            date="2001-03-05",
        ),
    ),
    (
        "resolution-hdnd",
        columns(
            [
                ("HỘI ĐỒNG NHÂN DÂN", MOTTO[0]),
                ("TỈNH BÌNH DƯƠNG", MOTTO[1]),
                ("--------", "---------------"),
                ("Số: 12/2019/NQ-HĐND", "Bình Dương, ngày 13 tháng 12 năm 2019"),
            ],
            "   ",
        )
        + "\n\nNGHỊ QUYẾT\nQuy định mức chi hỗ trợ cho hoạt động của tổ bảo vệ an ninh\n\n"
        "HỘI ĐỒNG NHÂN DÂN TỈNH BÌNH DƯƠNG\nKHÓA IX - KỲ HỌP THỨ MƯỜI HAI\n\nCăn cứ ...\n",
        dict(
            title="Nghị quyết quy định mức chi hỗ trợ cho hoạt động của tổ bảo vệ an ninh",
            doc_type="Nghị quyết",
            doc_number="12/2019/NQ-HĐND",
            issuer="HỘI ĐỒNG NHÂN DÂN TỈNH BÌNH DƯƠNG",
            place="Bình Dương",
            date="2019-12-13",
        ),
    ),
    (
        "decree",
        columns(
            [
                ("CHÍNH PHỦ", MOTTO[0]),
                ("-------", MOTTO[1]),
                ("Số: 30/2020/NĐ-CP", "Hà Nội, ngày 05 tháng 3 năm 2020"),
            ],
            "\t",
        )
        + "\n\nNGHỊ ĐỊNH\nVề công tác văn thư\n_______\n\nCăn cứ Luật Tổ chức Chính phủ;\n",
        dict(
            title="Nghị định về công tác văn thư",
            doc_type="Nghị định",
            doc_number="30/2020/NĐ-CP",
            issuer="CHÍNH PHỦ",
            place="Hà Nội",
            date="2020-03-05",
        ),
    ),
    (
        "circular-caps-subject",
        columns(
            [
                ("BỘ TÀI CHÍNH", MOTTO[0]),
                ("--------", MOTTO[1]),
                ("Số: 78/2021/TT-BTC", "Hà Nội, ngày 17 tháng 9 năm 2021"),
            ],
            " | ",
        )
        + "\n\nTHÔNG TƯ\nHƯỚNG DẪN THỰC HIỆN MỘT SỐ ĐIỀU CỦA LUẬT QUẢN LÝ THUẾ\n\n"
        "Căn cứ Luật Quản lý thuế ngày 13 tháng 6 năm 2019;\n",
        dict(
            title="Thông tư hướng dẫn thực hiện một số điều của luật quản lý thuế",
            doc_type="Thông tư",
            doc_number="78/2021/TT-BTC",
            issuer="BỘ TÀI CHÍNH",
            place="Hà Nội",
            date="2021-09-17",
        ),
    ),
    (
        "official-letter-vv-parent-body",
        columns(
            [
                ("BỘ TÀI CHÍNH", MOTTO[0]),
                ("TỔNG CỤC THUẾ", MOTTO[1]),
                ("-------", "---------------"),
                ("Số: 1234/TCT-CS", "Hà Nội, ngày 20 tháng 4 năm 2022"),
                ("V/v chính sách thuế giá trị gia tăng", ""),
            ],
            "   ",
        )
        + "\n\nKính gửi: Cục Thuế tỉnh Bình Dương.\n\nTổng cục Thuế nhận được công văn số ...\n",
        dict(
            title="Công văn V/v chính sách thuế giá trị gia tăng",
            doc_type="Công văn",
            doc_number="1234/TCT-CS",
            issuer="BỘ TÀI CHÍNH TỔNG CỤC THUẾ",
            place="Hà Nội",
            date="2022-04-20",
        ),
    ),
    (
        "official-letter-vv-two-lines",
        columns(
            [
                ("ỦY BAN NHÂN DÂN", MOTTO[0]),
                ("THÀNH PHỐ HÀ NỘI", MOTTO[1]),
                ("Số: 123/UBND-VP", "Hà Nội, ngày 3 tháng 2 năm 2021"),
                ("V/v triển khai kế hoạch phòng,", ""),
                ("chống dịch bệnh mùa đông", ""),
            ],
            "\t",
        )
        + "\n\nKính gửi: Các sở, ban, ngành.\n",
        dict(
            title="Công văn V/v triển khai kế hoạch phòng, chống dịch bệnh mùa đông",
            doc_type="Công văn",
            doc_number="123/UBND-VP",
            issuer="ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",
            place="Hà Nội",
            date="2021-02-03",
        ),
    ),
    (
        "party-report",
        columns(
            [
                ("ĐẢNG BỘ TP. HỒ CHÍ MINH", "ĐẢNG CỘNG SẢN VIỆT NAM"),
                ("QUẬN ỦY QUẬN 10", ""),
                ("*", ""),
                ("Số 12-BC/QU", "TP. Hồ Chí Minh, ngày 16 tháng 01 năm 2000"),
            ],
            "\t",
        )
        + "\n\nBÁO CÁO\nTình hình, kết quả thực hiện cuộc vận động xây dựng, chỉnh đốn Đảng\n\n"
        "Quán triệt kế hoạch 01 của Bộ Chính trị, ...\n",
        dict(
            title="Báo cáo tình hình, kết quả thực hiện cuộc vận động xây dựng, chỉnh đốn Đảng",
            doc_type="Báo cáo",
            doc_number="12-BC/QU",
            issuer="ĐẢNG BỘ TP. HỒ CHÍ MINH QUẬN ỦY QUẬN 10",
            place="TP. Hồ Chí Minh",
            date="2000-01-16",
        ),
    ),
    (
        "party-resolution-one-column",
        "ĐẢNG BỘ TỈNH QUẢNG NAM\nHUYỆN ỦY ĐẠI LỘC\n*\nSố 45-NQ/HU\n\nĐẢNG CỘNG SẢN VIỆT NAM\n"
        "Đại Lộc, ngày 20 tháng 7 năm 2016\n\nNGHỊ QUYẾT\nvề phát triển nông nghiệp giai "
        "đoạn 2016 - 2020\n\n1. Tình hình ...\n",
        dict(
            title="Nghị quyết về phát triển nông nghiệp giai đoạn 2016 - 2020",
            doc_type="Nghị quyết",
            doc_number="45-NQ/HU",
            issuer="ĐẢNG BỘ TỈNH QUẢNG NAM HUYỆN ỦY ĐẠI LỘC",
            place="Đại Lộc",
            date="2016-07-20",
        ),
    ),
    (
        "ingest-report-subject-then-date",
        "ĐẢNG BỘ QUẬN 10\n\nSố: 12/BC-QU\n\nBÁO CÁO\nVề công tác kiểm tra năm 1999\n\n"
        "TP. Hồ Chí Minh, ngày 16 tháng 01 năm 2000\n\nCông tác kiểm tra đảng viên được tăng cường.\n",
        dict(
            title="Báo cáo về công tác kiểm tra năm 1999",
            doc_type="Báo cáo",
            doc_number="12/BC-QU",
            issuer="ĐẢNG BỘ QUẬN 10",
            place="TP. Hồ Chí Minh",
            date="2000-01-16",
        ),
    ),
    (
        "plan",
        columns(
            [
                ("ỦY BAN NHÂN DÂN", MOTTO[0]),
                ("HUYỆN CỦ CHI", MOTTO[1]),
                ("Số:56/KH-UBND", "Củ Chi, ngày 3 tháng 4 năm 2021"),
            ],
            " | ",
        )
        + "\n\nKẾ HOẠCH\nTriển khai công tác chuyển đổi số năm 2021\n\nI. MỤC ĐÍCH, YÊU CẦU\n",
        dict(
            title="Kế hoạch triển khai công tác chuyển đổi số năm 2021",
            doc_type="Kế hoạch",
            doc_number="56/KH-UBND",
            issuer="ỦY BAN NHÂN DÂN HUYỆN CỦ CHI",
            place="Củ Chi",
            date="2021-04-03",
        ),
    ),
    (
        "plan-subject-starts-with-thuc-hien",
        "TỈNH ỦY BÌNH ĐỊNH\t" + "ĐẢNG CỘNG SẢN VIỆT NAM\n*\nSố 20-KH/TU\tQuy Nhơn, ngày 9 "
        "tháng 11 năm 2021\n\nKẾ HOẠCH\nThực hiện Nghị quyết số 12-NQ/TW của Bộ Chính trị\n\n"
        "Thực hiện Quy định số 22-QĐ/TW, Ban Thường vụ Tỉnh ủy xây dựng kế hoạch như sau:\n",
        dict(
            title="Kế hoạch thực hiện Nghị quyết số 12-NQ/TW của Bộ Chính trị",
            doc_type="Kế hoạch",
            doc_number="20-KH/TU",
            issuer="TỈNH ỦY BÌNH ĐỊNH",
            place="Quy Nhơn",
            date="2021-11-09",
        ),
    ),
    (
        "minutes-unknown-issuer-numeric-date",
        columns([("CÔNG TY CỔ PHẦN AN PHÚ", MOTTO[0]), ("", MOTTO[1])], "   ")
        + "\n"
        + " " * 34
        + "Hà Nội, 12/3/2010\n\nBIÊN BẢN HỌP HỘI ĐỒNG QUẢN TRỊ\n\n"
        "Hôm nay, vào lúc 8 giờ ngày 12/3/2010, tại trụ sở công ty ...\n",
        dict(
            title="Biên bản họp hội đồng quản trị",
            doc_type="Biên bản",
            doc_number=None,
            issuer="CÔNG TY CỔ PHẦN AN PHÚ",
            place="Hà Nội",
            date="2010-03-12",
        ),
    ),
    (
        "submission",
        "SỞ TƯ PHÁP\nTỈNH ĐỒNG NAI\n-----\nSố: 15/TTr-STP\n\n"
        + "\n".join(MOTTO)
        + "\n-----\nĐồng Nai, ngày 8 tháng 8 năm 2018\n\nTỜ TRÌNH\n"
        "Về việc đề nghị xây dựng nghị quyết quy định mức thu phí\n\nKính gửi: Ủy ban nhân dân tỉnh\n",
        dict(
            title="Tờ trình về việc đề nghị xây dựng nghị quyết quy định mức thu phí",
            doc_type="Tờ trình",
            doc_number="15/TTr-STP",
            issuer="SỞ TƯ PHÁP TỈNH ĐỒNG NAI",
            place="Đồng Nai",
            date="2018-08-08",
        ),
    ),
    (
        "law-type-and-name-on-two-lines",
        columns(
            [
                ("QUỐC HỘI", MOTTO[0]),
                ("--------", MOTTO[1]),
                ("Luật số: 24/2018/QH14", "Hà Nội, ngày 12 tháng 6 năm 2018"),
            ],
            "\t",
        )
        + "\n\nLUẬT\nAN NINH MẠNG\n\nCăn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;\n",
        dict(
            title="Luật an ninh mạng",
            doc_type="Luật",
            doc_number="24/2018/QH14",
            issuer="QUỐC HỘI",
            place="Hà Nội",
            date="2018-06-12",
        ),
    ),
    (
        "ordinance",
        "ỦY BAN THƯỜNG VỤ QUỐC HỘI\n-------\nPháp lệnh số: 02/2022/UBTVQH15\n\n"
        "PHÁP LỆNH\nCHI PHÍ TỐ TỤNG\n\nCăn cứ Hiến pháp;\n\nChương I\n",
        dict(
            title="Pháp lệnh chi phí tố tụng",
            doc_type="Pháp lệnh",
            doc_number="02/2022/UBTVQH15",
            issuer="ỦY BAN THƯỜNG VỤ QUỐC HỘI",
            place=None,
        ),
    ),
    (
        "directive",
        columns(
            [
                ("THỦ TƯỚNG CHÍNH PHỦ", MOTTO[0]),
                ("-------", MOTTO[1]),
                ("Số: 16/CT-TTg", "Hà Nội, ngày 31 tháng 3 năm 2020"),
            ],
            "\t",
        )
        + "\n\nCHỈ THỊ\nVề thực hiện các biện pháp cấp bách phòng, chống dịch COVID-19\n\n"
        "Thực hiện chỉ đạo của Bộ Chính trị ...\n",
        dict(
            title="Chỉ thị về thực hiện các biện pháp cấp bách phòng, chống dịch COVID-19",
            doc_type="Chỉ thị",
            doc_number="16/CT-TTg",
            issuer="THỦ TƯỚNG CHÍNH PHỦ",
            place="Hà Nội",
            date="2020-03-31",
        ),
    ),
    (
        "notice-subject-starts-with-capitalized-name",
        "VĂN PHÒNG CHÍNH PHỦ\t" + MOTTO[0] + "\nSố: 123/TB-VPCP\tHà Nội, ngày 1 tháng 6 năm 2021\n"
        "\nTHÔNG BÁO\nKết luận của Phó Thủ tướng tại cuộc họp về giải ngân vốn đầu tư công\n\n"
        "Ngày 28 tháng 5 năm 2021, tại trụ sở Chính phủ ...\n",
        dict(
            title="Thông báo kết luận của Phó Thủ tướng tại cuộc họp về giải ngân vốn đầu tư công",
            doc_type="Thông báo",
            doc_number="123/TB-VPCP",
            issuer="VĂN PHÒNG CHÍNH PHỦ",
            place="Hà Nội",
            date="2021-06-01",
        ),
    ),
    (
        "contract-motto-first-no-issuer",
        "\n".join(MOTTO) + "\n-------\n\nHỢP ĐỒNG LAO ĐỘNG\nSố: 01/2020/HĐLĐ\n\n"
        "Hôm nay, ngày 2 tháng 1 năm 2020, tại Công ty ...\n",
        dict(
            title="Hợp đồng lao động",
            doc_type="Hợp đồng",
            doc_number="01/2020/HĐLĐ",
            issuer=None,
            place=None,
            date="2020-01-02",
        ),
    ),
    (
        "rules-wrapped-subject-then-note",
        "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG\n\nQUY CHẾ\nLàm việc của Ủy ban nhân dân tỉnh\n"
        "nhiệm kỳ 2021 - 2026\n(Ban hành kèm theo Quyết định số 12/QĐ-UBND)\n\nChương I\n",
        dict(
            title="Quy chế làm việc của Ủy ban nhân dân tỉnh nhiệm kỳ 2021 - 2026",
            doc_type="Quy chế",
            doc_number=None,
            issuer="ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG",
        ),
    ),
    (
        "invitation",
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO\t"
        + MOTTO[0]
        + "\nTRƯỜNG THPT LÊ QUÝ ĐÔN\t"
        + MOTTO[1]
        + "\nSố: 05/GM-THPT\tĐà Nẵng, ngày 10 tháng 5 năm 2023\n\nGIẤY MỜI\n"
        "Họp tổng kết năm học 2022 - 2023\n\nKính gửi: Quý phụ huynh học sinh\n",
        dict(
            title="Giấy mời họp tổng kết năm học 2022 - 2023",
            doc_type="Giấy mời",
            doc_number="05/GM-THPT",
            issuer="SỞ GIÁO DỤC VÀ ĐÀO TẠO TRƯỜNG THPT LÊ QUÝ ĐÔN",
            place="Đà Nẵng",
            date="2023-05-10",
        ),
    ),
    (
        "header-date-not-body-date",
        "ỦY BAN NHÂN DÂN HUYỆN BA VÌ\nSố: 7/QĐ-UBND\n\nQUYẾT ĐỊNH\nVề việc giao đất\n\n"
        "Căn cứ Luật Đất đai ngày 29 tháng 11 năm 2013;\n\nĐiều 1. Giao đất ...\n\n"
        "Ba Vì, ngày 4 tháng 9 năm 2017\n",
        dict(
            title="Quyết định về việc giao đất",
            doc_type="Quyết định",
            doc_number="7/QĐ-UBND",
            issuer="ỦY BAN NHÂN DÂN HUYỆN BA VÌ",
            place=None,
            date="2017-09-04",
        ),
    ),
    (
        "very-long-subject-is-clipped",
        "BỘ Y TẾ\nSố: 9/QĐ-BYT\n\nQUYẾT ĐỊNH\nVề việc "
        + "ban hành hướng dẫn " * 8
        + "\n"
        + "và " * 40
        + "\n"
        + "quy trình " * 10
        + "\n\nĐiều 1.\n",
        dict(doc_type="Quyết định", doc_number="9/QĐ-BYT", issuer="BỘ Y TẾ"),
    ),
    (
        "no-header-wikipedia-like",
        "Hà Nội\n\nHà Nội là thủ đô của nước Cộng hòa xã hội chủ nghĩa Việt Nam. Ngày 10 "
        "tháng 10 năm 1954, quân đội Việt Nam tiếp quản thủ đô.\n\nLịch sử\n\nThời tiền sử ...\n",
        dict(
            title="Hà Nội",
            doc_type=None,
            doc_number=None,
            issuer=None,
            place=None,
            date="1954-10-10",
        ),
    ),
    (
        "no-header-plain-report-signed",
        "Báo cáo tổng kết công tác năm 2020\n\nNăm 2020, chi bộ đã lãnh đạo hoàn thành các "
        "chỉ tiêu đề ra.\n\nBAN CHẤP HÀNH CHI BỘ KHU PHỐ 3\n",
        dict(
            title="Báo cáo tổng kết công tác năm 2020",
            doc_type="Báo cáo",
            doc_number=None,
            issuer="BAN CHẤP HÀNH CHI BỘ KHU PHỐ 3",
            place=None,
            date=None,
        ),
    ),
    (
        "no-header-nfd-minutes",
        unicodedata.normalize(
            "NFD", "Biên bản họp chi bộ\n\nNgày 05/3/2001 chi bộ bàn việc chỉnh đốn Đảng.\n"
        ),
        dict(title="Biên bản họp chi bộ", doc_type="Biên bản", date="2001-03-05", issuer=None),
    ),
    (
        "no-header-notice",
        "Thông báo kết luận\n\nGiữ vững môi trường hoà bình, ổn định để phát triển kinh tế.\n",
        dict(title="Thông báo kết luận", doc_type="Thông báo", date=None),
    ),
    (
        "no-header-dated-web-page",
        (CORPUS / "bao-cao-quan-10-chinh-don-dang.txt").read_text(encoding="utf-8"),
        dict(
            title=corpus_paragraphs("bao-cao-quan-10-chinh-don-dang.txt")[1],
            doc_type="Báo cáo",
            doc_number=None,
            issuer="BAN THƯỜNG VỤ QUẬN ỦY 10",
            place=None,
            date="2024-02-28",
        ),
    ),
    (
        "corpus-law",
        (CORPUS / "luat-an-ninh-mang-2018.txt").read_text(encoding="utf-8"),
        dict(
            title="Luật an ninh mạng",
            doc_type="Luật",
            doc_number="24/2018/QH14",
            issuer="QUỐC HỘI",
            place=None,
            date="2018-06-12",
        ),
    ),
    (
        "corpus-code",
        (CORPUS / "bo-luat-lao-dong-2019-trich.txt").read_text(encoding="utf-8"),
        dict(
            title="Bộ luật lao động",
            doc_type="Bộ luật",
            doc_number="45/2019/QH14",
            issuer="QUỐC HỘI",
            place=None,
            date="2019-11-20",
        ),
    ),
    ("empty", "", dict(title="fallback", doc_type=None, doc_number=None, issuer=None, date=None)),
]


@pytest.mark.parametrize(
    ("text", "expected"), [h[1:] for h in HEADERS], ids=[h[0] for h in HEADERS]
)
def test_read_header(text, expected):
    meta = read_header(text, paragraph_spans(text), "fallback")
    got = {name: getattr(meta, name) for name in expected}
    assert got == expected
    assert len(meta.title) <= 301


def test_header_of_a_hard_wrapped_file():
    body, _ = hard_wrap(REPORT[4:9], 72)
    text = qd_header("   ") + QD_BODY.split("Căn cứ")[0] + body
    assert read_header(text, paragraph_spans(text), "x").as_dict() == QD


def test_long_subject_is_clipped_at_a_word():
    text = HEADERS[[h[0] for h in HEADERS].index("very-long-subject-is-clipped")][1]
    title = read_header(text, paragraph_spans(text), "x").title
    assert title.startswith("Quyết định về việc ban hành hướng dẫn") and title.endswith("…")
    assert len(title) <= 301 and not title[:-1].endswith(" ")


NUMBERS = [
    ("Số: 15/2010/QĐ-UBND", "15/2010/QĐ-UBND"),
    ("Số 12/BC-QU", "12/BC-QU"),
    ("Số:12/BC-QU", "12/BC-QU"),
    ("Số: 45 /QĐ-UBND", "45/QĐ-UBND"),
    ("Số: 45/ QĐ-UBND", "45/QĐ-UBND"),
    ("Số 12-BC/QU", "12-BC/QU"),
    ("Luật số: 24/2018/QH14", "24/2018/QH14"),
    ("SỐ: 07/2021/TT-BYT", "07/2021/TT-BYT"),
    ("Số hiệu: 88/2015/NĐ-CP", "88/2015/NĐ-CP"),
]


@pytest.mark.parametrize(("line", "number"), NUMBERS, ids=[n for _, n in NUMBERS])
def test_document_number_forms(line, number):
    text = f"ỦY BAN NHÂN DÂN TỈNH HÀ NAM\n{line}\n\nQUYẾT ĐỊNH\nVề việc khen thưởng\n"
    meta = read_header(text, paragraph_spans(text), "x")
    assert (meta.doc_number, meta.issuer) == (number, "ỦY BAN NHÂN DÂN TỈNH HÀ NAM")


DATES = [
    ("Quảng Nam, ngày 12 tháng 3 năm 2010", "2010-03-12", "Quảng Nam"),
    ("TP. Hồ Chí Minh, ngày  16  tháng 01 năm 2000", "2000-01-16", "TP. Hồ Chí Minh"),
    ("Hà Nội, 12/3/2010", "2010-03-12", "Hà Nội"),
    ("Hà Nội, ngày 12.3.2010", "2010-03-12", "Hà Nội"),
    ("ngày 05-3-2001", "2001-03-05", None),
    ("Thứ Tư, ngày 28 tháng 2 năm 2024", "2024-02-28", None),  # a weekday is no place
    ("Hà Nội, ngày    tháng    năm 2010", None, None),  # a draft: not dated yet
]


@pytest.mark.parametrize(("line", "date", "place"), DATES, ids=[d[0] for d in DATES])
def test_date_and_place_forms(line, date, place):
    text = f"BỘ TƯ PHÁP\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 1/TB-BTP\t{line}\n\nTHÔNG BÁO\n"
    meta = read_header(text, paragraph_spans(text), "x")
    assert (meta.date, meta.place, meta.title) == (date, place, "Thông báo")
