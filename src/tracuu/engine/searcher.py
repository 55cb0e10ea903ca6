"""Reading a generation with Whoosh: BM25F scores for compiled queries, stored paragraphs."""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..analysis import EXACT, NUMBER, PATH
from ..errors import IndexDamaged, TracuuError
from ..models import Paragraph, Ranking
from ..query import compiled as c
from .gate import distance, scoring, wq
from .internals import install_speedups, length_lookup, postings, top_collector
from .internals.keys import Keys
from .queries import to_whoosh
from .spellings import Spellings
from .vector import Vector, scores_at
from .whole import Wholes
from .writer import open_index


class _BM25F(scoring.BM25F):
    """BM25F with the BM25 idf (Whoosh's default idf, log(N/(df+1)) + 1, keeps very
    common words such as "của", "là", "người" weighty, which hurts long questions)."""

    def idf(self, searcher, fieldname: str, text: str) -> float:
        df = searcher.doc_frequency(fieldname, text)
        n = searcher.doc_count_all()
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def scorer(self, searcher, fieldname: str, text: str, qf: int = 1):
        return _fast_lengths(super().scorer(searcher, fieldname, text, qf), searcher, fieldname)


class _ClassicBM25F(scoring.BM25F):
    """Whoosh's BM25F as it is, with the field lengths read as _BM25F reads them."""

    def scorer(self, searcher, fieldname: str, text: str, qf: int = 1):
        return _fast_lengths(super().scorer(searcher, fieldname, text, qf), searcher, fieldname)


def _fast_lengths(scorer, searcher, fieldname: str):
    """``scorer`` reading field lengths from one array (engine.internals), made when it
    first scores a paragraph (the array path only asks a scorer for its idf: making the
    lookup of every field of every segment cost 20 ms at the first query)."""
    if hasattr(scorer, "dfl"):
        slow = scorer.dfl

        def first(docnum: int) -> int:
            scorer.dfl = length_lookup(searcher, fieldname) or slow
            return scorer.dfl(docnum)

        scorer.dfl = first
    return scorer


