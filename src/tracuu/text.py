"""Vietnamese text rules shared by indexing, querying and highlighting.

Pure functions: Unicode NFC, one canonical tone placement, case folding and diacritic
folding. Everything that compares Vietnamese words goes through here, so a query is
normalized exactly like the text it should match.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

# The five tone marks (grave, acute, hook above, tilde, dot below). Vowel-quality marks
# (circumflex, breve, horn) are not tones and never move.
TONE_MARKS = frozenset("\u0300\u0301\u0309\u0303\u0323")

_WORD = re.compile(r"[^\W_]+")


def _split_marks(ch: str) -> tuple[str, str, str]:
    """Return (base letter, vowel-quality marks, tone mark) of one NFC character."""
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    tone = "".join(m for m in marks if m in TONE_MARKS)
    quality = "".join(m for m in marks if m not in TONE_MARKS)
    return base, quality, tone


def _compose(base: str, quality: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + quality + tone)


@lru_cache(maxsize=65536)
def canonical_syllable(syllable: str) -> str:
    """One spelling for a syllable that Vietnamese writes two ways.

    * Open syllables ending in ``oa``, ``oe``, ``uy`` carry the tone on the first vowel
      (``hoà`` -> ``hòa``, ``khoẻ`` -> ``khỏe``, ``thuỷ`` -> ``thủy``), the placement
      underthesea also produces. Closed syllables (``hoàn``) and ``qu`` + ``y``
      (``quý``, where ``u`` belongs to the onset) are left alone.
    * ``qu`` + ``i`` is written ``qu`` + ``y`` (``qui chế`` = ``quy chế``): after ``qu``
      the two letters are the same sound, the reform spelling, and underthesea
      rewrites it the same way. Other i/y pairs (``lí``/``lý``, ``kĩ``/``kỹ``) are left
      alone: their use differs by word and region and folding them would merge words.

    The result has the same length as the input (NFC), so offsets stay valid.
    """
    n = len(syllable)
    if n < 2:
        return syllable
    chars = list(syllable)
    lower = syllable.lower()
    # qu + i (+ tone) as a whole syllable -> qu + y
    if n == 3 and lower[:2] == "qu":
        base, quality, tone = _split_marks(chars[2])
        if base in "iI" and not quality:
            chars[2] = _compose("y" if base == "i" else "Y", "", tone)
            return "".join(chars)
    b1, q1, t1 = _split_marks(chars[-2])
    b2, q2, t2 = _split_marks(chars[-1])
    pair = (b1 + b2).lower()
    if pair not in ("oa", "oe", "uy") or q1 or q2 or not t2 or t1:
        return syllable
    if pair == "uy" and n >= 3 and lower[-3] == "q":
        return syllable  # quý: qu is the onset, y carries the tone
    if n >= 3 and _split_marks(chars[-3])[0].lower() in "aeiouy":
        return syllable  # three vowels (e.g. "uoa"): not the two-vowel open case
    chars[-2] = _compose(b1, "", t2)
    chars[-1] = _compose(b2, "", "")
    return "".join(chars)


# Words that canonical_syllable may change: a toned a/e/y after o/u at the end of a word,
# or the syllable qu+i. A text is searched for these endings alone, at C speed (most
# paragraphs have none), and each word found is read back to its first letter: one
# expression over every word (a look-behind at each letter) took twice the time.
_TONED_END = r"[oOuU][àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸỳýỷỹỵỲÝỶỸỴ](?![^\W_])"
_QUI = r"[qQ][uU][iìíỉĩịIÌÍỈĨỊ](?![^\W_])"
_ENDING = re.compile(f"{_TONED_END}|{_QUI}")


def canonical_tones(text: str) -> str:
    """Apply :func:`canonical_syllable` to every word of an NFC text (length-preserving)."""
    found = _ENDING.search(text)
    if found is None:
        return text
    pieces: list[str] = []
    done = 0
    while found is not None:
        start, end = found.span()
        first = start  # the word's first letter ([^\W_] is what isalnum() says)
        while first and text[first - 1].isalnum():
            first -= 1
        pieces += (text[done:first], canonical_syllable(text[first:end]))
        done = end
        found = _ENDING.search(text, end)
    pieces.append(text[done:])
    return "".join(pieces)


def normalize(text: str) -> str:
    """NFC, canonical tone placement and ``qu``+``y``; keeps case."""
    return canonical_tones(unicodedata.normalize("NFC", text))


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalize ``text`` and map each output character back to the original.

    Returns ``(normalized, starts)`` where ``starts[i]`` is the index in ``text`` of the
    character that produced ``normalized[i]``; ``starts[len(normalized)] == len(text)``.
    An NFD paragraph thus yields offsets into the NFD original.
    """
    if unicodedata.is_normalized("NFC", text):
        return canonical_tones(text), list(range(len(text) + 1))
    pieces: list[str] = []
    starts: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        chunk = unicodedata.normalize("NFC", text[i:j])
        pieces.append(chunk)
        starts.extend([i] * len(chunk))
        i = j
    starts.append(n)
    return canonical_tones("".join(pieces)), starts


