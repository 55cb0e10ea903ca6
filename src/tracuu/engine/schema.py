"""What a paragraph is in Whoosh: the schema, and its postings prepared from the vocabulary."""

from __future__ import annotations

from typing import Any

import msgspec

from ..analysis import NUMBER, PATH, POSITIONAL, TEXT_FIELDS, VOCABULARY
from ..models import Paragraph
from .gate import columns, fields, formats

TRANSIENT_FILES = frozenset({"MAIN_WRITELOCK"})  # Whoosh's lock file: not index content

# stored per paragraph (``text`` is what snippets are cut from); its path and number are
# columns, read without unpickling the rest (ranking reads them for hundreds of paragraphs)
STORED = ("start", "end", "text", "page")


class Prepared(msgspec.Struct, frozen=True):
    """A paragraph's postings for one text field, computed where the text was analysed."""

    items: tuple[tuple[bytes, int, float, bytes], ...]  # (term, freq, weight, positions)


class _AnalyzedText(fields.TEXT):
    """A text field whose postings come prepared from the vocabulary (see :func:`prepare`),
    often from a worker process; Whoosh's own analyzer is never used. Without positions,
    a posting is a weight (the term's frequency) and nothing else: Existence stores no
    value bytes, and scoring reads the weight."""

    def __init__(self, phrase: bool) -> None:
        super().__init__(phrase=phrase)
        if not phrase:
            self.format = formats.Existence()

    def index(self, value: Any, **kwargs: Any):  # type: ignore[override]
        if not isinstance(value, Prepared):
            raise TypeError("text fields take engine.prepare() output, not raw text")
        return iter(value.items)


def make_schema() -> fields.Schema:
    """A paragraph: where it is, its text to cut snippets from, and its terms. What its
    document says of itself (format, title, date ...) is kept once, in the manifest."""
    path = fields.ID()
    path.set_sortable(columns.VarBytesColumn())
    spec: dict[str, Any] = {
        PATH: path,
        NUMBER: fields.COLUMN(columns.NumericColumn("I")),
        **{name: fields.STORED for name in STORED},
    }
    for name in TEXT_FIELDS:
        spec[name] = _AnalyzedText(phrase=name in POSITIONAL)
    return fields.Schema(**spec)


SCHEMA = make_schema()


def prepare(text: str, words: bool = True) -> dict[str, Prepared]:
    """The postings of one paragraph in every text field (runs in worker processes);
    ``words``: with the longer words underthesea segments."""
    out = {}
    for name, terms in VOCABULARY.index_terms(text, words).items():
        fmt = SCHEMA[name].format
        if isinstance(fmt, formats.Positions):
            items = tuple(
                (t.encode("utf-8"), len(p), float(len(p)), _one_position(p[0], fmt))
                if len(p) == 1
                else (t.encode("utf-8"), len(p), float(len(p)), fmt.encode(p))
                for t, p in terms.items()
            )
        else:  # the weight alone
            items = tuple((t.encode("utf-8"), len(p), float(len(p)), b"") for t, p in terms.items())
        out[name] = Prepared(items)
    return out


_ONE_POSITION: dict[int, bytes] = {}  # most terms stand once in a paragraph


def _one_position(position: int, fmt: Any) -> bytes:
    """``fmt.encode([position])``, kept: Whoosh pickles the list."""
    found = _ONE_POSITION.get(position)
    if found is None:
        found = fmt.encode([position])
        if position < 1 << 16:
            _ONE_POSITION[position] = found
    return found


def paragraph_fields(
    p: Paragraph, prepared: dict[str, Prepared] | None = None, words: bool = True
) -> dict[str, Any]:
    """The Whoosh document of one paragraph."""
    return {
        PATH: p.path,
        NUMBER: p.number,
        "start": p.start,
        "end": p.end,
        "text": p.text,
        **({"page": p.page} if p.page is not None else {}),
        **(prepared or prepare(p.text, words)),
    }
