"""Question words: what a question asks with, and the text that answers it does not say.

"Việc làm là gì?" is answered by "Việc làm là hoạt động lao động tạo ra thu nhập ...":
"gì" (what) is not in the answer, no more than "bao nhiêu", "như thế nào" or "ở đâu" are
in the answers to the questions they ask. A plain-word run of a query leaves them out
of its search: required, they would keep a short question from the paragraph that answers
it; optional, they would favour the paragraphs that ask questions. A quoted phrase keeps
every word, and a query of question words alone keeps them: they are what it looks for.

A question that opens by naming its source ("Theo Bộ luật Dân sự 2015, lợi tức được hiểu
như thế nào?", "Theo bạn, ...") leaves that clause out too: the article that answers does
not cite the code it belongs to, and the articles that do (its closing provisions) are
not the answer. Only a clause that opens the run, ends at a comma within a few words, and
is followed by a question; "theo dõi", "theo học" ... are words of their own.

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
        "như nào",
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
        # "what" with a classifier: the answer names the thing, not "điều" or "cái"
        "điều gì",
        "cái gì",
        "những gì",
        "việc gì",
        "chuyện gì",
        "thứ gì",
        "gì",
        "nào",
        "ai",
        "mấy",
        "đâu",
    )
)
# "... có được nghỉ không?": asking only where a question mark follows ("hàng không")
FINAL = frozenset({"không", "chưa"})

# "Theo <source>, <question>": the source is at most this many words after "theo"...
SOURCE_MAX = 12
# ...and "theo" does not start one of these words ("theo dõi, đánh giá thế nào?")
THEO_WORDS = frozenset({"dõi", "đuổi", "học", "kịp", "sát", "gót", "chân", "đòi", "hầu"})
_THEO_WORDS_FOLDED = frozenset(fold_diacritics(w) for w in THEO_WORDS)

ReadsAs = Callable[[str], str | None]  # an unaccented syllable -> how the archive writes it

# the expressions by their first syllable without diacritics, longest first: a syllable
# that starts none (most) costs one fold and one look-up
_STARTING: dict[str, list[tuple[str, ...]]] = {}
for _e in sorted(EXPRESSIONS, key=len, reverse=True):
    _STARTING.setdefault(fold_diacritics(_e[0]), []).append(_e)
_FINAL_FOLDED = frozenset(fold_diacritics(w) for w in FINAL)


def asked(
    sylls: Sequence[Syllable], text: str, reads_as: ReadsAs, sources: bool = False
) -> set[int]:
    """The places in ``sylls`` (the syllables of ``text``, in index form) of the question
    words, and with ``sources`` of an opening "Theo <source>," of a question; none when
    every syllable is one of them."""
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
    if sources:
        found.update(_source(sylls, text, found))
    return set() if len(found) == len(sylls) else found


def _source(sylls: Sequence[Syllable], text: str, asking: set[int]) -> range:
    """The places of an opening "Theo <source>," when a question follows it."""
    if len(sylls) < 4 or fold_diacritics(sylls[0].text) != "theo":
        return range(0)
    second = sylls[1].text
    if (second in THEO_WORDS) if is_accented(second) else (second in _THEO_WORDS_FOLDED):
        return range(0)
    for end in range(2, min(len(sylls) - 1, SOURCE_MAX + 1)):
        if "," in text[sylls[end - 1].end : sylls[end].start]:
            rest = range(end, len(sylls))
            question = text.rstrip().endswith("?") or any(i in asking for i in rest)
            said = [i for i in rest if i not in asking]  # (what is left to look for)
            return range(end) if question and len(said) > 1 else range(0)
    return range(0)


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
