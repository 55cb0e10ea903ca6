"""A full build's shards merged into one segment (engine.internals.merge) hold exactly what
one writer writes: every term's postings, infos and stored paragraphs. These read the
merged segment through Whoosh's own readers, so they also fail when a Whoosh release
changes the files the merge copies bytes of."""

import errno
import os
from pathlib import Path

import pytest
import test_index as ti

from tracuu import Archive, build, errors
from tracuu import store as tindex
from tracuu.analysis import NUMBER, PATH, TEXT_FIELDS
from tracuu.engine.internals import INLINE_LIMIT, merge
from tracuu.engine.writer import open_index

BIG = 2500  # paragraphs of one file: its common words take posting lists of several blocks


def _corpus(root):
    corpus = ti._many_files(root)
    for f in corpus.iterdir():  # a last paragraph without pairs: each shard's pair lengths
        f.write_text(f.read_text(encoding="utf-8") + "\nHết.\n", encoding="utf-8")  # end early
    lines = [f"Đảng bộ xã số {i} họp bàn chỉnh đốn Đảng." for i in range(BIG)]
    (corpus / "so-lieu.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return corpus


def _build(corpus, index, monkeypatch, shards: int, merged: bool = True, procs: int = 1):
    monkeypatch.setattr(build, "SHARDS", shards)
    monkeypatch.setattr(build, "SHARD_MIN_FILES", 2)
    monkeypatch.setattr(build, "MERGE_SHARDS", merged)
    Archive(index).update(corpus, procs=procs)
    return tindex.current_generation(index)


def _contents(gen):
    """Everything a one-segment index holds, as Whoosh reads it: each term's postings
    (id, weight, value) and info, the raw info of inlined lists, each paragraph's stored
    fields, field lengths and columns, the total field lengths."""
    ix = open_index(gen)
    try:
        with ix.reader() as r:
            assert r.is_atomic(), "one segment"
            terms, inlined = {}, {}
            for field in sorted(r.indexed_field_names()):
                for btext in r.lexicon(field):
                    m, items = r.postings(field, btext), []
                    while m.is_active():
                        items.append((m.id(), m.weight(), m.value()))
                        m.next()
                    info = r.term_info(field, btext)
                    terms[field, btext] = (
                        items,
                        info.doc_frequency(),
                        info.weight(),
                        info.min_length(),
                        info.max_length(),
                        info.max_weight(),
                        info.min_id(),
                        info.max_id(),
                    )
                    if info.doc_frequency() < INLINE_LIMIT:
                        key = r._terms._keycoder(field, btext)
                        inlined[field, btext] = r._terms._tindex.get(key)
            columns = {f: list(r.column_reader(f)) for f in (PATH, NUMBER)}
            paragraphs = [
                (r.stored_fields(d), [r.doc_field_length(d, f) for f in TEXT_FIELDS])
                for d in range(r.doc_count_all())
            ]
            totals = {f: r.field_length(f) for f in TEXT_FIELDS}
            return terms, inlined, columns, paragraphs, totals
    finally:
        ix.close()


@pytest.mark.parametrize("shards", [2, 4])  # (two parts are merged by their own loop)
def test_merged_shards_hold_what_one_writer_writes(tmp_path, monkeypatch, shards):
    corpus = _corpus(tmp_path)
    one = _build(corpus, tmp_path / "one", monkeypatch, shards=1)
    four = _build(corpus, tmp_path / "four", monkeypatch, shards=shards, procs=2)
    assert len(list(one.glob("*.seg"))) == len(list(four.glob("*.seg"))) == 1
    want, got = _contents(one), _contents(four)
    terms, inlined, columns, paragraphs, totals = want
    # what the corpus must exercise: lists inlined, in one block, in several blocks
    sizes = [len(t[0]) for t in terms.values()]
    assert min(sizes) == 1 and any(INLINE_LIMIT <= n < 1024 for n in sizes)
    assert max(sizes) > 2 * 1024 and len(paragraphs) > BIG
    assert got[0] == terms
    assert got[1] == inlined  # (the bytes of inlined lists, as one writer writes them)
    assert got[2:] == (columns, paragraphs, totals)
    assert ti._everything(tmp_path / "four") == ti._everything(tmp_path / "one")
    assert build.check_index(tmp_path / "four") == []
    assert not [p for p in four.iterdir() if p.is_dir()], "no folder left behind"


def test_parts_with_other_fields_merge(tmp_path):
    """A part without some field (paragraphs of one syllable: no pairs) numbers its
    fields otherwise; the merge renumbers them."""
    from tracuu.engine import Writer, join
    from tracuu.models import Paragraph

    def paragraphs(path, texts):
        return [Paragraph(path, n, 0, len(t), t) for n, t in enumerate(texts, start=1)]

    a = paragraphs("a.txt", ["Một.", "Hai.", "Ba."])
    b = paragraphs("b.txt", ["Chỉnh đốn Đảng ở cơ sở.", "Đảng bộ xã họp.", "Một."])
    parts = []
    for name, ps in (("a", a), ("b", b)):
        parts.append(tmp_path / name)
        parts[-1].mkdir()
        w = Writer(parts[-1], create=True)
        w.add(ps)
        w.commit()
    fields = [open_index(p).reader()._terms._fieldmap for p in parts]
    assert fields[0] != fields[1], "the parts number their fields otherwise"
    for name, ps in (("one", a + b), ("merged", None)):
        (tmp_path / name).mkdir()
        if ps is None:
            join(tmp_path / name, parts)
        else:
            w = Writer(tmp_path / name, create=True)
            w.add(ps)
            w.commit()
    assert len(list((tmp_path / "merged").glob("*.seg"))) == 1
    assert _contents(tmp_path / "merged") == _contents(tmp_path / "one")


@pytest.mark.parametrize("failure", [merge.NotMergeable("planted"), ValueError("planted")])
def test_shards_that_do_not_merge_are_kept_apart(tmp_path, monkeypatch, failure):
    """A merge that fails on the way (what it does not copy, or a mistake of its own)
    leaves nothing of itself: the shards' segments are kept as they are, and rank as
    one."""
    corpus = _corpus(tmp_path)
    _build(corpus, tmp_path / "one", monkeypatch, shards=1)

    def refuse(self, parts, fixedsize):
        raise failure

    monkeypatch.setattr(merge._Postings, "_write", refuse)
    gen = _build(corpus, tmp_path / "four", monkeypatch, shards=4)
    assert len(list(gen.glob("*.seg"))) == 4
    assert sorted(p.suffix for p in gen.iterdir()) == sorted(
        [".seg"] * 4 + [".toc", ".json", ".tbl"]
    )
    assert ti._everything(tmp_path / "four") == ti._everything(tmp_path / "one")
    assert build.check_index(tmp_path / "four") == []


def test_a_full_disk_while_merging_keeps_the_previous_index(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path)
    _build(corpus, tmp_path / "index", monkeypatch, shards=1)
    want = ti._everything(tmp_path / "index")

    def full(self, parts, fixedsize):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(merge._Postings, "_write", full)
    monkeypatch.setattr(build, "SHARDS", 4)
    with pytest.raises(errors.IndexWriteError, match="No space left"):
        Archive(tmp_path / "index").update(corpus, rebuild=True)
    assert ti._everything(tmp_path / "index") == want
    assert build.check_index(tmp_path / "index") == []


def test_merged_shards_make_room_before_the_segment_file(tmp_path, monkeypatch):
    """Merged, the shards are removed before the merged files are gathered into the
    segment file: a full build's disk use peaks at twice the index, not three times.
    A full disk then still stops the build and keeps the previous index."""
    from whoosh.codec.base import Segment

    corpus = _corpus(tmp_path)
    real = Segment.create_compound_file
    seen = []

    def gather(self, storage):
        work = Path(storage.folder)
        if not work.name.startswith("shard-"):  # (each shard's writer makes its own)
            shards = [p for p in work.iterdir() if p.name.startswith("shard-")]
            merged = sum(p.stat().st_size for p in work.iterdir() if p.is_file())
            seen.append((shards, merged))
        return real(self, storage)

    monkeypatch.setattr(Segment, "create_compound_file", gather)
    gen = _build(corpus, tmp_path / "index", monkeypatch, shards=3)
    [(shards, merged)] = seen
    assert shards == [] and merged > 0.9 * sum(f.stat().st_size for f in gen.glob("*.seg"))
    want, names = ti._everything(tmp_path / "index"), sorted(os.listdir(tmp_path / "index"))

    def full(self, storage):
        if Path(storage.folder).name.startswith("shard-"):
            return real(self, storage)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Segment, "create_compound_file", full)
    with pytest.raises(errors.IndexWriteError, match="No space left"):
        Archive(tmp_path / "index").update(corpus, rebuild=True)
    assert ti._everything(tmp_path / "index") == want
    assert build.check_index(tmp_path / "index") == []
    assert sorted(os.listdir(tmp_path / "index")) == names  # (the work folder went too)


