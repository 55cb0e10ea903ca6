"""Hints for the user: how the archive writes words typed without diacritics, and
"did you mean" when nothing matches."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

from . import text as vtext
from .analysis import VOCABULARY, is_accented
from .engine import Searcher
from .models import Restoration
from .query import compiled as c

RESTORE_SAMPLE = 40  # paragraphs read to learn how unaccented words are written
MAX_RESTORE_RUN = 8  # longer unaccented runs (questions) are not restored as a whole
DOMINANT = 0.6  # share of occurrences that makes one accented reading "the" reading


def restorations(
    engine: Searcher, runs: Sequence[Sequence[str]], filter: c.Node | None
) -> list[Restoration]:
    """Accented spellings, as the archive writes them, of runs typed without diacritics.

    Reads a sample of the paragraphs that have a run's syllables side by side (unscored:
    cheap, stops early) and counts the forms found there.
    """
    runs = [run for run in runs if len(run) <= MAX_RESTORE_RUN]
    if not runs:
        return []
    node = c.Combine(c.ANY, tuple(_side_by_side(run) for run in runs))
    docnums = itertools.islice(engine.docs(node, filter), RESTORE_SAMPLE)
    texts = [engine.paragraph(d)[0].text for d in docnums]
    return [r for r in (_restore(run, texts) for run in runs) if r is not None]


def _side_by_side(run: Sequence[str]) -> c.Node:
    """Paragraphs with the run's syllables side by side, whatever their diacritics."""
    if len(run) == 1:
        return c.Term(*VOCABULARY.term(run[0], True))
    return c.Combine(
        c.ALL, tuple(c.Term(*VOCABULARY.pair(a, b, True)) for a, b in zip(run, run[1:]))
    )


def _restore(run: Sequence[str], texts: list[str]) -> Restoration | None:
    typed = " ".join(run)
    target = [VOCABULARY.term(x, True)[1] for x in run]
    n = len(target)
    groups: dict[str, Counter[str]] = {}
    for text in texts:
        if target[0] not in vtext.fold_diacritics(vtext.casefold(text)):
            continue
        sylls = VOCABULARY.syllables(text)
        folded = [VOCABULARY.term(x.text, True)[1] for x in sylls]
        for i in range(len(sylls) - n + 1):
            if folded[i : i + n] == target:
                form = " ".join(vtext.normalize(text[x.start : x.end]) for x in sylls[i : i + n])
                groups.setdefault(vtext.casefold(form), Counter())[form] += 1
    ranked = sorted(groups.items(), key=lambda kv: -sum(kv[1].values()))
    if not ranked or ranked[0][0] == typed:
        return None  # the archive writes it as typed: nothing to restore
    total = sum(sum(counts.values()) for _, counts in ranked)
    forms = tuple((counts.most_common(1)[0][0], sum(counts.values())) for _, counts in ranked[:5])
    return Restoration(typed, forms, dominant=forms[0][1] >= DOMINANT * total)


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