def casefold(text: str) -> str:
    """Lower case, Vietnamese-safe (``Đ`` -> ``đ``); same length for Vietnamese text."""
    return text.lower()


_KEPT_BELOW = 0x3000  # characters below this are in the table, as themselves if kept


def _fold_table() -> list[int | str | None]:
    """Every precomposed Latin/Greek/Cyrillic letter -> its base letter; marks -> nothing.

    A list indexed by code point, whose letters kept are there as themselves (up to
    ``_KEPT_BELOW``): translate() looks up every character, and one it cannot find costs
    it an exception (folding paragraphs to highlight them took twice as long). translate()
    reads a list faster than a dict: folding each hit's paragraph to highlight it takes
    about a tenth less. What goes in it comes from ``_foldtable`` (made from
    :func:`fold_table_from_unicode`: every command makes the table, and asking
    unicodedata about 8,000 characters took a thirtieth of a cold search)."""
    from . import _foldtable

    table: list[int | str | None] = list(range(_KEPT_BELOW))
    for letter, base in zip(_foldtable.LETTERS, _foldtable.BASES, strict=True):
        table[ord(letter)] = base
    for first, last in _foldtable.MARKS:
        table[first : last + 1] = [None] * (last + 1 - first)
    return table


def fold_table_from_unicode() -> list[int | str | None]:
    """The fold table as unicodedata gives it: each letter below U+2000 that NFD turns
    into one other letter and marks -> that letter; the marks -> nothing; ``đ`` -> ``d``.
    (tests/test_text.py checks that ``_foldtable`` holds the same.)"""
    table: list[int | str | None] = list(range(_KEPT_BELOW))
    letters = "".join(map(chr, range(0x00C0, 0x2000)))
    for ch in filter(unicodedata.decomposition, letters):  # the rest NFD leaves as it is
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch and len(base) == 1:
            table[ord(ch)] = base
    for mark in filter(unicodedata.combining, letters):
        table[ord(mark)] = None
    # đ has no decomposition: plain NFD stripping would keep it
    for letter, base in (("đ", "d"), ("Đ", "D"), ("ð", "d"), ("Ð", "D")):
        table[ord(letter)] = base
    return table


def _escaped(ch: str) -> str:
    return ch if " " < ch < "\x7f" and ch not in '"\\' else f"\\u{ord(ch):04x}"


def _string_lines(pieces: list[str], width: int = 84) -> list[str]:
    """Python string literals, one per line, that together hold ``pieces`` in order."""
    lines: list[str] = []
    line = ""
    for piece in pieces:
        if len(line) + len(piece) > width:
            lines.append(f'    "{line}"')
            line = ""
        line += piece
    return [*lines, f'    "{line}"'] if line else lines


