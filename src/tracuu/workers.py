"""A small process pool for the build: ordered results, dead workers noticed and replaced.

multiprocessing.Pool never notices a worker killed mid-task (its result just never
comes); ProcessPoolExecutor notices but fails every pending task and cannot stop its
workers. This pool knows which task each worker holds: a worker that dies has its task
retried in a new worker, and a task that kills its worker twice is given up with a
reason. Workers are spawned (forking a process with threads can deadlock), ignore Ctrl-C
(the parent decides), and die with their parent.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any

from .errors import quiet_failed_writes

ATTEMPTS = 2  # a task whose worker dies this many times is given up

# Where report() sends: the pipe to the parent in a worker, a callback in the parent.
_sink: Callable[[Any], None] | None = None


def report(message: Any) -> None:
    """Tell whoever runs the task about progress inside it (pages of a long scan)."""
    if _sink is not None:
        _sink(message)


@contextlib.contextmanager
def reporting_to(callback: Callable[[Any], None] | None) -> Iterator[None]:
    """Route report() to ``callback`` while tasks run in this process."""
    global _sink
    previous, _sink = _sink, callback
    try:
        yield
    finally:
        _sink = previous


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (no orphans after a kill -9)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the closed pipe below still ends the worker


def _serve(conn: Connection, func: Callable[[Any], Any], parent: int) -> None:
    global _sink
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.unraisablehook = quiet_failed_writes
    _die_with_parent()
    if os.getppid() != parent:
        return  # the parent died before we could ask to die with it
    _sink = lambda message: conn.send(("progress", message))  # noqa: E731
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if message is None:
            return
        index, item = message
        result = func(item)
        conn.send(("done", (index, result)))


class _Worker:
    def __init__(self, ctx: Any, func: Callable[[Any], Any]) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, func, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.task: int | None = None
        self.item: Any = None

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


class Pool:
    """``procs`` worker processes running ``func`` (a picklable top-level function).
    Workers are spawned unless ``fork``: then they are copies of this process, which
    must have no other thread.

    ``given_up(item, exitcode)`` is the result of an item whose worker died ``ATTEMPTS``
    times (a file that exhausts memory, say), so one bad item never stops the others.
    """

    def __init__(
        self,
        func: Callable[[Any], Any],
        procs: int,
        given_up: Callable[[Any, int | None], Any],
        window: int = 8,
        on_report: Callable[[Any], None] | None = None,
        fork: bool = False,
    ) -> None:
        # fork=True (where the caller knows it has no other thread): workers start as
        # copies of this process, with what it has loaded and opened
        self._ctx = multiprocessing.get_context("fork" if fork else "spawn")
        self._on_report = on_report
        self._func = func
        self._given_up = given_up
        self._procs = procs
        self._window = max(window, procs)
        self._workers: list[_Worker] = []

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker (also mid-task: on errors and interrupts nothing is waited for)."""
        for w in self._workers:
            if w.task is None:
                with contextlib.suppress(OSError):
                    w.conn.send(None)
        for w in self._workers:
            w.stop()
        self._workers = []

    def map(self, items: Iterable[Any]) -> Iterator[Any]:
        """``func(item)`` for each item, in the items' order."""
        todo = deque(enumerate(items))
        total = len(todo)
        done: dict[int, Any] = {}
        deaths: dict[int, int] = {}
        next_out = 0
        while next_out < total:
            if next_out in done:
                yield done.pop(next_out)
                next_out += 1
                continue
            self._feed(todo, next_out)
            self._collect(done, todo, deaths)

    def _feed(self, todo: deque, next_out: int) -> None:
        for w in [w for w in self._workers if w.task is None and not w.process.is_alive()]:
            w.stop()  # died between tasks: nothing lost, just replace it
            self._workers.remove(w)
        while len(self._workers) < self._procs:
            self._workers.append(_Worker(self._ctx, self._func))
        for w in self._workers:
            if w.task is None and todo and todo[0][0] < next_out + self._window:
                index, item = todo.popleft()
                try:
                    w.conn.send((index, item))
                except OSError:
                    todo.appendleft((index, item))  # it died just now; the next round replaces it
                    continue
                w.task, w.item = index, item

    def _collect(self, done: dict[int, Any], todo: deque, deaths: dict[int, int]) -> None:
        busy = [w for w in self._workers if w.task is not None]
        if not busy:
            return
        ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
        for w in busy:
            if w.conn in ready:
                try:
                    tag, payload = w.conn.recv()
                except (EOFError, OSError):
                    pass  # died while answering: handled as a death below
                else:
                    if tag == "progress":
                        if self._on_report is not None:
                            self._on_report(payload)
                    else:
                        index, result = payload
                        done[index] = result
                        w.task = None
                    continue
            if w.task is not None and (w.process.sentinel in ready or w.conn in ready):
                self._bury(w, done, todo, deaths)

    def _bury(self, w: _Worker, done: dict[int, Any], todo: deque, deaths: dict[int, int]) -> None:
        """A worker died holding a task: retry the task in a new worker, or give it up."""
        index, item = w.task, w.item
        assert index is not None
        w.process.join(5)
        exitcode = w.process.exitcode
        w.stop()
        self._workers.remove(w)
        deaths[index] = deaths.get(index, 0) + 1
        if deaths[index] >= ATTEMPTS:
            done[index] = self._given_up(item, exitcode)
        else:
            todo.appendleft((index, item))
