"""The serve command: the local web page over an index (the ``web`` extra)."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import click
from rich.text import Text

from ..api import Archive
from .app import INDEX_OPTION, _fail, _stderr, cli, processes_option

WEB_PACKAGES = ("starlette", "uvicorn", "jinja2")
BACKLOG = 2048  # connections waiting to be accepted (uvicorn's own default)


@cli.command("serve")
@INDEX_OPTION
@click.option(
    "--corpus",
    "corpus",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    envvar="TRACUU_CORPUS",
    show_envvar=True,
    help="Folder the original files are downloaded from [default: the one indexed].",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; another than localhost lets the network read the archive.",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any free."
)
@processes_option(
    "-w",
    "--workers",
    help="Processes that answer requests, each with the index open and one request at a "
    "time, so more serve more people at once (each keeps its own caches); with several, "
    "each answer closes its connection and the next request goes to a free process.",
)
def serve_command(index_dir: Path, corpus: Path | None, host: str, port: int, workers: int) -> None:
    """Serve a search page over the index, read-only, for a web browser.

    Search with or without diacritics, filter by document type, issuer and year, open a
    document at its hits, download the original file; /api/search?q=... returns the JSON
    of `tracuu search --json`. It does not build the index: run `tracuu index` first.
    Needs the web extra: pip install "tracuu[web]".

    \b
    Examples:
      tracuu serve                          http://127.0.0.1:8000
      tracuu serve --index ~/luu-tru.idx --port 8080
    """
    try:
        import uvicorn
        from uvicorn.supervisors import Multiprocess

        from ..web.app import SERVE_CORPUS, SERVE_INDEX, create_app, served_app
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in WEB_PACKAGES:
            raise
        _fail('the web page needs the web extra: pip install "tracuu[web]"')
    if not Archive(index_dir).exists():
        _fail(f"no index at {index_dir} yet: run 'tracuu index' first")
    sock = _listen(host, port)
    bound = sock.getsockname()
    shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    err = _stderr()
    err.print(Text(f"tracuu: serving {index_dir} at http://{shown}:{bound[1]}/ (Ctrl-C stops)"))
    if not _is_loopback(bound[0]):
        err.print(Text(f"tracuu: warning: {host} is reachable from the network, not only here"))
    if workers == 1:
        config = uvicorn.Config(
            create_app(index_dir, corpus), log_level="warning", access_log=False
        )
        uvicorn.Server(config).run(sockets=[sock])
        return
    # uvicorn's supervisor starts the workers (and replaces one that dies); each builds
    # the application from the environment it inherits
    os.environ[SERVE_INDEX] = str(index_dir.resolve())
    os.environ[SERVE_CORPUS] = str(corpus.resolve()) if corpus is not None else ""
    config = uvicorn.Config(
        f"{create_app.__module__}:{served_app.__name__}",
        factory=True,
        workers=workers,
        log_level="warning",
        access_log=False,
    )
    Multiprocess(config, sockets=[sock]).run()


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket: a busy port or unknown host fails here, in one line (exit 2).

    Made with its protocol named (TCP), as asyncio wants it to switch Nagle's algorithm
    off on each connection; without that, a page on a kept-alive connection waits ~40 ms
    for the browser's delayed acknowledgement.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise OSError(f"cannot listen on {host}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
