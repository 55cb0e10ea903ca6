"""Whoosh analyzers for Vietnamese: the only seam between Whoosh and text/segment.

Four index fields are built from one segmentation of a paragraph:

* ``body``: syllables at positions 0, 1, 2, ... plus each multi-syllable word
  (``chỉnh_đốn``) as an extra token at the position of its first syllable, so both
  ``Đảng`` and ``chỉnh đốn`` are found and phrases work on syllable positions;
* ``fold``: the same tokens without diacritics (``chinh_don``);
* ``pair`` / ``pair_fold``: adjacent syllable pairs not split by punctuation, which
  rank documents that contain the query's words side by side.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Composable, Filter, Token, Tokenizer

from . import segment as vseg
from . import text as vtext


def syllable_tokens(seg: vseg.Segmentation, with_words: bool = True) -> Iterator[tuple[str, int, int, int]]:
    """(text, position, start, end) for syllables and, after each, words starting there."""
    starts: dict[int, list[tuple[int, int]]] = {}
    if with_words:
        for first, count in seg.words:
            starts.setdefault(first, []).append((first, count))
    sylls = seg.syllables
    for i, syl in enumerate(sylls):
        yield syl.text, i, syl.start, syl.end
        for first, count in starts.get(i, ()):
            yield seg.word_text(first, count), i, syl.start, sylls[first + count - 1].end


def pair_tokens(seg: vseg.Segmentation) -> Iterator[tuple[str, int, int, int]]:
    """(text, position, start, end) for each adjacent syllable pair."""
    sylls = seg.syllables
    for i in range(1, len(sylls)):
        if sylls[i].joined:
            a, b = sylls[i - 1], sylls[i]
            yield f"{a.text}_{b.text}", i - 1, a.start, b.end


class VietnameseTokenizer(Tokenizer):
    """Tokens of a Vietnamese text; ``kind`` is ``"words"`` or ``"pairs"``."""

    def __init__(self, kind: str = "words") -> None:
        self.kind = kind

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.kind == self.kind

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        seg = vseg.cache.get(value)
        source = pair_tokens(seg) if self.kind == "pairs" else syllable_tokens(seg)
        for text, pos, start, end in source:
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class FoldFilter(Filter):
    """Removes diacritics (tones, vowel marks, đ) from each token."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = vtext.fold_diacritics(t.text)
            yield t


def exact_analyzer(kind: str = "words") -> Composable:
    return VietnameseTokenizer(kind)


def folded_analyzer(kind: str = "words") -> Composable:
    return VietnameseTokenizer(kind) | FoldFilter()
