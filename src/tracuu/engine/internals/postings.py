"""A segment's posting lists and field lengths as numpy arrays (engine.vector scores
whole posting lists at once instead of one posting at a time)."""

from __future__ import annotations

import numpy as np

from ..gate import wcodec
from .codec import BLOCK_TAG, block_arrays

# a length byte -> the length BM25 reads (whoosh3's byte_to_length, 0 read as 1)
LENGTHS = np.array([wcodec.byte_to_length(b) or 1 for b in range(256)], dtype=np.int64)


def term_postings(reader, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
    """(docnums, weights) of a term in one segment ``reader``, sorted by docnum, without
    deleted paragraphs; None where the segment does not have the term."""
    terms = getattr(reader, "_terms", None)
    if terms is None:
        raise TypeError(f"not a whoosh3 segment reader: {reader!r}")
    try:
        info = terms.term_info(field, btext)
    except (KeyError, wcodec.TermNotFound):
        return None
    if info.is_inlined():
        found, weights, _ = info.inlined_postings()
        ids = np.array(found, dtype=np.int64)
        tf = np.array(weights, dtype=np.float64)
    else:
        ids, tf = _blocks(terms.matcher(field, btext, reader.schema[field].format))
    deleted = _deleted(reader)
    if len(deleted):
        keep = ~np.isin(ids, deleted)
        ids, tf = ids[keep], tf[keep]
    return ids, tf


def _deleted(reader) -> np.ndarray:
    """A segment's deleted docnums, sorted (read once, kept with the reader)."""
    cache = reader._perdoc.__dict__
    if "_tracuu_deleted" not in cache:
        deleted = reader.deleted_docs_set
        found = np.fromiter(deleted, dtype=np.int64, count=len(deleted))
        cache["_tracuu_deleted"] = np.sort(found)
    return cache["_tracuu_deleted"]


def term_postings_at(
    reader, field: str, btext: bytes, docnums: list[int]
) -> tuple[np.ndarray, np.ndarray] | None:
    """``term_postings`` at the sorted ``docnums`` alone: a matcher skips to each (whole
    blocks between them are never read)."""
    if (field, btext) not in reader:
        return None
    m = reader.postings(field, btext)
    ids, tf = [], []
    for d in docnums:
        if not m.is_active():
            break
        if m.id() < d:
            m.skip_to(d)
        if m.is_active() and m.id() == d:
            ids.append(d)
            tf.append(m.weight())
    return np.array(ids, dtype=np.int64), np.array(tf, dtype=np.float64)


def every_paragraph(reader) -> np.ndarray:
    """The docnums of a segment's paragraphs that are not deleted."""
    ids = np.arange(reader.doc_count_all(), dtype=np.int64)
    deleted = _deleted(reader)
    return np.setdiff1d(ids, deleted) if len(deleted) else ids


def _blocks(m) -> tuple[np.ndarray, np.ndarray]:
    """Every block of a whoosh3 leaf matcher: its ids (kept as gaps unless the ids are
    bytes) and weights (None: all 1; one float: all that; else an array)."""
    ids_parts, tf_parts = [], []
    while not m._atend:
        n = m._blocklength
        if m._data is None:
            raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
            if raw and raw[0] == BLOCK_TAG:  # tracuu's block: no position is read
                ids, tf = block_arrays(raw, n)
                ids_parts.append(ids)
                tf_parts.append(tf)
                m._next_block()
                continue
            m._read_data()
        gaps, weights, _ = m._data
        ids = np.array(gaps, dtype=np.int64)
        ids_parts.append(ids if m._byteids else np.cumsum(ids))
        if weights is None:
            tf_parts.append(np.ones(n))
        elif isinstance(weights, float):
            tf_parts.append(np.full(n, weights))
        else:
            tf_parts.append(np.asarray(weights, dtype=np.float64))
        m._next_block()
    if not ids_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(ids_parts), np.concatenate(tf_parts)


def phrase_at(reader, field: str, words: list[bytes], docnums: list[int]) -> list[bool]:
    """For each of sorted ``docnums`` (each has every word), whether ``words`` stand at
    consecutive positions of ``field`` there, as Whoosh's Phrase (SpanNear2, slop 1,
    ordered) decides."""
    where: list[list[set[int]]] = []
    for word in words:
        m = reader.postings(field, word)
        found = []
        for d in docnums:
            if m.is_active() and m.id() < d:
                m.skip_to(d)
            found.append(set(m.value_as("positions")) if m.is_active() and m.id() == d else set())
        where.append(found)
    return [
        any(all(p + i in where[i][k] for i in range(1, len(words))) for p in where[0][k])
        for k in range(len(docnums))
    ]


def field_lengths(reader, field: str) -> np.ndarray:
    """Every paragraph's length of ``field`` in one segment, as BM25 reads it (0 -> 1)."""
    cache = reader._perdoc.__dict__.setdefault("_tracuu_length_floats", {})
    if field not in cache:
        column = length_bytes(reader._perdoc, field, reader.doc_count_all())
        cache[field] = LENGTHS[column].astype(np.float64)
    return cache[field]


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
