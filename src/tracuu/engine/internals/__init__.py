"""Every use of Whoosh internals, in one place; tests compare each with Whoosh's own.

In ``matching``:

* ``Glob``: fnmatch over a field's lexicon (overrides ``Wildcard._btexts``);
* a binary-search ``skip_to`` for the posting lists of the whoosh3 codec;
* ``wide_or``: an Or of many clauses that adds scores up in arrays (``top_collector``);
* ``BestOf``: Whoosh's DisjunctionMax with its matcher's scoring mended;
* ``Maybe``: Whoosh's AndMaybe with its matcher's skip_to mended;
* ``Driven``: an And matched by cheaper queries, scored by its own children;
* ``length_lookup``: the field lengths BM25 asks for, from one array per segment.

In ``postings``: a segment's posting lists, field lengths and BM25 parameters as numpy
arrays (for ``engine.vector``), and many terms' frequencies read at once (for hints).

In ``codec``:

* ``Codec``: whoosh3's codec, with short posting lists kept compactly in their term info,
  posting blocks whose ids and weights numpy reads apart from their positions, the term
  dictionary as a sorted table (``table``), and a segment's field lengths read from one
  list while it is written.

In ``keys``: a segment's path and number columns (whoosh3's ``VarBytesColumn`` and
``NumericColumn``) read raw, so that hundreds of paragraphs' keys cost a few slices.

In ``pool``: a writer's posting pool sorted by field, then term (whoosh.writing's
PostingPool sorts whole tuples), where a build spends a sixth of its time.

In ``segments`` and ``merge``: one-segment indexes written apart (a full build's shards)
merged into one segment, in order, by copying their bytes (whoosh3's per-document writer
and column layouts, its term info and posting block headers); where they cannot be, their
segments joined into one index as they are.

Indexes name ``tracuu.engine.internals.Codec`` in their segments: keep it importable here.
"""

from .codec import INLINE_LIMIT, Codec, TermInfo
from .matching import (
    WIDE_OR,
    BestOf,
    Driven,
    Glob,
    Maybe,
    install_speedups,
    length_lookup,
    top_collector,
    uninstall_speedups,
    wide_or,
)

__all__ = [
    "INLINE_LIMIT",
    "WIDE_OR",
    "BestOf",
    "Codec",
    "Driven",
    "Glob",
    "Maybe",
    "TermInfo",
    "install_speedups",
    "length_lookup",
    "top_collector",
    "uninstall_speedups",
    "wide_or",
]
