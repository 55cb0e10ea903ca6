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

from collections.abc import Callable, Sequence

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
    for docnum, score in ranked:
        path, number = engine.key(docnum)
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

    def rescale(
        self, members: dict[str, list[int]], r: Ranking
    ) -> Callable[[str, int, float, int], float]:
        sizes = self.engine.lengths(d for ds in members.values() for d in ds)
        doc_norm = {
            path: 1 - r.b + r.b * sum(sizes[d] for d in ds) / self.doc_avg
            for path, ds in members.items()
        }

        def doc_score(path: str, docnum: int, score: float, n: int) -> float:
            para_norm = 1 - r.b + r.b * sizes[docnum] / self.para_avg
            return score * (1 + r.k1 * para_norm) * n / (n + r.k1 * doc_norm[path])

        return doc_score


def _covered(
    engine: Searcher, docs: list[Scored], node: c.Node, r: Ranking, lengths: _Lengths | None
) -> list[Scored]:
    """``docs`` re-scored with how well each covers the query, best first."""
    weight = r.doc_cover
    members = {path: engine.docnums_of(path) for _, path, _ in docs}
    owner = {d: path for path, ds in members.items() for d in ds}
    cover = dict.fromkeys(members, 0.0)
    doc_score = lengths.rescale(members, r) if lengths else None
    for scored in engine.score_each(clauses(node), owner):
        best: dict[str, tuple[float, int]] = {}
        found: dict[str, int] = {}
        for docnum, score in scored:
            path = owner[docnum]
            found[path] = found.get(path, 0) + 1
            if score > best.get(path, (0.0, -1))[0]:
                best[path] = (score, docnum)
        for path, (score, docnum) in best.items():
            cover[path] += doc_score(path, docnum, score, found[path]) if doc_score else score
    rescored = [((1 - weight) * s + weight * cover[path], path, paras) for s, path, paras in docs]
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
