"""The command line's frame: one error discipline for every command, the shared options,
and the helpers the commands use. The commands live in :mod:`.indexing` and
:mod:`.searching`; the CLI is the only part of tracuu that prints.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import __version__
from ..api import Archive
from ..errors import (
    EXIT_ERROR,
    EXIT_FOUND,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    InputError,
    TracuuError,
    quiet_failed_writes,
)
from ..text import is_valid

if TYPE_CHECKING:
    from rich.console import Console

    from ..render import Line


def _folder_option(flag: str, name: str, default: str, envvar: str, text: str):
    return click.option(
        flag,
        name,
        type=click.Path(path_type=Path, file_okay=False),
        default=Path(default),
        envvar=envvar,
        show_default=True,
        show_envvar=True,
        help=text,
    )


CORPUS_OPTION = _folder_option(
    "--corpus", "corpus", "corpus", "TRACUU_CORPUS", "Folder of archive files to index."
)
INDEX_OPTION = _folder_option(
    "--index", "index_dir", "index", "TRACUU_INDEX", "Folder the index lives in."
)
# filter options: (option, the query filter it sets, metavar, help)
_FILTERS = [
    ("--from", "from", "DATE", "Only documents dated on/after DATE (2000, 2000-03, 01/03/2000)."),
    ("--to", "to", "DATE", "Only documents dated on/before DATE."),
    ("--year", "year", "YEAR", "Only documents of YEAR, or of a range such as 1999-2001."),
    ("--type", "type", "TYPE", "Only documents of this type (quyết định, công văn ...)."),
    ("--issuer", "issuer", "TEXT", "Only documents whose issuing body contains TEXT."),
    ("--file", "file", "GLOB", "Only files whose path matches GLOB (e.g. 'bao-cao*')."),
]


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that clean-up code runs as for Ctrl-C."""


def query_options(limit_help: str, by_document: bool = False):
    """The options search and batch share: limit, diacritic mode, filters, locations;
    ``by_document``: whether documents, not paragraphs, are ranked by default.

    The filter options reach the command as one ``filters`` argument: (name, value) pairs
    for the API.
    """
    options = [
        click.option(
            "-n",
            "--limit",
            type=click.IntRange(1, 10000),
            default=10,
            show_default=True,
            help=limit_help,
        ),
        click.option("--exact", "mode", flag_value="exact", help="No folding: match as typed."),
        click.option("--fold", "mode", flag_value="fold", help="Ignore all diacritics."),
        click.option(
            "--by-document/--by-paragraph",
            "by_document",
            default=by_document,
            show_default=True,
            help="Rank documents (each with its best paragraphs, scored from the whole "
            "document) or paragraphs.",
        ),
        *(
            click.option(flag, f"filter_{name}", metavar=mv, help=h)
            for flag, name, mv, h in _FILTERS
        ),
        CORPUS_OPTION,
        INDEX_OPTION,
    ]

    def decorate(f):
        @functools.wraps(f)
        def command(**kwargs):
            given = [(name, kwargs.pop(f"filter_{name}")) for _, name, _, _ in _FILTERS]
            return f(filters=[(name, _argument(v)) for name, v in given if v], **kwargs)

        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _argument(value: str) -> str:
    """A command-line value; bytes that are not UTF-8 are refused, not searched."""
    if not is_valid(value):
        raise InputError("an argument is not valid UTF-8 text")
    return value


def _stderr() -> Console:
    # rich is imported when something is written with it (14 ms: a batch of well-formed
    # queries writes nothing on stderr, and JSON needs none of it)
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def _print_lines(lines: list[Line], color: str = "auto") -> None:
    """Rendered lines on stdout: through rich, which styles them on a terminal (or with
    --color always), or as plain text where rich would style nothing. That is what a
    pipe, a file or --color never gets, without the 30-40 ms that loading rich costs."""
    from .. import render

    if color == "never" or (color == "auto" and not _stdout_is_terminal()):
        click.echo("".join(render.plain(line) + "\n" for line in lines), nl=False)
        return
    from rich.console import Console

    out = Console(highlight=False, soft_wrap=True, force_terminal=color == "always" or None)
    for line in lines:
        out.print(render.rich_text(line))


def _stdout_is_terminal() -> bool:
    """False where rich, left to itself, would write no style: stdout is no terminal and
    no variable (FORCE_COLOR, TTY_COMPATIBLE) tells rich otherwise."""
    if "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ:
        return True  # rich decides
    try:
        return sys.stdout.isatty()
    except ValueError:  # closed
        return False


