"""The ``tracuu`` command line: a thin layer over the API, and the only module that prints.

Humans get rich output (plain text when piped); scripts get ``--json``, ``--jsonl`` and
the batch formats of :mod:`.output`. Exit codes: :mod:`.errors`; never a traceback.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from . import __version__, render
from .api import Archive
from .errors import (
    EXIT_ERROR,
    EXIT_FOUND,
    EXIT_INTERRUPTED,
    EXIT_NOT_FOUND,
    EXIT_TERMINATED,
    InputError,
    TracuuError,
)
from .text import is_valid


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
_QUERY_OPTIONS = [
    click.option(
        "--exact", "mode", flag_value="exact", help="No folding: every word must match as typed."
    ),
    click.option(
        "--fold", "mode", flag_value="fold", help="Fold everything: ignore all diacritics."
    ),
    click.option(
        "--from",
        "date_from",
        metavar="DATE",
        help="Only documents dated on/after DATE (2000, 2000-03, 01/03/2000).",
    ),
    click.option("--to", "date_to", metavar="DATE", help="Only documents dated on/before DATE."),
    click.option(
        "--file",
        "file_glob",
        metavar="GLOB",
        help="Only files whose path matches GLOB (e.g. 'bao-cao*').",
    ),
    CORPUS_OPTION,
    INDEX_OPTION,
]


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that clean-up code runs as for Ctrl-C."""


def query_options(limit_help: str):
    """The options search and batch share: limit, diacritic mode, filters, locations."""
    limit = click.option(
        "-n",
        "--limit",
        type=click.IntRange(1, 10000),
        default=10,
        show_default=True,
        help=limit_help,
    )

    def decorate(f):
        for option in reversed([limit, *_QUERY_OPTIONS]):
            f = option(f)
        return f

    return decorate


def _filters(date_from: str | None, date_to: str | None, file_glob: str | None):
    pairs = (("from", date_from), ("to", date_to), ("file", file_glob))
    return [(name, _argument(value)) for name, value in pairs if value]


def _argument(value: str) -> str:
    """A command-line value; bytes that are not UTF-8 are refused, not searched."""
    if not is_valid(value):
        raise InputError("an argument is not valid UTF-8 text")
    return value


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(message: str, code: int = EXIT_ERROR) -> None:
    _stderr().print(Text(f"tracuu: error: {message}"))
    sys.exit(code)


def _open_archive(index_dir: Path, corpus: Path) -> Archive:
    """The archive at ``index_dir``, built from ``corpus`` first if there is no index yet."""
    archive = Archive(index_dir)
    if not archive.exists():
        _stderr().print(
            Text(f"tracuu: no index at {index_dir} yet; building it from {corpus} (first run)")
        )
        _run_index(archive, corpus, rebuild=True, jobs=min(2, os.cpu_count() or 1), quiet=False)
    return archive


def _run_index(archive: Archive, corpus: Path, rebuild: bool, jobs: int, quiet: bool):
    console = _stderr()
    with render.ProgressBar(console, quiet) as bar:
        summary = archive.update(corpus, rebuild=rebuild, procs=jobs, progress=bar)
    if summary.repaired:
        console.print(
            Text(f"tracuu: warning: the index was damaged ({summary.repaired}); rebuilt it")
        )
    if not quiet:
        console.print(Text(render.summary_line(summary)))
    return summary


