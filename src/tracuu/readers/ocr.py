"""OCR of page images into paragraphs, offline: Tesseract through tesserocr (its wheels
bundle libtesseract) with the Vietnamese model of Debian's ``tesseract-ocr-vie``.

Nothing is downloaded: when the binding or the model is missing, :func:`missing` says what
to install. Pages are cleaned first (median denoise, then deskew) and read with automatic
page segmentation; paragraphs are Tesseract's own (block/paragraph level), not lines.
"""

from __future__ import annotations

import functools
import hashlib
import os
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from ..errors import NeedsOCR, UnreadableFile

if TYPE_CHECKING:
    import numpy as np
    from PIL.Image import Image

LANG = "vie"
INSTALL = "pip install 'tracuu[ocr]' and apt-get install tesseract-ocr-vie"
MODEL_INSTALL = "apt-get install tesseract-ocr-vie"
# Where Debian, Fedora, Homebrew and source builds keep the models (after $TESSDATA_PREFIX).
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)
DPI = 300  # what Tesseract's models expect; PDF pages are rendered at this resolution
PSM = 3  # automatic page segmentation: keeps the two columns of an official heading apart
MEDIAN = 3  # denoise filter size
MAX_SKEW = 5.0  # degrees searched by the deskew
UPSCALE_BELOW_DPI = 250  # images that declare less are scaled to DPI (fax, 150-dpi scans)
MAX_PIXELS = 60_000_000  # larger pages are scaled down (a 60 MP page is ~A2 at 300 dpi)
PAGE_TIMEOUT = 300  # seconds of OCR for one page before giving up on the file
PREP_VERSION = 1  # bump when the cleaning changes: cached OCR output is then redone
SETTINGS = {"lang": LANG, "psm": PSM, "dpi": DPI, "median": MEDIAN, "deskew": MAX_SKEW}


class Setup(msgspec.Struct, frozen=True):
    """The OCR this machine runs: where the model is and what produced a result."""

    tessdata: str
    version: str  # binding, library and model: part of the cache key


def missing() -> str | None:
    """None when OCR can run here, else what to install (one line)."""
    found = _probe()
    return found if isinstance(found, str) else None


def setup() -> Setup:
    """The OCR setup; NeedsOCR if there is none (callers check :func:`missing` first)."""
    found = _probe()
    if isinstance(found, str):
        raise NeedsOCR("needs OCR", hint=found)
    return found


def cache_key() -> dict[str, Any]:
    """Everything that decides OCR output: a cached result with another key is redone."""
    return {"engine": setup().version, "settings": SETTINGS, "prep": PREP_VERSION}


@functools.cache
def _probe() -> Setup | str:
    try:
        tesserocr = _tesserocr()
        import numpy  # noqa: F401
        import PIL  # noqa: F401
    except ImportError:
        return INSTALL
    tessdata = _tessdata()
    if tessdata is None:
        return f"Tesseract's Vietnamese model is missing: {MODEL_INSTALL}"
    model = Path(tessdata, f"{LANG}.traineddata").read_bytes()
    version = " ".join(tesserocr.tesseract_version().split()[:2])
    digest = hashlib.sha256(model).hexdigest()[:16]
    return Setup(tessdata, f"tesserocr {tesserocr.__version__}; {version}; {LANG} {digest}")


def _tesserocr() -> Any:
    # Tesseract built with OpenMP (Debian's is) runs a page 3-25 times slower with
    # threads on 2 cores; pages run in parallel processes instead. The limit is read
    # when the library loads, so it is set before the first import.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    import tesserocr

    return tesserocr


def _tessdata() -> str | None:
    prefix = os.environ.get("TESSDATA_PREFIX")
    candidates = [prefix, f"{prefix}/tessdata"] if prefix else []
    for folder in [*candidates, *TESSDATA_DIRS]:
        if Path(folder, f"{LANG}.traineddata").is_file():
            return str(Path(folder)) + "/"  # tesserocr wants the trailing slash
    return None


# ---- reading a page ---------------------------------------------------------------


