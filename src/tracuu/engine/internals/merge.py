"""Segments written apart (a full build's shards) merged into one, copying bytes.

Every segment costs each query: a term is looked up, and its postings read, once per
segment. Whoosh merges segments by reading every posting back and writing it again
through its pool: minutes for viwiki. Here the new segment is assembled from the parts'
files as they are, each part's paragraphs numbered after the parts before it (``base``):

* the term table (:mod:`.table`): the parts' tables merged in key order. A term in one
  part keeps its info's bytes (its ids shifted by ``base``: the first id gap of inlined
  postings, or each posting block's maxid and first id); a term in several parts gets its
  postings inlined together while they are short, else posting blocks: the parts' blocks
  copied one after another (shifted), inlined postings made a block of their own;
* the per-paragraph columns (stored fields, field lengths, path and number): the raw
  values copied, in order; the segment's total field lengths added up.

Only what tracuu's codec writes is merged: posting blocks of :func:`.codec.encode_block`
with widths, compact inlined postings, no deleted paragraphs. Anything else raises
``NotMergeable``; the caller removes what was written and keeps the segments apart.
"""

from __future__ import annotations

import heapq
import io
import pickle
import struct
from collections.abc import Iterator, Sequence
from typing import Any

from ..gate import columns, wcodec
from .codec import (
    _FLOATS,
    _GAP_SHIFT,
    _HEAD,
    _HEADER_MAX,
    _WHOLE,
    BLOCK_TAG,
    INLINE_LIMIT,
    Codec,
    TermInfo,
    encode_block,
)
from .table import read_varint, varint

_MAGIC = wcodec.WHOOSH3_HEADER_MAGIC
_INT = struct.Struct("!i")
_FIRST_ID = struct.Struct("<I")
_INFO = wcodec.W3TermInfo._struct  # flags, weight, df, min/max length bytes, max weight, ids
_EXTENT = struct.Struct("!qi")  # a posting list's offset and length, after _INFO
_KEY = struct.Struct("!H")  # a term key's field number


# columns of variable bytes (compressed or not), copied as their bytes are stored
_BYTES = (columns.VarBytesColumn, columns.CompressedBytesColumn)


class NotMergeable(Exception):
    """The segments hold something this module does not copy."""


def columns_of(schema) -> dict[str, object]:
    """The per-paragraph columns a segment of ``schema`` may have, with their types."""
    names: dict[str, object] = {"_stored": wcodec.STORED_COLUMN}
    for name, field in schema.items():
        if field.scorable:
            names[wcodec._lenfield(name)] = wcodec.LENGTHS_COLUMN
        if field.column_type is not None:
            names[name] = field.column_type
    return names


def check(readers: Sequence, schema) -> None:
    """Raise NotMergeable unless every one of ``readers`` (whoosh3 segment readers) is a
    segment of tracuu's codec, read in place, without deleted paragraphs, with fields of
    ``schema`` only, whose columns are of types copied here."""
    for r in readers:
        terms: Any = getattr(r, "_terms", None)
        if not isinstance(r.codec(), Codec) or not hasattr(terms, "_tindex"):
            raise NotMergeable(f"not a segment of tracuu's codec: {r!r}")
        if r.has_deletions():
            raise NotMergeable("a segment has deleted paragraphs")
        if not isinstance(getattr(terms._postfile, "_buf", None), memoryview):
            raise NotMergeable("a segment's postings are not in memory")
        unknown = set(terms._fieldmap) - set(schema.names())
        if unknown:
            raise NotMergeable(f"fields not in the schema: {sorted(unknown)}")
    for name, column in columns_of(schema).items():
        if not isinstance(_raw(column), (*_BYTES, columns.FixedBytesColumn)):
            raise NotMergeable(f"column {name!r} of type {type(column).__name__}")


def merge(storage, segment, readers: Sequence, schema) -> None:
    """Write ``segment`` (new, in ``storage``) as the paragraphs of ``readers`` in order."""
    if not readers:
        raise NotMergeable("no paragraphs to merge")
    check(readers, schema)
    bases = [0]
    for r in readers[:-1]:
        bases.append(bases[-1] + r.doc_count_all())
    _write_columns(storage, segment, readers, bases, schema)
    _write_terms(storage, segment, readers, bases, schema)
    segment.set_doc_count(bases[-1] + readers[-1].doc_count_all())


# ---- per-paragraph columns ------------------------------------------------------


def _raw(column):
    """The column type whose values are copied as they are stored (pickles, compressed
    bytes and variable bytes alike: their raw bytes)."""
    while isinstance(column, columns.WrappedColumn):
        column = column._child
    return column


