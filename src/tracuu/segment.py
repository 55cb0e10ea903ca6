"""Vietnamese word segmentation with character offsets into the ORIGINAL text.

underthesea rewrites what it segments (``qui`` -> ``quy``, ``hoà`` -> ``hòa``, NFD -> NFC),
so its output cannot be found again with ``str.find``. We segment the normalized text
(whose characters map back to the original through :func:`text.normalize_with_offsets`),
split syllables ourselves, and align underthesea's words onto those syllables.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import msgspec

from . import text as vtext

_SYLLABLE = re.compile(r"[^\W_]+")
_GAP_IS_SPACE = re.compile(r"\s*")
_GAP_IS_HYPHEN_BREAK = re.compile(r"-[^\S\n]*\n\s*")  # "infor-\nmation": a word cut at a line end


class Syllable(msgspec.Struct, frozen=True):
    """One syllable (or other alphanumeric run) of a text, in index form."""

    text: str  # normalized, lower-cased
    start: int  # offsets into the original text
    end: int
    joined: bool  # only white space separates it from the previous syllable
    broken: bool = False  # the previous syllable ends a line with a hyphen: maybe one word


class Segmentation(msgspec.Struct, frozen=True):
    """Syllables of a text plus the multi-syllable words underthesea found in it."""

    syllables: tuple[Syllable, ...]
    # (first syllable index, syllable count) of each word of two or more syllables
    words: tuple[tuple[int, int], ...]

    def word_text(self, first: int, count: int) -> str:
        return "_".join(s.text for s in self.syllables[first : first + count])


_word_tokenize = None


def _underthesea_words(text: str) -> list[str]:
    global _word_tokenize
    if _word_tokenize is None:
        # Imported lazily: loading the CRF model costs ~0.3 s, not needed for --help.
        from underthesea import word_tokenize

        _word_tokenize = word_tokenize
    try:
        return _word_tokenize(text)
    except Exception:  # noqa: BLE001 - segmentation is an enrichment; syllables suffice
        return []


def split_syllables(text: str) -> tuple[str, list[int], list[tuple[int, int, bool, bool]]]:
    """Normalize ``text`` and return (normalized, offset map, syllable spans in it).

    Each span is (start, end, joined, broken): see :class:`Syllable`.
    """
    norm, starts = vtext.normalize_with_offsets(text)
    spans: list[tuple[int, int, bool, bool]] = []
    prev_end = -1
    for m in _SYLLABLE.finditer(norm):
        s, e = m.span()
        if s - prev_end == 1 and prev_end >= 0 and norm[prev_end] == " ":  # (most gaps)
            spans.append((s, e, True, False))
        else:
            joined = prev_end >= 0 and _GAP_IS_SPACE.fullmatch(norm, prev_end, s) is not None
            broken = prev_end >= 0 and _GAP_IS_HYPHEN_BREAK.fullmatch(norm, prev_end, s) is not None
            spans.append((s, e, joined, broken))
        prev_end = e
    return norm, starts, spans


def syllable_spans(text: str) -> list[tuple[str, int, int]]:
    """(index form, start, end in ``text``) of each syllable, as :func:`segment` finds
    them, without the rest (what highlighting needs, for every hit shown)."""
    norm, starts = vtext.normalize_with_offsets(text)
    lower = vtext.casefold(norm)
    return [
        (lower[s:e], starts[s], starts[e]) for s, e in (m.span() for m in _SYLLABLE.finditer(norm))
    ]


def matching_spans(
    text: str, exact: frozenset[str], folded: frozenset[str]
) -> list[tuple[int, int]]:
    """(start, end in ``text``) of each syllable (as :func:`syllable_spans` finds them)
    whose index form is in ``exact`` or whose folded form is in ``folded``.

    What highlighting asks of every hit shown: the syllables are found by one regular
    expression over the paragraph (and one over its folded copy) instead of one by one.
    """
    if unicodedata.is_normalized("NFC", text):  # (most are: offsets need no table)
        norm, starts = vtext.canonical_tones(text), None
    else:
        norm, starts = vtext.normalize_with_offsets(text)
    lower = vtext.casefold(norm)
    folded_text = vtext.fold_diacritics(lower) if folded else ""
    if folded and len(folded_text) != len(lower):  # folding dropped a lone mark
        return [
            (s, e)
            for syl, s, e in syllable_spans(text)
            if syl in exact or vtext.fold_diacritics(syl) in folded
        ]
    found: set[tuple[int, int]] = set()
    for terms, within in ((exact, lower), (folded, folded_text)):
        if terms:
            for m in _terms_pattern(terms).finditer(within):
                start = m.start()  # a whole syllable: no letter or digit just before it
                if not start or not within[start - 1].isalnum():  # (as [^\W_] is)
                    found.add(m.span())
    if starts is None:
        return sorted(found)
    return [(starts[s], starts[e]) for s, e in sorted(found)]


@functools.lru_cache(maxsize=64)
def _terms_pattern(terms: frozenset[str]) -> re.Pattern[str]:
    """Any of ``terms`` ending a syllable (a run of _SYLLABLE's characters); where it
    starts is checked after (a look-behind here would hide the terms' first letters from
    the regular expression engine, which then tries every position)."""
    syllables = [t for t in terms if _SYLLABLE.fullmatch(t)]  # no other term is one
    alternatives = "|".join(re.escape(t) for t in sorted(syllables, key=lambda t: (-len(t), t)))
    if not alternatives:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile(rf"(?:{alternatives})(?![^\W_])")


def segment(text: str, words: bool = True) -> Segmentation:
    """Segment ``text``: syllables always, multi-syllable words when ``words``."""
    norm, starts, spans = split_syllables(text)
    lower = vtext.casefold(norm)
    syllables = tuple(
        Syllable(lower[s:e], starts[s], starts[e], joined, broken) for s, e, joined, broken in spans
    )
    if not words or len(spans) < 2:
        return Segmentation(syllables, ())
    return Segmentation(syllables, tuple(_align_words(norm, lower, spans)))


def _align_words(norm: str, lower: str, spans: list[tuple[int, int, bool, bool]]):
    """Yield (first syllable, count) for each multi-syllable underthesea word."""
    index_of_start = {s: i for i, (s, *_rest) in enumerate(spans)}
    cursor = 0
    for word in _underthesea_words(norm):
        parts = word.split(" ")
        located: list[int] = []
        for part in parts:
            pos = _locate(norm, lower, part, cursor)
            if pos < 0:
                located = []
                break
            located.append(pos)
            cursor = pos + len(part)
        if len(parts) < 2 or len(located) != len(parts):
            continue
        if any(p not in index_of_start for p in located):
            continue
        idx = [index_of_start[p] for p in located]
        first = idx[0]
        # a word is only kept when its parts are consecutive whole syllables
        if idx == list(range(first, first + len(idx))) and all(
            spans[first + k][1] - spans[first + k][0] == len(parts[k]) for k in range(len(parts))
        ):
            yield first, len(idx)


def _locate(norm: str, lower: str, part: str, cursor: int, window: int = 64) -> int:
    pos = norm.find(part, cursor, cursor + len(part) + window)
    if pos >= 0:
        return pos
    # underthesea may change case or spelling we do not; compare in index form
    pos = lower.find(vtext.term_form(part), cursor, cursor + len(part) + window)
    return pos
