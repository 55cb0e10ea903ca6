"""Queries scored with numpy (engine.vector) give Whoosh's own hits and scores."""

import bisect
import subprocess
import sys

import numpy as np
import pytest
from whoosh import query as wq

from tracuu import Archive, Ranking
from tracuu.engine import Searcher as EngineSearcher
from tracuu.engine import internals, vector
from tracuu.engine.internals.postings import term_postings
from tracuu.query import compiled as c
from tracuu.query import parse
from tracuu.search import Searcher

QUERIES = [
    "chỉnh đốn Đảng",
    "chinh don dang",
    "cán bộ đảng viên",
    "can bo dang vien",
    '"quy chế dân chủ"',
    '"quy che dan chu"',
    "hoà bình",
    '"an ninh"',
    '"đảng" "chính quyền"',
    '"ủy ban nhân dân"',
    '"tham gia" kinh doanh',
    "hoa binh on dinh",
    "đảng OR chính quyền",
    "đảng -viên",
    "chỉnh đốn path:thong*",
    "path:thong*",
    "-đảng",
    "Tình hình thực hiện Nghị quyết Trung ương 6 lần 2 về xây dựng, chỉnh đốn Đảng ở quận",
    "tinh hinh thuc hien nghi quyet trung uong ve xay dung chinh don dang o quan",
    "chỉnh đốn xyzxyz",
]


def _whoosh_twin(searcher: Searcher) -> Searcher:
    """The same index searched with Whoosh's matchers alone."""
    twin = Searcher(searcher.index_dir, searcher.ranking)
    twin.engine.close()
    twin.engine = EngineSearcher(searcher.engine.folder, searcher.ranking, arrays=False)
    twin.restorer.engine = twin.engine
    return twin


def _results(searcher: Searcher, query: str, **options):
    r = searcher.run(query, count=True, **options)
    return [(h.path, h.number, round(h.score, 9)) for h in r.hits], r.total


def _compare(searcher: Searcher) -> int:
    twin = _whoosh_twin(searcher)
    compared = 0
    try:
        for query in QUERIES:
            for options in ({"limit": 5}, {"limit": 50}, {"limit": 3, "by_document": True}):
                got, total = _results(searcher, query, **options)
                want, _ = _results(twin, query, **options)
                assert got == want, (query, options)
                node = searcher._compile(parse(query), "auto").node
                exact = list(twin.engine._s.docs_for_query(_whoosh(node)))
                assert total == len(exact), query
                assert searcher.engine.docs(node, 7) == exact[:7] == twin.engine.docs(node, 7)
                compared += bool(got)
        for path in searcher.paths:
            assert searcher.engine.docnums_of(path) == twin.engine.docnums_of(path), path
            assert searcher.engine.docnums_of(path)
    finally:
        twin.close()
    return compared


def _whoosh(node):
    from tracuu.engine.queries import to_whoosh

    return to_whoosh(node)


def test_arrays_rank_and_score_as_whoosh(archive):
    assert _compare(archive.searcher) >= 30


def test_arrays_follow_every_ranking_knob(built):
    """Boosts on words, spellings, phrases and pairs, the classic idf, short AND runs."""
    ranking = Ranking(
        k1=1.2, b=0.6, exact_boost=1.5, fold_boost=0.8, pair_boost=0.7, cross_pair_boost=0.3,
        and_max=2, idf="classic",
    )  # fmt: skip
    with Searcher(built[1], ranking) as s:
        assert _compare(s) >= 30


def test_terms_read_first_for_documents_read_whole_score_as_whoosh(built):
    """A term read whole for the documents read whole is kept as it was read (not
    scored): the paragraph searches that come to it later score it from there, at every
    paragraph or at the candidates, as Whoosh does."""

    def terms(node):
        if isinstance(node, c.Term):
            yield node.field, node.text
        for child in getattr(node, "children", ()):
            yield from terms(child)

    with Archive(built[1]) as a:
        vector_ = a.searcher.engine._vector
        for query in QUERIES:  # (each term not scored yet: read first for documents)
            for term in terms(a.searcher._compile(parse(query), "auto").node):
                vector_.term_frequencies(*term)
        assert not [key for key in vector_._cache._items if key[0] != vector._RAW]
        assert _compare(a.searcher) >= 30


@pytest.mark.parametrize("few", [0, 10**9])
def test_a_small_cache_changes_nothing(built, monkeypatch, few):
    """Every term read again, every time: whole (few=0), or, where some paragraphs are
    candidates already, at those alone (few=10**9)."""
    monkeypatch.setattr(vector, "CACHE_MB", 0)
    monkeypatch.setattr(vector, "FEW", few)
    with Archive(built[1]) as a:
        assert _compare(a.searcher) >= 30


def test_arrays_after_an_update_skip_deleted_paragraphs(corpus, tmp_path):
    """An update deletes a changed file's paragraphs and adds a segment: both are read."""
    index = tmp_path / "index"
    Archive.build(corpus, index)
    changed = corpus / "thong-bao-hoa.txt"
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nĐảng bộ chỉnh đốn Đảng, hoà bình.\n",
        encoding="utf-8",
    )
    with Archive.build(corpus, index) as a:
        s = a.searcher.engine._s
        readers = [leaf.reader() for leaf, _ in s.leaf_searchers()]
        assert any(r.deleted_docs_set for r in readers), "the update left deleted paragraphs"
        assert _compare(a.searcher) >= 30


