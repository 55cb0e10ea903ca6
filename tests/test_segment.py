"""Segmentation and analysis: syllables, words and tokens with offsets into the ORIGINAL text."""

import unicodedata

import pytest

from tracuu import analysis
from tracuu import segment as vseg
from tracuu import text as vtext
from tracuu.analysis import VOCABULARY

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731


def tokens(text, folded=False):
    """The terms of the syllable and pair fields together, in position order."""
    fields = (
        (analysis.FOLDED, analysis.FOLDED_PAIRS) if folded else (analysis.EXACT, analysis.PAIRS)
    )
    toks = [t for field in fields for t in VOCABULARY.tokens(text, field)]
    toks.sort(key=lambda t: (t.pos, t.kind == analysis.PAIR, t.end))
    return [(t.text, t.pos, t.start, t.end) for t in toks]


@pytest.mark.parametrize(
    "text",
    [
        "Báo cáo chỉnh đốn Đảng theo các qui chế",
        NFD("Báo cáo chỉnh đốn Đảng theo các qui chế"),
        "môi trường hoà bình, Thuỷ lợi và uỷ ban",
        NFD("môi trường hoà bình, Thuỷ lợi và uỷ ban"),
        "NQTW6 (lần 2) từ ngày 16/01/1999 đến 9/1999",
    ],
)
def test_token_offsets_point_at_the_original_text(text):
    for term, _pos, start, end in tokens(text):
        original = text[start:end]
        # the token is the original characters, normalized: never shifted or cut
        assert vseg.vtext.term_form(original).replace(" ", "_") == term, (term, original)


@pytest.mark.parametrize(
    "text",
    [
        NFD("Báo cáo chỉnh đốn Đảng theo các QUI CHẾ"),
        "môi trường hoà bình, Thuỷ lợi và uỷ ban; infor-\nmation 16/01/1999",
        "",
    ],
)
def test_highlighting_finds_the_syllables_segmentation_finds(text):
    """The highlighter's short cut (syllable_spans) and segment() split alike."""
    full = [(s.text, s.start, s.end) for s in vseg.segment(text, words=False).syllables]
    assert vseg.syllable_spans(text) == full


@pytest.mark.parametrize(
    "text",
    [
        NFD("Báo cáo chỉnh đốn Đảng theo các QUI CHẾ, chinh don dang"),
        "môi trường hoà bình, Thuỷ lợi và uỷ ban; infor-\nmation 16/01/1999 a_b ab_c",
        "Xã Hòa Bình, xa hoa binh; ĐẢNG đảng dang Dáng; 12a 12 a12 à-la",
        "e\u0301\u0302 lone marks: a\u0300\u0323 q\u0301 and ƒ ß ﬁ",
        "",
    ],
)
def test_highlight_regex_marks_what_syllable_by_syllable_would(text):
    """matching_spans (one regular expression over the paragraph) marks exactly the
    syllables whose index form, or folded form, is wanted: for every split of the
    paragraph's own syllables into wanted as written, wanted folded, or not wanted."""
    syllables = vseg.syllable_spans(text)
    forms = sorted({syl for syl, _, _ in syllables}) + ["không-có", "a_b", "chinh"]
    for k in range(4):
        exact = frozenset(f for i, f in enumerate(forms) if i % 4 == k)
        folded = frozenset(vtext.fold_diacritics(f) for i, f in enumerate(forms) if i % 3 == k)
        expected = [
            (s, e)
            for syl, s, e in syllables
            if syl in exact or vtext.fold_diacritics(syl) in folded
        ]
        assert vseg.matching_spans(text, exact, folded) == expected
        assert vseg.matching_spans(text, exact, frozenset()) == [
            (s, e) for syl, s, e in syllables if syl in exact
        ]


def test_syllables_and_words_at_positions():
    toks = tokens("xây dựng, chỉnh đốn Đảng")
    assert toks == [
        ("xây", 0, 0, 3),
        ("xây_dựng", 0, 0, 8),
        ("dựng", 1, 4, 8),
        ("chỉnh", 2, 10, 15),
        ("chỉnh_đốn", 2, 10, 19),
        ("đốn", 3, 16, 19),
        ("đốn_đảng", 3, 16, 24),
        ("đảng", 4, 20, 24),
    ]


def test_pairs_do_not_cross_punctuation():
    terms = [t for t, *_ in tokens("kinh tế - xã hội, an ninh")]
    assert "tế_xã" not in terms and "hội_an" not in terms
    assert {"kinh_tế", "xã_hội", "an_ninh"} <= set(terms)


