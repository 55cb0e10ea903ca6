"""The ``tracuu`` command line: the only module that prints.

Each command is one call into the library. Humans get rich output on a terminal and
plain text when piped; scripts get ``--json``/``--jsonl``. Exit codes follow ripgrep:
0 found, 1 nothing found, 2 error (one line on stderr, never a traceback).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from . import __version__
from .api import Archive, TracuuError
from .index import Reporter, UpdateSummary
from .search import Hit, Results, SearchError

EXIT_FOUND, EXIT_NOT_FOUND, EXIT_ERROR = 0, 1, 2

CORPUS_OPTION = click.option(
    "--corpus",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("corpus"),
    envvar="TRACUU_CORPUS",
    show_default=True,
    show_envvar=True,
    help="Folder of archive files to index.",
)
INDEX_OPTION = click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("index"),
    envvar="TRACUU_INDEX",
    show_default=True,
    show_envvar=True,
    help="Folder the index lives in.",
)


def query_options(limit_help: str):
    """The options search and batch share: limit, diacritic mode, filters, locations."""
    options = [
        click.option(
            "-n",
            "--limit",
            type=click.IntRange(1, 10000),
            default=10,
            show_default=True,
            help=limit_help,
        ),
        click.option(
            "--exact",
            "mode",
            flag_value="exact",
            help="No folding: every word must match as typed.",
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
        click.option(
            "--to", "date_to", metavar="DATE", help="Only documents dated on/before DATE."
        ),
        click.option(
            "--file",
            "file_glob",
            metavar="GLOB",
            help="Only files whose path matches GLOB (e.g. 'bao-cao*').",
        ),
        CORPUS_OPTION,
        INDEX_OPTION,
    ]

    def decorate(f):
        for option in reversed(options):
            f = option(f)
        return f

    return decorate


def _filters(date_from: str | None, date_to: str | None, file_glob: str | None):
    pairs = (("from", date_from), ("to", date_to), ("file", file_glob))
    return [(name, value) for name, value in pairs if value]


def _open_archive(index_dir: Path, corpus: Path) -> Archive:
    """The archive at ``index_dir``, built from ``corpus`` first if there is no index yet."""
    archive = Archive(index_dir)
    if not archive.exists():
        _stderr().print(
            Text(f"tracuu: no index at {index_dir} yet; building it from {corpus} (first run)")
        )
        _run_index(archive, corpus, rebuild=True, jobs=_default_jobs(), quiet=False)
    return archive


def _default_jobs() -> int:
    return min(2, os.cpu_count() or 1)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(message: str) -> None:
    _stderr().print(Text(f"tracuu: error: {message}"))
    sys.exit(EXIT_ERROR)


class _ProgressReporter(Reporter):
    """Draws a progress bar on stderr (when it is a terminal) and prints skip warnings."""

    def __init__(self, console: Console, quiet: bool = False) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = console
        self.quiet = quiet
        self.progress = Progress(
            TextColumn("[bold]indexing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[name]}", style="dim"),
            console=console,
            transient=True,
            # no refresh thread: Whoosh's multiprocess writer forks, and forking a
            # threaded process can deadlock; we refresh after each file instead
            auto_refresh=False,
            disable=quiet or not console.is_terminal,
        )
        self.task = None

    def __enter__(self) -> _ProgressReporter:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def start(self, total: int) -> None:
        self.task = self.progress.add_task("index", total=total, name="")

    def file_done(self, path: str, paragraphs: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1, name=path[-40:])
            self.progress.refresh()

    def skipped(self, path: str, reason: str) -> None:
        self.console.print(Text(f"tracuu: warning: skipped {path}: {reason}"))
        if self.task is not None:
            self.progress.update(self.task, advance=1)

    def phase(self, name: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, name=name)
            self.progress.refresh()


def _summary_line(s: UpdateSummary) -> str:
    kind = "built" if s.rebuilt else "updated"
    parts = [f"{len(s.added)} added"]
    if not s.rebuilt:
        parts += [
            f"{len(s.changed)} changed",
            f"{len(s.deleted)} deleted",
            f"{s.unchanged} unchanged",
        ]
    parts.append(f"{len(s.skipped)} skipped")
    line = f"index {kind}: {', '.join(parts)}; {s.paragraphs} paragraphs in {s.seconds:.1f} s"
    if s.ignored:
        kinds = ", ".join(f"{suffix} {n}" for suffix, n in s.ignored.most_common())
        line += f"\nnot read (other file types): {kinds}"
    return line


def _run_index(
    archive: Archive, corpus: Path, rebuild: bool, jobs: int, quiet: bool
) -> UpdateSummary:
    console = _stderr()
    with _ProgressReporter(console, quiet) as reporter:
        summary = archive.update(corpus, rebuild=rebuild, procs=jobs, reporter=reporter)
    if not quiet:
        console.print(Text(_summary_line(summary)))
    return summary


class _Group(click.Group):
    """Turns library errors into one line on stderr and exit code 2, for every command."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except TracuuError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _stderr().print("tracuu: interrupted")
            sys.exit(130)
        except BrokenPipeError:
            # the reader went away (e.g. `| head`): not worth a message
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_FOUND)


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

    Exit codes: 0 found, 1 nothing found, 2 error.
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
    default=_default_jobs,
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
    archive = Archive(index_dir)
    summary = _run_index(archive, corpus, rebuild, jobs, quiet)
    if strict and summary.skipped:
        _fail(f"{len(summary.skipped)} file(s) skipped (--strict)")


