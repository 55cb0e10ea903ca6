"""The plain records tracuu passes between its parts: defined once, used everywhere.

Readers and layout produce :class:`Document` (paragraphs + :class:`Metadata`); the index
stores them; a search returns :class:`Results` of :class:`Hit`; output and the CLI render
those. None of them knows about Whoosh.
"""

from __future__ import annotations

from typing import Any

import msgspec


class Metadata(msgspec.Struct, frozen=True):
    """What a document's header says about it (any field may be unknown)."""

    title: str = ""
    doc_type: str | None = None  # "Quyết định", "Báo cáo", "Công văn" ...
    doc_number: str | None = None  # số / ký hiệu: "12/BC-QU", "15/2010/QĐ-UBND"
    issuer: str | None = None  # cơ quan ban hành: "BAN THƯỜNG VỤ QUẬN ỦY 10"
    place: str | None = None  # "TP. Hồ Chí Minh"
    date: str | None = None  # ISO YYYY-MM-DD, as written in the document

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The field names, in order: the one list the index, filters and output use."""
        return _METADATA_ORDER

    def as_dict(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in _METADATA_ORDER}

    @classmethod
    def from_dict(cls, data: dict) -> Metadata:
        """Rebuild from stored values; unknown keys are ignored, "" means unknown."""
        values: dict[str, Any] = {name: data.get(name) or None for name in _METADATA_ORDER}
        values["title"] = data.get("title") or ""
        return cls(**values)


_METADATA_ORDER: tuple[str, ...] = Metadata.__struct_fields__  # (an index opens 1000s at once)
_METADATA_NAMES = frozenset(_METADATA_ORDER)


class Paragraph(msgspec.Struct, frozen=True):
    """One search unit: a paragraph of a document and where it stands in it."""

    path: str  # relative to the corpus root, with "/" separators
    number: int  # 1-based paragraph number in the file
    start: int  # character offsets of the paragraph in the document text
    end: int
    text: str
    page: int | None = None  # page of a paged source (PDF, scan), when known


class Document(msgspec.Struct, frozen=True):
    """One archive file as read: its text, header metadata and paragraphs."""

    path: str
    text: str
    format: str  # "txt", "md", "docx", "pdf", "html" ...
    metadata: Metadata
    paragraphs: tuple[Paragraph, ...] = ()
    sha256: str = ""  # of the file's bytes (of the text when there is no file)
    size: int = 0  # bytes


class Snippet(msgspec.Struct, frozen=True):
    """A window of a paragraph with the matched words marked.

    ``spans`` are (start, end) offsets into ``text``; ``offset`` is where ``text`` starts
    in the paragraph.
    """

    text: str
    spans: tuple[tuple[int, int], ...]
    offset: int
    truncated_start: bool
    truncated_end: bool


class Hit(msgspec.Struct, frozen=True):
    """One ranked paragraph, with its document's metadata."""

    rank: int
    score: float
    path: str
    number: int  # paragraph number in the file
    start: int
    end: int
    text: str
    format: str
    metadata: Metadata
    highlights: tuple[tuple[int, int], ...]  # matched words, offsets into ``text``
    snippet: Snippet
    page: int | None = None
    # a hit of Searcher.run(..., texts=False): its paragraph's text, offsets and page not
    # read yet (Searcher.marked reads them)
    unread: bool = False

    def __getattr__(self, name: str) -> Any:
        # the metadata fields (title, date, doc_number ...) are readable on the hit itself
        if name in _METADATA_NAMES:
            return getattr(self.metadata, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


class Restoration(msgspec.Struct, frozen=True):
    """Accented forms found in the index for words typed without diacritics."""

    typed: str
    forms: tuple[tuple[str, int], ...]  # (form as written in the archive, occurrences)
    dominant: bool = False  # the first form is most of the occurrences


class DocumentHit(msgspec.Struct, frozen=True):
    """One ranked document, scored from its best paragraphs, which it carries."""

    rank: int
    score: float
    path: str
    format: str
    metadata: Metadata
    hits: tuple[Hit, ...]  # its best paragraphs, best first


class Results(msgspec.Struct):
    """One page of results for one query.

    By document, ``documents`` holds the documents and ``hits`` the best paragraph of
    each, in the documents' order.
    """

    query: str
    mode: str
    hits: list[Hit]
    total: int | None  # every paragraph with every word; None when not counted
    restorations: list[Restoration] = msgspec.field(default_factory=list)
    suggestion: str | None = None
    documents: list[DocumentHit] | None = None
    # by document, fewer documents had every word than a page: documents with some of
    # the words follow them (``Ranking.widen``)
    widened: bool = False


class Ranking(msgspec.Struct, frozen=True):
    """Ranking knobs, tuned with bench/tune.py (MRR@10; see bench/README.md).

    For paragraphs, a low k1 (term frequency saturates early) and pairs of adjacent
    syllables weighing half a syllable measured best; segmented words of three or more
    syllables added nothing over the pairs, so queries are not word-segmented by default.
    By document, BM25 over the whole document makes most of the score (``doc_whole``).
    """

    k1: float = 0.5
    b: float = 0.75
    exact_boost: float = 1.0  # an unaccented word found written exactly so...
    fold_boost: float = 1.0  # ...or found only with other diacritics (the better one counts)
    # an unaccented word also matches each way the archive writes it, weighted by its
    # share of the occurrences to this power (0: only as typed and folded)
    spelling: float = 0.5
    # ...its share read in the pairs it makes with its neighbours in the query, where the
    # archive writes them ("xiu da": "xỉu đá"), rather than alone ("da": mostly "đã")
    spelling_context: bool = True
    pair_boost: float = 0.5  # adjacent query syllables found side by side
    # ...when they stand in two different words of the query (underthesea's words);
    # negative: as pair_boost, the query is not segmented
    cross_pair_boost: float = -1.0
    word_boost: float = 0.0  # a segmented word of 3+ syllables of the query
    and_max: int = 4  # plain-word runs up to this many syllables need all of them
    # by document, fewer documents with every word than a page (or than asked for): then
    # those with some of the words follow them (the answer to a question need not repeat
    # its every word)
    widen: bool = True
    question_words: bool = True  # runs of words leave out "gì", "bao nhiêu" ... (questions.py)
    sources: bool = True  # ...and a question's opening "Theo <source>," (with question_words)
    # by document: score = best paragraph + doc_decay * 2nd + doc_decay^2 * 3rd ...
    doc_decay: float = 0.0
    doc_title: float = 0.25  # ... + doc_title * its first paragraph (title), if not the best
    doc_whole: float = 0.8  # share of the score from BM25 over the whole document...
    doc_k1: float = 0.7  # ...with this k1 (and the paragraphs' b)
    idf: str = "bm25"  # "bm25": log(1 + (N - df + .5) / (df + .5)); "classic": Whoosh's


class Progress:
    """What a build tells its caller; the CLI draws a progress bar from it."""

    def start(self, total: int) -> None: ...
    def file_done(self, path: str, paragraphs: int) -> None: ...
    def skipped(self, path: str, reason: str) -> None: ...
    def page(self, path: str, done: int, total: int) -> None: ...  # inside a long scan
    def phase(self, name: str) -> None: ...