def test_a_merged_index_updates_as_one_written_by_one_writer(tmp_path, monkeypatch):
    """The same update of a merged index and of one written by one writer: the same
    hits and scores (deleted paragraphs still count in both, until a full build)."""
    corpus = _corpus(tmp_path)
    _build(corpus, tmp_path / "merged", monkeypatch, shards=4)
    _build(corpus, tmp_path / "plain", monkeypatch, shards=1)
    (corpus / "bao-cao-03.txt").write_text("Quy chế dân chủ ở cơ sở.\n", encoding="utf-8")
    (corpus / "bao-cao-05.txt").unlink()
    (corpus / "moi.txt").write_text("Chỉnh đốn Đảng, xây dựng Đảng.\n", encoding="utf-8")
    for name in ("merged", "plain"):
        summary = Archive(tmp_path / name).update(corpus)
        assert summary.changed == ["bao-cao-03.txt"] and summary.deleted == ["bao-cao-05.txt"]
        assert build.check_index(tmp_path / name) == []
    assert ti._everything(tmp_path / "merged") == ti._everything(tmp_path / "plain")
    with Archive(tmp_path / "merged") as a:
        assert [h.path for h in a.search("quy chế dân chủ")][:1] == ["bao-cao-03.txt"]


def test_segments_with_deleted_paragraphs_are_not_merged(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path)
    _build(corpus, tmp_path / "index", monkeypatch, shards=1)
    (corpus / "bao-cao-03.txt").write_text("Quy chế dân chủ ở cơ sở.\n", encoding="utf-8")
    Archive(tmp_path / "index").update(corpus)  # a second segment; deleted paragraphs
    ix = open_index(tindex.current_generation(tmp_path / "index"))
    try:
        with ix.reader() as r:
            leaves = [leaf for leaf, _ in r.leaf_readers()]
            with pytest.raises(merge.NotMergeable, match="deleted"):
                merge.check(leaves, ix.schema)
    finally:
        ix.close()
