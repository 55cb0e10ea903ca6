"""tracuu ("tra cứu"): full-text search for Vietnamese archives.

The Python API::

    from tracuu import Archive
    archive = Archive("index")
    archive.update("corpus")                 # build or refresh the index
    for hit in archive.search("chỉnh đốn Đảng", limit=5):
        print(hit.path, hit.number, hit.snippet.text)
"""

__version__ = "0.1.0"

__all__ = ["Archive", "TracuuError", "Hit", "Ranking", "Results", "Snippet", "__version__"]


def __getattr__(name: str):
    # Lazy, so that `import tracuu.text` (worker processes, tests) does not load Whoosh.
    if name in ("Archive", "TracuuError"):
        from . import api

        return getattr(api, name)
    if name in ("Hit", "Ranking", "Results", "Snippet"):
        from . import search

        return getattr(search, name)
    raise AttributeError(f"module 'tracuu' has no attribute {name!r}")
