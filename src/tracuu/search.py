"""Query -> diacritic-aware Whoosh query -> ranked hits with highlighted snippets.

Returns plain dataclasses; printing is the CLI's business. A query word written with
any diacritic matches that word exactly (field ``body``); a word written without them
also matches its accented forms through the folded field, ranked below exact matches.
"""

from __future__ import annotations

import fnmatch
import itertools
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import query as wq
from whoosh import scoring
from whoosh.support.levenshtein import distance

from . import index as tindex
from . import query as tquery
from . import segment as vseg
from . import text as vtext
from . import whoosh_speedups

whoosh_speedups.install()

MODES = ("auto", "exact", "fold")
RESTORE_SAMPLE = 40  # paragraphs read to learn how unaccented words are written
MAX_RESTORE_RUN = 8  # longer unaccented runs (questions) are not restored as a whole
DOMINANT = 0.6  # share of occurrences that makes one accented reading "the" reading
STAGE1_DEPTH, STAGE1_MIN = 5, 50  # candidates read by pairs before full scoring


@dataclass(frozen=True)
class Ranking:
    """Ranking knobs, tuned on ALQAC 2022 with bench/tune.py (MRR@10; see bench/README.md).

    A low k1 (term frequency saturates early) and pairs of adjacent syllables weighted
    like single syllables measured best; segmented words of three or more syllables
    added nothing over the pairs, so queries are not word-segmented by default.
    """

    k1: float = 0.5
    b: float = 0.75
    exact_boost: float = 1.0  # an unaccented word found written exactly so...
    fold_boost: float = 1.0  # ...or found only with other diacritics (the better one counts)
    pair_boost: float = 1.0  # adjacent query syllables found side by side
    word_boost: float = 0.0  # a segmented word of 3+ syllables of the query
    and_max: int = 4  # plain-word runs up to this many syllables need all of them
    idf: str = "bm25"  # "bm25": log(1 + (N - df + .5) / (df + .5)); "classic": Whoosh's


@dataclass(frozen=True)
class Snippet:
    """A window of a paragraph with the matched words marked.

    ``spans`` are (start, end) offsets into ``text``; ``offset`` is where ``text`` starts
    in the paragraph.
    """

    text: str
    spans: tuple[tuple[int, int], ...]
    offset: int
    truncated_start: bool
    truncated_end: bool


@dataclass(frozen=True)
class Hit:
    """One ranked paragraph."""

    rank: int
    score: float
    path: str
    number: int
    start: int
    end: int
    text: str
    title: str
    date: str | None
    doc_number: str | None
    issuer: str | None
    format: str
    highlights: tuple[tuple[int, int], ...]  # matched words, offsets into ``text``
    snippet: Snippet


@dataclass(frozen=True)
class Restoration:
    """Accented forms found in the index for words typed without diacritics."""

    typed: str
    forms: tuple[tuple[str, int], ...]  # (form as written in the archive, occurrences)
    dominant: bool = False  # the first form is most of the occurrences


@dataclass
class Results:
    query: str
    mode: str
    hits: list[Hit]
    total: int | None  # every matching paragraph; None when not counted (batch)
    restorations: list[Restoration] = field(default_factory=list)
    suggestion: str | None = None


class SearchError(Exception):
    """A query or filter that cannot be run; the message is for the user."""


# ---- compiling the syntax tree ----------------------------------------------------


@dataclass
class _Compiled:
    exact: set[str] = field(default_factory=set)  # highlight: tokens equal to these
    folded: set[str] = field(default_factory=set)  # highlight: tokens whose fold is these
    typed_plain: list[list[str]] = field(default_factory=list)  # unaccented word runs
    words: list[str] = field(default_factory=list)  # every positive query syllable
    pairs: list[wq.Query] | None = None  # the pairs of a lone run or phrase (see _two_stage)


