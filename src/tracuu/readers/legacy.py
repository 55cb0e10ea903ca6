"""Pre-Unicode Vietnamese encodings (CP1258, TCVN3, VNI): tables, converters, detection.

No maintained offline TCVN3/VNI converter exists on PyPI (the few packages are young
document loaders), so the conversion tables live here, built from the published charts.
Which encoding a file uses is decided by plausibility: the candidate whose decoding reads
most like Vietnamese (well-formed syllables, frequent words, no stray symbols) wins.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import msgspec

from ..errors import UnreadableFile

CANNOT_DECODE = "cannot decode text (tried UTF-8, UTF-16, CP1258, TCVN3, VNI)"

# --------------------------------------------------------------------------- legacy tables

# Western code pages that old Vietnamese web pages declared while their text was really
# TCVN3/VNI (shown with .VnTime / VNI-Times fonts), so a declaration is only a hint.
WESTERN = frozenset({"latin-1", "iso8859-1", "cp1252", "ascii"})


def _cp1252_table() -> dict[int, str]:
    # Bytes 0x80-0x9F hold typographic quotes and dashes in all three legacy encodings
    # (their fonts were Windows fonts); bytes CP1252 leaves undefined stay as C1 controls.
    table: dict[int, str] = {}
    for byte in range(0x80, 0x100):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            table[byte] = chr(byte)
    return table


# TCVN3 (TCVN 5712:1993, character set VN3; ".VnTime"/ABC fonts): one byte per
# precomposed letter. VN3 has capitals only for the seven letters below; capital
# accented letters are typed with the lowercase codes and drawn by the ".VnTimeH"
# capitals font, so they come back lowercase ("B¸O" -> "BáO"): a limitation of the
# encoding, not recoverable from the bytes.
_TCVN3: dict[int, str] = {
    0xA1: "Ă",
    0xA2: "Â",
    0xA3: "Ê",
    0xA4: "Ô",
    0xA5: "Ơ",
    0xA6: "Ư",
    0xA7: "Đ",
    0xA8: "ă",
    0xA9: "â",
    0xAA: "ê",
    0xAB: "ô",
    0xAC: "ơ",
    0xAD: "ư",
    0xAE: "đ",
    0xB5: "à",
    0xB6: "ả",
    0xB7: "ã",
    0xB8: "á",
    0xB9: "ạ",
    0xBB: "ằ",
    0xBC: "ẳ",
    0xBD: "ẵ",
    0xBE: "ắ",
    0xC6: "ặ",
    0xC7: "ầ",
    0xC8: "ẩ",
    0xC9: "ẫ",
    0xCA: "ấ",
    0xCB: "ậ",
    0xCC: "è",
    0xCE: "ẻ",
    0xCF: "ẽ",
    0xD0: "é",
    0xD1: "ẹ",
    0xD2: "ề",
    0xD3: "ể",
    0xD4: "ễ",
    0xD5: "ế",
    0xD6: "ệ",
    0xD7: "ì",
    0xD8: "ỉ",
    0xDC: "ĩ",
    0xDD: "í",
    0xDE: "ị",
    0xDF: "ò",
    0xE1: "ỏ",
    0xE2: "õ",
    0xE3: "ó",
    0xE4: "ọ",
    0xE5: "ồ",
    0xE6: "ổ",
    0xE7: "ỗ",
    0xE8: "ố",
    0xE9: "ộ",
    0xEA: "ờ",
    0xEB: "ở",
    0xEC: "ỡ",
    0xED: "ớ",
    0xEE: "ợ",
    0xEF: "ù",
    0xF1: "ủ",
    0xF2: "ũ",
    0xF3: "ú",
    0xF4: "ụ",
    0xF5: "ừ",
    0xF6: "ử",
    0xF7: "ữ",
    0xF8: "ứ",
    0xF9: "ự",
    0xFA: "ỳ",
    0xFB: "ỷ",
    0xFC: "ỹ",
    0xFD: "ý",
    0xFE: "ỵ",
}
_TCVN3_TRANSLATE = str.maketrans({**_cp1252_table(), **_TCVN3})

# VNI Windows ("VNI-Times" fonts): a letter is its base letter followed by mark bytes
# from the Latin-1 range, capitals using the capital form of the mark byte. The mark
# bytes below are the chart's, per tone and per tone-with-circumflex/breve.
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_TONE_MARKS = (_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT)
_VNI_TONE = {"": "", _ACUTE: "ù", _GRAVE: "ø", _HOOK: "û", _TILDE: "õ", _DOT: "ï"}
_VNI_CIRCUMFLEX = {"": "â", _ACUTE: "á", _GRAVE: "à", _HOOK: "å", _TILDE: "ã", _DOT: "ä"}
_VNI_BREVE = {"": "ê", _ACUTE: "é", _GRAVE: "è", _HOOK: "ú", _TILDE: "ü", _DOT: "ë"}
# Letters VNI stores as one byte: i with tones (Latin-1 has no dotless i to mark),
# ỵ, ơ and ư (horn letters that take tone bytes after them), and đ.
_VNI_I = {"": "i", _ACUTE: "í", _GRAVE: "ì", _HOOK: "æ", _TILDE: "ó", _DOT: "ò"}

# The twelve Vietnamese vowels; with the five tones and đ they make the 67 lowercase
# (and 67 capital) letters outside ASCII, all of which the VNI table covers.
_VOWELS = ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")


def _vni_spelling(vowel: str, tone: str) -> str:
    """VNI byte string (as Latin-1 text) of a lowercase vowel with a tone ("" = none)."""
    if vowel == "i":
        return _VNI_I[tone]
    if vowel == "y" and tone == _DOT:
        return "î"
    if vowel in ("â", "ê", "ô"):
        return unicodedata.normalize("NFD", vowel)[0] + _VNI_CIRCUMFLEX[tone]
    if vowel == "ă":
        return "a" + _VNI_BREVE[tone]
    if vowel == "ơ":
        return "ô" + _VNI_TONE[tone]
    if vowel == "ư":
        return "ö" + _VNI_TONE[tone]
    return vowel + _VNI_TONE[tone]


def _vni_encode_table() -> dict[str, str]:
    table = {"đ": "ñ", "Đ": "Ñ"}
    for vowel in _VOWELS:
        for tone in ("", *_TONE_MARKS):
            letter = unicodedata.normalize("NFC", vowel + tone)
            if letter.isascii():
                continue
            spelling = _vni_spelling(vowel, tone)
            table[letter] = spelling
            # Latin-1 capitals are the lowercase byte minus 0x20, exactly VNI's rule.
            table[letter.upper()] = spelling.upper()
    return table


_VNI_ENCODE = _vni_encode_table()


def _vni_decode_map() -> dict[str, str]:
    decode: dict[str, str] = {}
    for letter, spelling in _VNI_ENCODE.items():
        if spelling != letter:
            decode[spelling] = letter
        if len(spelling) == 2:
            # Converted and hand-edited files mix the mark's case ("Aù" for "Á"); the
            # base letter carries the case.
            decode.setdefault(spelling[0] + spelling[1].swapcase(), letter)
    return decode


_VNI_DECODE = _vni_decode_map()
_VNI_PATTERN = re.compile(
    "|".join(re.escape(k) for k in sorted(_VNI_DECODE, key=len, reverse=True))
)
_CP1252_TRANSLATE = str.maketrans(_cp1252_table())


def _tcvn3_to_unicode(data: bytes) -> str:
    return data.decode("latin-1").translate(_TCVN3_TRANSLATE)


def _vni_to_unicode(data: bytes) -> str:
    text = data.decode("latin-1").translate(_CP1252_TRANSLATE)
    return _VNI_PATTERN.sub(lambda m: _VNI_DECODE[m.group()], text)


def _cp1258_to_unicode(data: bytes) -> str:
    # CP1258 stores most tones as combining marks after the letter; NFC composes them.
    return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))


def _codec_decoder(codec: str) -> Callable[[bytes], str]:
    return lambda data: data.decode(codec, errors="replace")


_LEGACY: tuple[tuple[str, Callable[[bytes], str]], ...] = (
    # Order breaks ties: CP1258 is the standard one, VNI the least constrained.
    ("cp1258", _cp1258_to_unicode),
    ("tcvn3", _tcvn3_to_unicode),
    ("vni", _vni_to_unicode),
)

# --------------------------------------------------------------------------- plausibility

# A syllable without its tone: initial consonant, vowel cluster, final consonant.
# Clusters ending in a glide (ai, ao, iêu, ...) take no final consonant.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    r"(?:(?:uyê|uya|iê|yê|ươ|uô|uâ|uơ|oă|oa|oe|oo|ua|uê|uy|ưa|ia|[aăâeêioôơuưy])"
    r"(?:ch|ng|nh|[cmnpt])?"
    r"|(?P<glide>iêu|yêu|oai|oay|oeo|uây|uôi|ươi|ươu|uyu"
    r"|ai|ao|au|ay|âu|ây|eo|êu|iu|oi|ôi|ơi|ui|ưi|ưu))"
)
_WORD = re.compile(r"[^\W\d_]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Frequent words that contain a non-ASCII letter (ASCII words read the same in every
# candidate, so they cannot tell encodings apart).
_COMMON_WORDS = frozenset(
    [
        "của",
        "và",
        "các",
        "là",
        "người",
        "được",
        "không",
        "những",
        "việt",
        "một",
        "có",
        "với",
        "này",
        "đã",
        "để",
        "đến",
        "năm",
        "nhân",
        "dân",
        "về",
        "cũng",
        "như",
        "từ",
        "thì",
        "đó",
        "nhiều",
        "trên",
        "đồng",
        "công",
        "tác",
        "hiện",
        "quản",
        "lý",
        "hội",
        "nước",
        "bộ",
        "tại",
        "việc",
        "chính",
        "phải",
        "sẽ",
        "đảng",
        "ủy",
        "thành",
        "phố",
        "quận",
        "huyện",
        "xã",
    ]
)
# Latin-1 symbols that real text does use; the rest of U+00A1-U+00BF is what legacy
# letters look like when decoded with the wrong table.
_OK_SYMBOLS = frozenset("§©«®°±»")
_SCORE_SAMPLE = 256 * 1024
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_MIN_VALID_RATIO = 0.5
_MAX_JUNK_RATIO = 0.05


@lru_cache(maxsize=8192)
def _is_syllable(word: str) -> bool:
    """Is ``word`` (NFC letters) a well-formed Vietnamese syllable?"""
    bare: list[str] = []
    toned: list[int] = []
    for i, ch in enumerate(word.lower()):
        decomposed = unicodedata.normalize("NFD", ch)
        kept = "".join(m for m in decomposed if m not in _TONE_MARKS)
        if kept != decomposed:
            toned.append(i)
        bare.append(unicodedata.normalize("NFC", kept))
    if len(toned) > 1:
        return False
    match = _SYLLABLE.fullmatch("".join(bare))
    if match is None:
        return False
    # A tone never sits on the closing glide (cáu, never caù); VNI bytes read as CP1258
    # put it exactly there, so this separates the two.
    return not (match.group("glide") and toned and toned[0] == len(bare) - 1)


def _is_junk(ch: str) -> bool:
    if ch == "\ufffd" or ("\u00a1" <= ch <= "\u00bf" and ch not in _OK_SYMBOLS):
        return True
    # Combining marks left over after NFC sit on letters that cannot carry them.
    return unicodedata.category(ch) in ("Cc", "Cn", "Co", "Mn") and ch not in "\t\n\r\f\v"


class _Plausibility(msgspec.Struct, frozen=True):
    words: int  # words with a non-ASCII letter
    valid: int  # ... that are well-formed Vietnamese syllables
    common: int  # ... that are frequent Vietnamese words
    junk: int  # characters no Vietnamese text would contain
    non_ascii: int  # non-ASCII characters

    @property
    def score(self) -> int:
        return self.valid + self.common - (self.words - self.valid) - self.junk

    @property
    def valid_ratio(self) -> float:
        return self.valid / self.words if self.words else 0.0

    @property
    def junk_ratio(self) -> float:
        return self.junk / self.non_ascii if self.non_ascii else 0.0


def _plausibility(text: str) -> _Plausibility:
    text = unicodedata.normalize("NFC", text)
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    non_ascii = _NON_ASCII.findall(text)
    return _Plausibility(
        words=len(words),
        valid=sum(1 for w in words if _is_syllable(w)),
        common=sum(1 for w in words if w.lower() in _COMMON_WORDS),
        junk=sum(1 for ch in non_ascii if _is_junk(ch)),
        non_ascii=len(non_ascii),
    )


def _score_sample(data: bytes) -> bytes:
    """The lines that carry non-ASCII bytes, up to a bound: enough to judge, fast on 50 MB."""
    if len(data) <= _SCORE_SAMPLE:
        return data
    picked: list[bytes] = []
    size = 0
    for line in data.splitlines():
        if _HIGH_BYTE.search(line):
            picked.append(line)
            size += len(line)
            if size >= _SCORE_SAMPLE:
                break
    return b"\n".join(picked)


def decode_legacy(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Pick CP1258, TCVN3 or VNI (or a declared Western code page) by plausibility."""
    candidates = list(_LEGACY)
    if declared is not None:
        # The declaration wins ties: a French page declared CP1252 stays CP1252.
        candidates.insert(0, (declared, _codec_decoder(declared)))
    sample = _score_sample(data)
    judged = [(name, decoder, _plausibility(decoder(sample))) for name, decoder in candidates]
    best_name, best_decoder, best = max(judged, key=lambda item: item[2].score)
    if best.words and best.valid_ratio >= _MIN_VALID_RATIO:
        return best_decoder(data), best_name
    # Nothing reads as Vietnamese: take the first candidate that decodes cleanly (e.g. a
    # Western file with a few accented words), never a guess full of stray symbols.
    for name, decoder, judgement in judged:
        if judgement.junk_ratio <= _MAX_JUNK_RATIO:
            return decoder(data), name
    raise UnreadableFile(CANNOT_DECODE)


# --------------------------------------------------------------------------- public names

# For readers that know a run's encoding from its font (.VnTime, VNI-Times) and for
# checking a guess: readers/fonts.py.
tcvn3_to_unicode = _tcvn3_to_unicode
vni_to_unicode = _vni_to_unicode
plausibility = _plausibility
