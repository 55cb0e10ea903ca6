"""The vocabulary is the one source of terms: what the compiler asks for, the index has."""

import pytest

from tracuu.analysis import VOCABULARY
from tracuu.models import Ranking
from tracuu.query import compile_query, parse
from tracuu.query import compiled as c

QUERIES = [
    "chỉnh đốn Đảng",
    "chinh don dang",
    "ủy ban nhân dân",
    "uy ban nhan dan",
    "Ủy ban nhân dân thành phố Hồ Chí Minh về công tác chỉnh đốn",
    '"quy chế dân chủ"',
    '"qui che dan chu"',
    "chinh đốn",
    "hoà bình",
]


def index_terms(text):
    return {
        (field, term) for field, terms in VOCABULARY.index_terms(text).items() for term in terms
    }


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("mode", ["auto", "exact", "fold"])
@pytest.mark.parametrize("word_boost", [0.0, 0.5])
def test_every_compiled_term_is_an_index_term_of_the_same_text(query, mode, word_boost):
    compiled = compile_query(parse(query), mode, Ranking(word_boost=word_boost))
    wanted = {(t.field, t.text) for t in c.terms(compiled.node)}
    assert wanted and wanted <= index_terms(query.strip('"'))
    assert set(compiled.highlight) <= index_terms(query.strip('"'))


def test_word_boost_keeps_every_pair():
    # regression: with word_boost > 0 the query "ủy ban nhân dân" lost its "nhân dân" pair
    for boost in (0.0, 0.5):
        compiled = compile_query(parse("ủy ban nhân dân"), "auto", Ranking(word_boost=boost))
        pairs = {t.text for p in compiled.pairs for t in c.terms(p)}
        assert {"ủy_ban", "ban_nhân", "nhân_dân"} <= pairs, boost
        terms = {t.text for t in c.terms(compiled.node)}
        assert {"ủy_ban", "ban_nhân", "nhân_dân"} <= terms, boost
    # with every syllable matched exactly, the segmented 3-syllable word weighs in too
    compiled = compile_query(parse("ủy ban nhân dân"), "exact", Ranking(word_boost=0.5))
    terms = {t.text for t in c.terms(compiled.node)}
    assert "ban_nhân_dân" in terms and "nhân_dân" in terms


def test_highlight_marks_what_the_terms_match():
    compiled = compile_query(parse("chinh don Đảng"), "auto", Ranking())
    text = "Chỉnh đốn Đảng, chính đơn đảng, chỉnh đốn đàng"
    marked = [text[s:e] for s, e in VOCABULARY.matches(text, set(compiled.highlight))]
    # unaccented words match any accented form; "Đảng" only itself
    assert marked == ["Chỉnh", "đốn", "Đảng", "chính", "đơn", "đảng", "Chỉnh", "đốn"][:6] + [
        "chỉnh",
        "đốn",
    ]
