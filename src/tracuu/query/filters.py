"""Filters (``file:``, ``date:``, ``from:``, ``to:``, ``format:``, ``number:`` ...).

``file:`` filters paragraphs by their path; the others filter documents by what they say
of themselves (their format and header), which the index keeps once per document: they
become the set of paths whose documents pass (:func:`resolve`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from msgspec.structs import replace

from .. import analysis
from .. import text as vtext
from ..errors import QueryError
from . import compiled as c

# filter name -> the metadata field it searches by substring
_CONTAINS = {"number": "doc_number", "issuer": "issuer", "title": "title", "type": "doc_type"}


def filter_node(name: str, value: str) -> c.Node:
    """The compiled filter for ``name:value``; raises QueryError for a bad one."""
    value = value.strip()
    if not value:
        raise QueryError(f"{name}: needs a value")
    if name == "file":
        pattern = unicodedata.normalize("NFC", value)
        if not any(ch in pattern for ch in "*?["):
            pattern = f"*{pattern}*"
        return c.Filter(c.GLOB, analysis.PATH, pattern)
    if name in ("date", "from", "to"):
        iso = iso_prefix(value)
        if name == "date":
            return c.Filter(c.PREFIX, "date", iso)
        if name == "from":
            return c.Filter(c.RANGE, "date", iso, None)
        return c.Filter(c.RANGE, "date", None, iso + "\uffff")
    if name == "year":
        m = re.fullmatch(r"(\d{4})\s*(?:-|–|\.\.|to)\s*(\d{4})|(\d{4})", value)
        if not m:
            raise QueryError(f"not a year or a range of years: {value!r} (use 2000 or 1999-2001)")
        low, high = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(3))
        return c.Filter(c.RANGE, "date", low, high + "\uffff")
    if name == "format":
        return c.Filter(c.EQUALS, analysis.FORMAT, value.lower().lstrip("."))
    if name in _CONTAINS:
        return c.Filter(c.CONTAINS, _CONTAINS[name], fold_needle(value))
    raise QueryError(f"unknown filter {name}:")


def fold_needle(value: str) -> str:
    """How metadata values are compared: normalized, lower case, without diacritics."""
    return vtext.fold_diacritics(vtext.term_form(value))


def iso_prefix(value: str) -> str:
    """``2000``, ``2000-03``, ``2000-03-01``, ``03/2000`` or ``1/3/2000`` -> ISO prefix."""
    v = value.strip()
    if re.fullmatch(r"\d{4}(-\d{1,2}(-\d{1,2})?)?", v):
        parts = v.split("-")
        return "-".join([parts[0]] + [f"{int(p):02d}" for p in parts[1:]])
    m = re.fullmatch(r"(?:(\d{1,2})[/.])?(\d{1,2})[/.](\d{4})", v)
    if m:
        day, month, year = m.groups()
        iso = f"{year}-{int(month):02d}"
        return f"{iso}-{int(day):02d}" if day else iso
    raise QueryError(f"not a date: {value!r} (use 2000, 2000-03, 2000-03-01 or 01/03/2000)")


def resolve(node: c.Node, documents: Mapping[str, Mapping[str, str | None]]) -> c.Node:
    """``node`` with each filter on a document field turned into the paths that pass.

    ``documents`` maps each path to its document's fields (``format``, ``date`` ...).
    """
    if isinstance(node, c.Filter) and node.field != analysis.PATH:
        paths = frozenset(p for p, fields in documents.items() if keeps(node, fields))
        return c.Filter(c.IN, analysis.PATH, None, values=paths)
    if isinstance(node, c.Combine):
        return replace(node, children=tuple(resolve(x, documents) for x in node.children))
    return node


def has_document_filter(node: c.Node) -> bool:
    """Does ``node`` hold a filter that :func:`resolve` turns into paths?"""
    if isinstance(node, c.Filter):
        return node.field != analysis.PATH
    if isinstance(node, c.Combine):
        return any(has_document_filter(x) for x in node.children)
    return False


def keeps(f: c.Filter, fields: Mapping[str, str | None]) -> bool:
    """Does a document with these fields pass the filter?"""
    value = fields.get(f.field) or ""
    if f.how == c.PREFIX:
        return bool(value) and value.startswith(f.value or "")
    if f.how == c.RANGE:
        low, high = f.value, f.high
        return bool(value) and (low is None or value >= low) and (high is None or value <= high)
    if f.how == c.EQUALS:
        return value == f.value
    if f.how == c.CONTAINS:
        return bool(value) and (f.value or "") in fold_needle(value)
    raise ValueError(f"not a document filter: {f!r}")
