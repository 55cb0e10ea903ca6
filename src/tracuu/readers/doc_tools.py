"""The programs that read Word 97-2003 files for :mod:`.msword`, in order of preference.

- msdoc2docx (PyPI, MIT, pure Python; extra ``tracuu[doc]``): .doc -> .docx in-process.
- LibreOffice (``soffice --headless --convert-to docx``): slow to start (~1.5 s a file)
  but mature; reads Word 6.0/95 and damaged files.
- antiword (Debian): fast, text only, so legacy-font text is found by plausibility, and
  TCVN3 "ư" saved as Word's optional hyphen is lost.

Each takes the file's bytes and whether its font table names a legacy font, and returns
its paragraphs, raises :class:`Unavailable` when it is not installed, or UnreadableFile
with a one-line reason.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path

from ..errors import UnreadableFile
from .docx import docx_paragraphs
from .fonts import fix_mojibake

TIMEOUT = 120  # seconds for one file; LibreOffice takes ~1.5 s for a small one


class Unavailable(Exception):
    """This extractor is not installed here; the next one is tried."""


def from_msdoc2docx(data: bytes, legacy_fonts: bool = True) -> list[str]:
    try:
        from doc2docx import convert  # the import name of msdoc2docx
        from doc2docx.errors import Doc2DocxError, EncryptedDocumentError
    except ImportError:  # also a different "doc2docx" package (Word automation)
        raise Unavailable from None
    with tempfile.TemporaryDirectory(prefix="tracuu-doc-") as tmp:
        source, target = Path(tmp, "in.doc"), Path(tmp, "out.docx")
        source.write_bytes(data)
        try:
            convert(source, target)
        except EncryptedDocumentError:
            raise UnreadableFile("Word document is password-protected", kind="encrypted") from None
        except Doc2DocxError as exc:
            raise UnreadableFile(_first_line(exc) or "unsupported Word document") from None
        except Exception as exc:  # a young converter: its failures must not escape
            raise UnreadableFile(f"converter failed ({type(exc).__name__})") from None
        converted = target.read_bytes()
    return docx_paragraphs(converted)  # each run's font is known: no guessing


def soffice_program() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def from_soffice(data: bytes, legacy_fonts: bool = True) -> list[str]:
    soffice = soffice_program()
    if soffice is None:
        raise Unavailable
    with tempfile.TemporaryDirectory(prefix="tracuu-lo-") as tmp:
        source = Path(tmp, "in.doc")
        source.write_bytes(data)
        # A private profile: no clash with a running LibreOffice or another worker.
        profile = Path(tmp, "profile").as_uri()
        _run(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
             "--convert-to", "docx", "--outdir", tmp, str(source)],
            "LibreOffice",
        )  # fmt: skip
        target = Path(tmp, "in.docx")
        if not target.exists():
            raise UnreadableFile("LibreOffice could not convert it")
        converted = target.read_bytes()
    return docx_paragraphs(converted)  # each run's font is known: no guessing


def from_antiword(data: bytes, legacy_fonts: bool = True) -> list[str]:
    antiword = shutil.which("antiword")
    if antiword is None:
        raise Unavailable
    with tempfile.TemporaryDirectory(prefix="tracuu-aw-") as tmp:
        source = Path(tmp, "in.doc")
        source.write_bytes(data)
        # -w 0: a paragraph per line (the default wraps at 80 columns).
        out = _run([antiword, "-w", "0", "-m", "UTF-8.txt", str(source)], "antiword")
    paragraphs = []
    for line in out.decode("utf-8", "replace").splitlines():
        if line.startswith("|") and line.rstrip().endswith("|"):  # a table row
            line = " | ".join(c.strip() for c in line.strip().strip("|").split("|") if c.strip())
        # No fonts here: legacy text is found by plausibility, where the file has any.
        paragraphs.append(fix_mojibake(line) if legacy_fonts else line)
    return paragraphs


def _run(command: list[str], name: str) -> bytes:
    """Run a converter in its own process group, so a timeout or Ctrl-C ends all of it
    (LibreOffice starts a second process)."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise UnreadableFile(f"{name} took longer than {TIMEOUT} s") from None
    except BaseException:
        _kill(process)
        raise
    if process.returncode != 0:
        reason = _first_line(err.decode("utf-8", "replace").replace(command[-1], "file"))
        if "encrypted" in reason.lower():
            raise UnreadableFile("Word document is password-protected", kind="encrypted")
        raise UnreadableFile(reason.rstrip(".") or f"{name} failed (exit {process.returncode})")
    return out


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # Windows: no process groups
            process.kill()
    except OSError:
        pass  # already gone
    process.wait()


def _first_line(reason: object) -> str:
    text = str(reason).strip()
    return text.splitlines()[0][:200] if text else ""


EXTRACTORS: dict[str, Callable[[bytes, bool], list[str]]] = {
    "msdoc2docx": from_msdoc2docx,
    "soffice": from_soffice,
    "antiword": from_antiword,
}


def available_extractors() -> list[str]:
    """The extractors installed here, in order of preference."""
    found = []
    if find_spec("doc2docx") is not None:
        found.append("msdoc2docx")
    if soffice_program() is not None:
        found.append("soffice")
    if shutil.which("antiword"):
        found.append("antiword")
    return found
