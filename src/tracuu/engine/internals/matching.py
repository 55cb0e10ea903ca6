"""Whoosh's query matching, mended and sped up (see the package's notes)."""

from __future__ import annotations

import fnmatch
from bisect import bisect_left
from collections.abc import Sequence

from ..gate import collectors, matching, wcodec, wq
from .postings import LENGTHS, length_bytes


class Glob(wq.Wildcard):
    """fnmatch on the path lexicon (Whoosh's wildcard lacks character classes)."""

    def __init__(self, fieldname: str, pattern: str) -> None:
        super().__init__(fieldname, pattern)
        self.pattern = pattern

    def _btexts(self, ixreader):
        for btext in ixreader.lexicon(self.fieldname):
            if fnmatch.fnmatchcase(btext.decode("utf-8", "surrogateescape"), self.pattern):
                yield btext


# ---- a faster skip_to for Whoosh's posting lists ----------------------------------
# Whoosh's leaf matcher moves to a target document one posting at a time inside a
# block. Intersecting a rare list with a common one ("tranh_việt" with "việt") calls it
# for every candidate, so the linear walk dominated query time on large archives. The
# block's ids are sorted, so a binary search lands on the same posting.

_original_skip_to = wcodec.W3LeafMatcher.skip_to


def _bisect_skip_to(self, targetid):
    if not self.is_active():
        raise matching.ReadTooFar
    if targetid <= self.id():
        return
    block_max_id = self.block_max_id
    if targetid > block_max_id():
        self._skip_to_block(lambda: targetid > block_max_id())
        if not self.is_active():
            return
    if self._ids is None:
        self._read_ids()
    i = bisect_left(self._ids, targetid, self._i, self._blocklength)
    if i >= self._blocklength:
        # cannot happen after _skip_to_block (target <= block max), kept for safety
        self._i = self._blocklength - 1
        self.next()
    else:
        self._i = i


def install_speedups() -> None:
    setattr(wcodec.W3LeafMatcher, "skip_to", _bisect_skip_to)  # noqa: B010 - a patch


def uninstall_speedups() -> None:
    setattr(wcodec.W3LeafMatcher, "skip_to", _original_skip_to)  # noqa: B010


# ---- an Or of many clauses ----------------------------------------------------------
# Whoosh matches an Or with a binary tree of union matchers on segments over 5,000
# documents, and with arrays of scores below that. For the long OR of a question (dozens
# of syllables and pairs) on a big segment the tree costs 3-4 times the arrays, for the
# same results; the arrays are read in parts of 2,048 documents, so memory stays flat.

WIDE_OR = 8  # clauses from which an Or adds up in arrays


def wide_or(children: Sequence[wq.Query], boost: float = 1.0) -> wq.Query:
    q = wq.Or(list(children), boost=boost)
    if len(children) >= WIDE_OR:
        q.matcher_type = wq.Or.ARRAY_MATCHER
    return q


def top_collector(q: wq.Query, limit: int, filter_q: wq.Query | None):
    """The collector of the best ``limit`` matches of ``q``, or None for Whoosh's own.
    For a wide Or, Whoosh's collector asks every tenth match whether the whole tree
    could skip blocks by their quality (it cannot: the arrays read every posting) and
    rebuilds it: a sixth of the time of a long question, for the same results."""
    if not (isinstance(q, wq.Or) and q.matcher_type == wq.Or.ARRAY_MATCHER):
        return None
    c = collectors.TopCollector(limit, usequality=False, replace=0)
    return collectors.FilterCollector(c, filter_q, None) if filter_q is not None else c


# ---- DisjunctionMax, mended ---------------------------------------------------------
# Whoosh's DisjunctionMaxMatcher scores the current document with max(a.score(),
# b.score()) whenever both children are active, also when one of them stands on a later
# document: a paragraph with the rare spelling "diện" then scores as high as another one
# with the common "điện" elsewhere. Its replace() also drops both children when one runs
# out. The subclass counts only the children on the current document.