class Tesseract:
    """One Tesseract instance for the pages of one file (loading the model takes ~0.2 s)."""

    def __init__(self) -> None:
        tesserocr = _tesserocr()
        try:
            self._api = tesserocr.PyTessBaseAPI(path=setup().tessdata, lang=LANG, psm=PSM)
        except RuntimeError:  # the model file is there but cannot be loaded
            raise NeedsOCR(
                "needs OCR", hint=f"Tesseract cannot load its Vietnamese model: {MODEL_INSTALL}"
            ) from None

    def __enter__(self) -> Tesseract:
        return self

    def __exit__(self, *exc: object) -> None:
        self._api.End()

    def paragraphs(self, image: Image, dpi: float = 0) -> list[str]:
        """The paragraphs of one page image (``dpi`` as the file says; 0: unknown)."""
        from tesserocr import RIL, iterate_level

        api = self._api
        api.SetImage(prepare(image, dpi))
        api.SetSourceResolution(DPI)
        if not api.Recognize(timeout=PAGE_TIMEOUT * 1000):
            raise UnreadableFile(f"OCR failed or took longer than {PAGE_TIMEOUT} s on a page")
        found = []
        iterator = api.GetIterator()
        for item in iterate_level(iterator, RIL.PARA) if iterator is not None else ():
            try:
                text = item.GetUTF8Text(RIL.PARA)
            except RuntimeError:  # an empty paragraph
                continue
            text = unicodedata.normalize("NFC", " ".join(text.split()))
            if any(ch.isalnum() for ch in text):  # specks read as "." or "'" are dropped
                found.append(text)
        return found


# ---- cleaning a page --------------------------------------------------------------


def prepare(image: Image, dpi: float = 0) -> Image:
    """Grey, at about DPI, at most MAX_PIXELS, denoised, then deskewed.

    Measured on rendered scans: without deskew a page skewed 3 degrees comes back in
    scrambled line order (50% accuracy); deskew alone spreads specks into "punctuation"
    on noisy scans (87%); a median filter first, then deskew, reads every tested scan
    as well as a clean one.
    """
    from PIL import Image as PILImage
    from PIL import ImageFilter

    img = image.convert("L")
    scale = min(DPI / dpi, 3.0) if 0 < dpi < UPSCALE_BELOW_DPI else 1.0
    pixels = img.width * img.height * scale * scale
    if pixels > MAX_PIXELS:
        scale *= (MAX_PIXELS / pixels) ** 0.5
    if scale != 1.0:
        size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        img = img.resize(size, PILImage.Resampling.LANCZOS)
    img = img.filter(ImageFilter.MedianFilter(MEDIAN))
    angle = estimate_skew(img)
    if abs(angle) >= 0.2:
        import numpy as np

        paper = int(np.percentile(np.asarray(img)[::4, ::4], 90))  # fill with paper grey
        img = img.rotate(angle, resample=PILImage.Resampling.BICUBIC, expand=True, fillcolor=paper)
    return img


def estimate_skew(img: Image) -> float:
    """The rotation (degrees, counter-clockwise) that straightens the text lines.

    Tesseract's own estimate reported 0 on a page skewed 1.5 degrees. Projection profiles
    instead: rows of ink are peakiest when the lines are level, so the angle that
    maximizes the squared differences of neighbouring row sums wins (on a small copy).
    """
    import numpy as np
    from PIL import Image as PILImage

    small = img
    if max(img.size) > 1000:
        factor = 1000 / max(img.size)
        size = (max(1, int(img.width * factor)), max(1, int(img.height * factor)))
        small = img.resize(size, PILImage.Resampling.BILINEAR)
    grey = np.asarray(small)
    ink = PILImage.fromarray(((grey < _otsu(grey)) * 255).astype(np.uint8))

    def score(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=PILImage.Resampling.NEAREST)).sum(axis=1)
        return float(np.square(np.diff(rows.astype(np.float64))).sum())

    coarse = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.5), key=score)
    fine = max(np.arange(coarse - 0.5, coarse + 0.5 + 1e-9, 0.1), key=score)
    return round(float(fine), 2)


def _otsu(grey: np.ndarray) -> int:
    """The grey level that best splits ink from paper (Otsu's threshold)."""
    import numpy as np

    hist = np.bincount(grey.ravel(), minlength=256).astype(np.float64)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * np.arange(256))
    total = weight[-1]
    between = (mean[-1] * weight - mean * total) ** 2 / np.maximum(weight * (total - weight), 1)
    return int(np.argmax(between))
