"""Plain Whoosh reference builds: what Whoosh itself costs on the same text as tracuu.

One Whoosh document per paragraph (a non-empty line, stripped), one writer, one segment,
the same posting pool as tracuu's writer (512 MB), a stored file name per paragraph:

* ``standard``: one TEXT field (positions) with Whoosh's StandardAnalyzer;
* ``syllables-folded``: two TEXT fields (positions) tokenized by ``[^\\W_]+`` and
  lower-cased, the second over the text with every diacritic removed (đ→d).

Run as a script so that ``speed.py`` measures it like a ``tracuu index`` process:

    python bench/whoosh_ref.py standard|syllables-folded CORPUS_DIR INDEX_DIR
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from common import strip_diacritics
from whoosh import index as windex
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StandardAnalyzer
from whoosh.fields import ID, TEXT, Schema

KINDS = ("standard", "syllables-folded")
LIMIT_MB = 512


def schema(kind: str) -> Schema:
    if kind == "standard":
        return Schema(path=ID(stored=True), body=TEXT(analyzer=StandardAnalyzer()))
    syllables = RegexTokenizer(r"[^\W_]+") | LowercaseFilter()
    return Schema(path=ID(stored=True), body=TEXT(analyzer=syllables), folded=TEXT(syllables))


def corpus_files(root: Path) -> Iterator[Path]:
    """Every regular file below ``root`` (symlinks followed), in sorted order."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.is_file():
                yield p


def paragraphs(path: Path) -> Iterator[str]:
    text = path.read_bytes().decode("utf-8", "replace")
    for line in text.splitlines():
        line = line.strip()
        if line:
            yield unicodedata.normalize("NFC", line)


def build(kind: str, corpus: Path, index: Path) -> int:
    """Index every paragraph of ``corpus`` into a new index at ``index``; paragraphs added."""
    index.mkdir(parents=True)
    ix = windex.create_in(str(index), schema(kind))
    writer = ix.writer(limitmb=LIMIT_MB)
    added = 0
    for f in corpus_files(corpus):
        name = f.relative_to(corpus).as_posix()
        for para in paragraphs(f):
            fields = {"path": name, "body": para}
            if kind != "standard":
                fields["folded"] = strip_diacritics(para)
            writer.add_document(**fields)
            added += 1
    writer.commit()
    ix.close()
    return added


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in KINDS:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    added = build(argv[0], Path(argv[1]), Path(argv[2]))
    print(added)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