def test_longer_words_from_underthesea_are_extra_tokens():
    toks = tokens("Ủy ban nhân dân quận họp")
    long_words = [(t, p) for t, p, *_ in toks if t.count("_") >= 2]
    assert long_words and all(toks[[x[0] for x in toks].index(t)][1] == p for t, p in long_words)
    for term, pos, start, _end in toks:
        if term.count("_") >= 2:
            first_syllable = [x for x in toks if x[1] == pos and "_" not in x[0]][0]
            assert start == first_syllable[2]


def test_folded_tokens():
    assert [t for t, *_ in tokens("chỉnh đốn Đảng", folded=True)] == [
        "chinh",
        "chinh_don",
        "don",
        "don_dang",
        "dang",
    ]


def test_spelling_variants_index_alike():
    assert [t for t, *_ in tokens("qui chế hoà bình")] == [
        t for t, *_ in tokens("quy chế hòa bình")
    ]
    assert [t for t, *_ in tokens(NFD("Thuỷ lợi"))] == [t for t, *_ in tokens("thủy lợi")]


def test_underthesea_rewrites_are_aligned():
    # underthesea writes "quy chế" and "hòa"; the words still land on our syllables
    seg = vseg.segment("các qui chế về hoà giải")
    words = [seg.word_text(f, c) for f, c in seg.words]
    assert "quy_chế" in words


@pytest.mark.parametrize("text", ["", "   ", "...", "—", "\n\n"])
def test_texts_without_syllables(text):
    assert tokens(text) == []


def test_segmentation_failure_keeps_syllables(monkeypatch):
    def broken(_text):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(vseg, "_word_tokenize", broken)
    seg = vseg.segment("chỉnh đốn Đảng")
    assert [s.text for s in seg.syllables] == ["chỉnh", "đốn", "đảng"] and seg.words == ()


@pytest.mark.parametrize(
    "text",
    [
        "Năm 1066 trong lịch Julius. ",  # ends in a space: the first syllable is not joined
        " đầu   dòng\tcó  khoảng trắng\n\nxuống dòng",
        "infor-\nmation, infor- \n mation; a-b a - b",
        NFD("Thuỷ lợi  hoà bình "),
        "",
        " ",
    ],
)
def test_joined_and_broken_say_what_the_gap_before_a_syllable_is(text):
    norm, _, spans = vseg.split_syllables(text)
    for k, (start, _end, joined, broken) in enumerate(spans):
        gap = norm[spans[k - 1][1] : start] if k else None
        assert joined == (gap is not None and gap.strip() == ""), (text, k, gap)
        assert broken == (
            gap is not None and gap.startswith("-") and "\n" in gap and gap[1:].strip() == ""
        ), (text, k, gap)


FOLDING = [
    "chỉnh đốn Đảng",
    NFD("Thuỷ lợi hoà bình ĐẢNG"),
    "e\u0301\u0302 lone marks: a\u0300\u0323 q\u0301 and ƒ ß ﬁ",
    "ba\u0301_\u0301c x\u0323",
]


@pytest.mark.parametrize("text", FOLDING)
def test_a_pair_folds_as_its_syllables_joined_fold(text, monkeypatch):
    """Pair terms are folded syllable by syllable (each folding kept): the same as
    folding the joined pair, also when the kept foldings are dropped on the way."""
    monkeypatch.setattr(analysis, "FOLDS_KEPT", 3)
    words = text.split()
    for a, b in zip(words, words[1:]):
        pair = analysis.JOINER.join((a, b))
        assert VOCABULARY.word((a, b), folded=True)[1] == vtext.fold_diacritics(pair)
    for w in words:
        assert VOCABULARY.term(w, folded=True)[1] == vtext.fold_diacritics(w)
    assert len(analysis._FOLDS) <= 3


@pytest.mark.parametrize("text", [*FOLDING, "Ủy ban nhân dân quận họp; infor-\nmation"])
def test_index_terms_are_the_tokens_of_each_field(text):
    """index_terms (what the build writes) groups, field by field, what tokens() gives."""
    terms = VOCABULARY.index_terms(text)
    for field in analysis.TEXT_FIELDS:
        grouped: dict[str, list[int]] = {}
        for t in VOCABULARY.tokens(text, field):
            grouped.setdefault(t.text, []).append(t.pos)
        assert terms[field] == grouped
