"""Ranking quality of tracuu vs BM25 baselines: ALQAC 2022/2023 (laws) and ViRe4MRC (reviews).

tracuu runs through its command line, as users run it: every document (article, review)
is a .txt file with its paragraphs as in the source, ``tracuu index`` indexes the folder and
``tracuu batch -f jsonl`` answers the questions; a document ranks at its best paragraph.
A secondary row puts each document on one line (one document = one paragraph).

Every question is asked as written ("accented") and with all its diacritics removed. The
baselines (bm25s, k1=1.2, b=0.75) index the documents twice: folded (diacritics removed
from documents and queries alike: the fair comparison for queries without diacritics) and
as written (where a query without diacritics is folded alone: kept for reference only).

Reports MRR@10, Recall@10 and nDCG@10 (binary relevance) to ``quality.md`` and
``quality.json`` in ``--out``, with a summary of the targets at the top.

    python bench/quality.py                                   # all sets (~25 min, 2 cores)
    python bench/quality.py --tracuu /other/venv/bin/tracuu   # another build of tracuu
    python bench/quality.py --variant 'old=/old/venv/bin/tracuu' --sets alqac2022
    python bench/quality.py --limit-questions 50 --out /tmp/q # a quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import common
import tracuu_cli
from baselines import BASELINES, DEFAULT_BASELINES, System
from common import Collection, log
from metrics import METRICS, K, mean_scores, score_query
from tracuu_cli import Variant

# query variants: name -> transformation of the (one-line) question text
VARIANTS: dict[str, Callable[[str], str]] = {
    "accented": lambda q: q,
    "no_diacritics": common.strip_diacritics,
}
VARIANT_LABELS = {"accented": "accented", "no_diacritics": "no diacritics"}

# --systems names: tracuu's two layouts, then the baselines
TRACUU_SYSTEMS = {"tracuu": "paragraphs", "tracuu-onedoc": "one-line"}
SYSTEM_NAMES = (*TRACUU_SYSTEMS, *BASELINES)
DEFAULT_SYSTEMS = (*TRACUU_SYSTEMS, *DEFAULT_BASELINES)

DOC_LABELS = {
    "paragraphs": "files, paragraphs as written",
    "one-line": "files, one line each",
    "folded": "folded",
    "written": "as written",
}
TARGET_MARGIN = 0.01  # tracuu >= best baseline + this, per set and query variant
TARGET_RATIO = 0.97  # legal sets: tracuu without diacritics >= this x accented


# --------------------------------------------------------------------------- evaluation


@dataclass
class Row:
    """One system on one collection: its scores per query variant, or why it failed."""

    name: str
    kind: str  # "tracuu" (paragraphs), "tracuu-onedoc" or "baseline"
    docs: str  # a DOC_LABELS key
    error: str | None = None
    build_s: float = 0.0
    wall_s: float = 0.0
    variants: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "documents": self.docs}
        if self.error is not None:
            return {**out, "error": self.error}
        return {**out, "build_s": round(self.build_s, 2), "wall_s": round(self.wall_s, 1)} | (
            self.variants
        )


@dataclass(frozen=True)
class Query:
    """A question as every system gets it: one line, with a tab-free id for tracuu batch."""

    id: str
    text: str
    gold: frozenset[tuple[str, str]]


def prepare_questions(collection: Collection, limit: int) -> list[Query]:
    questions = collection.questions[:limit] if limit > 0 else collection.questions
    return [Query(f"q{i:05d}", common.one_line(q.text), q.gold) for i, q in enumerate(questions)]


def mean_of(rankings: Sequence[Sequence[tuple[str, str]]], queries: Sequence[Query]) -> dict:
    """Mean metrics (rounded) of ranked document keys against each query's gold."""
    per_query = [score_query(r, q.gold) for r, q in zip(rankings, queries, strict=True)]
    return {m: round(v, 4) for m, v in mean_scores(per_query).items()}


