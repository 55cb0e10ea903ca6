"""Compiled query nodes -> Whoosh query objects."""

from __future__ import annotations

from ..query import compiled as c
from .gate import wq
from .internals import BestOf, Driven, Glob, Maybe, wide_or

_COMBINE = {c.ALL: wq.And, c.ANY: wide_or, c.BEST: BestOf}


def to_whoosh(node: c.Node) -> wq.Query:
    """The Whoosh query of a compiled query node."""
    if isinstance(node, c.Term):
        return wq.Term(node.field, node.text, boost=node.boost)
    if isinstance(node, c.Phrase):
        return wq.Phrase(node.field, list(node.words))
    if isinstance(node, c.Combine):
        children = [to_whoosh(x) for x in node.children]
        if node.how == c.MAYBE:
            return Maybe(children[0], wq.Or(children[1:]))
        if node.how == c.NOT:
            return wq.Not(children[0] if len(children) == 1 else wq.Or(children))
        covers = [_cover(x) for x in node.children]
        if node.how == c.ALL and any(covers):
            drivers = [to_whoosh(x) if x else q for x, q in zip(covers, children)]
            return Driven(children, boost=node.boost, drivers=drivers)
        return _COMBINE[node.how](children, boost=node.boost)
    if isinstance(node, c.Everything):
        return wq.Every()
    return wq.ConstantScoreQuery(_filter_query(node), 0.0)  # filters select, never score


def _cover(node: c.Node) -> c.Node | None:
    """The child of a BEST that matches wherever the others do, if it has one."""
    if isinstance(node, c.Combine) and node.how == c.BEST and node.last_covers:
        return node.children[-1]
    return None


def _filter_query(f: c.Filter) -> wq.Query:
    if f.how == c.GLOB:
        return Glob(f.field, f.value or "*")
    if f.how == c.PREFIX:
        return wq.Prefix(f.field, f.value or "")
    if f.how == c.RANGE:
        return wq.TermRange(f.field, f.value, f.high)
    if f.how == c.EQUALS:
        return wq.Term(f.field, f.value or "")
    if f.how == c.IN:
        terms = [wq.Term(f.field, v) for v in sorted(f.values)]
        return wide_or(terms) if terms else wq.NullQuery
    raise ValueError(f"a filter to resolve into paths first: {f!r}")
