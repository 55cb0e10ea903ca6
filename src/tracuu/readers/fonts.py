"""Text typed in legacy Vietnamese fonts (.VnTime = TCVN3, VNI-Times = VNI) inside
word-processor files (.doc, .docx, .rtf): decoded exactly when the font is known, by
plausibility when it is not.

Word keeps a legacy font's 8-bit codes as their CP1252 reading ("B¸o c¸o" for "Báo cáo");
re-encoding with CP1252 gives the bytes back, and the font's table decodes them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from ..errors import UnreadableFile
from .legacy import decode_legacy, plausibility, tcvn3_to_unicode, vni_to_unicode

TCVN3, TCVN3_CAPS, VNI = "tcvn3", "tcvn3-caps", "vni"

# ".VnTime", ".VnArial", ... are TCVN3 (ABC) fonts and a name ending in "H" (".VnTimeH")
# is the capitals variant; "VNI-Times", "VNI-Helve", ... are VNI fonts.
_TCVN3_FONT = re.compile(r"\.vn(?!i)[a-z]", re.I)
_VNI_FONT = re.compile(r"vni[- ]", re.I)


def legacy_encoding(font: str | None) -> str | None:
    """TCVN3, TCVN3_CAPS or VNI for a legacy font's family name, else None."""
    name = (font or "").strip()
    if _VNI_FONT.match(name):
        return VNI
    if _TCVN3_FONT.match(name):
        return TCVN3_CAPS if name.endswith("H") else TCVN3
    return None


def _cp1252_reverse() -> dict[str, int]:
    table: dict[str, int] = {}
    for byte in range(0x80, 0x100):
        try:
            table[bytes([byte]).decode("cp1252")] = byte
        except UnicodeDecodeError:
            table[chr(byte)] = byte  # undefined in CP1252: Word keeps the C1 code point
    # TCVN3 "ư" is 0xAD, the soft hyphen; LibreOffice saves U+00AD as Word's optional
    # hyphen (0x1F), so inside legacy text both are that byte.
    table["\x1f"] = 0xAD
    return table


_CP1252_REVERSE = _cp1252_reverse()
_HIGH = re.compile(rb"[\x80-\xff]")
_SOFT_HYPHENS = str.maketrans({"\xad": None, "\x1f": None})


def legacy_bytes(text: str) -> bytes | None:
    """The 8-bit codes behind text read as CP1252, or None if ``text`` is not such text."""
    out = bytearray()
    for ch in text:
        code = ord(ch)
        if code < 0x80 and ch != "\x1f":
            out.append(code)
        elif ch in _CP1252_REVERSE:
            out.append(_CP1252_REVERSE[ch])
        elif 0xF020 <= code <= 0xF0FF:  # a symbol-charset font: Word maps codes to U+F0xx
            out.append(code - 0xF000)
        else:
            return None
    return bytes(out)


def decode_font_run(text: str, encoding: str) -> str:
    """Text drawn in a legacy font, decoded; Unicode text left in such a font is kept."""
    data = legacy_bytes(text)
    if data is None or not _HIGH.search(data):
        # Letters CP1252 cannot hold prove the text is Unicode (pasted into the font).
        return text.translate(_SOFT_HYPHENS)
    decoded = tcvn3_to_unicode(data) if encoding != VNI else vni_to_unicode(data)
    decoded = unicodedata.normalize("NFC", decoded)
    if plausibility(decoded).score < plausibility(text).score:
        return text.translate(_SOFT_HYPHENS)
    return decoded.upper() if encoding == TCVN3_CAPS else decoded


_NAME_START = re.compile(r"[.vV]")


def mentions_legacy_font(font_table: str) -> bool:
    """Does a font table (RTF's, or a Word file's as text) name a legacy font?

    Only a document that uses one may hold legacy text in another font's runs: the
    plausibility guess of :func:`fix_mojibake` is kept for those (in Unicode text it
    would read "mét" as TCVN3 "một" now and then).
    """
    return any(
        legacy_encoding(font_table[m.start() : m.start() + 64])
        for m in _NAME_START.finditer(font_table)
    )


def decode_runs(runs: Iterable[tuple[str, str | None]]) -> str:
    """The text of a paragraph's runs ``(text, font)``, legacy fonts decoded.

    Neighbouring runs of one encoding are joined first: a VNI letter and its tone byte
    may sit in two runs. Runs in other fonts are kept as they are.
    """
    merged: list[tuple[str, str | None]] = []
    for text, font in runs:
        encoding = legacy_encoding(font)
        if merged and merged[-1][1] == encoding:
            merged[-1] = (merged[-1][0] + text, encoding)
        else:
            merged.append((text, encoding))
    return "".join(decode_font_run(text, enc) if enc else text for text, enc in merged)


_WORD_SPLIT = re.compile(r"(\s+)")


def fix_mojibake(text: str) -> str:
    """Decode spans of legacy-font text in text whose fonts are unknown.

    Words that CP1252 can hold are grouped into spans (a Unicode word such as "Người"
    ends one); a span with high characters is decoded by the detector of
    :mod:`.legacy` and kept only if it reads as more plausible Vietnamese than before,
    so "café crème" and Unicode "Báo cáo" stay as they are.
    """
    out: list[str] = []
    span: list[str] = []
    for part in _WORD_SPLIT.split(text):
        if part and (part.isspace() or legacy_bytes(part) is not None):
            span.append(part)
            continue
        if span:
            out.append(_fix_span("".join(span)))
            span.clear()
        out.append(part.translate(_SOFT_HYPHENS))
    if span:
        out.append(_fix_span("".join(span)))
    return "".join(out)


def _fix_span(text: str) -> str:
    data = legacy_bytes(text)
    if data is None or not _HIGH.search(data):
        return text.translate(_SOFT_HYPHENS)
    try:
        decoded, encoding = decode_legacy(data)
    except UnreadableFile:
        return text.translate(_SOFT_HYPHENS)
    decoded = unicodedata.normalize("NFC", decoded)
    before, after = plausibility(text), plausibility(decoded)
    if after.words and after.score > before.score and after.valid_ratio >= 0.5:
        return _tcvn3_capitals(decoded) if encoding == TCVN3 else decoded
    return text.translate(_SOFT_HYPHENS)


# Without a font name, text of a TCVN3 capitals font (.VnTimeH) shows as words of ASCII
# capitals and small accented letters ("BáO", "TRữ"): TCVN3 has no codes for most
# accented capitals. Two capitals and no small ASCII letter keep "Bá", "Êđê" as they are.
_LETTERS = re.compile(r"[^\W\d_]+")


def _capitals_word(match: re.Match[str]) -> str:
    word = match.group()
    small = [c for c in word if c.islower()]
    if small and not any(c.isascii() for c in small) and sum(c.isupper() for c in word) >= 2:
        return word.upper()
    return word


def _tcvn3_capitals(text: str) -> str:
    return _LETTERS.sub(_capitals_word, text)
