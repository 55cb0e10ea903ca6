"""A segment's posting lists and field lengths as numpy arrays (engine.vector scores
whole posting lists at once instead of one posting at a time)."""

from __future__ import annotations

import bisect

import numpy as np

from ..gate import wcodec
from .codec import block_arrays, block_values, term_arrays

# a length byte -> the length BM25 reads (whoosh3's byte_to_length, 0 read as 1)
LENGTHS = np.array([wcodec.byte_to_length(b) or 1 for b in range(256)], dtype=np.int64)
FLOAT_LENGTHS = LENGTHS.astype(np.float64)  # (one pass over a segment's lengths, not two)


def segments(searcher) -> list:
    """(sub-searcher, docnum offset) of each segment of ``searcher`` that has paragraphs
    (an index without any has one leaf, Whoosh's EmptyReader, which has no postings)."""
    return [(sub, offset) for sub, offset in searcher.leaf_searchers() if sub.doc_count_all()]


def frequencies(searcher, terms) -> list[float]:
    """How often each (field, text) of ``terms`` occurs, over the segments of ``searcher``
    (as Whoosh's reader.frequency counts: deleted paragraphs too). Spelling hints ask
    this of some hundred spellings per word, most of which the archive never writes."""
    totals = [0.0] * len(terms)
    for sub, _ in segments(searcher):
        reader = sub.reader()
        infos = getattr(getattr(reader, "_terms", None), "info_or_none", None)
        for i, (field, text) in enumerate(terms):
            if infos is None:  # not tracuu's codec: Whoosh's way
                totals[i] += reader.frequency(field, text)
                continue
            info = infos(field, text.encode("utf-8"))
            if info is not None:
                totals[i] += info.weight()
    return totals


