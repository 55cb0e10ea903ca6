"""Hints for the user: how the archive writes words typed without diacritics, and
"did you mean" when nothing matches.

How a run of unaccented syllables is written is read from index-wide counts: every
spelling of each syllable that folds to it (``text.accented_forms``) is looked up in the
exact field, and readings of a run are chained through the counts of their adjacent
pairs. The same index gives the same readings, whatever order it stores paragraphs in.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Sequence

from . import text as vtext
from .analysis import VOCABULARY, is_accented
from .engine import Searcher
from .models import Restoration
from .query import compiled as c
from .recent import Recent

MAX_RESTORE_RUN = 8  # longer unaccented runs (questions) are not restored as a whole
DOMINANT = 0.6  # share of occurrences that makes one accented reading "the" reading
FORMS = 6  # spellings of each syllable followed into readings of a run
BEAM = 8  # readings of a run kept at each step
SHOWN = 5  # readings reported
SPELLINGS = 4  # readings of a syllable or pair an unaccented query word matches
RESTORED_KEPT = 1024  # runs whose restorations are kept (each reads paragraphs for case)
CASE_SAMPLE = 8  # paragraphs read to show a reading in the archive's capitalization

_SENTENCE_END = re.compile(r"[.!?:;]\s*$")
Reading = tuple[tuple[str, ...], int]  # (syllables in index form, occurrences)


class Restorer:
    """Accented readings of unaccented runs, from one index (caches its lookups)."""

    def __init__(self, engine: Searcher) -> None:
        self.engine = engine
        self._written: dict[str, list[tuple[str, int]]] = {}
        self._spellings: dict[tuple[str, ...], list[tuple[tuple[str, ...], float]]] = {}
        self._restored: Recent[tuple[tuple[str, ...], bool], Restoration | None]
        self._restored = Recent(RESTORED_KEPT)

    def restorations(self, runs: Sequence[Sequence[str]], cased: bool) -> list[Restoration]:
        """A Restoration for each run the archive writes with diacritics.

        ``cased`` reads a few paragraphs to show each reading as the archive capitalizes
        it ("chỉnh đốn Đảng"); without it readings are in index form (lower case).
        """
        out = []
        for run in runs:
            if len(run) > MAX_RESTORE_RUN:
                continue
            key = (tuple(run), cased)
            if key not in self._restored:  # (the index, and so the answer, does not change)
                self._restored[key] = self._restoration(run, cased)
            found = self._restored[key]
            if found is not None:
                out.append(found)
        return out

    def _restoration(self, run: Sequence[str], cased: bool) -> Restoration | None:
        readings = self._readings(run)
        if not readings or " ".join(readings[0][0]) == " ".join(run):
            return None  # nothing found, or the archive writes it as typed
        total = sum(n for _, n in readings)
        shown = [(self._cased(r) if cased else " ".join(r), n) for r, n in readings[:SHOWN]]
        return Restoration(" ".join(run), tuple(shown), shown[0][1] >= DOMINANT * total)

    def written(self, syllable: str) -> list[tuple[str, int]]:
        """The spellings of one syllable in the archive, most frequent first."""
        folded = VOCABULARY.term(syllable, True)[1]
        if folded not in self._written:
            forms = vtext.accented_forms(folded)
            # the index's spellings, of those a Vietnamese word has (kept under their own
            # folds: "qui" is written "quy", which folds to "quy"; tone placement changes
            # no other letter)
            folds = sorted({folded, vtext.canonical_tones(folded)})
            tables = [self.engine.spellings(x) for x in folds]
            if all(t is not None for t in tables):
                possible = set(forms)
                found = [(f, n) for t in tables for f, n in t or () if n > 0 and f in possible]
            else:
                terms = [VOCABULARY.term(form, False) for form in forms]
                counts = self.engine.frequencies(terms)
                found = [(f, n) for f, n in zip(forms, counts, strict=True) if n > 0]
            self._written[folded] = sorted(found, key=lambda x: (-x[1], x[0]))
        return self._written[folded]

    def spellings(self, typed: tuple[str, ...]) -> list[tuple[tuple[str, ...], float]]:
        """How the archive writes one syllable or an adjacent pair typed without
        diacritics: its most frequent readings, each with its share of the occurrences."""
        if typed not in self._spellings:
            readings = self._readings(typed)
            total = sum(n for _, n in readings) or 1
            self._spellings[typed] = [(r, n / total) for r, n in readings[:SPELLINGS]]
        return self._spellings[typed]

    def _readings(self, run: Sequence[str]) -> list[Reading]:
        """Readings of a run, most frequent first, counted by their rarest adjacent pair
        (a syllable typed with diacritics is read as typed)."""
        beams: list[Reading] = [((f,), n) for f, n in self._forms(run[0])]
        for syllable in run[1:]:
            forms = [form for form, _ in self._forms(syllable)]
            steps = [(reading, count, form) for reading, count in beams for form in forms]
            pairs = [VOCABULARY.pair(reading[-1], form, False) for reading, _, form in steps]
            grown = [
                ((*reading, form), min(count, pair))
                for (reading, count, form), pair in zip(
                    steps, self.engine.frequencies(pairs), strict=True
                )
                if pair
            ]
            beams = sorted(grown, key=lambda x: (-x[1], x[0]))[:BEAM]
        return beams

    def _forms(self, syllable: str) -> list[tuple[str, int]]:
        if is_accented(syllable):
            return [(syllable, sys.maxsize)]  # (its pairs count the reading)
        return self.written(syllable)[:FORMS]

    def _cased(self, reading: tuple[str, ...]) -> str:
        """The reading as the archive most often capitalizes it, in a few paragraphs."""
        words = [VOCABULARY.term(x, False)[1] for x in reading]
        if len(words) == 1:
            node: c.Node = c.Term(*VOCABULARY.term(words[0], False))
        else:
            # paragraphs with every pair of the reading (the text is checked below): a
            # phrase would read the positions of common syllables, many times the cost
            pairs = zip(words, words[1:])
            node = c.Combine(c.ALL, tuple(c.Term(*VOCABULARY.pair(a, b, False)) for a, b in pairs))
        forms: Counter[str] = Counter()
        for docnum in self.engine.docs(node, CASE_SAMPLE * (len(words) - 1 or 1)):
            text = self.engine.paragraph(docnum).text
            sylls = VOCABULARY.syllables(text)
            for i in range(len(sylls) - len(words) + 1):
                if [x.text for x in sylls[i : i + len(words)]] == words:
                    span = sylls[i : i + len(words)]
                    form = " ".join(vtext.normalize(text[x.start : x.end]) for x in span)
                    # a capital that only starts a sentence says nothing about the word
                    starts = i == 0 or _SENTENCE_END.search(text, 0, span[0].start) is not None
                    forms[form] += 0 if starts else 1
        best = sorted(forms.items(), key=lambda x: (-x[1], x[0]))
        return best[0][0] if best else " ".join(reading)


def suggestion(engine: Searcher, query: str, words: Sequence[str]) -> str | None:
    """ "Did you mean": the query with words missing from the index replaced by close ones."""
    replacements: dict[str, str] = {}
    for word in dict.fromkeys(words):
        field, term = VOCABULARY.term(word, not is_accented(word))
        if engine.frequency(field, term) > 0:
            continue
        found = engine.suggest(field, term)
        if found:
            replacements[word] = found
    if not replacements:
        return None
    out = []
    for token in query.split():
        key = vtext.term_form(token.strip(".,;:!?\"'()"))
        out.append(replacements.get(key, token))
    suggested = " ".join(out)
    return suggested if suggested != query else None
