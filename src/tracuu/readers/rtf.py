"""Rich Text Format files via striprtf (pure Python, BSD).

striprtf returns text without fonts, so text typed in a legacy Vietnamese font comes back
as its CP1252 reading ("B¸o c¸o"). In a file whose font table names such a font, each
paragraph's such spans are decoded when they read better as TCVN3 or VNI
(:func:`.fonts.fix_mojibake`); other files are left as they are.
"""

from __future__ import annotations

import re

from ..errors import UnreadableFile
from .fonts import fix_mojibake, mentions_legacy_font

_MAX_FONT_TABLE = 1 << 20  # characters; a font table is a few kilobytes
_BRACE = re.compile(r"[{}]")
# RTF is 7-bit with \'hh escapes; raw 8-bit bytes, if a writer left any, are CP1252.
_CP1252 = str.maketrans(
    {b: bytes([b]).decode("cp1252", "replace").replace("\ufffd", chr(b)) for b in range(0x80, 0xA0)}
)


def rtf_paragraphs(data: bytes) -> list[str]:
    """Paragraphs of an RTF file; a table row is one line, its cells joined by " | "."""
    try:
        from striprtf.striprtf import rtf_to_text
    except ImportError:
        raise UnreadableFile("RTF reader not installed", "pip install striprtf") from None
    text = data.decode("latin-1").translate(_CP1252)
    try:
        plain = rtf_to_text(text, errors="ignore")
    except Exception:  # striprtf raises plain exceptions on broken input
        raise UnreadableFile("not a valid RTF file", kind="corrupt") from None
    legacy = mentions_legacy_font(_font_table(text))
    paragraphs = []
    for line in plain.split("\n"):
        if "|" in line:  # striprtf ends each table cell with "|"
            line = " | ".join(c.strip() for c in line.split("|") if c.strip())
        paragraphs.append(fix_mojibake(line) if legacy else line)
    return paragraphs


def _font_table(text: str) -> str:
    """The font table group ("{\\fonttbl{\\f0 ... .VnTime;}...}"), or "" if there is none."""
    start = text.find("\\fonttbl")
    if start < 0:
        return ""
    depth = 1
    for brace in _BRACE.finditer(text, start, start + _MAX_FONT_TABLE):
        depth += 1 if brace.group() == "{" else -1
        if depth == 0:
            return text[start : brace.start()]
    return text[start : start + _MAX_FONT_TABLE]
