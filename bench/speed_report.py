"""speed.md and speed.json from the results of ``speed.py``: targets on top, then the tables."""

from __future__ import annotations

import json
import math
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

# the targets
MAX_X_TEXT = 8.0  # index size / text size, full viwiki
MAX_CPU_RATIO = (
    0.5  # build CPU seconds, tracuu / the baseline (main before the speed work), same sample and -j
)
MAX_FULL_BUILD_S = 300.0  # full viwiki, -j2
MIN_BATCH_QPS = 200.0  # tracuu batch, full viwiki, start-up included
MAX_P95_MS = 20.0  # warm, full viwiki
MAX_COLD_SEARCH_S = 0.25  # tracuu search, bundled corpus
MIN_SPEEDUP = 1.8  # -j2 wall vs -j1 wall, same sample
SIZE_SLACK = 0.001  # -j2 vs -j1 index: the manifest's timings differ by a few bytes
LINEAR_SLACK = 1.25  # per-MB cost at the largest size / at the smallest (this bench's reading)

Results = dict[str, Any]


# --------------------------------------------------------------------------- lookups


def fmt(x: Any, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:,.{digits}f}"


def build_rows(r: Results) -> list[dict]:
    return (r.get("build") or {}).get("rows", [])


def find_row(r: Results, system: str, jobs: int, options: tuple[str, ...] = ()) -> dict | None:
    for row in build_rows(r):
        ok = row["system"] == system and row["jobs"] == jobs and tuple(row["options"]) == options
        if ok and row.get("error") is None:
            return row
    return None


def ratio(a: dict | None, b: dict | None, key: str) -> float | None:
    if a is None or b is None or not b.get(key):
        return None
    return a[key] / b[key]


def speedup(r: Results, system: str) -> float | None:
    """Wall time with -j1 / with -j2 on the build sample."""
    return ratio(find_row(r, system, 1), find_row(r, system, 2), "wall_s")


def base_name(r: Results) -> str:
    """The baseline's name in tables: its commit when it was checked out from git."""
    commit = (r.get("meta") or {}).get("baseline_commit")
    return f"baseline {commit[:7]}" if commit else "baseline"


def full_ok(r: Results) -> dict | None:
    full = r.get("full") or {}
    build = full.get("build") or {}
    return full if build and build.get("error") is None else None


def sample_where(r: Results) -> str:
    corpus = (r.get("build") or {}).get("corpus") or {}
    return f"viwiki {corpus.get('label', 'sample')}"


def full_where(r: Results) -> str:
    full = r.get("full") or {}
    corpus = full.get("corpus") or {}
    if corpus.get("label", "").startswith("first"):
        return f"viwiki {corpus['label']} (**test subset**, not the target's corpus)"
    return "full viwiki"


# --------------------------------------------------------------------------- targets


def at_most(limit: float) -> Callable[[float], bool]:
    return lambda v: v <= limit


def at_least(limit: float) -> Callable[[float], bool]:
    return lambda v: v >= limit


def target(name: str, goal: str, where: str, value: float | None, test, shown: str) -> dict:
    measured = value is not None
    return {"target": name, "goal": goal, "measured_on": where, "value": value} | {
        "shown": shown if measured else "not measured",
        "met": test(value) if measured else None,
    }


# the targets measured on the full run: (target, goal, part of it, key, test, how shown)
FULL_TARGETS = [
    (
        "index size / text size",
        f"≤ {MAX_X_TEXT:g}×",
        "build",
        "x_text",
        at_most(MAX_X_TEXT),
        "{:.2f}×",
    ),
    (
        "build wall time, -j2",
        f"≤ {MAX_FULL_BUILD_S:g} s on 2 free cores",
        "build",
        "wall_s",
        at_most(MAX_FULL_BUILD_S),
        "{:.0f} s",
    ),
    (
        "`tracuu batch` throughput",
        f"≥ {MIN_BATCH_QPS:g} queries/s",
        "cli",
        "batch_qps",
        at_least(MIN_BATCH_QPS),
        "{:.0f} q/s",
    ),
    (
        "warm query p95",
        f"≤ {MAX_P95_MS:g} ms",
        "latency",
        "p95_ms",
        at_most(MAX_P95_MS),
        "{:.1f} ms",
    ),
]


