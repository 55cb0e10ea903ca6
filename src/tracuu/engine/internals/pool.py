"""whoosh3's posting pool, sorted by field, then term, and filled a field at a time.

A writer keeps every posting it is given (field, term bytes, docnum, weight, value) in a
pool, and sorts the pool when it writes the segment (or when the pool spills a run to
disk). Whoosh sorts the tuples whole: 17 % of a build's time. The pool takes postings
document by document (docnums never go down) and a document gives a term once in a field,
so each term's postings are already in docnum order: sorting each field's postings by
term alone, keeping that order (a stable sort), gives the same list, about three times as
fast (10 MB of viwiki: two pools of 2.5 M postings, 8 s each -> 2.5 s).

Whoosh's writer also calls the pool once for each posting of a document, which checks
and sizes it; :func:`add_document` adds a field's postings at once (0.6 MB of viwiki
built: 4 % fewer instructions).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from ..gate import writing

_TERM = itemgetter(1)


def sort_postings(items: list[tuple[Any, ...]]) -> None:
    """Sort a pool's ``items``, added document by document, in place: the same order as
    ``items.sort()``."""
    by_field: dict[str, list[tuple[Any, ...]]] = {}
    for item in items:
        field = by_field.get(item[0])
        if field is None:
            field = by_field[item[0]] = []
        field.append(item)
    items.clear()
    for name in sorted(by_field):
        field = by_field.pop(name)
        field.sort(key=_TERM)
        items += field


class SortedPool(writing.PostingPool):
    """whoosh.writing.PostingPool, its postings sorted by :func:`sort_postings`."""

    current: list[tuple[Any, ...]]
    runs: list[str]
    currentsize: int

    def save(self) -> None:
        if self.current:
            sort_postings(self.current)
            path, f = self._new_run()
            self._write_run(f, self.current)
            self._add_run(path)
            self.current = []
        self.currentsize = 0

    def items(self, maxfiles: int = 128):
        if not self.runs:  # all of them here: no run to merge
            sort_postings(self.current)
            return self.current
        return super().items(maxfiles)  # (saves what is here as one more run first)


def sort_faster(writer: Any) -> bool:
    """Have a new whoosh SegmentWriter's pool sort with :func:`sort_postings` (False, and
    Whoosh's own sort, where the writer is not as this module knows it)."""
    pool: Any = getattr(writer, "pool", None)
    if type(pool) is not writing.PostingPool or pool.current or pool.runs:
        return False
    pool.__class__ = SortedPool
    return True


def adder(writer: Any) -> Callable[[dict[str, Any]], None]:
    """What adds a document (its fields) to a new whoosh SegmentWriter: :func:`add_document`
    where the writer and its schema are as that knows them (no field with separate
    spellings or term vectors: it leaves them out), else the writer's own."""
    known = type(writer) is writing.SegmentWriter and type(writer.pool) in (
        writing.PostingPool,
        SortedPool,
    )
    if known and not any(f.separate_spelling() or f.vector for _, f in writer.schema.items()):
        return functools.partial(add_document, writer)
    return lambda fields: writer.add_document(**fields)


def add_document(writer: Any, fields: dict[str, Any]) -> None:
    """whoosh.writing.SegmentWriter.add_document(**fields) for documents without boosts
    or ``_stored_`` values, to a writer :func:`adder` accepts: each field's
    postings go into the pool at once, their size counted once (Whoosh calls the pool
    for each posting: a tenth of a build). The pool holds the same postings, and spills
    a run where whoosh would, give or take the document."""
    if any(name.startswith("_") for name in fields):  # (a boost, a stored value)
        writer.add_document(**fields)
        return
    writer._check_state()
    schema, pdw, pool, docnum = writer.schema, writer.perdocwriter, writer.pool, writer.docnum
    names = sorted(fields)
    writer._check_fields(schema, names)
    pdw.start_doc(docnum)
    size = 0
    try:
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                items = list(field.index(value))  # (term, frequency, weight, value)
                postings = [(name, t, docnum, float(w), v) for t, _, w, v in items]
                if field.scorable:
                    length = sum(f for _, f, _, _ in items)
                pool.current += postings
                pool.fieldnames.add(name)
                # (whoosh's estimate of what each posting takes, with its value None)
                size += (150 + len(name)) * len(postings)
                size += sum(2 * len(p[1]) + len(p[4] or b"") for p in postings)
            pdw.add_field(name, field, value if field.stored else None, length)
            if field.column_type:
                pdw.add_column_value(name, field.column_type, field.to_column_value(value))
    except ValueError:
        pdw.cancel_doc()
        raise
    pool.currentsize += size
    if pool.currentsize > pool.limit:
        pool.save()
    pdw.finish_doc()
    writer._added = True
    writer.docnum += 1