def _write_columns(storage, segment, readers, bases, schema) -> None:
    pdw = readers[0].codec().per_document_writer(storage, segment)
    for name, column in columns_of(schema).items():
        raw = _raw(column)
        if not pdw._has_column(name):  # (the stored fields' column is made at start)
            pdw._create_column(name, column)
        writer = pdw._colwriters[name]
        while isinstance(writer, columns.WrappedColumnWriter):
            writer = writer._child
        for r, base in zip(readers, bases, strict=True):
            source = r._perdoc._cached_reader(name, column)
            if source is None:
                continue
            while isinstance(source, columns.WrappedColumnReader):
                source = source._child
            _copy_column(raw, source, writer, base)
    lengths: dict[str, int] = {}
    for r in readers:
        for name, n in r._segment._fieldlengths.items():
            lengths[name] = lengths.get(name, 0) + n
    pdw._doccount = bases[-1] + readers[-1].doc_count_all()
    pdw._indoc = False
    pdw.close()
    pdw._cols._tempstorage.destroy()  # (where the columns were gathered)
    segment._fieldlengths = lengths  # (close set the writer's own: none)


def _copy_column(column, source, writer, base: int) -> None:
    """Append the values of one part's column (``source``, a reader) to ``writer`` from
    paragraph ``base`` on, as they are stored."""
    if isinstance(column, _BYTES):  # (compressed values stay compressed)
        add = columns.VarBytesColumn.Writer.add
        for docnum, v in enumerate(columns.VarBytesColumn.Reader.__iter__(source), base):
            if v:
                add(writer, docnum, v)
        return
    # fixed-size values: the first _count stored one after another, the rest the default
    stored = source._count * source._fixedlen
    if not stored:
        return
    if base > writer._count:
        writer._dbfile.write(writer._defaultbytes * (base - writer._count))
    writer._dbfile.write(source._dbfile.get(source._basepos, stored))
    writer._count = base + source._count


# ---- terms and postings -----------------------------------------------------------


def _write_terms(storage, segment, readers, bases, schema) -> None:
    fw = readers[0].codec().field_writer(storage, segment)
    table = fw._tindex
    names = sorted({name for r in readers for name in r._terms._fieldmap})
    fieldmap = table.extras["fieldmap"]
    fieldmap.update((name, i) for i, name in enumerate(names))
    sources = [_Source(r, base, fieldmap) for r, base in zip(readers, bases, strict=True)]
    out = _Postings(fw._postfile, readers[0].codec()._compression)
    fixed = {_KEY.pack(fieldmap[name]): schema[name].format.fixed_value_size() for name in names}
    add, info = table.add, out.info
    for key, group in _groups(sources):
        add(key, info(group, fixed[key[:2]]))
    fw.close()


def _groups(sources: list[_Source]) -> Iterator[tuple[bytes, tuple]]:
    """(key, ((info bytes, source), ...)) of each term of ``sources``, in key order, the
    parts that have it in order. (Two parts, a full build's on two cores, are merged
    here; heapq's merge costs a third more.)"""
    if len(sources) != 2:
        merged = heapq.merge(*(_numbered(n, s) for n, s in enumerate(sources)))
        key: bytes | None = None
        group: list[tuple[bytes, _Source]] = []
        for k, n, v in merged:
            if k != key:
                if key is not None:
                    yield key, tuple(group)
                key, group = k, []
            group.append((v, sources[n]))
        if key is not None:
            yield key, tuple(group)
        return
    a, b = sources
    end = (None, b"")
    items_a, items_b = a.items(), b.items()
    ka, va = next(items_a, end)
    kb, vb = next(items_b, end)
    while ka is not None and kb is not None:
        if ka < kb:
            yield ka, ((va, a),)
            ka, va = next(items_a, end)
        elif kb < ka:
            yield kb, ((vb, b),)
            kb, vb = next(items_b, end)
        else:
            yield ka, ((va, a), (vb, b))
            ka, va = next(items_a, end)
            kb, vb = next(items_b, end)
    while ka is not None:
        yield ka, ((va, a),)
        ka, va = next(items_a, end)
    while kb is not None:
        yield kb, ((vb, b),)
        kb, vb = next(items_b, end)


def _numbered(n: int, source: _Source) -> Iterator[tuple[bytes, int, bytes]]:
    """(key, ``n``, info bytes) of each term of ``source``: equal keys merge in part order."""
    for key, value in source.items():
        yield key, n, value


