"""Run a query against an index: ranked paragraphs with highlighted snippets.

Returns plain records (:mod:`.models`); printing is the CLI's business. For a query
typed without diacritics, the archive's dominant accented reading ranks first, exactly
as if it had been typed so; the other folded matches follow.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from msgspec.structs import replace

from . import hints, store
from .documents import Scored, rank_documents
from .engine import Searcher as EngineSearcher
from .errors import QueryError
from .models import (
    DocumentHit,
    Hit,
    Metadata,
    Paragraph,
    Ranking,
    Restoration,
    Results,
    Snippet,
)
from .query import CompiledQuery, compile_query, parse
from .query import compiled as c
from .query.filters import filter_node, has_document_filter, resolve
from .recent import Recent
from .snippets import highlight_spans, make_snippet

STAGE1_DEPTH, STAGE1_MIN = 5, 50  # candidates read by pairs before full scoring
TIE_MARGIN = 10  # hits read past the limit to see whether a tie crosses it
TIE_CAP = 2000  # ...but no more than this (a filter alone scores every paragraph 0)
DOC_DEPTH, DOC_MIN = 10, 100  # paragraphs read per document asked for, by document...
DOC_MAX = 1000  # ...up to this many (the web page asks for 200 documents)
PER_DOCUMENT = 3  # best paragraphs shown with each document
WIDEN_BELOW = 10  # by document, fewer documents than this with every word: widen (a page)
COMPILED_KEPT = 256  # compiled queries kept (the index's spellings do not change)

Ranked = list[tuple[int, float]]  # (docnum, score), best first
Marks = frozenset  # the (field, term)s whose syllables a hit marks (CompiledQuery.highlight)
MakeHit = Callable[[int, int, float, Marks, int], Hit]  # (rank, docnum, score, marks, width)


class Searcher:
    """An open index to run queries against; reuse it for many queries.

    >>> with Searcher("index") as s:
    ...     hits = s.search("chỉnh đốn Đảng", limit=5)
    """

    def __init__(self, index_dir: str | Path, ranking: Ranking | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.ranking = ranking or Ranking()
        gen, manifest = store.open_generation(self.index_dir, verify=True)
        self.engine = EngineSearcher(gen, self.ranking)
        # what each document says of itself, kept once per document in the manifest (read
        # as hits and filters ask: thousands of records, of which a query shows ten)
        self._records = manifest.files
        self._described: dict[str, tuple[str, Metadata]] = {}
        self.restorer = hints.Restorer(self.engine)
        self._compiled: Recent[tuple, CompiledQuery] = Recent(COMPILED_KEPT)
        self._fields: dict[str, dict[str, str | None]] | None = None

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def search(self, query: str, limit: int = 10, **kwargs) -> list[Hit]:
        """The ranked hits for ``query`` (see :meth:`run` for the options)."""
        return self.run(query, limit=limit, hints=False, count=False, **kwargs).hits

    def paragraphs_of(self, path: str) -> list[Paragraph]:
        """Every paragraph of the file ``path``, in order (none for a file not indexed)."""
        return self.engine.paragraphs_of(path)

    def hits_in(
        self, path: str, query: str, mode: str = "auto", snippet_width: int = 240
    ) -> list[Hit]:
        """Every paragraph of the file ``path`` that matches ``query``, in the file's order,
        ranked among themselves, the matched words marked: what a document page shows.

        Only that file's paragraphs are scored: it costs what the file is long, not what
        the index is (a search filtered to the file would read the whole index's matches).
        """
        compiled = self._compile(_parse(query), mode)
        scored = self.engine.score_docs(compiled.node, self.engine.docnums_of(path))
        ranked = enumerate(self._in_order(scored), start=1)
        marks = compiled.highlight
        hits = [self._hit(rank, d, score, marks, snippet_width) for rank, (d, score) in ranked]
        return sorted(hits, key=lambda h: h.number)

    def marked(
        self, hits: Iterable[Hit], query: str, mode: str = "auto", snippet_width: int = 240
    ) -> tuple[Hit, ...]:
        """``hits`` of ``run(..., marked=False)`` with the words of ``query`` marked (and,
        from ``run(..., texts=False)``, their paragraphs read)."""
        marks = self._compile(_parse(query), mode).highlight
        hits = self._read(list(hits))
        return tuple(replace(h, **_marks(h.text, marks, snippet_width)) for h in hits)

    def _read(self, hits: list[Hit]) -> list[Hit]:
        """``hits`` with the paragraphs of the unread ones read."""
        paths = {h.path for h in hits if h.unread}
        if not paths:
            return hits
        where: dict[tuple[str, int], int] = {}
        wholes = self.engine.wholes()  # (numbered by the search that made the hits)
        for path in paths:
            if path not in wholes.number:
                continue
            docnums = wholes.paragraphs(wholes.number[path])
            numbers = self.engine.numbers(docnums)
            where.update(zip(((path, n) for n in numbers.tolist()), docnums.tolist(), strict=True))
        out = []
        for h in hits:
            docnum = where.get((h.path, h.number)) if h.unread else None
            if docnum is not None:
                p = self.engine.paragraph(docnum)
                h = replace(h, start=p.start, end=p.end, text=p.text, page=p.page, unread=False)
            out.append(h)
        return out

    def run(
        self,
        query: str,
        limit: int = 10,
        mode: str = "auto",
        filters: Iterable[tuple[str, str]] = (),
        hints: bool = True,
        snippet_width: int = 240,
        count: bool = False,
        by_document: bool = False,
        marked: bool = True,
        texts: bool = True,
        widen: bool = True,
    ) -> Results:
        """Run ``query``; ``filters`` are (name, value) pairs like ("from", "2000").

        ``by_document`` ranks documents (``limit`` of them), each scored from its best
        paragraphs and from the whole document (:class:`Ranking`'s ``doc_*`` knobs), instead
        of paragraphs. ``marked=False`` leaves the hits' words unmarked and their snippets
        the paragraphs' openings: cheaper, for many results of which few are shown (mark
        those with :meth:`marked`). ``texts=False`` (with ``marked=False``) does not even
        read the hits' paragraphs: their text and snippet are empty, their offsets 0 and
        ``unread`` True, until :meth:`marked` reads and marks those shown. ``widen=False``
        keeps a ranking by document to the documents with every word (``Ranking.widen``).
        """
        tree = _parse(query)
        compiled = self._compile(tree, mode)
        flt = c.all_of([self._resolve(filter_node(name, value)) for name, value in filters])
        restorations = self.restorer.restorations(compiled.unaccented_runs, cased=hints)
        depth = max(min(limit * DOC_DEPTH, DOC_MAX), DOC_MIN) if by_document else limit
        ranked = self._accented_first(tree, mode, restorations, depth, flt)
        if ranked is None:
            ranked = self._two_stage(compiled, depth, flt)
        documents, widened = None, False
        marks = compiled.highlight if marked else frozenset()
        make: MakeHit = self._hit
        if by_document:
            node, ahead = compiled.node, frozenset[str]()
            if widen and self.ranking.widen and len(ranked) < depth:  # (every one read)
                every = self._paths(ranked)
                if len(every) < min(limit, WIDEN_BELOW):
                    # few documents have every word: they come first, then the best by BM25
                    # over the whole document (which any word counts in), with their
                    # paragraphs that have some of the words
                    node, ahead = self._compile(tree, mode, wide=True).node, every
            scored = rank_documents(
                self.engine, ranked[:depth], node, compiled.whole, self.ranking, limit, flt, ahead
            )
            widened = node is not compiled.node and any(p not in ahead for _, p, _ in scored)
            if not (texts or marked):
                make = self._unread_maker([d for _, _, ps in scored for d, _ in ps[:PER_DOCUMENT]])
            documents = self._documents(scored, make, marks, snippet_width)
            hits = [d.hits[0] for d in documents]
        else:
            if not (texts or marked):
                make = self._unread_maker([d for d, _ in ranked[:limit]])
            hits = [
                make(rank, docnum, score, marks, snippet_width)
                for rank, (docnum, score) in enumerate(ranked[:limit], start=1)
            ]
        total = self.engine.count(compiled.node, flt) if count else None
        results = Results(query, mode, hits, total, documents=documents, widened=widened)
        if hints:
            results.restorations = [r for r in restorations if r.forms]
            if not ranked:
                results.suggestion = _suggest(self.engine, query, compiled)
        return results

    def _paths(self, ranked: Ranked) -> frozenset[str]:
        """The documents of the paragraphs ``ranked``."""
        return frozenset(self.engine.keys([d for d, _ in ranked])[0])

    def _compile(
        self, tree, mode: str, rewrite: dict[str, str] | None = None, wide: bool = False
    ) -> CompiledQuery:
        """The compiled query (kept a while: a page compiles its query again to mark the
        documents it shows, and a query comes back with another page or filter)."""
        key = (tree, mode, tuple(sorted((rewrite or {}).items())), wide)
        compiled = self._compiled.get(key)
        if compiled is None:
            spellings = self.restorer.spellings
            compiled = compile_query(tree, mode, self.ranking, rewrite, spellings, wide)
            compiled = replace(compiled, node=self._resolve(compiled.node))
            self._compiled[key] = compiled
        return compiled

    @property
    def paths(self) -> list[str]:
        """The paths of the files the index holds."""
        return list(self._records)

    def document(self, path: str) -> tuple[str, Metadata]:
        """(format, metadata) of the indexed file ``path`` (empty for one not indexed)."""
        found = self._described.get(path)
        if found is None:
            record = self._records.get(path)
            if record is None:
                return "", Metadata()
            found = self._described[path] = (record.format, Metadata.from_dict(record.metadata))
        return found

    def _resolve(self, node: c.Node) -> c.Node:
        """Filters on what documents say of themselves, as the paths of those that pass."""
        if not has_document_filter(node):
            return node
        if self._fields is None:
            self._fields = {}
            for path in self._records:
                fmt, meta = self.document(path)
                self._fields[path] = {"format": fmt, **meta.as_dict()}
        return resolve(node, self._fields)

    def _accented_first(
        self, tree, mode: str, restorations: list[Restoration], limit: int, flt: c.Node | None
    ) -> Ranked | None:
        """The dominant accented reading's hits, then the other folded matches."""
        rewrite = {
            r.typed: r.forms[0][0]
            for r in restorations
            if r.dominant and len(r.typed.split()) <= self.ranking.and_max
        }
        if mode != "auto" or not rewrite:
            return None
        first = self._two_stage(self._compile(tree, mode, rewrite), limit, flt)
        if len(first) >= limit:
            return first
        rest = self._two_stage(self._compile(tree, mode), limit + len(first), flt)
        return _chain(first, rest)

    def _two_stage(self, compiled: CompiledQuery, limit: int, flt: c.Node | None) -> Ranked:
        """Search; a lone run of words or a phrase goes through its pairs first.

        In pure Python, intersecting the posting lists of common syllables ("việt",
        "nam") costs far more than reading those of their pairs ("tranh_việt"). So the
        paragraphs with every pair side by side are found by the pairs alone (stage 1),
        then scored by the full query, skipping straight to each of them (stage 2). The
        full query runs only when stage 1 finds fewer than ``limit``.
        """
        if not compiled.pairs:
            return self._top(compiled.node, limit, flt)
        depth = max(limit * STAGE1_DEPTH, STAGE1_MIN)
        stage1 = self._top(c.Combine(c.ALL, compiled.pairs), depth, flt)
        candidates = [d for d, _ in stage1]
        # (a phrase has its pairs: when all of those were read, nothing else matches)
        if len(stage1) < limit and not compiled.phrase:
            # too few to fill the page: the full query runs whatever they score, and
            # scores them on its way (a query of their own would read the same postings)
            rest, scored = self._top_at(compiled.node, max(limit, 1) + len(stage1), flt, candidates)
            first = self._in_order(scored)[: max(limit, 1)]
            return _chain(first, rest[: max(limit, 1) + len(first)])
        scored = self._checked(compiled.node, candidates, max(limit, 1))
        first = self._in_order(scored)[: max(limit, 1)]
        exhausted = len(stage1) < depth  # every paragraph with the pairs was read
        if len(first) >= limit or (exhausted and compiled.phrase):
            return first
        return _chain(first, self._top(compiled.node, max(limit, 1) + len(first), flt))

    def _checked(self, node: c.Node, candidates: list[int], limit: int) -> Ranked:
        """(docnum, score) of the ``candidates`` that match ``node``: all of them, or
        where ``node`` has phrases, enough that its best ``limit`` are among them.

        The positions of a phrase's words are what costs: they are read only where it
        may rank. The candidates are scored first with the phrases loosened (their
        words anywhere: the same score where the phrase holds, never less), then checked
        best first until ``limit`` have passed and none left could score as much.
        """
        loose = c.loosened(node)
        if loose is None:
            return self.engine.score_docs(node, candidates)
        bounds = sorted(self.engine.score_docs(loose, candidates), key=lambda x: -x[1])
        found: Ranked = []
        done, step = 0, limit
        while done < len(bounds):
            batch = [d for d, _ in bounds[done : done + step]]
            found += self.engine.score_docs(node, batch)
            done += len(batch)
            step *= 2
            if len(found) >= limit and done < len(bounds):
                kth = sorted((x for _, x in found), reverse=True)[limit - 1]
                if bounds[done][1] < kth:  # (a tie with the last one could still rank)
                    break
        return found

    def _top(self, node: c.Node, limit: int, flt: c.Node | None) -> Ranked:
        """The best ``limit`` hits, the same whatever order the index stores paragraphs in.

        Paragraphs of equal score are ordered by (path, paragraph number); when equal
        scores cross the limit, more are read until the tie is seen whole.
        """
        return self._top_at(node, limit, flt, None)[0]

    def _top_at(
        self, node: c.Node, limit: int, flt: c.Node | None, docnums: list[int] | None
    ) -> tuple[Ranked, Ranked]:
        """:meth:`_top`, and the (docnum, score) of those of ``docnums`` (paragraphs
        that pass ``flt``) that match ``node``, found on the way."""
        limit = max(limit, 1)
        depth = limit + TIE_MARGIN
        while True:
            if docnums is None:
                ranked, scored = self.engine.search(node, depth, flt), []
            else:
                ranked, scored = self.engine.search_at(node, depth, flt, docnums)
            if len(ranked) < depth or ranked[limit - 1][1] != ranked[-1][1]:
                return self._in_order(ranked)[:limit], scored
            if depth >= TIE_CAP:
                return ranked[:limit], scored  # so many equal scores stay in storage order
            depth *= 4

    def _in_order(self, ranked: Ranked) -> Ranked:
        """Best score first; equal scores by (path, paragraph number)."""
        if self.engine.in_key_order():  # (as a full build stores them)
            return sorted(ranked, key=lambda x: (-x[1], x[0]))
        counts = Counter(score for _, score in ranked)
        tied = [d for d, score in ranked if counts[score] > 1]
        paths, numbers = self.engine.keys(tied)
        keys = dict(zip(tied, zip(paths, numbers.tolist()), strict=True))
        return sorted(ranked, key=lambda x: (-x[1], keys.get(x[0], ("", 0))))

    def _documents(
        self, scored: list[Scored], make: MakeHit, marks: Marks, width: int
    ) -> list[DocumentHit]:
        """The ranked documents (of :func:`rank_documents`), each with its best paragraphs
        as hits (made by ``make``)."""
        out = []
        for rank, (score, path, paras) in enumerate(scored, start=1):
            hits = tuple(make(rank, d, s, marks, width) for d, s in paras[:PER_DOCUMENT])
            out.append(DocumentHit(rank, score, path, hits[0].format, hits[0].metadata, hits))
        return out

    def _hit(self, rank: int, docnum: int, score: float, marks: Marks, width: int) -> Hit:
        p = self.engine.paragraph(docnum)
        fmt, meta = self.document(p.path)
        return Hit(
            rank=rank,
            score=score,
            path=p.path,
            number=p.number,
            start=p.start,
            end=p.end,
            text=p.text,
            format=fmt,
            metadata=meta,
            page=p.page,
            **_marks(p.text, marks, width),
        )

    def _unread_maker(self, docnums: list[int]) -> MakeHit:
        """What makes the unread hits of ``docnums`` (:meth:`_unread`), their keys read
        all at once."""
        paths, numbers = self.engine.keys(docnums)
        keys = dict(zip(docnums, zip(paths, numbers.tolist(), strict=True), strict=True))
        return functools.partial(self._unread, keys)

    def _unread(
        self,
        keys: dict[int, tuple[str, int]],
        rank: int,
        docnum: int,
        score: float,
        marks: Marks,
        width: int,
    ) -> Hit:
        """A hit without its paragraph read (``run(..., texts=False)``)."""
        path, number = keys[docnum]
        fmt, meta = self.document(path)
        return Hit(rank, score, path, number, 0, 0, "", fmt, meta, (), _NO_SNIPPET, unread=True)


_NO_SNIPPET = Snippet("", (), 0, False, False)


def _marks(text: str, marks: Marks, width: int) -> dict:
    """A hit's marked words and snippet (none marked: the paragraph's opening)."""
    spans = highlight_spans(text, marks) if marks else []
    return {"highlights": tuple(spans), "snippet": make_snippet(text, spans, width)}


def _parse(query: str):
    try:
        return parse(query)
    except QueryError as exc:
        raise QueryError(f"malformed query: {exc}") from None


def _chain(first: Ranked, rest: Ranked) -> Ranked:
    """``first``, then the hits of ``rest`` that ``first`` does not have."""
    seen = {d for d, _ in first}
    return first + [(d, s) for d, s in rest if d not in seen]


def _suggest(engine: EngineSearcher, query: str, compiled: CompiledQuery) -> str | None:
    return hints.suggestion(engine, query, compiled.words)
