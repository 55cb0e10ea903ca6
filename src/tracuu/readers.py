"""Read archive files (.txt, .md, .docx, .pdf, .html) into clean Unicode text for indexing.

Text files may be UTF-8/UTF-16 or one of the pre-Unicode Vietnamese encodings (CP1258,
TCVN3, VNI), which are detected and converted. Libraries: python-docx opens .docx (we walk
its XML ourselves so tracked insertions, content controls and text boxes are not lost);
pdfminer.six reads PDFs because its layout analysis groups lines into text boxes, which
are the paragraphs we need (pypdf, the other maintained pure-Python reader, returns only
lines, so paragraph breaks would have to be guessed from coordinates); HTML uses the
stdlib html.parser, which is tolerant enough for text extraction and adds no dependency.
No maintained offline TCVN3/VNI converter exists on PyPI (the few packages are young
document loaders), so the conversion tables live here, built from the published charts.
"""

from __future__ import annotations

import codecs
import io
import re
import stat
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".docx", ".pdf", ".html", ".htm"})
MAX_BYTES = 50 * 1024 * 1024

_CANNOT_DECODE = "cannot decode text (tried UTF-8, UTF-16, CP1258, TCVN3, VNI)"


class UnreadableFile(Exception):
    """A file that cannot be turned into text; ``str(exc)`` is a short reason for people."""


@dataclass(frozen=True)
class DocumentText:
    """Text of one file: "\\n" line ends, no BOM; paragraphs split by blank lines.

    Unicode files keep their normalization form (an NFD file stays NFD); text decoded
    from legacy 8-bit encodings (CP1258, TCVN3, VNI) is NFC.
    """

    text: str
    format: str  # "txt" | "md" | "docx" | "pdf" | "html"
    encoding: str | None  # codec the bytes were decoded with; None for docx/pdf


# --------------------------------------------------------------------------- reading


_REAL_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}")


def effective_suffix(path: Path) -> str | None:
    """The suffix a file is read as, or None for a file type we do not read.

    Archives hold plain-text files with no extension or with a name that only looks like
    one ("iso 3166-2", "i am... yours"): those are read as text.
    """
    suffix = Path(path).suffix.lower()
    if suffix in SUPPORTED_SUFFIXES:
        return suffix
    if not _REAL_SUFFIX.fullmatch(suffix):
        return ".txt"
    return None


def read_document(path: Path, max_bytes: int = MAX_BYTES) -> DocumentText:
    """Read one supported file; raise UnreadableFile with a short reason if impossible."""
    path = Path(path)
    suffix = effective_suffix(path)
    if suffix is None:
        raise UnreadableFile(f"unsupported file type {path.suffix.lower()}")
    data = _read_bytes(path, max_bytes)
    if not data:
        raise UnreadableFile("empty file")
    if suffix in (".txt", ".md"):
        text, encoding = decode_text(data)
        return DocumentText(text, suffix[1:], encoding)
    if suffix == ".docx":
        return DocumentText(_join_paragraphs(_docx_paragraphs(data)), "docx", None)
    if suffix == ".pdf":
        return DocumentText(_join_paragraphs(_pdf_paragraphs(data)), "pdf", None)
    text, encoding = _html_text(data)
    return DocumentText(text, "html", encoding)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        info = path.stat()
        # Opening a FIFO or device would block or never end; only plain files are archives.
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile("not a regular file")
        if info.st_size > max_bytes:
            raise UnreadableFile(f"larger than {_size_text(max_bytes)}")
        with path.open("rb") as handle:
            # One byte past the limit tells us the file grew after stat() without
            # reading an unbounded amount.
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        # The corpus walk listed it, so it was deleted or renamed in between.
        raise UnreadableFile("file vanished while reading") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise UnreadableFile(f"larger than {_size_text(max_bytes)}")
    return data


def _size_text(n: int) -> str:
    mib = 1024 * 1024
    if n >= mib and n % mib == 0:
        return f"{n // mib} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} bytes"


# --------------------------------------------------------------------------- normalizing

# Form feed / vertical tab (page breaks in text exports) and Unicode line separators end
# a line; the other C0 controls carry no text, and the index should not see them.
_LINE_BREAKS = {0x0B: "\n", 0x0C: "\n", 0x2028: "\n", 0x2029: "\n"}
_DROP_CONTROLS = {c: None for c in [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F]}
_CLEANUP = str.maketrans({**_LINE_BREAKS, **_DROP_CONTROLS, 0xFEFF: None})
_BAD_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_MAX_CONTROL_FRACTION = 0.01


def _normalize(text: str) -> str:
    # Unicode text stays as written (NFD included): paragraphs and highlight offsets
    # refer to the file's own characters; text.py normalizes for matching only.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A BOM (U+FEFF) anywhere is invisible noise, e.g. from concatenated exports.
    return text.translate(_CLEANUP)


