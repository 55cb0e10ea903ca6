"""Documents as wholes: BM25 over each document, from its paragraphs' postings.

The index holds paragraphs. Read whole, a document's frequency of a term is the sum of
its paragraphs' frequencies, its length the sum of their lengths, and a term's document
frequency the number of documents with it, counted over the documents of the index, not
its paragraphs. Ranking by document mixes this with the document's best paragraphs
(:mod:`tracuu.documents`): words spread over a document's title and body add up as they
do in a search over whole documents, and a long document does not win by having more
paragraphs.

The documents are numbered once per open index, in the order their first paragraph is
stored; ``owner`` maps each paragraph (deleted ones too) to its document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..analysis import FieldTerm
from .internals.keys import Keys
from .internals.postings import deleted_docnums, field_lengths, segments, term_postings
from .vector import Kept

CACHE_MB = 64  # documents' term frequencies kept between queries

Frequencies = tuple[np.ndarray, np.ndarray]  # (documents with the term, its frequency in each)
# (field, term) -> its (docnums, frequencies) in each segment that has it
Read = Callable[[str, str], list[tuple[np.ndarray, np.ndarray]]]


class Wholes:
    """An open index's documents: their paragraphs, lengths and BM25 over each."""

    def __init__(self, searcher, keys: Keys, length_field: str, read: Read | None = None) -> None:
        self._s = searcher
        self._read = read or self._read_here
        self._leaves = segments(searcher)
        total = searcher.doc_count_all()
        self.owner, self.paths = keys.documents(total)
        self.number = {path: i for i, path in enumerate(self.paths)}  # by path
        live = np.ones(total, dtype=bool)
        lengths = np.zeros(total)
        for sub, offset in self._leaves:
            reader = sub.reader()
            count = reader.doc_count_all()
            lengths[offset : offset + count] = field_lengths(reader, length_field)
            live[deleted_docnums(reader) + offset] = False
        every = bool(live.all())  # (no paragraph deleted: a build's index)
        owners = self.owner if every else self.owner[live]
        self.length = np.bincount(
            owners, weights=lengths if every else lengths[live], minlength=len(self.paths)
        )
        self.count = int(np.count_nonzero(self.length)) or 1  # documents with a paragraph
        self.average = float(self.length.sum()) / self.count or 1.0
        if every and not (np.diff(self.owner) < 0).any():  # (a build stores them so)
            self._order = np.arange(total)
            by_document = self.owner
        else:
            order = np.argsort(self.owner, kind="stable")
            self._order = order[live[order]]  # live paragraphs, by document
            by_document = self.owner[self._order]
        self._starts = np.searchsorted(by_document, np.arange(len(self.paths) + 1))
        self._cache = Kept(CACHE_MB)

    def paragraphs(self, document: int) -> np.ndarray:
        """The live paragraphs (docnums) of a document, in storage order."""
        return self._order[self._starts[document] : self._starts[document + 1]]

    def scores(self, terms: Sequence[FieldTerm], k1: float, b: float) -> np.ndarray:
        """Every document's BM25 for ``terms`` (a term given twice counts twice), with the
        idf of whoosh's BM25F in tracuu (log(1 + (N - df + 0.5) / (df + 0.5)))."""
        total = np.zeros(len(self.paths))
        for term in terms:
            docs, tf = self._frequencies(term)
            if not len(docs):
                continue
            idf = np.log(1.0 + (self.count - len(docs) + 0.5) / (len(docs) + 0.5))
            norm = 1.0 - b + b * self.length[docs] / self.average
            total[docs] += idf * tf * (k1 + 1.0) / (tf + k1 * norm)
        return total

    def _frequencies(self, term: FieldTerm) -> Frequencies:
        found = self._cache.get(term)
        if found is not None:
            return found
        parts = self._read(*term)
        if parts:
            tf = np.bincount(
                self.owner[np.concatenate([ids for ids, _ in parts])],
                weights=np.concatenate([tf for _, tf in parts]),
                minlength=len(self.paths),
            )
            docs = np.flatnonzero(tf)
            found = (docs, tf[docs])
        else:
            found = (np.zeros(0, dtype=np.int64), np.zeros(0))
        self._cache.put(term, found)
        return found

    def _read_here(self, field: str, text: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """A term's (docnums, frequencies) in each segment that has it (no Vector)."""
        if field not in self._s.schema:
            return []
        btext = self._s.schema[field].to_bytes(text)
        out = []
        for sub, offset in self._leaves:
            postings = term_postings(sub.reader(), field, btext)
            if postings is not None:
                out.append((postings[0] + offset, postings[1]))
        return out