class _MaxMatcher(matching.DisjunctionMaxMatcher):
    def score(self):
        a, b = self.a, self.b
        if not a.is_active():
            return b.score()
        if not b.is_active():
            return a.score()
        ida, idb = a.id(), b.id()
        if ida != idb:
            return a.score() if ida < idb else b.score()
        return max(a.score(), b.score())

    def replace(self, minquality=0):
        keep = [
            m.replace(minquality)
            for m in (self.a, self.b)
            if m.is_active() and not (minquality and m.max_quality() < minquality)
        ]
        keep = [m for m in keep if m.is_active()]
        if not keep:
            return matching.NullMatcher()
        if len(keep) == 1:
            return keep[0]
        if keep[0] is self.a and keep[1] is self.b:
            return self
        return self.__class__(keep[0], keep[1], tiebreak=self.tiebreak)


class BestOf(wq.DisjunctionMax):
    """Any of the subqueries; a document scores the best of those it matches."""

    def _matcher(self, subs, searcher, context):
        reader = searcher.reader()
        return self._tree_matcher(
            subs,
            _MaxMatcher,
            searcher,
            context,
            lambda q: q.estimate_size(reader),
            tiebreak=self.tiebreak,
        )


# ---- AndMaybe, mended ----------------------------------------------------------------
# Whoosh's AndMaybeMatcher.skip_to moves its optional child to the target, not to where
# the required child lands: when that is past the target, the optional child's score is
# left out (a paragraph scored with the pairs alone of a run lost its pair bonus). The
# subclass moves it to the required child's document, as next() does.


class _MaybeMatcher(matching.AndMaybeMatcher):
    def skip_to(self, id):
        if not self.a.is_active():
            raise matching.ReadTooFar
        ra = self.a.skip_to(id)
        rb = False
        if self.a.is_active() and self.b.is_active():
            rb = self.b.skip_to(self.a.id())
        return ra or rb


class Maybe(wq.AndMaybe):
    """Matches what ``a`` matches; ``b`` adds its score where it matches too."""

    matcherclass = _MaybeMatcher


# ---- an And driven by cheaper queries -----------------------------------------------
# A word typed without diacritics is the best of its spellings and its folded form, and
# the folded form matches wherever a spelling does. Intersecting such unions moves every
# spelling's posting list at each step; intersecting the folded forms alone finds the
# same paragraphs at a fraction of the cost. ``Driven`` matches by its drivers and moves
# the full intersection only to score a match.


class Driven(wq.And):
    """An And of ``subqueries`` that match exactly where the And of ``drivers`` does."""

    def __init__(self, subqueries, boost: float = 1.0, drivers=None) -> None:
        super().__init__(subqueries, boost=boost)
        self.drivers = drivers

    def _matcher(self, subs, searcher, context):
        full = super()._matcher(subs, searcher, context)
        if not self.drivers:
            return full
        driver = wq.And(self.drivers).matcher(searcher, context)
        if not driver.is_active():
            return matching.NullMatcher()
        return _DrivenMatcher(driver, full)


class _DrivenMatcher(matching.Matcher):
    def __init__(self, driver, full) -> None:
        self.driver, self.full = driver, full

    def is_active(self):
        return self.driver.is_active()

    def id(self):
        return self.driver.id()

    def next(self):
        self.driver.next()

    def skip_to(self, id):
        self.driver.skip_to(id)

    def supports_block_quality(self):
        return False

    def max_quality(self):
        return self.full.max_quality()

    def children(self):
        return [self.driver, self.full]

    def replace(self, minquality=0):
        return self if self.driver.is_active() else matching.NullMatcher()

    def copy(self):
        return _DrivenMatcher(self.driver.copy(), self.full.copy())

    def score(self):
        target, full = self.driver.id(), self.full
        if full.is_active() and full.id() < target:
            full.skip_to(target)
        return full.score() if full.is_active() and full.id() == target else 0.0


# ---- field lengths from one array ---------------------------------------------------
# BM25 asks the field length of every document it scores; Whoosh reads it through three
# calls and a byte decoding each time (a fifth of the time of a long question). The
# lengths of a segment's field are one byte column: decoded once into a list, a score
# needs one index.


def length_lookup(searcher, fieldname: str):
    """``docnum -> length of fieldname`` for the segment of a leaf ``searcher``, read
    once per segment and field; None where the reader is not a whoosh3 segment."""
    reader = searcher.reader()
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None or not hasattr(perdoc, "_cached_reader"):
        return None
    cache = perdoc.__dict__.setdefault("_tracuu_lengths", {})
    if fieldname not in cache:
        column = length_bytes(perdoc, fieldname, reader.doc_count_all())
        cache[fieldname] = LENGTHS[column].tolist().__getitem__
    return cache[fieldname]