def evaluate_baseline(system: System, collection: Collection, queries: Sequence[Query]) -> Row:
    """Index the collection with a baseline and score every query variant."""
    row = Row(system.name, "baseline", "folded" if system.fold else "written")
    keys = [d.key for d in collection.docs]
    t0 = time.perf_counter()
    system.build(collection.docs)
    row.build_s = time.perf_counter() - t0
    for variant, transform in VARIANTS.items():
        # a folded system sees the same query text in both variants: time it uncached
        common.segment_words.clear()
        t0 = time.perf_counter()
        rankings = [[keys[i] for i in system.search(transform(q.text), K)] for q in queries]
        elapsed = time.perf_counter() - t0
        scores = mean_of(rankings, queries)
        scores["query_ms"] = round(1000 * elapsed / max(len(queries), 1), 2)
        row.variants[variant] = scores
    return row


def run_baseline(name: str, fold: bool, collection: Collection, queries: Sequence[Query]) -> Row:
    """Create, evaluate and close one baseline; any failure becomes the row's ``error``."""
    row = Row(name, "baseline", "folded" if fold else "written")
    t0 = time.perf_counter()
    system = None
    common.segment_words.clear()  # the previous bm25-words run must not lend its cache
    try:
        system = BASELINES[name](fold)
        row = evaluate_baseline(system, collection, queries)
    except Exception as exc:  # noqa: BLE001 - report and go on with the others
        row.error = f"failed: {type(exc).__name__}: {exc}"
    finally:
        if system is not None:
            system.close()
    row.wall_s = time.perf_counter() - t0
    return row


@dataclass(frozen=True)
class TracuuJob:
    """One tracuu variant on one corpus layout, with the folders it works in."""

    variant: Variant
    layout: str  # tracuu_cli.LAYOUTS
    corpus: Path
    names: dict[str, int]  # file name -> document position
    work: Path
    hits: int  # paragraph hits asked per query


def tracuu_row(job: TracuuJob) -> Row:
    """The empty row of a job: the variant's name, marked for the one-line layout."""
    if job.layout == "paragraphs":
        return Row(job.variant.name, "tracuu", job.layout)
    return Row(f"{job.variant.name} (one line per document)", "tracuu-onedoc", job.layout)


def evaluate_tracuu(job: TracuuJob, collection: Collection, queries: Sequence[Query]) -> Row:
    """``tracuu index`` the job's corpus, then ``tracuu batch`` each query variant."""
    row = tracuu_row(job)
    index = job.work / "index"
    row.build_s = tracuu_cli.build_index(job.variant, job.corpus, index)
    keys = [d.key for d in collection.docs]
    unknown: set[str] = set()
    for variant, transform in VARIANTS.items():
        pairs = [(q.id, transform(q.text)) for q in queries]
        run = tracuu_cli.run_batch(job.variant, job.corpus, index, pairs, job.hits, job.work)
        rankings = []
        for q in queries:
            files = run.files.get(q.id, [])
            unknown.update(f for f in files if f not in job.names)
            rankings.append([keys[job.names[f]] for f in files if f in job.names])
        scores = mean_of(rankings, queries)
        scores["query_ms"] = round(1000 * run.seconds / max(len(queries), 1), 2)
        scores["batch_s"] = round(run.seconds, 2)
        # fewer than K distinct documents, and how many of those used up all -n hits
        short = [q.id for q in queries if len(run.files.get(q.id, [])) < K]
        scores["short_lists"] = len(short)
        scores["short_at_limit"] = sum(1 for qid in short if run.hits.get(qid, 0) >= job.hits)
        scores["errors"] = len(run.errors)
        row.variants[variant] = scores
    if unknown:
        log(f"    {len(unknown)} hit file(s) are no document, ignored: {sorted(unknown)[:3]}")
    return row


def run_tracuu(job: TracuuJob, collection: Collection, queries: Sequence[Query]) -> Row:
    """evaluate_tracuu with failures (command missing, crash) turned into the row's error."""
    t0 = time.perf_counter()
    try:
        row = evaluate_tracuu(job, collection, queries)
    except (tracuu_cli.TracuuError, OSError, ValueError, KeyError) as exc:
        row = tracuu_row(job)
        row.error = f"failed: {type(exc).__name__}: {exc}"
    finally:
        shutil.rmtree(job.work / "index", ignore_errors=True)
    row.wall_s = time.perf_counter() - t0
    return row