class _Source:
    """One part's term table, its keys numbered as the merged table numbers fields, and
    its posting file."""

    def __init__(self, reader, base: int, fieldmap: dict[str, int]) -> None:
        self.base = base
        self.terms = reader._terms
        self.buf: memoryview = self.terms._postfile._buf
        self.renumber = {
            _KEY.pack(i): _KEY.pack(fieldmap[name]) for name, i in self.terms._fieldmap.items()
        }

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        """(key, info bytes) of each term, in key order."""
        renumber = self.renumber
        if all(k == v for k, v in renumber.items()):
            return self.terms._tindex.items()
        return ((renumber[k[:2]] + k[2:], v) for k, v in self.terms._tindex.items())

    def blocks(self, value: bytes) -> Iterator[tuple[bytes, bytes]]:
        """(header, data) of each posting block of a term whose info is ``value``, ids
        shifted by ``base``: header pickles as whoosh3 writes them, data as encode_block
        does (with widths: a first id, then gaps)."""
        offset, length = _EXTENT.unpack_from(value, _INFO.size)
        buf, base = self.buf, self.base
        if buf[offset : offset + 4] != _MAGIC:
            raise NotMergeable(f"no posting list at {offset}")
        position, end = offset + 4, offset + length
        while position < end:
            size = abs(_INT.unpack_from(buf, position)[0])
            head = io.BytesIO(buf[position + 4 : position + 4 + _HEADER_MAX])
            header = pickle.load(head)
            start, stop = position + 4 + head.tell(), position + 4 + size
            data = buf[start:stop]
            if data[0] != BLOCK_TAG or not data[1] >> _GAP_SHIFT & 3:
                raise NotMergeable(f"a posting block not of tracuu's codec at {position}")
            if base:
                count, maxid, *rest = header
                first = _FIRST_ID.unpack_from(data, _HEAD.size)[0]
                yield (
                    wcodec.dumps((count, maxid + base, *rest), 2),
                    bytes(data[: _HEAD.size])
                    + _FIRST_ID.pack(first + base)
                    + bytes(data[_HEAD.size + 4 :]),
                )
            else:
                yield bytes(buf[position + 4 : start]), bytes(data)
            position = stop


class _Postings:
    """The merged segment's posting file, and the term infos that point into it."""

    def __init__(self, postfile, compression: int) -> None:
        self.postfile, self.compression = postfile, compression
        self.position = postfile.tell()  # (kept here: the file's tell() costs more)

    def info(self, group: tuple, fixedsize) -> bytes:
        """The merged info of one term, from (info bytes, source) of each part that has
        it, in part order; its postings written where it has blocks."""
        if len(group) == 1:
            value, source = group[0]
            if value[0] in (_WHOLE, _FLOATS):
                return _shift_inlined(value, source.base)
        elif len(group) == 2 and group[0][0][0] == group[1][0][0] in (_WHOLE, _FLOATS):
            (a, source_a), (b, source_b) = group
            joined = _inlined_pair(a, source_a.base, b, source_b.base)
            if joined is not None:
                return joined
        parts = [(TermInfo.from_bytes(value), value, source) for value, source in group]
        short = sum(info.doc_frequency() for info, _, _ in parts) < INLINE_LIMIT
        if short and all(info.is_inlined() for info, _, _ in parts):
            return _inlined_together(parts)
        return self._write(parts, fixedsize)

    def _write(self, parts: list, fixedsize) -> bytes:
        """Write the postings of ``parts`` (info, info bytes, source) as one list: the
        blocks of each part, shifted, one block for each run of parts with inlined
        postings."""
        blocks: list[tuple[bytes, bytes]] = []
        pending: list[tuple] = []  # (info, info bytes, source) inlined, not yet a block
        weight = maxweight = 0.0
        df, minlen, maxlen = 0, 255, 0
        for info, value, source in parts:
            weight += info.weight()
            df += info.doc_frequency()
            maxweight = max(maxweight, info.max_weight())
            lo, hi = _length_bytes(value)
            minlen, maxlen = min(minlen, lo), max(maxlen, hi)
            if info.is_inlined():
                pending.append((info, value, source))
                continue
            if pending:
                blocks.append(self._block(pending, fixedsize))
                pending = []
            blocks.extend(source.blocks(value))
        if pending:
            blocks.append(self._block(pending, fixedsize))
        first, last = parts[0], parts[-1]
        minid = first[0].min_id() + first[2].base
        maxid = last[0].max_id() + last[2].base
        out = [_MAGIC]
        for n, (header, data) in enumerate(blocks, start=1):
            size = len(header) + len(data)
            out += (_INT.pack(-size if n == len(blocks) else size), header, data)
        written = b"".join(out)
        self.postfile.write(written)
        offset, self.position = self.position, self.position + len(written)
        info_bytes = _INFO.pack(0, weight, df, minlen, maxlen, maxweight, minid, maxid)
        return info_bytes + _EXTENT.pack(offset, len(written))

    def _block(self, parts: list, fixedsize) -> tuple[bytes, bytes]:
        """(header, data) of one posting block of the inlined postings of ``parts``."""
        ids, weights, values, lo, hi = _gathered(parts)
        header = (len(ids), ids[-1], max(weights), 0, lo, hi)
        data = encode_block(ids, weights, values, fixedsize, self.compression)
        return wcodec.dumps(header, 2), data