def _reading(method):
    """Whoosh failing to read its own files means damage: say so in one line. (Garbled
    files fail with any exception, so a mistake of the engine's own reads the same: the
    failure stays attached as the cause, which TRACUU_DEBUG=1 shows.)"""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (TracuuError, KeyboardInterrupt, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - truncated or garbled files fail anyhow
            raise IndexDamaged(
                f"the index at {self.folder.parent} is damaged ({type(exc).__name__}: {exc})",
                hint="run 'tracuu index' to repair it; TRACUU_DEBUG=1 shows where it failed",
            ) from exc

    return guarded


class Searcher:
    """An open generation to run compiled queries against; scores are BM25F.

    Queries are scored with numpy (:mod:`.vector`); ``arrays=False`` leaves every step to
    Whoosh's matchers, which give the same hits and scores (the tests compare the two).
    """

    def __init__(self, folder: Path, ranking: Ranking, arrays: bool = True) -> None:
        install_speedups()
        self.folder = folder
        self._ix = open_index(folder)
        model = _BM25F if ranking.idf == "bm25" else _ClassicBM25F
        try:
            self._s = self._ix.searcher(weighting=model(B=ranking.b, K1=ranking.k1))
        except Exception as exc:  # noqa: BLE001
            self._ix.close()
            raise IndexDamaged(f"cannot open index at {folder.parent}: {exc}") from None
        self._vector = Vector(self._s, to_whoosh) if arrays else None
        self._keys: Keys | None = None  # paragraphs' (path, number), read once used
        self._wholes: Wholes | None = None
        self._spellings = Spellings(folder)

    def close(self) -> None:
        self._spellings.close()
        self._s.close()
        self._ix.close()

    @_reading
    def spellings(self, folded: str) -> list[tuple[str, int]] | None:
        """Each spelling the index holds of a syllable without diacritics, with its
        occurrences; None for an index written without the table (:mod:`.spellings`)."""
        return self._spellings.forms(folded)

    @_reading
    def search(
        self, node: c.Node, limit: int, filter: c.Node | None = None
    ) -> list[tuple[int, float]]:
        """The best ``limit`` (docnum, score) matching ``node`` and ``filter``; equal
        scores in docnum order."""
        if self._vector is not None:
            return self._vector.search(node, max(limit, 1), filter)
        q, filter_q, limit = to_whoosh(node), _maybe(filter), max(limit, 1)
        collector = top_collector(q, limit, filter_q) if limit < self._s.doc_count() else None
        if collector is None:
            res = self._s.search(q, limit=limit, filter=filter_q)
        else:
            self._s.search_with_collector(q, collector)
            res = collector.results()
        return [(hit.docnum, float(hit.score or 0.0)) for hit in res]

    @_reading
    def search_at(
        self, node: c.Node, limit: int, filter: c.Node | None, docnums: Sequence[int]
    ) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """:meth:`search`, and :meth:`score_docs` of ``docnums`` (paragraphs that pass
        ``filter``) from the same pass over the postings."""
        if self._vector is not None:
            return self._vector.search_at(node, max(limit, 1), filter, docnums)
        return self.search(node, limit, filter), self.score_docs(node, docnums)

    @_reading
    def count(self, node: c.Node, filter: c.Node | None = None) -> int:
        """How many paragraphs match (a full pass over the postings)."""
        if self._vector is not None:
            return self._vector.count(node, filter)
        return len(self._s.search(to_whoosh(node), limit=1, filter=_maybe(filter)))

    @_reading
    def docs(self, node: c.Node, limit: int, filter: c.Node | None = None) -> list[int]:
        """The first ``limit`` matching docnums in storage order, unscored (cheap)."""
        if self._vector is not None:
            return self._vector.docs(node, limit, filter)
        q = to_whoosh(node)
        if filter is not None:
            q = wq.And([q, to_whoosh(filter)])
        return list(itertools.islice(q.docs(self._s), limit))

    @_reading
    def score_docs(self, node: c.Node, docnums: Iterable[int]) -> list[tuple[int, float]]:
        """(docnum, score) of the given paragraphs that match ``node``."""
        return self.score_each([node], docnums)[0]

    @_reading
    def score_each(
        self, nodes: Sequence[c.Node], docnums: Iterable[int]
    ) -> list[list[tuple[int, float]]]:
        """For each of ``nodes``, (docnum, score) of the given paragraphs that match it."""
        wanted = sorted(set(docnums))
        if self._vector is not None:
            return self._vector.score_each(nodes, wanted)
        queries = [to_whoosh(n) for n in nodes]
        out: list[list[tuple[int, float]]] = [[] for _ in nodes]
        context = self._s.context()
        for sub, offset in self._s.leaf_searchers():
            first = bisect.bisect_left(wanted, offset)
            last = bisect.bisect_left(wanted, offset + sub.doc_count_all())
            local = [d - offset for d in wanted[first:last]]
            if not local:
                continue
            for q, found in zip(queries, out):
                scores_at(q.matcher(sub, context), local, offset, found)
        return out

    @_reading
    def score_arrays(
        self, nodes: Sequence[c.Node], docnums: np.ndarray
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """:meth:`score_each` of sorted, distinct ``docnums``, as arrays: for each of
        ``nodes``, the docnums that match it and their scores, in docnum order."""
        if self._vector is not None:
            return self._vector.score_arrays(nodes, docnums)
        return [
            (np.array([d for d, _ in found], dtype=np.int64), np.array([x for _, x in found]))
            for found in self.score_each(nodes, docnums.tolist())
        ]

    @_reading
    def paragraph(self, docnum: int) -> Paragraph:
        """The stored paragraph."""
        f = self._s.stored_fields(docnum)
        path, number = self.key(docnum)
        return Paragraph(path, number, f["start"], f["end"], f["text"], f.get("page"))

    @_reading
    def paragraphs_of(self, path: str) -> list[Paragraph]:
        """Every paragraph of one file, in order."""
        return sorted((self.paragraph(d) for d in self.docnums_of(path)), key=lambda p: p.number)

    @_reading
    def docnums_of(self, path: str) -> list[int]:
        """The paragraphs of one file, as docnums."""
        if self._vector is not None:
            return self._vector.docs(c.Term(PATH, path), self.doc_count_all(), None)
        return list(self._s.docs_for_query(wq.Term(PATH, path)))

    @_reading
    def key(self, docnum: int) -> tuple[str, int]:
        """(path, paragraph number): what orders paragraphs of equal score."""
        return self._key_reader().one(docnum)

    @_reading
    def keys(self, docnums: Sequence[int] | np.ndarray) -> tuple[list[str], np.ndarray]:
        """The paths and paragraph numbers of ``docnums``, in bulk."""
        return self._key_reader().of(docnums)

    @_reading
    def in_key_order(self) -> bool:
        """Is docnum order (path, paragraph number) order? (Then equal scores need no
        keys to be put in order.)"""
        return self._key_reader().in_storage_order()

    @_reading
    def numbers(self, docnums: Sequence[int] | np.ndarray) -> np.ndarray:
        """The paragraph numbers of ``docnums``, in bulk (no paths)."""
        return self._key_reader().numbers(docnums)

    def _key_reader(self) -> Keys:
        if self._keys is None:
            self._keys = Keys(self._s, PATH, NUMBER)
        return self._keys

    @_reading
    def wholes(self) -> Wholes:
        """The index's documents read whole (numbered once, on first use)."""
        if self._wholes is None:
            read = self._vector.term_frequencies if self._vector is not None else None
            self._wholes = Wholes(self._s, self._key_reader(), EXACT, read)
        return self._wholes

    @_reading
    def whole_scores(self, terms: Sequence[tuple[str, str]], k1: float, b: float) -> np.ndarray:
        """Every document's BM25 for ``terms``, read whole (by :meth:`wholes`' numbers)."""
        return self.wholes().scores(terms, k1, b)

    @_reading
    def frequency(self, field: str, term: str) -> int:
        return int(self._s.reader().frequency(field, term))

    @_reading
    def frequencies(self, terms: Sequence[tuple[str, str]]) -> list[int]:
        """:meth:`frequency` of each (field, term), read in one go."""
        return [int(n) for n in postings.frequencies(self._s, terms)]

    @_reading
    def suggest(self, field: str, term: str, maxdist: int = 2) -> str | None:
        """The closest term of ``field`` to ``term``: nearest first, then the most widespread."""
        found: set[str] = set()
        for sub, _ in self._s.leaf_searchers():  # each segment walks its own lexicon with a
            found.update(sub.reader().terms_within(field, term, maxdist))  # DFA; the index
        found.discard(term)  # as a whole would compare every term
        reader = self._s.reader()
        if not found:
            return None
        return min(found, key=lambda t: (distance(term, t), -reader.doc_frequency(field, t), t))

    def doc_count(self) -> int:
        return self._s.doc_count()

    def doc_count_all(self) -> int:
        """Paragraphs with the deleted ones (docnums are below this)."""
        return self._s.doc_count_all()

    @_reading
    def distinct_terms(self, field: str) -> int:
        return sum(1 for _ in self._s.reader().lexicon(field))


def _maybe(node: c.Node | None):
    return to_whoosh(node) if node is not None else None
