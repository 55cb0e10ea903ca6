"""Building, swapping, locking and updating the index."""

import json

import pytest
from conftest import SEED

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


def test_manifest_round_trips_names_that_are_not_utf8(tmp_path):
    # a file name of bytes that are not UTF-8 comes through as lone surrogates, which the
    # manifest keeps escaped: its fast reader (orjson) refuses them, json reads them
    records = {
        name: tindex.FileRecord("ab" * 32, 7, 123, 2, "txt", metadata={"title": "Báo cáo"})
        for name in ("b\udcff\udcfe.txt", "báo cáo.txt")
    }
    for names in (["báo cáo.txt"], list(records)):
        written = tindex.Manifest(files={n: records[n] for n in names}, corpus="kho")
        (tmp_path / tindex.MANIFEST).write_text(written.dump(), encoding="ascii")
        read = tindex.Manifest.load(tmp_path)
        assert dict(read.files.items()) == {n: records[n] for n in names}
        assert read.corpus == "kho"
    good = {"sha256": "ab" * 32, "size": 7, "mtime_ns": 123, "paragraphs": 2}
    for damaged, where in (
        (["not", "a", "manifest"], "got `array`"),
        ({"files": {"a.txt": {**good, "size": "7"}}}, "files"),  # a field of another type
        ({"files": {"a.txt": {**good, "pages": 2}}}, "pages"),  # one no record has
        ({"files": {"a.txt": {"sha256": "ab" * 32}}}, "size"),  # one it must have
        ({"files": {"b\udcff.txt": {**good, "size": None}}}, "files"),  # (read by json)
    ):
        (tmp_path / tindex.MANIFEST).write_text(json.dumps(damaged), encoding="ascii")
        with pytest.raises(errors.IndexDamaged, match=f"damaged manifest .*{where}"):
            tindex.Manifest.load(tmp_path)


def test_crash_mid_build_keeps_previous_index(corpus, tmp_path, monkeypatch):
    index = tmp_path / "index"
    Archive(index).update(corpus)
    with Archive(index) as a:
        before = keys(a.search("chỉnh đốn Đảng", limit=20))
    assert before

    from tracuu.engine.internals import pool

    calls = {"n": 0}
    real_add = pool.add_document  # (what a writer adds each paragraph with)

    def failing_add(writer, fields):
        calls["n"] += 1
        if calls["n"] > 10:
            raise RuntimeError("simulated crash mid-build")
        return real_add(writer, fields)

    monkeypatch.setattr(pool, "add_document", failing_add)
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
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "write_shard", interrupted)  # a full build's reading
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


def _many_files(root, n=24):
    """n files cut from the seed report, a few paragraphs each (and one repeated, so
    that scores tie)."""
    paragraphs = [p for p in SEED.read_text(encoding="utf-8").split("\n") if p.strip()]
    corpus = root / "many"
    corpus.mkdir()
    for i in range(n):
        part = paragraphs[i * 3 % len(paragraphs) :][:3] + ["Chỉnh đốn Đảng ở cơ sở."]
        (corpus / f"bao-cao-{i:02d}.txt").write_text("\n\n".join(part) + "\n", encoding="utf-8")
    return corpus


def _segments(index):
    return len(list(tindex.current_generation(index).glob("*.seg")))


def _everything(index):
    """Paragraph and document rankings of a few queries, scores included."""
    out = []
    with Archive(index) as a:
        for q in ("chỉnh đốn Đảng", "chinh don dang", "nghị quyết trung ương", "đảng viên"):
            out.append([(h.path, h.number, round(h.score, 6)) for h in a.search(q, limit=30)])
            docs = a.run(q, limit=10, by_document=True).documents
            out.append([(d.path, round(d.score, 6), [h.number for h in d.hits]) for d in docs])
        for typo in ("chỉnh đốm", "nghị quyêt trunq"):  # no hit: "did you mean"
            out.append(a.run(typo, limit=5).suggestion)
    return out


def test_full_build_in_shards_ranks_as_one_segment(tmp_path, monkeypatch):
    """A full build cut into shards (one segment each, written at once by two workers)
    finds, scores and orders exactly what a build in one segment does, with -j1 and -j2
    alike, its shards merged into one segment or kept apart; no shard folder is left in
    the generation."""
    corpus = _many_files(tmp_path)
    monkeypatch.setattr(build, "SHARDS", 1)
    Archive(tmp_path / "one").update(corpus)
    monkeypatch.setattr(build, "SHARDS", 4)
    monkeypatch.setattr(build, "SHARD_MIN_FILES", 2)
    Archive(tmp_path / "four").update(corpus)
    Archive(tmp_path / "four-j2").update(corpus, procs=2)
    monkeypatch.setattr(build, "MERGE_SHARDS", False)
    Archive(tmp_path / "apart").update(corpus, procs=2)
    assert _segments(tmp_path / "one") == 1
    assert _segments(tmp_path / "four") == _segments(tmp_path / "four-j2") == 1
    assert _segments(tmp_path / "apart") == 4
    want = _everything(tmp_path / "one")
    assert want[0] and want[1] and want[-2] and want[-1]
    for name in ("four", "four-j2", "apart"):
        assert _everything(tmp_path / name) == want, name
    for name in ("one", "four", "four-j2", "apart"):
        gen = tindex.current_generation(tmp_path / name)
        assert not [p for p in gen.iterdir() if p.is_dir()]
        assert build.check_index(tmp_path / name) == []