def t_full(r: Results, spec: tuple) -> dict:
    name, goal, part, key, test, shown = spec
    full = full_ok(r)
    v = (full.get(part) or {}).get(key) if full else None
    return target(name, goal, full_where(r), v, test, shown.format(v) if v is not None else "")


def t_cpu(r: Results, jobs: int) -> dict:
    x = ratio(find_row(r, "tracuu", jobs), find_row(r, "baseline", jobs), "cpu_s")
    where = f"{sample_where(r)}, -j{jobs}, vs {base_name(r)}"
    goal = f"≤ {MAX_CPU_RATIO:g}× the baseline's"
    return target(
        f"build CPU time, -j{jobs}", goal, where, x, at_most(MAX_CPU_RATIO), f"{fmt(x, 2)}×"
    )


def t_cold(r: Results) -> dict:
    tools = (r.get("cli") or {}).get("tools") or {}
    s = (tools.get("tracuu") or {}).get("search_wall_s")
    goal = f"≤ {MAX_COLD_SEARCH_S:g} s"
    return target(
        "cold `tracuu search`",
        goal,
        "bundled corpus",
        s,
        at_most(MAX_COLD_SEARCH_S),
        f"{fmt(s, 3)} s",
    )


def t_speedup(r: Results) -> dict:
    x = speedup(r, "tracuu")
    goal = f"≥ {MIN_SPEEDUP:g}× on 2 free cores"
    name = "-j2 speed-up over -j1 (wall)"
    return target(name, goal, sample_where(r), x, at_least(MIN_SPEEDUP), f"{fmt(x, 2)}×")


def t_j2_size(r: Results) -> dict:
    j1, j2 = find_row(r, "tracuu", 1), find_row(r, "tracuu", 2)
    x = ratio(j2, j1, "index_bytes")
    diff = j2["index_bytes"] - j1["index_bytes"] if j1 and j2 and x is not None else 0
    goal = f"no larger (≤ 1 + {SIZE_SLACK:g}: build metadata)"
    shown = f"{fmt(x, 4)} ({diff:+,} bytes)"
    return target("index size -j2 / -j1", goal, sample_where(r), x, at_most(1 + SIZE_SLACK), shown)


def linear_growth(r: Results) -> dict[str, float] | None:
    """Per-MB cost at the largest scaling size / at the smallest, for each measure."""
    rows = [s for s in (r.get("scaling") or {}).get("rows", []) if scaling_ok(s)]
    if len(rows) < 2:
        return None
    small, large = rows[0], rows[-1]
    per_mb = lambda s, v: v / (s["corpus"]["bytes"] / 1e6)
    return {
        "CPU s/MB": per_mb(large, large["build"]["cpu_s"]) / per_mb(small, small["build"]["cpu_s"]),
        "index/text": large["build"]["x_text"] / small["build"]["x_text"],
        "p95/MB": per_mb(large, large["latency"]["p95_ms"])
        / per_mb(small, small["latency"]["p95_ms"]),
    }


def t_linear(r: Results) -> dict:
    g = linear_growth(r)
    worst = max(g.values()) if g else None
    shown = ", ".join(f"{k} {v:.2f}×" for k, v in g.items()) if g else ""
    goal = f"per-MB cost, largest / smallest size ≤ {LINEAR_SLACK:g}"
    return target("cost grows linearly", goal, "scaling table", worst, at_most(LINEAR_SLACK), shown)


TARGETS: list[Callable[[Results], dict]] = [
    lambda r: t_full(r, FULL_TARGETS[0]),
    lambda r: t_cpu(r, 1),
    lambda r: t_cpu(r, 2),
    *(lambda r, spec=spec: t_full(r, spec) for spec in FULL_TARGETS[1:]),
    t_cold,
    t_linear,
    t_speedup,
    t_j2_size,
]


def targets(r: Results) -> list[dict]:
    return [t(r) for t in TARGETS]


def yes(met: bool | None) -> str:
    return "—" if met is None else ("yes" if met else "**no**")


def target_lines(rows: list[dict]) -> list[str]:
    lines = ["## Targets", "", "| target | goal | measured on | measured | met |"]
    lines.append("|---|---|---|---:|---|")
    for t in rows:
        lines.append(
            f"| {t['target']} | {t['goal']} | {t['measured_on']} | {t['shown']} | {yes(t['met'])} |"
        )
    return lines


