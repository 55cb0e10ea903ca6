"""Speed and size of tracuu on Vietnamese Wikipedia (viwiki, 85 MB) and the bundled corpus.

Everything the speed-and-size issue tracks, side by side in one run, through the command
line (``tracuu index``, ``tracuu batch``, ``tracuu search`` as subprocesses):

* build: the same viwiki sample (first files in sorted order up to ``--sample-mb``, 10 MB)
  indexed by tracuu with -j1 and -j2, by the baseline (main before the
  speed work, commit a93da6f, from a git worktree) with -j1 and -j2, and
  by tracuu ``--words -j1`` (underthesea's words too): wall and CPU seconds (whole process tree), peak RSS, index
  size (the whole folder) and index size / text size;
* reference: plain Whoosh on the same sample (StandardAnalyzer; syllables + a folded
  copy), as anchors for what Whoosh itself costs;
* full: viwiki built with -j2, every non-empty file indexed (``tracuu stats --json``), warm
  query latency (200 queries, Python API, fresh process), ``tracuu batch`` throughput and
  cold ``tracuu search``;
* scaling: -j2 builds of 10, 20, 40 MB and the full text, with warm p95 on each;
* cli: cold ``tracuu search`` and ``tracuu batch`` on the bundled corpus (and the baseline).

    python bench/speed.py                                     # everything (~40 min, 2 cores)
    python bench/speed.py --parts build --sample-mb 2 --out /tmp/speed   # a quick look

Writes ``speed.md`` (targets summary on top) and ``speed.json`` to ``--out``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import checkout
import common
import speed_report
import tracuu_cli
from common import log
from measure import Usage, dir_size, load_average, nproc, python_for, run_measured, yardstick

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VIWIKI_QUERIES = BENCH / "queries" / "viwiki.tsv"
CORPUS_QUERIES = BENCH / "queries" / "corpus.tsv"
PARTS = ("build", "reference", "cli", "full", "scaling")  # in this order
SEARCH_QUERY = {"viwiki": "thái bình dương", "corpus": "chỉnh đốn Đảng"}
COLD_RUNS, BATCH_RUNS = 10, 3


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Tool:
    """One tracuu command: this build (``tracuu``) or the baseline (``baseline``)."""

    name: str
    command: tuple[str, ...]
    python: str  # runs latency.py: the same virtualenv's tracuu

    def argv(self, *args: str) -> list[str]:
        return [*self.command, *args]


@dataclass(frozen=True)
class FileInfo:
    path: Path
    size: int
    nonempty: bool  # holds something besides white space


@dataclass(frozen=True)
class Corpus:
    """A folder to index: viwiki itself or a sample of its first files (symlinks)."""

    label: str
    path: Path
    files: int
    nonempty: int
    bytes: int

    @property
    def mb(self) -> float:
        return self.bytes / 1e6

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "path": str(self.path),
            "files": self.files,
            "nonempty_files": self.nonempty,
            "bytes": self.bytes,
        }


def list_files(root: Path) -> list[FileInfo]:
    """Every regular file below ``root`` in tracuu's order (sorted names, dot files too)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(dirnames)
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.is_file():
                out.append(FileInfo(p, p.stat().st_size, bool(p.read_bytes().strip())))
    return out


def whole_corpus(root: Path, files: Sequence[FileInfo], label: str) -> Corpus:
    total = sum(f.size for f in files)
    return Corpus(label, root, len(files), sum(f.nonempty for f in files), total)


def make_sample(root: Path, files: Sequence[FileInfo], mb: float, dest: Path) -> Corpus:
    """Symlinks to the first files (sorted) until they hold ``mb`` MB (10^6 bytes)."""
    dest.mkdir(parents=True)
    chosen: list[FileInfo] = []
    for f in files:
        if sum(c.size for c in chosen) >= mb * 1e6:
            break
        link = dest / f.path.relative_to(root)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(f.path)
        chosen.append(f)
    return whole_corpus(dest, chosen, f"first {mb:g} MB")


# --------------------------------------------------------------------------- the run


