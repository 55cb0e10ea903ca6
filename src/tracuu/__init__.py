"""tracuu ("tra cứu"): full-text search for Vietnamese archives.

The Python API::

    from tracuu import Archive
    archive = Archive("index")
    archive.update("corpus")                 # build or refresh the index
    for hit in archive.search("chỉnh đốn Đảng", limit=5):
        print(hit.path, hit.number, hit.doc_number, hit.snippet.text)
"""

from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it; imported lazily, so that `import tracuu.text`
# (worker processes, tests) does not load Whoosh
_EXPORTS = {
    "Archive": "api",
    "Stats": "api",
    "TopicResult": "api",
    "UpdateSummary": "build",
    "Progress": "models",
    "Document": "models",
    "Hit": "models",
    "Metadata": "models",
    "Paragraph": "models",
    "Ranking": "models",
    "Restoration": "models",
    "Results": "models",
    "Snippet": "models",
    "Topic": "output",
    "read_topics": "output",
    "TracuuError": "errors",
    "CorpusError": "errors",
    "IndexProblem": "errors",
    "IndexMissing": "errors",
    "IndexLocked": "errors",
    "IndexDamaged": "errors",
    "IndexVersionError": "errors",
    "IndexWriteError": "errors",
    "EngineVersionError": "errors",
    "QueryError": "errors",
    "InputError": "errors",
    "UnreadableFile": "errors",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tracuu' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted(__all__)