def _hit_json(hit: Hit) -> dict:
    """A hit in the documented JSON schema (README, "JSON output")."""
    snip = hit.snippet
    return {
        "rank": hit.rank,
        "score": round(hit.score, 6),
        "file": hit.path,
        "paragraph": hit.number,
        "start": hit.start,
        "end": hit.end,
        "title": hit.title,
        "date": hit.date,
        "doc_number": hit.doc_number,
        "issuer": hit.issuer,
        "format": hit.format,
        "text": hit.text,
        "highlights": [list(s) for s in hit.highlights],
        "snippet": {
            "text": snip.text,
            "spans": [list(s) for s in snip.spans],
            "offset": snip.offset,
            "truncated_start": snip.truncated_start,
            "truncated_end": snip.truncated_end,
        },
    }


def results_json(results: Results) -> dict:
    """The documented JSON form of a search (see README, "JSON output")."""
    return {
        "query": results.query,
        "mode": results.mode,
        "total": results.total,
        "restorations": [
            {"typed": r.typed, "forms": [{"form": f, "count": c} for f, c in r.forms]}
            for r in results.restorations
        ],
        "suggestion": results.suggestion,
        "hits": [_hit_json(h) for h in results.hits],
    }


def _styled_snippet(hit: Hit) -> Text:
    snip = hit.snippet
    text = Text(
        ("… " if snip.truncated_start else "") + snip.text + (" …" if snip.truncated_end else "")
    )
    shift = 2 if snip.truncated_start else 0
    for s, e in snip.spans:
        text.stylize("bold black on yellow", s + shift, e + shift)
    return text


def _print_human(results: Results, console: Console) -> None:
    for r in results.restorations:
        forms = ", ".join(f"{f} ({c})" for f, c in r.forms)
        console.print(Text.assemble(("có dấu / accented forms: ", "cyan"), f"{r.typed} → {forms}"))
    if not results.hits:
        console.print(Text(f"no paragraphs match {results.query!r}"))
        if results.suggestion:
            console.print(Text.assemble(("did you mean: ", "cyan"), (results.suggestion, "bold")))
        return
    for hit in results.hits:
        where = Text.assemble(
            (f"{hit.rank:>2}. ", "bold"),
            (hit.path, "magenta"),
            (f" ¶{hit.number}", "green"),
            (f"  {hit.date}" if hit.date else "", "cyan"),
            (f"  score {hit.score:.2f}", "dim"),
        )
        console.print(where)
        if hit.title and hit.title != hit.text:  # (the title paragraph itself needs no title)
            console.print(
                Text(
                    "    " + hit.title[:100] + ("…" if len(hit.title) > 100 else ""), style="italic"
                )
            )
        snippet = _styled_snippet(hit)
        snippet.pad_left(4)
        console.print(snippet)
        console.print()
    shown = len(results.hits)
    if results.total is None:
        line = f"{shown} best paragraph(s) shown (-n for more, --count for how many match)"
    else:
        more = f" (showing {shown})" if results.total > shown else ""
        line = f"{results.total} paragraph(s) matched{more}"
    console.print(Text(line, style="dim"))


