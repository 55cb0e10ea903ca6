"""What the search and document pages show, made from tracuu's records: facet counts,
sorting, paging, links, and text cut into (text, marked) pieces.

No HTML is written here: the templates escape every piece of document text.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from urllib.parse import quote, urlencode

import msgspec

from ..models import DocumentHit, Hit, Metadata, Paragraph, Restoration, Snippet
from .form import PageRequest, RequestProblem

Piece = tuple[str, bool]  # a run of text, and whether it is a matched word
FACET_VALUES = 12  # values listed per facet, most documents first


class FacetValue(msgspec.Struct, frozen=True):
    """A link with a count: a facet's value (the search with it as the filter), or an
    accented reading of unaccented words (the search with them replaced)."""

    label: str
    count: int
    href: str


class Facet(msgspec.Struct, frozen=True):
    name: str  # the URL parameter
    title: str
    values: list[FacetValue]
    unknown: int  # documents without this field


class Filter(msgspec.Struct, frozen=True):
    """A filter in force, shown with a link that removes it."""

    title: str
    value: str
    remove_href: str


class HitView(msgspec.Struct, frozen=True):
    number: int
    page: int | None
    pieces: list[Piece]
    href: str


class DocumentView(msgspec.Struct, frozen=True):
    rank: int
    path: str
    title: str
    fields: list[str]  # type, number, issuer, date: those known
    href: str  # the document page, at its best paragraph
    hits: list[HitView]


class Pages(msgspec.Struct, frozen=True):
    number: int
    count: int
    first: int  # 1-based position of the page's first document
    documents: list[DocumentHit]
    prev_href: str | None
    next_href: str | None


class ParagraphView(msgspec.Struct, frozen=True):
    number: int
    page: int | None
    new_page: bool  # the first paragraph of its page
    pieces: list[Piece]
    hit: bool


FILTER_TITLES = {
    "type": "Loại văn bản",
    "issuer": "Cơ quan ban hành",
    "from": "Từ năm",
    "to": "Đến năm",
}


def search_href(params: dict[str, str]) -> str:
    return "/?" + urlencode(params) if params else "/"


def document_href(path: str, query: str = "", paragraph: int | None = None) -> str:
    href = "/doc/" + quote(path, safe="/")
    if query:
        href += "?" + urlencode({"q": query})
    return href + (f"#p{paragraph}" if paragraph is not None else "")


def file_href(path: str) -> str:
    return "/file/" + quote(path, safe="/")


def marked(text: str, spans: Iterable[tuple[int, int]]) -> list[Piece]:
    """``text`` cut at the spans: matched pieces marked, in order, overlaps merged."""
    pieces: list[Piece] = []
    at = 0
    for start, end in sorted(spans):
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text) or not pieces:
        pieces.append((text[at:], False))
    return pieces


def snippet_pieces(snippet: Snippet) -> list[Piece]:
    pieces = marked(snippet.text, snippet.spans)
    if snippet.truncated_start:
        pieces.insert(0, ("… ", False))
    if snippet.truncated_end:
        pieces.append((" …", False))
    return pieces


def display_date(iso: str | None) -> str | None:
    """``2024-02-28`` as Vietnamese write it: ``28/02/2024`` (a partial date likewise)."""
    return "/".join(reversed(iso.split("-"))) if iso else None


def year_of(metadata: Metadata) -> str | None:
    year = (metadata.date or "")[:4]
    return year if len(year) == 4 and year.isdigit() else None


def facets(documents: Sequence[DocumentHit], request: PageRequest) -> list[Facet]:
    """Documents per type, issuer and year among the results, each a filter link."""
    by_year = Counter(year_of(d.metadata) for d in documents)
    out = [
        _facet("type", request, Counter(d.metadata.doc_type for d in documents)),
        _facet("issuer", request, Counter(d.metadata.issuer for d in documents)),
    ]
    years = sorted(((y, n) for y, n in by_year.items() if y), reverse=True)
    values = [
        FacetValue(y, n, search_href(request.params({"from": y, "to": y, "page": None})))
        for y, n in years
    ]
    return [*out, Facet("year", "Năm", values, by_year[None])]


def _facet(name: str, request: PageRequest, counts: Counter[str | None]) -> Facet:
    known = sorted(((v, n) for v, n in counts.items() if v), key=lambda x: (-x[1], x[0]))
    values = [
        FacetValue(v, n, search_href(request.params({name: v, "page": None})))
        for v, n in known[:FACET_VALUES]
    ]
    return Facet(name, FILTER_TITLES[name], values, counts[None])


def active_filters(request: PageRequest) -> list[Filter]:
    return [
        Filter(FILTER_TITLES[name], value, search_href(request.params({name: None, "page": None})))
        for name, value in request.filters
    ]


def sort_documents(documents: Sequence[DocumentHit], how: str) -> list[DocumentHit]:
    """By relevance (as ranked) or by date, newest first; undated documents last."""
    if how != "date":
        return list(documents)
    dated = [d for d in documents if d.metadata.date]
    # newest first; a stable sort keeps documents of the same date in rank order
    dated.sort(key=lambda d: d.metadata.date or "", reverse=True)
    return dated + [d for d in documents if not d.metadata.date]


def page_of(documents: Sequence[DocumentHit], request: PageRequest) -> Pages:
    """The request's page of ``documents``; a page past the last one is a 404."""
    count = max(1, math.ceil(len(documents) / request.size))
    if request.page > count:
        raise RequestProblem(404, f"Không có trang {request.page}: kết quả chỉ có {count} trang.")
    first = (request.page - 1) * request.size
    prev_href = next_href = None
    if request.page > 1:
        prev_href = search_href(
            request.params({"page": request.page - 1 if request.page > 2 else None})
        )
    if request.page < count:
        next_href = search_href(request.params({"page": request.page + 1}))
    items = list(documents[first : first + request.size])
    return Pages(request.page, count, first + 1, items, prev_href, next_href)


