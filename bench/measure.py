"""Measuring commands: wall time, CPU time and peak memory of a whole process tree.

``run_measured`` starts a command and reaps it with ``os.wait4``, whose resource usage
covers the process and every descendant it waited for (tracuu's worker processes): user
and system CPU seconds summed over the tree, and the peak RSS of its largest single
process. Used by ``speed.py`` for every build, tracuu's and the plain Whoosh references.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Usage:
    """What one command took; ``error`` says why it failed (then the rest is partial)."""

    wall_s: float
    user_s: float
    sys_s: float
    peak_rss_mb: float
    exit_code: int
    stderr_tail: str = ""
    error: str | None = None

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.sys_s

    def to_json(self) -> dict:
        return {**asdict(self), "cpu_s": self.cpu_s}


def run_measured(
    argv: Sequence[str],
    cwd: Path,
    stdout: Path | None = None,
    ok: Sequence[int] = (0,),
    tty: bool = False,
) -> Usage:
    """Run ``argv`` in ``cwd`` (stdout to a file, to nowhere, or with ``tty`` to a pseudo
    terminal read as it writes, as a person at a terminal sees it) and measure it."""
    with contextlib.ExitStack() as stack:
        err = stack.enter_context(tempfile.TemporaryFile())
        if tty:
            import pty

            reader, writer = pty.openpty()
            stack.callback(os.close, reader)
            out = stack.enter_context(open(writer, "wb"))
            drain = threading.Thread(target=_drain, args=(reader,), daemon=True)
            drain.start()
        else:
            out = stack.enter_context(open(stdout or os.devnull, "wb"))
        t0 = time.perf_counter()
        try:
            proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err)
        except OSError as exc:
            return Usage(0.0, 0.0, 0.0, 0.0, -1, error=f"cannot run {argv[0]}: {exc}")
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
    usage = Usage(wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss / 1024, proc.returncode)
    usage.stderr_tail = " | ".join(tail)
    if proc.returncode not in ok:
        usage.error = f"exit {proc.returncode}: {tail[-1] if tail else 'no message'}"
    return usage


def _drain(fd: int) -> None:
    """Read a pseudo terminal until it closes, so that its writer never blocks."""
    with contextlib.suppress(OSError):
        while os.read(fd, 65536):
            pass


def dir_size(path: Path) -> int:
    """Bytes of every file below ``path`` (the whole index folder)."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def load_average() -> list[float] | None:
    """1, 5 and 15-minute load averages: other work on the machine slows every timing."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


YARDSTICK_LOOP = 10**7  # additions in the yardstick's loop


def yardstick() -> float:
    """Seconds a fixed loop of plain Python takes here (the best of 3): how fast the
    machine runs now. A shared machine's speed can move by 2x within an hour; runs whose
    yardsticks differ do not compare."""
    best = float("inf")
    for _ in range(3):
        start, total = time.perf_counter(), 0
        for i in range(YARDSTICK_LOOP):
            total += i
        best = min(best, time.perf_counter() - start)
    return round(best, 3)


def nproc() -> int:
    """CPUs this process may use (what ``nproc`` prints)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def python_for(command: Sequence[str]) -> str:
    """The Python of the virtualenv a ``tracuu`` command belongs to, for its Python API.

    ``/venv/bin/tracuu`` -> ``/venv/bin/python``; a command found on PATH likewise; anything
    else (``python -m tracuu``, ``env ... tracuu``) falls back to the running Python.
    """
    if len(command) == 1:
        found = shutil.which(command[0])
        if found:
            beside = Path(found).parent / "python"
            if beside.exists():
                return str(beside)
    return sys.executable