def _length_bytes(value: bytes) -> tuple[int, int]:
    """The shortest and longest field length bytes of a term info's paragraphs."""
    if value[0] in (_WHOLE, _FLOATS):
        _, i = read_varint(value, 1)
        return value[i], value[i + 1]
    return value[9], value[10]  # (after flags, weight and df)


def _shift_inlined(value: bytes, base: int) -> bytes:
    """The compact inlined info ``value`` with its ids shifted by ``base`` (the first id
    is the first gap: the others follow from it)."""
    if not base:
        return value
    _, i = read_varint(value, 1)
    first, j = read_varint(value, i + 2)
    out = bytearray(value[: i + 2])
    varint(first + base, out)
    out += value[j:]
    return bytes(out)


def _sections(value: bytes):
    """The parts of a compact inlined info (codec.TermInfo.to_bytes): (count, length
    bytes, first id, last id, the gaps after the first, the weights, the values with
    their count), each as the bytes they are written as."""
    df, i = read_varint(value, 1)
    lengths = value[i : i + 2]
    first, i = read_varint(value, i + 2)
    gaps_at, last = i, first
    for _ in range(df - 1):
        gap, i = read_varint(value, i)
        last += gap
    gaps, weights_at = value[gaps_at:i], i
    if value[0] == _WHOLE:
        for _ in range(df):
            _, i = read_varint(value, i)
    else:
        i += 4 * df
    count, values_at = read_varint(value, i)
    return df, lengths, first, last, gaps, value[weights_at:i], count, value[values_at:]


def _inlined_pair(a: bytes, base_a: int, b: bytes, base_b: int) -> bytes | None:
    """The compact inlined postings of two parts (``b``'s after ``a``'s) as one, where
    they stay short, with weights of the same kind and values alike (one for every
    posting, or none: fields without positions); else None."""
    df_a, len_a, first_a, last_a, gaps_a, weights_a, count_a, values_a = _sections(a)
    df_b, len_b, first_b, last_b, gaps_b, weights_b, count_b, values_b = _sections(b)
    alike = (count_a, count_b) in ((df_a, df_b), (0, 0))
    if df_a + df_b >= INLINE_LIMIT or not alike:
        return None
    out = bytearray(a[:1])
    varint(df_a + df_b, out)
    out.append(min(len_a[0], len_b[0]))
    out.append(max(len_a[1], len_b[1]))
    varint(first_a + base_a, out)
    out += gaps_a
    varint(first_b + base_b - (last_a + base_a), out)
    out += gaps_b
    out += weights_a
    out += weights_b
    varint(count_a + count_b, out)
    out += values_a
    out += values_b
    return bytes(out)


def _gathered(parts: list) -> tuple[list[int], list[float], list[bytes], int, int]:
    """The inlined postings of ``parts`` (info, info bytes, source), one after another,
    their ids shifted: (ids, weights, values, shortest and longest length bytes)."""
    ids: list[int] = []
    weights: list[float] = []
    values: list[bytes] = []
    lo, hi = 255, 0
    for info, value, source in parts:
        i, w, v = info.inlined_postings()
        ids += [d + source.base for d in i]
        weights += w
        values += v
        a, b = _length_bytes(value)
        lo, hi = min(lo, a), max(hi, b)
    return ids, weights, values, lo, hi


def _inlined_together(parts: list) -> bytes:
    """One compact inlined info of the short posting lists of several parts."""
    ids, weights, values, lo, hi = _gathered(parts)
    merged = TermInfo(
        weight=sum(weights),
        df=len(ids),
        minlength=wcodec.byte_to_length(lo),
        maxlength=wcodec.byte_to_length(hi),
        maxweight=max(weights),
        minid=ids[0],
        maxid=ids[-1],
    )
    merged.set_inlined(ids, weights, values)
    return merged.to_bytes()