def test_shards_cut_by_size_whatever_the_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "SHARDS", 8)
    corpus = _many_files(tmp_path, n=40)
    (corpus / "bao-cao-07.txt").write_text("Đảng bộ. " * 20000, encoding="utf-8")  # large
    plan = build.make_plan(corpus, None)
    one = build.make_shards(plan, tmp_path, None, False, procs=1)
    two = build.make_shards(plan, tmp_path, None, False, procs=2)
    assert [s.tasks for s in one] == [s.tasks for s in two]
    assert len(one) == 5  # 40 files, at least 8 per shard
    names = [t.name for s in one for t in s.tasks]
    assert names == plan.to_read  # every file once, in the plan's order
    sizes = [sum(t.path.stat().st_size for t in s.tasks) for s in one]
    big = [len(s.tasks) for s in one if any(t.name == "bao-cao-07.txt" for t in s.tasks)]
    assert big == [1], "the large file alone"
    assert big == [len(one[1].tasks)]  # what came before it is a shard of its own
    rest = sizes[2:]
    assert max(rest) < 1.25 * min(rest), f"the shards after it of about equal size: {sizes}"


def test_shard_whose_worker_dies_is_halved_down_to_the_file(tmp_path, monkeypatch):
    """A shard whose worker dies twice is cut in halves and tried again; only the file
    that kills its worker is left out, with the reason, and the index is whole."""
    corpus = _many_files(tmp_path, n=32)
    tried = []

    class DyingPool:  # runs shards here; a worker reading bao-cao-13.txt dies twice
        def __init__(self, func, procs, given_up, on_report=None):
            self.func, self.given_up = func, given_up

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            pass

        def map(self, shards):
            for shard in shards:
                names = [t.name for t in shard.tasks]
                tried.append(names)
                yield self.given_up(shard, -9) if "bao-cao-13.txt" in names else self.func(shard)

    monkeypatch.setattr(build, "Pool", DyingPool)
    index = tmp_path / "index"
    summary = Archive(index).update(corpus, procs=2)
    assert summary.skipped == {"bao-cao-13.txt": "the reader process died on it twice (exit -9)"}
    assert len(summary.added) == 31
    assert ["bao-cao-13.txt"] in tried and len(tried) <= 4 + 2 * 3  # halved, not file by file
    assert build.check_index(index) == []
    with Archive(index) as a:
        files = {h.path for h in a.search("Đảng", limit=1000)}
    assert len(files) == 31 and "bao-cao-13.txt" not in files


def test_a_reader_that_fails_on_one_file_skips_that_file_alone(corpus, tmp_path, monkeypatch):
    """A bug in a reader (an exception other than 'unreadable') on one file: that file is
    skipped with the error named, every other file is indexed, the build succeeds."""
    from tracuu import corpus as tcorpus

    real = tcorpus.document_from_bytes

    def buggy(name, data, ctx=None):
        if name == "thong-bao-hoa.txt":
            raise ZeroDivisionError("division by zero")
        return real(name, data, ctx)

    monkeypatch.setattr(build, "document_from_bytes", buggy)
    index = tmp_path / "index"
    summary = Archive(index).update(corpus)
    assert list(summary.skipped) == ["thong-bao-hoa.txt"]
    assert "ZeroDivisionError: division by zero" in summary.skipped["thong-bao-hoa.txt"]
    assert len(summary.added) == 2 and build.check_index(index) == []


def test_the_spellings_table_answers_as_the_term_dictionary(corpus, tmp_path):
    """Each generation holds the index's spellings of every syllable (engine.spellings):
    the hints read a word's spellings from it exactly as they would by asking the term
    dictionary for each possible one; an update writes it anew (a new spelling counted,
    the previous generation's table untouched), and an index without it (built by an
    older tracuu) is asked term by term."""
    from tracuu import hints
    from tracuu import text as vtext
    from tracuu.engine import spellings

    index = tmp_path / "index"
    (corpus / "moi.txt").write_text("Người dân, ngươi, nguôi ngoai.\n", encoding="utf-8")
    Archive.build(corpus, index).close()
    first = tindex.current_generation(index)
    before = (first / spellings.FILE).read_bytes()
    (corpus / "moi2.txt").write_text("Ngưởi lạ.\n", encoding="utf-8")
    with Archive.build(corpus, index) as a:
        engine = a.searcher.engine
        assert (first / spellings.FILE).read_bytes() == before
        assert ("ngưởi", 1) in engine.spellings("nguoi")
        words = {
            w
            for path in a.searcher.paths
            for p in engine.paragraphs_of(path)
            for w in vtext.fold_diacritics(p.text.lower()).split()
        }
        folded = sorted(w.strip(".,;:()\"'") for w in words)
        table = hints.Restorer(engine)
        lookups = hints.Restorer(engine)
        lookups.engine = _WithoutTable(engine)
        assert lookups.engine.spellings("nguoi") is None
        checked = [w for w in folded if w.isalpha()]
        assert [table.written(w) for w in checked] == [lookups.written(w) for w in checked]
        assert len(checked) > 100 and sum(bool(table.written(w)) for w in checked) > 100
        assert {f for f, _ in table.written("nguoi")} >= {"người", "ngươi", "nguôi", "ngưởi"}


class _WithoutTable:
    """An engine searcher as one of an index written before the spellings table."""

    def __init__(self, engine) -> None:
        self._engine = engine

    def spellings(self, folded):
        return None

    def __getattr__(self, name):
        return getattr(self._engine, name)
