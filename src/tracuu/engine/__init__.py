"""The engine: the only part of tracuu that knows Whoosh (``whoosh3``).

Everything above it speaks tracuu's types (documents, compiled queries, docnums, scores);
terms come from :mod:`tracuu.analysis`. Whoosh is imported only through :mod:`.gate`,
which refuses a version tracuu was not tested with; every use of Whoosh internals is in
:mod:`.internals`, each with a test against Whoosh's own behaviour.
"""

from .internals import install_speedups, uninstall_speedups
from .schema import TRANSIENT_FILES, Prepared, paragraph_fields, prepare
from .searcher import Searcher
from .writer import LIMIT_MB, Writer, contents, join, open_index, pool_mb, write_spellings

__all__ = [
    "LIMIT_MB",
    "TRANSIENT_FILES",
    "Prepared",
    "Searcher",
    "Writer",
    "contents",
    "install_speedups",
    "open_index",
    "paragraph_fields",
    "join",
    "pool_mb",
    "prepare",
    "uninstall_speedups",
    "write_spellings",
]
