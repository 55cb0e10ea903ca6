"""Choose tracuu's ranking knobs through the product path, on several sets at once.

    python bench/tune.py --grid "k1=0.5,0.9;pair_boost=0.5,1" [--sets alqac2022,alqac2023,vire4mrc]

Each set is written as files (one per document, paragraphs as in the source) and indexed
once, as `tracuu index` does; every combination of `tracuu.Ranking` values in ``--grid``
then answers every question, with and without diacritics, through the Python API that
`tracuu batch` uses, and the ranked documents are the files of the hits in order. The
margin of a combination on a set is its MRR@10 minus the best fair baseline's (the same
baselines as quality.py: for queries without diacritics only folded ones count).

Settings are chosen by their WORST margin over all sets and query variants, not the mean;
the leave-one-set-out table chooses on the other sets and reports the set left out.
Results go to ``--out`` (tune.md and tune.json).
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import common
from common import log
from msgspec.structs import asdict, replace
from quality import VARIANTS, Query, fair_baselines, mean_of, prepare_questions, run_baseline
from tracuu_cli import write_corpus

common.load_tracuu()  # tracuu from this checkout's src/
from tracuu import Archive, Ranking  # noqa: E402
from tracuu.search import Searcher  # noqa: E402

HITS = 100  # paragraphs read per question, as quality.py asks `tracuu batch -n 100`


def best_baselines(set_name: str, queries: list[Query], data: Path, cache: Path) -> dict:
    """MRR@10 of the best fair baseline for each query variant (cached in ``cache``)."""
    if cache.exists():
        return json.loads(cache.read_text())
    collection = common.load_collection(data, set_name)
    rows = []
    for name in ("bm25-syllables", "bm25-syll+bigrams", "bm25-words"):
        for fold in (False, True):
            rows.append(run_baseline(name, fold, collection, queries).to_json())
    best = {}
    for variant in VARIANTS:
        top = max(fair_baselines(rows, variant), key=lambda r: r[variant]["mrr@10"])
        best[variant] = {"system": f"{top['name']} ({top['documents']})",
                         "mrr@10": top[variant]["mrr@10"]}  # fmt: skip
    cache.write_text(json.dumps(best))
    return best


def build(set_name: str, data: Path, work: Path) -> tuple[Path, dict[str, tuple[str, str]]]:
    """The index of one set through the product path; file name -> document key."""
    collection = common.load_collection(data, set_name)
    corpus, index = work / set_name / "corpus", work / set_name / "index"
    names = write_corpus(collection.docs, corpus, "paragraphs")
    if not index.exists():
        t0 = time.perf_counter()
        Archive(index).update(corpus, procs=2)
        log(f"{set_name}: indexed in {time.perf_counter() - t0:.0f} s")
    return index, {name: collection.docs[i].key for name, i in names.items()}


def evaluate(
    index: Path, keys: dict, queries: list[Query], ranking: Ranking, by_document: bool
) -> dict[str, float]:
    out = {}
    limit = 10 if by_document else HITS
    with Searcher(index, ranking) as searcher:
        for variant, transform in VARIANTS.items():
            rankings = []
            for q in queries:
                hits = searcher.run(
                    transform(q.text), limit=limit, hints=False, by_document=by_document
                ).hits
                files = dict.fromkeys(h.path for h in hits)
                rankings.append([keys[f] for f in files])
            out[variant] = mean_of(rankings, queries)["mrr@10"]
    return out


def combinations(grid: str) -> list[dict[str, Any]]:
    axes: dict[str, list[Any]] = {}
    for part in filter(None, grid.split(";")):
        name, _, values = part.partition("=")
        kind = type(getattr(Ranking(), name.strip()))
        axes[name.strip()] = [
            v.strip().lower() in ("1", "true", "yes") if kind is bool else kind(v)
            for v in values.split(",")
        ]
    return [dict(zip(axes, combo)) for combo in itertools.product(*axes.values())]


def worst(margins: dict[str, dict[str, float]], sets: list[str]) -> float:
    return min(margins[s][v] for s in sets for v in margins[s])


def report(results: list[dict], sets: list[str], out: Path) -> None:
    lines = ["# Tuning tracuu's ranking through the product path", "",
             "Margin = MRR@10 − best fair baseline, per set and query variant; combinations by "
             "worst margin.", "",
             "| setting | " + " | ".join(f"{s} {v}" for s in sets for v in VARIANTS) + " | worst |",
             "|---|" + "---:|" * (len(sets) * len(VARIANTS) + 1)]  # fmt: skip
    for r in sorted(results, key=lambda r: -worst(r["margins"], sets)):
        cells = [
            f"{r['mrr'][s][v]:.3f} ({r['margins'][s][v]:+.3f})" for s in sets for v in VARIANTS
        ]
        lines.append(
            f"| {r['setting']} | " + " | ".join(cells) + f" | {worst(r['margins'], sets):+.3f} |"
        )
    lines += ["", "## Leave one set out", "",
              "| set left out | chosen on the others | its worst margin there | margin on the set left out |",
              "|---|---|---:|---:|"]  # fmt: skip
    for held in sets:
        rest = [s for s in sets if s != held]
        pick = max(results, key=lambda r: worst(r["margins"], rest))
        lines.append(f"| {held} | {pick['setting']} | {worst(pick['margins'], rest):+.3f} | "
                     f"{worst(pick['margins'], [held]):+.3f} |")  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    (out / "tune.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "tune.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print("\n".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=common.DEFAULT_DATA)
    ap.add_argument("--sets", default="alqac2022,alqac2023,vire4mrc")
    ap.add_argument("--grid", default="")
    ap.add_argument("--limit-questions", type=int, default=0)
    ap.add_argument("--work", type=Path, default=None, help="keep indexes here between runs")
    ap.add_argument("--out", type=Path, default=common.DEFAULT_RESULTS)
    ap.add_argument("--by-document", action="store_true", help="rank documents, not paragraphs")
    ap.add_argument(
        "--merge",
        nargs="+",
        type=Path,
        metavar="TUNE_JSON",
        help="report the combinations of earlier runs (their tune.json) together, run nothing",
    )
    args = ap.parse_args()
    sets = args.sets.split(",")
    if args.merge:
        merged = {r["setting"]: r for f in args.merge for r in json.loads(f.read_text())}
        report(list(merged.values()), sets, args.out)
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="tracuu-tune-"))
    prepared = {}
    for s in sets:
        queries = prepare_questions(common.load_collection(args.data, s), args.limit_questions)
        cache = work / s / f"baselines-{args.limit_questions}.json"
        cache.parent.mkdir(parents=True, exist_ok=True)
        prepared[s] = (
            *build(s, args.data, work),
            queries,
            best_baselines(s, queries, args.data, cache),
        )
    results = []
    for combo in combinations(args.grid) or [{}]:
        ranking = replace(Ranking(), **combo)
        mrr, margins = {}, {}
        for s, (index, keys, queries, best) in prepared.items():
            mrr[s] = evaluate(index, keys, queries, ranking, args.by_document)
            margins[s] = {v: round(mrr[s][v] - best[v]["mrr@10"], 4) for v in VARIANTS}
        setting = ", ".join(f"{k}={v}" for k, v in combo.items()) or "defaults"
        log(f"{setting}: worst margin {worst(margins, sets):+.3f} {mrr}")
        results.append(
            {"setting": setting, "ranking": asdict(ranking), "mrr": mrr, "margins": margins}
        )
    report(results, sets, args.out)


if __name__ == "__main__":
    main()
