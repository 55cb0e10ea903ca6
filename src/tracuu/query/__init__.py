"""Queries: parse the user's syntax, compile it through the vocabulary, filters.

The parser keeps each run of plain words together (``chỉnh đốn Đảng``) so it can be
analysed like the text it should match; the compiler turns the tree into an
engine-neutral compiled query.
"""

from .compile import MODES, CompiledQuery, compile_query
from .syntax import FIELDS, And, FieldValue, Node, Not, Or, Phrase, QuerySyntaxError, Words, parse

__all__ = [
    "FIELDS",
    "MODES",
    "And",
    "CompiledQuery",
    "FieldValue",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "QuerySyntaxError",
    "Words",
    "compile_query",
    "parse",
]