@dataclass
class Run:
    """State shared by the parts: the inputs, the kept indexes and the results."""

    args: argparse.Namespace
    work: Path
    root: Path
    files: list[FileInfo]
    tracuu: Tool
    baseline: Tool | None
    results: dict = field(default_factory=dict)
    samples: dict[float, Corpus] = field(default_factory=dict)
    kept: dict[int, Path] = field(default_factory=dict)  # text bytes -> tracuu -j2 index
    latencies: dict[int, dict] = field(default_factory=dict)  # text bytes -> latency

    def sample(self, mb: float) -> Corpus:
        if mb not in self.samples:
            dest = self.work / f"sample-{mb:g}mb"
            self.samples[mb] = make_sample(self.root, self.files, mb, dest)
        return self.samples[mb]

    def full(self) -> Corpus:
        if self.args.full_mb:
            return self.sample(self.args.full_mb)
        return whole_corpus(self.root, self.files, "viwiki, all files")

    def fresh(self, name: str) -> Path:
        path = self.work / name
        shutil.rmtree(path, ignore_errors=True)
        return path


def build_row(run: Run, tool: Tool, corpus: Corpus, jobs: int, *extra: str) -> dict:
    """``tool index`` of ``corpus`` into a new folder: the measured row, index kept."""
    index = run.fresh(f"ix-{tool.name}-{corpus.bytes}-j{jobs}{''.join(extra)}")
    argv = tool.argv("index", "--corpus", str(corpus.path), "--index", str(index))
    argv += ["-q", "-j", str(jobs), *extra]
    label = " ".join([tool.name, *extra])
    log(f"  {label} -j{jobs} on {corpus.label} ({corpus.mb:.1f} MB)")
    row = measured_row(label, argv, run.work, corpus, index)
    return row | {"system": tool.name, "jobs": jobs, "options": list(extra)}


def measured_row(label: str, argv: list[str], cwd: Path, corpus: Corpus, index: Path) -> dict:
    """Run a build command and describe it: times, memory, index size, load."""
    load = load_average()
    usage = run_measured(argv, cwd)
    row = {"label": label, "command": shlex.join(argv), "load_start": load, "index": str(index)}
    row |= usage.to_json()
    if usage.error is None:
        size = dir_size(index)
        row |= {"index_bytes": size, "x_text": size / corpus.bytes}
        row["mb_per_min"] = corpus.mb / usage.wall_s * 60
    else:
        log(f"    failed: {usage.error}")
    return row


def is_plain_j2(row: dict) -> bool:
    return row["system"] == "tracuu" and row["jobs"] == 2 and not row["options"]


def drop_index(row: dict) -> None:
    shutil.rmtree(row["index"], ignore_errors=True)


# --------------------------------------------------------------------------- parts


def part_build(run: Run) -> dict:
    """The sample with tracuu and the baseline at -j1 and -j2, and tracuu --words."""
    corpus = run.sample(run.args.sample_mb)
    log(f"build: {corpus.label} of viwiki, {corpus.files} files, {corpus.mb:.2f} MB")
    tools = [run.tracuu] + ([run.baseline] if run.baseline else [])
    rows = [build_row(run, tool, corpus, jobs) for tool in tools for jobs in (1, 2)]
    rows.append(build_row(run, run.tracuu, corpus, 1, "--words"))
    for row in rows:
        if is_plain_j2(row) and row["error"] is None:
            run.kept[corpus.bytes] = Path(row["index"])  # reused by the scaling table
        else:
            drop_index(row)
    return {"corpus": corpus.to_json(), "rows": rows, "baseline_note": baseline_note(run)}


def baseline_note(run: Run) -> str | None:
    if run.baseline is not None:
        return None
    if run.args.no_baseline:
        return "baseline rows skipped (--no-baseline)"
    return f"baseline rows skipped: {run.args.baseline} not found"


def part_reference(run: Run) -> dict:
    """Plain Whoosh on the same sample, through whoosh_ref.py in the bench's Python."""
    corpus = run.sample(run.args.sample_mb)
    log(f"reference: plain Whoosh on {corpus.label} ({corpus.mb:.2f} MB)")
    rows = []
    for kind in ("standard", "syllables-folded"):
        index = run.fresh(f"ref-{kind}")
        argv = [sys.executable, str(BENCH / "whoosh_ref.py"), kind, str(corpus.path), str(index)]
        log(f"  whoosh {kind}")
        row = measured_row(f"whoosh {kind}", argv, run.work, corpus, index)
        rows.append(row | {"system": f"whoosh-{kind}", "jobs": 1, "options": []})
        drop_index(row)
    return {"corpus": corpus.to_json(), "rows": rows}


