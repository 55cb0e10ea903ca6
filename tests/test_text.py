"""Table-driven tests of the Vietnamese text rules (normalization, tone placement, folding)."""

import unicodedata

import pytest

from tracuu import text as vtext

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731

# (input, normalized): NFC, canonical tone placement for open oa/oe/uy, qu+i -> qu+y
NORMALIZE = [
    ("hoà", "hòa"),
    ("hòa", "hòa"),
    ("Hoà Bình", "Hòa Bình"),
    ("HOÀ", "HÒA"),
    ("khoẻ", "khỏe"),
    ("khỏe", "khỏe"),
    ("xoè", "xòe"),
    ("thuỷ", "thủy"),
    ("Thuỷ lợi", "Thủy lợi"),
    ("uỷ ban", "ủy ban"),
    ("Uỷ", "Ủy"),
    ("tuý", "túy"),
    ("luỹ", "lũy"),
    ("hoá", "hóa"),
    ("toà án", "tòa án"),
    ("loã", "lõa"),
    ("hoạ", "họa"),
    ("hoàn", "hoàn"),  # closed syllable: tone stays on a
    ("hoạch", "hoạch"),
    ("toán", "toán"),
    ("khuyên", "khuyên"),
    ("quý", "quý"),  # qu is the onset: y carries the tone
    ("quỳ", "quỳ"),
    ("quà", "quà"),
    ("ngoài", "ngoài"),  # three vowels: unchanged
    ("qui chế", "quy chế"),  # qu + i is qu + y
    ("Qui định", "Quy định"),
    ("quí", "quý"),
    ("QUI", "QUY"),
    ("quinine", "quinine"),  # not a whole syllable
    ("lí do", "lí do"),  # other i/y pairs are left alone
    ("kĩ thuật", "kĩ thuật"),
    ("mỹ", "mỹ"),
    (NFD("hoà bình"), "hòa bình"),
    (NFD("chỉnh đốn Đảng"), "chỉnh đốn Đảng"),
    (NFD("Thuỷ"), "Thủy"),
    ("Đảng", "Đảng"),
    ("NQTW5", "NQTW5"),
    ("16/01/1999", "16/01/1999"),
    ("", ""),
    # a word is its letters and digits, as the regular expressions' [^\W_] says
    ("_hoà", "_hòa"),
    ("1hoà", "1hòa"),
    ("hoà2", "hoà2"),
    ("hoà_bình", "hòa_bình"),
    ("Quì-Sơn", "Quỳ-Sơn"),
    ("xquì", "xquì"),
    ("qui2", "qui2"),
    # words to change inside a longer text, after words that only look like them
    (
        "Báo cáo hoàn thành: hoà bình, thuỷ lợi ở xã Quí Sơn; quinine, ngoài, Hoạ",
        "Báo cáo hoàn thành: hòa bình, thủy lợi ở xã Quý Sơn; quinine, ngoài, Họa",
    ),
]

# (input, folded): every diacritic removed, đ -> d, case kept
FOLD = [
    ("chỉnh đốn Đảng", "chinh don Dang"),
    ("đường", "duong"),
    ("Đ", "D"),
    ("dương", "duong"),
    ("ă â ê ô ơ ư", "a a e o o u"),
    ("Việt Nam", "Viet Nam"),
    (NFD("hoà"), "hoa"),
    ("hòa", "hoa"),
    ("thủy", "thuy"),
    ("quý", "quy"),
    ("Nguyễn", "Nguyen"),
    ("ỹ", "y"),
    ("abc 123", "abc 123"),
]

# (word, index form): normalized and lower-cased
TERM_FORM = [
    ("Đảng", "đảng"),
    ("ĐẢNG", "đảng"),
    ("HOÀ", "hòa"),
    ("Qui", "quy"),
    (NFD("Thuỷ"), "thủy"),
    ("ỦY", "ủy"),
]


@pytest.mark.parametrize("raw, expected", NORMALIZE)
def test_normalize(raw, expected):
    assert vtext.normalize(raw) == expected


@pytest.mark.parametrize("raw, expected", FOLD)
def test_fold_diacritics(raw, expected):
    assert vtext.fold_diacritics(raw) == expected


@pytest.mark.parametrize("raw, expected", TERM_FORM)
def test_term_form(raw, expected):
    assert vtext.term_form(raw) == expected


