"""The query language parser."""

import pytest

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
