"""Run tracuu the way a user does: files in a folder, ``tracuu index``, ``tracuu batch``.

The ranking benchmark (``quality.py``) goes through the command line rather than the
Python API so that it measures what ships: file reading, paragraph splitting, query
parsing and the batch output. It also lets one run compare several builds of tracuu
(different virtualenvs) or the same build with different flags.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from common import Doc, log

# how each document becomes a file: its paragraphs as in the source, or all on one line
LAYOUTS = ("paragraphs", "one-line")


@dataclass(frozen=True)
class Variant:
    """One way to run tracuu: a command plus extra arguments for ``index`` and ``batch``."""

    name: str
    command: tuple[str, ...]
    batch_args: tuple[str, ...] = ()
    index_args: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [shlex.join(self.command)]
        if self.index_args:
            parts.append(f"index {shlex.join(self.index_args)}")
        if self.batch_args:
            parts.append(f"batch {shlex.join(self.batch_args)}")
        return "; ".join(parts)


def default_command() -> str:
    """The ``tracuu`` next to the running Python (same virtualenv), else the one on PATH."""
    # sys.executable is not resolved: a venv's python is a symlink to the base interpreter
    beside = Path(sys.executable).parent / "tracuu"
    return str(beside) if beside.exists() else (shutil.which("tracuu") or "tracuu")


def parse_variant(spec: str) -> Variant:
    """``NAME=CMD [batch args]``; with ``--`` the command may be several words.

    ``base=/venv/bin/tracuu`` and ``fold=tracuu --fold`` use one word as the command; for
    ``NAME=python -m tracuu -- --fold`` everything before ``--`` is the command.
    """
    name, sep, rest = spec.partition("=")
    words = shlex.split(rest)
    if not sep or not name.strip() or not words:
        raise ValueError(f"expected NAME=CMD [batch args], got {spec!r}")
    if "--" in words:
        cut = words.index("--")
        command, extra = words[:cut], words[cut + 1 :]
    else:
        command, extra = words[:1], words[1:]
    if not command:
        raise ValueError(f"no command before '--' in {spec!r}")
    return Variant(name.strip(), tuple(command), tuple(extra))


# --------------------------------------------------------------------------- corpus


def file_text(doc: Doc, layout: str) -> str:
    """The file content of one document in ``layout``.

    "paragraphs" keeps the source's line breaks (tracuu makes each non-empty line a
    paragraph); "one-line" joins everything into one paragraph, the old one-document mode.
    """
    if layout == "one-line":
        return " ".join(doc.text.split()) + "\n"
    if layout == "paragraphs":
        return doc.text.rstrip("\n") + "\n"
    raise ValueError(f"unknown layout {layout!r}")


def write_corpus(docs: Sequence[Doc], folder: Path, layout: str) -> dict[str, int]:
    """One UTF-8 .txt file per document; returns file name -> document position.

    Names are positions (``00042.txt``), not law ids: those hold "/" and spaces. Sorted
    names keep the documents' order, so ties break the same way as for the baselines.
    """
    folder.mkdir(parents=True, exist_ok=True)
    width = max(5, len(str(len(docs))))
    names: dict[str, int] = {}
    for i, doc in enumerate(docs):
        name = f"{i:0{width}d}.txt"
        (folder / name).write_text(file_text(doc, layout), encoding="utf-8")
        names[name] = i
    return names


# --------------------------------------------------------------------------- running


class TracuuError(RuntimeError):
    """tracuu could not be started, or exited with an unexpected code."""


def _run(argv: Sequence[str], stdout_path: Path | None, ok: Sequence[int]) -> float:
    """Run ``argv`` (stdout to a file if given); seconds taken. Raises on other exit codes."""
    t0 = time.perf_counter()
    try:
        with open(stdout_path or "/dev/null", "wb") as out:
            proc = subprocess.run(argv, stdout=out, stderr=subprocess.PIPE, check=False)
    except OSError as exc:  # missing or not executable
        raise TracuuError(f"cannot run {argv[0]}: {exc}") from None
    took = time.perf_counter() - t0
    stderr = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode not in ok:
        tail = stderr.splitlines()[-1] if stderr else "no message"
        raise TracuuError(f"{shlex.join(argv[:2])} exited {proc.returncode}: {tail}")
    if stderr:
        # warnings (skipped files, malformed query lines) matter, but not 100 times over
        lines = stderr.splitlines()
        more = f" (+{len(lines) - 3} more lines)" if len(lines) > 3 else ""
        log("    tracuu stderr: " + " | ".join(lines[:3]) + more)
    return took


def build_index(variant: Variant, corpus: Path, index: Path) -> float:
    """``tracuu index --corpus corpus --index index -q`` from scratch; seconds taken."""
    shutil.rmtree(index, ignore_errors=True)
    argv = [
        *variant.command,
        "index",
        "--corpus",
        str(corpus),
        "--index",
        str(index),
        "-q",
        *variant.index_args,
    ]
    return _run(argv, None, ok=(0,))


@dataclass
class BatchRun:
    """What one ``tracuu batch`` run returned, per query id."""

    files: dict[str, list[str]] = field(default_factory=dict)  # distinct files, best first
    hits: dict[str, int] = field(default_factory=dict)  # paragraph hits returned
    errors: dict[str, str] = field(default_factory=dict)  # query id -> tracuu's message
    seconds: float = 0.0


def run_batch(
    variant: Variant,
    corpus: Path,
    index: Path,
    queries: Sequence[tuple[str, str]],
    limit: int,
    work: Path,
) -> BatchRun:
    """Answer ``(id, query)`` pairs with ``tracuu batch FILE -f jsonl -n limit``."""
    qfile, outfile = work / "queries.tsv", work / "batch.jsonl"
    for qid, q in queries:
        if not q or any(c in q for c in "\t\r\n") or "\t" in qid:
            raise ValueError(f"query {qid!r} is empty or holds a tab or line break")
    qfile.write_text("".join(f"{qid}\t{q}\n" for qid, q in queries), encoding="utf-8")
    argv = [*variant.command, "batch", str(qfile), "-f", "jsonl", "-n", str(limit)]
    argv += ["--corpus", str(corpus), "--index", str(index), *variant.batch_args]
    # exit 1 = no query found anything, 2 = some lines malformed (reported per record)
    seconds = _run(argv, outfile, ok=(0, 1, 2))
    run = read_batch(outfile)
    run.seconds = seconds
    missing = [qid for qid, _ in queries if qid not in run.files and qid not in run.errors]
    if missing:
        raise TracuuError(f"tracuu batch returned no record for {len(missing)} queries")
    return run


def read_batch(path: Path) -> BatchRun:
    """Parse batch JSON lines, streamed: 100 hits a query with snippets run to 100+ MB."""
    run = BatchRun()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            qid = str(record["id"])
            if "error" in record:
                run.errors[qid] = str(record["error"])
                continue
            hits = record.get("hits") or []
            run.hits[qid] = len(hits)
            # a file counts at its first (best) paragraph hit
            run.files[qid] = list(dict.fromkeys(hit["file"] for hit in hits))
    return run
