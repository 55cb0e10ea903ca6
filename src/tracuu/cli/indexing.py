"""Commands that build and describe the index: index, check, stats, show."""

from __future__ import annotations

import json
from pathlib import Path

import click
import msgspec

from .. import render
from ..api import Archive
from .app import (
    CORPUS_OPTION,
    INDEX_OPTION,
    _argument,
    _fail,
    _print_lines,
    _run_index,
    cli,
    processes_option,
)


@cli.command("index")
@CORPUS_OPTION
@INDEX_OPTION
@click.option(
    "--rebuild", is_flag=True, help="Rebuild from scratch instead of updating changed files."
)
@processes_option(
    "-j",
    "--jobs",
    help="Processes that read, analyse and write files in parallel. A full build is "
    "cut into as many shards as the machine has CPUs (up to 4), each written by one "
    "process; more processes than shards only help reading in updates.",
)
@click.option(
    "--words/--no-words",
    default=False,
    show_default=True,
    help="Also index the words of 3+ syllables that underthesea segments (for the "
    "word_boost ranking knob; they did not change ranking in our benchmarks and make the "
    "build about 70% slower).",
)
@click.option("--strict", is_flag=True, help="Treat skipped files as an error (exit 2).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
def index_command(
    corpus: Path,
    index_dir: Path,
    rebuild: bool,
    jobs: int,
    words: bool,
    strict: bool,
    quiet: bool,
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
    summary = _run_index(Archive(index_dir), corpus, rebuild, jobs, quiet, words)
    if strict and summary.skipped:
        _fail(f"{len(summary.skipped)} file(s) skipped (--strict)")


@cli.command("stats")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="As one JSON object.")
@click.option(
    "--files",
    "by_file",
    is_flag=True,
    help="List every corpus file: status, reason, format, header.",
)
def stats_command(index_dir: Path, as_json: bool, by_file: bool) -> None:
    """What the index holds: documents, paragraphs, formats, skipped files and why.

    \b
    Examples:
      tracuu stats                    totals, per format, every skipped file with its reason
      tracuu stats --files            one line per corpus file
      tracuu stats --files --json     the same as JSON records, for scripts
    """
    archive = Archive(index_dir)
    if by_file:
        files = archive.files()
        if as_json:
            click.echo(json.dumps([_file_record(f) for f in files], ensure_ascii=False))
        else:
            for line in render.file_lines(files):
                click.echo(line)
        return
    st = archive.stats()
    if as_json:
        click.echo(json.dumps(msgspec.to_builtins(st), ensure_ascii=False))
        return
    for line in render.stats_lines(str(index_dir), st):
        click.echo(line)


def _file_record(f) -> dict:
    record = msgspec.to_builtins(f)
    record.update(record.pop("metadata"))
    return record


@cli.command("show")
@click.argument("file")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="As one JSON object.")
def show_command(file: str, index_dir: Path, as_json: bool) -> None:
    """Show what the index holds for FILE (a path as search results print it).

    Its status (indexed, or skipped and why), its header fields and its paragraphs as
    they were read, with page numbers for paged and OCR'd files: what a search can find.

    \b
    Example:
      tracuu show bao-cao-quan-10-chinh-don-dang.txt
    """
    view = Archive(index_dir).show(_argument(file))
    if as_json:
        record = {
            **_file_record(view.status),
            "paragraphs": [msgspec.to_builtins(p) for p in view.paragraphs],
        }
        click.echo(json.dumps(record, ensure_ascii=False))
        return
    _print_lines(render.show_lines(view))


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
