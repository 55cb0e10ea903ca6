"""What a web request asks for, read from its URL parameters and bounded: the query's
length, the page number and size, the filters as the API takes them.

Pure functions over a mapping of parameters, so they are tested without a server.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

MAX_QUERY = 500  # characters of a query
PAGE_SIZE, MAX_PAGE_SIZE = 10, 50  # documents on a result page
DEPTH = 200  # documents fetched per query: the facets count them, the pages cut them
API_LIMIT, API_MAX_LIMIT = 10, 200
MODES = ("auto", "exact", "fold")
SORTS = ("relevance", "date")
PAGE_FILTERS = ("type", "issuer", "from", "to")  # the search page's filter fields
API_FILTERS = ("type", "issuer", "from", "to", "year", "file")  # as `tracuu search` has them


class RequestProblem(Exception):
    """A request that cannot be answered as asked: an HTTP status and a message for people."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class PageRequest(msgspec.Struct, frozen=True):
    """The search page's parameters, checked."""

    query: str
    filters: tuple[tuple[str, str], ...]  # (name, value) in PAGE_FILTERS order
    sort: str
    page: int
    size: int

    def params(self, changes: Mapping[str, str | int | None] | None = None) -> dict[str, str]:
        """The URL parameters of this request with ``changes`` (None or "" drops one)."""
        values: dict[str, str | int | None] = {"q": self.query, **dict(self.filters)}
        values["sort"] = self.sort if self.sort != SORTS[0] else None
        values["n"] = self.size if self.size != PAGE_SIZE else None
        values.update(changes or {})
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


class ApiRequest(msgspec.Struct, frozen=True):
    """The API's parameters, checked: those of ``tracuu search --json``."""

    query: str
    limit: int
    mode: str
    by_document: bool
    count: bool
    filters: tuple[tuple[str, str], ...]


def read_query(params: Mapping[str, str], required: bool = False) -> str:
    """The query ``q``, stripped; too long or (when required) missing is a 400."""
    query = " ".join(params.get("q", "").split())
    if len(query) > MAX_QUERY:
        raise RequestProblem(
            400, f"Câu tìm kiếm quá dài ({len(query)} ký tự; tối đa {MAX_QUERY} ký tự)."
        )
    if required and not query:
        raise RequestProblem(400, "Thiếu câu tìm kiếm (tham số q).")
    return query


def read_int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """A whole number between ``low`` and ``high``; anything else is a 400."""
    raw = params.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise RequestProblem(
            400, f"Tham số {name}={raw[:20]!r} không hợp lệ: cần một số từ {low} đến {high}."
        )
    return int(raw)


def read_choice(params: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    raw = params.get(name, "").strip() or choices[0]
    if raw not in choices:
        raise RequestProblem(
            400, f"Tham số {name}={raw[:20]!r} không hợp lệ: dùng {' hoặc '.join(choices)}."
        )
    return raw


def read_filters(params: Mapping[str, str], names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    out = []
    for name in names:
        value = " ".join(params.get(name, "").split())
        if len(value) > MAX_QUERY:
            raise RequestProblem(400, f"Giá trị lọc {name} quá dài (tối đa {MAX_QUERY} ký tự).")
        if value:
            out.append((name, value))
    return tuple(out)


def read_flag(params: Mapping[str, str], name: str) -> bool:
    raw = params.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise RequestProblem(400, f"Tham số {name}={raw[:20]!r} không hợp lệ: dùng 1 hoặc 0.")


def page_request(params: Mapping[str, str]) -> PageRequest:
    """The search page's request: q, type, issuer, from, to, sort, page, n."""
    return PageRequest(
        query=read_query(params),
        filters=read_filters(params, PAGE_FILTERS),
        sort=read_choice(params, "sort", SORTS),
        page=read_int(params, "page", 1, 1, DEPTH),
        size=read_int(params, "n", PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )


def api_request(params: Mapping[str, str]) -> ApiRequest:
    """The API's request: q, limit, mode, by_document, count and the CLI's filters."""
    return ApiRequest(
        query=read_query(params, required=True),
        limit=read_int(params, "limit", API_LIMIT, 1, API_MAX_LIMIT),
        mode=read_choice(params, "mode", MODES),
        by_document=read_flag(params, "by_document"),
        count=read_flag(params, "count"),
        filters=read_filters(params, API_FILTERS),
    )
