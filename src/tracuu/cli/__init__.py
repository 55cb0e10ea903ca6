"""The ``tracuu`` command line: a thin layer over the API, and the only part that prints.

Humans get rich output (plain text when piped); scripts get ``--json``, ``--jsonl`` and
the batch formats of :mod:`tracuu.output`. Exit codes: :mod:`tracuu.errors`; never a
traceback.
"""

from .app import cli, main  # the commands' modules load on first use (app.COMMANDS)

__all__ = ["cli", "main"]
