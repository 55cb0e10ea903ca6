"""THE term vocabulary: which terms a text gives, in which index field.

The indexer, the query compiler and the highlighter all ask :data:`VOCABULARY`, so a
query is analysed exactly like the text it must match and the highlighter marks exactly
what matched. Nothing else in tracuu spells a field name, a pair term or a fold.

Four fields are built from one segmentation of a paragraph:

* ``body`` (:data:`EXACT`): its syllables at positions 0, 1, 2, ... (phrases match on
  these positions);
* ``pairs`` (:data:`PAIRS`): each pair of adjacent syllables (``chỉnh_đốn``, when only
  white space separates them) and each longer word underthesea segmented
  (``ban_nhân_dân``), without positions: texts with the query's words side by side rank
  higher, and a phrase's pairs find its candidates cheaply;
* ``fold`` and ``fpairs`` (:data:`FOLDED`, :data:`FOLDED_PAIRS`): the same without
  diacritics (``chinh``, ``chinh_don``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence

import msgspec

from . import segment as vseg
from . import text as vtext

EXACT = "body"  # syllables as written (normalized, lower case), with positions
FOLDED = "fold"  # the same syllables without diacritics
PAIRS = "pairs"  # adjacent pairs and longer words as written, without positions
FOLDED_PAIRS = "fpairs"  # the same without diacritics
TEXT_FIELDS = (EXACT, FOLDED, PAIRS, FOLDED_PAIRS)
POSITIONAL = frozenset({EXACT, FOLDED})  # fields whose terms keep their positions
# Fields that are values, not text: the file and the paragraph's place in it. The
# document's metadata fields are named after models.Metadata.
PATH, NUMBER, FORMAT = "path", "number", "format"
JOINER = "_"  # between the syllables of a pair or word term

# token kinds: syllables and the words a line-end hyphen cut go to the syllable fields,
# pairs and longer words to the pair fields
SYLLABLE, PAIR, WORD = "syllable", "pair", "word"

FieldTerm = tuple[str, str]  # (field, term)


class Token(msgspec.Struct, frozen=True):
    """One term of a text with where it stands."""

    text: str  # the term, in index form
    pos: int  # position of its first syllable
    start: int  # character offsets into the original text
    end: int
    kind: str  # SYLLABLE, PAIR (pairs and longer words) or WORD (cut by a hyphen)


class Vocabulary:
    """Text -> terms of each field, for indexing, querying and highlighting alike."""

    def __init__(self, cache_size: int = 64) -> None:
        # The fields of one paragraph are analysed from one segmentation.
        self._cache: OrderedDict[str, vseg.Segmentation] = OrderedDict()
        self._cache_size = cache_size

    # ---- indexing

    def segmentation(self, text: str, words: bool = True) -> vseg.Segmentation:
        if not words:
            return vseg.segment(text, words=False)
        seg = self._cache.get(text)
        if seg is None:
            seg = vseg.segment(text)
            self._cache[text] = seg
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return seg

    def tokens(self, text: str, field: str = EXACT, words: bool = True) -> Iterator[Token]:
        """Every term ``text`` gives in ``field``, in text order (``words``: with the
        longer words underthesea segments)."""
        folded = field in (FOLDED, FOLDED_PAIRS)
        pairs = field in (PAIRS, FOLDED_PAIRS)
        seg = self.segmentation(text, words)
        return (
            Token(term, pos, start, end, kind)
            for kind, term, pos, start, end in self._terms_of(seg, folded)
            if (kind == PAIR) == pairs
        )

    def index_terms(self, text: str, words: bool = True) -> dict[str, dict[str, list[int]]]:
        """field -> term -> positions, for indexing one paragraph (one segmentation)."""
        seg = self.segmentation(text, words)
        out: dict[str, dict[str, list[int]]] = {name: {} for name in TEXT_FIELDS}
        for folded, single, pairs in ((False, EXACT, PAIRS), (True, FOLDED, FOLDED_PAIRS)):
            fields = out[single], out[pairs]
            for kind, term, pos, _, _ in self._terms_of(seg, folded):
                fields[kind == PAIR].setdefault(term, []).append(pos)
        return out

    def _terms_of(
        self, seg: vseg.Segmentation, folded: bool
    ) -> Iterator[tuple[str, str, int, int, int]]:
        """(kind, term, position, start, end) of each term of a segmented text, in text
        order: what a :class:`Token` holds (a tuple: a paragraph has many)."""
        longer: dict[int, list[int]] = {}
        for first, count in seg.words:
            if count > 2:
                longer.setdefault(first, []).append(count)
        sylls = seg.syllables
        last = len(sylls) - 1
        for i, syl in enumerate(sylls):
            yield SYLLABLE, self._form(syl.text, folded), i, syl.start, syl.end
            if i < last and sylls[i + 1].joined:
                nxt = sylls[i + 1]
                pair = self._join((syl.text, nxt.text), folded)
                yield PAIR, pair, i, syl.start, nxt.end
            elif i < last and sylls[i + 1].broken:
                # "infor-\nmation": also the word the line break may have cut in two
                nxt = sylls[i + 1]
                yield WORD, self._form(syl.text + nxt.text, folded), i, syl.start, nxt.end
            for count in longer.get(i, ()):
                word = self._join([s.text for s in sylls[i : i + count]], folded)
                yield PAIR, word, i, syl.start, sylls[i + count - 1].end

    # ---- querying: the term of one syllable, pair or word, as the index writes it

    def term(self, syllable: str, folded: bool) -> FieldTerm:
        return (FOLDED, self._form(syllable, True)) if folded else (EXACT, syllable)

    def pair(self, a: str, b: str, folded: bool) -> FieldTerm:
        return self.word((a, b), folded)

    def word(self, syllables: Sequence[str], folded: bool) -> FieldTerm:
        """A syllable's term, or a pair's or longer word's (in the pair fields)."""
        if len(syllables) == 1:
            return self.term(syllables[0], folded)
        return (FOLDED_PAIRS if folded else PAIRS), self._join(syllables, folded)

    def syllables(self, text: str) -> list[vseg.Syllable]:
        """The syllables of a query text (index form, with ``joined`` flags)."""
        return list(vseg.segment(text, words=False).syllables)

    def words(self, text: str) -> list[tuple[int, int]]:
        """(first syllable, count) of each multi-syllable word underthesea finds in ``text``."""
        return list(self.segmentation(text).words)

    # ---- highlighting

    def matches(self, text: str, wanted: set[FieldTerm]) -> list[tuple[int, int]]:
        """Offsets in ``text`` of each syllable whose term in some field is ``wanted``."""
        exact = frozenset(term for field, term in wanted if field == EXACT)
        folded = frozenset(term for field, term in wanted if field == FOLDED)
        if not exact and not folded:
            return []
        return vseg.matching_spans(text, exact, folded)

    # ---- the two rules every term follows

    @staticmethod
    def _form(syllable: str, folded: bool) -> str:
        if not folded:
            return syllable
        form = _FOLDS.get(syllable)
        if form is None:
            if len(_FOLDS) >= FOLDS_KEPT:
                _FOLDS.clear()
            form = _FOLDS[syllable] = vtext.fold_diacritics(syllable)
        return form

    @staticmethod
    def _join(syllables: Sequence[str], folded: bool) -> str:
        # (folding is NFC, then a character-for-character table; JOINER neither composes
        # with a neighbour nor folds: folding the syllables one by one, then joining
        # them, is folding them joined)
        return JOINER.join([Vocabulary._form(s, True) for s in syllables] if folded else syllables)


# syllables folded, as they were last asked for (a text has few distinct syllables;
# folding one costs a normalization and a translation)
_FOLDS: dict[str, str] = {}
FOLDS_KEPT = 200_000

VOCABULARY = Vocabulary()


def is_accented(syllable: str) -> bool:
    """Does the syllable carry a diacritic (so that it is matched exactly)?"""
    return vtext.has_diacritics(syllable)
