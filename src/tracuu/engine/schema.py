"""What a paragraph is in Whoosh: the schema, and its postings prepared from the vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..analysis import FORMAT as FORMAT_FIELD
from ..analysis import NUMBER, PATH, TEXT_FIELDS, VOCABULARY
from ..models import Metadata, Paragraph
from .gate import fields, formats

TRANSIENT_FILES = frozenset({"MAIN_WRITELOCK"})  # Whoosh's lock file: not index content

# stored per paragraph besides its metadata (``text`` is what snippets are cut from)
STORED = ("start", "end", "text", "page")


@dataclass(frozen=True)
class Prepared:
    """A paragraph's postings for one text field, computed where the text was analysed."""

    items: tuple[tuple[bytes, int, float, bytes], ...]  # (term, freq, weight, positions)


class _AnalyzedText(fields.TEXT):
    """A text field whose postings come prepared from the vocabulary (see :func:`prepare`),
    often from a worker process; Whoosh's own analyzer is never used."""

    def index(self, value: Any, **kwargs: Any):  # type: ignore[override]
        if not isinstance(value, Prepared):
            raise TypeError("text fields take engine.prepare() output, not raw text")
        return iter(value.items)


def make_schema() -> fields.Schema:
    spec: dict[str, Any] = {
        PATH: fields.ID(stored=True),
        NUMBER: fields.NUMERIC(stored=True, numtype=int),
        FORMAT_FIELD: fields.ID(stored=True),
        **{name: fields.STORED for name in STORED},
        **{name: fields.STORED for name in Metadata.names()},
        "date": fields.ID(stored=True),  # ISO dates: prefix and range filters
    }
    for name in TEXT_FIELDS:
        spec[name] = _AnalyzedText(phrase=True)
    return fields.Schema(**spec)


SCHEMA = make_schema()


def prepare(text: str) -> dict[str, Prepared]:
    """The postings of one paragraph in every text field (runs in worker processes)."""
    out = {}
    for name in TEXT_FIELDS:
        fmt = SCHEMA[name].format
        assert isinstance(fmt, formats.Positions)  # phrase=True fields keep positions
        encode = fmt.encode
        poses: dict[str, list[int]] = {}
        for tok in VOCABULARY.tokens(text, name):
            poses.setdefault(tok.text, []).append(tok.pos)
        out[name] = Prepared(
            tuple((t.encode("utf-8"), len(p), float(len(p)), encode(p)) for t, p in poses.items())
        )
    return out


def paragraph_fields(
    p: Paragraph, fmt: str, meta: Metadata, prepared: dict[str, Prepared] | None = None
) -> dict[str, Any]:
    """The Whoosh document of one paragraph."""
    stored = {k: v for k, v in meta.as_dict().items() if v is not None}
    return {
        PATH: p.path,
        NUMBER: p.number,
        FORMAT_FIELD: fmt,
        "start": p.start,
        "end": p.end,
        "text": p.text,
        **({"page": p.page} if p.page is not None else {}),
        **stored,
        **(prepared or prepare(p.text)),
    }
