"""Highlighting and snippets: which words of a paragraph matched, and the window to show."""

from __future__ import annotations

from .analysis import VOCABULARY, FieldTerm
from .models import Snippet


def highlight_spans(
    text: str, wanted: frozenset[FieldTerm] | set[FieldTerm]
) -> list[tuple[int, int]]:
    """Offsets in ``text`` of the words whose terms the query looked for.

    Matched syllables separated only by spaces are one mark (``chỉnh đốn Đảng``).
    """
    return _merge_adjacent(text, VOCABULARY.matches(text, set(wanted)))


def _merge_adjacent(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        gap = text[merged[-1][1] : s] if merged else None
        if gap is not None and gap.strip(" ") == "" and "\n" not in gap:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def make_snippet(text: str, spans: list[tuple[int, int]], width: int = 240) -> Snippet:
    """The ``width``-character window of ``text`` holding the most matched words."""
    if len(text) <= width:
        return Snippet(text, tuple(spans), 0, False, False)
    best_start, best_count = 0, -1
    for s, _e in spans or [(0, 0)]:
        start = max(0, s - width // 4)
        count = sum(1 for a, b in spans if a >= start and b <= start + width)
        if count > best_count:
            best_start, best_count = start, count
    end = min(len(text), best_start + width)
    start = max(0, end - width)
    # cut on word boundaries
    if start > 0:
        space = text.find(" ", start, start + 20)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", end - 20, end)
        end = space if space > start else end
    inside = tuple((a - start, b - start) for a, b in spans if a >= start and b <= end)
    return Snippet(text[start:end], inside, start, start > 0, end < len(text))
