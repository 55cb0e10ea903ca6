"""The ``tracuu`` command line: a thin layer over the API, and the only part that prints.

Humans get rich output (plain text when piped); scripts get ``--json``, ``--jsonl`` and
the batch formats of :mod:`tracuu.output`. Exit codes: :mod:`tracuu.errors`; never a
traceback.
"""

import os

# numpy's OpenBLAS starts a thread per core when it loads, and they spin for a tenth of a
# CPU second that tracuu never uses (no matrix products: sums, sorts and bincounts); a
# batch's workers are processes. Set before anything imports numpy; the user's own
# setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .app import cli, main  # noqa: E402  (the commands' modules load on first use)

__all__ = ["cli", "main"]
