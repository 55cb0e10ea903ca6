"""Scans: image files and the PDF pages that have no text layer, read by OCR (:mod:`.ocr`).

Each page's paragraphs are cached by the file's hash in ``<cache>/ocr/<sha256>.json``
with the OCR engine, model and settings, so a rebuild does not OCR again; a result made
with other settings, or a damaged entry, is redone.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import NeedsOCR, UnreadableFile
from . import ocr

if TYPE_CHECKING:
    from PIL.Image import Image

    from . import ReadContext

MIN_TEXT_CHARS = 20  # a PDF page whose text layer has fewer letters/digits is OCR'd
SAVE_EVERY = 20.0  # seconds: how much OCR work a killed build can lose on a long scan

PageLoader = Callable[[int], tuple["Image", float]]  # page index -> (image, its dpi; 0 unknown)


def pdf_with_ocr(
    data: bytes, pages: list[list[str]], ctx: ReadContext
) -> tuple[list[list[str]], int, int]:
    """The pages of a PDF with those lacking a text layer read by OCR, how many were, and
    how many could not be (OCR missing).

    ``pages`` are the text layer's paragraphs per page (:func:`.pdf.pdf_pages`). A page
    with a little text (a stamp, a page number) is OCR'd too, and keeps its text unless
    OCR finds more than twice as much. Without OCR, a PDF with no text at all raises
    :class:`NeedsOCR`; one with some keeps what its text layer has.
    """
    todo = [i for i, page in enumerate(pages) if _letters(page) < MIN_TEXT_CHARS]
    if not todo:
        return pages, 0, 0
    hint = ocr.missing()
    if hint is not None:
        if any(pages):
            return pages, 0, sum(1 for i in todo if not pages[i])
        raise NeedsOCR("scanned PDF (no text layer): needs OCR", hint=hint)
    pdf = _open_pdf(data)
    try:
        read = ocr_pages(ctx, todo, lambda i: (_render(pdf, i), ocr.DPI))
    finally:
        pdf.close()
    out = list(pages)
    for index, paragraphs in read.items():
        # a scan with a stamp has far more on the image; a short typed page stays as typed
        if _letters(paragraphs) > 2 * _letters(out[index]):
            out[index] = paragraphs
    return out, len(todo), 0


def image_pages(data: bytes, kind: str, ctx: ReadContext) -> list[list[str]]:
    """The paragraphs of each page (frame) of an image file, read by OCR."""
    hint = ocr.missing()
    if hint is not None:
        raise NeedsOCR(f"scanned image ({kind}): needs OCR", hint=hint)
    image = _open_image(data)
    count = getattr(image, "n_frames", 1)
    read = ocr_pages(ctx, list(range(count)), lambda i: _frame(image, i))
    return [read[i] for i in range(count)]


def ocr_pages(ctx: ReadContext, todo: Sequence[int], load: PageLoader) -> dict[int, list[str]]:
    """OCR the pages ``todo`` (0-based) of one file: from the cache where it has them.

    ``ctx.on_page(done, total)`` is told after each page, cached ones included.
    """
    cache = OcrCache.of(ctx)
    read: dict[int, list[str]] = {}
    with contextlib.ExitStack() as stack:
        stack.callback(cache.save)  # what was done survives an error or Ctrl-C
        engine: ocr.Tesseract | None = None
        for done, index in enumerate(todo, start=1):
            paragraphs = cache.get(index)
            if paragraphs is None:
                if engine is None:
                    engine = stack.enter_context(ocr.Tesseract())
                paragraphs = engine.paragraphs(*load(index))
                cache.put(index, paragraphs)
            read[index] = paragraphs
            if ctx.on_page is not None:
                ctx.on_page(done, len(todo))
    return read


def _letters(paragraphs: list[str]) -> int:
    return sum(ch.isalnum() for p in paragraphs for ch in p)


# ---- page images ------------------------------------------------------------------


def _open_pdf(data: bytes) -> Any:  # a pypdfium2.PdfDocument
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise UnreadableFile("not a valid PDF file", kind="corrupt") from None


def _render(pdf: Any, index: int) -> Image:
    """Page ``index`` in grey at ocr.DPI (a blank page if PDFium does not have it)."""
    from PIL import Image as PILImage

    if index >= len(pdf):  # pdfminer and PDFium disagree on a damaged file
        return PILImage.new("L", (8, 8), 255)
    page = pdf[index]
    try:
        width, height = page.get_size()  # in points
        scale = ocr.DPI / 72
        pixels = width * height * scale * scale
        if pixels > ocr.MAX_PIXELS:
            scale *= (ocr.MAX_PIXELS / pixels) ** 0.5
        return page.render(scale=scale, grayscale=True).to_pil().convert("L")
    finally:
        page.close()


def _open_image(data: bytes) -> Image:
    from PIL import Image as PILImage

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns about big images; they are scaled
            image = PILImage.open(io.BytesIO(data))
            image.load()
    except PILImage.DecompressionBombError:
        raise UnreadableFile("image too large", kind="too-large") from None
    except Exception:  # Pillow raises many types (UnidentifiedImageError, OSError, ...)
        raise UnreadableFile("not a readable image", kind="corrupt") from None
    return image


def _frame(image: Image, index: int) -> tuple[Image, float]:
    """Frame ``index`` of an image (a page of a multi-page TIFF), upright, on white paper."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    try:
        image.seek(index)
        frame = ImageOps.exif_transpose(image.copy())
    except Exception:  # a damaged later frame
        raise UnreadableFile(f"image frame {index + 1} is not readable", kind="corrupt") from None
    if frame.mode.startswith("I") or frame.mode == "F":  # 16/32-bit grey: L would clip
        import numpy as np

        values = np.asarray(frame, dtype=np.float64)
        top = 65535.0 if frame.mode.startswith("I;16") else max(float(values.max()), 1.0)
        frame = PILImage.fromarray((values * (255 / top)).clip(0, 255).astype(np.uint8))
    elif frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info:
        paper = PILImage.new("RGBA", frame.size, "white")
        frame = PILImage.alpha_composite(paper, frame.convert("RGBA"))
    dpi = frame.info.get("dpi", (0, 0))[0] or 0
    return frame.convert("L"), float(dpi)


