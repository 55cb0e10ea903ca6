"""A local, read-only web page over an index, for people who don't use a terminal
(``tracuu serve``; the ``web`` extra: Starlette, uvicorn, Jinja2).

Search with facets and paging, a document page with the hits marked, the original files,
and ``/api/search`` returning the records of ``tracuu search --json``.
"""

from .app import create_app

__all__ = ["create_app"]
