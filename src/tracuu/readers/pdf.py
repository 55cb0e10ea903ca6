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


def pdf_paragraphs(data: bytes) -> list[str]:
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
