"""A segment's term dictionary as a sorted table: the terms in order with their infos,
where each begins, and a hash of entry numbers.

whoosh3 writes its term dictionary as an ordered hash file: besides each term and its
info, 8 bytes of lengths, a 4-byte index entry and two 12-byte hash slots (hash and
position), 36 bytes per term. Most terms of an archive are pairs met once or twice, whose
info (postings inlined) is shorter than that: the hash was a third of an index. Here the
lengths are varints, the index 4 bytes per term (8 past 4 GB), and the hash two 4-byte
slots per term holding entry numbers (a probe compares the key itself): 14 bytes per
term instead of 36. Nearest keys are found by bisecting the index. The reader answers
what whoosh3's terms reader and field cursor ask of an OrderedHashReader, with the same
positions (byte offsets of the entries, each entry followed by the next).

File: MAGIC, the entries (varint key length, varint value length, key, value), the index
(little-endian uint32 or uint64 offsets), the hash (little-endian uint32 slots: 0 empty,
else the entry number + 1, at crc32(key) % slots and on), the extras (a pickle), and a
trailer: index offset, entry count, hash offset, slot count, extras offset (uint64 each),
the index's item size (a byte), MAGIC.
"""

from __future__ import annotations

import bisect
import pickle
import struct
import sys
from array import array
from collections.abc import Iterator
from zlib import crc32

MAGIC = b"TRT1"
SAMPLE = 32  # every SAMPLE-th key is kept in memory for nearest-key searches
_TRAILER = struct.Struct("<QQQQQB4s")
_SLOT = struct.Struct("<I")
_FLUSH_AT = 1 << 20  # bytes of entries gathered before they are written


def varint(n: int, out: bytearray) -> None:
    """Append ``n`` to ``out`` as a varint (7 bits a byte, low bits first)."""
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)


class TableWriter:
    """Writes (key, value) pairs given in increasing key order."""

    def __init__(self, dbfile) -> None:
        self.dbfile = dbfile
        self.extras: dict = {}
        self._starts = array("Q")
        self._hashes = array("I")
        self._last = b""
        self._pending = bytearray()  # entries not yet written (written in chunks)
        dbfile.write(MAGIC)
        self._pos = len(MAGIC)

    def add(self, key: bytes, value: bytes) -> None:
        if key <= self._last and self._starts:
            raise ValueError(f"keys must increase: {self._last!r}..{key!r}")
        self._last = key
        self._starts.append(self._pos)
        self._hashes.append(crc32(key))
        entry = self._pending
        size = len(entry)
        varint(len(key), entry)
        varint(len(value), entry)
        entry += key
        entry += value
        self._pos += len(entry) - size
        if len(entry) >= _FLUSH_AT:
            self._flush()

    def _flush(self) -> None:
        self.dbfile.write(bytes(self._pending))
        self._pending.clear()

    def close(self) -> int:
        self._flush()
        dbfile, starts = self.dbfile, self._starts
        wide = bool(starts) and starts[-1] >= 1 << 32
        index = starts if wide else array("I", starts)
        nslots = max(1, 2 * len(starts))
        slots = array("I", bytes(4 * nslots))
        for number, h in enumerate(self._hashes, start=1):
            at = h % nslots
            while slots[at]:
                at = at + 1 if at + 1 < nslots else 0
            slots[at] = number
        if sys.byteorder == "big":
            index.byteswap()  # little-endian on disk
            slots.byteswap()
        index_at = self._pos
        hash_at = index_at + len(index) * index.itemsize
        extras_at = hash_at + 4 * nslots
        dbfile.write(index.tobytes())
        dbfile.write(slots.tobytes())
        dbfile.write(pickle.dumps(self.extras, 2))
        trailer = (index_at, len(starts), hash_at, nslots, extras_at, index.itemsize, MAGIC)
        dbfile.write(_TRAILER.pack(*trailer))
        end = dbfile.tell()
        dbfile.close()
        return end


