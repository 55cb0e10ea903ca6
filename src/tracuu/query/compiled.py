"""A compiled query: which terms to look for in which field, and how to combine them.

Engine-neutral records: the compiler (:mod:`.compile`) builds them from the syntax tree
through the vocabulary, the engine translates them into its own query objects.
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec
from msgspec.structs import replace

ALL, ANY, BEST, MAYBE, NOT = "all", "any", "best", "maybe", "not"  # how children combine
GLOB, PREFIX, RANGE, EQUALS, CONTAINS = "glob", "prefix", "range", "equals", "contains"
IN = "in"  # one of ``values``


class Term(msgspec.Struct, frozen=True):
    field: str
    text: str
    boost: float = 1.0


class Phrase(msgspec.Struct, frozen=True):
    """Terms at consecutive positions of ``field``."""

    field: str
    words: tuple[str, ...]


class Combine(msgspec.Struct, frozen=True):
    """Children combined. ALL: every child matches. ANY: one is enough, scores add up.
    BEST: one is enough, the best score counts (one word, several spellings). MAYBE: the
    first child must match, the others add to its score where they match too. NOT: what
    matches none of the children. ``last_covers``: the last child matches every paragraph
    that any other child matches (a word's folded form, after its spellings)."""

    how: str
    children: tuple[Node, ...]
    boost: float = 1.0
    last_covers: bool = False


class Everything(msgspec.Struct, frozen=True):
    """Every paragraph (what an exclusion or filter alone selects from)."""


class Filter(msgspec.Struct, frozen=True):
    """Paragraphs by the value of a field, never scored: GLOB (fnmatch on the path),
    PREFIX, RANGE (``value`` to ``high``, either open), EQUALS, CONTAINS (substring,
    compared as ``filters.fold_needle`` does) or IN (one of ``values``). Filters on what
    a document says of itself are turned into IN filters on paths before searching."""

    how: str
    field: str
    value: str | None
    high: str | None = None
    values: frozenset[str] = frozenset()


Node = Term | Phrase | Combine | Everything | Filter


def all_of(children: list[Node]) -> Node | None:
    """The node matching all of ``children`` (None for none, the child itself for one)."""
    if not children:
        return None
    return children[0] if len(children) == 1 else Combine(ALL, tuple(children))


def terms(node: Node) -> Iterator[Term]:
    """Every term that can make ``node`` match (not those under an exclusion)."""
    if isinstance(node, Term):
        yield node
    elif isinstance(node, Phrase):
        for word in node.words:
            yield Term(node.field, word)
    elif isinstance(node, Combine) and node.how != NOT:
        for child in node.children:
            yield from terms(child)


def loosened(node: Node) -> Node | None:
    """``node`` with each phrase's words anywhere (all of its terms) instead of side by
    side: it matches wherever ``node`` does, and scores at least as much there (a phrase
    scores the sum of its words, and no score is negative). None when no phrase needs it,
    or when one is excluded (loosened, it would exclude more)."""
    if isinstance(node, Phrase):
        return Combine(ALL, tuple(Term(node.field, w) for w in node.words))
    if not isinstance(node, Combine):
        return None
    if node.how == NOT:
        return None
    children = [loosened(x) for x in node.children]
    if all(x is None for x in children):
        return None
    if any(x is None and _has_phrase(y) for x, y in zip(children, node.children, strict=True)):
        return None  # (a phrase that cannot be loosened, under an exclusion)
    kept = tuple(x if x is not None else y for x, y in zip(children, node.children, strict=True))
    return replace(node, children=kept)


def _has_phrase(node: Node) -> bool:
    if isinstance(node, Phrase):
        return True
    return isinstance(node, Combine) and any(_has_phrase(x) for x in node.children)
