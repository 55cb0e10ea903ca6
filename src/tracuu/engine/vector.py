"""Compiled queries scored a whole posting list at a time, with numpy.

Whoosh moves through posting lists one document at a time, in Python: a question of
thirty syllables, or three common syllables typed without diacritics, scores tens of
thousands of postings with a few Python calls each. Here a term's postings become two
arrays (paragraphs, BM25 scores), and a query combines them with array operations:
ALL intersects and adds up, ANY unites and adds up, BEST unites and keeps the best,
MAYBE adds its extras where the first child matches; a phrase is its words where they
stand side by side (positions are read only there). The scores are Whoosh's (the same
BM25F formula, idf and lengths; a test compares them query by query). Filters and
exclusions are left to Whoosh, at the paragraphs the rest selects. An index in several
segments (a build writes one per shard, and shards are as many as the CPUs, up to 4) is
evaluated as one: a term's postings are read segment by segment and joined, and a query's
nodes are worked out once over them, in the order their sizes in the whole index give, so
that scores do not depend on how many segments the machine that built the index wrote.
(Not faster: full viwiki, two segments, -j1, 7 alternated runs, 3.45 s before and 3.57 s
after, within this machine's noise.)

A term's arrays are kept, up to ``CACHE_MB``, for the next query. Where only a few
paragraphs count (scoring the candidates a cheaper query found), a term met for the first
time is read at those paragraphs alone, as Whoosh would, skipping the blocks between them
(a batch of different queries reads most terms once); met again, it is read whole and kept.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from ..query import compiled as c
from ..recent import Recent
from .internals.postings import (
    FLOAT_LENGTHS,
    bm25_parameters,
    every_paragraph,
    field_length_bytes,
    phrase_at,
    restrict,
    segments,
    term_postings,
)

CACHE_MB = 256  # posting arrays kept between queries, per open index
FEW = 32  # a term is read only at the paragraphs that count when they are 1/FEW of its own
READ_AT_KEPT = 100_000  # terms remembered as read in part (a second time: read whole)
PARAMS_KEPT = 100_000  # terms whose BM25 parameters (idf ...) are remembered
SIZES_KEPT = 100_000  # terms whose paragraph counts are remembered

Found = tuple[np.ndarray, np.ndarray]  # (sorted local docnums, their scores)
_EMPTY: Found = (np.zeros(0, dtype=np.int64), np.zeros(0))
_RAW = "raw"  # cache key prefix: a term's (docnums, frequencies), not yet scored


class Kept:
    """Pairs of arrays kept between queries, up to ``mb`` megabytes: the least recently
    used go first."""

    def __init__(self, mb: int) -> None:
        self._items: OrderedDict[tuple, Found] = OrderedDict()
        self._bytes, self._limit = 0, mb << 20

    def __contains__(self, key: tuple) -> bool:
        return key in self._items

    def get(self, key: tuple) -> Found | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: tuple, found: Found) -> None:
        self._items[key] = found
        self._bytes += found[0].nbytes + found[1].nbytes + 200
        while self._bytes > self._limit and len(self._items) > 1:
            _, (a, b) = self._items.popitem(last=False)
            self._bytes -= a.nbytes + b.nbytes + 200


class Vector:
    """Scores compiled queries on an open Whoosh searcher, all of a term at once.

    ``foreign(node)`` gives the Whoosh query of a node left to Whoosh."""

    def __init__(self, searcher, foreign) -> None:
        self._s = searcher
        self._foreign = foreign
        self._leaves = segments(searcher)
        self._ends = [offset + sub.doc_count_all() for sub, offset in self._leaves]
        self._cache = Kept(CACHE_MB)
        self._read_at: OrderedDict[tuple, None] = OrderedDict()  # terms read in part once
        self._params: Recent[tuple, tuple[float, float, float, float] | None]  # BM25's
        self._params = Recent(PARAMS_KEPT)
        # (a query asks a term's count at each stage, ALL node and spelling it is in)
        self._sizes: Recent[tuple[str, str], int] = Recent(SIZES_KEPT)
        self._lengths: dict[str, np.ndarray] = {}  # field -> each paragraph's length byte
        self._norm: dict[tuple, np.ndarray] = {}  # (BM25's avgfl, B, K1) -> by length byte
        self._every: np.ndarray | None = None  # every paragraph not deleted

    # ---- what the engine asks

    def search(self, node: c.Node, limit: int, flt: c.Node | None) -> list[tuple[int, float]]:
        """The best ``limit`` (docnum, score), equal scores in docnum order."""
        return _best(*self._all(node, flt), limit)

    def search_at(
        self, node: c.Node, limit: int, flt: c.Node | None, docnums: Sequence[int]
    ) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """:meth:`search`, and the (docnum, score) of those of ``docnums`` that match, in
        docnum order, from the same arrays."""
        ids, scores = self._all(node, flt)
        at = restrict(ids, scores, np.array(sorted(set(docnums)), dtype=np.int64))
        return _best(ids, scores, limit), list(zip(at[0].tolist(), at[1].tolist(), strict=True))

    def count(self, node: c.Node, flt: c.Node | None) -> int:
        return len(self._all(node, flt)[0])

    def docs(self, node: c.Node, limit: int, flt: c.Node | None) -> list[int]:
        """The first ``limit`` matching docnums in storage order."""
        return self._all(node, flt)[0][:limit].tolist()

    def score_each(
        self, nodes: Sequence[c.Node], docnums: Sequence[int]
    ) -> list[list[tuple[int, float]]]:
        """For each of ``nodes``, (docnum, score) of the paragraphs of sorted ``docnums``
        that match it, in docnum order."""
        wanted = np.asarray(docnums, dtype=np.int64)
        return [
            list(zip(ids.tolist(), scores.tolist(), strict=True))
            for ids, scores in self.score_arrays(nodes, wanted)
        ]

    def score_arrays(self, nodes: Sequence[c.Node], wanted: np.ndarray) -> list[Found]:
        """For each of ``nodes``, the docnums of sorted ``wanted`` that match it and their
        scores, in docnum order."""
        return [self._eval(node, wanted) for node in nodes]

    def _all(self, node: c.Node, flt: c.Node | None) -> Found:
        within = self._eval(flt, None)[0] if flt is not None else None
        return self._eval(node, within)

    # ---- evaluation over the whole index (docnums of the multi-segment searcher: a
    # term's postings are read segment by segment, and evaluated once, as one list);
    # ``within``: only these (sorted) docnums count

    def _eval(self, node: c.Node, within: np.ndarray | None) -> Found:
        if isinstance(node, c.Term):
            ids, scores = self._term(node.field, node.text, within)
            return (ids, scores * node.boost) if node.boost != 1.0 else (ids, scores)
        if isinstance(node, c.Combine) and node.how in (c.ALL, c.ANY, c.BEST, c.MAYBE):
            if node.how == c.ALL:
                return _boosted(self._all_of(node.children, within), node.boost)
            if node.how == c.MAYBE:
                ids, scores = self._eval(node.children[0], within)
                extra = _united([self._eval(x, ids) for x in node.children[1:]], np.add)
                return ids, scores + _at(extra, ids)  # (Whoosh ignores this node's boost)
            if node.how == c.BEST and node.last_covers:
                return _boosted(self._best_covered(node.children, within), node.boost)
            found = [self._eval(x, within) for x in node.children]
            return _boosted(_united(found, np.add if node.how == c.ANY else np.maximum), node.boost)
        if isinstance(node, c.Everything):  # Whoosh's Every: each paragraph, weight 1
            ids = self._every_paragraph()
            return restrict(ids, np.ones(len(ids)), within)
        if isinstance(node, c.Phrase) and self._positional(node.field):
            return self._phrase(node, within)
        return self._whoosh(node, within)

    def _segments(self, ids: np.ndarray | None):
        """Each segment (leaf searcher, offset) with the part of sorted ``ids`` in it, as
        its own docnums (None: every one); segments with none of ``ids`` are left out."""
        if ids is None:
            for sub, offset in self._leaves:
                yield sub, offset, None
            return
        cuts = np.searchsorted(ids, self._ends).tolist()
        first = 0
        for (sub, offset), last in zip(self._leaves, cuts, strict=True):
            if last > first:
                yield sub, offset, ids[first:last] - offset
            first = last

    def _every_paragraph(self) -> np.ndarray:
        if self._every is None:
            parts = [every_paragraph(sub.reader()) + offset for sub, offset in self._leaves]
            self._every = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return self._every

    def _positional(self, field: str) -> bool:
        schema = self._s.schema
        return field in schema and bool(schema[field].format.supports("positions"))

    def _phrase(self, node: c.Phrase, within: np.ndarray | None) -> Found:
        """The paragraphs with every word, scored as Whoosh scores a phrase (the sum of
        its words), where the words stand side by side."""
        words = [c.Term(node.field, w) for w in node.words]
        ids, scores = self._all_of(words, within)
        if not len(ids):
            return _EMPTY
        schema = self._s.schema
        texts = [schema[node.field].to_bytes(w) for w in node.words]
        keep = np.concatenate(
            [
                phrase_at(sub.reader(), node.field, texts, local)
                for sub, _, local in self._segments(ids)
            ]
        )
        return ids[keep], scores[keep]

    def _best_covered(self, children: Sequence[c.Node], within) -> Found:
        """BEST whose last child matches wherever the others do: its paragraphs, each
        scored the best of the children there (scores are positive)."""
        ids, scores = self._eval(children[-1], within)
        for child in children[:-1]:
            scores = np.maximum(scores, _at(self._eval(child, ids), ids))
        return ids, scores

    def _all_of(self, children: Sequence[c.Node], within: np.ndarray | None) -> Found:
        """Paragraphs every child matches, their scores added up: the rarest child first,
        Whoosh's nodes last, each at the paragraphs the ones before leave."""
        own = sorted((x for x in children if _native(x)), key=self._size)
        ids: np.ndarray | None = within
        found: list[Found] = []
        for child in own + [x for x in children if not _native(x)]:
            found.append(self._eval(child, ids))
            ids = found[-1][0]
            if not len(ids):
                return _EMPTY
        assert ids is not None
        total = np.zeros(len(ids))
        for f in found:
            total += _at(f, ids)
        return ids, total

    def _size(self, node: c.Node) -> int:
        """How many paragraphs a native node matches at most."""
        if isinstance(node, c.Term):
            return self._frequency(node.field, node.text)
        if isinstance(node, c.Phrase):  # (after its pairs, which are no more common)
            return min(self._frequency(node.field, w) for w in node.words)
        if isinstance(node, c.Everything):
            return self._ends[-1] if self._ends else 0
        assert isinstance(node, c.Combine)
        sizes = [self._size(x) for x in node.children if _native(x)]
        if node.how == c.ALL:
            return min(sizes, default=0)
        if node.how == c.MAYBE:
            return sizes[0] if _native(node.children[0]) else 0
        if node.how == c.BEST and node.last_covers:
            return sizes[-1]
        return sum(sizes)

    def _term(self, field: str, text: str, at: np.ndarray | None = None) -> Found:
        """A term's paragraphs and BM25 scores: from the cache, else read whole and kept
        (and its postings, which documents read whole count); the first time only the
        paragraphs ``at`` count and they are few against the term's, read there alone
        (skipping the blocks between) and not kept. Its postings read whole are scored
        where ``at`` says, else all of them (and kept so)."""
        key = (field, text)
        hit = self._cache.get(key)
        if hit is not None:
            return hit if at is None else restrict(*hit, at)
        raw = self._cache.get((_RAW, *key))
        if raw is not None:
            btext = self._bytes(field, text)
            assert btext is not None  # (it was read)
            if at is not None:  # (scored where they count: the same scores, fewer of them)
                return self._scored(field, btext, *restrict(*raw, at))
            found = self._scored(field, btext, *raw)
            self._cache.put(key, found)
            return found
        if (
            at is not None
            and key not in self._read_at
            and len(at) * FEW < self._frequency(field, text)
        ):
            self._read_at[key] = None  # the next time, the term is read whole and kept
            while len(self._read_at) > READ_AT_KEPT:
                self._read_at.popitem(last=False)
            return self._read_term(field, text, at)
        btext = self._bytes(field, text)
        if btext is None:
            return _EMPTY
        if at is not None:  # (read whole and kept, but scored only where it counts)
            return self._scored(field, btext, *restrict(*self._raw(key, btext), at))
        found = self._scored(field, btext, *self._raw(key, btext))
        self._cache.put(key, found)
        return found

    def term_frequencies(self, field: str, text: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """A term's (docnums, frequencies), read whole (for documents read whole), as one
        part (none where no paragraph has it); kept for the queries that follow, which
        score them where they need them."""
        btext = self._bytes(field, text)
        if btext is None:
            return []
        postings = self._raw((field, text), btext)
        return [postings] if len(postings[0]) else []

    def _raw(self, key: tuple[str, str], btext: bytes) -> Found:
        """A term's (docnums, frequencies), read whole once and kept (documents read
        whole count them; a search scores them)."""
        postings = self._cache.get((_RAW, *key))
        if postings is None:
            postings = self._postings(key[0], btext, None)
            self._cache.put((_RAW, *key), postings)
        return postings

    def _bytes(self, field: str, text: str) -> bytes | None:
        schema = self._s.schema
        if field not in schema:
            return None
        try:
            return schema[field].to_bytes(text)
        except ValueError:
            return None

    def _frequency(self, field: str, text: str) -> int:
        """How many paragraphs have the term (deleted ones too)."""
        key = (field, text)
        found = self._sizes.get(key)
        if found is None:
            btext = self._bytes(field, text)
            found = 0
            if btext is not None:
                found = sum(sub.reader().doc_frequency(field, btext) for sub, _ in self._leaves)
            self._sizes[key] = found
        return found

    def _read_term(self, field: str, text: str, at: np.ndarray | None = None) -> Found:
        btext = self._bytes(field, text)
        if btext is None:
            return _EMPTY
        return self._scored(field, btext, *self._postings(field, btext, at))

    def _postings(self, field: str, btext: bytes, at: np.ndarray | None) -> Found:
        """A term's (docnums, frequencies) in every segment, or at sorted ``at`` only."""
        parts = []
        for sub, offset, local in self._segments(at):
            found = term_postings(sub.reader(), field, btext, local)
            if found is not None and len(found[0]):
                parts.append((offset, found))
        return _joined(parts)

    def _scored(self, field: str, btext: bytes, ids: np.ndarray, tf: np.ndarray) -> Found:
        """A term's postings with their BM25 scores."""
        key = (field, btext)  # (idf and average length are the index's: Whoosh's scorer
        if key not in self._params:  # of a segment that has the term, built once)
            self._params[key] = self._parameters(field, btext)
        params = self._params[key]
        if params is None:  # a field that is not scored (the path): Whoosh scores the weight
            return ids, tf
        idf, avgfl, b, k1 = params
        # bm25() of whoosh.scoring, operation for operation (the length part is the same
        # for every term of the field: worked out once for each of the 256 lengths)
        norms = self._norms(avgfl, b, k1)[self._length_bytes(field)[ids]]
        return ids, idf * ((tf * (k1 + 1)) / (tf + norms))

    def _parameters(self, field: str, btext: bytes) -> tuple[float, float, float, float] | None:
        for sub, _ in self._leaves:
            if sub.reader().doc_frequency(field, btext):
                return bm25_parameters(sub.weighting.scorer(sub, field, btext))
        return None  # (no segment has it: nothing to score)

    def _length_bytes(self, field: str) -> np.ndarray:
        """Every paragraph's length of ``field``, as the byte it is kept as."""
        found = self._lengths.get(field)
        if found is None:
            parts = [field_length_bytes(sub.reader(), field) for sub, _ in self._leaves]
            found = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
            self._lengths[field] = found
        return found

    def _norms(self, avgfl: float, b: float, k1: float) -> np.ndarray:
        """BM25's ``K1 * ((1 - B) + B * fl / avgfl)`` of each length byte (a paragraph's
        length is one of 256: this is all of them, worked out at once)."""
        key = (avgfl, b, k1)
        found = self._norm.get(key)
        if found is None:
            found = self._norm[key] = k1 * ((1 - b) + b * FLOAT_LENGTHS / avgfl)
        return found

    def _whoosh(self, node: c.Node, within: np.ndarray | None) -> Found:
        """A node Whoosh scores: every match, or those among ``within``."""
        found: list[tuple[int, float]] = []
        for sub, offset, local in self._segments(within):
            m = self._foreign(node).matcher(sub, self._s.context())
            if local is None:
                while m.is_active():
                    found.append((m.id() + offset, m.score()))
                    m.next()
            else:
                scores_at(m, local.tolist(), offset, found)
        ids = np.array([d for d, _ in found], dtype=np.int64)
        return ids, np.array([x for _, x in found], dtype=np.float64)


def scores_at(m, local: list[int], offset: int, out: list[tuple[int, float]]) -> None:
    """Append (docnum, score) for the documents of sorted ``local`` that Whoosh matcher
    ``m`` matches, skipping to each and past those it does not."""
    i, n = 0, len(local)
    while i < n and m.is_active():
        here, target = m.id(), local[i]
        if here < target:
            m.skip_to(target)
        elif here > target:
            i = bisect.bisect_left(local, here, i)
        else:
            out.append((target + offset, m.score()))
            i += 1


def _best(ids: np.ndarray, scores: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The best ``limit`` (docnum, score) of the arrays, equal scores in docnum order."""
    if len(ids) > limit:
        kth = np.partition(-scores, limit - 1)[limit - 1]
        keep = np.flatnonzero(-scores <= kth)
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))[:limit]
    return list(zip(ids[order].tolist(), scores[order].tolist(), strict=True))


def _native(node: c.Node) -> bool:
    return isinstance(node, c.Term | c.Phrase | c.Everything) or (
        isinstance(node, c.Combine) and node.how in (c.ALL, c.ANY, c.BEST, c.MAYBE)
    )


def _at(found: Found, ids: np.ndarray) -> np.ndarray:
    """The scores of ``found`` at each of sorted ``ids`` (0 where it has none)."""
    have, scores = found
    out = np.zeros(len(ids))
    if not len(have):
        return out
    pos = np.searchsorted(have, ids)
    pos[pos >= len(have)] = 0
    hit = have[pos] == ids
    out[hit] = scores[pos[hit]]
    return out


def _united(found: list[Found], how) -> Found:
    """The union of ``found``; a paragraph in several gets their sum (np.add, child by
    child) or their best (np.maximum)."""
    found = [f for f in found if len(f[0])]
    if not found:
        return _EMPTY
    if len(found) == 1:
        return found[0]
    ids = np.concatenate([f[0] for f in found])
    scores = np.concatenate([f[1] for f in found])
    order = np.argsort(ids, kind="stable")  # the children's order among equal ids
    ids, scores = ids[order], scores[order]
    starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
    return ids[starts], how.reduceat(scores, starts)


def _joined(parts: list[tuple[int, Found]]) -> Found:
    """Postings found in segments one after the other (each with its first docnum), as
    one: each part copied once, its docnums moved on the way."""
    if not parts:
        return _EMPTY
    if len(parts) == 1:
        offset, (ids, tf) = parts[0]
        return (ids + offset if offset else ids), tf
    ids = np.empty(sum(len(p[0]) for _, p in parts), dtype=np.int64)
    tf = np.empty(len(ids))
    done = 0
    for offset, (some, weights) in parts:
        np.add(some, offset, out=ids[done : done + len(some)])
        tf[done : done + len(some)] = weights
        done += len(some)
    return ids, tf


def _boosted(found: Found, boost: float) -> Found:
    return found if boost == 1.0 else (found[0], found[1] * boost)