class TableReader:
    """Reads a TableWriter's file: lookups, ordered iteration, nearest keys."""

    def __init__(self, dbfile, length: int) -> None:
        self.dbfile = dbfile
        buf = getattr(dbfile, "_buf", None)  # a compound segment's mmap: read in place
        self._buf = buf if buf is not None else dbfile.get(0, length)
        index_at, count, hash_at, nslots, extras_at, size, magic = _TRAILER.unpack_from(
            self._buf, length - _TRAILER.size
        )
        self._hash_at, self._nslots = hash_at, nslots
        if magic != MAGIC or bytes(self._buf[: len(MAGIC)]) != MAGIC:
            raise ValueError("not a tracuu term table")
        self.extras = pickle.loads(self._buf[extras_at : length - _TRAILER.size])
        self._index = struct.Struct("<I" if size == 4 else "<Q")
        self._index_at, self._count = index_at, count
        self.startofdata, self.endofdata = len(MAGIC), index_at
        self.is_closed = False
        self._sample: list[bytes] | None = None  # every SAMPLE-th key, once looked for

    def close(self) -> None:
        self._buf = b""
        self.dbfile.close()
        self.is_closed = True

    # ---- entries by position

    def _start(self, i: int) -> int:
        return self._index.unpack_from(self._buf, self._index_at + i * self._index.size)[0]

    def _ranges(self, pos: int) -> tuple[int, int, int, int]:
        """(key position, key length, value position, value length) of the entry at pos."""
        buf = self._buf
        keylen, pos = read_varint(buf, pos)
        vallen, pos = read_varint(buf, pos)
        return pos, keylen, pos + keylen, vallen

    def key_at(self, pos: int) -> bytes:
        keypos, keylen, _, _ = self._ranges(pos)
        return bytes(self._buf[keypos : keypos + keylen])

    def key_and_range_at(self, pos: int) -> tuple[bytes, int, int] | None:
        if pos >= self.endofdata:
            return None
        keypos, keylen, datapos, datalen = self._ranges(pos)
        return bytes(self._buf[keypos:datapos]), datapos, datalen

    def closest_key_pos(self, key: bytes) -> int | None:
        """Where the first key >= ``key`` begins; None past the last.

        "Did you mean" walks a lexicon with an automaton that asks this thousands of times:
        the search starts in a sample of every ``SAMPLE``-th key, read once into a list
        (bisected in C), and ends among the few keys between two of them."""
        if self._sample is None:
            self._sample = [self.key_at(self._start(i)) for i in range(0, self._count, SAMPLE)]
        block = bisect.bisect_left(self._sample, key)
        if block < len(self._sample) and self._sample[block] == key:
            return self._start(block * SAMPLE)
        lo, hi = max(0, (block - 1) * SAMPLE), min(self._count, block * SAMPLE)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.key_at(self._start(mid)) < key:
                lo = mid + 1
            else:
                hi = mid
        return None if lo == self._count else self._start(lo)

    def range_for_key(self, key: bytes) -> tuple[int, int]:
        found = self.find(key)
        if found is None:
            raise KeyError(key)
        return found

    def find(self, key: bytes) -> tuple[int, int] | None:
        """(value position, value length) of ``key``; None if the table has no such key."""
        buf, nslots, hash_at = self._buf, self._nslots, self._hash_at
        at = crc32(key) % nslots
        while True:
            number = _SLOT.unpack_from(buf, hash_at + 4 * at)[0]
            if not number:
                return None
            keypos, keylen, datapos, datalen = self._ranges(self._start(number - 1))
            if keylen == len(key) and buf[keypos:datapos] == key:
                return datapos, datalen
            at = at + 1 if at + 1 < nslots else 0

    # ---- the mapping whoosh3 uses

    def __getitem__(self, key: bytes) -> bytes:
        datapos, datalen = self.range_for_key(key)
        return bytes(self._buf[datapos : datapos + datalen])

    def get(self, key: bytes, default=None):
        found = self.find(key)
        if found is None:
            return default
        return bytes(self._buf[found[0] : found[0] + found[1]])

    def __contains__(self, key: bytes) -> bool:
        try:
            self.range_for_key(key)
        except KeyError:
            return False
        return True

    def _items_at(self, pos: int | None) -> Iterator[tuple[bytes, bytes]]:
        if pos is None:
            return
        buf, end = self._buf, self.endofdata
        while pos < end:
            keylen, vallen = buf[pos], buf[pos + 1]
            if keylen < 0x80 and vallen < 0x80:  # (most entries: both lengths one byte)
                keypos = pos + 2
            else:
                keypos, keylen, _, vallen = self._ranges(pos)
            datapos = keypos + keylen
            pos = datapos + vallen
            yield bytes(buf[keypos:datapos]), bytes(buf[datapos:pos])

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        return self._items_at(self.startofdata)

    def keys(self) -> Iterator[bytes]:
        return (k for k, _ in self.items())

    def __iter__(self) -> Iterator[bytes]:
        return self.keys()

    def items_from(self, key: bytes) -> Iterator[tuple[bytes, bytes]]:
        return self._items_at(self.closest_key_pos(key))

    def keys_from(self, key: bytes) -> Iterator[bytes]:
        return (k for k, _ in self.items_from(key))


def read_varint(buf, i: int) -> tuple[int, int]:
    """The varint at ``buf[i]`` and where the next thing begins."""
    byte = buf[i]
    if byte < 0x80:
        return byte, i + 1
    n, shift = byte & 0x7F, 7
    while True:
        i += 1
        byte = buf[i]
        n |= (byte & 0x7F) << shift
        if byte < 0x80:
            return n, i + 1
        shift += 7
