"""Whoosh analyzers for Vietnamese: the only seam between Whoosh and text/segment.

Two index fields are built from one segmentation of a paragraph:

* ``body``: syllables at positions 0, 1, 2, ...; at the position of each syllable also
  the pair it forms with the next one (``chỉnh_đốn``, when only white space separates
  them) and each longer word underthesea segmented from there (``ban_nhân_dân``). A
  two-syllable word is its pair. So ``Đảng``, ``chỉnh đốn`` and phrases on syllable
  positions are all found, and texts with the query's words side by side rank higher;
* ``fold``: the same tokens without diacritics (``chinh_don``).
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Composable, Filter, Token, Tokenizer

from . import segment as vseg
from . import text as vtext


def index_tokens(seg: vseg.Segmentation) -> Iterator[tuple[str, int, int, int]]:
    """(text, position, start, end): each syllable, then the pair and words starting there."""
    longer: dict[int, list[int]] = {}
    for first, count in seg.words:
        if count > 2:
            longer.setdefault(first, []).append(count)
    sylls = seg.syllables
    last = len(sylls) - 1
    for i, syl in enumerate(sylls):
        yield syl.text, i, syl.start, syl.end
        if i < last and sylls[i + 1].joined:
            nxt = sylls[i + 1]
            yield f"{syl.text}_{nxt.text}", i, syl.start, nxt.end
        for count in longer.get(i, ()):
            yield seg.word_text(i, count), i, syl.start, sylls[i + count - 1].end


class VietnameseTokenizer(Tokenizer):
    """Tokens of a Vietnamese text (see :func:`index_tokens`), in index form."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

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
        for text, pos, start, end in index_tokens(vseg.cache.get(value)):
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


def exact_analyzer() -> Composable:
    return VietnameseTokenizer()


def folded_analyzer() -> Composable:
    return VietnameseTokenizer() | FoldFilter()
