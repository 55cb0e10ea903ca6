"""Question words: what a question asks with, and the text that answers it does not say.

"Việc làm là gì?" is answered by "Việc làm là hoạt động lao động tạo ra thu nhập ...":
"gì" (what) is not in the answer, no more than "bao nhiêu", "như thế nào" or "ở đâu" are
in the answers to the questions they ask. A plain-word run of a query leaves them out
of its search: required, they would keep a short question from the paragraph that answers
it; optional, they would favour the paragraphs that ask questions. A quoted phrase keeps
every word, and a query of question words alone keeps them: they are what it looks for.

Typed with diacritics, a question word is matched as written. Typed without, an
expression of several syllables is matched folded ("nhu the nao"); a single syllable
only where the archive writes it mostly as the question word ("gi" as "gì"): "may" is
"máy" (a machine) as often as "mấy" (how many).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..analysis import is_accented
from ..segment import Syllable
from ..text import fold_diacritics

# in index form (lower case, NFC)
EXPRESSIONS: tuple[tuple[str, ...], ...] = tuple(
    tuple(e.split())
    for e in (
        "như thế nào",
        "thế nào",
        "ra sao",
        "tại sao",
        "vì sao",
        "làm sao",
        "bao nhiêu",
        "bao lâu",
        "bao giờ",
        "khi nào",
        "lúc nào",
        "ở đâu",
        "hay không",
        "gì",
        "nào",
        "ai",
        "mấy",
        "đâu",
    )
)
# "... có được nghỉ không?": asking only where a question mark follows ("hàng không")
FINAL = frozenset({"không", "chưa"})

ReadsAs = Callable[[str], str | None]  # an unaccented syllable -> how the archive writes it

# the expressions by their first syllable without diacritics, longest first: a syllable
# that starts none (most) costs one fold and one look-up
_STARTING: dict[str, list[tuple[str, ...]]] = {}
for _e in sorted(EXPRESSIONS, key=len, reverse=True):
    _STARTING.setdefault(fold_diacritics(_e[0]), []).append(_e)
_FINAL_FOLDED = frozenset(fold_diacritics(w) for w in FINAL)


def asked(sylls: Sequence[Syllable], text: str, reads_as: ReadsAs) -> set[int]:
    """The places in ``sylls`` (the syllables of ``text``, in index form) of the question
    words; none when every syllable is one."""
    folded = [fold_diacritics(x.text) for x in sylls]
    found: set[int] = set()
    i = 0
    while i < len(sylls):
        for expression in _STARTING.get(folded[i], ()):
            k = len(expression)
            run = sylls[i : i + k]
            if (
                len(run) == k
                and all(x.joined for x in run[1:])
                and folded[i : i + k] == [fold_diacritics(w) for w in expression]
                and all(_same(x.text, word, k, reads_as) for x, word in zip(run, expression))
            ):
                found.update(range(i, i + k))
                i += k
                break
        else:
            if folded[i] in _FINAL_FOLDED and _final(sylls[i], text, reads_as):
                found.add(i)
            i += 1
    return set() if len(found) == len(sylls) else found


def _same(typed: str, word: str, length: int, reads_as: ReadsAs) -> bool:
    """Is ``typed`` (of the same letters as ``word``, without diacritics) that word?"""
    if is_accented(typed):
        return typed == word
    if length > 1:
        return True
    reading = reads_as(typed)
    return reading == word if reading is not None else typed == word


def _final(syllable: Syllable, text: str, reads_as: ReadsAs) -> bool:
    if not text[syllable.end :].lstrip().startswith("?"):
        return False
    folded = fold_diacritics(syllable.text)
    return any(_same(syllable.text, w, 2, reads_as) for w in FINAL if fold_diacritics(w) == folded)
