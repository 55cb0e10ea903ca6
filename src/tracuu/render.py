"""Human output: results, summaries and statistics as lines of styled pieces, and the
build's progress bar. The CLI owns the console and prints; this module only shapes.

A line is a list of (text, rich style) pieces: the CLI prints it through rich on a
terminal, or as its plain text, without loading rich, where nothing would be styled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import DocumentHit, Hit, Progress, Results

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from .api import FileView, Stats
    from .build import UpdateSummary
    from .inventory import FileStatus

INDEXED = "indexed"  # inventory.INDEXED, without importing the build side

HIGHLIGHT = "bold black on yellow"

Piece = tuple[str, str]  # some text and its rich style ("" for none)
Line = list[Piece]

# control characters rich.text.Text drops (rich.control.strip_control_codes); the plain
# text drops them too
_CONTROL = dict.fromkeys((7, 8, 11, 12, 13))
TAB_SIZE = 8


def plain(line: Line) -> str:
    """The line's text, as rich writes it where it writes no style."""
    return "".join(text for text, _ in _printable(line))


def rich_text(line: Line) -> Text:
    from rich.text import Text

    return Text.assemble(*_printable(line))


def _printable(line: Line) -> Line:
    """Control characters dropped and tabs expanded, once for both ways of printing (rich
    would expand tabs by the cells characters take, plain text by characters)."""
    out: Line = []
    column = 0
    for text, style in line:
        text = text.translate(_CONTROL)
        if "\t" in text:
            shift = " " * (column % TAB_SIZE)  # where the piece starts between tab stops
            text = (shift + text).expandtabs(TAB_SIZE)[len(shift) :]
        column = len(text) - text.rfind("\n") - 1 if "\n" in text else column + len(text)
        out.append((text, style))
    return out


def snippet_pieces(hit: Hit, indent: int) -> Line:
    """The snippet after ``indent`` spaces, its matched words highlighted."""
    snip = hit.snippet
    out: Line = [(" " * indent + ("… " if snip.truncated_start else ""), "")]
    at = 0
    for s, e in sorted(snip.spans):
        s = max(s, at)
        if e > s:
            out += [(snip.text[at:s], ""), (snip.text[s:e], HIGHLIGHT)]
            at = e
    out.append((snip.text[at:] + (" …" if snip.truncated_end else ""), ""))
    return [p for p in out if p[0]]


def hit_lines(hit: Hit) -> list[Line]:
    """Where the hit is, its document's title (unless the hit is the title), the snippet."""
    where = [
        (f"{hit.rank:>2}. ", "bold"),
        (hit.path, "magenta"),
        (f" p.{hit.page}" if hit.page is not None else "", "green"),
        (f" ¶{hit.number}", "green"),
        (f"  {hit.date}" if hit.date else "", "cyan"),
        (f"  score {hit.score:.2f}", "dim"),
    ]
    lines = [where]
    if hit.title and hit.title != hit.text:
        title = hit.title[:100] + ("…" if len(hit.title) > 100 else "")
        lines.append([("    " + title, "italic")])
    return [*lines, snippet_pieces(hit, 4), []]


def document_lines(doc: DocumentHit) -> list[Line]:
    """A ranked document: where, its title, then its best paragraphs."""
    meta = [v for v in (doc.metadata.doc_type, doc.metadata.doc_number, doc.metadata.date) if v]
    lines = [
        [
            (f"{doc.rank:>2}. ", "bold"),
            (doc.path, "magenta"),
            (f"  {' · '.join(meta)}" if meta else "", "cyan"),
            (f"  score {doc.score:.2f}", "dim"),
        ]
    ]
    if doc.metadata.title:
        lines.append([("    " + doc.metadata.title[:100], "italic")])
    for hit in doc.hits:
        where = f"p.{hit.page} ¶{hit.number}" if hit.page is not None else f"¶{hit.number}"
        lines += [[(f"    {where}", "green")], snippet_pieces(hit, 6)]
    return [*lines, []]


def results_lines(results: Results) -> list[Line]:
    out: list[Line] = []
    for r in results.restorations:
        forms = ", ".join(f"{f} ({c})" for f, c in r.forms)
        out.append([("có dấu / accented forms: ", "cyan"), (f"{r.typed} → {forms}", "")])
    if not results.hits:
        out.append([(f"no paragraphs match {results.query!r}", "")])
        if results.suggestion:
            out.append([("did you mean: ", "cyan"), (results.suggestion, "bold")])
        return out
    if results.widened:
        out.append([("few documents have every word: those with some of them follow", "cyan")])
    if results.suggestion:
        out.append([("did you mean: ", "cyan"), (results.suggestion, "bold")])
    if results.documents is not None:
        for doc in results.documents:
            out.extend(document_lines(doc))
    else:
        for hit in results.hits:
            out.extend(hit_lines(hit))
    shown = len(results.hits)
    unit = "document" if results.documents is not None else "paragraph"
    if results.total is None:
        line = f"{shown} best {unit}(s) shown (-n for more, --count for how many match)"
    else:
        more = f" (showing {shown})" if results.total > shown else ""
        line = f"{results.total} paragraph(s) matched{more}"
    out.append([(line, "dim")])
    return out