# --------------------------------------------------------------------------- sections


def yardsticks(m: dict) -> str:
    """How fast the machine ran (a fixed loop of plain Python, ``measure.yardstick``):
    runs compare only where these are close."""
    if m.get("yardstick_start") is None:
        return ""  # (runs before it was measured)
    return (
        f" Yardstick (10^7 additions in plain Python, best of 3): "
        f"{m['yardstick_start']:.2f} s at start, {m.get('yardstick_end') or 0:.2f} s at end;"
        " runs compare only where these are close."
    )


def header_lines(r: Results) -> list[str]:
    m = r["meta"]
    tools = "; ".join(
        f"{name}: `{t['command']}` ({t['version']})" for name, t in m["tools"].items()
    )
    load = lambda v: "/".join(fmt(x, 2) for x in v) if v else "unknown"
    return [
        "# Speed and size: tracuu on viwiki and the bundled corpus",
        "",
        f"{m['date']} · {m['nproc']} CPUs · Python {m['python']} · run time "
        f"{fmt(m['run_seconds'], 0)} s · checkout {m['git']} · {tools}.",
        "",
        f"**Shared machine:** load average (1/5/15 min) {load(m['load_start'])} at start, "
        f"{load(m['load_end'])} at end. Other work slows every wall time, latency and "
        "queries/s below (CPU seconds much less); each build row gives the 1-minute load "
        "when it started. One run; no figure is averaged over runs unless said." + yardsticks(m),
        "",
        f"Command: `{shlex.join(['python', 'bench/speed.py', *m['argv']])}`; parts measured: "
        f"{', '.join(m.get('parts_done') or []) or 'none'}.",
        *(f"\n**Note:** {note}" for note in m.get("notes", [])),
    ]


BUILD_HEAD = [
    "| build | -j | wall s | CPU s | peak RSS MB | index MB | × text | MB/min | load |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
]


def build_line(row: dict, name: str | None = None) -> str:
    name = name or row["label"]
    if row.get("error"):
        return f"| {name} | {row['jobs']} | {row['error']} | | | | | | |"
    load = fmt(row["load_start"][0], 1) if row.get("load_start") else "—"
    return (
        f"| {name} | {row['jobs']} | {fmt(row['wall_s'])} | {fmt(row['cpu_s'])} "
        f"| {fmt(row['peak_rss_mb'], 0)} | {fmt(row['index_bytes'] / 1e6)} "
        f"| {fmt(row['x_text'], 2)} | {fmt(row['mb_per_min'], 2)} | {load} |"
    )


ROW_NAMES = {
    "tracuu": "tracuu",
    "tracuu --words": "tracuu `--words` (underthesea's words indexed too)",
    "whoosh standard": "plain Whoosh: StandardAnalyzer (reference)",
    "whoosh syllables-folded": "plain Whoosh: syllables + folded copy (reference)",
}


def build_lines(r: Results) -> list[str]:
    part = r.get("build") or r.get("reference")
    if not part:
        return []
    c = part["corpus"]
    lines = [
        "",
        f"## Build: viwiki sample ({c['label']}: {c['files']:,} files, "
        f"{c['bytes'] / 1e6:.2f} MB of text; the same files in every row)",
        "",
        *BUILD_HEAD,
    ]
    rows = build_rows(r) + (r.get("reference") or {}).get("rows", [])
    names = ROW_NAMES | {"baseline": base_name(r)}
    lines += [build_line(row, names.get(row["label"])) for row in rows]
    note = (r.get("build") or {}).get("baseline_note")
    return lines + [""] + ([f"Note: {note}.", ""] if note else []) + build_summary(r)


def build_summary(r: Results) -> list[str]:
    if not build_rows(r):
        return []
    cpu = [ratio(find_row(r, "tracuu", j), find_row(r, "baseline", j), "cpu_s") for j in (1, 2)]
    size = [
        ratio(find_row(r, s, 2), find_row(r, s, 1), "index_bytes") for s in ("tracuu", "baseline")
    ]
    words = ratio(find_row(r, "tracuu", 1, ("--words",)), find_row(r, "tracuu", 1), "cpu_s")
    return [
        f"- CPU time, tracuu / {base_name(r)}: -j1 {fmt(cpu[0], 2)}×, -j2 {fmt(cpu[1], 2)}×.",
        f"- -j2 speed-up (wall -j1 / wall -j2): tracuu {fmt(speedup(r, 'tracuu'), 2)}×, "
        f"{base_name(r)} {fmt(speedup(r, 'baseline'), 2)}×.",
        f"- Index size -j2 / -j1: tracuu {fmt(size[0], 3)}, {base_name(r)} {fmt(size[1], 3)}.",
        f"- tracuu `--words` -j1 CPU / tracuu -j1 CPU: {fmt(words, 2)}×.",
    ]


