"""whoosh3's codec with short posting lists kept compactly in their term's info, posting
blocks that numpy reads without their positions, a sorted term table, and a segment's
field lengths read from one list while it is written (see the package)."""

from __future__ import annotations

import io
import pickle
import struct
import zlib

import numpy as np

from ...recent import Recent
from ..gate import wcodec
from .table import TableReader, TableWriter, read_varint, varint

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


class TermInfo(wcodec.W3TermInfo):
    """whoosh3's term info; inlined postings are written compactly."""

    def to_bytes(self) -> bytes:
        if not self.is_inlined():
            return super().to_bytes()
        ids, weights, values = self._inlined
        whole = all(w == int(w) and w >= 0 for w in weights)
        out = bytearray((_WHOLE if whole else _FLOATS,))
        varint(len(ids), out)
        out.append(wcodec.length_to_byte(self._minlength or 0))
        out.append(wcodec.length_to_byte(self._maxlength))
        last = 0
        for docnum in ids:
            varint(docnum - last, out)
            last = docnum
        if whole:
            for w in weights:
                varint(int(w), out)
        else:
            out += struct.pack(f"!{len(weights)}f", *weights)
        varint(len(values), out)
        for v in values:
            varint(len(v), out)
            out += v
        return bytes(out)

    @classmethod
    def from_bytes(cls, s: bytes):
        if s[0] not in (_WHOLE, _FLOATS):
            return super().from_bytes(s)
        df, i = read_varint(s, 1)
        info = cls(df=df)
        info._minlength = wcodec.byte_to_length(s[i])
        info._maxlength = wcodec.byte_to_length(s[i + 1])
        ids, last, i = [], 0, i + 2
        for _ in range(df):
            gap, i = read_varint(s, i)
            last += gap
            ids.append(last)
        if s[0] == _WHOLE:
            weights = []
            for _ in range(df):
                w, i = read_varint(s, i)
                weights.append(float(w))
        else:
            weights = list(struct.unpack_from(f"!{df}f", s, i))
            i += 4 * df
        count, i = read_varint(s, i)
        values = []
        for _ in range(count):
            size, i = read_varint(s, i)
            values.append(s[i : i + size])
            i += size
        info._weight, info._maxweight = sum(weights), max(weights)
        info._minid, info._maxid = ids[0], ids[-1]
        info._inlined = (tuple(ids), tuple(weights), tuple(values))
        return info


# ---- posting blocks numpy reads --------------------------------------------------
# whoosh3 pickles a block's ids, weights and values (positions) as one tuple and
# compresses them together: reading a term's paragraphs and weights unpickles every
# position too (half the time of a fresh `tracuu batch` on viwiki). Here a block's data is
# BLOCK_TAG, a header (flags, sizes of the two parts as stored) and two parts, each
# compressed alone when worth it: the ids (gaps) and weights as little-endian arrays, and
# the values. engine.vector reads the first part with numpy; Whoosh's matchers get the
# tuple they expect (_LeafMatcher). Blocks of byte ids stay whoosh3's pickles.

BLOCK_TAG = 0xB7  # neither a pickle (0x80) nor a zlib stream (0x78)
_HEAD = struct.Struct("<BBII")  # tag, flags, first part's size, values' size
_ONES, _ONE, _WHOLE_W, _FLOAT_W = 0, 1, 2, 3  # weights: all 1, one for all, whole, float64
_FIRST_Z, _VALUES_Z = 4, 8  # flags: the part is compressed
# The first part of a block written since the widths below is not compressed: its ids are
# the first id (uint32) and the gaps after it, and its whole weights, each in the fewest
# bytes that hold the block's largest (1, 2 or 4): as small as zlib made them, and read
# with no inflating (a third of the time numpy spent reading postings). Blocks written
# before (width 0) hold every gap as a uint32 and whole weights as uint32, compressed.
_GAP_SHIFT, _WEIGHT_SHIFT = 4, 6  # flags: bits 4-5 the gaps' width, 6-7 the weights'
_WIDTHS = {1: 1, 2: 2, 3: 4}  # width code -> bytes
_CODES = ((0xFF, 1), (0xFFFF, 2), (0xFFFFFFFF, 3))  # largest value -> width code


