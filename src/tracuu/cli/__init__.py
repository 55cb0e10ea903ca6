"""The ``tracuu`` command line: a thin layer over the API, and the only part that prints.

Humans get rich output (plain text when piped); scripts get ``--json``, ``--jsonl`` and
the batch formats of :mod:`tracuu.output`. Exit codes: :mod:`tracuu.errors`; never a
traceback.
"""

from . import indexing, searching, serving  # noqa: F401 - registers the commands
from .app import cli, main

__all__ = ["cli", "main"]
