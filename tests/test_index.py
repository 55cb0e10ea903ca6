"""Building, swapping, locking and updating the index."""

import pytest

from tracuu import Archive, build, errors
from tracuu import store as tindex


def keys(hits):
    return [(h.path, h.number) for h in hits]


def test_build_creates_generation_and_manifest(corpus, tmp_path):
    index = tmp_path / "index"
    summary = Archive(index).update(corpus)
    assert summary.rebuilt and len(summary.added) == 3 and summary.paragraphs > 30
    gen = tindex.current_generation(index)
    assert gen is not None and (gen / tindex.MANIFEST).exists()
    st = Archive(index).stats()
    assert st.documents == 3 and st.paragraphs == summary.paragraphs and st.distinct_terms > 500


def test_crash_mid_build_keeps_previous_index(corpus, tmp_path, monkeypatch):
    index = tmp_path / "index"
    Archive(index).update(corpus)
    with Archive(index) as a:
        before = keys(a.search("chỉnh đốn Đảng", limit=20))
    assert before

    from whoosh.writing import SegmentWriter

    calls = {"n": 0}
    real_add = SegmentWriter.add_document

    def failing_add(self, **fields):
        calls["n"] += 1
        if calls["n"] > 10:
            raise RuntimeError("simulated crash mid-build")
        return real_add(self, **fields)

    monkeypatch.setattr(SegmentWriter, "add_document", failing_add)
    (corpus / "moi.txt").write_text("Văn bản mới về chỉnh đốn Đảng.\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="simulated crash"):
        Archive(index).update(corpus, rebuild=True)
    monkeypatch.undo()

    assert calls["n"] > 10
    with Archive(index) as a:
        assert keys(a.search("chỉnh đốn Đảng", limit=20)) == before
    assert not list(index.glob(".tmp-*")), "the half-built index is cleaned up"


def test_interrupt_mid_build_keeps_previous_index(corpus, tmp_path, monkeypatch):
    index = tmp_path / "index"
    Archive(index).update(corpus)
    gen_before = tindex.current_generation(index)

    def interrupted(*a, **k):
        yield from ()
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "read_files", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Archive(index).update(corpus, rebuild=True)
    monkeypatch.undo()
    assert tindex.current_generation(index) == gen_before
    with Archive(index) as a:
        assert a.search("Đảng")


def test_second_writer_is_refused(corpus, tmp_path):
    index = tmp_path / "index"
    with (
        tindex.writer_lock(index),
        pytest.raises(errors.IndexLocked, match="locked by another writer"),
    ):
        Archive(index).update(corpus)


def test_missing_and_damaged_index(tmp_path):
    with pytest.raises(errors.IndexMissing):
        Archive(tmp_path / "nothing").search("Đảng")
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "CURRENT").write_text("gen-000001\n")
    with pytest.raises(errors.IndexProblem, match="damaged"):
        Archive(damaged).search("Đảng")
    (damaged / "gen-000001").mkdir()
    with pytest.raises(errors.IndexProblem, match="cannot open index"):
        Archive(damaged).search("Đảng")


def test_rebuild_prunes_old_generations(corpus, tmp_path):
    index = tmp_path / "index"
    for _ in range(3):
        Archive(index).update(corpus, rebuild=True)
    gens = sorted(p.name for p in index.glob("gen-*"))
    assert len(gens) == 2  # current and the one before it (for open readers)
    assert tindex.current_generation(index).name == gens[-1]


def test_index_of_another_version_asks_for_a_rebuild(corpus, tmp_path):
    import json

    index = tmp_path / "index"
    Archive(index).update(corpus)
    manifest = tindex.current_generation(index) / tindex.MANIFEST
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["schema"] = tindex.SCHEMA_VERSION - 1
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(errors.IndexProblem, match="run 'tracuu index --rebuild'"):
        Archive(index).search("Đảng")
    # an update notices it too and rebuilds instead of patching
    assert Archive(index).update(corpus).rebuilt
    assert Archive(index).search("Đảng")


def test_index_without_words_leaves_out_longer_words_and_switching_rebuilds(corpus, tmp_path):
    index = tmp_path / "index"
    Archive(index).update(corpus)  # by default: without underthesea's longer words
    with Archive(index) as a:
        reader = a.searcher.engine._s.reader()
        assert not [t for t in reader.lexicon("pairs") if t.count(b"_") >= 2]
        assert a.search("chỉnh đốn Đảng")
    summary = Archive(index).update(corpus, words=True)  # with words: everything again
    assert summary.rebuilt
    with Archive(index) as a:
        reader = a.searcher.engine._s.reader()
        assert [t for t in reader.lexicon("pairs") if t.count(b"_") >= 2]
