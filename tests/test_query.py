"""The query language parser."""

import pytest

from tracuu.analysis import VOCABULARY
from tracuu.query import And, FieldValue, Not, Or, Phrase, QuerySyntaxError, Words, parse


@pytest.mark.parametrize(
    "query, tree",
    [
        ("chỉnh đốn Đảng", Words("chỉnh đốn Đảng")),
        ('"chỉnh đốn Đảng"', Phrase("chỉnh đốn Đảng")),
        ("Đảng AND quy chế", And((Words("Đảng"), Words("quy chế")))),
        ("Đảng OR quy chế", Or((Words("Đảng"), Words("quy chế")))),
        ("Đảng -tham nhũng", And((Words("Đảng"), Not(Words("tham")), Words("nhũng")))),
        ('Đảng -"tham nhũng"', And((Words("Đảng"), Not(Phrase("tham nhũng"))))),
        ("NOT Đảng", Not(Words("Đảng"))),
        ("a OR b c", Or((Words("a"), Words("b c")))),
        ("(a OR b) c", And((Or((Words("a"), Words("b"))), Words("c")))),
        ("file:bao-cao* Đảng", And((FieldValue("file", "bao-cao*"), Words("Đảng")))),
        ('issuer:"QUẬN ỦY"', FieldValue("issuer", "QUẬN ỦY")),
        ("and or", Words("and or")),  # lower-case words are words
    ],
)
def test_parse(query, tree):
    assert parse(query) == tree


@pytest.mark.parametrize(
    "query, message",
    [
        ('"chỉnh đốn', "unclosed quote"),
        ("(Đảng", "unclosed parenthesis"),
        ("Đảng)", "unexpected"),
        ("Đảng AND", "ends too early"),
        ("OR Đảng", "nothing before it"),
        ("", "empty query"),
        ("   ", "empty query"),
    ],
)
def test_malformed(query, message):
    with pytest.raises(QuerySyntaxError, match=message):
        parse(query)


def _searched(query, spellings=None, **ranking):
    """(syllables searched, pairs searched) of ``query`` compiled."""
    from tracuu.models import Ranking
    from tracuu.query.compile import compile_query

    compiled = compile_query(parse(query), "auto", Ranking(**ranking), spellings=spellings)
    pairs = {t for f, t in compiled.whole if f in ("pairs", "fpairs")}
    return compiled.words, pairs


@pytest.mark.parametrize(
    "query, words",
    [
        ("Việc làm là gì?", ("việc", "làm", "là")),
        ("Lương tối thiểu là bao nhiêu?", ("lương", "tối", "thiểu", "là")),
        ("Người lao động có được nghỉ không?", ("người", "lao", "động", "có", "được", "nghỉ")),
        ("Ai là người đại diện", ("là", "người", "đại", "diện")),
        ("cafe nhu the nao", ("cafe",)),  # several syllables: matched folded
        ("hãng hàng không", ("hãng", "hàng", "không")),  # "không" asks before "?" only
        ("không gian quán thế nào?", ("không", "gian", "quán")),
        ("Cần đảm bảo điều gì cho lao động nữ?", ("cần", "đảm", "bảo", "cho", "lao", "động", "nữ")),
        ("tiền công xác định như nào", ("tiền", "công", "xác", "định")),
        ("điều 10 quy định những gì", ("điều", "10", "quy", "định")),  # "điều" of a law stays
        ('"là gì"', ("là", "gì")),  # a quoted phrase keeps every word
        ("là gì", ("là",)),
        ("ai", ("ai",)),  # question words alone: they are what is looked for
        ("bao nhiêu", ("bao", "nhiêu")),
    ],
)
def test_runs_of_words_leave_out_question_words(query, words):
    assert _searched(query)[0] == words
    every = tuple(x.text for x in VOCABULARY.syllables(query))
    assert _searched(query, question_words=False)[0] == every


@pytest.mark.parametrize(
    "query, words",
    [
        (
            "Theo Bộ luật Dân sự 2015, lợi tức được hiểu như thế nào?",
            ("lợi", "tức", "được", "hiểu"),
        ),
        ("theo bo luat dan su 2015, loi tuc la gi?", ("loi", "tuc", "la", "gi")),  # (no archive)
        ("Theo bạn, quán nào ngon nhất?", ("quán", "ngon", "nhất")),
        # not a source: "theo dõi" is a word; no question follows; no comma; nothing left
        ("Theo dõi tình hình, cần làm gì?", ("theo", "dõi", "tình", "hình", "cần", "làm")),
        ("theo doi, danh gia ra sao?", ("theo", "doi", "danh", "gia")),
        (
            "Theo Bộ luật Dân sự 2015, lợi tức",
            ("theo", "bộ", "luật", "dân", "sự", "2015", "lợi", "tức"),
        ),
        ("theo quy định thì lợi tức là gì?", ("theo", "quy", "định", "thì", "lợi", "tức", "là")),
        ("Theo luật, là gì?", ("theo", "luật", "là")),
    ],
)
def test_a_question_leaves_out_the_source_it_opens_with(query, words):
    assert _searched(query)[0] == words
    assert _searched(query, sources=False)[0] == _searched(query.replace(",", ""))[0]


def test_no_pair_stands_where_a_question_word_was():
    words, pairs = _searched("cà phê ra sao hôm nay")
    assert words == ("cà", "phê", "hôm", "nay")
    assert pairs == {"cà_phê", "hom_nay"}  # ("nay" is typed without diacritics)


def test_an_unaccented_question_word_of_one_syllable_goes_as_the_archive_writes_it():
    """ "gi" goes where the archive writes it mostly "gì"; "may" stays where it writes it
    mostly "máy" (a machine), not "mấy" (how many)."""
    written = {
        ("gi",): [(("gì",), 0.9), (("gí",), 0.1)],
        ("may",): [(("máy",), 0.6), (("mấy",), 0.3), (("may",), 0.1)],
    }

    def spellings(typed):
        return written.get(typed, [])

    assert _searched("viec lam la gi", spellings)[0] == ("viec", "lam", "la")
    assert _searched("gia may bao nhieu", spellings)[0] == ("gia", "may")
    assert _searched("viec lam la gi")[0] == ("viec", "lam", "la", "gi")  # no archive: kept