# --------------------------------------------------------------------------- one set


def run_set(args: argparse.Namespace, set_name: str, work: Path) -> dict[str, Any]:
    """Every selected system on one collection; the set's JSON entry."""
    collection = common.load_collection(args.data, set_name)
    queries = prepare_questions(collection, args.limit_questions)
    noun = common.DOC_NOUNS.get(set_name, "documents")
    log(f"{set_name}: {len(collection.docs)} {noun}, {len(queries)} questions")
    rows: list[Row] = []
    for system, layout in TRACUU_SYSTEMS.items():
        if system not in args.systems:
            continue
        corpus = work / set_name / layout / "corpus"
        names = tracuu_cli.write_corpus(collection.docs, corpus, layout)
        hits = args.hits if layout == "paragraphs" else K  # one file = one paragraph
        for variant in args.variants:
            job_dir = work / set_name / layout / variant.name
            job_dir.mkdir(parents=True, exist_ok=True)
            job = TracuuJob(variant, layout, corpus, names, job_dir, hits)
            rows.append(_logged(run_tracuu(job, collection, queries)))
    for name in BASELINES:
        if name in args.systems:
            for fold in (True, False):
                rows.append(_logged(run_baseline(name, fold, collection, queries)))
    return {
        "documents": len(collection.docs),
        "noun": noun,
        "questions": len(queries),
        "legal": set_name in common.LEGAL_SETS,
        "rows": [r.to_json() for r in rows],
    }


def _logged(row: Row) -> Row:
    label = f"{row.name} [{DOC_LABELS[row.docs]}]"
    if row.error is not None:
        log(f"  {label:<48} {row.error}")
        return row
    a, n = row.variants["accented"], row.variants["no_diacritics"]
    log(
        f"  {label:<48} MRR@10 {a['mrr@10']:.3f} / no diacritics {n['mrr@10']:.3f}"
        f"  (index {row.build_s:.1f} s, total {row.wall_s:.1f} s)"
    )
    return row


# --------------------------------------------------------------------------- summary


def fair_baselines(rows: Sequence[dict[str, Any]], variant: str) -> list[dict[str, Any]]:
    """Baseline rows a tracuu row is compared with for ``variant``.

    Accented queries: every baseline (documents as written or folded). Queries without
    diacritics: only folded baselines, since folding the query alone cripples a baseline.
    """
    return [
        r
        for r in rows
        if r["kind"] == "baseline"
        and "error" not in r
        and (variant == "accented" or r["documents"] == "folded")
    ]


