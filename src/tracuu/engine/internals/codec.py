"""whoosh3's codec with short posting lists kept compactly in their term's info, and
a segment's field lengths read from one list while it is written (see the package)."""

from __future__ import annotations

import struct

from ..gate import wcodec
from .table import TableReader, TableWriter

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


class _TermsReader(wcodec.W3TermsReader):
    def __init__(self, codec, dbfile, length, postfile) -> None:  # whoosh3's, sorted table
        self._codec, self._dbfile, self._postfile = codec, dbfile, postfile
        self._tindex = TableReader(dbfile, length)
        self._fieldmap = self._tindex.extras["fieldmap"]
        self._fieldunmap = [None] * len(self._fieldmap)
        for fieldname, num in self._fieldmap.items():
            self._fieldunmap[num] = fieldname

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
