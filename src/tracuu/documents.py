"""Documents ranked from their paragraphs and read whole (``--by-document``).

A document's score mixes two things, each divided by the query's best:

* its paragraphs: the best one the search found, plus a share of its next best
  (``doc_decay``) and of its first paragraph, the title (``doc_title``);
* the document read whole (``doc_whole`` of the score): BM25 over all of its text, with
  the query's syllables and pairs as they are matched (engine.whole), so that words
  spread over the title and the body add up as they do in a search over whole
  documents.

The documents are those of the paragraphs found, and the best few by the whole
documents' BM25 (scored at their own paragraphs: a document without a paragraph that
matches the query, or that passes the filters, is not one of them).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .analysis import FieldTerm
from .engine import Searcher
from .models import Ranking
from .query import compiled as c

WHOLE_DOCS = 2  # documents taken from the whole documents' ranking, per one asked for...
WHOLE_MAX = 200  # ...up to this many (the web page asks for 200, to count its facets)

Ranked = list[tuple[int, float]]  # (docnum, score), best first
Scored = tuple[float, str, Ranked]  # (document score, path, its paragraphs best first)


def rank_documents(
    engine: Searcher,
    ranked: Ranked,
    node: c.Node,
    whole_terms: Sequence[FieldTerm],
    ranking: Ranking,
    limit: int,
    flt: c.Node | None = None,
    ahead: frozenset[str] = frozenset(),
) -> list[Scored]:
    """The best ``limit`` documents of ``ranked`` paragraphs and of the whole documents'
    BM25 for ``whole_terms``, best first; the documents of ``ahead`` (the paths that have
    every word of a widened query) before the others."""
    by_path: dict[str, Ranked] = {}
    first: dict[str, float] = {}  # a document's first paragraph (its title), if found
    paths, numbers = engine.keys([d for d, _ in ranked])
    for (docnum, score), path, number in zip(ranked, paths, numbers.tolist(), strict=True):
        by_path.setdefault(path, []).append((docnum, score))
        if number == 1:
            first[path] = score
    weight = ranking.doc_whole if whole_terms else 0.0
    if weight > 0:
        whole = engine.whole_scores(whole_terms, ranking.doc_k1, ranking.b)
        wholes = engine.wholes()
        cut = min(limit * WHOLE_DOCS, WHOLE_MAX)
        best = _best(whole, cut)
        more = [wholes.paths[i] for i in best.tolist() if whole[i] > 0]
        _add_paragraphs(engine, [p for p in more if p not in by_path], node, flt, by_path, first)
    found = {path: _found(paras, first.get(path), ranking) for path, paras in by_path.items()}
    if weight > 0:
        top_found = max(found.values(), default=0.0) or 1.0
        top_whole = float(whole.max(initial=0.0)) or 1.0
        found = {
            path: (1 - weight) * score / top_found
            + weight * float(whole[wholes.number[path]]) / top_whole
            for path, score in found.items()
        }
    scored = sorted(
        ((score, path, by_path[path]) for path, score in found.items()),
        key=lambda x: (x[1] not in ahead, -x[0], x[1]),
    )
    return scored[:limit]


def _best(scores: np.ndarray, n: int) -> np.ndarray:
    """The places of the ``n`` best ``scores``, best first, equal scores in place order
    (as a stable sort of them all), without sorting them all."""
    if len(scores) <= n:
        return np.argsort(-scores, kind="stable")
    kth = np.partition(-scores, n - 1)[n - 1]
    some = np.flatnonzero(-scores <= kth)  # the n best and every score tied with the n-th
    return some[np.argsort(-scores[some], kind="stable")][:n]


def _found(paras: Ranked, title: float | None, r: Ranking) -> float:
    """From the paragraphs found: the best, decayed others, the title if not the best."""
    score = sum(s * r.doc_decay**i for i, (_, s) in enumerate(paras))
    if title is not None and paras[0][1] != title:
        score += r.doc_title * title
    return score


def _add_paragraphs(
    engine: Searcher,
    paths: list[str],
    node: c.Node,
    flt: c.Node | None,
    by_path: dict[str, Ranked],
    first: dict[str, float],
) -> None:
    """The paragraphs of the documents ``paths`` that match ``node`` (and pass ``flt``),
    scored, best first (equal scores in paragraph order), into ``by_path`` and ``first``."""
    if not paths:
        return
    wholes = engine.wholes()
    every = np.sort(np.concatenate([wholes.paragraphs(wholes.number[p]) for p in paths]))
    found = engine.score_arrays([node] if flt is None else [node, flt], every)
    ids, scores = found[0]
    if flt is not None:
        keep = np.isin(ids, found[1][0])
        ids, scores = ids[keep], scores[keep]
    owners = wholes.owner[ids].tolist()
    _, numbers = engine.keys(ids)
    rows = sorted(zip(owners, (-scores).tolist(), numbers.tolist(), ids.tolist(), strict=True))
    for owner, negative, number, docnum in rows:
        path = wholes.paths[owner]
        by_path.setdefault(path, []).append((docnum, -negative))
        if number == 1:
            first[path] = -negative
