"""Retrieval systems compared with tracuu: plain BM25 variants and a stock Whoosh index.

Every system follows :class:`System`: ``build`` indexes a list of documents, ``search``
returns the positions of the best documents for a query, best first. Every factory takes
``fold``: with ``fold=True`` documents and queries both lose all their diacritics (the fair
baseline for queries typed without them); with ``fold=False`` documents stay as written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol

import common
import numpy as np
from common import Doc

Tokenizer = Callable[[str], list[str]]


class System(Protocol):
    """A retrieval system under test."""

    name: str
    fold: bool

    def build(self, docs: Sequence[Doc]) -> None:
        """Index ``docs``; a document is identified by its position in the list."""

    def search(self, query: str, k: int) -> list[int]:
        """Positions of the (at most) ``k`` best documents for ``query``, best first."""

    def close(self) -> None:
        """Release resources (temporary directories, open indexes)."""


class WhooshStandard:
    """Whoosh out of the box: StandardAnalyzer (syllables, no segmentation), BM25F.

    The query is an OR of the question's analyzed terms, so Whoosh query syntax in a
    question (``:``, ``(``, ``AND`` ...) is never interpreted. ``fold`` removes diacritics
    from the text before analysis, which for syllable tokens equals folding each token.
    """

    name = "whoosh-standard"

    def __init__(self, fold: bool = False) -> None:
        self.fold = fold
        self._prepare = common.strip_diacritics if fold else (lambda text: text)
        self._ix = None
        self._searcher = None

    def build(self, docs: Sequence[Doc]) -> None:
        from whoosh.analysis import StandardAnalyzer
        from whoosh.fields import STORED, TEXT, Schema
        from whoosh.filedb.filestore import RamStorage

        schema = Schema(pos=STORED(), body=TEXT(analyzer=StandardAnalyzer()))
        self._ix = RamStorage().create_index(schema)
        with self._ix.writer(limitmb=256) as writer:
            for i, doc in enumerate(docs):
                writer.add_document(pos=i, body=self._prepare(doc.text))
        self._searcher = self._ix.searcher()  # default weighting: BM25F

    def search(self, query: str, k: int) -> list[int]:
        from whoosh.query import Or, Term

        assert self._searcher is not None, "build() first"
        field = self._searcher.schema["body"]
        terms = list(field.process_text(self._prepare(query), mode="query"))
        if not terms:
            return []
        hits = self._searcher.search(Or([Term("body", t) for t in terms]), limit=k)
        return [hit["pos"] for hit in hits]

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None


class BM25Baseline:
    """Plain BM25 (bm25s, Lucene variant, k1=1.2, b=0.75) over the terms of ``tokenize``.

    Repeated query terms count once per occurrence (linear query term frequency);
    documents sharing no term with the query are never returned. ``fold`` removes all
    diacritics before tokenizing, on both sides (:func:`common.folded`).
    """

    def __init__(
        self, name: str, tokenize: Tokenizer, fold: bool = False, k1: float = 1.2, b: float = 0.75
    ) -> None:
        self.name = name
        self.fold = fold
        self.tokenize = common.folded(tokenize) if fold else tokenize
        self.k1 = k1
        self.b = b
        self._model = None

    def build(self, docs: Sequence[Doc]) -> None:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets DEBUG on import
        corpus = [self.tokenize(d.text) for d in docs]
        self._model = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        self._model.index(corpus, show_progress=False)

    def search(self, query: str, k: int) -> list[int]:
        assert self._model is not None, "build() first"
        ids = self._model.get_tokens_ids(self.tokenize(query))
        if not ids:
            return []
        scores = self._model.get_scores_from_ids(ids)
        order = np.argsort(-scores, kind="stable")[:k]  # ties: earlier document first
        return [int(i) for i in order if scores[i] > 0]

    def close(self) -> None:
        self._model = None


def bm25_syllables(fold: bool = False) -> BM25Baseline:
    return BM25Baseline("bm25-syllables", common.syllables, fold)


def bm25_words(fold: bool = False) -> BM25Baseline:
    return BM25Baseline("bm25-words", common.segment_words, fold)


def bm25_syllables_bigrams(fold: bool = False) -> BM25Baseline:
    return BM25Baseline("bm25-syll+bigrams", common.syllables_and_bigrams, fold)


# name -> factory(fold), in report order
BASELINES: dict[str, Callable[[bool], System]] = {
    "bm25-syllables": bm25_syllables,
    "bm25-syll+bigrams": bm25_syllables_bigrams,
    "bm25-words": bm25_words,
    "whoosh-standard": WhooshStandard,
}
# run unless --systems names others: whoosh-standard ranks like bm25-syllables, only slower
DEFAULT_BASELINES = ("bm25-syllables", "bm25-syll+bigrams", "bm25-words")
