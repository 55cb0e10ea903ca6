"""Shared pieces of the benchmarks: paths, ALQAC data loading and tokenization helpers.

Every baseline tokenizes through the functions here, so documents and queries of one
system are always processed the same way.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DEFAULT_DATA = (REPO_ROOT / ".." / "shared" / "data").resolve()
DEFAULT_RESULTS = BENCH_DIR / "results"

# file holding the questions of each collection (vire4mrc has alqac2022's layout)
QUESTION_FILES = {
    "alqac2022": "question.json",
    "alqac2023": "train.json",
    "vire4mrc": "question.json",
}
# collections of formal legal text, where a query typed without diacritics must lose little
LEGAL_SETS = frozenset({"alqac2022", "alqac2023"})
# what one retrievable document of each collection is, for the reports
DOC_NOUNS = {"alqac2022": "articles", "alqac2023": "articles", "vire4mrc": "reviews"}


def log(msg: str) -> None:
    """Progress message on stderr."""
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class Doc:
    """One retrievable article."""

    law_id: str
    article_id: str
    text: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.law_id, self.article_id)


@dataclass(frozen=True, slots=True)
class Question:
    """One query with the keys of its relevant articles."""

    id: str
    text: str
    gold: frozenset[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Collection:
    name: str
    docs: list[Doc]
    questions: list[Question]


def load_collection(data_dir: Path, name: str) -> Collection:
    """Load ``<data_dir>/<name>/law.json`` and its question file."""
    base = data_dir / name
    laws = json.loads((base / "law.json").read_text(encoding="utf-8"))
    docs = [
        Doc(str(law["id"]), str(art["id"]), art["text"]) for law in laws for art in law["articles"]
    ]
    try:
        qfile = QUESTION_FILES[name]
    except KeyError:
        raise ValueError(
            f"unknown collection {name!r}; known: {', '.join(QUESTION_FILES)}"
        ) from None
    raw = json.loads((base / qfile).read_text(encoding="utf-8"))
    questions = [
        Question(
            str(q.get("id", q.get("question_id"))),
            q["text"],
            frozenset((str(r["law_id"]), str(r["article_id"])) for r in q["relevant_articles"]),
        )
        for q in raw
    ]
    return Collection(name, docs, questions)


# --------------------------------------------------------------------------- text

_SYLLABLE = re.compile(r"[^\W_]+")  # a run of letters/digits; "_" splits too
_INLINE_SPACE = re.compile(r"[^\S\r\n]*")  # white space within one line


def strip_diacritics(text: str) -> str:
    """What a user typing without accents writes: NFD, drop combining marks, đ->d, NFC."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare.replace("đ", "d").replace("Đ", "D"))


def syllables(text: str) -> list[str]:
    """Lower-cased NFC syllables (runs of word characters)."""
    return _SYLLABLE.findall(unicodedata.normalize("NFC", text).lower())


def syllables_and_bigrams(text: str) -> list[str]:
    """Syllables plus ``a_b`` for adjacent syllables separated only by spaces.

    Punctuation and line breaks (e.g. between an article's title and body) end a bigram run.
    """
    norm = unicodedata.normalize("NFC", text).lower()
    tokens: list[str] = []
    prev: str | None = None
    prev_end = 0
    for m in _SYLLABLE.finditer(norm):
        syl = m.group()
        tokens.append(syl)
        if prev is not None and _INLINE_SPACE.fullmatch(norm, prev_end, m.start()):
            tokens.append(f"{prev}_{syl}")
        prev, prev_end = syl, m.end()
    return tokens


def one_line(text: str) -> str:
    """``text`` with every run of white space (tabs, line breaks) made one space.

    Queries go to ``tracuu batch`` as ``id<TAB>query`` lines, so they may hold neither;
    every system gets the same cleaned query so the comparison stays fair.
    """
    return " ".join(text.split())


def folded(tokenize: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """``tokenize`` applied to the text with all its diacritics removed (đ->d).

    Documents and queries both go through it, like SQLite FTS5's ``remove_diacritics``.
    For syllables and bigrams this equals folding each token; for underthesea words it
    also segments both sides the same way. Folding after segmentation instead (documents
    segmented with their accents, queries typed without) halves bm25-words' MRR@10 on
    ALQAC without diacritics (0.49 vs 0.88 on alqac2022): a baseline too weak to be fair.
    """

    def tokenize_folded(text: str) -> list[str]:
        return tokenize(strip_diacritics(text))

    return tokenize_folded


def load_tracuu() -> None:
    """Make ``import tracuu`` take this checkout's ``src/`` over an installed copy.

    Only ``tune.py`` imports tracuu; ``quality.py`` runs it through its command line.
    """
    src = str(REPO_ROOT / "src")
    if Path(src).is_dir() and src not in sys.path:
        sys.path.insert(0, src)


class WordSegmenter:
    """underthesea words as index terms, with an in-memory cache per run.

    Words are lower-cased NFC, their syllables joined with ``_``; tokens without a
    letter or digit (punctuation) are dropped.
    """

    def __init__(self) -> None:
        self._cache: dict[str, list[str]] = {}
        self._tokenize: Callable[[str], list[str]] | None = None

    def __call__(self, text: str) -> list[str]:
        words = self._cache.get(text)
        if words is None:
            if self._tokenize is None:
                from underthesea import word_tokenize

                self._tokenize = word_tokenize
            words = []
            for word in self._tokenize(text):
                parts = syllables(word)
                if parts:
                    words.append("_".join(parts))
            self._cache[text] = words
        return words

    def clear(self) -> None:
        """Forget cached segmentations, so each system's index time includes its own."""
        self._cache.clear()


segment_words = WordSegmenter()
