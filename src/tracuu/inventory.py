"""What the index holds, file by file: which files are searchable, which are not and why,
counted by format and by reason. Read from the manifest; no engine needed."""

from __future__ import annotations

from collections import Counter

import msgspec

from .models import Metadata
from .store import Manifest

INDEXED, SKIPPED, NOT_READ = "indexed", "skipped", "not read"


class FileStatus(msgspec.Struct, frozen=True):
    """One corpus file: searchable or not, and what was read from it."""

    file: str
    status: str  # INDEXED, SKIPPED (could not be read) or NOT_READ (a type tracuu skips)
    format: str
    reason: str | None = None  # why it is not searchable
    kind: str | None = None  # errors.SKIP_KINDS, or "unsupported" for NOT_READ
    paragraphs: int = 0
    ocr_pages: int = 0
    unread_pages: int = 0  # scanned pages left out (OCR not installed)
    metadata: Metadata = msgspec.field(default_factory=Metadata)


class FormatCount(msgspec.Struct, frozen=True):
    format: str
    indexed: int = 0
    paragraphs: int = 0
    ocr_pages: int = 0
    skipped: dict[str, int] = msgspec.field(default_factory=dict)  # kind -> files


def file_statuses(m: Manifest) -> list[FileStatus]:
    """Every corpus file the manifest knows, in path order."""
    out = [
        FileStatus(
            name,
            INDEXED,
            r.format,
            reason=f"{r.unread_pages} scanned page(s) need OCR" if r.unread_pages else None,
            kind="needs-ocr" if r.unread_pages else None,
            paragraphs=r.paragraphs,
            ocr_pages=r.ocr_pages,
            unread_pages=r.unread_pages,
            metadata=Metadata.from_dict(r.metadata),
        )
        for name, r in m.files.items()
    ]
    out += [FileStatus(n, SKIPPED, s.format, s.reason, s.kind) for n, s in m.skipped.items()]
    out += [
        FileStatus(
            n, NOT_READ, suffix.lstrip("."), f"not a type tracuu reads ({suffix})", "unsupported"
        )
        for n, suffix in m.ignored.items()
    ]
    return sorted(out, key=lambda f: f.file)


def format_counts(m: Manifest) -> list[FormatCount]:
    """Files indexed and skipped per format (skipped ones by reason)."""
    indexed: Counter[str] = Counter(r.format for r in m.files.values())
    paragraphs: Counter[str] = Counter()
    ocr: Counter[str] = Counter()
    for r in m.files.values():
        paragraphs[r.format] += r.paragraphs
        ocr[r.format] += r.ocr_pages
    skipped: dict[str, Counter[str]] = {}
    for s in m.skipped.values():
        skipped.setdefault(s.format or "?", Counter())[s.kind] += 1
    return [
        FormatCount(fmt, indexed[fmt], paragraphs[fmt], ocr[fmt], dict(skipped.get(fmt, {})))
        for fmt in sorted(set(indexed) | set(skipped))
    ]


def skip_kinds(m: Manifest) -> dict[str, int]:
    return dict(Counter(s.kind for s in m.skipped.values()).most_common())