class _Compiler:
    def __init__(self, mode: str, ranking: Ranking, rewrite: dict[str, str] | None = None) -> None:
        self.mode = mode
        self.r = ranking
        self.rewrite = rewrite or {}  # unaccented word run -> accented reading
        self.info = _Compiled()

    def compile(self, node: tquery.Node, positive: bool = True) -> wq.Query | None:
        if isinstance(node, tquery.Words):
            return self.words(node.text, positive)
        if isinstance(node, tquery.Phrase):
            return self.phrase(node.text, positive)
        if isinstance(node, tquery.FieldValue):
            return self.field_value(node)
        if isinstance(node, tquery.Not):
            child = self.compile(node.child, positive=False)
            return wq.Not(child) if child is not None else None
        children = [
            c for c in (self.compile(ch, positive) for ch in node.children) if c is not None
        ]
        if not children:
            return None
        if len(children) == 1:
            return children[0]
        return wq.And(children) if isinstance(node, tquery.And) else wq.Or(children)

    # a word is "accented" when it carries any diacritic; decided per word
    def _accented(self, syl: str) -> bool:
        if self.mode == "exact":
            return True
        if self.mode == "fold":
            return False
        return vtext.has_diacritics(syl)

    def syllable(self, syl: str, positive: bool) -> wq.Query:
        if positive:
            self.info.words.append(syl)
        if self._accented(syl):
            if positive:
                self.info.exact.add(syl)
            return wq.Term("body", syl)
        folded = vtext.fold_diacritics(syl)
        if positive:
            self.info.folded.add(folded)
        if self.mode == "fold":
            return wq.Term("fold", folded)
        # the better of the two, not their sum: an unaccented word is one word
        return wq.DisjunctionMax(
            [
                wq.Term("body", syl, boost=self.r.exact_boost),
                wq.Term("fold", folded, boost=self.r.fold_boost),
            ]
        )

    def pair(self, a: str, b: str) -> wq.Query:
        """Two query syllables side by side, diacritic-aware like single words."""
        boost = self.r.pair_boost
        if self._accented(a) and self._accented(b):
            return wq.Term("body", f"{a}_{b}", boost=boost)
        folded = vtext.fold_diacritics(f"{a}_{b}")
        if self.mode == "fold":
            return wq.Term("fold", folded, boost=boost)
        return wq.DisjunctionMax(
            [
                wq.Term("body", f"{a}_{b}", boost=boost * self.r.exact_boost),
                wq.Term("fold", folded, boost=boost * self.r.fold_boost),
            ]
        )

    def words(self, text: str, positive: bool) -> wq.Query | None:
        seg = vseg.segment(text, words=positive and self.r.word_boost > 0)
        sylls = [s.text for s in seg.syllables]
        if not sylls:
            return None
        if positive and " ".join(sylls) in self.rewrite:
            seg = vseg.segment(self.rewrite[" ".join(sylls)], words=self.r.word_boost > 0)
            sylls = [s.text for s in seg.syllables]
        if (
            positive
            and self.mode == "auto"
            and any(s.isalpha() for s in sylls)
            and not any(vtext.has_diacritics(s) for s in sylls)
        ):
            # typed without diacritics (a mixed run like "chinh đốn" was typed with
            # them, and its plain words are just folded)
            self.info.typed_plain.append(sylls)
        clauses = [self.syllable(s, positive) for s in sylls]
        if len(clauses) == 1:
            return clauses[0]
        if not positive:
            return wq.And(clauses)
        boosts: list[wq.Query] = []
        if self.r.pair_boost > 0:
            for a, b in zip(seg.syllables, seg.syllables[1:]):
                if b.joined:
                    boosts.append(self.pair(a.text, b.text))
        if self.r.word_boost > 0:
            for first, count in seg.words:
                word = seg.word_text(first, count)
                if count > 2 and all(self._accented(s) for s in word.split("_")):
                    boosts.append(wq.Term("body", word, boost=self.r.word_boost))
        if len(clauses) <= self.r.and_max:
            core: wq.Query = wq.And(clauses)
            if not boosts:
                return core
            pairs = boosts[: len(boosts) - len(seg.words if self.r.word_boost > 0 else ())]
            if pairs:
                self.info.pairs = pairs
            return wq.AndMaybe(core, wq.Or(boosts))
        return wq.Or(clauses + boosts)

    def phrase(self, text: str, positive: bool) -> wq.Query | None:
        seg = vseg.segment(text, words=False)
        sylls = [s.text for s in seg.syllables]
        if not sylls:
            return None
        for s in sylls:
            self.syllable(s, positive)  # records highlight terms
        if len(sylls) == 1:
            return self.syllable(sylls[0], False)
        joined = [(a.text, b.text) for a, b in zip(seg.syllables, seg.syllables[1:]) if b.joined]

        def guarded(fieldname: str, words: list[str], boost: float = 1.0) -> wq.Query:
            # a paragraph with the phrase has its pairs: requiring them lets the
            # intersection skip most paragraphs before positions are checked
            fold = fieldname == "fold"
            pairs = [
                wq.Term(fieldname, vtext.fold_diacritics(f"{a}_{b}") if fold else f"{a}_{b}")
                for a, b in joined
            ]
            return wq.And([*pairs, wq.Phrase(fieldname, words)], boost=boost)

        if positive and joined:
            self.info.pairs = [self.pair(a, b) for a, b in joined]
        accented = [self._accented(s) for s in sylls]
        if all(accented):
            return guarded("body", sylls)
        folded = guarded("fold", [vtext.fold_diacritics(s) for s in sylls])
        if not any(accented):
            if self.mode == "fold":
                return folded
            return wq.DisjunctionMax([guarded("body", sylls, self.r.exact_boost), folded])
        # mixed: the phrase on folded text, and the accented words exactly somewhere in it
        return wq.And([folded] + [wq.Term("body", s) for s, a in zip(sylls, accented) if a])

    def field_value(self, node: tquery.FieldValue) -> wq.Query:
        return wq.ConstantScoreQuery(filter_query(node.name, node.value), 0.0)


