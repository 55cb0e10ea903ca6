"""Paragraphs as written, not as wrapped: hard-wrapped lines joined again, page furniture
(running headers, footers, page numbers) dropped, "\f" page breaks turned into pages.

Pure functions over a document's text; offsets always point into the text given.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from typing import NamedTuple

import msgspec

from .. import text as vtext

__all__ = ["Span", "paragraph_spans"]


class Span(msgspec.Struct, frozen=True):
    """One paragraph: ``text[start:end]`` of the text given, trimmed of white space."""

    start: int
    end: int
    page: int | None  # 1-based page when the text has "\f" page breaks, else None
    # page furniture inside a paragraph that runs over a page break: left out of its text
    holes: tuple[tuple[int, int], ...] = ()

    def text_of(self, text: str) -> str:
        """The paragraph's text: the slice, with its holes blanked (offsets unchanged)."""
        out = text[self.start : self.end]
        for s, e in self.holes:
            gap = "".join(ch if ch == "\n" else " " for ch in text[s:e])
            out = out[: s - self.start] + gap + out[e - self.start :]
        return out


# ---- paragraphs ---------------------------------------------------------------------

# A page break, or a non-empty line with its text trimmed (group 1; None if only spaces).
_TOKEN = re.compile(r"\f|(?=[^\n\f])[^\S\n\f]*(?:(\S(?:[^\n\f]*\S)?)[^\S\n\f]*)?")
_WORD = re.compile(r"\S+")
_LETTER = re.compile(r"[^\W\d_]")
# A sentence or clause ends: . : ; ! ? … possibly followed by closing quotes/brackets.
_SENTENCE_END = re.compile(r"[.:;!?…][\"'”’»)\]]{0,3}$")
# Lines that open a unit of the text. Strong units never start a wrapped line: an article
# or chapter heading ("Điều 5.", "Chương II" alone), "1.", "1.2.", "II.", "a)", "•".
_UNIT = re.compile(
    r"(?:Chương|CHƯƠNG|Phần|PHẦN|Mục|MỤC|Tiểu mục|TIỂU MỤC|Điều|ĐIỀU)\s+[0-9IVXLCDM]+[a-z]?"
    r"\s*(?:[.:]|$)"
    r"|\d{1,3}(?:\.\d{1,3})*[.)]\s"  # text follows: "... địa bàn Quận\n10." is no item
    r"|[IVXLC]{1,6}[.)]\s"
    r"|[a-zđ]\)\s"
    r"|[•▪●○■□]\s"
)
# Weak units also occur inside a wrapped sentence: "kinh tế\n- xã hội", "tại\nĐiều 5 của".
_WEAK_UNIT = re.compile(r"[-–—+*>](?:\s|$)|(?:Chương|Mục|Điều|Phần)\s+[0-9IVXLCDM]+\b")
_STRUCTURE = re.compile(r"(?:chương|phần|mục|điều)\s+[\dIVXLC]", re.IGNORECASE)
# Two columns side by side (header tables as text) are never joined with a neighbour.
# The cheap pattern finds candidates; _column_lines keeps those between two words.
_COLUMN_GAP = re.compile(r"\t|   | \| ")
_PAGE_NUMBER = re.compile(
    r"(?:trang|page|tr\.)?\s*[-–—(\[]?\s*\d{1,4}\s*(?:(?:/|of|trên)\s*\d{1,4})?\s*[-–—)\]]?",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")

_EDGE = 3  # lines at the top and at the bottom of a page where furniture sits
_MIN_LINES = 4
_MIN_WIDTH, _MAX_WIDTH = 40, 200  # plausible wrap columns (narrow PDF columns .. 200)


class _Line(NamedTuple):
    start: int  # first non-space character
    end: int  # after the last non-space character
    width: int  # columns from the beginning of the line to ``end``: indentation counts
    page: int
    gap: bool  # a paragraph break is certain before it (blank line, dropped furniture)


MAX_PARAGRAPH = 8000  # characters; longer paragraphs are cut at sentence ends
_HYPHEN_END = re.compile(r"[^\W\d_]-$")  # a word cut at the end of a line
_CUT_AT = re.compile(r"[.!?…][\"'”)\]]*\s+")  # where an over-long paragraph is cut


def _bounded(
    text: str, start: int, end: int, limit: int = MAX_PARAGRAPH
) -> Iterator[tuple[int, int]]:
    """A span cut into pieces of at most ``limit`` characters, at sentence ends if possible.

    A search unit of megabytes (a file with no line breaks) would cost memory in
    proportion to it and make a useless snippet; pieces keep both bounded.
    """
    while end - start > limit:
        cut = None
        for m in _CUT_AT.finditer(text, start + limit // 2, start + limit):
            cut = m  # the last sentence end in the second half of the window
        if cut is not None:
            piece_end, next_start = cut.start() + len(cut.group().rstrip()), cut.end()
        else:
            space = text.rfind(" ", start + limit // 2, start + limit)
            piece_end = next_start = space if space > start else start + limit
        yield start, piece_end
        start = next_start
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end


def paragraph_spans(text: str) -> list[Span]:
    """The paragraphs of ``text`` in order, as spans of the original string.

    Paragraphs longer than :data:`MAX_PARAGRAPH` characters are cut at sentence ends.
    """
    return [
        Span(s, e, sp.page, tuple(h for h in sp.holes if s <= h[0] and h[1] <= e))
        for sp in _over_pages(text, _written(text))
        for s, e in _bounded(text, sp.start, sp.end)
    ]


def _over_pages(text: str, spans: list[Span]) -> list[Span]:
    """Join a paragraph cut by a page break (the page ends mid-sentence and the next one
    goes on in lower case) or by a hyphen at a line end ("infor-" / "mation"). What stands
    between over a page break (running headers and footers, the page number) becomes a
    hole: left out of the paragraph's text."""
    out: list[Span] = []
    for sp in spans:
        prev = out[-1] if out else None
        if prev is None or not _goes_on(text, sp):
            out.append(sp)
        elif _HYPHEN_END.search(text, prev.start, prev.end):
            out[-1] = Span(prev.start, sp.end, prev.page, (*prev.holes, *sp.holes))
        elif "\f" in text[prev.end : sp.start] and not _ends_sentence(
            text, _Line(prev.start, prev.end, 0, 0, False)
        ):
            hole = (prev.end, sp.start)
            out[-1] = Span(prev.start, sp.end, prev.page, (*prev.holes, hole, *sp.holes))
        else:
            out.append(sp)
    return out


def _goes_on(text: str, sp: Span) -> bool:
    """Does this paragraph start like the rest of a sentence (lower case, no unit)?"""
    return _lower_start(text, _Line(sp.start, sp.end, 0, 0, False)) and not _UNIT.match(
        text, sp.start
    )


def _written(text: str) -> list[Span]:
    """The paragraphs of ``text`` as written.

    A blank line always ends a paragraph. In a hard-wrapped file (see
    :func:`_wrap_width`) consecutive lines are joined unless the break was meant (see
    :func:`_joins`); any other file keeps one paragraph per non-empty line, exactly like
    the old splitter. With "\\f" in the text, running headers/footers and page numbers
    are dropped and every span carries the page it starts on. A paragraph that runs
    over a page break is cut where dropped lines interrupt it; :func:`_over_pages`
    joins it again.
    """
    paged = "\f" in text
    lines = _scan(text)
    if paged:
        lines = _drop_furniture(text, lines)
    if not lines:
        return []
    wrap = _wrap_width(text, lines)
    if wrap is None:
        return [Span(ln.start, ln.end, ln.page if paged else None) for ln in lines]
    spans: list[Span] = []
    first = lines[0]
    for prev, line in pairwise(lines):
        if not _joins(text, prev, line, wrap):
            spans.append(Span(first.start, prev.end, first.page if paged else None))
            first = line
    spans.append(Span(first.start, lines[-1].end, first.page if paged else None))
    return spans


def _scan(text: str) -> list[_Line]:
    """Every non-blank line (split at "\\n" and "\\f") with its page and offsets."""
    lines: list[_Line] = []
    page, blank, last = 1, True, 0
    for m in _TOKEN.finditer(text):
        s, e = m.span(1)
        if s < 0 and text[m.start()] == "\f":
            # "\f" ends a line but is no blank line: "end\n\f\nnext" goes on
            blank = blank or text.count("\n", last, m.start()) >= 2
            page, last = page + 1, m.end()
            continue
        if s < 0:
            blank = True  # a line of white space only
            continue
        gap = blank or text.count("\n", last, s) >= 2
        lines.append(_Line(s, e, e - m.start(), page, gap))
        blank, last = False, e
    return lines


def _drop_furniture(text: str, lines: list[_Line]) -> list[_Line]:
    """Leave out running headers/footers and page numbers at the edges of pages.

    A running line repeats, digits aside ("Trang 3/12"), at the top or bottom of at
    least half of the pages; a page number is a line that is only one ("- 12 -").
    """
    pages: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        pages.setdefault(line.page, []).append(i)
    if len(pages) < 2:
        return lines
    body = {i: text[lines[i].start : lines[i].end] for i in range(len(lines))}
    key = lambda line: _DIGITS.sub("#", " ".join(vtext.casefold(line).split()))
    drop: set[int] = set()
    places: dict[int, tuple[int, str]] = {}  # line -> (place from the page edge, key)
    for idx in pages.values():
        edge = dict.fromkeys(idx[:_EDGE] + idx[-_EDGE:])
        drop.update(i for i in edge if _PAGE_NUMBER.fullmatch(body[i]))
        rest = [i for i in idx if i not in drop]
        top, bottom = rest[:_EDGE], rest[-_EDGE:]
        # a place is counted from the nearer edge, so "the first line" matches across pages
        places.update({i: (k, key(body[i])) for k, i in enumerate(top)})
        places.update({i: (-1 - k, key(body[i])) for k, i in enumerate(bottom[::-1])})
    counts = Counter(places.values())
    need = max(2, (len(pages) + 1) // 2)
    for i, place in places.items():
        if counts[place] >= need and _LETTER.search(place[1]) and not _STRUCTURE.match(body[i]):
            drop.add(i)
    # a paragraph interrupted by dropped lines is cut there: a span is one slice of text
    return [
        ln._replace(gap=True) if i - 1 in drop else ln
        for i, ln in enumerate(lines)
        if i not in drop
    ]


class _Wrap(NamedTuple):
    width: int  # the column lines were wrapped at
    slack: int  # room a wrapped line may leave: 0 or less for a program, more by hand
    columns: frozenset[int]  # starts of lines laid out in columns (header tables)


def _wrap_width(text: str, lines: list[_Line]) -> _Wrap | None:
    """How the text is hard-wrapped, or None when its lines are paragraphs.

    Hard-wrapped text has many lines near one maximum width, and many line breaks that
    cannot end a paragraph: no sentence end before, a lowercase letter after. Files of
    one paragraph per line have long lines (most paragraphs exceed 200 characters) or
    lines that end sentences.
    """
    n = len(lines)
    if n < _MIN_LINES:
        return None
    hist = Counter(min(ln.width, 10_000) for ln in lines)
    p90 = _percentile(hist, 0.9)
    width = max(w for w in hist if w <= p90 * 1.15)  # the longest non-outlier line
    if not _MIN_WIDTH <= width <= _MAX_WIDTH:
        return None
    if sum(c for w, c in hist.items() if w >= 0.75 * width) < 0.3 * n:
        return None
    pairs = 0
    rooms: Counter[int] = Counter()
    for prev, line in pairwise(lines):
        if line.gap:
            continue
        pairs += 1
        if _lower_start(text, line) and not _ends_sentence(text, prev):
            rooms[_room(text, prev, line, width)] += 1
    wrapped = sum(rooms.values())
    if wrapped < 2 or wrapped < 0.15 * pairs:
        return None
    return _Wrap(width, max(-1, _percentile(rooms, 0.9)), _column_lines(text, lines))


def _column_lines(text: str, lines: list[_Line]) -> frozenset[int]:
    starts = [ln.start for ln in lines]
    found = set()
    for m in _COLUMN_GAP.finditer(text):
        k = bisect_right(starts, m.start()) - 1
        if k >= 0 and starts[k] < m.start() and m.end() < lines[k].end:
            found.add(starts[k])  # inside the line's text, not its indentation
    return frozenset(found)


def _percentile(hist: Counter[int], q: float) -> int:
    """The value below which a fraction ``q`` of the counted values lie (histogram)."""
    rank = q * (sum(hist.values()) - 1)
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen > rank:
            return value
    return max(hist)


def _joins(text: str, prev: _Line, line: _Line, wrap: _Wrap) -> bool:
    """True when ``line`` continues the paragraph ``prev`` belongs to (hard-wrapped file).

    A strong unit ("Điều 5.", "1.", "a)", a capitals heading) always starts a paragraph.
    Otherwise the wrap column decides: when the first word of ``line`` would have fitted
    on ``prev``, the writer ended ``prev`` on purpose (a heading, a last line), unless
    ``line`` is a lowercase continuation of ragged text. When it would not have fitted,
    the break may be a wrap, so a sentence end alone does not split (sentences often end
    at a wrapped line's end): only a sentence end followed by a weak unit ("-", "+") does.
    """
    if line.gap or prev.start in wrap.columns or line.start in wrap.columns:
        return False
    strong, weak = _unit(text, prev, line)
    if strong:
        return False
    ended = _ends_sentence(text, prev)
    if _room(text, prev, line, wrap.width) > wrap.slack:
        return not ended and not weak and _lower_start(text, line)
    return not (ended and weak)


def _unit(text: str, prev: _Line, line: _Line) -> tuple[bool, bool]:
    """(strong, weak): does ``line`` start a unit of the text, and how surely."""
    if _UNIT.match(text, line.start, line.end):
        return True, False
    body = text[line.start : line.end]
    if len(body) >= 4 and body.isupper():
        # a capitals heading, unless a capitals line before it was wrapped
        return not text[prev.start : prev.end].isupper(), True
    return False, _WEAK_UNIT.match(text, line.start, line.end) is not None


def _room(text: str, prev: _Line, line: _Line, width: int) -> int:
    """Columns left on ``prev`` after adding a space and the first word of ``line``."""
    word = _WORD.match(text, line.start, line.end)
    return width - prev.width - 1 - (len(word.group()) if word else 0)


def _ends_sentence(text: str, line: _Line) -> bool:
    return _SENTENCE_END.search(text, max(line.start, line.end - 5), line.end) is not None


def _lower_start(text: str, line: _Line) -> bool:
    letter = _LETTER.search(text, line.start, min(line.end, line.start + 4))
    return letter is not None and letter.group().islower()