def _join_paragraphs(paragraphs: Iterator[str] | list[str]) -> str:
    """One paragraph per line, blank line between: the corpus splitter relies on it."""
    parts = [p for p in (" ".join(para.split()) for para in paragraphs) if p]
    if not parts:
        raise UnreadableFile("document has no text")
    return _normalize("\n\n".join(parts))


# --------------------------------------------------------------------------- text decoding


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text file's bytes to normalized text; return (text, encoding name)."""
    return _decode(data, declared=None)


def _decode(data: bytes, declared: str | None) -> tuple[str, str]:
    if not data:
        raise UnreadableFile("empty file")
    text, encoding = _decode_raw(data, declared)
    # Controls are counted before cleanup: text full of them is a binary file. DOS-era
    # files may end in Ctrl-Z (end-of-file mark), which says nothing about the content.
    judged = text.rstrip("\x1a")
    if len(_BAD_CONTROL.findall(judged)) > _MAX_CONTROL_FRACTION * len(judged):
        raise UnreadableFile("binary file")
    text = _normalize(text)
    if not text.strip():
        raise UnreadableFile("empty file")
    return text, encoding


def _decode_raw(data: bytes, declared: str | None) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        body = data[len(codecs.BOM_UTF8) :]
        try:
            return body.decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            lossy = _mostly_utf8(body)
            if lossy is not None:
                return lossy, "utf-8-sig"
            data = body  # the BOM was wrong; detect the rest like any other text
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # A BOM is strong evidence; a truncated last unit becomes U+FFFD, not an error.
        return data.decode("utf-16", errors="replace"), "utf-16"
    utf16 = _sniff_utf16(data)
    if utf16 is not None:
        return data.decode(utf16), utf16
    if b"\x00" in data:
        raise UnreadableFile("binary file")
    if declared is not None and declared not in _WESTERN:
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            pass  # the declaration lies; detect instead
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lossy = _mostly_utf8(data)
    if lossy is not None:
        return lossy, "utf-8"
    return _decode_legacy(data, declared if declared in _WESTERN else None)


def _sniff_utf16(data: bytes) -> str | None:
    """Detect BOM-less UTF-16 by its zero high bytes (ASCII and Latin letters)."""
    if len(data) < 4 or len(data) % 2:
        return None
    half = len(data) // 2
    even_zeros, odd_zeros = data[0::2].count(0), data[1::2].count(0)
    if odd_zeros >= 0.3 * half and even_zeros <= 0.02 * half:
        codec = "utf-16-le"
    elif even_zeros >= 0.3 * half and odd_zeros <= 0.02 * half:
        codec = "utf-16-be"
    else:
        return None
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return None
    return codec


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few damaged bytes (e.g. a cut-off last character), else None.

    Legacy 8-bit text almost never forms valid multi-byte sequences, so a file where
    valid non-ASCII characters outnumber bad bytes 100 to 1 is UTF-8 with damage, and
    decoding it as a legacy encoding would mangle every Vietnamese letter.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ch > "\x7f") - bad
    if good >= 20 and bad * 100 <= good:
        return text
    return None


# --------------------------------------------------------------------------- legacy tables

# Western code pages that old Vietnamese web pages declared while their text was really
# TCVN3/VNI (shown with .VnTime / VNI-Times fonts), so a declaration is only a hint.
_WESTERN = frozenset({"latin-1", "iso8859-1", "cp1252", "ascii"})


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


@dataclass(frozen=True)
class _Plausibility:
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


def _decode_legacy(data: bytes, declared: str | None = None) -> tuple[str, str]:
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
    raise UnreadableFile(_CANNOT_DECODE)


