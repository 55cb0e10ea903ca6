"""What can go wrong, as types: one base class, one family per cause, one exit code each.

Every error a user can cause or meet (a missing corpus, a locked or damaged index, a
malformed query, an undecodable input file) is a :class:`TracuuError`; its message is
one line for people and ``hint`` says what to do. The CLI maps them to exit codes here.
"""

from __future__ import annotations

import os
import sys

# Exit codes, as ripgrep has them, plus the shell's codes for signals.
EXIT_FOUND = 0
EXIT_NOT_FOUND = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


class TracuuError(Exception):
    """Base of every error tracuu reports to its user (exit code 2)."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        message = super().__str__()
        return f"{message} ({self.hint})" if self.hint else message


class CorpusError(TracuuError):
    """The corpus folder cannot be used (missing, not a folder)."""


class IndexProblem(TracuuError):
    """The index cannot be used or written."""


class IndexMissing(IndexProblem):
    """There is no index at the given place yet."""


class IndexLocked(IndexProblem):
    """Another process is writing the index."""


class IndexDamaged(IndexProblem):
    """The index's files are missing, unreadable or inconsistent."""


class IndexVersionError(IndexProblem):
    """The index was built by another version of tracuu."""


class IndexWriteError(IndexProblem):
    """Writing the index failed (disk full, permissions, a dead worker)."""


class EngineVersionError(TracuuError):
    """The installed Whoosh is not one this tracuu was tested with."""


class QueryError(TracuuError):
    """A query or filter that cannot be run."""


class InputError(TracuuError):
    """Input given to a command (a batch file, an argument) cannot be read."""


class UnreadableFile(TracuuError):
    """An archive file that cannot be turned into text; the message is a short reason.

    ``kind`` sorts the reasons for statistics: one of :data:`SKIP_KINDS`.
    """

    def __init__(self, message: str, hint: str | None = None, kind: str = "unreadable") -> None:
        super().__init__(message, hint)
        self.kind = kind


class NeedsOCR(UnreadableFile):
    """A scan (image, or PDF without a text layer) while OCR is not installed."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint, kind="needs-ocr")


# Why a file is not searchable, for statistics: OCR missing, password, damaged bytes, a
# type tracuu does not read, nothing in it, too big, or anything else.
SKIP_KINDS = (
    "needs-ocr",
    "encrypted",
    "corrupt",
    "unsupported",
    "empty",
    "too-large",
    "unreadable",
)


def quiet_failed_writes(info: sys.UnraisableHookArgs) -> None:
    """sys.unraisablehook of tracuu's processes (the command line and build workers): a
    file a library left open after a write failed (a full disk) fails again when it is
    collected; the failure is reported once, in one line, by whoever saw it first."""
    if isinstance(info.exc_value, OSError) and not os.environ.get("TRACUU_DEBUG"):
        return
    sys.__unraisablehook__(info)