def filter_query(name: str, value: str) -> wq.Query:
    """A Whoosh query for a metadata filter (``file:``, ``date:``, ``from:``, ...)."""
    value = value.strip()
    if not value:
        raise SearchError(f"{name}: needs a value")
    if name == "file":
        pattern = unicodedata.normalize("NFC", value)
        if not any(c in pattern for c in "*?["):
            pattern = f"*{pattern}*"
        return _Glob("path", pattern)
    if name in ("date", "from", "to"):
        iso = _iso_prefix(value)
        if name == "date":
            return wq.Prefix("date", iso)
        if name == "from":
            return wq.TermRange("date", iso, None)
        return wq.TermRange("date", None, iso + "\uffff")
    if name == "format":
        return wq.Term("format", value.lower().lstrip("."))
    if name in ("number", "issuer", "title"):
        return _Stored(name if name != "number" else "doc_number", value)
    raise SearchError(f"unknown filter {name}:")


def _iso_prefix(value: str) -> str:
    """``2000``, ``2000-03``, ``2000-03-01``, ``03/2000`` or ``1/3/2000`` -> ISO prefix."""
    import re

    v = value.strip()
    if re.fullmatch(r"\d{4}(-\d{1,2}(-\d{1,2})?)?", v):
        parts = v.split("-")
        return "-".join([parts[0]] + [f"{int(p):02d}" for p in parts[1:]])
    m = re.fullmatch(r"(?:(\d{1,2})[/.])?(\d{1,2})[/.](\d{4})", v)
    if m:
        day, month, year = m.groups()
        iso = f"{year}-{int(month):02d}"
        return f"{iso}-{int(day):02d}" if day else iso
    raise SearchError(f"not a date: {value!r} (use 2000, 2000-03, 2000-03-01 or 01/03/2000)")


class _Glob(wq.Wildcard):
    """fnmatch on a stored path (Whoosh's wildcard lacks character classes)."""

    def __init__(self, fieldname: str, pattern: str) -> None:
        super().__init__(fieldname, pattern)
        self.pattern = pattern

    def _btexts(self, ixreader):
        for btext in ixreader.lexicon(self.fieldname):
            if fnmatch.fnmatchcase(btext.decode("utf-8"), self.pattern):
                yield btext


class _Stored(wq.Query):
    """Substring match, diacritic- and case-insensitive, on a stored metadata field."""

    def __init__(self, fieldname: str, value: str) -> None:
        self.fieldname = fieldname
        self.value = vtext.fold_diacritics(vtext.term_form(value))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash((self.fieldname, self.value))

    def _matching(self, searcher) -> list[int]:
        out = []
        for docnum, stored in searcher.reader().iter_docs():
            v = stored.get(self.fieldname) or ""
            if self.value in vtext.fold_diacritics(vtext.term_form(v)):
                out.append(docnum)
        return out

    def matcher(self, searcher, context=None):
        from whoosh.matching import ListMatcher, NullMatcher

        docs = self._matching(searcher)
        return ListMatcher(docs, all_weights=0.0) if docs else NullMatcher()

    def estimate_size(self, ixreader) -> int:
        return ixreader.doc_count()

    def docs(self, searcher):
        return iter(self._matching(searcher))


