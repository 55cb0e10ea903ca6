"""HTML pages via the stdlib html.parser, tolerant enough for text extraction."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from ..errors import UnreadableFile
from .encodings import decode, join_paragraphs

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
# Not text, or not the document: the page's <title> is the site's, menus and footers are
# site chrome around the document.
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object", "svg", "title", "nav"}
    | {"footer", "aside"}
)
# Where a page says its content is: when these hold the text, the rest is chrome.
_MAIN_TAGS = frozenset({"main", "article"})
_MIN_MAIN_CHARS = 200
_CELL_TAGS = frozenset({"td", "th"})


class _TextExtractor(HTMLParser):
    """Collects visible text; block elements end a paragraph, cells are joined by " | "."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.all: list[str] = []
        self.main: list[str] = []  # the paragraphs inside <main> or <article>
        self._parts: list[str] = []
        self._skip = 0
        self._pre = 0
        self._in_main = 0

    @property
    def paragraphs(self) -> list[str]:
        """The main content when the page marks it, else every paragraph."""
        return self.main if sum(map(len, self.main)) >= _MIN_MAIN_CHARS else self.all

    def _flush(self) -> None:
        text = " ".join("".join(self._parts).split())
        if text:
            self.all.append(text)
            if self._in_main:
                self.main.append(text)
        self._parts = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _MAIN_TAGS:
            self._flush()
            self._in_main += 1
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
        if tag in _MAIN_TAGS:
            self._flush()
            self._in_main = max(0, self._in_main - 1)
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


def html_text(data: bytes) -> tuple[str, str]:
    markup, encoding = decode(data, declared=_html_charset(data))
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # html.parser is lenient, but never let a traceback out
        raise UnreadableFile("cannot parse HTML", kind="corrupt") from None
    return join_paragraphs(parser.paragraphs), encoding