def summarize(collections: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The tracked targets: margins over the best fair baseline, and diacritic ratios."""
    margins, ratios = [], []
    for set_name, coll in collections.items():
        for row in coll["rows"]:
            if row["kind"] != "tracuu":
                continue
            if "error" in row:
                margins.append({"set": set_name, "system": row["name"], "error": row["error"]})
                continue
            for variant in VARIANTS:
                best = max(
                    fair_baselines(coll["rows"], variant),
                    key=lambda r: r[variant]["mrr@10"],
                    default=None,
                )
                entry = {"set": set_name, "query": variant, "system": row["name"]}
                entry["mrr@10"] = row[variant]["mrr@10"]
                if best is not None:
                    entry["best_baseline"] = f"{best['name']} ({DOC_LABELS[best['documents']]})"
                    entry["best_mrr@10"] = best[variant]["mrr@10"]
                    entry["margin"] = round(entry["mrr@10"] - entry["best_mrr@10"], 4)
                    entry["meets_target"] = entry["margin"] >= TARGET_MARGIN - 1e-9
                margins.append(entry)
            if coll["legal"]:
                acc = row["accented"]["mrr@10"]
                ratio = row["no_diacritics"]["mrr@10"] / acc if acc else 0.0
                ratios.append(
                    {
                        "set": set_name,
                        "system": row["name"],
                        "accented": acc,
                        "no_diacritics": row["no_diacritics"]["mrr@10"],
                        "ratio": round(ratio, 4),
                        "meets_target": ratio >= TARGET_RATIO,
                    }
                )
    return {"margins": margins, "ratios": ratios}


# --------------------------------------------------------------------------- reports


def _nproc() -> int:
    """CPUs this process may use (what ``nproc`` prints)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _load_average() -> float | None:
    """1-minute load average: other work on the machine slows every timing in the report."""
    try:
        return round(os.getloadavg()[0], 1)
    except OSError:
        return None


def _versions() -> dict[str, str]:
    out = {}
    for dist in ("underthesea", "bm25s", "numpy", "whoosh-reloaded"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def _tracuu_version(variant: Variant) -> str:
    """What ``CMD --version`` prints, or why it could not run."""
    try:
        proc = subprocess.run(
            [*variant.command, "--version"], capture_output=True, text=True, check=False
        )
    except OSError as exc:
        return f"cannot run: {exc}"
    return (proc.stdout or proc.stderr).strip() or f"exit {proc.returncode}"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def summary_lines(summary: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The targets table(s) at the top of quality.md."""
    lines = [
        "## Summary: the targets",
        "",
        f"tracuu (product path) against the best baseline, per set and query; target: margin"
        f" ≥ {TARGET_MARGIN}. Without diacritics only folded baselines count (documents and"
        " queries both folded); with accents every baseline counts.",
        "",
        "| set | query | system | tracuu MRR@10 | best baseline | its MRR@10 | margin | target met |",
        "|---|---|---|---:|---|---:|---:|---|",
    ]
    for e in summary["margins"]:
        if "error" in e:
            lines.append(f"| {e['set']} | — | {e['system']} | {_md_escape(e['error'])} | | | | |")
            continue
        if "best_baseline" not in e:
            lines.append(
                f"| {e['set']} | {VARIANT_LABELS[e['query']]} | {e['system']} | {e['mrr@10']:.3f}"
                " | (no baseline run) | | | |"
            )
            continue
        lines.append(
            f"| {e['set']} | {VARIANT_LABELS[e['query']]} | {e['system']} | {e['mrr@10']:.3f}"
            f" | {e['best_baseline']} | {e['best_mrr@10']:.3f} | {e['margin']:+.3f}"
            f" | {_yes(e['meets_target'])} |"
        )
    if summary["ratios"]:
        lines += [
            "",
            f"Legal sets: tracuu's MRR@10 without diacritics / with; target ≥ {TARGET_RATIO}.",
            "",
            "| set | system | accented | no diacritics | ratio | target met |",
            "|---|---|---:|---:|---:|---|",
        ]
        for e in summary["ratios"]:
            lines.append(
                f"| {e['set']} | {e['system']} | {e['accented']:.3f} | {e['no_diacritics']:.3f}"
                f" | {e['ratio']:.3f} | {_yes(e['meets_target'])} |"
            )
    return lines


_ROW_ORDER = {("tracuu", "paragraphs"): 0, ("baseline", "folded"): 1}
_ROW_ORDER |= {("baseline", "written"): 2, ("tracuu-onedoc", "one-line"): 3}


def set_lines(set_name: str, coll: dict[str, Any]) -> list[str]:
    """One collection's table: every row, fair baselines first, best of them in bold."""
    lines = [
        "",
        f"## {set_name} ({coll['documents']:,} {coll['noun']}, {coll['questions']:,} questions)",
        "",
        "| system | documents | query | MRR@10 | R@10 | nDCG@10 | index s | ms/query |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    best = {
        v: max((r[v]["mrr@10"] for r in fair_baselines(coll["rows"], v)), default=None)
        for v in VARIANTS
    }
    rows = sorted(coll["rows"], key=lambda r: _ROW_ORDER.get((r["kind"], r["documents"]), 9))
    for row in rows:
        name = f"**{row['name']}**" if row["kind"] == "tracuu" else row["name"]
        docs = DOC_LABELS[row["documents"]]
        if "error" in row:
            lines.append(f"| {name} | {docs} | — | {_md_escape(row['error'])} | | | | |")
            continue
        for variant, label in VARIANT_LABELS.items():
            s = row[variant]
            mrr = f"{s['mrr@10']:.3f}"
            unfair = row["kind"] == "baseline" and row["documents"] == "written"
            if unfair and variant == "no_diacritics":
                label = "no diacritics, query only folded (not fair)"
            elif row["kind"] == "baseline" and s["mrr@10"] == best[variant]:
                mrr = f"**{mrr}**"
            lines.append(
                f"| {name} | {docs} | {label} | {mrr} | {s['recall@10']:.3f}"
                f" | {s['ndcg@10']:.3f} | {row['build_s']:.1f} | {s['query_ms']:.1f} |"
            )
    return lines + tracuu_notes(coll)


def tracuu_notes(coll: dict[str, Any]) -> list[str]:
    """Per tracuu row: how often fewer than K documents came back, and query errors."""
    notes = []
    for row in coll["rows"]:
        if not row["kind"].startswith("tracuu") or "error" in row:
            continue
        parts = []
        for variant, label in VARIANT_LABELS.items():
            s = row[variant]
            part = f"{label}: {s['short_lists']}/{coll['questions']} queries with fewer than {K}"
            part += f" documents ({s['short_at_limit']} of them used every hit asked for)"
            if s["errors"]:
                part += f", {s['errors']} rejected by tracuu"
            parts.append(part)
        notes.append(f"- {row['name']}: " + "; ".join(parts) + ".")
    return ["", *notes] if notes else []


def legend_lines(meta: dict[str, Any]) -> list[str]:
    variants = "; ".join(f"`{v['name']}` = `{_md_escape(v['run'])}`" for v in meta["tracuu"])
    return [
        "",
        "## How it was measured",
        "",
        f"- tracuu ({variants}): each document is a UTF-8 .txt file, indexed with `tracuu index"
        f" --corpus DIR --index DIR -q`; the questions go to `tracuu batch FILE -f jsonl"
        f" -n {meta['hits']}` as `id<TAB>query` lines. A document ranks at its best paragraph"
        " hit; file names map back to documents. The one-line rows put a whole document on one"
        f" line (one paragraph) and ask for -n {K}.",
        "- Baselines: bm25s (Lucene BM25, k1=1.2, b=0.75) over lower-cased syllables,"
        " syllables + adjacent-syllable bigrams, or underthesea words. **folded** = documents and"
        " queries alike lose every diacritic (đ→d) before tokenizing, like SQLite FTS5's"
        " remove_diacritics (for words: both sides are segmented without diacritics, which"
        " keeps them consistent): the fair comparison for queries typed without diacritics;"
        " a folded baseline ranks the same whether or not the query had diacritics."
        " **as written** = documents keep their diacritics; a query without diacritics then"
        " matches almost nothing (labelled *not fair*; kept for reference).",
        "- Queries: the question text with white space runs made one space; *no diacritics*"
        " removes every diacritic from it. Binary relevance; metrics at cut-off 10. Bold"
        " baseline = the best fair baseline for that query variant.",
        "- index s = index build (tracuu: the `tracuu index` process). ms/query = mean time per"
        " question (tracuu: wall time of the `tracuu batch` process / questions, so start-up"
        f" and JSON output with snippets for {meta['hits']} hits are included).",
    ]


def write_reports(out_dir: Path, meta: dict[str, Any], results: dict[str, dict[str, Any]]) -> None:
    """Write ``quality.json`` and ``quality.md``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = summarize(results)
    payload = {**meta, "summary": summary, "collections": results}
    (out_dir / "quality.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    limited = meta["limit_questions"]
    lines = [
        "# Ranking quality: tracuu vs baselines",
        "",
        f"{meta['date']} · machine: {meta['machine']['platform']}, nproc {meta['machine']['nproc']}"
        f" · load average {meta['load_average']['start']} at start,"
        f" {meta['load_average']['end']} at end"
        f" · Python {meta['python']} · run time {meta['run_time_s']:.0f} s"
        + (f" · first {limited} questions only" if limited else ""),
        "",
        *summary_lines(summary),
    ]
    for set_name, coll in results.items():
        lines += set_lines(set_name, coll)
    lines += legend_lines(meta)
    (out_dir / "quality.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- CLI


def _split_list(p: argparse.ArgumentParser, text: str, known: Sequence[str], what: str) -> list:
    items = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in items if s not in known]
    if unknown:
        p.error(f"unknown {what} {', '.join(unknown)}; choose from {', '.join(known)}")
    return items


def _variants(p: argparse.ArgumentParser, args: argparse.Namespace) -> list[Variant]:
    """--tracuu (the row named "tracuu"), the --variant rows, and their --index-args."""
    try:
        variants = [tracuu_cli.parse_variant(f"tracuu={args.tracuu}")]
        variants += [tracuu_cli.parse_variant(spec) for spec in args.variant]
    except ValueError as exc:
        p.error(str(exc))
    by_name = {v.name: v for v in variants}
    if len(by_name) != len(variants):
        p.error("tracuu variant names must differ (the --tracuu one is named 'tracuu')")
    for spec in args.index_args:
        name, sep, rest = spec.partition("=")
        if not sep or name not in by_name:
            p.error(f"--index-args {spec!r}: expected NAME=ARGS with a variant's NAME")
        by_name[name] = replace(by_name[name], index_args=tuple(shlex.split(rest)))
    return list(by_name.values())


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--data", type=Path, default=common.DEFAULT_DATA, help="benchmark data (%(default)s)"
    )
    p.add_argument(
        "--out", type=Path, default=common.DEFAULT_RESULTS, help="report folder (%(default)s)"
    )
    p.add_argument(
        "--sets", default=",".join(common.QUESTION_FILES), help="comma-separated (%(default)s)"
    )
    p.add_argument(
        "--systems",
        default=",".join(DEFAULT_SYSTEMS),
        help=f"comma-separated, from {', '.join(SYSTEM_NAMES)} (default: %(default)s)",
    )
    p.add_argument(
        "--tracuu",
        default=tracuu_cli.default_command(),
        metavar="CMD",
        help="tracuu command for the 'tracuu' rows, optionally with batch args (default: %(default)s)",
    )
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=CMD [ARGS]",
        help="another tracuu to run, with its own rows: its command (several words before"
        " '--') and extra 'tracuu batch' args; repeatable",
    )
    p.add_argument(
        "--index-args",
        action="append",
        default=[],
        metavar="NAME=ARGS",
        help="extra 'tracuu index' args for variant NAME ('tracuu' for --tracuu); repeatable",
    )
    p.add_argument(
        "--hits", type=int, default=100, help="paragraph hits asked per query (%(default)s)"
    )
    p.add_argument("--limit-questions", type=int, default=0, metavar="N", help="first N only")
    p.add_argument("--keep-work", action="store_true", help="keep the corpora, queries, output")
    args = p.parse_args(argv)
    args.sets = _split_list(p, args.sets, list(common.QUESTION_FILES), "set(s)")
    args.systems = _split_list(p, args.systems, SYSTEM_NAMES, "system(s)")
    args.variants = _variants(p, args)
    if args.hits < K:
        p.error(f"--hits must be at least {K}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    load_start = _load_average()
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    work = Path(tempfile.mkdtemp(prefix="tracuu-quality-"))
    results: dict[str, dict[str, Any]] = {}
    try:
        for set_name in args.sets:
            results[set_name] = run_set(args, set_name, work)
    finally:
        if args.keep_work:
            log(f"work files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    meta = {
        "date": date,
        "machine": {"platform": f"{platform.system()} {platform.machine()}", "nproc": _nproc()},
        "load_average": {"start": load_start, "end": _load_average()},
        "python": platform.python_version(),
        "versions": _versions(),
        "tracuu": [
            {"name": v.name, "run": v.describe(), "version": _tracuu_version(v)}
            for v in args.variants
        ],
        "hits": args.hits,
        "run_time_s": round(time.perf_counter() - started, 1),
        "limit_questions": args.limit_questions or None,
        "k": K,
        "metrics": list(METRICS),
    }
    write_reports(args.out, meta, results)
    log(f"wrote {args.out / 'quality.md'} and quality.json ({meta['run_time_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