def _width_code(largest: int) -> int:
    return next(code for top, code in _CODES if largest <= top)


def _packed(data: bytes, level: int, flag: int) -> tuple[bytes, int]:
    if level and len(data) >= wcodec.COMPRESSION_MIN_SIZE:
        return zlib.compress(data, level), flag
    return data, 0


SMALL_BLOCK = 64  # blocks of fewer postings are encoded without numpy (the same bytes)
_PACK = {1: "B", 2: "H", 4: "I"}  # width -> struct code


def encode_block(ids, weights, values, fixedsize, level: int) -> bytes:
    """A block's ids, weights and values (as whoosh3's writer holds them)."""
    if len(ids) < SMALL_BLOCK:
        return _encode_small(ids, weights, values, fixedsize, level)
    ids = np.asarray(ids, dtype=np.int64)
    gaps = np.diff(ids)
    gcode = _width_code(int(gaps.max(initial=0)))
    first = ids[:1].astype("<u4").tobytes() + gaps.astype(f"<u{_WIDTHS[gcode]}").tobytes()
    w = np.asarray(weights, dtype=np.float64)
    wcode = 0
    if (w == 1.0).all():
        kind = _ONES
    elif (w == w[0]).all():
        kind, first = _ONE, first + w[:1].astype("<f8").tobytes()
    elif (w == np.floor(w)).all() and (w >= 0).all() and (w < 2**32).all():
        kind, wcode = _WHOLE_W, _width_code(int(w.max()))
        first += w.astype(f"<u{_WIDTHS[wcode]}").tobytes()
    else:
        kind, first = _FLOAT_W, first + w.astype("<f8").tobytes()
    if fixedsize is None or fixedsize < 0:
        sizes = np.array([len(v) for v in values], dtype="<u4").tobytes()
        rest = sizes + b"".join(values)
    else:
        rest = b"".join(values) if fixedsize else b""
    rest, f2 = _packed(rest, level, _VALUES_Z)
    flags = kind | f2 | gcode << _GAP_SHIFT | wcode << _WEIGHT_SHIFT
    return _HEAD.pack(BLOCK_TAG, flags, len(first), len(rest)) + first + rest


def _encode_small(ids, weights, values, fixedsize, level: int) -> bytes:
    """:func:`encode_block` of a few postings, with struct (numpy's calls cost more than
    they save on a few values; tests compare the two)."""
    n = len(ids)
    gaps = [int(b) - int(a) for a, b in zip(ids, ids[1:])]
    gcode = _width_code(max(gaps, default=0))
    first = struct.pack(f"<I{n - 1}{_PACK[_WIDTHS[gcode]]}", int(ids[0]), *gaps)
    w = [float(x) for x in weights]
    wcode = 0
    if all(x == 1.0 for x in w):
        kind = _ONES
    elif all(x == w[0] for x in w):
        kind, first = _ONE, first + struct.pack("<d", w[0])
    elif all(x.is_integer() and 0 <= x < 2**32 for x in w):
        kind, wcode = _WHOLE_W, _width_code(int(max(w)))
        first += struct.pack(f"<{n}{_PACK[_WIDTHS[wcode]]}", *(int(x) for x in w))
    else:
        kind, first = _FLOAT_W, first + struct.pack(f"<{n}d", *w)
    if fixedsize is None or fixedsize < 0:
        rest = struct.pack(f"<{n}I", *(len(v) for v in values)) + b"".join(values)
    else:
        rest = b"".join(values) if fixedsize else b""
    rest, f2 = _packed(rest, level, _VALUES_Z)
    flags = kind | f2 | gcode << _GAP_SHIFT | wcode << _WEIGHT_SHIFT
    return _HEAD.pack(BLOCK_TAG, flags, len(first), len(rest)) + first + rest


