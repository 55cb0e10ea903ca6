"""Ranking quality of tracuu vs baselines on Vietnamese legal retrieval (ALQAC 2022/2023).

For each collection every system indexes the articles (one article = one document) and
answers the questions twice: as written (accented) and with all diacritics removed.
Reports MRR@10, Recall@10 and nDCG@10 (binary relevance) to ``quality.md`` and
``quality.json`` in ``--out``.

    python bench/quality.py                       # everything, a few minutes on 2 cores
    python bench/quality.py --systems tracuu      # only tracuu
    python bench/quality.py --limit-questions 50 --out /tmp/q
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import common
from baselines import BASELINES, System
from common import Collection, Doc, log
from metrics import METRICS, K, mean_scores, score_query

# query variants: name -> transformation of the question text
VARIANTS: dict[str, Callable[[str], str]] = {
    "accented": lambda q: q,
    "no_diacritics": common.strip_diacritics,
}
VARIANT_LABELS = {"accented": "accented", "no_diacritics": "no diacritics"}


# --------------------------------------------------------------------------- tracuu


class TracuuSystem:
    """tracuu as shipped, through its Python API: one Paragraph per article.

    ``build_index(paragraphs, index_dir)`` and ``open_searcher(index_dir)`` (returning an
    object with ``search(query, limit)`` and ``close()``) can be injected; by default they
    come from ``tracuu.index.build_index`` and ``tracuu.search.Searcher``, loaded from the
    repository's ``src/`` first.
    """

    name = "tracuu"

    def __init__(
        self,
        build_index: Callable[[Any, Path], None] | None = None,
        open_searcher: Callable[[Path], Any] | None = None,
        paragraph: Callable[..., Any] | None = None,
    ) -> None:
        if build_index is None or open_searcher is None or paragraph is None:
            api = load_tracuu()
            build_index = build_index or api["build_index"]
            open_searcher = open_searcher or api["Searcher"]
            paragraph = paragraph or api["Paragraph"]
        self._build_index = build_index
        self._open_searcher = open_searcher
        self._paragraph = paragraph
        self._dir: Path | None = None
        self._searcher: Any = None
        self._position: dict[tuple[str, int], int] = {}  # (law_id, number) -> doc position
        self._warned = False

    def build(self, docs: Sequence[Doc]) -> None:
        self.close()
        self._dir = Path(tempfile.mkdtemp(prefix="tracuu-quality-"))
        self._position = {}
        counters: dict[str, int] = {}
        paragraphs = []
        for i, doc in enumerate(docs):
            number = counters[doc.law_id] = counters.get(doc.law_id, 0) + 1  # 1-based per law
            self._position[(doc.law_id, number)] = i
            paragraphs.append(
                self._paragraph(
                    path=doc.law_id,
                    number=number,
                    start=0,
                    end=len(doc.text),
                    text=doc.text,
                    title=doc.text.split("\n", 1)[0].strip(),
                )
            )
        self._build_index(paragraphs, self._dir)
        self._searcher = self._open_searcher(self._dir)

    def search(self, query: str, k: int) -> list[int]:
        assert self._searcher is not None, "build() first"
        out: list[int] = []
        for hit in self._searcher.search(query, limit=k):
            pos = self._position.get((hit.path, hit.number))
            if pos is None:
                if not self._warned:
                    log(
                        f"  tracuu: hit ({hit.path!r}, {hit.number}) is no indexed article; ignored"
                    )
                    self._warned = True
                continue
            out.append(pos)
        return out

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


def load_tracuu() -> dict[str, Any]:
    """Import the tracuu API, preferring the repository's ``src/`` over an installed copy."""
    src = str(common.REPO_ROOT / "src")
    if Path(src).is_dir() and src not in sys.path:
        sys.path.insert(0, src)
    from tracuu.corpus import Paragraph
    from tracuu.index import build_index
    from tracuu.search import Searcher

    return {"Paragraph": Paragraph, "build_index": build_index, "Searcher": Searcher}


# name -> factory, in report order
SYSTEMS: dict[str, Callable[[], System]] = {"tracuu": TracuuSystem, **BASELINES}


# --------------------------------------------------------------------------- evaluation


@dataclass
class SystemResult:
    """Scores of one system on one collection, or why it could not run."""

    name: str
    error: str | None = None
    build_s: float = 0.0
    variants: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        if self.error is not None:
            return {"error": self.error}
        return {"build_s": round(self.build_s, 3), **self.variants}


def evaluate(
    system: System, collection: Collection, questions: Sequence[common.Question]
) -> SystemResult:
    """Index the collection with ``system`` and score every query variant."""
    result = SystemResult(system.name)
    keys = [d.key for d in collection.docs]
    t0 = time.perf_counter()
    system.build(collection.docs)
    result.build_s = time.perf_counter() - t0
    for variant, transform in VARIANTS.items():
        t0 = time.perf_counter()
        per_query = [
            score_query([keys[i] for i in system.search(transform(q.text), K)], q.gold)
            for q in questions
        ]
        elapsed = time.perf_counter() - t0
        scores = {m: round(v, 4) for m, v in mean_scores(per_query).items()}
        scores["query_ms"] = round(1000 * elapsed / max(len(questions), 1), 2)
        result.variants[variant] = scores
    return result


