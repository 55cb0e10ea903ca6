"""A faster ``skip_to`` for Whoosh's posting lists (same behaviour, bisect in the block).

Whoosh 2.7's leaf matcher moves to a target document one posting at a time inside a
block. Intersecting a rare list with a common one ("tranh_việt" with "việt") calls it
for every candidate, so the linear walk dominated query time on large archives. The
block's ids are sorted, so a binary search lands on the same posting.
"""

from __future__ import annotations

from bisect import bisect_left

from whoosh.codec import whoosh3
from whoosh.matching import ReadTooFar

_original_skip_to = whoosh3.W3LeafMatcher.skip_to


def _skip_to(self, targetid):
    if not self.is_active():
        raise ReadTooFar
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


def install() -> None:
    whoosh3.W3LeafMatcher.skip_to = _skip_to


def uninstall() -> None:
    whoosh3.W3LeafMatcher.skip_to = _original_skip_to