def block_arrays(raw: bytes, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids, weights) of an encoded block of ``n`` postings, as numpy arrays."""
    _, flags, size, _ = _HEAD.unpack_from(raw)
    gcode = flags >> _GAP_SHIFT & 3
    if gcode:  # a first id, then gaps of a width; whole weights of a width
        at = _HEAD.size + 4
        width = _WIDTHS[gcode]
        ids = np.empty(n, dtype=np.int64)
        ids[0] = int.from_bytes(raw[_HEAD.size : at], "little")
        ids[1:] = np.frombuffer(raw, dtype=f"<u{width}", count=n - 1, offset=at)
        np.cumsum(ids, out=ids)
        first, at = raw, at + width * (n - 1)
        wwidth = _WIDTHS.get(flags >> _WEIGHT_SHIFT & 3, 4)
    else:  # written before the widths: every gap a uint32, perhaps compressed
        first = raw[_HEAD.size : _HEAD.size + size]
        if flags & _FIRST_Z:
            first = zlib.decompress(first)
        ids = np.cumsum(np.frombuffer(first, dtype="<u4", count=n).astype(np.int64))
        at, wwidth = 4 * n, 4
    kind = flags & 3
    if kind == _ONES:
        weights = np.ones(n)
    elif kind == _ONE:
        weights = np.full(n, np.frombuffer(first, dtype="<f8", count=1, offset=at)[0])
    elif kind == _WHOLE_W:
        weights = np.frombuffer(first, dtype=f"<u{wwidth}", count=n, offset=at).astype(np.float64)
    else:
        weights = np.frombuffer(first, dtype="<f8", count=n, offset=at).copy()
    return ids, weights


def block_values(raw: bytes, n: int, fixedsize, which: list[int] | None = None):
    """The values of an encoded block of ``n`` postings, as whoosh3's tuple holds them:
    a tuple of bytes (values of any size), the bytes of them all (a fixed size), or None.
    With ``which`` (values of any size), only the values at those places."""
    _, flags, size, rest_size = _HEAD.unpack_from(raw)
    rest = raw[_HEAD.size + size : _HEAD.size + size + rest_size]
    if flags & _VALUES_Z:
        rest = zlib.decompress(rest)
    if fixedsize is None or fixedsize < 0:
        ends = np.cumsum(np.frombuffer(rest, dtype="<u4", count=n))
        starts = (ends - np.frombuffer(rest, dtype="<u4", count=n) + 4 * n).tolist()
        ends = (ends + 4 * n).tolist()
        places = range(n) if which is None else which
        return tuple(rest[starts[i] : ends[i]] for i in places)
    return rest if fixedsize else None


_INT = struct.Struct("!i")  # a block's length, as whoosh3 writes it (negative: the last)
_MAGIC = wcodec.WHOOSH3_HEADER_MAGIC  # a posting list's first bytes
_FIRST_ID = struct.Struct("<I")


def term_arrays(
    postfile, start: int, at: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """(ids, weights) of the posting list at ``start`` of ``postfile`` (a term info's
    extent), read in one pass over the posting file's memory: no matcher, step, copy or
    cumsum per block (a common syllable has hundreds). With ``at`` (sorted ids), only
    the blocks that may hold one of them are read: every block's ids, not only those of
    ``at``. None where the file is not in memory (storage.View), the list does not start
    as whoosh3's do, or a block is not one of ours with widths: the caller then reads
    block by block, through Whoosh's matcher (which names any damage)."""
    buf = getattr(postfile, "_buf", None)
    if not isinstance(buf, memoryview) or buf[start : start + 4] != _MAGIC:
        return None
    blocks = []
    last, position = False, start + 4
    while not last:
        length = _INT.unpack_from(buf, position)[0]
        last, length = length < 0, abs(length)
        head = io.BytesIO(buf[position + 4 : position + 4 + _HEADER_MAX])
        count, maxid = pickle.load(head)[:2]
        blocks.append((position + 4 + head.tell(), count, maxid))
        position += 4 + length
    if at is not None:  # a block holds the ids past the previous block's last (its maxid)
        wanted = np.searchsorted([maxid for _, _, maxid in blocks], at)
        wanted = wanted[wanted < len(blocks)].tolist()  # (sorted)
        blocks = [blocks[i] for i in dict.fromkeys(wanted)]  # (np.unique imports numpy.ma)
    ids = np.empty(sum(n for _, n, _ in blocks), dtype=np.int64)
    weights = np.empty(len(ids))
    done, previous = 0, 0
    for offset, n, maxid in blocks:
        tag, flags = buf[offset], buf[offset + 1]
        gcode = flags >> _GAP_SHIFT & 3
        if tag != BLOCK_TAG or not gcode:
            return None
        start = offset + _HEAD.size
        # each block's first id as the gap from the last id read before it (the previous
        # block's maxid): one cumsum gives every id
        ids[done] = _FIRST_ID.unpack_from(buf, start)[0] - previous
        width = _WIDTHS[gcode]
        ids[done + 1 : done + n] = np.frombuffer(buf, f"<u{width}", n - 1, start + 4)
        start += 4 + width * (n - 1)
        kind = flags & 3
        if kind == _ONES:
            weights[done : done + n] = 1.0
        elif kind == _ONE:
            weights[done : done + n] = np.frombuffer(buf, "<f8", 1, start)[0]
        elif kind == _WHOLE_W:
            wwidth = _WIDTHS.get(flags >> _WEIGHT_SHIFT & 3, 4)
            weights[done : done + n] = np.frombuffer(buf, f"<u{wwidth}", n, start)
        else:
            weights[done : done + n] = np.frombuffer(buf, "<f8", n, start)
        done, previous = done + n, maxid
    np.cumsum(ids, out=ids)
    return ids, weights


