"""Ranking metrics with binary relevance: MRR@k, Recall@k, nDCG@k.

``python bench/metrics.py`` runs a self-check on toy rankings.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Sequence

K = 10  # cut-off of the reported metrics
METRICS = ("mrr@10", "recall@10", "ndcg@10")


def _top(ranking: Sequence[Hashable], k: int) -> list[Hashable]:
    """First ``k`` distinct items of ``ranking`` (a repeated hit counts once)."""
    seen: set[Hashable] = set()
    out: list[Hashable] = []
    for item in ranking:
        if item not in seen:
            seen.add(item)
            out.append(item)
            if len(out) == k:
                break
    return out


def mrr_at(ranking: Sequence[Hashable], gold: Collection[Hashable], k: int = 10) -> float:
    """1 / rank of the first relevant item within the top ``k``, else 0."""
    for rank, item in enumerate(_top(ranking, k), start=1):
        if item in gold:
            return 1.0 / rank
    return 0.0


def recall_at(ranking: Sequence[Hashable], gold: Collection[Hashable], k: int = 10) -> float:
    """Fraction of the relevant items found in the top ``k``."""
    if not gold:
        return 0.0
    return sum(1 for item in _top(ranking, k) if item in gold) / len(gold)


def ndcg_at(ranking: Sequence[Hashable], gold: Collection[Hashable], k: int = 10) -> float:
    """nDCG@k with binary gains and log2(rank + 1) discounts."""
    if not gold:
        return 0.0
    dcg = sum(
        1.0 / math.log2(rank + 1)
        for rank, item in enumerate(_top(ranking, k), start=1)
        if item in gold
    )
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(gold), k) + 1))
    return dcg / ideal


def score_query(ranking: Sequence[Hashable], gold: Collection[Hashable]) -> dict[str, float]:
    """All metrics of one query at cut-off :data:`K`, keyed like :data:`METRICS`."""
    return {
        "mrr@10": mrr_at(ranking, gold, K),
        "recall@10": recall_at(ranking, gold, K),
        "ndcg@10": ndcg_at(ranking, gold, K),
    }


def mean_scores(per_query: Sequence[dict[str, float]]) -> dict[str, float]:
    """Average of per-query metric dicts (0 for every metric when there are none)."""
    n = len(per_query)
    return {m: (sum(q[m] for q in per_query) / n if n else 0.0) for m in METRICS}


def _self_check() -> None:
    close = lambda a, b: abs(a - b) < 1e-9  # noqa: E731

    # single relevant item at rank 3
    r = ["a", "b", "g", "c"]
    assert close(mrr_at(r, {"g"}), 1 / 3)
    assert close(recall_at(r, {"g"}), 1.0)
    assert close(ndcg_at(r, {"g"}), 1 / math.log2(4))  # = 0.5
    # at rank 1 everything is perfect
    assert score_query(["g", "x"], {"g"}) == {"mrr@10": 1.0, "recall@10": 1.0, "ndcg@10": 1.0}
    # beyond the cut-off nothing counts
    r = [str(i) for i in range(10)] + ["g"]
    assert score_query(r, {"g"}) == {"mrr@10": 0.0, "recall@10": 0.0, "ndcg@10": 0.0}
    assert close(mrr_at(r, {"g"}, k=11), 1 / 11)
    # two relevant items at ranks 2 and 4
    r = ["x", "g1", "y", "g2"]
    assert close(mrr_at(r, {"g1", "g2"}), 0.5)
    assert close(recall_at(r, {"g1", "g2"}), 1.0)
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    assert close(ndcg_at(r, {"g1", "g2"}), dcg / (1 + 1 / math.log2(3)))
    # one of two relevant items found
    assert close(recall_at(["g1", "x"], {"g1", "g2"}), 0.5)
    # duplicates in a ranking count once and do not push others out of the top k
    r = ["x", "x", "x"] + [str(i) for i in range(8)] + ["g"]
    assert close(mrr_at(r, {"g"}), 1 / 10)
    # empty ranking / empty gold
    assert score_query([], {"g"}) == {"mrr@10": 0.0, "recall@10": 0.0, "ndcg@10": 0.0}
    assert recall_at(["g"], set()) == 0.0
    # means
    m = mean_scores([score_query(["g"], {"g"}), score_query([], {"g"})])
    assert m == {"mrr@10": 0.5, "recall@10": 0.5, "ndcg@10": 0.5}
    assert mean_scores([]) == {"mrr@10": 0.0, "recall@10": 0.0, "ndcg@10": 0.0}


if __name__ == "__main__":
    _self_check()
    print("metrics self-check: ok")