# ---- cache ------------------------------------------------------------------------


class OcrCache:
    """OCR results of one file on disk: ``{"key": ..., "pages": {"1": [paragraphs]}}``.

    Saved atomically (a temporary file renamed over the old one) every SAVE_EVERY
    seconds and at the end, so an interrupted build resumes; write errors are ignored
    (the cache only saves time).
    """

    def __init__(self, path: Path | None, key: dict[str, Any]) -> None:
        self.path = path
        self.key = key
        self.pages: dict[str, list[str]] = {}
        self._dirty = False
        self._saved_at = time.monotonic()
        if path is not None:
            self.pages = _load(path, key)

    @classmethod
    def of(cls, ctx: ReadContext) -> OcrCache:
        """The cache entry of the file ``ctx`` describes (none without a hash or folder)."""
        if ctx.cache_dir is None or not ctx.sha256:
            return cls(None, {})
        return cls(Path(ctx.cache_dir, "ocr", f"{ctx.sha256}.json"), ocr.cache_key())

    def get(self, index: int) -> list[str] | None:
        return self.pages.get(str(index + 1))

    def put(self, index: int, paragraphs: list[str]) -> None:
        self.pages[str(index + 1)] = paragraphs
        self._dirty = True
        if time.monotonic() - self._saved_at >= SAVE_EVERY:
            self.save()

    def save(self) -> None:
        if self.path is None or not self._dirty:
            return
        entry = json.dumps({"key": self.key, "pages": self.pages}, ensure_ascii=False)
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(entry)
            os.replace(tmp, self.path)
            tmp = None
        except OSError:
            pass
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        self._dirty = False
        self._saved_at = time.monotonic()


def _load(path: Path, key: dict[str, Any]) -> dict[str, list[str]]:
    """The cached pages made with ``key``; nothing if missing, stale or damaged."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(entry, dict) or entry.get("key") != key:
        return {}
    pages = entry.get("pages")
    if not isinstance(pages, dict):
        return {}
    return {
        str(number): paragraphs
        for number, paragraphs in pages.items()
        if isinstance(paragraphs, list) and all(isinstance(p, str) for p in paragraphs)
    }
