"""Commands that search: search (one query, for people or scripts) and batch (many)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import EXIT_ERROR, EXIT_FOUND, EXIT_NOT_FOUND
from .app import (
    _argument,
    _fail,
    _open_archive,
    _print_lines,
    _say,
    _stderr,
    cli,
    processes_option,
    query_options,
)


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
    by_document: bool,
    filters: list[tuple[str, str]],
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
    if as_json and as_jsonl:
        _fail("--json and --jsonl cannot be used together")
    text = _argument(" ".join(query))
    archive = _open_archive(index_dir, corpus)
    results = archive.run(
        text,
        limit=limit,
        mode=mode or "auto",
        filters=filters,
        count=count,
        by_document=by_document,
    )
    if as_json:
        from ..output import results_record, to_json

        click.echo(to_json(results_record(results)))
    elif as_jsonl:
        from ..output import hit_line

        for hit in results.hits:
            click.echo(hit_line(results.query, hit))
    else:
        from .. import render

        _print_lines(render.results_lines(results), color)
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
@processes_option(
    "-j",
    "--jobs",
    help="Processes that run the queries, each opening the index once, when the "
    "queries would take more than half a second more in one. The output is the same.",
)
@query_options("Documents (or paragraphs) per query.", by_document=True)
def batch_command(
    queries,
    fmt: str,
    jobs: int,
    limit: int,
    mode: str | None,
    by_document: bool,
    filters: list[tuple[str, str]],
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
      printf 'q1\\tchỉnh đốn Đảng\\nq2\\tquy chế dân chủ\\n' | tracuu batch -f tsv
      tracuu batch terms.txt -f trec > run.txt

    Exit codes: 0 some query found something, 1 none did, 2 a line was malformed.
    """
    from ..output import BatchWriter, decode_input, read_topics

    topics = read_topics(decode_input(queries.read()))
    archive = _open_archive(index_dir, corpus)
    writer = BatchWriter(fmt, sys.stdout, run_name)
    err = None  # (rich, for warnings, only if there are some)
    found = malformed = False
    runs = archive.batch(
        topics,
        limit=limit,
        mode=mode or "auto",
        filters=filters,
        by_document=by_document,
        jobs=jobs,
        render=writer.format,  # each topic written out where it ran
    )
    for result in runs:
        if result.error is not None:
            malformed = True
            err = err or _stderr()
            _say(f"tracuu: warning: line {result.topic.line}: {result.error}", err)
        else:
            found = found or result.found
        writer.write(result)
    sys.exit(EXIT_ERROR if malformed else EXIT_FOUND if found else EXIT_NOT_FOUND)