def fold_table_source(table: list[int | str | None]) -> str:
    """The text of ``_foldtable.py`` for ``table`` (made by :func:`fold_table_from_unicode`)."""
    folds = [(cp, v) for cp, v in enumerate(table) if isinstance(v, str)]
    marks = [cp for cp, v in enumerate(table) if v is None]
    runs: list[tuple[int, int]] = []
    for cp in marks:
        if runs and runs[-1][1] == cp - 1:
            runs[-1] = (runs[-1][0], cp)
        else:
            runs.append((cp, cp))
    letters = _string_lines([_escaped(chr(cp)) for cp, _ in folds])
    bases = _string_lines([_escaped(base) for _, base in folds])
    lines = [
        '"""The diacritic fold table\'s data (text._fold_table), made by',
        "text.fold_table_source(text.fold_table_from_unicode()): do not edit by hand.",
        '"""',
        "",
        "# each letter, and the letter it folds to",
        "LETTERS = (",
        *letters,
        ")",
        "BASES = (",
        *bases,
        ")",
        "# the marks folding removes: (first, last) code points",
        "MARKS = (",
        *(f"    (0x{a:04X}, 0x{b:04X})," for a, b in runs),
        ")",
        "",
    ]
    return "\n".join(lines)


_FOLD = _fold_table()


def fold_diacritics(text: str) -> str:
    """Remove every diacritic: tones, circumflex, breve, horn, and ``đ`` -> ``d``.

    One C-level translate over the NFC text, so it is cheap enough for whole paragraphs;
    on NFC Vietnamese text it keeps the length, so offsets stay valid.
    """
    return unicodedata.normalize("NFC", text).translate(_FOLD)


def has_diacritics(word: str) -> bool:
    """True when the word carries any Vietnamese diacritic (including ``đ``)."""
    return fold_diacritics(word) != unicodedata.normalize("NFC", word)


def is_valid(text: str) -> bool:
    """Is this real text? (Bytes that were not UTF-8 come through as lone surrogates.)"""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def term_form(word: str) -> str:
    """The exact index form of a word: normalized and lower-cased."""
    return casefold(normalize(word))


def folded_form(word: str) -> str:
    """The folded index form of a word: exact form without diacritics."""
    return fold_diacritics(term_form(word))


# Letters that diacritics can turn a plain letter into (vowel quality marks and đ).
_QUALITIES = {"a": "aăâ", "e": "eê", "o": "oôơ", "u": "uư", "i": "i", "y": "y", "d": "dđ"}
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")


def accented_forms(folded: str) -> list[str]:
    """Every spelling of a lower-case syllable that folds to ``folded``: each vowel with or
    without its quality marks, d or đ, and at most one tone (in canonical placement).

    ``song`` -> ``song, sóng, sông, sống, sơn ...``; what the archive writes is found by
    looking these up, so no list of Vietnamese words is needed.
    """
    if len(folded) > 12 or not folded.isalpha() or not folded.isascii():
        return [folded]  # a number, a foreign word: only as typed
    choices = [_LETTERS.get(ch, (ch,)) for ch in folded]
    vowels = [i for i, ch in enumerate(folded) if ch in "aeiouy"]
    # (canonical_tones changes only words ending so: the others are kept as made)
    canonical = canonical_tones if folded.endswith(_CHANGING) else str
    out: dict[str, None] = {}
    for letters in itertools.product(*choices):
        out[canonical("".join(letters))] = None  # (letters composed: the word is NFC)
        for tone in _TONES[1:]:
            for i in vowels:
                word = [*letters[:i], _TONED[letters[i], tone], *letters[i + 1 :]]
                out[canonical("".join(word))] = None
    return list(out)


_CHANGING = ("oa", "oe", "uy", "qui")  # folded endings of the words _ENDING may find


# each letter of _QUALITIES with its quality marks, composed; and each vowel with a tone
_LETTERS = {k: tuple(unicodedata.normalize("NFC", x) for x in v) for k, v in _QUALITIES.items()}
_TONED = {
    (x, tone): unicodedata.normalize("NFC", x + tone)
    for v in _LETTERS.values()
    for x in v
    for tone in _TONES[1:]
}
