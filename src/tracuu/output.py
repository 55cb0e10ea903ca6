"""Batch input and every output record: the JSON schema, JSON lines, TSV/CSV and TREC.

Shared by the CLI and the Python API, so a script gets exactly the records the command
line prints. Writers are tested on hand-built results, without an index.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterable
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

import msgspec
import orjson

from .errors import InputError
from .models import DocumentHit, Hit, Results

if TYPE_CHECKING:
    from .api import TopicResult

FORMATS = ("jsonl", "tsv", "csv", "trec")
TABLE_COLUMNS = ("id", "rank", "score", "file", "paragraph", "date", "title", "snippet")
HitRecord = Callable[[Hit], dict[str, Any]]


# ---- batch input ------------------------------------------------------------------


class Topic(msgspec.Struct, frozen=True):
    """One query line of a batch file."""

    line: int
    id: str
    query: str | None
    problem: str | None = None  # why the line cannot run


def decode_input(data: bytes, what: str = "batch file") -> str:
    """Text of an input file: UTF-8 (BOM or not) or UTF-16 with a BOM; else InputError."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16"
    elif data.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    else:
        codec = "utf-8"
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{what} is not {codec.upper()} text (line {line})", hint="save it as UTF-8"
        ) from None


def read_topics(text: str) -> list[Topic]:
    """The query lines of a batch file: ``query`` or ``id<TAB>query``; blanks, # skipped."""
    out = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if "\t" in line:
            qid, _, q = line.partition("\t")
            qid, q = qid.strip(), q.strip()
            if not qid or not q:
                out.append(Topic(n, qid or str(n), None, "expected 'id<TAB>query'"))
                continue
        else:
            qid, q = str(n), line.strip()
        out.append(Topic(n, qid, q))
    return out


# ---- records ----------------------------------------------------------------------


def to_json(record: Any) -> str:
    """A record as one line of JSON, UTF-8 text (no ``\\u`` escapes), compact.

    orjson writes a batch's records in a quarter of the time the standard library
    takes (its text runs to 30 kB a query). A record with a string it refuses (a lone
    surrogate: a file name that was not UTF-8) is written by the standard library."""
    try:
        return orjson.dumps(record).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def hit_record(hit: Hit) -> dict[str, Any]:
    """A hit in the documented JSON schema (README, "JSON output")."""
    snip = hit.snippet
    return {
        "rank": hit.rank,
        "score": round(hit.score, 6),
        "file": hit.path,
        "paragraph": hit.number,
        "page": hit.page,
        "start": hit.start,
        "end": hit.end,
        **hit.metadata.as_dict(),
        "format": hit.format,
        "text": hit.text,
        "highlights": [list(s) for s in hit.highlights],
        "snippet": {
            "text": snip.text,
            "spans": [list(s) for s in snip.spans],
            "offset": snip.offset,
            "truncated_start": snip.truncated_start,
            "truncated_end": snip.truncated_end,
        },
    }


def document_record(doc: DocumentHit, record: HitRecord = hit_record) -> dict[str, Any]:
    """A ranked document with its best paragraphs (``--by-document``)."""
    return {
        "rank": doc.rank,
        "score": round(doc.score, 6),
        "file": doc.path,
        **doc.metadata.as_dict(),
        "format": doc.format,
        "paragraphs": [record(h) for h in doc.hits],
    }


def _once() -> HitRecord:
    """hit_record, made once per hit: ranked by document, a search's hits are its
    documents' best paragraphs, and a record has each twice (the same dict, written
    twice)."""
    made: dict[int, tuple[Hit, dict[str, Any]]] = {}  # (the hit kept: its id stays its own)

    def record(hit: Hit) -> dict[str, Any]:
        found = made.get(id(hit))
        if found is None:
            found = made[id(hit)] = (hit, hit_record(hit))
        return found[1]

    return record


def results_record(results: Results) -> dict[str, Any]:
    """The documented JSON form of a search (see README, "JSON output")."""
    record = {
        "query": results.query,
        "mode": results.mode,
        "total": results.total,
        "restorations": [
            {"typed": r.typed, "forms": [{"form": f, "count": n} for f, n in r.forms]}
            for r in results.restorations
        ],
        "suggestion": results.suggestion,
        "widened": results.widened,
    }
    once = _once()
    record["hits"] = [once(h) for h in results.hits]
    if results.documents is not None:
        record["documents"] = [document_record(d, once) for d in results.documents]
    return record