def _block_tuple(raw: bytes, n: int, fixedsize):
    """An encoded block as whoosh3's (id gaps, weights, values) tuple."""
    ids, weights = block_arrays(raw, n)
    values = block_values(raw, n, fixedsize)
    kind = raw[1] & 3
    gaps = tuple(np.diff(ids, prepend=0).tolist())
    w = None if kind == _ONES else float(weights[0]) if kind == _ONE else tuple(weights.tolist())
    return gaps, w, values


_HEADER_MAX = 128  # a block header's pickle is some 40 bytes (see _write_block)


class _LeafMatcher(wcodec.W3LeafMatcher):
    """whoosh3's posting reader, for blocks written by _PostingsWriter."""

    def _goto(self, position):
        # whoosh3's, reading the header from a slice: whoosh3 unpickles it from the
        # file, one read() per opcode where the file is a view (storage.View)
        pf = self._postfile
        try:
            length = pf.get_int(position)
            head = io.BytesIO(pf.get(position + 4, _HEADER_MAX))
            count, maxid, maxweight, compression, mnlen, mxlen = pickle.load(head)
        except Exception:  # noqa: BLE001 - whoosh3 reads it again and names the damage
            return super()._goto(position)
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        if length < 0:
            self._lastblock = True
            length = -length
        self._nextoffset = position + 4 + length
        self._dataoffset = position + 4 + head.tell()
        self._blocklength, self._maxid = count, maxid
        self._maxweight, self._compression = maxweight, compression
        self._minlength = wcodec.byte_to_length(mnlen)
        self._maxlength = wcodec.byte_to_length(mxlen)

    def raw_block(self) -> bytes | None:
        """The current block's data as encode_block wrote it; None for whoosh3's own."""
        raw = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        return raw if raw and raw[0] == BLOCK_TAG else None

    def _read_data(self):
        raw = self.raw_block()
        if raw is None:
            return super()._read_data()
        self._data = _block_tuple(raw, self._blocklength, self._fixedsize)


