"""The web page's routes: search, document, original file, JSON API; and its errors.

Every failure is a page (or, under /api/, a JSON object) with one clear message and an
HTTP status: 400 for a bad request or malformed query, 404 for an unknown document or
page, 503 while the index cannot be opened; never a stack trace.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import __version__
from ..errors import IndexMissing, IndexProblem, InputError, QueryError, TracuuError
from ..inventory import INDEXED, FileStatus
from ..models import DocumentHit, Hit, Paragraph, Results
from ..output import results_record
from . import form, views
from .accepting import accept_one_at_a_time
from .shared import SharedArchive
from .timing import Timing

HERE = Path(__file__).parent
log = logging.getLogger("tracuu.web")
Endpoint = Callable[[Request], Response]


SERVE_INDEX, SERVE_CORPUS = "TRACUU_SERVE_INDEX", "TRACUU_SERVE_CORPUS"  # see served_app


def served_app() -> Starlette:
    """The application of a ``tracuu serve --workers N`` worker process (uvicorn imports
    it by name there): over the index and corpus ``tracuu serve`` put in the environment,
    one of several processes on one port."""
    index, corpus = os.environ[SERVE_INDEX], os.environ.get(SERVE_CORPUS) or None
    accept_one_at_a_time()  # (this process is one of several on the port)
    return create_app(index, corpus, shared_port=True)


def create_app(
    index_dir: str | Path, corpus_dir: str | Path | None = None, shared_port: bool = False
) -> Starlette:
    """The web application over one index folder (opened on the first request).

    ``corpus_dir`` is where the original files are downloaded from; by default the
    folder the index was built from.

    A process answers one request at a time, start to end, in its event loop: the
    interpreter runs one thread at a time anyway, and threads that render pages while
    another searches only slow the search down (under load, pages came a fifth slower
    and their p95 was 1.5 times as long). With ``shared_port`` (``tracuu serve -w N``),
    each answer closes its connection, as gunicorn's sync workers do: the next request
    is a new connection, taken by whichever process is free, in the order they came (a
    browser's kept-alive connection would keep queueing at its busy process while
    another waits idle), one at a time (:mod:`.accepting`).
    """
    site = Site(SharedArchive(index_dir, corpus_dir), close=shared_port)
    routes = [
        Route("/", _in_turn(site.search_page), name="search"),
        Route("/doc/{name:path}", _in_turn(site.document_page), name="document"),
        Route("/file/{name:path}", _in_turn(site.original_file), name="file"),
        Route("/api/search", _in_turn(site.api_search), name="api"),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: site.http_error, Exception: site.server_error},
    )
    app.state.site = site
    return app


def _in_turn(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    """``endpoint`` run in the event loop (Starlette runs a plain function in a thread):
    the request has the process to itself until its answer is made."""

    async def answer(request: Request) -> Response:
        return endpoint(request)

    return answer


def _problem(exc: Exception) -> tuple[int, str]:
    """The HTTP status and the message for people of an error."""
    if isinstance(exc, form.RequestProblem):
        return exc.status, exc.message
    if isinstance(exc, QueryError):
        return 400, f"Câu tìm kiếm không hợp lệ: {exc}"
    if isinstance(exc, InputError):
        return 400, str(exc)
    if isinstance(exc, IndexMissing):
        return 503, f"Chưa có chỉ mục: {exc}. Hãy chạy lệnh tracuu index rồi tải lại trang."
    if isinstance(exc, IndexProblem):
        return 503, f"Chưa mở được chỉ mục: {exc}"
    if isinstance(exc, TracuuError):
        return 500, str(exc)
    return 500, "Lỗi nội bộ của máy chủ; xem dòng báo lỗi trong cửa sổ chạy tracuu serve."


def _report(request: Request, exc: Exception) -> None:
    if os.environ.get("TRACUU_DEBUG"):
        log.exception("internal error on %s", request.url.path)
    else:
        log.error(
            "tracuu: internal error on %s: %s: %s (TRACUU_DEBUG=1 shows where)",
            request.url.path,
            type(exc).__name__,
            exc,
        )


class Site:
    """The pages over one shared archive, rendered by Jinja2 with every value escaped."""

    def __init__(self, shared: SharedArchive, close: bool = False) -> None:
        self.shared = shared
        self.close = close  # each answer closes its connection (see create_app)
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, name: str, http_status: int = 200, **context: Any) -> HTMLResponse:
        page = self.templates.get_template(name).render(version=__version__, **context)
        return HTMLResponse(page, status_code=http_status)

    # ---- errors -----------------------------------------------------------------

    def error(self, request: Request, exc: Exception) -> Response:
        status, message = _problem(exc)
        if status >= 500 and not isinstance(exc, TracuuError):
            _report(request, exc)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        query = request.query_params.get("q", "")[: form.MAX_QUERY]
        try:
            return self.render("error.html", status, message=message, status=status, query=query)
        except Exception as again:  # noqa: BLE001 - the message still reaches the reader
            _report(request, again)
            return PlainTextResponse(message, status_code=status)

    def http_error(self, request: Request, exc: Exception) -> Response:
        code = getattr(exc, "status_code", 500)
        messages = {404: "Không có trang này.", 405: "Trang này chỉ đọc (dùng GET)."}
        problem = form.RequestProblem(code, messages.get(code, f"Lỗi HTTP {code}."))
        return self.error(request, problem)

    def server_error(self, request: Request, exc: Exception) -> Response:
        return self.error(request, exc)

    # ---- pages ------------------------------------------------------------------

    def search_page(self, request: Request) -> Response:
        return self._guarded(self._search_page, request)

    def document_page(self, request: Request) -> Response:
        return self._guarded(self._document_page, request)

    def original_file(self, request: Request) -> Response:
        return self._guarded(self._original_file, request)

    def api_search(self, request: Request) -> Response:
        return self._guarded(self._api_search, request)

    def _guarded(self, endpoint: Endpoint, request: Request) -> Response:
        timing = request.state.timing = Timing()
        try:
            response = endpoint(request)
        except Exception as exc:  # noqa: BLE001 - every error is a page, never a trace
            response = self.error(request, exc)
        if timing.parts:
            response.headers["Server-Timing"] = timing.header()
        if self.close:
            response.headers["Connection"] = "close"
        return response

    def _search_page(self, request: Request) -> Response:
        req = form.page_request(request.query_params)
        if not req.query:
            indexed = sum(1 for f in self.shared.files().values() if f.status == INDEXED)
            return self.render("search.html", req=req, results=None, documents=indexed)
        timing = request.state.timing
        results = self.shared.documents(req.query, req.filters, form.DEPTH, timing)
        found = results.documents or []
        pages = views.page_of(views.sort_documents(found, req.sort), req)
        shown = self.shared.marked(pages.documents, req.query, timing)
        with timing.part("render"):
            return self._results_page(req, results, pages, shown)

    def _results_page(
        self,
        req: form.PageRequest,
        results: Results,
        pages: views.Pages,
        shown: list[DocumentHit],
    ) -> Response:
        found = results.documents or []
        suggestion = results.suggestion
        return self.render(
            "search.html",
            req=req,
            results=results,
            found=len(found),
            more=len(found) >= form.DEPTH,
            pages=pages,
            shown=[views.document_view(d, req.query) for d in shown],
            facets=views.facets(found, req),
            filters=views.active_filters(req),
            readings=views.readings(req.query, results.restorations, req),
            suggestion=suggestion,
            suggestion_href=views.search_href(req.params({"q": suggestion, "page": None}))
            if suggestion
            else None,
            sort_hrefs={
                s: views.search_href(req.params({"sort": s, "page": None})) for s in form.SORTS
            },
        )

    def _document_page(self, request: Request) -> Response:
        name = request.path_params["name"]
        query = form.read_query(request.query_params)
        timing = request.state.timing
        with self.shared.use(timing) as archive:
            status = self.shared.files().get(name)
            if status is None:
                raise form.RequestProblem(
                    404, f"Không có văn bản «{name}» trong kho đã lập chỉ mục."
                )
            with timing.part("search"):
                paragraphs = archive.searcher.paragraphs_of(name)
                hits = archive.searcher.hits_in(name, query) if query and paragraphs else []
        with timing.part("render"):
            return self._document(status, query, paragraphs, hits)

    def _document(
        self, status: FileStatus, query: str, paragraphs: list[Paragraph], hits: list[Hit]
    ) -> Response:
        marks = {h.number: h.highlights for h in hits}
        return self.render(
            "document.html",
            status=status,
            query=query,
            fields=views.header_fields(status.metadata),
            paragraphs=views.paragraph_views(paragraphs, marks),
            first_hit=hits[0].number if hits else None,
            hit_numbers=sorted(marks),
            back_href=views.search_href({"q": query} if query else {}),
            file_href=views.file_href(status.file) if status.status == INDEXED else None,
        )

    def _original_file(self, request: Request) -> Response:
        name = request.path_params["name"]
        parts = PurePosixPath(name).parts
        status = self.shared.indexed(name)
        if status is None or not parts or ".." in parts or name.startswith("/"):
            raise form.RequestProblem(404, f"Không có tệp «{name}» trong kho đã lập chỉ mục.")
        path = self.shared.corpus_dir().joinpath(*parts)
        if not path.is_file():
            raise form.RequestProblem(
                404, f"Tệp gốc «{name}» không còn trong thư mục kho ({path.parent})."
            )
        return FileResponse(path, filename=parts[-1], content_disposition_type="attachment")

    def _api_search(self, request: Request) -> Response:
        req = form.api_request(request.query_params)
        timing = request.state.timing
        with self.shared.use(timing) as archive, timing.part("search"):
            results = archive.run(
                req.query,
                limit=req.limit,
                mode=req.mode,
                filters=list(req.filters),
                count=req.count,
                by_document=req.by_document,
            )
        return JSONResponse(results_record(results))


__all__ = ["create_app"]