def full_lines(r: Results) -> list[str]:
    full = r.get("full")
    if not full:
        return []
    c = full["corpus"]
    lines = [
        "",
        f"## Full build and queries: {full_where(r)} ({c['files']:,} files, "
        f"{c['nonempty_files']:,} non-empty, {c['bytes'] / 1e6:.1f} MB)",
        "",
        *BUILD_HEAD,
        build_line(full["build"], "tracuu"),
    ]
    if full["build"].get("error"):
        return lines
    st, lat = full["stats"], full["latency"]
    indexed = st.get("documents")
    ok = (
        "every non-empty file" if indexed == c["nonempty_files"] else "**not** every non-empty file"
    )
    skipped = ", ".join(sorted(st.get("skipped") or {})) or "none"
    lines += [
        "",
        f"Files indexed (`tracuu stats --json`): {indexed} of {c['files']} — {ok}; "
        f"skipped: {len(st.get('skipped') or {})} ({skipped[:400]}).",
        "",
    ]
    return lines + latency_lines(lat) + cli_table({"tracuu on " + full_where(r): full["cli"]})


def latency_lines(lat: dict) -> list[str]:
    if lat.get("error"):
        return [f"Warm latency: {lat['error']}", ""]
    return [
        f"Warm latency, Python API in a fresh process (`Archive(ix).run(q, limit=10)`, hints on "
        f"as in `tracuu search`), {lat['queries']} queries of `bench/queries/viwiki.tsv` "
        f"({lat['with_hits']} with hits); one warm-up pass, each query the median of 3: "
        f"p50 {fmt(lat['p50_ms'], 1)} ms, p95 {fmt(lat['p95_ms'], 1)} ms, "
        f"max {fmt(lat['max_ms'], 1)} ms, mean {fmt(lat['mean_ms'], 1)} ms. Slowest: "
        + ", ".join(f"{s['id']} {fmt(s['ms'], 0)} ms" for s in lat.get("slowest", [])[:5])
        + ".",
        "",
    ]


