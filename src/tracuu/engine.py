"""The only module that knows Whoosh: version check, schema, writer, searcher, workarounds.

Everything above it speaks tracuu's types (documents, compiled queries, docnums, scores);
terms come from :mod:`.analysis`. Uses of Whoosh internals (the faster ``skip_to``, the
filter queries) are all here, behind the version check and tests against Whoosh's own.
"""

from __future__ import annotations

import fnmatch
import itertools
import math
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from .analysis import FORMAT as FORMAT_FIELD
from .analysis import NUMBER, PATH, TEXT_FIELDS, VOCABULARY
from .errors import EngineVersionError, IndexDamaged, IndexWriteError
from .models import Metadata, Paragraph, Ranking
from .query import compiled as c

TESTED_WHOOSH = ">=3.54,<3.55"  # the range tracuu's tests ran against (pyproject pins it)


def _check_version() -> None:
    wanted = f"pip install 'whoosh3{TESTED_WHOOSH}'"
    try:
        version = metadata.version("whoosh3")
    except metadata.PackageNotFoundError:
        raise EngineVersionError(
            "tracuu needs the Whoosh fork 'whoosh3', which is not installed", hint=wanted
        ) from None
    if tuple(int(x) for x in version.split(".")[:2]) != (3, 54):
        raise EngineVersionError(
            f"tracuu was tested with whoosh3 3.54, found {version}", hint=wanted
        )


_check_version()

from whoosh import fields, formats, scoring  # noqa: E402 - once the version is known good
from whoosh import index as windex  # noqa: E402
from whoosh import query as wq  # noqa: E402
from whoosh.codec import whoosh3 as wcodec  # noqa: E402
from whoosh.matching import ListMatcher, NullMatcher, ReadTooFar  # noqa: E402
from whoosh.support.levenshtein import distance  # noqa: E402

LIMIT_MB = 512  # posting pool of the writer before it spills sorted runs to disk

# stored per paragraph besides its metadata (``text`` is what snippets are cut from)
_STORED = ("start", "end", "text", "page")


# ---- schema -----------------------------------------------------------------------


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
        **{name: fields.STORED for name in _STORED},
        **{name: fields.STORED for name in Metadata.names()},
        "date": fields.ID(stored=True),  # ISO dates: prefix and range filters
    }
    for name in TEXT_FIELDS:
        spec[name] = _AnalyzedText(phrase=True)
    return fields.Schema(**spec)


_SCHEMA = make_schema()


def prepare(text: str) -> dict[str, Prepared]:
    """The postings of one paragraph in every text field (runs in worker processes)."""
    out = {}
    for name in TEXT_FIELDS:
        fmt = _SCHEMA[name].format
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


# ---- writing ----------------------------------------------------------------------


class Writer:
    """The one writer of a generation folder (a new one, or the current one to update)."""

    def __init__(self, folder: Path, create: bool, limitmb: int = LIMIT_MB) -> None:
        try:
            if create:
                self._ix = windex.create_in(str(folder), _SCHEMA)
            else:
                self._ix = windex.open_dir(str(folder))
            self._w = self._ix.writer(limitmb=limitmb)
        except OSError as exc:
            raise IndexWriteError(f"cannot write index at {folder}: {exc.strerror}") from None
        except Exception as exc:  # noqa: BLE001 - any Whoosh failure here is a damaged index
            raise IndexDamaged(f"cannot open index at {folder.parent}: {exc}") from None
        self.changed = False

    def add(
        self,
        paragraphs: Iterable[Paragraph],
        fmt: str,
        meta: Metadata,
        prepared: Iterable[dict[str, Prepared]] | None = None,
    ) -> None:
        """Add a document's paragraphs (with their postings, if prepared elsewhere)."""
        preps = iter(prepared) if prepared is not None else itertools.repeat(None)
        for p, prep in zip(paragraphs, preps):
            self._w.add_document(**paragraph_fields(p, fmt, meta, prep))
        self.changed = True

    def delete_path(self, path: str) -> None:
        self._w.delete_by_term(PATH, path)
        self.changed = True

    def commit(self) -> None:
        if self.changed:
            self._w.commit()
        else:
            self._w.cancel()
        self._ix.close()

    def cancel(self) -> None:
        try:
            self._w.cancel()
        finally:
            self._ix.close()