# --------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_W_P, _W_TBL, _W_TR, _W_TC = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_W_T, _W_TXBX, _W_NB_HYPHEN = f"{_W}t", f"{_W}txbxContent", f"{_W}noBreakHyphen"
_W_SPACES = frozenset({f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}ptab"})
# Tracked deletions and the old place of moved text are not the document's text.
_W_SKIP = frozenset({_MC_FALLBACK, f"{_W}del", f"{_W}moveFrom"})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A 50 MB zip can unpack to gigabytes; the XML is parsed in memory, so cap it.
_MAX_UNPACKED = 512 * 1024 * 1024


def _docx_paragraphs(data: bytes) -> list[str]:
    import docx  # python-docx; imported lazily so only DOCX files pay for loading lxml

    if data.startswith(_OLE_MAGIC):
        raise UnreadableFile("not a DOCX file (old Word .doc or password-protected)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > _MAX_UNPACKED:
                raise UnreadableFile("DOCX too large when unpacked")
        body = docx.Document(io.BytesIO(data)).element.body
        return list(_docx_blocks(body))
    except UnreadableFile:
        raise
    except Exception:  # zipfile, lxml and python-docx each raise their own types
        raise UnreadableFile("not a valid DOCX file") from None


def _docx_blocks(parent: Any) -> Iterator[str]:  # lxml elements throughout
    """Paragraph texts below ``parent`` in document order; a table row may be one line."""
    for child in parent.iterchildren():
        if child.tag == _W_P:
            words: list[str] = []
            boxes: list[Any] = []
            _docx_run_text(child, words, boxes)
            yield "".join(words)
            for box in boxes:
                yield from _docx_blocks(box)
        elif child.tag == _W_TBL:
            yield from _docx_table(child)
        elif child.tag not in _W_SKIP:
            # Content controls, custom XML and tracked insertions wrap real paragraphs.
            yield from _docx_blocks(child)


def _docx_run_text(element: Any, words: list[str], boxes: list[Any]) -> None:
    for child in element.iterchildren():
        tag = child.tag
        if tag == _W_T:
            words.append(child.text or "")
        elif tag in _W_SPACES:
            words.append(" ")
        elif tag == _W_NB_HYPHEN:
            words.append("-")
        elif tag == _W_TXBX:
            boxes.append(child)  # a text box: its own paragraphs, after this one
        elif tag not in _W_SKIP:  # mc:Fallback repeats the preferred content
            _docx_run_text(child, words, boxes)


def _docx_table(table: Any) -> Iterator[str]:
    for row in table.iterchildren(_W_TR):
        cells = [[p for p in _docx_blocks(tc) if p.strip()] for tc in row.iterchildren(_W_TC)]
        if all(len(paras) <= 1 for paras in cells):
            # A row of short cells reads best as one line ("STT | Họ tên | Chức vụ").
            line = " | ".join(" ".join(paras[0].split()) for paras in cells if paras)
            if line:
                yield line
        else:
            for paras in cells:
                yield from paras


# --------------------------------------------------------------------------- PDF

_CID = re.compile(r"\(cid:\d+\)")


def _pdf_paragraphs(data: bytes) -> list[str]:
    # pdfminer.six, imported here because it is slow to import and only PDFs need it.
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    paragraphs: list[str] = []
    unmapped = False
    try:
        # all_texts: some producers put a page's text inside form XObjects (figures).
        for page in extract_pages(io.BytesIO(data), laparams=LAParams(all_texts=True)):
            for box in _pdf_text_boxes(page):
                raw = box.get_text()
                text = _CID.sub("", raw)
                unmapped = unmapped or text != raw
                if text.strip():
                    paragraphs.append(text)
    except PDFPasswordIncorrect:
        raise UnreadableFile("PDF is password-protected") from None
    except Exception:  # pdfminer raises many types (PSEOF, KeyError, ...) on damage
        raise UnreadableFile("not a valid PDF file") from None
    if not paragraphs:
        if unmapped:
            raise UnreadableFile("PDF text has no Unicode mapping")
        raise UnreadableFile("PDF has no text layer")
    return paragraphs


def _pdf_text_boxes(container: Any) -> Iterator[Any]:  # pdfminer layout objects
    from pdfminer.layout import LTContainer, LTTextBox

    for item in container:
        if isinstance(item, LTTextBox):
            yield item  # pdfminer's text box: lines of one paragraph
        elif isinstance(item, LTContainer):
            yield from _pdf_text_boxes(item)


# --------------------------------------------------------------------------- HTML

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "title",
        "tr",
        "ul",
    ]
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg"})
_CELL_TAGS = frozenset({"td", "th"})


class _TextExtractor(HTMLParser):
    """Collects visible text; block elements end a paragraph, cells are joined by " | "."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._parts: list[str] = []
        self._skip = 0
        self._pre = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._parts).split())
        if text:
            self.paragraphs.append(text)
        self._parts = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _CELL_TAGS:
            if "".join(self._parts).strip():
                self._parts.append(" | ")
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag == "pre":
                self._pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag == "pre":
                self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre:
            # Preformatted lines stay lines: each becomes its own paragraph.
            lines = data.split("\n")
            for line in lines[:-1]:
                self._parts.append(line)
                self._flush()
            self._parts.append(lines[-1])
        else:
            self._parts.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _html_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        codec = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    # HTML rule: a meta tag readable as ASCII cannot be in UTF-16, it means UTF-8.
    return "utf-8" if codec.startswith("utf-16") else codec


def _html_text(data: bytes) -> tuple[str, str]:
    markup, encoding = _decode(data, declared=_html_charset(data))
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # html.parser is lenient, but never let a traceback out
        raise UnreadableFile("cannot parse HTML") from None
    return _join_paragraphs(parser.paragraphs), encoding
