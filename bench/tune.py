"""Grid over tracuu's ranking knobs on ALQAC (one index build, many rankings).

    python bench/tune.py [--data ../shared/data] [--set alqac2022] [--limit-questions N]

Prints MRR@10 for accented and diacritic-free questions per setting; used to pick the
defaults in tracuu.search.Ranking.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import common
from metrics import mrr_at
from quality import load_tracuu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--data",
        type=Path,
        default=common.DEFAULT_DATA
        if hasattr(common, "DEFAULT_DATA")
        else Path(__file__).resolve().parents[1].parent / "shared" / "data",
    )
    ap.add_argument("--set", default="alqac2022")
    ap.add_argument("--limit-questions", type=int, default=0)
    ap.add_argument("--grid", default="word_boost=0,0.5;pair_boost=0.5,1,2;and_max=4")
    ap.add_argument("--variants", default="acc,plain")
    args = ap.parse_args()
    api = load_tracuu()
    from tracuu.search import Ranking, Searcher

    coll = common.load_collection(args.data, args.set)
    questions = coll.questions[: args.limit_questions or None]
    tmp = Path(tempfile.mkdtemp(prefix="tracuu-tune-"))
    numbers: dict[tuple[str, int], tuple[str, str]] = {}
    paragraphs = []
    counters: dict[str, int] = {}
    for d in coll.docs:
        counters[d.law_id] = counters.get(d.law_id, 0) + 1
        n = counters[d.law_id]
        numbers[(d.law_id, n)] = d.key
        paragraphs.append(
            api["Paragraph"](d.law_id, n, 0, len(d.text), d.text, d.text.split("\n")[0])
        )
    t0 = time.perf_counter()
    api["build_index"](paragraphs, tmp / "ix")
    print(f"built in {time.perf_counter() - t0:.1f}s", file=sys.stderr)

    grid = {}
    for part in args.grid.split(";"):
        k, _, vs = part.partition("=")
        grid[k] = [type(getattr(Ranking(), k))(v) for v in vs.split(",")]
    for combo in itertools.product(*grid.values()):
        ranking = replace(Ranking(), **dict(zip(grid, combo)))
        row = []
        with Searcher(tmp / "ix", ranking) as s:
            variants = {"acc": lambda q: q, "plain": common.strip_diacritics}
            for variant in args.variants.split(","):
                fn = variants[variant]
                t0 = time.perf_counter()
                scores = []
                for q in questions:
                    hits = s.search(fn(q.text), limit=10)
                    ranked = [numbers[(h.path, h.number)] for h in hits]
                    scores.append(mrr_at(ranked, q.gold))
                dt = (time.perf_counter() - t0) / len(questions) * 1000
                row.append(f"{variant} {sum(scores) / len(scores):.4f} ({dt:.0f} ms/q)")
        print(dict(zip(grid, combo)), " ".join(row), flush=True)


if __name__ == "__main__":
    main()