def topic_record(result: TopicResult) -> dict[str, Any]:
    """One batch topic as a JSON line: its hits, or the error."""
    t = result.topic
    if result.results is None:
        return {"id": t.id, "line": t.line, "query": t.query, "error": result.error}
    r = result.results
    record: dict[str, Any] = {"id": t.id, "line": t.line, "query": t.query, "total": r.total}
    record["widened"] = r.widened
    once = _once()
    record["hits"] = [once(h) for h in r.hits]
    if r.documents is not None:
        record["documents"] = [document_record(d, once) for d in r.documents]
    return record


def trec_docid(hit: Hit) -> str:
    """``file#paragraph`` with white space escaped, as TREC run files split on it."""
    return quote(f"{hit.path}#{hit.number}", safe="/#:()',-._~")


def _flat(text: str | None) -> str:
    return " ".join((text or "").split())  # one line per field


def table_row(qid: str, hit: Hit, score: float) -> list[str]:
    return [
        qid,
        str(hit.rank),
        f"{score:.4f}",
        hit.path,
        str(hit.number),
        hit.date or "",
        _flat(hit.title),
        _flat(hit.snippet.text),
    ]


# ---- writers ----------------------------------------------------------------------


class BatchFormat:
    """Batch results as text in one format: a header (tsv, csv), then each topic's lines.
    A plain value, so that batch workers can render the topics they run."""

    def __init__(self, fmt: str, run_name: str = "tracuu") -> None:
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
        self.fmt, self.run_name = fmt, run_name

    def header(self) -> str:
        return self._rows([TABLE_COLUMNS]) if self.fmt in ("tsv", "csv") else ""

    def __call__(self, result: TopicResult) -> str:
        """The lines of one topic (none for a topic without hits, but in jsonl)."""
        if self.fmt == "jsonl":
            return to_json(topic_record(result)) + "\n"
        ranked = _ranked(result.results)
        if self.fmt in ("tsv", "csv"):
            return self._rows([table_row(result.topic.id, h, score) for h, score in ranked])
        return "".join(
            f"{result.topic.id} Q0 {trec_docid(h)} {h.rank} {score:.6f} {self.run_name}\n"
            for h, score in ranked
        )

    def _rows(self, rows: list) -> str:
        out = io.StringIO()
        csv.writer(
            out,
            delimiter="\t" if self.fmt == "tsv" else ",",
            quoting=csv.QUOTE_MINIMAL if self.fmt == "csv" else csv.QUOTE_NONE,
            escapechar="\\" if self.fmt == "tsv" else None,
            lineterminator="\n",
        ).writerows(rows)
        return out.getvalue()


class BatchWriter:
    """Writes batch results in one format to ``out``."""

    def __init__(self, fmt: str, out: IO[str], run_name: str = "tracuu") -> None:
        self.format = BatchFormat(fmt, run_name)
        self.out = out
        out.write(self.format.header())

    def write(self, result: TopicResult) -> None:
        """A topic's lines: as rendered where it ran (``result.rendered``), else now."""
        self.out.write(result.rendered if result.rendered is not None else self.format(result))

    def write_all(self, results: Iterable[TopicResult]) -> None:
        for r in results:
            self.write(r)


def _ranked(results: Results | None) -> list[tuple[Hit, float]]:
    """The hits with the scores they rank by: a document's own score when documents are
    ranked (its best paragraph may score lower than another document's), so that tools
    that sort by score (trec_eval) keep tracuu's order."""
    if results is None:
        return []
    if results.documents is not None:
        return [(d.hits[0], d.score) for d in results.documents if d.hits]
    return [(h, h.score) for h in results.hits]


def hit_line(query: str, hit: Hit) -> str:
    """One hit as a JSON line (``search --jsonl``), with its query."""
    return to_json({"query": query, **hit_record(hit)})


__all__ = [
    "FORMATS",
    "BatchFormat",
    "BatchWriter",
    "Topic",
    "decode_input",
    "hit_line",
    "hit_record",
    "read_topics",
    "results_record",
    "to_json",
    "topic_record",
    "trec_docid",
]