def term_postings(
    reader, field: str, btext: bytes, at: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """(docnums, weights) of a term in one segment ``reader``, sorted by docnum, without
    deleted paragraphs; None where the segment does not have the term. With ``at``
    (sorted docnums), only those: the blocks that hold none of them are never read."""
    info = _term_info(reader, field, btext)
    if info is None:
        return None
    if info.is_inlined():
        found, weights, _ = info.inlined_postings()
        ids = np.array(found, dtype=np.int64)
        tf = np.array(weights, dtype=np.float64)
        if at is not None:
            ids, tf = restrict(ids, tf, at)
    else:
        found = term_arrays(reader._terms._postfile, info.extent()[0], at)
        if found is not None:
            ids, tf = found if at is None else restrict(*found, at)
        else:
            m = reader._terms.matcher(field, btext, reader.schema[field].format)
            parts = [
                _block(m) if want is None else restrict(*_block(m), want) for want in _walk(m, at)
            ]
            if not parts:
                return np.zeros(0, dtype=np.int64), np.zeros(0)
            ids, tf = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    deleted = deleted_docnums(reader)
    if len(deleted):
        keep = ~np.isin(ids, deleted)
        ids, tf = ids[keep], tf[keep]
    return ids, tf


def _term_info(reader, field: str, btext: bytes):
    """A term's whoosh3 term info in one segment, None where it has no such term."""
    terms = getattr(reader, "_terms", None)
    if terms is None:
        raise TypeError(f"not a whoosh3 segment reader: {reader!r}")
    try:
        return terms.term_info(field, btext)
    except (KeyError, wcodec.TermNotFound):
        return None


def _walk(m, at: np.ndarray | None):
    """Step whoosh3 leaf matcher ``m`` through its blocks, yielding at each block the
    docnums of ``at`` it may hold (None: ``at`` is None, every block counts); blocks that
    can hold none are passed over unread (only their headers are read)."""
    if at is None:
        while not m._atend:
            yield None
            m._next_block()
        return
    wanted, i = at.tolist(), 0
    while not m._atend and i < len(wanted):
        j = bisect.bisect_right(wanted, m._maxid, i)
        if j > i:
            yield at[i:j]
        i = j
        m._next_block()


def deleted_docnums(reader) -> np.ndarray:
    """A segment's deleted docnums, sorted (read once, kept with the reader)."""
    cache = reader._perdoc.__dict__
    if "_tracuu_deleted" not in cache:
        deleted = reader.deleted_docs_set
        found = np.fromiter(deleted, dtype=np.int64, count=len(deleted))
        cache["_tracuu_deleted"] = np.sort(found)
    return cache["_tracuu_deleted"]


def every_paragraph(reader) -> np.ndarray:
    """The docnums of a segment's paragraphs that are not deleted."""
    ids = np.arange(reader.doc_count_all(), dtype=np.int64)
    deleted = deleted_docnums(reader)
    return np.setdiff1d(ids, deleted) if len(deleted) else ids


def _block(m) -> tuple[np.ndarray, np.ndarray]:
    """The ids and weights of the current block of ``m``, a leaf matcher of tracuu's
    codec (codec._LeafMatcher). tracuu's blocks: no position is read; whoosh3's (for byte
    ids, which no field of tracuu has): its tuple of gaps unless the ids are bytes, and
    weights None for all 1, one float for all that, else an array."""
    n = m._blocklength
    if m._data is None:
        raw = m.raw_block()
        if raw is not None:
            return block_arrays(raw, n)
        m._read_data()
    gaps, weights, _ = m._data
    ids = np.array(gaps, dtype=np.int64)
    ids = ids if m._byteids else np.cumsum(ids)
    if weights is None:
        return ids, np.ones(n)
    if isinstance(weights, float):
        return ids, np.full(n, weights)
    return ids, np.asarray(weights, dtype=np.float64)


def _values(m, which: list[int]) -> tuple[bytes, ...]:
    """The values (encoded positions) at places ``which`` of the current block of ``m``
    (codec._LeafMatcher)."""
    raw = m.raw_block()
    if raw is not None:
        return block_values(raw, m._blocklength, m._fixedsize, which)
    m._read_values()
    return tuple(m._values[i] for i in which)


def phrase_at(reader, field: str, words: list[bytes], docnums: np.ndarray) -> np.ndarray:
    """For each of sorted ``docnums`` (each has every word), whether ``words`` stand at
    consecutive positions of ``field`` there, as Whoosh's Phrase (SpanNear2, slop 1,
    ordered) decides."""
    fmt = reader.schema[field].format
    where = [_positions_at(reader, field, w, docnums, fmt) for w in words]
    return np.array(
        [
            any(all(p + i in where[i][k] for i in range(1, len(words))) for p in where[0][k])
            for k in range(len(docnums))
        ],
        dtype=bool,
    )


def _positions_at(reader, field: str, word: bytes, docnums: np.ndarray, fmt) -> list[set[int]]:
    """The positions of ``word`` in each of sorted ``docnums`` (empty where it is not)."""
    out: list[set[int]] = [set() for _ in range(len(docnums))]
    info = _term_info(reader, field, word)
    if info is None:
        return out
    if info.is_inlined():
        found, _, values = info.inlined_postings()
        which, slots = _places(np.array(found, dtype=np.int64), docnums)
        for j, i in zip(slots, which, strict=True):
            out[j] = set(fmt.decode_positions(values[i]))
        return out
    m = reader._terms.matcher(field, word, fmt)
    for _ in _walk(m, docnums):
        which, slots = _places(_block(m)[0], docnums)
        for j, value in zip(slots, _values(m, which), strict=True):
            out[j] = set(fmt.decode_positions(value))
    return out


def _places(ids: np.ndarray, docnums: np.ndarray) -> tuple[list[int], list[int]]:
    """Where sorted ``ids`` and sorted ``docnums`` meet: the places in each."""
    pos = np.searchsorted(docnums, ids)
    hit = pos < len(docnums)
    hit[hit] = docnums[pos[hit]] == ids[hit]
    return np.flatnonzero(hit).tolist(), pos[hit].tolist()


def restrict(ids: np.ndarray, scores: np.ndarray, within: np.ndarray | None):
    """The entries of sorted ``ids`` (with their ``scores``) that are in sorted ``within``."""
    if within is None:
        return ids, scores
    if len(within) < len(ids):
        pos = np.searchsorted(ids, within)
        ok = pos < len(ids)
        ok[ok] = ids[pos[ok]] == within[ok]
        return ids[pos[ok]], scores[pos[ok]]
    pos = np.searchsorted(within, ids)
    keep = pos < len(within)
    keep[keep] = within[pos[keep]] == ids[keep]
    return ids[keep], scores[keep]


def field_lengths(reader, field: str) -> np.ndarray:
    """Every paragraph's length of ``field`` in one segment, as BM25 reads it (0 -> 1)."""
    cache = reader._perdoc.__dict__.setdefault("_tracuu_length_floats", {})
    if field not in cache:
        column = length_bytes(reader._perdoc, field, reader.doc_count_all())
        cache[field] = FLOAT_LENGTHS[column]
    return cache[field]


def field_length_bytes(reader, field: str) -> np.ndarray:
    """Every paragraph's length of ``field`` in one segment, as the byte it is kept as
    (BM25 reads ``FLOAT_LENGTHS[byte]``)."""
    return length_bytes(reader._perdoc, field, reader.doc_count_all())


def length_bytes(perdoc, field: str, doc_count: int) -> np.ndarray:
    """The length column of ``field`` in a segment's per-document reader: one byte per
    paragraph (whoosh3's length_to_byte), read at once and kept with the reader."""
    cache = perdoc.__dict__.setdefault("_tracuu_length_bytes", {})
    if field not in cache:
        column = perdoc._cached_reader(wcodec._lenfield(field), wcodec.LENGTHS_COLUMN)
        out = np.zeros(doc_count, dtype=np.uint8)
        if column is None:
            pass
        elif getattr(column, "_fixedlen", None) == 1 and column._typecode == "B":
            # one unsigned byte per document from _basepos on; past _count, the default 0
            raw = column._dbfile.get(column._basepos, column._count)
            out[: column._count] = np.frombuffer(raw, dtype=np.uint8)
        else:
            out[:] = np.asarray(column.load(), dtype=np.uint8)
        cache[field] = out
    return cache[field]


def bm25_parameters(scorer) -> tuple[float, float, float, float] | None:
    """(idf, average field length, B, K1) of a Whoosh BM25F term scorer; None for any
    other scorer."""
    if not all(hasattr(scorer, x) for x in ("idf", "avgfl", "B", "K1")):
        return None
    return float(scorer.idf), float(scorer.avgfl), float(scorer.B), float(scorer.K1)