def summary_line(s: UpdateSummary) -> str:
    kind = "built" if s.rebuilt else "updated"
    parts = [f"{len(s.added)} added"]
    if not s.rebuilt:
        parts += [
            f"{len(s.changed)} changed",
            f"{len(s.deleted)} deleted",
            f"{s.unchanged} unchanged",
        ]
    kinds = f" ({_kinds(dict(s.skipped_kinds.most_common()))})" if s.skipped else ""
    parts.append(f"{len(s.skipped)} skipped{kinds}")
    line = f"index {kind}: {', '.join(parts)}; {s.paragraphs} paragraphs in {s.seconds:.1f} s"
    if s.partial:
        line += f"\n{len(s.partial)} file(s) indexed in part: scanned pages need OCR"
    if s.ignored:
        counts = sorted(s.ignored.items(), key=lambda kv: (-kv[1], kv[0]))
        kinds = ", ".join(f"{suffix} {n}" for suffix, n in counts)
        line += f"\nnot read (other file types): {kinds}"
    return line


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {KIND_LABELS.get(kind, kind)}" for kind, n in counts.items())


KIND_LABELS = {"needs-ocr": "need OCR", "too-large": "too large"}


def stats_lines(index_dir: str, st: Stats) -> list[str]:
    rows = [
        ("index", index_dir),
        ("corpus", st.corpus),
        ("documents", f"{st.documents:,}"),
        ("paragraphs", f"{st.paragraphs:,}"),
        ("pages OCR'd", f"{st.ocr_pages:,}"),
        ("distinct terms", f"{st.distinct_terms:,}"),
        ("index size", f"{st.size_bytes / 1e6:.1f} MB"),
        ("last full build", st.built_at),
        ("last update", st.updated_at),
        (
            "skipped files",
            f"{len(st.skipped)}" + (f" ({_kinds(st.skipped_kinds)})" if st.skipped else ""),
        ),
    ]
    lines = [f"{k:>16}: {v}" for k, v in rows]
    lines += [f"{'':>16}  {path}: {reason}" for path, reason in sorted(st.skipped.items())]
    if st.not_read:
        others = ", ".join(f"{suffix} {n}" for suffix, n in st.not_read.items())
        lines.append(f"{'not read':>16}: {others} (types tracuu does not read)")
    lines.append(f"{'by format':>16}:")
    for f in st.formats:
        skipped = f", skipped: {_kinds(f.skipped)}" if f.skipped else ""
        ocr = f", {f.ocr_pages:,} pages OCR'd" if f.ocr_pages else ""
        lines.append(
            f"{f.format:>16}  {f.indexed:,} files, {f.paragraphs:,} paragraphs{ocr}{skipped}"
        )
    return lines


def file_lines(files: list[FileStatus]) -> list[str]:
    """``stats --files``: one line per corpus file."""
    out = []
    for f in files:
        if f.status == INDEXED:
            what = (
                f"{f.paragraphs} paragraphs"
                + (f", {f.ocr_pages} pages OCR'd" if f.ocr_pages else "")
                + (f", {f.reason}" if f.reason else "")
            )
            meta = " | ".join(
                v for v in (f.metadata.doc_type, f.metadata.doc_number, f.metadata.date) if v
            )
            out.append(
                f"{f.status:<8} {f.format:<5} {f.file}: {what}" + (f" | {meta}" if meta else "")
            )
        else:
            out.append(f"{f.status:<8} {f.format or '?':<5} {f.file}: {f.reason}")
    return out


def show_lines(view: FileView) -> list[Line]:
    """``show``: a file's status, header fields and the paragraphs the index holds."""
    st = view.status
    head = f"{st.file}: {st.status} ({st.format})" + (f": {st.reason}" if st.reason else "")
    lines = [[(head, "bold")]]
    for name, value in st.metadata.as_dict().items():
        if value:
            lines.append([(f"  {name}: {value}", "cyan")])
    for p in view.paragraphs:
        where = f"p.{p.page} ¶{p.number}" if p.page is not None else f"¶{p.number}"
        lines.append([(f"{where:>10}  ", "green"), (p.text, "")])
    return lines


class ProgressBar(Progress):
    """Draws a progress bar on stderr (when it is a terminal) and prints skip warnings."""

    def __init__(self, console: Console, quiet: bool = False) -> None:
        from rich import progress as rp

        self.console = console
        self.progress = rp.Progress(
            rp.TextColumn("[bold]indexing"),
            rp.BarColumn(),
            rp.MofNCompleteColumn(),
            rp.TimeElapsedColumn(),
            rp.TimeRemainingColumn(),
            rp.TextColumn("{task.fields[name]}", style="dim"),
            console=console,
            transient=True,
            auto_refresh=False,  # refreshed after each file: no drawing thread
            disable=quiet or not console.is_terminal,
        )
        self.task: Any = None

    def __enter__(self) -> ProgressBar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def start(self, total: int) -> None:
        self.task = self.progress.add_task("index", total=total, name="")

    def file_done(self, path: str, paragraphs: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1, name=path[-40:])
            self.progress.refresh()

    def skipped(self, path: str, reason: str) -> None:
        self.console.print(rich_text([(f"tracuu: warning: skipped {path}: {reason}", "")]))
        if self.task is not None:
            self.progress.update(self.task, advance=1)

    def page(self, path: str, done: int, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, name=f"{path[-30:]} p.{done}/{total}")
            self.progress.refresh()

    def phase(self, name: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, name=name)
            self.progress.refresh()