# ---- highlighting -----------------------------------------------------------------


def highlight_spans(text: str, exact: set[str], folded: set[str]) -> list[tuple[int, int]]:
    """Offsets in ``text`` of every syllable equal to a query word (exactly or folded)."""
    spans = []
    for syl in vseg.segment(text, words=False).syllables:
        if syl.text in exact or (folded and vtext.fold_diacritics(syl.text) in folded):
            spans.append((syl.start, syl.end))
    return _merge_adjacent(text, spans)


def _merge_adjacent(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join matched syllables separated only by spaces (``chỉnh đốn Đảng`` is one mark)."""
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if (
            merged
            and text[merged[-1][1] : s].strip(" ") == ""
            and "\n" not in text[merged[-1][1] : s]
        ):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def make_snippet(text: str, spans: list[tuple[int, int]], width: int = 240) -> Snippet:
    """The ``width``-character window of ``text`` holding the most matched words."""
    if len(text) <= width:
        return Snippet(text, tuple(spans), 0, False, False)
    best_start, best_count = 0, -1
    for s, _e in spans or [(0, 0)]:
        start = max(0, s - width // 4)
        count = sum(1 for a, b in spans if a >= start and b <= start + width)
        if count > best_count:
            best_start, best_count = start, count
    start = best_start
    end = min(len(text), start + width)
    start = max(0, end - width)
    # cut on word boundaries
    if start > 0:
        space = text.find(" ", start, start + 20)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", end - 20, end)
        end = space if space > start else end
    inside = tuple((a - start, b - start) for a, b in spans if a >= start and b <= end)
    return Snippet(text[start:end], inside, start, start > 0, end < len(text))


# ---- the searcher -----------------------------------------------------------------


class _BM25F(scoring.BM25F):
    """BM25F with the BM25 idf (Whoosh's default idf, log(N/(df+1)) + 1, keeps very
    common words such as "của", "là", "người" weighty, which hurts long questions)."""

    def idf(self, searcher, fieldname: str, text: str) -> float:
        from math import log

        df = searcher.doc_frequency(fieldname, text)
        n = searcher.doc_count_all()
        return log(1.0 + (n - df + 0.5) / (df + 0.5))


class _ChainedHit:
    def __init__(self, hit) -> None:
        self._hit = hit
        self.score = hit.score
        self.docnum = hit.docnum

    def fields(self) -> dict:
        return self._hit.fields()

    def __getitem__(self, key: str):
        return self._hit[key]


class _DocHit:
    """A hit found outside Whoosh's collectors (see Searcher._two_stage)."""

    def __init__(self, searcher, docnum: int, score: float) -> None:
        self._searcher = searcher
        self.docnum = docnum
        self.score = score

    def fields(self) -> dict:
        return self._searcher.stored_fields(self.docnum)

    def __getitem__(self, key: str):
        return self.fields()[key]


class _Chained:
    """Hits of ``first``, then the hits of ``rest`` that ``first`` does not have."""

    def __init__(self, first, rest) -> None:
        seen = {h.docnum for h in first}
        # (never `rest or ...`: the truth value of Whoosh results counts every match)
        self._hits = [_ChainedHit(h) for h in first] + [
            _ChainedHit(h) for h in (rest if rest is not None else ()) if h.docnum not in seen
        ]
        self._first, self._rest = first, rest if rest is not None else first

    def __getitem__(self, item):
        return self._hits[item]

    def __iter__(self):
        return iter(self._hits)

    def scored_length(self) -> int:
        return len(self._hits)

    def __len__(self) -> int:
        # Whoosh counts every match on len(): only done when a total is asked for
        return max(len(self._rest), len(self._first))


class Searcher:
    """An open index to run queries against; reuse it for many queries.

    >>> with Searcher("index") as s:
    ...     hits = s.search("chỉnh đốn Đảng", limit=5)
    """

    def __init__(self, index_dir: str | Path, ranking: Ranking | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.ranking = ranking or Ranking()
        self._ix = tindex.open_index(self.index_dir)
        r = self.ranking
        model = _BM25F if r.idf == "bm25" else scoring.BM25F
        self._searcher = self._ix.searcher(weighting=model(B=r.b, K1=r.k1))

    def close(self) -> None:
        self._searcher.close()
        self._ix.close()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def search(self, query: str, limit: int = 10, **kwargs) -> list[Hit]:
        """The ranked hits for ``query`` (see :meth:`run` for the options)."""
        return self.run(query, limit=limit, hints=False, count=False, **kwargs).hits

    def run(
        self,
        query: str,
        limit: int = 10,
        mode: str = "auto",
        filters: Iterable[tuple[str, str]] = (),
        hints: bool = True,
        snippet_width: int = 240,
        count: bool = False,
    ) -> Results:
        """Run ``query``; ``filters`` are (name, value) pairs like ("from", "2000")."""
        if mode not in MODES:
            raise SearchError(f"unknown mode {mode!r} (use one of {', '.join(MODES)})")
        try:
            tree = tquery.parse(query)
        except tquery.QuerySyntaxError as exc:
            raise SearchError(f"malformed query: {exc}") from None
        compiler = _Compiler(mode, self.ranking)
        q = compiler.compile(tree)
        if q is None:
            raise SearchError("malformed query: no searchable words in it")
        if isinstance(q, wq.Not | wq.ConstantScoreQuery):
            q = wq.And([wq.Every(), q])
        flt = [filter_query(name, value) for name, value in filters]
        filter_q = wq.And(flt) if len(flt) > 1 else (flt[0] if flt else None)
        info = compiler.info
        restorations: list[Restoration] = []
        runs = [r for r in info.typed_plain if len(r) <= MAX_RESTORE_RUN]
        res = None
        if runs:
            # How does the archive write the unaccented words? Read a sample of the
            # paragraphs that have them side by side (unscored: cheap, stops early).
            texts = self._sample_texts(runs, filter_q)
            restorations = self._restore(runs, texts)
            rewrite = {
                r.typed: r.forms[0][0]
                for r in restorations
                if r.dominant and len(r.typed.split()) <= self.ranking.and_max
            }
            if mode == "auto" and rewrite:
                # Rank the dominant accented reading first, exactly as if it had been
                # typed with diacritics; the other folded matches follow.
                exact = _Compiler(mode, self.ranking, rewrite)
                q_exact = exact.compile(tree)
                first = self._two_stage(tree, exact.info, q_exact, limit, filter_q, False)
                rest = None
                if first.scored_length() < limit or count:
                    rest = self._two_stage(
                        tree, info, q, limit + first.scored_length(), filter_q, count
                    )
                res = _Chained(first, rest)
        if res is None:
            res = self._two_stage(tree, compiler.info, q, limit, filter_q, count)
        hits = []
        for rank, hit in enumerate(res[:limit], start=1):
            stored = hit.fields()
            text = stored["text"]
            spans = highlight_spans(text, info.exact, info.folded)
            hits.append(
                Hit(
                    rank=rank,
                    score=float(hit.score or 0.0),
                    path=stored["path"],
                    number=stored["number"],
                    start=stored["start"],
                    end=stored["end"],
                    text=text,
                    title=stored.get("title") or "",
                    date=stored.get("date") or None,
                    doc_number=stored.get("doc_number"),
                    issuer=stored.get("issuer"),
                    format=stored.get("format") or "txt",
                    highlights=tuple(spans),
                    snippet=make_snippet(text, spans, snippet_width),
                )
            )
        # counting every match costs a second pass over the postings: only when asked
        total = len(res) if count else None
        results = Results(query, mode, hits, total)
        if hints:
            results.restorations = [r for r in restorations if r.forms]
            if not hits:
                results.suggestion = self._suggest(query, info.words)
        return results

    def _two_stage(self, tree, info: _Compiled, q: wq.Query, limit: int, filter_q, count: bool):
        """Search ``q``; a lone run of words or a phrase goes through its pairs first.

        In pure Python, intersecting the posting lists of common syllables ("việt",
        "nam") costs far more than reading those of their pairs ("tranh_việt"). So the
        paragraphs with every pair side by side are found by the pairs alone (stage 1),
        then scored by the full query, skipping straight to each of them (stage 2). The
        full query runs only when stage 1 finds fewer than ``limit``.
        """
        if not info.pairs or not isinstance(tree, tquery.Words | tquery.Phrase):
            return self._searcher.search(q, limit=max(limit, 1), filter=filter_q)
        depth = max(limit * STAGE1_DEPTH, STAGE1_MIN)
        stage1 = self._searcher.search(wq.And(info.pairs), limit=depth, filter=filter_q)
        scored = self._score_docs(q, [h.docnum for h in stage1])
        first = [_DocHit(self._searcher, d, sc) for d, sc in scored][: max(limit, 1)]
        exhausted = stage1.scored_length() < depth  # every paragraph with the pairs was read
        if (len(first) >= limit or (exhausted and isinstance(tree, tquery.Phrase))) and not count:
            # (a phrase has its pairs: when all of those were read, nothing else matches)
            return _Chained(first, None)
        rest = self._searcher.search(q, limit=max(limit, 1) + len(first), filter=filter_q)
        return _Chained(first, rest)

    def _score_docs(self, q: wq.Query, docnums: list[int]) -> list[tuple[int, float]]:
        """(docnum, score) of the given documents that match ``q``, best first."""
        out: list[tuple[int, float]] = []
        wanted = sorted(set(docnums))
        context = self._searcher.context()
        for sub, offset in self._searcher.leaf_searchers():
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
        out.sort(key=lambda x: (-x[1], x[0]))
        return out

    def _sample_texts(self, runs: list[list[str]], filter_q: wq.Query | None) -> list[str]:
        """Up to RESTORE_SAMPLE paragraphs holding a run's syllables side by side (folded)."""
        clauses = []
        for run in runs:
            folded = [vtext.fold_diacritics(s) for s in run]
            if len(folded) == 1:
                clauses.append(wq.Term("fold", folded[0]))
            else:
                clauses.append(
                    wq.And([wq.Term("fold", f"{a}_{b}") for a, b in zip(folded, folded[1:])])
                )
        q: wq.Query = wq.Or(clauses) if len(clauses) > 1 else clauses[0]
        if filter_q is not None:
            q = wq.And([q, filter_q])
        docnums = itertools.islice(q.docs(self._searcher), RESTORE_SAMPLE)
        return [self._searcher.stored_fields(d)["text"] for d in docnums]

    def _restore(self, runs: list[list[str]], texts: list[str]) -> list[Restoration]:
        """Accented spellings, as written in the archive, of unaccented word runs."""
        out = []
        for run in runs:
            typed = " ".join(run)
            target = [vtext.fold_diacritics(s) for s in run]
            n = len(target)
            groups: dict[str, Counter[str]] = {}
            for text in texts:
                norm, _starts, spans = vseg.split_syllables(text)
                folded = vtext.fold_diacritics(vtext.casefold(norm))  # same length as norm
                if target[0] not in folded:
                    continue
                words = [folded[s:e] for s, e, _j in spans]
                for i in range(len(words) - n + 1):
                    if words[i : i + n] == target:
                        form = " ".join(norm[s:e] for s, e, _j in spans[i : i + n])
                        groups.setdefault(vtext.casefold(form), Counter())[form] += 1
            ranked = sorted(groups.items(), key=lambda kv: -sum(kv[1].values()))
            total = sum(sum(c.values()) for _, c in ranked)
            if not ranked or ranked[0][0] == typed:
                continue  # the archive writes it as typed: nothing to restore
            forms = tuple((c.most_common(1)[0][0], sum(c.values())) for _, c in ranked[:5])
            out.append(Restoration(typed, forms, dominant=forms[0][1] >= DOMINANT * total))
        return out

    def _suggest(self, query: str, words: list[str]) -> str | None:
        """ "Did you mean": replace words missing from the index by close ones in it."""
        reader = self._searcher.reader()
        replacements: dict[str, str] = {}
        for w in dict.fromkeys(words):
            accented = vtext.has_diacritics(w)
            fieldname, probe = ("body", w) if accented else ("fold", vtext.fold_diacritics(w))
            if reader.frequency(fieldname, probe) > 0:
                continue
            found = self._searcher.corrector(fieldname).suggest(probe, limit=10, maxdist=2)
            if found:
                # nearest first, then the most widespread
                best = min(
                    found,
                    key=lambda c: (distance(probe, c), -reader.doc_frequency(fieldname, c), c),
                )
                replacements[w] = best
        if not replacements:
            return None
        out = []
        for token in query.split():
            key = vtext.term_form(token.strip(".,;:!?\"'()"))
            out.append(replacements.get(key, token))
        suggestion = " ".join(out)
        return suggestion if suggestion != query else None
