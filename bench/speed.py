"""Speed of tracuu on Vietnamese Wikipedia (viwiki, 85 MB) and the bundled corpus.

Measures, side by side in one run:
* index build time and MB/min with 1 and 2 processes (on the same sample of viwiki),
  then a full build of viwiki with 2 processes: time, MB/min, index size / corpus size,
  and that every non-empty file was indexed;
* warm query latency p50/p95 for 200 fixed queries (bench/queries/viwiki.tsv: keywords,
  phrases, with and without diacritics), through the Python API;
* ``tracuu batch`` throughput (queries/s, start-up included) and a single
  ``tracuu search`` wall time (CLI cold start), on viwiki and on the bundled corpus;
* the same build and latency numbers for tantivy (syllable text) as the speed anchor.

    python bench/speed.py [--data ../shared/data] [--out bench/results] [--sample-mb 4]

Results go to ``speed.md`` and ``speed.json`` in ``--out``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common
from common import log

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "src"))

from tracuu import Archive  # noqa: E402
from tracuu import text as vtext  # noqa: E402
from tracuu.corpus import iter_corpus_files  # noqa: E402


def read_queries(path: Path) -> list[tuple[str, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            qid, _, q = line.partition("\t")
            out.append((qid, q))
    return out


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def sample_corpus(files: list[Path], root: Path, mb: float, dest: Path) -> tuple[Path, int]:
    """Symlink the first files (sorted) adding up to ``mb`` MB into ``dest``."""
    dest.mkdir(parents=True)
    total = 0
    for f in files:
        if total >= mb * 1e6:
            break
        link = dest / f.relative_to(root)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(f)
        total += f.stat().st_size
    return dest, total


def build(corpus: Path, index: Path, procs: int) -> dict:
    t0 = time.perf_counter()
    summary = Archive(index).update(corpus, rebuild=True, procs=procs)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "paragraphs": summary.paragraphs,
        "files": len(summary.added),
        "skipped": summary.skipped,
    }


def latency(index: Path, queries: list[tuple[str, str]], hints: bool) -> dict:
    """Per-query wall time (ms) through the API, after one warm-up pass.

    Measured in a fresh process, as a script or the CLI would see it, not in this one,
    which holds the state of the builds before it.
    """
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import speed; "
        "print(json.dumps(speed._latency(speed.Path(sys.argv[2]), "
        "speed.read_queries(speed.Path(sys.argv[3])), sys.argv[4] == '1')))"
    )
    qfile = index.parent / f"{index.name}-queries.tsv"
    qfile.write_text("".join(f"{i}\t{q}\n" for i, q in queries), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-c", code, str(BENCH), str(index), str(qfile), "1" if hints else "0"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _latency(index: Path, queries: list[tuple[str, str]], hints: bool) -> dict:
    with Archive(index) as a:
        for _, q in queries:  # warm-up: open files, load the segmenter, fill OS caches
            a.run(q, limit=10, hints=hints)
        # each query's time is the median of three passes (shared, noisy machines)
        passes: list[list[float]] = [[] for _ in queries]
        found = 0
        for rnd in range(3):
            for i, (_, q) in enumerate(queries):
                t0 = time.perf_counter()
                res = a.run(q, limit=10, hints=hints)
                passes[i].append((time.perf_counter() - t0) * 1000)
                found += bool(res.hits) if rnd == 0 else 0
        times = [statistics.median(p) for p in passes]
    return {
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "mean_ms": statistics.fmean(times),
        "queries": len(times),
        "with_hits": found,
    }


def cli(*args: str, stdin: str | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(["tracuu", *args], input=stdin, text=True, capture_output=True, check=False)
    return time.perf_counter() - t0


def cli_numbers(index: Path, queries: list[tuple[str, str]], query: str) -> dict:
    cold = [cli("search", "--index", str(index), query) for _ in range(5)]
    batch_input = "".join(f"{qid}\t{q}\n" for qid, q in queries)
    batch = [cli("batch", "--index", str(index), stdin=batch_input) for _ in range(3)]
    one = statistics.median(cold)
    wall = statistics.median(batch)
    return {
        "search_wall_s": one,
        "batch_wall_s": wall,
        "batch_queries": len(queries),
        "batch_qps": len(queries) / wall,
        "batch_qps_after_startup": len(queries) / max(wall - one, 1e-9),
    }


# ---------------------------------------------------------------- tantivy anchor


def tantivy_numbers(
    files: list[Path], root: Path, queries: list[tuple[str, str]], work: Path, threads: int
) -> dict:
    import tantivy

    from tracuu.corpus import split_paragraphs

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("path", stored=True, tokenizer_name="raw")
    builder.add_text_field("body", stored=False, tokenizer_name="default")
    schema = builder.build()
    index_dir = work / f"tantivy-{threads}"
    index_dir.mkdir()
    t0 = time.perf_counter()
    index = tantivy.Index(schema, path=str(index_dir))
    writer = index.writer(heap_size=256_000_000, num_threads=threads)
    for f in files:
        try:
            text = f.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        except OSError:
            continue
        name = str(f.relative_to(root))
        for s, e in split_paragraphs(text):
            # the default tokenizer splits on non-alphanumerics and lowercases: syllables
            writer.add_document(tantivy.Document(path=name, body=vtext.normalize(text[s:e])))
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - t0
    index.reload()
    searcher = index.searcher()
    times = []
    for rnd in range(2):
        for _, q in queries:
            t = time.perf_counter()
            try:
                parsed = index.parse_query(vtext.normalize(q).lower(), ["body"])
                searcher.search(parsed, 10)
            except ValueError:
                pass
            if rnd:
                times.append((time.perf_counter() - t) * 1000)
    return {
        "seconds": seconds,
        "size_bytes": dir_size(index_dir),
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
    }


# ---------------------------------------------------------------- report


def write_reports(out: Path, r: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "speed.json").write_text(
        json.dumps(r, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    m = r["meta"]
    s, f, t = r["sample"], r["full"], r.get("tantivy", {})
    lines = [
        "# Speed: tracuu on viwiki and the bundled corpus",
        "",
        f"{m['date']}, {m['nproc']} cores, Python {m['python']}, run time {m['run_seconds']:.0f} s. "
        "Medians/percentiles measured in this one run. Rerun: `python bench/speed.py`.",
        "",
        f"## Index build (viwiki sample: {s['mb']:.1f} MB, same files for every row)",
        "",
        "| system | processes | seconds | MB/min | speed-up |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in s["rows"]:
        lines.append(
            f"| {row['system']} | {row['procs']} | {row['seconds']:.1f} | {row['mb_per_min']:.1f} | "
            f"{row['speedup']:.2f}x |"
        )
    lines += [
        "",
        f"## Full viwiki ({f['mb']:.1f} MB, {f['files_total']} files, {f['files_empty']} empty)",
        "",
        "| system | processes | build s | MB/min | index MB | index / corpus | query p50 ms | query p95 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| tracuu | 2 | {f['seconds']:.0f} | {f['mb_per_min']:.1f} | {f['index_bytes'] / 1e6:.0f} | "
        f"{f['index_ratio']:.2f} | {f['latency']['p50_ms']:.1f} | {f['latency']['p95_ms']:.1f} |",
        f"| tracuu with hints (what `tracuu search` does) | | | | | | "
        f"{f['latency_hints']['p50_ms']:.1f} | {f['latency_hints']['p95_ms']:.1f} |",
    ]
    if t:
        lines.append(
            f"| tantivy (syllables) | 2 threads | {t['seconds']:.0f} | {f['mb'] / t['seconds'] * 60:.1f} | "
            f"{t['size_bytes'] / 1e6:.0f} | {t['size_bytes'] / f['bytes']:.2f} | {t['p50_ms']:.2f} | {t['p95_ms']:.2f} |"
        )
    lines += [
        "",
        f"Files indexed: {f['files_indexed']} of {f['files_total']} "
        f"({f['files_nonempty']} non-empty); skipped: {f['skipped'] or 'none'}.",
        f"Queries: {f['latency']['queries']} from `bench/queries/viwiki.tsv`, "
        f"{f['latency']['with_hits']} with hits; warm (after one pass), limit 10, snippets included; "
        "each query's time is the median of 3 passes.",
        "",
        "## Command line (wall time, start-up included)",
        "",
        "| index | `tracuu search` one query, s | `tracuu batch` 200 queries, s | batch queries/s | "
        "queries/s after start-up |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in ("corpus", "viwiki"):
        c = r["cli"][name]
        lines.append(
            f"| {name} | {c['search_wall_s']:.2f} | {c['batch_wall_s']:.2f} | {c['batch_qps']:.0f} | "
            f"{c['batch_qps_after_startup']:.0f} |"
        )
    c = r["corpus_latency"]
    lines += [
        "",
        f"Bundled corpus, API, warm: p50 {c['p50_ms']:.2f} ms, p95 {c['p95_ms']:.2f} ms "
        f"({c['queries']} queries of `bench/queries/corpus.tsv`).",
        "",
    ]
    (out / "speed.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=common.DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=common.DEFAULT_RESULTS)
    ap.add_argument(
        "--sample-mb", type=float, default=4.0, help="viwiki sample for the 1-vs-2 process builds"
    )
    ap.add_argument("--no-tantivy", action="store_true")
    args = ap.parse_args()
    t_start = time.perf_counter()
    viwiki = args.data / "viwiki"
    files = list(iter_corpus_files(viwiki))
    total_bytes = sum(f.stat().st_size for f in files)
    empty = sum(1 for f in files if f.stat().st_size == 0 or not f.read_bytes().strip())
    work = Path(tempfile.mkdtemp(prefix="tracuu-speed-"))
    r: dict = {
        "meta": {
            "date": dt.datetime.now().isoformat(timespec="seconds"),
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "machine": platform.machine(),
        }
    }
    try:
        # 1. the same sample with 1 and 2 processes, and tantivy with 1 and 2 threads
        sample, sample_bytes = sample_corpus(files, viwiki, args.sample_mb, work / "sample")
        mb = sample_bytes / 1e6
        rows = []
        for procs in (1, 2):
            log(f"build sample ({mb:.1f} MB) with {procs} process(es)")
            b = build(sample, work / f"sample-ix-{procs}", procs)
            rows.append(
                {
                    "system": "tracuu",
                    "procs": procs,
                    "seconds": b["seconds"],
                    "mb_per_min": mb / b["seconds"] * 60,
                }
            )
        sample_files = sorted(p.resolve() for p in sample.rglob("*") if p.is_symlink())
        if not args.no_tantivy:
            for threads in (1, 2):
                log(f"tantivy sample with {threads} thread(s)")
                tw = work / f"ts-{threads}"
                tw.mkdir()
                tn = tantivy_numbers(sample_files, viwiki, [], tw, threads)
                rows.append(
                    {
                        "system": "tantivy",
                        "procs": threads,
                        "seconds": tn["seconds"],
                        "mb_per_min": mb / tn["seconds"] * 60,
                    }
                )
        for row in rows:
            base = next(x for x in rows if x["system"] == row["system"] and x["procs"] == 1)
            row["speedup"] = base["seconds"] / row["seconds"]
        r["sample"] = {"mb": mb, "rows": rows}

        # 2. full viwiki with 2 processes
        log(f"build full viwiki ({total_bytes / 1e6:.1f} MB) with 2 processes")
        full_index = work / "viwiki-ix"
        b = build(viwiki, full_index, 2)
        st = Archive(full_index).stats()
        queries = read_queries(BENCH / "queries" / "viwiki.tsv")
        log("latency on viwiki")
        r["full"] = {
            "mb": total_bytes / 1e6,
            "bytes": total_bytes,
            "seconds": b["seconds"],
            "mb_per_min": total_bytes / 1e6 / b["seconds"] * 60,
            "paragraphs": b["paragraphs"],
            "files_total": len(files),
            "files_empty": empty,
            "files_nonempty": len(files) - empty,
            "files_indexed": st.documents,
            "skipped": b["skipped"],
            "index_bytes": st.size_bytes,
            "index_ratio": st.size_bytes / total_bytes,
            "latency": latency(full_index, queries, hints=False),
            "latency_hints": latency(full_index, queries, hints=True),
        }
        if not args.no_tantivy:
            log("tantivy on full viwiki")
            tw = work / "tantivy-full"
            tw.mkdir()
            r["tantivy"] = tantivy_numbers(files, viwiki, queries, tw, 2)

        # 3. command line: cold search and batch, on viwiki and the bundled corpus
        log("command line")
        corpus_index = work / "corpus-ix"
        Archive(corpus_index).update(REPO / "corpus", rebuild=True)
        corpus_queries = read_queries(BENCH / "queries" / "corpus.tsv")
        r["cli"] = {
            "viwiki": cli_numbers(full_index, queries, "thái bình dương"),
            "corpus": cli_numbers(corpus_index, corpus_queries, "chỉnh đốn Đảng"),
        }
        r["corpus_latency"] = latency(corpus_index, corpus_queries, hints=False)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    r["meta"]["run_seconds"] = time.perf_counter() - t_start
    write_reports(args.out, r)
    log((args.out / "speed.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