def index_stats(tool: Tool, index: Path, cwd: Path) -> dict:
    """``tracuu stats --json`` of an index (documents, skipped files and why)."""
    proc = subprocess.run(
        tool.argv("stats", "--index", str(index), "--json"),
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"error": f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"}
    return json.loads(proc.stdout)


def latency(run: Run, index: Path, queries: Path) -> dict:
    """Warm latency (latency.py) in a fresh process of the tracuu's own Python."""
    argv = [run.tracuu.python, str(BENCH / "latency.py"), str(index), str(queries)]
    proc = subprocess.run(argv, cwd=run.work, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no message"]
        return {"error": f"latency.py exit {proc.returncode}: {tail[0]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def full_build(run: Run, corpus: Corpus) -> dict:
    """The -j2 build of ``corpus`` (kept for the scaling table and the CLI)."""
    row = build_row(run, run.tracuu, corpus, 2)
    if row["error"] is None:
        run.kept[corpus.bytes] = Path(row["index"])
    return row


def part_full(run: Run) -> dict:
    """viwiki (or --full-mb of it) with -j2: build, files indexed, queries, CLI."""
    corpus = run.full()
    log(f"full: {corpus.label}, {corpus.files} files, {corpus.mb:.1f} MB")
    out: dict = {"corpus": corpus.to_json(), "build": full_build(run, corpus)}
    if out["build"]["error"] is not None:
        return out
    index = Path(out["build"]["index"])
    stats = index_stats(run.tracuu, index, run.work)
    out["stats"] = {k: stats.get(k) for k in ("documents", "paragraphs", "skipped", "error")}
    log("  warm latency (API)")
    out["latency"] = run.latencies[corpus.bytes] = latency(run, index, VIWIKI_QUERIES)
    log("  tracuu batch / tracuu search")
    tools = [(run.tracuu, index)]
    out["cli"] = cli_numbers(run, tools, VIWIKI_QUERIES, SEARCH_QUERY["viwiki"])[run.tracuu.name]
    return out


def scaling_corpora(run: Run) -> list[Corpus]:
    full = run.full()
    sizes = [float(s) for s in run.args.scaling_mb.split(",") if s.strip()]
    return [run.sample(mb) for mb in sizes if mb * 1e6 < full.bytes] + [full]


def scaling_row(run: Run, corpus: Corpus) -> dict:
    index = run.kept.get(corpus.bytes)
    if index is None:
        row = build_row(run, run.tracuu, corpus, 2)
        if row["error"] is not None:
            return {"corpus": corpus.to_json(), "build": row}
        index = Path(row["index"])
    else:
        log(f"  {corpus.label}: the -j2 build measured above")
        row = {"reused": True}
    if corpus.bytes not in run.latencies:
        run.latencies[corpus.bytes] = latency(run, index, VIWIKI_QUERIES)
    if corpus.bytes not in run.kept:
        shutil.rmtree(index, ignore_errors=True)
    return {"corpus": corpus.to_json(), "build": row, "latency": run.latencies[corpus.bytes]}


def part_scaling(run: Run) -> dict:
    """-j2 builds and warm p95 at growing sizes; builds measured elsewhere are reused."""
    log("scaling")
    rows = [scaling_row(run, c) for c in scaling_corpora(run)]
    sources = {"build": run.results.get("build"), "full": run.results.get("full")}
    for row in rows:
        if row["build"].get("reused"):
            row["build"] = reused_build(sources, row["corpus"]["bytes"])
    return {"rows": rows}


def reused_build(sources: dict, text_bytes: int) -> dict:
    """The -j2 tracuu row of the build or full part for a corpus of ``text_bytes``."""
    full = sources.get("full") or {}
    if full.get("corpus", {}).get("bytes") == text_bytes:
        return full["build"] | {"measured_in": "full"}
    build = sources.get("build") or {}
    if build.get("corpus", {}).get("bytes") == text_bytes:
        row = next(r for r in build["rows"] if is_plain_j2(r))
        return row | {"measured_in": "build"}
    raise LookupError(f"no kept build for {text_bytes} bytes")


def cli_numbers(
    run: Run, tools: list[tuple[Tool, Path]], queries: Path, query: str
) -> dict[str, dict]:
    """Cold ``tracuu search`` (median of 10, output to nowhere and to a terminal) and
    ``tracuu batch`` (median of 3) wall times of each (tool, index), their runs
    alternated: this machine's speed drifts within minutes, the order of runs must not
    favour a tool."""
    search = {t.name: t.argv("search", "--index", str(ix), "-n", "10", query) for t, ix in tools}
    batch = {
        t.name: t.argv("batch", str(queries), "-f", "jsonl", "-n", "10", "--index", str(ix))
        for t, ix in tools
    }
    names = list(search)
    for name in names:  # warm-up: byte code written, files cached
        run_measured(search[name], run.work, ok=(0, 1))
    cold: dict[str, list[Usage]] = {name: [] for name in names}
    shown: dict[str, list[Usage]] = {name: [] for name in names}  # at a terminal (rich)
    runs: dict[str, list[Usage]] = {name: [] for name in names}
    for _ in range(COLD_RUNS):
        for name in names:
            cold[name].append(run_measured(search[name], run.work, ok=(0, 1)))
            shown[name].append(run_measured(search[name], run.work, ok=(0, 1), tty=True))
    out_file = {name: run.work / f"batch-{name}.jsonl" for name in names}
    for _ in range(BATCH_RUNS):
        for name in names:
            usage = run_measured(batch[name], run.work, stdout=out_file[name], ok=(0, 1, 2))
            runs[name].append(usage)
    n = len(read_query_ids(queries))
    out = {}
    for name in names:
        errors = [u.error for u in cold[name] + shown[name] + runs[name] if u.error]
        f = out_file[name]
        records = f.read_text(encoding="utf-8").splitlines() if f.exists() else []
        search_s = statistics.median(u.wall_s for u in cold[name])
        batch_s = statistics.median(u.wall_s for u in runs[name])
        out[name] = {
            "search_query": query,
            "search_wall_s": search_s,
            "search_runs_s": [u.wall_s for u in cold[name]],
            "search_cpu_s": statistics.median(u.cpu_s for u in cold[name]),
            "search_tty_wall_s": statistics.median(u.wall_s for u in shown[name]),
            "batch_wall_s": batch_s,
            "batch_runs_s": [u.wall_s for u in runs[name]],
            "batch_queries": n,
            "batch_records": len(records),
            "batch_qps": n / batch_s,
            "batch_qps_after_startup": n / max(batch_s - search_s, 1e-9),
            "errors": errors,
        }
    return out


def read_query_ids(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.partition("\t")[0] for ln in lines if ln.strip() and not ln.startswith("#")]


def part_cli(run: Run) -> dict:
    """Cold search and batch on the bundled corpus, tracuu and the baseline alternated."""
    out: dict[str, dict] = {}
    built = []
    for tool in [run.tracuu] + ([run.baseline] if run.baseline else []):
        log(f"cli: {tool.name} on the bundled corpus")
        index = run.fresh(f"corpus-ix-{tool.name}")
        argv = tool.argv("index", "--corpus", str(REPO / "corpus"), "--index", str(index), "-q")
        usage = run_measured(argv, run.work)
        if usage.error is not None:
            out[tool.name] = {"error": f"index: {usage.error}"}
        else:
            built.append((tool, index))
    log("cli: cold searches and batches, the tools alternated")
    out |= cli_numbers(run, built, CORPUS_QUERIES, SEARCH_QUERY["corpus"])
    return {"corpus": {"path": str(REPO / "corpus"), "bytes": corpus_bytes()}, "tools": out}


def corpus_bytes() -> int:
    return sum(f.size for f in list_files(REPO / "corpus"))


# --------------------------------------------------------------------------- main


def tool_version(tool: Tool) -> str:
    try:
        proc = subprocess.run(tool.argv("--version"), capture_output=True, text=True, check=False)
    except OSError as exc:
        return f"cannot run: {exc}"
    return (proc.stdout or proc.stderr).strip() or f"exit {proc.returncode}"


def git_revision() -> str:
    """This checkout's commit, "+ changes" when the work tree differs (others edit src/)."""

    def git(*a: str) -> str:
        proc = subprocess.run(["git", "-C", str(REPO), *a], capture_output=True, text=True)
        return proc.stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "src")
    return git("rev-parse", "--short", "HEAD") + (" + uncommitted changes in src/" if dirty else "")


def make_tools(args: argparse.Namespace, work: Path, stack: ExitStack) -> tuple[Tool, Tool | None]:
    """This tracuu and the baseline: ``--baseline CMD``, else a worktree of ``--baseline-commit``."""
    words = tuple(shlex.split(args.tracuu))
    tracuu = Tool("tracuu", words, python_for(words))
    if args.no_baseline:
        return tracuu, None
    if args.baseline:
        base_words = tuple(shlex.split(args.baseline))
        if not shutil.which(base_words[0]):
            return tracuu, None
        return tracuu, Tool("baseline", base_words, python_for(base_words))
    tree = work / "baseline-checkout"
    full = stack.enter_context(checkout.worktree(REPO, args.baseline_commit, tree))
    log(f"baseline: commit {full[:10]} checked out at {tree}")
    args.baseline_full = full
    return tracuu, Tool("baseline", checkout.command(tracuu.python, tree), tracuu.python)


def meta(run: Run, argv: Sequence[str]) -> dict:
    tools = [t for t in (run.tracuu, run.baseline) if t is not None]
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "nproc": nproc(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "git": git_revision(),
        "argv": list(argv),
        "tools": {
            t.name: {"command": shlex.join(t.command), "python": t.python}
            | {"version": tool_version(t)}
            for t in tools
        },
        "baseline_commit": getattr(run.args, "baseline_full", None),
        "load_start": load_average(),
        "yardstick_start": yardstick(),
        "data": str(run.root),
        "viwiki": whole_corpus(run.root, run.files, "viwiki").to_json(),
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--data", type=Path, default=common.DEFAULT_DATA, help="(%(default)s)")
    p.add_argument("--out", type=Path, default=common.DEFAULT_RESULTS, help="(%(default)s)")
    p.add_argument("--parts", default=",".join(PARTS), help="comma-separated (%(default)s)")
    p.add_argument("--tracuu", default=tracuu_cli.default_command(), help="(%(default)s)")
    p.add_argument(
        "--baseline-commit",
        default=checkout.DEFAULT_COMMIT,
        help="the baseline: this commit of the repository, run from a git worktree with "
        "this tracuu's Python (%(default)s: main before the speed work)",
    )
    p.add_argument("--baseline", help="the baseline as a command instead (another virtualenv)")
    p.add_argument("--no-baseline", action="store_true", help="no baseline rows")
    p.add_argument("--sample-mb", type=float, default=10.0, help="build sample (%(default)s)")
    p.add_argument("--scaling-mb", default="10,20,40", help="samples below full (%(default)s)")
    p.add_argument("--full-mb", type=float, help="'full' = first N MB only (for testing)")
    p.add_argument("--keep-work", action="store_true", help="keep the temporary folder")
    args = p.parse_args(argv)
    args.parts = [s.strip() for s in args.parts.split(",") if s.strip()]
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        p.error(f"unknown parts {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    return args


RUNNERS = {
    "build": part_build,
    "reference": part_reference,
    "full": part_full,
    "scaling": part_scaling,
    "cli": part_cli,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    root = args.data / "viwiki"
    work = Path(tempfile.mkdtemp(prefix="tracuu-speed-"))
    # every command runs with byte code cached, as after `pip install` (an environment with
    # PYTHONDONTWRITEBYTECODE would compile every module at every cold start), kept in the
    # work folder rather than beside the sources
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    try:
        with ExitStack() as stack:
            tracuu, baseline = make_tools(args, work, stack)
            run = Run(args, work, root, list_files(root), tracuu, baseline)
            run.results["meta"] = meta(run, sys.argv[1:] if argv is None else argv)
            for part in PARTS:
                if part in args.parts:
                    run.results[part] = RUNNERS[part](run)
                    write_report(run, t0)  # after each part: a stopped run keeps what it measured
    finally:
        if args.keep_work:
            log(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    write_report(run, t0)
    log((args.out / "speed.md").read_text(encoding="utf-8"))
    return 0


def write_report(run: Run, t0: float) -> None:
    done = [p for p in PARTS if p in run.results]
    run.results["meta"] |= {
        "load_end": load_average(),
        "yardstick_end": yardstick(),
        "run_seconds": time.perf_counter() - t0,
    }
    run.results["meta"]["parts_done"] = done
    speed_report.write(run.args.out, run.results)


if __name__ == "__main__":
    raise SystemExit(main())