@cli.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object: query, hints and hits.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="One JSON object per hit, one per line.")
@click.option(
    "--count",
    "count",
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
    if as_json and as_jsonl:
        _fail("--json and --jsonl cannot be used together")
    archive = _open_archive(index_dir, corpus)
    filters = _filters(date_from, date_to, file_glob)
    results = archive.run(
        " ".join(query), limit=limit, mode=mode or "auto", filters=filters, count=count
    )
    out = Console(
        highlight=False,
        soft_wrap=True,
        force_terminal={"always": True, "never": False}.get(color),
        no_color=color == "never",
    )
    if as_json:
        click.echo(json.dumps(results_json(results), ensure_ascii=False))
    elif as_jsonl:
        for hit in results.hits:
            click.echo(json.dumps({"query": results.query, **_hit_json(hit)}, ensure_ascii=False))
    else:
        _print_human(results, out)
    sys.exit(EXIT_FOUND if results.hits else EXIT_NOT_FOUND)


def _batch_lines(stream) -> list[tuple[int, str, str | None, str | None]]:
    """(line number, id, query or None, problem or None) for each query line of a batch file."""
    out = []
    for n, raw in enumerate(stream, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if "\t" in line:
            qid, _, q = line.partition("\t")
            qid, q = qid.strip(), q.strip()
            if not qid or not q:
                out.append((n, qid or str(n), None, "expected 'id<TAB>query'"))
                continue
        else:
            qid, q = str(n), line.strip()
        out.append((n, qid, q, None))
    return out


_TABLE_COLUMNS = ("id", "rank", "score", "file", "paragraph", "date", "title", "snippet")


def _table_row(qid: str, hit: Hit) -> list[str]:
    flat = lambda s: " ".join((s or "").split())  # noqa: E731 - one line per field
    return [
        qid,
        str(hit.rank),
        f"{hit.score:.4f}",
        hit.path,
        str(hit.number),
        hit.date or "",
        flat(hit.title),
        flat(hit.snippet.text),
    ]


def trec_docid(hit: Hit) -> str:
    """``file#paragraph`` with white space escaped, as TREC run files split on it."""
    from urllib.parse import quote

    return quote(f"{hit.path}#{hit.number}", safe="/#:()',-._~")


@cli.command("batch")
@click.argument("queries", type=click.File("r", encoding="utf-8"), default="-")
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
    are skipped. The index and the segmenter are loaded once. A malformed line is reported
    on stderr with its line number (and as an "error" record in JSON lines); the others
    still run.

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
    archive = _open_archive(index_dir, corpus)
    filters = _filters(date_from, date_to, file_glob)
    lines = _batch_lines(queries)
    err = _stderr()
    found = malformed = False
    writer = None
    if fmt in ("tsv", "csv"):
        import csv

        writer = csv.writer(
            sys.stdout,
            delimiter="\t" if fmt == "tsv" else ",",
            quoting=csv.QUOTE_MINIMAL if fmt == "csv" else csv.QUOTE_NONE,
            escapechar="\\" if fmt == "tsv" else None,
            lineterminator="\n",
        )
        writer.writerow(_TABLE_COLUMNS)
    for n, qid, q, problem in lines:
        hits: list[Hit] = []
        total = 0
        if problem is None:
            try:
                results = archive.run(
                    q, limit=limit, mode=mode or "auto", filters=filters, hints=False, count=False
                )
                hits, total = results.hits, results.total
            except SearchError as exc:
                problem = str(exc)
        if problem is not None:
            malformed = True
            err.print(Text(f"tracuu: warning: line {n}: {problem}"))
            if fmt == "jsonl":
                click.echo(
                    json.dumps(
                        {"id": qid, "line": n, "query": q, "error": problem}, ensure_ascii=False
                    )
                )
            continue
        found = found or bool(hits)
        if fmt == "jsonl":
            record = {
                "id": qid,
                "line": n,
                "query": q,
                "total": total,
                "hits": [_hit_json(h) for h in hits],
            }
            click.echo(json.dumps(record, ensure_ascii=False))
        elif fmt == "trec":
            for h in hits:
                click.echo(f"{qid} Q0 {trec_docid(h)} {h.rank} {h.score:.6f} {run_name}")
        else:
            for h in hits:
                writer.writerow(_table_row(qid, h))
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
    rows = [
        ("index", str(index_dir)),
        ("corpus", st.corpus),
        ("documents", f"{st.documents:,}"),
        ("paragraphs", f"{st.paragraphs:,}"),
        ("distinct terms", f"{st.distinct_terms:,}"),
        ("index size", f"{st.size_bytes / 1e6:.1f} MB"),
        ("last full build", st.built_at),
        ("last update", st.updated_at),
        ("skipped files", str(len(st.skipped))),
    ]
    for k, v in rows:
        click.echo(f"{k:>16}: {v}")
    for path, reason in sorted(st.skipped.items()):
        click.echo(f"{'':>16}  {path}: {reason}")


def main() -> None:
    """Console entry point."""
    cli(prog_name="tracuu")