def open_index(folder: Path):
    try:
        return windex.open_dir(str(folder))
    except Exception as exc:  # noqa: BLE001 - any Whoosh failure here means a damaged index
        raise IndexDamaged(f"cannot open index at {folder.parent}: {exc}") from None


# ---- searching --------------------------------------------------------------------


class _BM25F(scoring.BM25F):
    """BM25F with the BM25 idf (Whoosh's default idf, log(N/(df+1)) + 1, keeps very
    common words such as "của", "là", "người" weighty, which hurts long questions)."""

    def idf(self, searcher, fieldname: str, text: str) -> float:
        df = searcher.doc_frequency(fieldname, text)
        n = searcher.doc_count_all()
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


class Searcher:
    """An open generation to run compiled queries against; scores are BM25F."""

    def __init__(self, folder: Path, ranking: Ranking) -> None:
        install_speedups()
        self._ix = open_index(folder)
        model = _BM25F if ranking.idf == "bm25" else scoring.BM25F
        try:
            self._s = self._ix.searcher(weighting=model(B=ranking.b, K1=ranking.k1))
        except Exception as exc:  # noqa: BLE001
            self._ix.close()
            raise IndexDamaged(f"cannot open index at {folder.parent}: {exc}") from None

    def close(self) -> None:
        self._s.close()
        self._ix.close()

    def search(
        self, node: c.Node, limit: int, filter: c.Node | None = None
    ) -> list[tuple[int, float]]:
        """The best ``limit`` (docnum, score) matching ``node`` and ``filter``."""
        res = self._s.search(to_whoosh(node), limit=max(limit, 1), filter=_maybe(filter))
        return [(hit.docnum, float(hit.score or 0.0)) for hit in res]

    def count(self, node: c.Node, filter: c.Node | None = None) -> int:
        """How many paragraphs match (a full pass over the postings)."""
        return len(self._s.search(to_whoosh(node), limit=1, filter=_maybe(filter)))

    def docs(self, node: c.Node, filter: c.Node | None = None) -> Iterator[int]:
        """Matching docnums in storage order, unscored (cheap; stops when the caller does)."""
        q = to_whoosh(node)
        if filter is not None:
            q = wq.And([q, to_whoosh(filter)])
        return q.docs(self._s)

    def score_docs(self, node: c.Node, docnums: Iterable[int]) -> list[tuple[int, float]]:
        """(docnum, score) of the given paragraphs that match ``node``."""
        q = to_whoosh(node)
        out: list[tuple[int, float]] = []
        wanted = sorted(set(docnums))
        context = self._s.context()
        for sub, offset in self._s.leaf_searchers():
            local = [d - offset for d in wanted if offset <= d < offset + sub.doc_count_all()]
            if not local:
                continue
            m = q.matcher(sub, context)
            for d in local:
                if not m.is_active():
                    break
                if m.id() < d:
                    m.skip_to(d)
                if m.is_active() and m.id() == d:
                    out.append((d + offset, m.score()))
        return out

    def paragraph(self, docnum: int) -> tuple[Paragraph, str, Metadata]:
        """The stored paragraph, its format and its document's metadata."""
        f = self._s.stored_fields(docnum)
        p = Paragraph(f[PATH], f[NUMBER], f["start"], f["end"], f["text"], f.get("page"))
        return p, f.get(FORMAT_FIELD) or "txt", Metadata.from_dict(f)

    def frequency(self, field: str, term: str) -> int:
        return int(self._s.reader().frequency(field, term))

    def suggest(self, field: str, term: str, maxdist: int = 2) -> str | None:
        """The closest term of ``field`` to ``term``: nearest first, then the most widespread."""
        found = self._s.corrector(field).suggest(term, limit=10, maxdist=maxdist)
        reader = self._s.reader()
        if not found:
            return None
        return min(found, key=lambda t: (distance(term, t), -reader.doc_frequency(field, t), t))

    def doc_count(self) -> int:
        return self._s.doc_count()

    def distinct_terms(self, field: str) -> int:
        return sum(1 for _ in self._s.reader().lexicon(field))