def run_system(
    factory: Callable[[], System],
    name: str,
    collection: Collection,
    questions: Sequence[common.Question],
) -> SystemResult:
    """Create, evaluate and close one system; any failure becomes ``error``."""
    try:
        system = factory()
    except Exception as exc:  # noqa: BLE001 - report and go on with the others
        return SystemResult(name, error=f"not available: {type(exc).__name__}: {exc}")
    try:
        return evaluate(system, collection, questions)
    except Exception as exc:  # noqa: BLE001
        return SystemResult(name, error=f"failed: {type(exc).__name__}: {exc}")
    finally:
        try:
            system.close()
        except Exception:  # noqa: BLE001
            pass


# --------------------------------------------------------------------------- reports


def _nproc() -> int:
    """CPUs this process may use (what ``nproc`` prints)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _versions() -> dict[str, str]:
    out = {}
    for dist in ("whoosh-reloaded", "underthesea", "bm25s", "numpy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def write_reports(out_dir: Path, meta: dict[str, Any], results: dict[str, dict[str, Any]]) -> None:
    """Write ``quality.json`` and ``quality.md``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = {**meta, "collections": results}
    (out_dir / "quality.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )

    lines = [
        "# Ranking quality: tracuu vs baselines",
        "",
        f"{meta['date']} · machine: {meta['machine']['platform']}, nproc {meta['machine']['nproc']}"
        f" · Python {meta['python']} · run time {meta['run_time_s']:.0f} s"
        + (f" · first {meta['limit_questions']} questions only" if meta["limit_questions"] else ""),
        "",
        'Query = the question text; "no diacritics" = the same query with all diacritics removed',
        "(documents indexed as written). One article = one document; binary relevance.",
        '"index s" = time to build the index; "ms/query" = mean search time.',
    ]
    for name, coll in results.items():
        lines += [
            "",
            f"## {name} ({coll['documents']:,} articles, {coll['questions']:,} questions)",
            "",
            "| system | query | MRR@10 | R@10 | nDCG@10 | index s | ms/query |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for sys_name, res in coll["systems"].items():
            if "error" in res:
                lines.append(f"| {sys_name} | — | {_md_escape(res['error'])} | | | | |")
                continue
            for variant, label in VARIANT_LABELS.items():
                s = res[variant]
                lines.append(
                    f"| {sys_name} | {label} | {s['mrr@10']:.3f} | {s['recall@10']:.3f}"
                    f" | {s['ndcg@10']:.3f} | {res['build_s']:.1f} | {s['query_ms']:.1f} |"
                )
    lines += [
        "",
        "Systems: tracuu = this project through its Python API; whoosh-standard = Whoosh"
        " StandardAnalyzer + BM25F, OR of the query terms; bm25-* = bm25s (k1=1.2, b=0.75) over"
        " lower-cased syllables, underthesea words, or syllables + adjacent-syllable bigrams.",
        "",
    ]
    (out_dir / "quality.md").write_text("\n".join(lines), encoding="utf-8")


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# --------------------------------------------------------------------------- CLI


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--data",
        type=Path,
        default=common.DEFAULT_DATA,
        help="benchmark data directory (default: %(default)s)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=common.DEFAULT_RESULTS,
        help="where quality.md / quality.json go (default: %(default)s)",
    )
    p.add_argument(
        "--sets",
        default=",".join(common.QUESTION_FILES),
        help="comma-separated collections (default: %(default)s)",
    )
    p.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help="comma-separated systems (default: %(default)s)",
    )
    p.add_argument(
        "--limit-questions",
        type=int,
        default=0,
        metavar="N",
        help="use only the first N questions of each collection (0 = all)",
    )
    args = p.parse_args(argv)
    args.sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [s for s in args.systems if s not in SYSTEMS]
    if unknown:
        p.error(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}")
    unknown = [s for s in args.sets if s not in common.QUESTION_FILES]
    if unknown:
        p.error(
            f"unknown set(s) {', '.join(unknown)}; choose from {', '.join(common.QUESTION_FILES)}"
        )
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    results: dict[str, dict[str, Any]] = {}
    for set_name in args.sets:
        collection = common.load_collection(args.data, set_name)
        questions = collection.questions
        if args.limit_questions > 0:
            questions = questions[: args.limit_questions]
        log(f"{set_name}: {len(collection.docs)} articles, {len(questions)} questions")
        systems: dict[str, Any] = {}
        for sys_name in args.systems:
            t0 = time.perf_counter()
            res = run_system(SYSTEMS[sys_name], sys_name, collection, questions)
            took = time.perf_counter() - t0
            if res.error is not None:
                log(f"  {sys_name:<18} {res.error}")
            else:
                a, n = res.variants["accented"], res.variants["no_diacritics"]
                log(
                    f"  {sys_name:<18} MRR@10 {a['mrr@10']:.3f} / no diacritics {n['mrr@10']:.3f}"
                    f"  (index {res.build_s:.1f} s, total {took:.1f} s)"
                )
            systems[sys_name] = res.to_json()
        results[set_name] = {
            "documents": len(collection.docs),
            "questions": len(questions),
            "systems": systems,
        }
    meta = {
        "date": date,
        "machine": {"platform": f"{platform.system()} {platform.machine()}", "nproc": _nproc()},
        "python": platform.python_version(),
        "versions": _versions(),
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
