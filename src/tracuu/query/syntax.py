"""The query language: words, "quoted phrases", AND/OR/NOT, -word, field:value, ( ).

Whoosh's parser splits on spaces before analysis, which cuts Vietnamese words in half;
this parser keeps each run of plain words together (``chỉnh đốn Đảng``) so it can be
analysed like the text it should match. It only builds a syntax tree; compile.py turns
the tree into a compiled query.
"""

from __future__ import annotations

import re

import msgspec

from ..errors import QueryError


class QuerySyntaxError(QueryError):
    """The query cannot be parsed; the message says where and why."""


class Words(msgspec.Struct, frozen=True):
    text: str  # a run of plain words: one Vietnamese term or a longer question


class Phrase(msgspec.Struct, frozen=True):
    text: str


class FieldValue(msgspec.Struct, frozen=True):
    name: str
    value: str


class Not(msgspec.Struct, frozen=True):
    child: Node


class And(msgspec.Struct, frozen=True):
    children: tuple[Node, ...]


class Or(msgspec.Struct, frozen=True):
    children: tuple[Node, ...]


Node = Words | Phrase | FieldValue | Not | And | Or

FIELDS = ("file", "title", "date", "from", "to", "year", "format", "number", "issuer", "type")

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<phrase>-?"[^"]*"?)
  | (?P<lpar>-?\()
  | (?P<rpar>\))
  | (?P<field>(?:%s):(?:"[^"]*"?|[^\s()"]+))
  | (?P<word>-?[^\s()"]+)
    """
    % "|".join(FIELDS),
    re.VERBOSE | re.IGNORECASE,
)

_OPERATORS = {"AND", "OR", "NOT"}


class _Tok(msgspec.Struct):
    kind: str  # word, phrase, field, lpar, rpar, op
    value: str
    negated: bool
    at: int


def _lex(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup or "space"
        value = m.group()
        if kind == "space":
            continue
        negated = False
        if kind in ("phrase", "lpar", "word") and value.startswith("-") and len(value) > 1:
            negated, value = True, value[1:]
        if kind == "phrase":
            if len(value) < 2 or not value.endswith('"'):
                raise QuerySyntaxError(f"unclosed quote at character {m.start() + 1}")
            value = value[1:-1]
        if kind == "field":
            name, _, val = value.partition(":")
            if val.startswith('"'):
                if len(val) < 2 or not val.endswith('"'):
                    raise QuerySyntaxError(f"unclosed quote at character {m.start() + 1}")
                val = val[1:-1]
            value = f"{name.lower()}:{val}"
        if kind == "word" and value in _OPERATORS and not negated:
            kind = "op"
        toks.append(_Tok(kind, value, negated, m.start() + 1))
    return toks


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def parse(self) -> Node:
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:
            raise QuerySyntaxError(f"unexpected {tok.value!r} at character {tok.at}")
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while (tok := self.peek()) and tok.kind == "op" and tok.value == "OR":
            self.i += 1
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.unary()]
        while (
            (tok := self.peek())
            and tok.kind != "rpar"
            and not (tok.kind == "op" and tok.value == "OR")
        ):
            if tok.kind == "op" and tok.value == "AND":
                self.i += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        tok = self.peek()
        if tok is None:
            prev = self.toks[self.i - 1] if self.i else None
            where = f" after {prev.value!r}" if prev else ""
            raise QuerySyntaxError(f"query ends too early{where}")
        if tok.kind == "op":
            if tok.value == "NOT":
                self.i += 1
                return Not(self.unary())
            raise QuerySyntaxError(f"{tok.value} at character {tok.at} has nothing before it")
        node = self.atom()
        return Not(node) if tok.negated else node

    def atom(self) -> Node:
        tok = self.peek()
        assert tok is not None
        if tok.kind == "lpar":
            self.i += 1
            node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != "rpar":
                raise QuerySyntaxError(f"unclosed parenthesis at character {tok.at}")
            self.i += 1
            return node
        if tok.kind == "rpar":
            raise QuerySyntaxError(f"unmatched ')' at character {tok.at}")
        self.i += 1
        if tok.kind == "phrase":
            return Phrase(tok.value)
        if tok.kind == "field":
            name, _, value = tok.value.partition(":")
            return FieldValue(name, value)
        # a run of plain, un-negated words is one term: "chỉnh đốn Đảng"
        words = [tok.value]
        if not tok.negated:
            while (nxt := self.peek()) and nxt.kind == "word" and not nxt.negated:
                words.append(nxt.value)
                self.i += 1
        return Words(" ".join(words))


def parse(query: str) -> Node:
    """Parse a query string into a syntax tree; raises QuerySyntaxError."""
    toks = _lex(query)
    if not toks:
        raise QuerySyntaxError("empty query")
    return _Parser(toks).parse()