def _maybe(node: c.Node | None):
    return to_whoosh(node) if node is not None else None


# ---- compiled queries -> Whoosh queries -------------------------------------------


_COMBINE = {c.ALL: wq.And, c.ANY: wq.Or, c.BEST: wq.DisjunctionMax}


def to_whoosh(node: c.Node) -> wq.Query:
    """The Whoosh query of a compiled query node."""
    if isinstance(node, c.Term):
        return wq.Term(node.field, node.text, boost=node.boost)
    if isinstance(node, c.Phrase):
        return wq.Phrase(node.field, list(node.words))
    if isinstance(node, c.Combine):
        children = [to_whoosh(x) for x in node.children]
        if node.how == c.MAYBE:
            return wq.AndMaybe(children[0], wq.Or(children[1:]))
        if node.how == c.NOT:
            return wq.Not(children[0] if len(children) == 1 else wq.Or(children))
        return _COMBINE[node.how](children, boost=node.boost)
    if isinstance(node, c.Everything):
        return wq.Every()
    return wq.ConstantScoreQuery(_filter_query(node), 0.0)  # filters select, never score


def _filter_query(f: c.Filter) -> wq.Query:
    if f.how == c.GLOB:
        return _Glob(f.field, f.value or "*")
    if f.how == c.PREFIX:
        return wq.Prefix(f.field, f.value or "")
    if f.how == c.RANGE:
        return wq.TermRange(f.field, f.value, f.high)
    if f.how == c.EQUALS:
        return wq.Term(f.field, f.value or "")
    return _Contains(f.field, f.value or "")


class _Glob(wq.Wildcard):
    """fnmatch on the path lexicon (Whoosh's wildcard lacks character classes)."""

    def __init__(self, fieldname: str, pattern: str) -> None:
        super().__init__(fieldname, pattern)
        self.pattern = pattern

    def _btexts(self, ixreader):
        for btext in ixreader.lexicon(self.fieldname):
            if fnmatch.fnmatchcase(btext.decode("utf-8", "surrogateescape"), self.pattern):
                yield btext


class _Contains(wq.Query):
    """Substring match on a stored field, compared as ``filters.fold_needle`` does."""

    def __init__(self, fieldname: str, needle: str) -> None:
        self.fieldname = fieldname
        self.needle = needle

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash((self.fieldname, self.needle))

    def _matching(self, searcher) -> list[int]:
        from .query.filters import fold_needle

        out = []
        for docnum, stored in searcher.reader().iter_docs():
            if self.needle in fold_needle(stored.get(self.fieldname) or ""):
                out.append(docnum)
        return out

    def matcher(self, searcher, context=None):
        docs = self._matching(searcher)
        return ListMatcher(docs, all_weights=0.0) if docs else NullMatcher()

    def estimate_size(self, ixreader) -> int:
        return ixreader.doc_count()

    def docs(self, searcher):
        return iter(self._matching(searcher))


# ---- a faster skip_to for Whoosh's posting lists ----------------------------------
# Whoosh's leaf matcher moves to a target document one posting at a time inside a
# block. Intersecting a rare list with a common one ("tranh_việt" with "việt") calls it
# for every candidate, so the linear walk dominated query time on large archives. The
# block's ids are sorted, so a binary search lands on the same posting.

_original_skip_to = wcodec.W3LeafMatcher.skip_to


def _bisect_skip_to(self, targetid):
    if not self.is_active():
        raise ReadTooFar
    if targetid <= self.id():
        return
    block_max_id = self.block_max_id
    if targetid > block_max_id():
        self._skip_to_block(lambda: targetid > block_max_id())
        if not self.is_active():
            return
    if self._ids is None:
        self._read_ids()
    i = bisect_left(self._ids, targetid, self._i, self._blocklength)
    if i >= self._blocklength:
        # cannot happen after _skip_to_block (target <= block max), kept for safety
        self._i = self._blocklength - 1
        self.next()
    else:
        self._i = i


def install_speedups() -> None:
    setattr(wcodec.W3LeafMatcher, "skip_to", _bisect_skip_to)  # noqa: B010 - a patch


def uninstall_speedups() -> None:
    setattr(wcodec.W3LeafMatcher, "skip_to", _original_skip_to)  # noqa: B010
