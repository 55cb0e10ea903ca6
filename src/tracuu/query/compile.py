"""Syntax tree -> compiled query, every term taken from the vocabulary.

A word typed with any diacritic matches that word exactly; a word typed without them
also matches its accented forms through the folded field (the better of the two counts:
an unaccented word is one word). Short runs of plain words need all their syllables and
rank higher where adjacent ones stand side by side; long runs (questions) match any.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import msgspec
from msgspec.structs import replace

from ..analysis import VOCABULARY, FieldTerm, is_accented
from ..errors import QueryError
from ..models import Ranking
from . import compiled as c
from . import syntax as s
from .filters import filter_node
from .questions import asked

SPELLINGS = 4  # readings of a syllable matched in the context of its neighbours

MODES = ("auto", "exact", "fold")


class CompiledQuery(msgspec.Struct, frozen=True):
    """A query ready to run, with what the search around it needs to know."""

    node: c.Node
    highlight: frozenset[FieldTerm]  # a paragraph's syllables with these terms are marked
    unaccented_runs: tuple[tuple[str, ...], ...]  # runs typed without diacritics (auto mode)
    words: tuple[str, ...]  # every positive query syllable, for "did you mean"
    # The pairs of a lone run or phrase: paragraphs with all of them side by side are
    # found cheaply before the full query runs (see search.py).
    pairs: tuple[c.Node, ...] = ()
    phrase: bool = False
    # The syllables and adjacent pairs of every positive run and phrase, each as it is
    # matched (as typed, or folded): what a document read whole is scored on.
    whole: tuple[FieldTerm, ...] = ()


# How the archive writes syllables typed without diacritics: (one syllable or an adjacent
# pair, in index form) -> [(an accented reading, its share of the occurrences)].
Spellings = Callable[[tuple[str, ...]], list[tuple[tuple[str, ...], float]]]


def compile_query(
    tree: s.Node,
    mode: str,
    ranking: Ranking,
    rewrite: dict[str, str] | None = None,
    spellings: Spellings | None = None,
    wide: bool = False,
) -> CompiledQuery:
    """Compile ``tree``; ``rewrite`` maps unaccented runs to the reading to search instead;
    with ``spellings`` (and ``ranking.spelling``), an unaccented word matches each way the
    archive writes it, weighted by how often it does. ``wide``: a run of words, and words
    and phrases joined by AND, match where any of them is (filters and exclusions still
    hold): the search that follows one that found too few documents with every word."""
    if mode not in MODES:
        raise QueryError(f"unknown mode {mode!r} (use one of {', '.join(MODES)})")
    compiler = _Compiler(mode, ranking, rewrite or {}, spellings, wide)
    node = compiler.node(tree)
    if node is None:
        raise QueryError("malformed query: no searchable words in it")
    if isinstance(node, c.Filter) or (isinstance(node, c.Combine) and node.how == c.NOT):
        node = c.Combine(c.ALL, (c.Everything(), node))
    texts = list(_positive_texts(tree))
    runs = [
        (tuple(x.text for x in compiler.searched(text, is_run)), is_run) for text, is_run in texts
    ]
    sylls = [syl for run, _ in runs for syl in run]
    return CompiledQuery(
        node=node,
        highlight=frozenset(VOCABULARY.term(x, not compiler.accented(x)) for x in sylls),
        unaccented_runs=tuple(
            run for run, is_run in runs if is_run and mode == "auto" and _typed_plain(run)
        ),
        words=tuple(sylls),
        pairs=compiler.lone_pairs(tree),
        phrase=isinstance(tree, s.Phrase),
        whole=tuple(term for text, is_run in texts for term in compiler.whole_terms(text, is_run)),
    )


def _typed_plain(run: tuple[str, ...]) -> bool:
    # "chinh đốn" was typed with diacritics: its plain words are just folded
    return any(x.isalpha() for x in run) and not any(is_accented(x) for x in run)


def _positive_texts(node: s.Node, positive: bool = True) -> Iterator[tuple[str, bool]]:
    """(text, is a plain-word run) of every word run and phrase that is not excluded."""
    if isinstance(node, s.Words | s.Phrase):
        if positive:
            yield node.text, isinstance(node, s.Words)
    elif isinstance(node, s.Not):
        yield from _positive_texts(node.child, False)
    elif isinstance(node, s.And | s.Or):
        for child in node.children:
            yield from _positive_texts(child, positive)


class _Compiler:
    def __init__(
        self,
        mode: str,
        ranking: Ranking,
        rewrite: dict[str, str],
        spellings: Spellings | None,
        wide: bool = False,
    ) -> None:
        self.mode = mode
        self.wide = wide
        self.r = ranking
        self.rewrite = rewrite
        self.spellings = spellings if ranking.spelling > 0 and mode == "auto" else None
        self._searched: dict[tuple[str, bool], list] = {}  # (text, run) -> syllables

    def node(self, node: s.Node, positive: bool = True) -> c.Node | None:
        if isinstance(node, s.Words):
            return self.words(node.text, positive)
        if isinstance(node, s.Phrase):
            return self.phrase(node.text)
        if isinstance(node, s.FieldValue):
            return filter_node(node.name, node.value)
        if isinstance(node, s.Not):
            child = self.node(node.child, positive=False)
            return c.Combine(c.NOT, (child,)) if child is not None else None
        compiled = [(ch, self.node(ch, positive)) for ch in node.children]
        kept = [(ch, x) for ch, x in compiled if x is not None]
        children = [x for _, x in kept]
        if not children:
            return None
        if len(children) == 1:
            return children[0]
        if isinstance(node, s.And) and self.wide and positive:
            required = [x for ch, x in kept if isinstance(ch, s.FieldValue | s.Not)]
            some = [x for ch, x in kept if not isinstance(ch, s.FieldValue | s.Not)]
            if len(some) > 1:
                either = c.Combine(c.ANY, tuple(some))
                return c.Combine(c.ALL, (either, *required)) if required else either
        return c.Combine(c.ALL if isinstance(node, s.And) else c.ANY, tuple(children))

    def accented(self, syl: str) -> bool:
        """Is this query syllable matched exactly? Decided per word, by the mode."""
        if self.mode != "auto":
            return self.mode == "exact"
        return is_accented(syl)

    def _either(self, typed: tuple[str, ...], boost: float, written: list | None = None) -> c.Node:
        """A syllable or pair: exactly as typed when it carries diacritics; typed without,
        the better of its folded form and the ways the archive writes it (``written``,
        else as :meth:`written` finds them)."""
        exact, folded = VOCABULARY.word(typed, False), VOCABULARY.word(typed, True)
        if all(self.accented(x) for x in typed):
            return c.Term(*exact, boost=boost)
        if self.mode == "fold":
            return c.Term(*folded, boost=boost)
        if written is None:
            written = self.written(typed)
        if not written:
            written = [(typed, 1.0)]  # as typed (or a mixed pair: its accented part as typed)
        clauses = [
            c.Term(
                *VOCABULARY.word(form, False),
                boost=boost * self.r.exact_boost * share**self.r.spelling,
            )
            for form, share in written
        ]
        folded_term = c.Term(*folded, boost=boost * self.r.fold_boost)
        return c.Combine(c.BEST, (*clauses, folded_term), last_covers=True)

    def written(self, typed: tuple[str, ...]) -> list[tuple[tuple[str, ...], float]]:
        """How the archive writes a syllable or pair typed without diacritics: its
        readings, each with its share of the occurrences (none for an accented one)."""
        if not self.spellings or any(map(is_accented, typed)):
            return []
        return self.spellings(typed)

    def in_context(self, sylls: list, i: int) -> list[tuple[tuple[str, ...], float]] | None:
        """How the archive writes the ``i``-th syllable of a run typed without diacritics
        beside the syllables typed next to it: the readings of the pairs it makes with
        them (each side's shares summed over the other syllable's readings, the sides
        averaged). "da" is mostly "đã", but after "xiu" it is "đá" ("bạc xỉu đá"); a
        neighbour typed with diacritics is taken as typed ("chinh đốn": "chỉnh").
        None where no neighbour says anything: then it is read alone."""
        if not self.r.spelling_context or not self.spellings or self.accented(sylls[i].text):
            return None
        sides = []  # (the archive's readings of a pair: typed with diacritics, as typed)
        if i > 0 and sylls[i].joined:
            sides.append((self.spellings((sylls[i - 1].text, sylls[i].text)), 1))
        if i + 1 < len(sylls) and sylls[i + 1].joined:
            sides.append((self.spellings((sylls[i].text, sylls[i + 1].text)), 0))
        sides = [(readings, at) for readings, at in sides if readings]
        if not sides:
            return None
        shares: dict[tuple[str, ...], float] = {}
        for readings, at in sides:
            for reading, share in readings:
                form = (reading[at],)
                shares[form] = shares.get(form, 0.0) + share / len(sides)
        return sorted(shares.items(), key=lambda x: (-x[1], x[0]))[:SPELLINGS]

    def syllable(self, syl: str) -> c.Node:
        return self._either((syl,), 1.0)

    def pair(self, a: str, b: str) -> c.Node:
        """Two query syllables side by side, diacritic-aware like single words."""
        return self._either((a, b), self.r.pair_boost)

    def _run(self, text: str, positive: bool) -> list:
        """The syllables of a run of words searched for (:meth:`searched`), after the
        rewrite of an unaccented run."""
        sylls = self.searched(text, positive)
        typed = " ".join(x.text for x in sylls)
        if positive and typed in self.rewrite:
            rewritten = VOCABULARY.syllables(self.rewrite[typed])
            if len(rewritten) == len(sylls):  # (where a question word was, no pair)
                rewritten = [replace(x, joined=y.joined) for x, y in zip(rewritten, sylls)]
            sylls = rewritten
        return sylls

    def searched(self, text: str, run: bool = True) -> list:
        """The syllables of ``text`` a query looks for: in a run of plain words, all but
        the question words (:mod:`.questions`); in a phrase, all."""
        key = (text, run)
        if key not in self._searched:
            sylls = VOCABULARY.syllables(text)
            if run and self.r.question_words:
                asking = asked(sylls, text, self._reads_as, self.r.sources)
                kept, gap = [], False
                for i, x in enumerate(sylls):
                    if i in asking:
                        gap = True
                    else:
                        kept.append(replace(x, joined=False) if gap else x)
                        gap = False
                sylls = kept
            self._searched[key] = sylls
        return self._searched[key]

    def _reads_as(self, typed: str) -> str | None:
        """How the archive mostly writes a syllable typed without diacritics (None: it
        has no such reading, or it cannot tell)."""
        readings = self.spellings((typed,)) if self.spellings else []
        return readings[0][0][0] if readings and readings[0][1] >= 0.5 else None

    def run_pairs(self, sylls: list) -> list[c.Node]:
        """Adjacent query syllables side by side; with ``cross_pair_boost`` set, a pair
        that spans two of the words underthesea finds in the query weighs that instead."""
        if self.r.pair_boost <= 0:
            return []
        pairs = [(i, a.text, b.text) for i, (a, b) in enumerate(zip(sylls, sylls[1:])) if b.joined]
        if self.r.cross_pair_boost < 0 or len(sylls) < 3:
            return [self.pair(a, b) for _, a, b in pairs]
        inside = {
            i
            for first, count in VOCABULARY.words(" ".join(x.text for x in sylls))
            for i in range(first, first + count - 1)
        }
        return [
            self._either((a, b), self.r.pair_boost if i in inside else self.r.cross_pair_boost)
            for i, a, b in pairs
        ]

    def long_words(self, sylls: list) -> list[c.Node]:
        """Segmented words of 3+ syllables of the query, when they weigh anything."""
        if self.r.word_boost <= 0 or len(sylls) < 3:
            return []
        text = " ".join(x.text for x in sylls)
        out: list[c.Node] = []
        for first, count in VOCABULARY.words(text):
            parts = [x.text for x in sylls[first : first + count]]
            if count > 2 and all(self.accented(x) for x in parts):
                out.append(c.Term(*VOCABULARY.word(parts, False), boost=self.r.word_boost))
        return out

    def words(self, text: str, positive: bool) -> c.Node | None:
        sylls = self._run(text, positive)
        if not sylls:
            return None
        clauses = [
            self._either((x.text,), 1.0, self.in_context(sylls, i)) for i, x in enumerate(sylls)
        ]
        if len(clauses) == 1:
            return clauses[0]
        if not positive:
            return c.Combine(c.ALL, tuple(clauses))
        extra = self.run_pairs(sylls) + self.long_words(sylls)
        if self.wide or len(clauses) > self.r.and_max:
            return c.Combine(c.ANY, tuple(clauses + extra))
        core = c.Combine(c.ALL, tuple(clauses))
        return c.Combine(c.MAYBE, (core, c.Combine(c.ANY, tuple(extra)))) if extra else core

    def phrase(self, text: str) -> c.Node | None:
        sylls = VOCABULARY.syllables(text)
        if not sylls:
            return None
        if len(sylls) == 1:
            return self.syllable(sylls[0].text)
        words = [x.text for x in sylls]
        joined = [(a.text, b.text) for a, b in zip(sylls, sylls[1:]) if b.joined]

        def guarded(folded: bool, boost: float = 1.0) -> c.Node:
            # a paragraph with the phrase has its pairs: requiring them lets the
            # intersection skip most paragraphs before positions are checked
            pairs = [c.Term(*VOCABULARY.pair(a, b, folded)) for a, b in joined]
            if len(words) == 2 and pairs:  # the pair is the phrase: no position to check
                terms = tuple(c.Term(*VOCABULARY.term(w, folded)) for w in words)
                return c.Combine(c.ALL, (*pairs, *terms), boost=boost)  # (scored alike)
            field = VOCABULARY.term(words[0], folded)[0]
            phrase = c.Phrase(field, tuple(VOCABULARY.term(w, folded)[1] for w in words))
            return c.Combine(c.ALL, (*pairs, phrase), boost=boost)

        accented = [self.accented(w) for w in words]
        if all(accented):
            return guarded(False)
        if not any(accented):
            if self.mode == "fold":
                return guarded(True)
            return c.Combine(c.BEST, (guarded(False, self.r.exact_boost), guarded(True)))
        # mixed: the phrase on folded text, and the accented words exactly somewhere in it
        exact = [c.Term(*VOCABULARY.term(w, False)) for w, a in zip(words, accented) if a]
        return c.Combine(c.ALL, (guarded(True), *exact))

    def whole_terms(self, text: str, run: bool = True) -> list[FieldTerm]:
        """The terms of a run (``run``) or phrase for a document read whole: each syllable
        searched, then each pair of adjacent ones, exactly as typed when they carry
        diacritics (all of a pair's), else folded."""
        sylls = self.searched(text, run)
        pairs = [(a.text, b.text) for a, b in zip(sylls, sylls[1:]) if b.joined]
        return [
            VOCABULARY.word(typed, not all(self.accented(x) for x in typed))
            for typed in [(x.text,) for x in sylls] + pairs
        ]

    def lone_pairs(self, tree: s.Node) -> tuple[c.Node, ...]:
        """The pair clauses of a query that is one run of words or one phrase."""
        if isinstance(tree, s.Phrase):
            sylls = VOCABULARY.syllables(tree.text)
            return tuple(self.pair(a.text, b.text) for a, b in zip(sylls, sylls[1:]) if b.joined)
        if isinstance(tree, s.Words):
            sylls = self._run(tree.text, True)
            if 1 < len(sylls) <= self.r.and_max:
                return tuple(self.run_pairs(sylls))
        return ()