def cli_table(entries: dict[str, dict]) -> list[str]:
    lines = [
        "| command, index | `tracuu search` cold, s (median of 10) | its CPU s "
        "| the same to a terminal, s "
        "| `tracuu batch` wall, s (median of 3) | queries | batch q/s | q/s after start-up |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, c in entries.items():
        if c.get("error"):
            lines.append(f"| {name} | {c['error']} | | | | | | |")
            continue
        lines.append(
            f"| {name} | {fmt(c['search_wall_s'], 3)} | {fmt(c.get('search_cpu_s'), 3)} "
            f"| {fmt(c.get('search_tty_wall_s'), 3)} "
            f"| {fmt(c['batch_wall_s'], 2)} "
            f"| {c['batch_queries']} | {fmt(c['batch_qps'], 0)} "
            f"| {fmt(c['batch_qps_after_startup'], 0)} |"
        )
    errors = [e for c in entries.values() for e in c.get("errors", [])]
    return lines + (["", f"Command errors: {'; '.join(errors[:5])}"] if errors else [])


def scaling_ok(s: dict) -> bool:
    return s["build"].get("error") is None and not (s.get("latency") or {}).get("error")


def scaling_lines(r: Results) -> list[str]:
    rows = (r.get("scaling") or {}).get("rows")
    if not rows:
        return []
    lines = [
        "",
        "## Scaling: -j2 builds and warm p95 at growing sizes (first files of viwiki)",
        "",
        "| text MB | files | wall s | CPU s | index MB | × text | p95 ms "
        "| wall s/MB | CPU s/MB | load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in rows:
        mb, b = s["corpus"]["bytes"] / 1e6, s["build"]
        if not scaling_ok(s):
            err = b.get("error") or s["latency"]["error"]
            lines.append(f"| {mb:.1f} | {s['corpus']['files']} | {err} | | | | | | | |")
            continue
        lines.append(
            f"| {mb:.1f} | {s['corpus']['files']:,} | {fmt(b['wall_s'])} | {fmt(b['cpu_s'])} "
            f"| {fmt(b['index_bytes'] / 1e6)} | {fmt(b['x_text'], 2)} "
            f"| {fmt(s['latency']['p95_ms'], 1)} | {fmt(b['wall_s'] / mb, 2)} "
            f"| {fmt(b['cpu_s'] / mb, 2)} | {fmt((b.get('load_start') or [None])[0], 1)} |"
        )
    reused = [
        f"{s['corpus']['bytes'] / 1e6:.1f} MB from the {s['build']['measured_in']} part"
        for s in rows
        if s["build"].get("measured_in")
    ]
    return lines + (["", f"Builds reused (not rebuilt): {', '.join(reused)}."] if reused else [])


def cli_lines(r: Results) -> list[str]:
    cli = r.get("cli")
    if not cli:
        return []
    kb = cli["corpus"]["bytes"] / 1e3
    names = {"tracuu": "tracuu", "baseline": base_name(r)}
    entries = {f"{names[k]}, bundled corpus": v for k, v in cli["tools"].items()}
    return [
        "",
        f"## Command line on the bundled corpus (`corpus/`, {kb:.0f} kB; "
        "`bench/queries/corpus.tsv`)",
        "",
        *cli_table(entries),
    ]


def method_lines(r: Results) -> list[str]:
    return [
        "",
        "## How it was measured",
        "",
        "- Builds run `tracuu index --corpus DIR --index NEW_DIR -q -j N` as a subprocess, reaped "
        "with `os.wait4`: wall time; CPU = user + system seconds of the process and every worker "
        "it waited for; peak RSS = the largest single process. Index size = every file of the "
        "index folder; × text = index bytes / text bytes (files' bytes on disk, CRLF included).",
        "- Samples: viwiki's files in sorted name order (dot files included, as tracuu reads "
        "them), taken until their bytes reach the size (MB = 10^6 bytes), linked into a folder; "
        "every row of a table indexes the same files.",
        "- Baseline: the main branch before the speed work (`--baseline-commit`, a93da6f by "
        "default) checked out in a git worktree and run with this tracuu's Python (same "
        "Whoosh, underthesea and interpreter; its `src/` first on `PYTHONPATH`), with the same "
        "command line in the same run; or `--baseline CMD` (another virtualenv).",
        "- Plain Whoosh references: `bench/whoosh_ref.py` in a fresh process of the bench's Python "
        "(Whoosh of the same virtualenv), one document per non-empty line, one writer "
        "(limitmb 512), a stored file name; StandardAnalyzer = one TEXT field with positions; "
        "syllables + folded = two TEXT fields (`[^\\W_]+`, lower-cased), the second over the "
        "text with every diacritic removed.",
        "- Warm latency: `bench/latency.py` with the tracuu's own Python; cold `tracuu search`: "
        "a new process per run after one untimed run (OS file cache warm, byte code cached as "
        "after `pip install`: PYTHONDONTWRITEBYTECODE unset, PYTHONPYCACHEPREFIX in the work "
        "folder), to nowhere and to a pseudo terminal; batch q/s = 200 / wall time of "
        "`tracuu batch FILE -f jsonl -n 10` (start-up included); after start-up subtracts the "
        "cold search time. On the bundled corpus tracuu's and the baseline's runs alternate "
        "(one cold search of each in turn, then one batch of each): the machine's speed "
        "drifts within minutes.",
        f"- Linear growth (this bench's reading of the target): per-MB CPU, index size per MB and "
        f"p95 per MB at the largest size are at most {LINEAR_SLACK:g}× those at the smallest.",
    ]


def write(out: Path, r: Results) -> None:
    """Write speed.json (all numbers, with the targets) and speed.md."""
    out.mkdir(parents=True, exist_ok=True)
    r["targets"] = targets(r)
    (out / "speed.json").write_text(
        json.dumps(r, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    lines = header_lines(r) + [""] + target_lines(r["targets"])
    for section in (build_lines, full_lines, scaling_lines, cli_lines, method_lines):
        lines += section(r)
    (out / "speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