class _PostingsWriter(wcodec.W3PostingsWriter):
    def start_postings(self, format_, terminfo):
        """whoosh3's, but where the list starts in the posting file is asked when its
        first block is written: most lists are inlined in their term's info, and asking
        the file is a call through two objects for every term (1 % of a build's
        instructions)."""
        if self._terminfo:
            raise Exception("Called start in a term")
        self._format = format_
        self._blockcount = 0
        self._new_block()
        self._terminfo = terminfo
        self._startoffset = None
        self._maxlength = 0
        self._maxweight = 0

    def _write_block(self, last=False):  # whoosh3's, with the data encoded as above
        if not self._blockcount:
            self._startoffset = self._postfile.tell()
        if self._byteids:
            return super()._write_block(last)
        if not self._blockcount:
            self._postfile.write(wcodec.WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        fixedsize = self._format.fixed_value_size()
        data = encode_block(self._ids, self._weights, self._values, fixedsize, self._compression)
        info = wcodec.dumps(
            (
                len(self._ids),
                self._ids[-1],
                self._maxweight,
                0,  # whoosh3's flag "data compressed": each part says so here
                wcodec.length_to_byte(self._minlength),
                wcodec.length_to_byte(self._maxlength),
            ),
            2,
        )
        size = len(info) + len(data)
        self._postfile.write_int(-size if last else size)
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()

    def finish_postings(self):
        if self.written() or len(self) >= self._inlinelimit:
            return super().finish_postings()
        terminfo = self._terminfo
        terminfo.add_block(self)
        terminfo.set_inlined(self._ids, self._weights, self._values)
        self._terminfo = None
        return terminfo


class _FieldWriter(wcodec.W3FieldWriter):
    def __init__(self, codec, storage, segment) -> None:  # whoosh3's, with a sorted table
        self._codec, self._storage, self._segment = codec, storage, segment
        self._fieldname = self._fieldid = self._btext = self._fieldobj = self._format = None
        self._tindex = TableWriter(self._create_file(wcodec.W3Codec.TERMS_EXT))
        self._fieldmap = self._tindex.extras["fieldmap"] = {}
        self._postfile = self._create_file(wcodec.W3Codec.POSTS_EXT)
        self._postwriter = None
        self._infield = False
        self.is_closed = False

    def start_term(self, btext):
        self._btext = btext
        self._postwriter.start_postings(self._fieldobj.format, TermInfo())


class _FieldCursor(wcodec.W3FieldCursor):
    def term_info(self):
        if self._pos is None:
            return None
        return TermInfo.from_bytes(self._tindex.dbfile.get(self._datapos, self._datalen))


INFOS_KEPT = 50_000  # term infos a segment's terms reader keeps decoded (None: no term)
_UNSEEN = object()


class _TermsReader(wcodec.W3TermsReader):
    def __init__(self, codec, dbfile, length, postfile) -> None:  # whoosh3's, sorted table
        self._codec, self._dbfile, self._postfile = codec, dbfile, postfile
        self._tindex = TableReader(dbfile, length)
        self._fieldmap = self._tindex.extras["fieldmap"]
        self._fieldunmap = [None] * len(self._fieldmap)
        for fieldname, num in self._fieldmap.items():
            self._fieldunmap[num] = fieldname
        self._infos: Recent[tuple[str, bytes], TermInfo | None] = Recent(INFOS_KEPT)

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
        info = self.info_or_none(fieldname, tbytes)
        if info is None:
            raise KeyError((fieldname, tbytes))
        return info

    def info_or_none(self, fieldname, tbytes):
        """The term's info, None where the segment has no such term.

        A query asks a term's info several times (its size, its postings, its idf, each
        spelling's frequency for the hints): decoded once, kept a while."""
        key = (fieldname, tbytes)
        info = self._infos.get(key, _UNSEEN)
        if info is _UNSEEN:
            value = self._tindex.get(self._keycoder(fieldname, tbytes))
            info = None if value is None else TermInfo.from_bytes(value)
            self._infos[key] = info
        return info

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


# Postings per block: whoosh3 writes 128. Each block costs a header read and a few numpy
# calls; a fresh `tracuu batch` of 200 viwiki queries read 73,000 blocks of 128. With
# 1024 the same batch took 3.5 instead of 4.1 s (the output the same) and the index 389
# instead of 416 MB; reading at a few paragraphs decodes at most one block for each.
BLOCK_LIMIT = 1024


class Codec(wcodec.W3Codec):
    """whoosh3's codec; posting lists shorter than INLINE_LIMIT live in their term's info."""

    def __init__(
        self, blocklimit: int = BLOCK_LIMIT, compression: int = 3, inlinelimit: int = INLINE_LIMIT
    ) -> None:
        super().__init__(blocklimit, compression, inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return _LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

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
