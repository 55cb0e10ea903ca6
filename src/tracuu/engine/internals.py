"""Every use of Whoosh internals, in one place; tests compare each with Whoosh's own.

* ``Glob``: fnmatch over a field's lexicon (overrides ``Wildcard._btexts``);
* a binary-search ``skip_to`` for the posting lists of the whoosh3 codec;
* ``wide_or``: an Or of many clauses that adds scores up in arrays (``top_collector``);
* ``BestOf``: Whoosh's DisjunctionMax with its matcher's scoring mended;
* ``Codec``: whoosh3's codec, with short posting lists kept compactly in their term info;
* ``length_lookup``: the field lengths BM25 asks for, from one array per segment.
"""

from __future__ import annotations

import fnmatch
import struct
from bisect import bisect_left
from collections.abc import Sequence

from .gate import collectors, matching, wcodec, wq


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


# ---- short posting lists inline, compactly ----------------------------------------
# Most terms of an archive (pairs above all) occur in a few paragraphs. whoosh3 means to
# keep such postings in the term's info instead of writing a block for them (~110 bytes
# of block header, pickle and zlib even for one posting), but its test "len <
# inlinelimit" is never true with the default limit of 1, and the branch calls a method
# that does not exist (set_inline; the term info has set_inlined). Its inlined form is a
# 23-byte header and a pickle besides. Here posting lists shorter than INLINE_LIMIT live
# in the term's info as varints: a flag (2: whole-number weights, 3: float weights; Whoosh
# writes 0 or 1), the count, the shortest and longest field lengths, ids as gaps,
# weights, values with their lengths. Everything else a term info holds follows.

INLINE_LIMIT = 16
_WHOLE, _FLOATS = 2, 3


def _varint(n: int, out: bytearray) -> None:
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)


def _read_varint(b: bytes, i: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        byte = b[i]
        i += 1
        n |= (byte & 0x7F) << shift
        if byte < 0x80:
            return n, i
        shift += 7


class TermInfo(wcodec.W3TermInfo):
    """whoosh3's term info; inlined postings are written compactly."""

    def to_bytes(self) -> bytes:
        if not self.is_inlined():
            return super().to_bytes()
        ids, weights, values = self._inlined
        whole = all(w == int(w) and w >= 0 for w in weights)
        out = bytearray((_WHOLE if whole else _FLOATS,))
        _varint(len(ids), out)
        out.append(wcodec.length_to_byte(self._minlength or 0))
        out.append(wcodec.length_to_byte(self._maxlength))
        last = 0
        for docnum in ids:
            _varint(docnum - last, out)
            last = docnum
        if whole:
            for w in weights:
                _varint(int(w), out)
        else:
            out += struct.pack(f"!{len(weights)}f", *weights)
        _varint(len(values), out)
        for v in values:
            _varint(len(v), out)
            out += v
        return bytes(out)

    @classmethod
    def from_bytes(cls, s: bytes):
        if s[0] not in (_WHOLE, _FLOATS):
            return super().from_bytes(s)
        df, i = _read_varint(s, 1)
        info = cls(df=df)
        info._minlength = wcodec.byte_to_length(s[i])
        info._maxlength = wcodec.byte_to_length(s[i + 1])
        ids, last, i = [], 0, i + 2
        for _ in range(df):
            gap, i = _read_varint(s, i)
            last += gap
            ids.append(last)
        if s[0] == _WHOLE:
            weights = []
            for _ in range(df):
                w, i = _read_varint(s, i)
                weights.append(float(w))
        else:
            weights = list(struct.unpack_from(f"!{df}f", s, i))
            i += 4 * df
        count, i = _read_varint(s, i)
        values = []
        for _ in range(count):
            size, i = _read_varint(s, i)
            values.append(s[i : i + size])
            i += size
        info._weight, info._maxweight = sum(weights), max(weights)
        info._minid, info._maxid = ids[0], ids[-1]
        info._inlined = (tuple(ids), tuple(weights), tuple(values))
        return info


class _PostingsWriter(wcodec.W3PostingsWriter):
    def finish_postings(self):
        if self.written() or len(self) >= self._inlinelimit:
            return super().finish_postings()
        terminfo = self._terminfo
        terminfo.add_block(self)
        terminfo.set_inlined(self._ids, self._weights, self._values)
        self._terminfo = None
        return terminfo


class _FieldWriter(wcodec.W3FieldWriter):
    def start_term(self, btext):
        self._btext = btext
        self._postwriter.start_postings(self._fieldobj.format, TermInfo())


class _FieldCursor(wcodec.W3FieldCursor):
    def term_info(self):
        if self._pos is None:
            return None
        return TermInfo.from_bytes(self._tindex.dbfile.get(self._datapos, self._datalen))


class _TermsReader(wcodec.W3TermsReader):
    def items(self):
        return ((self._keydecoder(k), TermInfo.from_bytes(v)) for k, v in self._tindex.items())

    def items_from(self, fieldname, prefix):
        found = self._tindex.items_from(self._keycoder(fieldname, prefix))
        return ((self._keydecoder(k), TermInfo.from_bytes(v)) for k, v in found)

    def term_info(self, fieldname, tbytes):
        try:
            return self._info(fieldname, tbytes)
        except KeyError:
            raise wcodec.TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    def _info(self, fieldname, tbytes):
        return TermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)])

    def frequency(self, fieldname, tbytes):  # Whoosh reads these at fixed offsets
        return self._info(fieldname, tbytes).weight()  # (KeyError: Whoosh answers 0)

    def doc_frequency(self, fieldname, tbytes):
        return self._info(fieldname, tbytes).doc_frequency()

    def cursor(self, fieldname, fieldobj):
        return _FieldCursor(self._tindex, fieldname, self._keycoder, self._keydecoder, fieldobj)


class _PerDocReader(wcodec.W3PerDocReader):
    """Writing a segment asks the field length of every posting (through a column read
    and a byte decoding each): the column is decoded once into a list instead."""

    def doc_field_length_reader(self, fieldname, default=0):
        column = self._cached_reader(wcodec._lenfield(fieldname), wcodec.LENGTHS_COLUMN)
        if column is None:
            return lambda docnum: default
        decode = [wcodec.byte_to_length(b) if b else None for b in range(256)]
        return [decode[b] for b in column.load()].__getitem__


class Codec(wcodec.W3Codec):
    """whoosh3's codec; posting lists shorter than INLINE_LIMIT live in their term's info."""

    def __init__(
        self, blocklimit: int = 128, compression: int = 3, inlinelimit: int = INLINE_LIMIT
    ) -> None:
        super().__init__(blocklimit, compression, inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return _PerDocReader(storage, segment)

    def terms_reader(self, storage, segment):
        tiname = segment.make_filename(self.TERMS_EXT)
        tifile = storage.open_file(tiname)
        postfile = segment.open_file(storage, self.POSTS_EXT)
        return _TermsReader(self, tifile, storage.file_length(tiname), postfile)


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
        column = perdoc._cached_reader(wcodec._lenfield(fieldname), wcodec.LENGTHS_COLUMN)
        if column is None:
            cache[fieldname] = None
        else:
            decode = [wcodec.byte_to_length(b) or 1 for b in range(256)]
            cache[fieldname] = [decode[b] for b in column.load()].__getitem__
    return cache[fieldname]
