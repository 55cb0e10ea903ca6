"""Server processes that share a port take one waiting connection at a time.

asyncio's loop, woken by a listening socket, accepts every connection waiting there (up
to the server's backlog) before it answers any of them. With ``tracuu serve -w N``, a
process that answers one request at a time would so take the requests of everyone
waiting and keep them queued behind each other while another process sat idle (under
load, page p95 1.3 times as long). Here the loop accepts one connection per wake-up, so
the others wait in the kernel's queue for whichever process is free first, in the order
they came. The one use of asyncio's internals in tracuu; tests/test_web.py fails if
Python changes them.
"""

from __future__ import annotations

import asyncio.selector_events as _events
import inspect

_LOOP = _events.BaseSelectorEventLoop
_ACCEPT = getattr(_LOOP, "_accept_connection", None)
# (self, protocol_factory, sock, sslcontext, server, backlog, ...): backlog is how many
PARAMETERS = ("self", "protocol_factory", "sock", "sslcontext", "server", "backlog")


def accept_one_at_a_time() -> None:
    """Make this process's asyncio loops accept one waiting connection per wake-up."""
    if _ACCEPT is None or tuple(inspect.signature(_ACCEPT).parameters)[:6] != PARAMETERS:
        return  # another Python: leave it be (fairness, not correctness)
    setattr(_LOOP, "_accept_connection", _accept_one)  # noqa: B010


def accept_all_waiting() -> None:
    """Undo :func:`accept_one_at_a_time` (asyncio's own behaviour)."""
    if _ACCEPT is not None:
        setattr(_LOOP, "_accept_connection", _ACCEPT)  # noqa: B010


def _accept_one(self, protocol_factory, sock, sslcontext=None, server=None, backlog=100, *rest):
    assert _ACCEPT is not None
    return _ACCEPT(self, protocol_factory, sock, sslcontext, server, 1, *rest)