def test_enough_cases():
    assert len(NORMALIZE) + len(FOLD) + len(TERM_FORM) >= 40


@pytest.mark.parametrize("raw, _", NORMALIZE)
def test_normalize_keeps_nfc_length(raw, _):
    # offsets computed on normalized text must stay valid in NFC text
    nfc = unicodedata.normalize("NFC", raw)
    assert len(vtext.normalize(raw)) == len(nfc)


@pytest.mark.parametrize(
    "raw",
    ["hoà bình", NFD("chỉnh đốn Đảng và hoà bình"), NFD("Thuỷ") + " abc", "plain ascii", ""],
)
def test_normalize_with_offsets_maps_back(raw):
    norm, starts = vtext.normalize_with_offsets(raw)
    assert norm == vtext.normalize(raw)
    assert len(starts) == len(norm) + 1 and starts[-1] == len(raw)
    # every normalized character comes from the original characters it maps to
    for i, ch in enumerate(norm):
        piece = raw[starts[i] : starts[i + 1]] if i + 1 < len(starts) else raw[starts[i] :]
        assert (
            vtext.fold_diacritics(ch).lower()
            in vtext.fold_diacritics(unicodedata.normalize("NFC", piece)).lower()
            or piece == ""
        )


@pytest.mark.parametrize(
    "word, expected",
    [
        ("chỉnh", True),
        ("chinh", False),
        ("đang", True),
        ("dang", False),
        ("NQTW5", False),
        ("Đ", True),
    ],
)
def test_has_diacritics(word, expected):
    assert vtext.has_diacritics(word) is expected


def test_canonical_tones_is_its_rule_as_one_regular_expression():
    """canonical_tones finds its words from their endings; the rule it implements is
    simpler said as one expression over every word, which must give the same text."""
    import itertools
    import re

    toned_end = r"[oOuU][àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸỳýỷỹỵỲÝỶỸỴ](?![^\W_])"
    qui = r"[qQ][uU][iìíỉĩịIÌÍỈĨỊ](?![^\W_])"
    word = re.compile(rf"(?<![^\W_])[^\W_]*{toned_end}|(?<![^\W_]){qui}")
    pieces = ["hoà", "Quì", "qui", "xoè", "thuỷ", "quý", "ngoài", "hoàn", "1", "_", "-", " ", "đ"]
    texts = ["".join(p) for p in itertools.product(pieces, repeat=3)]
    for text in texts + [" ".join(texts)]:
        want = word.sub(lambda m: vtext.canonical_syllable(m.group()), text)
        assert vtext.canonical_tones(text) == want, text


@pytest.mark.parametrize(
    "folded", ["song", "duong", "nguyen", "qui", "quy", "hoa", "khoe", "thuy", "hoan", "d", "xyz1"]
)
def test_accented_forms_are_every_spelling_with_one_tone(folded):
    """Each letter with or without its quality marks, and no tone or one on any vowel,
    as the index writes it (NFC, canonical placement): worked out the slow way."""
    import itertools

    qualities = {"a": "aăâ", "e": "eê", "o": "oôơ", "u": "uư", "d": "dđ"}
    tones = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    want: dict[str, None] = {}
    if folded.isalpha():
        for letters in itertools.product(*(qualities.get(ch, ch) for ch in folded)):
            for tone in tones:
                for i in [j for j, ch in enumerate(folded) if ch in "aeiouy"] if tone else [-1]:
                    w = "".join(ch + tone if j == i else ch for j, ch in enumerate(letters))
                    want[vtext.normalize(w)] = None
    else:
        want[folded] = None
    assert vtext.accented_forms(folded) == list(want)
    assert {vtext.fold_diacritics(w) for w in want} <= {folded, vtext.canonical_tones(folded)}


def test_the_fold_tables_data_is_what_unicode_says():
    """The fold table is read from _foldtable.py, made from unicodedata by
    text.fold_table_from_unicode(). A Python whose Unicode folds other letters fails
    here: write text.fold_table_source(text.fold_table_from_unicode()) to the file."""
    from pathlib import Path

    from tracuu import _foldtable

    made = vtext.fold_table_from_unicode()
    assert made == vtext._FOLD
    assert made[ord("ạ")] == "a" and made[ord("Đ")] == "D" and made[0x0323] is None
    written = Path(_foldtable.__file__).read_text(encoding="utf-8")
    assert written == vtext.fold_table_source(made)