def _say(message: str, console: Console | None = None) -> None:
    """One line of plain text (never markup) on stderr, or on ``console``."""
    from rich.text import Text

    (console or _stderr()).print(Text(message))


def _fail(message: str, code: int = EXIT_ERROR) -> None:
    _say(f"tracuu: error: {message}")
    sys.exit(code)


def _open_archive(index_dir: Path, corpus: Path) -> Archive:
    """The archive at ``index_dir``, built from ``corpus`` first if there is no index yet."""
    archive = Archive(index_dir)
    if not archive.exists():
        _say(f"tracuu: no index at {index_dir} yet; building it from {corpus} (first run)")
        _run_index(archive, corpus, rebuild=True, jobs=default_jobs(), quiet=False)
    return archive


def default_jobs() -> int:
    return min(2, os.cpu_count() or 1)


def processes_option(*names: str, help: str):
    """An option for how many processes a command uses: 1 to 64, min(2, CPUs) unless set."""
    return click.option(
        *names,
        type=click.IntRange(1, 64),
        default=default_jobs,
        show_default="min(2, CPUs)",
        help=help,
    )


def _run_index(
    archive: Archive, corpus: Path, rebuild: bool, jobs: int, quiet: bool, words: bool = True
):
    from .. import render

    console = _stderr()
    with render.ProgressBar(console, quiet) as bar:
        summary = archive.update(corpus, rebuild=rebuild, procs=jobs, progress=bar, words=words)
    if summary.repaired:
        _say(f"tracuu: warning: the index was damaged ({summary.repaired}); rebuilt it", console)
    if not quiet:
        _say(render.summary_line(summary), console)
    return summary


# command -> the module of this package that defines it, imported when the command runs or
# is listed: `tracuu search` does not pay for the server's or the indexer's imports
COMMANDS = {
    "index": "indexing",
    "stats": "indexing",
    "show": "indexing",
    "check": "indexing",
    "search": "searching",
    "batch": "searching",
    "serve": "serving",
}


class _Group(click.Group):
    """Turns every failure into one line on stderr and an exit code, for every command;
    loads each command's module on first use."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"{__package__}.{COMMANDS[cmd_name]}")
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMANDS))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.ClickException, click.exceptions.Abort):
            raise  # click's own: --help, usage errors
        except TracuuError as exc:
            if exc.__cause__ is not None and os.environ.get("TRACUU_DEBUG"):
                raise  # where the failure underneath came from
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _stderr().print("tracuu: interrupted")
            sys.exit(EXIT_INTERRUPTED)
        except Terminated:
            _stderr().print("tracuu: interrupted (SIGTERM)")
            sys.exit(EXIT_TERMINATED)
        except BrokenPipeError:
            # the reader went away (e.g. `| head`): not worth a message
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_FOUND)
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            _fail(f"{exc.strerror or exc}{where}")
        except Exception as exc:  # noqa: BLE001 - never a traceback for the user
            if os.environ.get("TRACUU_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (TRACUU_DEBUG=1 shows where)")


@click.group(
    cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="tracuu")
def cli() -> None:
    """tracuu ("tra cứu", to look up): full-text search for Vietnamese archives.

    \b
    Typical use:
      tracuu index                      build or update ./index from ./corpus
      tracuu search chỉnh đốn Đảng      ranked, highlighted paragraphs
      tracuu search chinh don dang      the same words typed without diacritics
      tracuu stats                      what the index holds

    Exit codes: 0 found, 1 nothing found, 2 error, 130 interrupted.
    """


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main() -> None:
    """Console entry point: runs the command line, then ends the process."""
    signal.signal(signal.SIGTERM, _terminate)
    sys.unraisablehook = quiet_failed_writes
    # registered before the command runs, so it runs after the exit handlers the command
    # registers (they run last first): a build's worker pool, temporary folders
    atexit.register(_end_now)
    try:
        cli(prog_name="tracuu")
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            global _exit_status
            _exit_status = exc.code or 0
        raise


_exit_status: int | None = None  # main()'s, once the command has ended


def _end_now() -> None:
    """The last exit handler: stdout and stderr flushed, the process ends with the
    command's exit status. Python would then take every module and object apart, one by
    one (53-57 M instructions after a search, 9 % of a cold search's), for files that
    every command has closed: the kernel frees the memory at once."""
    if _exit_status is None:
        return  # not ended by the command (an exception escaped): Python ends as usual
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass  # the reader went away, or the stream is closed: nothing more to say
    os._exit(_exit_status)
