"""PDF files with a text layer, via pdfminer.six.

pdfminer's layout analysis groups lines into text boxes, which are the paragraphs we
need (pypdf, the other maintained pure-Python reader, returns only lines, so paragraph
breaks would have to be guessed from coordinates).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from ..errors import UnreadableFile

# --------------------------------------------------------------------------- PDF

_CID = re.compile(r"\(cid:\d+\)")


def pdf_pages(data: bytes) -> list[list[str]]:
    """The paragraphs (pdfminer's text boxes) of each page; a page without text is []."""
    # pdfminer.six, imported here because it is slow to import and only PDFs need it.
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    pages: list[list[str]] = []
    try:
        # all_texts: some producers put a page's text inside form XObjects (figures).
        for page in extract_pages(io.BytesIO(data), laparams=LAParams(all_texts=True)):
            paragraphs = []
            for box in _pdf_text_boxes(page):
                raw = box.get_text()
                text = _CID.sub("", raw)
                if text.strip():
                    paragraphs.append(text)
            pages.append(paragraphs)
    except PDFPasswordIncorrect:
        raise UnreadableFile("PDF is password-protected", kind="encrypted") from None
    except Exception:  # pdfminer raises many types (PSEOF, KeyError, ...) on damage
        raise UnreadableFile("not a valid PDF file", kind="corrupt") from None
    # A page whose text has no Unicode mapping ("(cid:12)" glyph codes) is as good as a
    # scan: it comes out empty, and OCR reads it where installed.
    return pages


def _pdf_text_boxes(container: Any) -> Iterator[Any]:  # pdfminer layout objects
    from pdfminer.layout import LTContainer, LTTextBox

    for item in container:
        if isinstance(item, LTTextBox):
            yield item  # pdfminer's text box: lines of one paragraph
        elif isinstance(item, LTContainer):
            yield from _pdf_text_boxes(item)