def test_an_index_in_several_segments_ranks_as_one(corpus, tmp_path, monkeypatch):
    """The same files built as one segment and as three (a shard each): the same hits
    and scores, and Whoosh's own over the three."""
    from tracuu import build

    one = Archive.build(corpus, tmp_path / "one")
    monkeypatch.setattr(build, "SHARDS", 3)
    monkeypatch.setattr(build, "MERGE_SHARDS", False)  # (else merged into one segment)
    monkeypatch.setattr(build, "SHARD_MIN_FILES", 1)
    three = Archive.build(corpus, tmp_path / "three")
    with one, three:
        assert len(one.searcher.engine._s.leaf_searchers()) == 1
        assert len(three.searcher.engine._s.leaf_searchers()) == 3
        for query in QUERIES:
            for options in ({"limit": 50}, {"limit": 3, "by_document": True}):
                got, _ = _results(three.searcher, query, **options)
                want, _ = _results(one.searcher, query, **options)
                assert [(p, n, round(x, 6)) for p, n, x in got] == [
                    (p, n, round(x, 6)) for p, n, x in want
                ], (query, options)
        assert _compare(three.searcher) >= 30


def _every_term(reader):
    for field in ("body", "fold", "pairs", "fpairs"):
        for btext in reader.lexicon(field):
            yield field, btext


def test_term_postings_are_whooshs(archive):
    """Inlined lists and lists in blocks, as Whoosh's matchers read them."""
    reader = archive.searcher.engine._s.reader()
    lengths = set()
    for field, btext in _every_term(reader):
        ids, tf = term_postings(reader, field, btext)
        m = reader.postings(field, btext)
        want = []
        while m.is_active():
            want.append((m.id(), m.weight()))
            m.next()
        assert list(zip(ids.tolist(), tf.tolist(), strict=True)) == want, (field, btext)
        lengths.add(len(want) >= internals.INLINE_LIMIT)
    assert lengths == {True, False}
    assert term_postings(reader, "body", b"xyzxyz") is None


def test_term_postings_at_some_paragraphs_are_those_of_the_whole_list(archive):
    """Read at some paragraphs (the blocks that may hold them), a posting list gives
    what the whole list has there: paragraphs before, between and past its blocks."""
    reader = archive.searcher.engine._s.reader()
    total = reader.doc_count_all()
    samples = [[], [0], [total - 1], [total + 5], list(range(0, total, 7)), [3, 4, 5, total + 1]]
    read = 0
    for field, btext in _every_term(reader):
        ids, tf = term_postings(reader, field, btext)
        for at in [*samples, ids[::5].tolist(), (ids[-1:] + 1).tolist()]:
            want = [(d, x) for d, x in zip(ids.tolist(), tf.tolist()) if d in set(at)]
            some = term_postings(reader, field, btext, np.array(at, dtype=np.int64))
            assert some is not None
            got = [(d, x) for d, x in zip(*(a.tolist() for a in some)) if d in set(at)]
            assert got == want, (field, btext, at)
            read += 1
    assert read > 100


def test_a_query_does_not_load_numpy_ma(built):
    """np.unique and its kin import numpy.ma (10-30 ms) the first time they run: a
    command that answers one query would pay it, so the engine does without them."""
    code = (
        "import sys\n"
        "from tracuu import Archive\n"
        "from tracuu.engine import vector\n"
        "vector.FEW = 1  # every term read at the paragraphs that count\n"
        "with Archive(sys.argv[1]) as a:\n"
        "    for q in ('chinh don dang', 'Đảng', 'cán bộ đảng viên', '\"quy chế\"'):\n"
        "        a.run(q, limit=3, by_document=True)\n"
        "        a.run(q, limit=50)\n"
        "print('numpy.ma' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(built[1])], capture_output=True, text=True
    )
    assert out.stdout.split() == ["False"], out.stderr


def test_maybe_scores_the_extras_after_a_skip(archive):
    """Whoosh's AndMaybe drops the optional part's score when skip_to lands past the
    target (engine.internals.Maybe mends it): scoring some paragraphs at once gives
    what scoring each alone gives."""
    searcher = archive.searcher.engine._s
    core, extra = wq.Term("body", "chỉnh"), wq.Term("body", "đảng")
    docs = sorted(searcher.docs_for_query(core))
    with_extra = sorted(searcher.docs_for_query(extra))
    # a target with the extra but not the core, the next paragraph with the core having
    # the extra too: the skip leaves the extra on the target, the core past it
    targets = [
        t
        for t in with_extra
        if t not in docs
        and bisect.bisect_right(docs, t) < len(docs)
        and docs[bisect.bisect_right(docs, t)] in with_extra
    ]
    assert targets, "the test corpus has such paragraphs"

    def scores(query_class):
        out = {}
        m = query_class(core, extra).matcher(searcher, searcher.context())
        for t in targets:
            if m.is_active() and m.id() < t:
                m.skip_to(t)
            if m.is_active():
                out[m.id()] = m.score()
        return out

    alone = {}
    for d in scores(internals.Maybe):
        m = internals.Maybe(core, extra).matcher(searcher, searcher.context())
        m.skip_to(d)
        alone[d] = m.score()
    assert scores(internals.Maybe) == alone
    assert scores(wq.AndMaybe) != alone, "whoosh3 mended AndMaybe: drop internals.Maybe"


@pytest.mark.parametrize("query", ["chinh don dang", "đảng OR chính quyền", '"cán bộ"'])
def test_score_each_matches_whoosh(archive, query):
    s = archive.searcher
    twin = _whoosh_twin(s)
    try:
        node = s._compile(parse(query), "auto").node
        docs = list(range(0, s.engine.doc_count(), 3))
        clauses = [node, *(node.children if isinstance(node, c.Combine) else ())]
        got = s.engine.score_each(clauses, docs)
        want = twin.engine.score_each(clauses, docs)
        assert [[(d, round(x, 9)) for d, x in g] for g in got] == [
            [(d, round(x, 9)) for d, x in w] for w in want
        ]
        assert any(got)
    finally:
        twin.close()
