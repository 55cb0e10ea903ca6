"""Documents ranked from their paragraphs (``--by-document``).

A document is scored from the paragraphs the search found: its best paragraph, plus a
share of its next best (``doc_decay``) and of its first paragraph, the title
(``doc_title``); with ``doc_cover``, also from how well the document as a whole covers
the query: each clause of the query counts once, with its best score in any paragraph
of the document, so words spread over the title and the body add up as they do for a
search over whole documents. With ``doc_bm25`` that best score is turned into BM25 over
the whole document (its length, and how many of its paragraphs hold the clause); every
field's length is taken in syllables, as the ``body`` field counts them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .engine import Searcher
from .models import Ranking
from .query import compiled as c

COVER_DOCS = 2  # documents re-scored by coverage, per document asked for...
COVER_MAX = 200  # ...up to this many (the web page asks for 200, to count its facets)

Ranked = list[tuple[int, float]]  # (docnum, score), best first
Scored = tuple[float, str, Ranked]  # (document score, path, its paragraphs best first)


def rank_documents(
    engine: Searcher, ranked: Ranked, node: c.Node, ranking: Ranking, limit: int, files: int = 0
) -> list[Scored]:
    """The best ``limit`` documents of ``ranked`` paragraphs, best first."""
    by_path: dict[str, Ranked] = {}
    first: dict[str, float] = {}  # a document's first paragraph (its title), if found
    paths, numbers = engine.keys([d for d, _ in ranked])
    for (docnum, score), path, number in zip(ranked, paths, numbers.tolist(), strict=True):
        by_path.setdefault(path, []).append((docnum, score))
        if number == 1:
            first[path] = score
    scored = sorted(
        ((_found(paras, first.get(path), ranking), path, paras) for path, paras in by_path.items()),
        key=lambda x: (-x[0], x[1]),
    )
    if ranking.doc_cover > 0:
        lengths = _Lengths(engine, files) if ranking.doc_bm25 and files else None
        cut = min(limit * COVER_DOCS, COVER_MAX)
        scored = _covered(engine, scored[:cut], node, ranking, lengths) + scored[cut:]
    return scored[:limit]


def _found(paras: Ranked, title: float | None, r: Ranking) -> float:
    """From the paragraphs found: the best, decayed others, the title if not the best."""
    score = sum(s * r.doc_decay**i for i, (_, s) in enumerate(paras))
    if title is not None and paras[0][1] != title:
        score += r.doc_title * title
    return score


class _Lengths:
    """Paragraph and document lengths, to turn a paragraph's BM25 score for a clause into
    the document's: with k1 = K and the clause found once in the paragraph (n = 1),
    score_p = w (K + 1) / (1 + K N_p), N = 1 - b + b len / average len; the document, where
    the clause is found in n paragraphs, scores w (K + 1) n / (n + K N_d)."""

    def __init__(self, engine: Searcher, files: int) -> None:
        self.engine = engine
        total = max(1, engine.total_length())
        self.para_avg = total / max(1, engine.doc_count())
        self.doc_avg = total / files


def _covered(
    engine: Searcher, docs: list[Scored], node: c.Node, r: Ranking, lengths: _Lengths | None
) -> list[Scored]:
    """``docs`` re-scored with how well each covers the query, best first: each clause
    adds its best paragraph's score in the document (as BM25 over the whole document
    with ``lengths``), the first such paragraph in docnum order."""
    weight = r.doc_cover
    members = [np.asarray(engine.docnums_of(path), dtype=np.int64) for _, path, _ in docs]
    every = np.concatenate(members) if members else np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(len(docs)), [len(m) for m in members])
    order = np.argsort(every, kind="stable")
    every, owner = every[order], owner[order]
    cover = np.zeros(len(docs))
    if lengths is not None:
        sizes = engine.length_array(every)
        doc_sizes = np.bincount(owner, weights=sizes, minlength=len(docs))
        doc_norm = 1 - r.b + r.b * doc_sizes / lengths.doc_avg
    for ids, scores in engine.score_arrays(clauses(node), every):
        if not len(ids):
            continue
        at = np.searchsorted(every, ids)
        doc = owner[at]
        found = np.bincount(doc, minlength=len(docs))
        best = np.lexsort((ids, -scores, doc))  # per document: best score, first docnum
        best = best[np.concatenate(([True], doc[best][1:] != doc[best][:-1]))]
        d, score = doc[best], scores[best]
        if lengths is not None:
            para_norm = 1 - r.b + r.b * sizes[at[best]] / lengths.para_avg
            n = found[d]
            score = score * (1 + r.k1 * para_norm) * n / (n + r.k1 * doc_norm[d])
        cover[d] += score
    rescored = [
        ((1 - weight) * s + weight * float(cover[i]), path, paras)
        for i, (s, path, paras) in enumerate(docs)
    ]
    return sorted(rescored, key=lambda x: (-x[0], x[1]))


def clauses(node: c.Node) -> Sequence[c.Node]:
    """The scoring units of a query: the words and pairs of a run, else the query."""
    if isinstance(node, c.Combine) and node.how == c.ANY:
        return node.children
    if isinstance(node, c.Combine) and node.how == c.MAYBE:
        core, extra = node.children
        return [*clauses(core), *clauses(extra)]
    if isinstance(node, c.Combine) and node.how == c.ALL and node.boost == 1.0:
        return node.children
    return [node]