class _Group(click.Group):
    """Turns every failure into one line on stderr and an exit code, for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.ClickException, click.exceptions.Abort):
            raise  # click's own: --help, usage errors
        except TracuuError as exc:
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


@cli.command("index")
@CORPUS_OPTION
@INDEX_OPTION
@click.option(
    "--rebuild", is_flag=True, help="Rebuild from scratch instead of updating changed files."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=lambda: min(2, os.cpu_count() or 1),
    show_default="min(2, CPUs)",
    help="Processes that read and segment files in parallel.",
)
@click.option("--strict", is_flag=True, help="Treat skipped files as an error (exit 2).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
def index_command(
    corpus: Path, index_dir: Path, rebuild: bool, jobs: int, strict: bool, quiet: bool
) -> None:
    """Build or update the index of a corpus folder.

    Only new, changed and deleted files are touched unless --rebuild is given. A full
    build is written beside the old index and swapped in when done, so an interrupted
    build leaves the previous index usable. Unreadable files (empty, binary, undecodable,
    larger than 50 MB) are skipped with a warning.

    \b
    Examples:
      tracuu index
      tracuu index --corpus ~/luu-tru --index ~/luu-tru.idx --rebuild
    """
    summary = _run_index(Archive(index_dir), corpus, rebuild, jobs, quiet)
    if strict and summary.skipped:
        _fail(f"{len(summary.skipped)} file(s) skipped (--strict)")


@cli.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object: query, hints and hits.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="One JSON object per hit, one per line.")
@click.option(
    "--count",
    is_flag=True,
    help="Also count every matching paragraph (a second pass: slower on large archives).",
)
@click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True
)
@query_options("Most hits to show.")
def search_command(
    query: tuple[str, ...],
    limit: int,
    as_json: bool,
    as_jsonl: bool,
    count: bool,
    mode: str | None,
    date_from: str | None,
    date_to: str | None,
    file_glob: str | None,
    color: str,
    corpus: Path,
    index_dir: Path,
) -> None:
    """Search the index for paragraphs matching QUERY.

    QUERY may be typed with or without diacritics, quoted or not:

    \b
      tracuu search chỉnh đốn Đảng          all of these words (short queries)
      tracuu search chinh don dang          also finds chỉnh đốn Đảng; exact spellings rank first
      tracuu search '"an ninh mạng"'        a phrase
      tracuu search 'Đảng AND (quy chế OR qui định) -tham nhũng'
      tracuu search 'file:bao-cao* from:1999 kiểm điểm'

    Long queries (more than 4 syllables, e.g. questions) match any of their words and
    rank by how many and how rare. Filters in the query: file:GLOB, date:2000-03,
    from:DATE, to:DATE, format:pdf, number:, issuer:, title:.

    If there is no index yet, it is built from --corpus first.
    """
    from .output import hit_line, results_record

    if as_json and as_jsonl:
        _fail("--json and --jsonl cannot be used together")
    text = _argument(" ".join(query))
    filters = _filters(date_from, date_to, file_glob)
    archive = _open_archive(index_dir, corpus)
    results = archive.run(text, limit=limit, mode=mode or "auto", filters=filters, count=count)
    if as_json:
        click.echo(json.dumps(results_record(results), ensure_ascii=False))
    elif as_jsonl:
        for hit in results.hits:
            click.echo(hit_line(results.query, hit))
    else:
        out = Console(
            highlight=False,
            soft_wrap=True,
            force_terminal={"always": True, "never": False}.get(color),
            no_color=color == "never",
        )
        for line in render.results_lines(results):
            out.print(line)
    sys.exit(EXIT_FOUND if results.hits else EXIT_NOT_FOUND)


@cli.command("batch")
@click.argument("queries", type=click.File("rb"), default="-")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "tsv", "csv", "trec"]),
    default="jsonl",
    show_default=True,
    help="Output format.",
)
@click.option("--run-name", default="tracuu", show_default=True, help="Run tag in TREC output.")
@query_options("Hits per query.")
def batch_command(
    queries,
    fmt: str,
    limit: int,
    mode: str | None,
    date_from: str | None,
    date_to: str | None,
    file_glob: str | None,
    run_name: str,
    corpus: Path,
    index_dir: Path,
) -> None:
    """Run many queries at once: one per line of QUERIES (a file, or - for stdin).

    A line is a query, or an id, a TAB and a query. Blank lines and lines starting with #
    are skipped. The file is UTF-8 (or UTF-16 with a byte-order mark). The index and the
    segmenter are loaded once. A malformed line is reported on stderr with its line
    number (and as an "error" record in JSON lines); the others still run.

    \b
    Formats:
      jsonl  one object per query: id, query, total, hits (same fields as search --json)
      tsv    id, rank, score, file, paragraph, date, title, snippet (with a header line)
      csv    the same columns as tsv, CSV-quoted
      trec   TREC run lines "id Q0 file#paragraph rank score run" for trec_eval/ir-measures

    \b
    Examples:
      printf 'q1\tchỉnh đốn Đảng\nq2\tquy chế dân chủ\n' | tracuu batch -f tsv
      tracuu batch terms.txt -f trec > run.txt

    Exit codes: 0 some query found something, 1 none did, 2 a line was malformed.
    """
    from .output import BatchWriter, decode_input, read_topics

    topics = read_topics(decode_input(queries.read()))
    filters = _filters(date_from, date_to, file_glob)
    archive = _open_archive(index_dir, corpus)
    writer = BatchWriter(fmt, sys.stdout, run_name)
    err = _stderr()
    found = malformed = False
    for result in archive.batch(topics, limit=limit, mode=mode or "auto", filters=filters):
        if result.error is not None:
            malformed = True
            err.print(Text(f"tracuu: warning: line {result.topic.line}: {result.error}"))
        else:
            found = found or bool(result.results and result.results.hits)
        writer.write(result)
    sys.exit(EXIT_ERROR if malformed else EXIT_FOUND if found else EXIT_NOT_FOUND)


@cli.command("stats")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="As one JSON object.")
def stats_command(index_dir: Path, as_json: bool) -> None:
    """What the index holds: documents, paragraphs, terms, size, last build, skipped files."""
    st = Archive(index_dir).stats()
    if as_json:
        click.echo(json.dumps(asdict(st), ensure_ascii=False))
        return
    for line in render.stats_lines(str(index_dir), st):
        click.echo(line)


@cli.command("check")
@INDEX_OPTION
def check_command(index_dir: Path) -> None:
    """Check the index's health: every file against its checksum, every document present.

    Exit 0 when healthy, 2 when damaged (a plain 'tracuu index' then rebuilds it).
    """
    problems = Archive(index_dir).check()
    if problems:
        _fail(f"index at {index_dir} is damaged: {'; '.join(problems[:3])}")
    st = Archive(index_dir).stats()
    click.echo(
        f"index at {index_dir} is healthy: {st.documents:,} documents, {st.paragraphs:,} paragraphs"
    )


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main() -> None:
    """Console entry point."""
    signal.signal(signal.SIGTERM, _terminate)
    cli(prog_name="tracuu")