def document_view(doc: DocumentHit, query: str) -> DocumentView:
    meta = doc.metadata
    fields = [
        v for v in (meta.doc_type, meta.doc_number, meta.issuer, display_date(meta.date)) if v
    ]
    hits = [_hit_view(h, query) for h in doc.hits]
    best = doc.hits[0].number if doc.hits else None
    return DocumentView(
        doc.rank,
        doc.path,
        meta.title or doc.path,
        fields,
        document_href(doc.path, query, best),
        hits,
    )


def _hit_view(hit: Hit, query: str) -> HitView:
    return HitView(
        hit.number,
        hit.page,
        snippet_pieces(hit.snippet),
        document_href(hit.path, query, hit.number),
    )


def readings(
    query: str, restorations: Iterable[Restoration], request: PageRequest
) -> list[FacetValue]:
    """Each accented form of the unaccented words, as the query with those words replaced."""
    out = []
    for r in restorations:
        for form, count in r.forms:
            changed = _replace_folded(query, r.typed, form)
            out.append(
                FacetValue(form, count, search_href(request.params({"q": changed, "page": None})))
            )
    return out


def _replace_folded(query: str, typed: str, form: str) -> str:
    at = query.lower().find(typed.lower())
    if at < 0 or len(query.lower()) != len(query):  # lower() changed the length: no mapping
        return form
    return query[:at] + form + query[at + len(typed) :]


def header_fields(metadata: Metadata) -> list[tuple[str, str]]:
    """The header's fields that are known, with their Vietnamese names (the title is the heading)."""
    rows = [
        ("Loại văn bản", metadata.doc_type),
        ("Số, ký hiệu", metadata.doc_number),
        ("Cơ quan ban hành", metadata.issuer),
        ("Nơi ban hành", metadata.place),
        ("Ngày ban hành", display_date(metadata.date)),
    ]
    return [(name, value) for name, value in rows if value]


def paragraph_views(
    paragraphs: Sequence[Paragraph], highlights: dict[int, tuple[tuple[int, int], ...]]
) -> list[ParagraphView]:
    """The file's paragraphs, the matched words of ``highlights`` (by number) marked."""
    out = []
    page = None
    for p in paragraphs:
        spans = highlights.get(p.number, ())
        new_page = p.page is not None and p.page != page
        page = p.page
        out.append(ParagraphView(p.number, p.page, new_page, marked(p.text, spans), bool(spans)))
    return out
