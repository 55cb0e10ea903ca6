"""tracuu ("tra cứu"): full-text search for Vietnamese archives.

The Python API::

    from tracuu import Archive
    archive = Archive("index")
    archive.update("corpus")                 # build or refresh the index
    for hit in archive.search("chỉnh đốn Đảng", limit=5):
        print(hit.path, hit.number, hit.doc_number, hit.snippet.text)
"""

import sys
from typing import Any

__version__ = "0.1.0"


def _import_msgspec() -> None:
    """Import msgspec (every record of tracuu is one) without typing_extensions.

    msgspec imports typing_extensions where it is installed (python-docx brings it in)
    and falls back to typing where it is not, which on Python >= 3.11 has all msgspec
    takes from it. That import was a twelfth of a cold ``tracuu search`` (48 M
    instructions): it is skipped here, unless something imported typing_extensions
    already; nothing else is changed, and a later import of it loads it as usual.
    tests/test_cli.py fails if msgspec stops falling back so; if an import of msgspec
    fails without it, msgspec is imported again with it."""
    if "msgspec" in sys.modules or "typing_extensions" in sys.modules:
        return
    sys.modules["typing_extensions"] = None  # type: ignore[assignment]  # (its import fails)
    try:
        import msgspec  # noqa: F401
    except ImportError:  # a msgspec that needs it after all: imported below as it is
        for name in [m for m in sys.modules if m.partition(".")[0] == "msgspec"]:
            del sys.modules[name]
    finally:
        if "typing_extensions" in sys.modules and sys.modules["typing_extensions"] is None:
            del sys.modules["typing_extensions"]
    import msgspec  # noqa: F401, F811


_import_msgspec()

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
