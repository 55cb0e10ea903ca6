"""The bisecting skip_to lands on the same postings as Whoosh's own."""

import ast
import functools
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from whoosh import query as wq

from tracuu import Ranking, engine, store


def ids_after_skips(searcher, term, targets):
    out = []
    m = wq.Term("body", term).matcher(searcher)
    for t in targets:
        if not m.is_active():
            break
        m.skip_to(t)
        out.append(m.id() if m.is_active() else None)
    return out


def test_skip_to_matches_whoosh(archive):
    searcher = archive.searcher.engine._s
    n = searcher.doc_count_all()
    rnd = random.Random(5)
    targets = sorted(rnd.sample(range(n), min(60, n)))
    for term in ("đảng", "chỉnh", "và", "cán_bộ", "quy"):
        engine.uninstall_speedups()
        try:
            expected = ids_after_skips(searcher, term, targets)
        finally:
            engine.install_speedups()
        assert ids_after_skips(searcher, term, targets) == expected, term


def test_search_results_unchanged(archive):
    queries = ["chỉnh đốn Đảng", "cán bộ đảng viên", '"quy chế dân chủ"', "chinh don dang"]
    with_speedups = [
        [(h.path, h.number, h.score) for h in archive.search(q, limit=20)] for q in queries
    ]
    engine.uninstall_speedups()
    try:
        without = [
            [(h.path, h.number, h.score) for h in archive.search(q, limit=20)] for q in queries
        ]
    finally:
        engine.install_speedups()
    assert with_speedups == without


def test_wide_or_scores_like_whoosh_default_or(archive):
    from tracuu.engine import internals

    searcher = archive.searcher.engine._s
    terms = ["đảng", "chỉnh", "cán_bộ", "quy", "chế", "dân", "chủ", "tình", "hình", "báo", "cáo"]
    children = [wq.Term("body", t) for t in terms]
    wide = internals.wide_or(children)
    assert wide.matcher_type == wq.Or.ARRAY_MATCHER, "many clauses add up in arrays"
    default = wq.Or(children)
    default.matcher_type = wq.Or.DEFAULT_MATCHER
    got = [(h.docnum, round(h.score, 9)) for h in searcher.search(wide, limit=None)]
    want = [(h.docnum, round(h.score, 9)) for h in searcher.search(default, limit=None)]
    assert got == want and len(got) > 10


def test_engine_refuses_an_untested_whoosh():
    from tracuu.engine import gate
    from tracuu.errors import EngineVersionError

    gate.check_version("3.54.7")  # any patch release of the tested minor
    for version in ("3.55.0", "3.53.1", "2.7.5"):
        with pytest.raises(EngineVersionError, match="tested with whoosh3 3.54"):
            gate.check_version(version)


def _whoosh_imports_from(module: str) -> list[tuple[str, str, bool]]:
    """Each (importing Whoosh module, name it imports from ``module``, at module level?)
    in the installed Whoosh; the name "*" is an ``import module`` statement."""
    import whoosh

    root = Path(whoosh.__file__).parent
    found = []
    for path in root.rglob("*.py"):
        package = ".".join(("whoosh", *path.relative_to(root).parent.parts))
        importer = package if path.stem == "__init__" else f"{package}.{path.stem}"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = package.rsplit(".", node.level - 1)[0] if node.level else ""
                source = ".".join(p for p in (base, node.module) if p)
                for a in node.names:
                    if source == module or f"{source}.{a.name}" == module:
                        name = a.name if source == module else "(the module)"
                        found.append((importer, name, id(node) in top))
            elif isinstance(node, ast.Import) and any(a.name == module for a in node.names):
                found.append((importer, "*", id(node) in top))  # its first use would load it
    return found


def test_whoosh_modules_wait_in_stand_ins_until_used(built):
    """The engine stands in for Whoosh's English stemmer and morphology until they are
    used, and for whole modules a search never uses (engine.gate.DEFERRED). A Whoosh
    that imports other names of the first, or names of the others in a module a search
    loads, fails here (as would ``import whoosh.x``: the package would have no ``x``)."""
    from tracuu.engine import gate

    code = (
        "import json, sys\n"
        "from tracuu import Archive\n"
        "from tracuu.engine import gate\n"
        "with Archive(sys.argv[1]) as a:\n"
        "    a.run('chinh don dang', limit=3)\n"
        "    a.run('\"quy chế\" Đảng', limit=3, by_document=True)\n"
        "waiting = lambda: [type(sys.modules[m]) is gate._Deferred for m in gate.DEFERRED]\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('whoosh'))\n"
        "print(json.dumps({'waiting': waiting(), 'loaded': loaded}))\n"
        "from whoosh.query.terms import variations\n"
        "from whoosh.analysis import StemmingAnalyzer\n"
        "from whoosh.highlight import Highlighter\n"
        "from whoosh import collectors, sorting\n"
        "print('acted' in variations('acts'), [t.text for t in StemmingAnalyzer()('dogs')],\n"
        "      type(Highlighter()).__name__, collectors.TopCollector(3).limit,\n"
        "      type(sorting.ScoreFacet()).__name__)\n"
        "print(json.dumps(waiting()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(built[1])], capture_output=True, text=True
    )
    searched, used, after = out.stdout.splitlines()
    state = json.loads(searched)
    assert state["waiting"] == [True] * len(gate.DEFERRED), out.stderr
    assert used == "True ['dog'] Highlighter 3 ScoreFacet"
    assert json.loads(after) == [False] * len(gate.DEFERRED)
    for module, functions in gate.DEFERRED.items():
        imports = _whoosh_imports_from(module)
        assert all(name != "*" for _, name, _ in imports), module
        if functions:  # stand-ins for these functions, bound by name where imported
            assert {name for _, name, _ in imports} == set(functions), module
        else:  # a stand-in for the module: any name imported at load would load it
            by_name = {i for i, name, top in imports if top and name != "(the module)"}
            assert not by_name & set(state["loaded"]), module


def _best_of_by_hand(searcher, children):
    """Each paragraph's best score over the children that match it."""
    best: dict[int, float] = {}
    for child in children:
        for hit in searcher.search(child, limit=None):
            best[hit.docnum] = max(best.get(hit.docnum, 0.0), hit.score)
    return sorted(best.items(), key=lambda x: (-x[1], x[0]))


def test_best_of_scores_each_paragraph_by_its_own_matches(archive):
    from tracuu.engine import internals

    searcher = archive.searcher.engine._s
    children = [wq.Term("body", "chính", boost=0.8), wq.Term("body", "chỉnh", boost=0.3)]
    children.append(wq.Term("fold", "chinh", boost=0.5))
    want = [(d, round(s, 9)) for d, s in _best_of_by_hand(searcher, children)]
    got = internals.BestOf(children)
    hits = sorted(
        ((h.docnum, round(h.score, 9)) for h in searcher.search(got, limit=None)),
        key=lambda x: (-x[1], x[0]),
    )
    assert hits == want and len(hits) > 3
    # Whoosh's own DisjunctionMax scores some paragraph with a score from another one:
    # when this fails, Whoosh mended it and internals.BestOf can go
    whooshs = wq.DisjunctionMax(children)
    own = sorted(
        ((h.docnum, round(h.score, 9)) for h in searcher.search(whooshs, limit=None)),
        key=lambda x: (-x[1], x[0]),
    )
    assert own != want


def _postings(reader):
    """Every term of every field with its postings (ids, weights, values) and stats."""
    out = {}
    for field, term in reader.all_terms():
        info = reader.term_info(field, term)
        m = reader.postings(field, term)
        ids, weights, values = [], [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            values.append(m.value() or None)  # no value: '' inline, None in a block
            m.next()
        stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length())
        out[field, term] = (ids, weights, values, stats, info.max_weight())
    return out


def _index_with(folder, codec, paragraphs):
    from whoosh import index as windex

    from tracuu.engine.schema import SCHEMA, paragraph_fields

    folder.mkdir()
    ix = windex.create_in(str(folder), SCHEMA)
    w = ix.writer(codec=codec, limitmb=1)  # a small pool: sorted runs spill to disk
    for p in paragraphs:
        w.add_document(**paragraph_fields(p))
    w.commit()
    return ix


SMALL_BLOCKS = 128  # postings per block in the tests' indexes (whoosh3's; tracuu writes more)


def _copies(archive, times: int):
    """The archive's paragraphs ``times`` over, under other file names (so that common
    words fill several blocks of SMALL_BLOCKS postings)."""
    from msgspec.structs import replace

    engine_ = archive.searcher.engine
    found = [engine_.paragraph(d) for d in range(engine_.doc_count())]
    return [replace(p, path=f"{i}/{p.path}") for i in range(times) for p in found]


def _ours_and_whoosh_s(archive, tmp_path, times: int):
    """The same paragraphs indexed with engine.internals.Codec and with whoosh3's own."""
    from whoosh.codec import whoosh3 as wcodec

    from tracuu.engine import internals

    paragraphs = _copies(archive, times)
    ours = _index_with(tmp_path / "ours", internals.Codec(SMALL_BLOCKS), paragraphs)
    return ours, _index_with(tmp_path / "whoosh", wcodec.W3Codec(), paragraphs)


def test_short_postings_inline_read_back_as_whoosh_writes_them(archive, tmp_path):
    """The same paragraphs indexed with whoosh3's codec and with engine.internals.Codec
    have the same postings and term statistics, term for term; the short lists are kept
    in the term's info, compactly. Fails if a Whoosh release changes either codec."""
    from whoosh.codec import whoosh3 as wcodec

    from tracuu.engine import internals

    ours, plain = _ours_and_whoosh_s(archive, tmp_path, 12)
    with ours.reader() as a, plain.reader() as b:
        got, want = _postings(a), _postings(b)
        assert got == want and len(got) > 1000
        infos = [(a.term_info(*key), len(p[0])) for key, p in got.items()]
        assert all(info.is_inlined() == (df < internals.INLINE_LIMIT) for info, df in infos)
        assert any(df > 1 for info, df in infos if info.is_inlined())
        assert any(df > 2 * SMALL_BLOCKS for info, df in infos), "lists of several blocks"
        # Whoosh's own fast readers of a term's header fields read the compact form too
        for key in list(got)[:300]:
            assert a.frequency(*key) == b.frequency(*key)
            assert a.doc_frequency(*key) == b.doc_frequency(*key)
        ours_size = sum(f.stat().st_size for f in (tmp_path / "ours").iterdir())
        plain_size = sum(f.stat().st_size for f in (tmp_path / "whoosh").iterdir())
        assert ours_size < 0.9 * plain_size
    # whoosh3 still calls a method its term info lacks: when this fails, Whoosh mended
    # its inlining; engine.internals.Codec still writes the compact form
    assert not hasattr(wcodec.W3TermInfo, "set_inline")


def test_compact_term_info_round_trip():
    from tracuu.engine.internals import TermInfo

    cases = [
        ((7,), (1.0,), ()),
        ((3, 200, 70000, 2**31), (2.0, 1.0, 5.0, 300.0), (b"ab", b"", b"x" * 200, b"q")),
        ((0, 1), (0.5, 1.25), ()),  # weights that are not whole numbers
    ]
    for ids, weights, values in cases:
        info = TermInfo(weight=sum(weights), df=len(ids), minlength=3, maxlength=40)
        info._maxweight = max(weights)
        info.set_inlined(ids, weights, values)
        back = TermInfo.from_bytes(info.to_bytes())
        assert back.inlined_postings() == (ids, weights, values)
        assert (back.weight(), back.doc_frequency(), back.max_weight()) == (
            sum(weights),
            len(ids),
            max(weights),
        )
        assert (back.min_id(), back.max_id()) == (ids[0], ids[-1])


def test_writer_pool_sized_from_the_text(monkeypatch):
    from tracuu.engine import writer

    monkeypatch.setattr(writer, "available_mb", lambda: 9000)
    assert engine.pool_mb(0) == engine.pool_mb(1_000_000) == engine.LIMIT_MB  # never less
    assert engine.pool_mb(10_000_000) == 10 * writer.POOL_PER_TEXT_MB  # no spilled runs
    assert engine.pool_mb(29_000_000) == 2900  # within a third of the memory available
    assert engine.pool_mb(31_000_000) == 3000  # runs spill: as few as the memory allows
    assert engine.pool_mb(20_000_000, writers=2) == 1500  # two at once: half each
    monkeypatch.setattr(writer, "available_mb", lambda: 0)  # unknown: the least pool
    assert engine.pool_mb(200_000_000) == engine.LIMIT_MB


def _pool_items(seed: int, documents: int = 400) -> list[tuple]:
    """Postings as a whoosh writer gives its pool: document by document, each term once in
    a field, in no order within a document."""
    rnd = random.Random(seed)
    terms = [bytes(rnd.choices(b"abc\xc3\xa1", k=rnd.randint(1, 4))) for _ in range(60)]
    items = []
    for docnum in range(documents):
        doc = [
            (field, term, docnum, float(rnd.randint(1, 3)), rnd.choice([None, b"\x00\x01"]))
            for field in rnd.sample(["body", "fold", "key", "path"], rnd.randint(1, 4))
            for term in set(rnd.sample(terms, rnd.randint(1, 12)))
        ]
        rnd.shuffle(doc)
        items += doc
    return items


def test_postings_sorted_by_field_then_term_as_whoosh_sorts_them():
    from tracuu.engine.internals.pool import sort_postings

    for seed in range(5):
        items = _pool_items(seed)
        expected = sorted(items)
        sort_postings(items)
        assert items == expected


def test_writers_pools_sort_so_in_memory_and_in_runs_on_disk(tmp_path):
    # a Whoosh whose writer keeps its pool elsewhere, or another kind of pool, fails here
    from tracuu.engine.internals.pool import SortedPool

    items = _pool_items(7)
    for limit, runs in ((None, 0), (20_000, 10)):  # bytes, as Whoosh estimates them
        folder = tmp_path / str(limit)
        folder.mkdir()
        w = engine.Writer(folder, create=True)
        try:
            pool = w._w.pool
            assert type(pool) is SortedPool
            pool.limit = limit or pool.limit
            for item in items:
                pool.add(item)
            assert len(pool.runs) >= runs and bool(pool.runs) == bool(runs)
            assert list(pool.items()) == sorted(items)
        finally:
            w.cancel()


def test_field_lengths_read_from_one_array_as_whoosh_reads_them(archive):
    """The scorer's array of field lengths holds what Whoosh's doc_field_length says, and
    scores come out the same as with Whoosh's own BM25F scorer."""
    from whoosh import scoring
    from whoosh.searching import Searcher

    from tracuu.engine import internals

    searcher = archive.searcher.engine._s
    for field in ("body", "fold", "pairs", "fpairs"):
        lookup = internals.length_lookup(searcher, field)
        assert lookup is not None, "a whoosh3 segment: the array is there"
        for d in range(searcher.doc_count_all()):
            want = searcher.doc_field_length(d, field)
            assert lookup(d) == (want or 1), (field, d)
    query = wq.Or([wq.Term("body", t) for t in ("đảng", "chỉnh", "cán_bộ", "quy")])
    query = wq.Or([query, wq.Term("pairs", "chỉnh_đốn")])
    fast = engine.searcher._BM25F(B=0.75, K1=0.5)
    plain = type("Plain", (scoring.BM25F,), {"idf": engine.searcher._BM25F.idf})(B=0.75, K1=0.5)
    got, want = (
        [
            (h.docnum, round(h.score, 9))
            for h in Searcher(searcher.reader(), weighting=w).search(query, limit=None)
        ]
        for w in (fast, plain)
    )
    assert got == want and len(got) > 10


def test_the_length_array_is_made_when_a_scorer_first_asks_for_a_length(built):
    """Scoring with arrays asks a scorer for its idf only: no field's length array is made
    (20 ms at the first query on viwiki); scoring with Whoosh makes it at its first use."""
    from tracuu.query import compiled as c

    def made(eng):
        return {
            field
            for sub, _ in eng._s.leaf_searchers()
            for field in sub.reader()._perdoc.__dict__.get("_tracuu_lengths", {})
        }

    node = c.Combine(c.ANY, (c.Term("body", "đảng"), c.Term("fold", "chinh")))
    for arrays, want in ((True, set()), (False, {"body", "fold"})):
        eng = engine.Searcher(store.require_generation(built[1]), Ranking(), arrays=arrays)
        try:
            assert eng.search(node, 5)
            assert made(eng) == want
        finally:
            eng.close()


def test_wide_or_collector_finds_what_whoosh_finds(archive):
    """The collector used for wide Ors (no block-quality checks, no matcher rebuilds)
    ranks exactly as Whoosh's own TopCollector, also with a filter."""
    from tracuu.engine.queries import to_whoosh
    from tracuu.query import compiled as c

    eng = engine.Searcher(archive.searcher.engine.folder, archive.searcher.ranking, arrays=False)
    words = ["đảng", "chỉnh", "cán_bộ", "quy", "chế", "dân", "chủ", "tình", "hình", "báo"]
    node = c.Combine(c.ANY, tuple(c.Term("body", w) for w in words))
    only = c.Combine(c.ANY, (c.Term("path", "bao-cao-quan-10-chinh-don-dang.txt"),))
    q = to_whoosh(node)
    assert engine.internals.top_collector(q, 5, None) is not None, "a wide Or"
    for flt in (None, only):
        got = eng.search(node, 5, flt)
        plain = eng._s.search(q, limit=5, filter=to_whoosh(flt) if flt else None)
        assert got == [(h.docnum, float(h.score)) for h in plain] and len(got) == 5
    eng.close()


def _with_driven(node, searcher, monkeypatch, driven: bool):
    from tracuu.engine import queries

    with monkeypatch.context() as m:
        if not driven:
            m.setattr(queries, "_cover", lambda node: None)
        q = queries.to_whoosh(node)
    return q, [(h.docnum, round(h.score, 9)) for h in searcher.search(q, limit=None)]


def test_driven_and_finds_and_scores_as_the_plain_and(archive, monkeypatch):
    """An And of words typed without diacritics is matched by their folded forms alone
    (engine.internals.Driven) and scored by the whole query: the same hits, same scores."""
    from tracuu.engine import internals
    from tracuu.query import parse

    searcher = archive.searcher.engine._s
    for text in ["chinh don dang", "can bo dang vien", "hoa binh on dinh", "dang bo quan"]:
        node = archive.searcher._compile(parse(text), "auto").node
        core = node.children[0] if node.how == "maybe" else node
        q, driven = _with_driven(core, searcher, monkeypatch, True)
        assert isinstance(q, internals.Driven) and q.drivers
        plain_q, plain = _with_driven(core, searcher, monkeypatch, False)
        assert not isinstance(plain_q, internals.Driven)
        assert driven == plain and driven, text
        whole = [_with_driven(node, searcher, monkeypatch, d)[1] for d in (True, False)]
        assert whole[0] == whole[1]


def test_folded_forms_cover_their_spellings(archive):
    """What Driven relies on: a paragraph with a syllable or pair as written also has its
    folded form."""
    from tracuu.analysis import VOCABULARY

    reader = archive.searcher.engine._s.reader()
    checked = 0
    for field in ("body", "pairs"):
        for btext in reader.lexicon(field):
            parts = btext.decode().split("_")
            folded = VOCABULARY.word(parts, True)
            written = set(reader.postings(field, btext).all_ids())
            assert written <= set(reader.postings(*folded).all_ids()), (field, btext)
            checked += 1
    assert checked > 1000


def test_term_table_answers_as_a_dict_and_a_sorted_list(tmp_path):
    """engine.internals.table: every key found with its value, absent keys not, nearest
    keys and ordered iteration as a sorted list gives them; lengths past one varint byte."""
    from whoosh.filedb.filestore import FileStorage

    from tracuu.engine.internals.table import TableReader, TableWriter

    rng = random.Random(7)
    items = {}
    while len(items) < 3000:
        key = bytes(rng.randrange(256) for _ in range(rng.choice((1, 2, 5, 40, 200))))
        items[key] = bytes(rng.randrange(256) for _ in range(rng.choice((0, 3, 130, 20000))))
    keys = sorted(items)
    storage = FileStorage(str(tmp_path))
    writer = TableWriter(storage.create_file("t.trm"))
    writer.extras["fieldmap"] = {"body": 0}
    for k in keys:
        writer.add(k, items[k])
    writer.close()
    with pytest.raises(ValueError, match="keys must increase"):
        again = TableWriter(storage.create_file("u.trm"))
        again.add(b"b", b"")
        again.add(b"a", b"")
    table = TableReader(storage.open_file("t.trm"), storage.file_length("t.trm"))
    assert table.extras == {"fieldmap": {"body": 0}}
    assert all(table[k] == items[k] and k in table for k in keys)
    assert list(table.items()) == [(k, items[k]) for k in keys]
    import bisect

    for _ in range(500):
        probe = bytes(rng.randrange(256) for _ in range(rng.choice((1, 3, 41))))
        assert (probe in table) == (probe in items)
        assert table.get(probe) == items.get(probe)
        at = bisect.bisect_left(keys, probe)
        pos = table.closest_key_pos(probe)
        assert (pos is None) == (at == len(keys))
        if pos is not None:
            assert table.key_at(pos) == keys[at]
            assert list(table.keys_from(probe)) == keys[at:]
    for k in keys:  # each key is its own nearest (those kept in the sample among them)
        assert table.key_at(table.closest_key_pos(k)) == k
    assert table.closest_key_pos(b"\xff" * 300) is None
    # a cursor walks entry by entry as whoosh3's does: each entry followed by the next
    pos, walked = table.closest_key_pos(b""), []
    while (entry := table.key_and_range_at(pos)) is not None:
        key, datapos, datalen = entry
        walked.append(key)
        pos = datapos + datalen
    assert walked == keys
    table.close()


def test_lexicon_read_from_the_term_table_as_from_whoosh_s_hash(archive, tmp_path):
    """What whoosh3's readers ask of a term dictionary (lexicons, prefixes, cursors,
    nearest terms, membership) is answered the same from engine.internals' sorted table
    as from whoosh3's ordered hash. Fails if whoosh3 asks its tables something new."""
    from whoosh.codec import whoosh3 as wcodec

    ours, plain = _ours_and_whoosh_s(archive, tmp_path, 3)
    with ours.reader() as a, plain.reader() as b:
        assert list(a.all_terms()) == list(b.all_terms())
        for field in ("body", "fold", "pairs"):
            assert list(a.lexicon(field)) == list(b.lexicon(field))
            for prefix in ("ch", "đ", "chinh", "zzz", ""):
                assert list(a.expand_prefix(field, prefix)) == list(b.expand_prefix(field, prefix))
                assert (
                    list(a.terms_from(field, prefix))[:50] == list(b.terms_from(field, prefix))[:50]
                )
            assert a.most_frequent_terms(field, 20) == b.most_frequent_terms(field, 20)
            ca, cb = a.cursor(field), b.cursor(field)
            for probe in ("chính", "chinh", "a", "zzzz", "Đảng".lower()):
                assert ca.find(probe) == cb.find(probe)
                assert ca.next() == cb.next()
        for term in [("body", "chỉnh"), ("body", "không-có"), ("fold", "dang"), ("pairs", "zz")]:
            assert (term in a) == (term in b)
            assert a.frequency(*term) == b.frequency(*term)
            assert a.doc_frequency(*term) == b.doc_frequency(*term)
        for reader in (a, b):
            with pytest.raises(wcodec.TermNotFound):
                reader.term_info("body", "không-có")


def test_posting_blocks_round_trip_and_read_without_positions():
    """engine.internals.codec's blocks: ids, weights (all 1, one for all, whole numbers,
    fractions) and values (of any size, of a fixed size, none) come back as written, as
    numpy arrays without the values and as whoosh3's tuple with them."""
    from tracuu.engine.internals import codec

    variable = [b"", b"\x01\x02", b"x" * 300, b"\x00", b"ab"]
    weightings = (
        [1.0] * 5,
        [2.5] * 5,
        [1.0, 3.0, 7.0, 1.0, 2.0],
        [1.0, 300.0, 7.0, 1.0, 2.0],  # a weight past one byte
        [1.0, 3.0, 70000.0, 1.0, 2.0],  # ... past two
        [0.5, 1.25, 2.0, 1.0, 9.0],
    )
    # gaps of one byte (after a large first id), of two, of four
    for ids in ([70000, 70001, 70003, 70200, 70300], [3, 4, 90, 70000, 2**31], [5, 6, 7, 300, 900]):
        for weights in weightings:
            for fixedsize, values in ((None, variable), (0, [b""] * 5), (2, [b"ab"] * 5)):
                for level in (0, 3):
                    raw = codec.encode_block(ids, weights, values, fixedsize, level)
                    assert raw[0] == codec.BLOCK_TAG
                    got_ids, got_weights = codec.block_arrays(raw, len(ids))
                    assert got_ids.tolist() == ids and got_weights.tolist() == weights
                    legacy = _legacy_block(ids, weights, values, fixedsize, level)
                    assert raw != legacy
                    got_ids, got_weights = codec.block_arrays(legacy, len(ids))
                    assert got_ids.tolist() == ids and got_weights.tolist() == weights
                    assert codec.block_values(legacy, 5, fixedsize) == codec.block_values(
                        raw, 5, fixedsize
                    )
    ids = [3, 4, 90, 70000, 2**31]
    for weights in weightings:
        for fixedsize, values in ((None, variable), (0, [b""] * 5), (2, [b"ab"] * 5)):
            for level in (0, 3):
                raw = codec.encode_block(ids, weights, values, fixedsize, level)
                gaps, w, vs = codec._block_tuple(raw, len(ids), fixedsize)
                assert list(wcodec_delta_decode(gaps)) == ids
                if fixedsize is None:
                    assert vs == tuple(variable)
                else:
                    assert vs == (b"ab" * 5 if fixedsize else None)
                assert w == (
                    None
                    if weights[0] == weights[1] == 1.0
                    else weights[0]
                    if len(set(weights)) == 1
                    else tuple(weights)
                )


def test_posting_blocks_hold_gaps_and_weights_in_the_fewest_bytes():
    """A block of neighbouring paragraphs, each with the term once or twice: the first
    id in four bytes, then a byte a gap and a byte a weight, nothing inflated to read."""
    from tracuu.engine.internals import codec

    ids, weights = list(range(70000, 71000)), [1.0, 2.0] * 500
    raw = codec.encode_block(ids, weights, [b""] * 1000, 0, 3)
    assert len(raw) == codec._HEAD.size + 4 + 999 + 1000
    got_ids, got_weights = codec.block_arrays(raw, 1000)
    assert got_ids.tolist() == ids and got_weights.tolist() == weights


def test_small_posting_blocks_are_encoded_as_numpy_encodes_them(monkeypatch):
    """Blocks of fewer than SMALL_BLOCK postings are encoded with struct: the same bytes
    as the numpy encoding, for ids, weights and values of every kind and width."""
    import random

    from tracuu.engine.internals import codec

    rng = random.Random(7)
    cases = []
    for _ in range(3000):
        n = rng.randint(1, codec.SMALL_BLOCK - 1)
        ids = sorted(rng.sample(range(rng.choice([300, 70000, 5_000_000, 4_000_000_000])), n))
        weights = rng.choice(
            [
                [1.0] * n,
                [float(rng.randint(2, 9))] * n,
                [float(rng.randint(0, rng.choice([200, 60000, 2**31]))) for _ in range(n)],
                [rng.random() * 5 for _ in range(n)],
                [float(rng.randint(1, 3)) for _ in range(n - 1)] + [2.5],
            ]
        )
        fixedsize = rng.choice([None, -1, 0, 2])
        if fixedsize in (None, -1):
            values = [rng.randbytes(rng.randint(0, 40)) for _ in range(n)]
        else:
            values = [rng.randbytes(fixedsize) for _ in range(n)]
        cases.append((ids, weights, values, fixedsize, rng.choice([0, 3])))
    small = [codec.encode_block(*case) for case in cases]
    monkeypatch.setattr(codec, "SMALL_BLOCK", 0)  # every block through numpy
    assert small == [codec.encode_block(*case) for case in cases]


def _legacy_block(ids, weights, values, fixedsize, level):
    """A block as tracuu wrote them before the widths (indexes built then still read):
    every gap a uint32, whole weights uint32, the first part compressed."""
    import struct
    import zlib

    import numpy as np
    from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE

    def packed(data, flag):
        if level and len(data) >= COMPRESSION_MIN_SIZE:
            return zlib.compress(data, level), flag
        return data, 0

    gaps = np.diff(np.asarray(ids, dtype=np.int64), prepend=0)
    w = np.asarray(weights, dtype=np.float64)
    if (w == 1.0).all():
        kind, wbytes = 0, b""
    elif (w == w[0]).all():
        kind, wbytes = 1, w[:1].astype("<f8").tobytes()
    elif (w == np.floor(w)).all():
        kind, wbytes = 2, w.astype("<u4").tobytes()
    else:
        kind, wbytes = 3, w.astype("<f8").tobytes()
    first, f1 = packed(gaps.astype("<u4").tobytes() + wbytes, 4)
    if fixedsize is None:
        rest = np.array([len(v) for v in values], dtype="<u4").tobytes() + b"".join(values)
    else:
        rest = b"".join(values) if fixedsize else b""
    rest, f2 = packed(rest, 8)
    return struct.pack("<BBII", 0xB7, kind | f1 | f2, len(first), len(rest)) + first + rest


def wcodec_delta_decode(gaps):
    from whoosh.util.numlists import delta_decode

    return delta_decode(gaps)


def test_posting_blocks_are_written_for_numpy(archive, tmp_path):
    """The writer writes tracuu's blocks (not whoosh3's pickles): engine.vector reads a
    term's ids and weights from them as Whoosh's matcher reads the postings."""
    from tracuu.engine import internals
    from tracuu.engine.internals import codec
    from tracuu.engine.internals.postings import term_postings

    ix = _index_with(tmp_path / "ours", internals.Codec(SMALL_BLOCKS), _copies(archive, 12))
    with ix.reader() as r:
        big = [(f, t) for f, t in r.all_terms() if r.doc_frequency(f, t) > 2 * SMALL_BLOCKS]
        assert big
        for field, term in big[:20]:
            m = r.postings(field, term)
            assert isinstance(m, codec._LeafMatcher)
            raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
            assert raw[0] == codec.BLOCK_TAG
            ids, weights = [], []
            while m.is_active():
                ids.append(m.id())
                weights.append(m.weight())
                m.next()
            got = term_postings(r, field, term)
            assert got is not None
            assert got[0].tolist() == ids and got[1].tolist() == weights


def test_a_terms_blocks_read_in_one_pass_as_block_by_block(archive, tmp_path):
    """codec.term_arrays reads a term's blocks in one pass over the segment's memory (all
    of them, or those that may hold given paragraphs): the same ids and weights as the
    blocks read one by one through Whoosh's matcher, and as term_postings reads them
    from the same segment opened with whoosh3's own storage."""
    import random

    import numpy as np

    from tracuu.engine.internals import codec
    from tracuu.engine.internals import postings as P

    ours, theirs = _in_place(archive, tmp_path, times=40)
    rng = random.Random(7)
    with ours.reader() as r, theirs.reader() as t:
        count = r.doc_count_all()
        terms = [(f, x) for f, x in r.all_terms() if not r.term_info(f, x).is_inlined()]
        big = sorted(terms, key=lambda x: -r.doc_frequency(*x))[:15]
        assert r.doc_frequency(*big[0]) > 3 * SMALL_BLOCKS
        for field, term in big[:15] + rng.sample(terms, 15):
            fmt = r.schema[field].format
            m = r._terms.matcher(field, term, fmt)
            by_block = [P._block(m) for _ in P._walk(m, None)]
            ids = np.concatenate([b[0] for b in by_block])
            weights = np.concatenate([b[1] for b in by_block])
            start = r.term_info(field, term).extent()[0]
            got = codec.term_arrays(r._terms._postfile, start)
            assert got is not None
            assert got[0].tolist() == ids.tolist() and got[1].tolist() == weights.tolist()
            theirs_ids, theirs_weights = P.term_postings(t, field, term)
            assert theirs_ids.tolist() == ids.tolist()
            assert theirs_weights.tolist() == weights.tolist()
            for at in (
                np.zeros(0, dtype=np.int64),
                ids[:1],
                ids[-1:],
                np.array([count + 5]),
                np.unique(np.array(rng.sample(range(count), 5))),
                np.unique(np.concatenate([ids[:: max(1, len(ids) // 4)], [count + 1]])),
            ):
                m = r._terms.matcher(field, term, fmt)
                parts = [P.restrict(*P._block(m), want) for want in P._walk(m, at)]
                found = codec.term_arrays(r._terms._postfile, start, at)
                assert found is not None
                found_ids, found_weights = P.restrict(*found, at)
                assert found_ids.tolist() == [x for p in parts for x in p[0].tolist()]
                assert found_weights.tolist() == [x for p in parts for x in p[1].tolist()]
                assert P.term_postings(r, field, term, at)[0].tolist() == found_ids.tolist()


def _in_place(archive, tmp_path, times: int = 12):
    """The archive's paragraphs ``times`` over, indexed, opened as the engine opens an
    index, and opened with whoosh3's own storage."""
    from whoosh import index as windex

    from tracuu.engine import internals, open_index

    folder = tmp_path / "ix"
    _index_with(folder, internals.Codec(SMALL_BLOCKS), _copies(archive, times)).close()
    return open_index(folder), windex.open_dir(str(folder))


def test_segments_are_read_in_place_as_whoosh_reads_them(archive, tmp_path):
    """engine.open_index reads a compound segment's files as views of one memory map
    (whoosh3's BufferFile copies each file whole when it opens it) and reads the same
    terms, postings, stored fields and block headers as whoosh3 does. Fails if whoosh3
    stops asking the segment file for its subsets."""
    import mmap
    import types

    from whoosh.codec import whoosh3 as wcodec

    from tracuu.engine.internals import storage

    ours, theirs = _in_place(archive, tmp_path)
    with ours.reader() as r, theirs.reader() as t:
        terms = r._terms
        for f in (terms._dbfile, terms._postfile):
            assert isinstance(f, storage.View)
            assert isinstance(f._buf, memoryview) and isinstance(f._buf.obj, mmap.mmap)
        assert _postings(r) == _postings(t)
        assert [r.stored_fields(d) for d in range(0, r.doc_count_all(), 7)] == [
            t.stored_fields(d) for d in range(0, t.doc_count_all(), 7)
        ]
        headers = ("_blocklength", "_maxid", "_maxweight", "_compression", "_minlength")
        headers += ("_maxlength", "_dataoffset", "_nextoffset", "_lastblock", "_atend")
        walked = 0
        for field, term in r.all_terms():
            if r.doc_frequency(field, term) <= 2 * SMALL_BLOCKS:
                continue
            m, ref = r.postings(field, term), r.postings(field, term)
            ref._goto = types.MethodType(wcodec.W3LeafMatcher._goto, ref)
            ref.reset()
            while True:
                assert [getattr(m, a) for a in headers] == [getattr(ref, a) for a in headers]
                walked += 1
                if m._atend:
                    break
                m._next_block()
                ref._next_block()
        assert walked > 20
    ours.close()
    theirs.close()


def test_postings_and_positions_read_at_some_paragraphs_as_whoosh_reads_them(archive, tmp_path):
    """term_postings at a few paragraphs (the blocks without any passed over) and the
    phrase test at the paragraphs that have every word, against Whoosh's matchers."""
    import numpy as np

    from tracuu.engine.internals.postings import phrase_at, term_postings

    ours, theirs = _in_place(archive, tmp_path)
    rng = random.Random(7)
    with ours.reader() as r:
        n = r.doc_count_all()
        big = [
            (f, t) for f, t in r.all_terms() if f == "body" and r.doc_frequency(f, t) > SMALL_BLOCKS
        ]
        assert len(big) > 5
        for field, term in big[:40]:
            whole = term_postings(r, field, term)
            assert whole is not None
            for k in (1, 5, 60, n // 3):
                at = np.array(sorted(rng.sample(range(n), k)), dtype=np.int64)
                got = term_postings(r, field, term, at)
                assert got is not None
                keep = np.isin(whole[0], at)
                assert got[0].tolist() == whole[0][keep].tolist()
                assert got[1].tolist() == whole[1][keep].tolist()
        checked = 0
        for (_, first), (_, second) in zip(big[:20], big[1:21], strict=True):
            both = sorted(
                set(term_postings(r, "body", first)[0].tolist())
                & set(term_postings(r, "body", second)[0].tolist())
            )
            if not both:
                continue
            docnums = np.array(both, dtype=np.int64)
            got = phrase_at(r, "body", [first, second], docnums).tolist()
            q = wq.Phrase("body", [r.schema["body"].from_bytes(x) for x in (first, second)])
            want = set(q.matcher(_searcher_of(theirs)).all_ids())
            assert got == [d in want for d in both]
            checked += sum(got)
        assert checked
    ours.close()
    theirs.close()


def _searcher_of(ix):
    return ix.searcher()


def test_paths_and_numbers_are_read_from_their_columns(corpus, tmp_path, monkeypatch):
    """A paragraph's path and number come from columns (ranking reads them for hundreds
    of paragraphs a query; the stored fields would unpickle each text too), in every
    segment, after an update too; they are the paragraph's own."""
    from tracuu import Archive

    index = tmp_path / "index"
    Archive.build(corpus, index)
    (corpus / "moi.txt").write_text("Đoạn một.\n\nĐoạn hai của tệp mới.\n", encoding="utf-8")
    with Archive.build(corpus, index) as a:
        engine_ = a.searcher.engine
        assert len(list(engine_._s.leaf_searchers())) == 2
        live = [d for d in range(engine_.doc_count_all()) if not engine_._s.reader().is_deleted(d)]
        paragraphs = {d: engine_.paragraph(d) for d in live}
        for path in {p.path for p in paragraphs.values()}:
            numbers = [paragraphs[d].number for d in engine_.docnums_of(path)]
            assert numbers == list(range(1, len(numbers) + 1)), path
        assert [paragraphs[d].text for d in engine_.docnums_of("moi.txt")] == [
            "Đoạn một.",
            "Đoạn hai của tệp mới.",
        ]
        monkeypatch.setattr(engine_._s, "stored_fields", None)  # not read any more
        assert {d: engine_.key(d) for d in live} == {
            d: (p.path, p.number) for d, p in paragraphs.items()
        }
        shuffled = random.Random(7).sample(live, len(live))
        paths, numbers = engine_.keys(shuffled)
        assert list(zip(paths, numbers.tolist())) == [engine_.key(d) for d in shuffled]


def test_keys_read_in_bulk_from_raw_columns_as_whoosh_reads_them(corpus, tmp_path):
    """Each segment's path and number columns are read raw (internals.keys: whoosh3's
    VarBytesColumn and NumericColumn layouts), giving what Whoosh's readers give for every
    paragraph; this fails when a Whoosh release changes those columns."""
    from tracuu import Archive
    from tracuu.engine.internals.keys import Keys, SegmentKeys

    index = tmp_path / "index"
    (corpus / "moi.txt").write_text("Một.\n\nHai.\n", encoding="utf-8")
    Archive.build(corpus, index)
    (corpus / "moi.txt").write_text("Một.\n\nHai.\n\nBa.\n", encoding="utf-8")
    with Archive.build(corpus, index) as a:  # moi.txt in both segments, deleted in one
        s = a.searcher.engine._s
        keys = Keys(s, "path", "number")
        assert len(keys.segments) == 2
        assert all(type(k) is SegmentKeys for k in keys.segments)
        reader = s.reader()
        every = list(range(s.doc_count_all()))
        paths, numbers = keys.of(every)
        assert paths == [reader.column_reader("path")[d] for d in every]
        assert numbers.tolist() == [reader.column_reader("number")[d] for d in every]
        assert [keys.one(d) for d in every] == list(zip(paths, numbers.tolist()))
        shuffled = every[::-3] + every[1::3]  # across the segments, in no order
        assert keys.numbers(shuffled).tolist() == [numbers[d] for d in shuffled]
        # documents from the runs of each file's paragraphs, and path by path: the same
        owner, names = keys.documents(len(every))
        assert [names[o] for o in owner] == paths and len(set(names)) == len(names)
        assert all(k.runs() is not None for k in keys.segments)
        for k in keys.segments:
            k.runs = lambda: None
        again, names_again = keys.documents(len(every))
        assert again.tolist() == owner.tolist() and names_again == names


def test_frequencies_read_at_once_as_whoosh_counts_them(archive, tmp_path):
    """postings.frequencies (the spelling hints' hundreds of lookups): each term's
    frequency over every segment, as Whoosh's reader counts it, for terms the index has
    and terms it has not; on tracuu's codec, and on whoosh3's (read Whoosh's way)."""
    from whoosh.codec import whoosh3 as wcodec

    from tracuu.engine import internals
    from tracuu.engine.internals import postings
    from tracuu.engine.schema import paragraph_fields

    paragraphs = _copies(archive, 2)
    for name, codec in (("ours", internals.Codec(SMALL_BLOCKS)), ("whoosh", wcodec.W3Codec())):
        ix = _index_with(tmp_path / name, codec, paragraphs)
        w = ix.writer(codec=codec)
        for p in paragraphs[:40]:
            w.add_document(**paragraph_fields(p))
        w.commit(merge=False)
        with ix.searcher() as searcher:
            assert len(searcher.leaf_searchers()) == 2
            reader = searcher.reader()
            keys = [(f, t.decode("utf-8")) for f, t in list(reader.all_terms())[::7]]
            keys += [("body", "không-có"), ("fold", "zzz"), ("pairs", "a_b")]
            expected = [reader.frequency(*k) for k in keys]
            assert postings.frequencies(searcher, keys) == expected
            assert len(keys) > 500 and expected.count(0) == 3


def test_term_infos_kept_answer_as_read_afresh(archive, tmp_path, monkeypatch):
    """A segment's terms reader keeps the infos it decoded (a few): every term answers
    as Whoosh's own codec does, a missing one keeps being missing, and no more than
    INFOS_KEPT are kept."""
    from whoosh.reading import TermNotFound

    from tracuu.engine.internals import codec

    monkeypatch.setattr(codec, "INFOS_KEPT", 50)
    ours, plain = _ours_and_whoosh_s(archive, tmp_path, 2)
    with ours.reader() as a, plain.reader() as b:
        keys = list(b.all_terms())[:400]
        for _ in range(2):  # read, then partly kept
            for key in keys:
                assert a.doc_frequency(*key) == b.doc_frequency(*key)
                assert a.frequency(*key) == b.frequency(*key)
                assert a.term_info(*key).max_id() == b.term_info(*key).max_id()
            for _ in range(2):
                with pytest.raises(TermNotFound):
                    a.term_info("body", b"xyzxyz")
                assert a.doc_frequency("body", b"xyzxyz") == 0
        assert len(a._terms._infos) == 50


def test_files_are_runs_of_paragraphs_only_where_their_numbers_show_it():
    """internals.keys: a segment's documents come from its numbers when each file's
    paragraphs follow one another numbered 1, 2, 3 ...; anything else is read path by path."""
    import numpy as np

    from tracuu.engine.internals.keys import SegmentKeys

    def segment(paths, numbers):
        keys = object.__new__(SegmentKeys)
        raw = [p.encode("utf-8") for p in paths]
        keys._lengths = np.array([len(r) for r in raw], dtype=np.int64)
        keys._offsets = np.cumsum(keys._lengths) - keys._lengths
        keys._data = b"".join(raw)
        keys._numbers = np.array(numbers, dtype=np.int64)
        return keys

    assert segment(["a", "a", "bé", "c"], [1, 2, 1, 1]).runs().tolist() == [0, 2, 3]
    assert segment(["a", "a", "b"], [1, 2, 3]).runs() is None  # b numbered on from a
    assert segment(["bé", "bé", "bè", "x"], [1, 2, 3, 1]).runs() is None  # a last byte differs
    assert segment(["ab", "ab", "abc"], [1, 2, 3]).runs() is None  # so does the length
    assert segment(["x", "bé", "bé", "bè"], [1, 1, 2, 1]).runs().tolist() == [0, 1, 3]
    assert segment(["a", "a", "a"], [1, 3, 4]).runs() is None  # a paragraph missing
    assert segment(["a", "b"], [2, 1]).runs() is None  # not from 1
    assert segment([], []).runs() is None


def test_a_single_position_is_encoded_as_whoosh_encodes_it():
    from tracuu.engine import schema

    fmt = schema.SCHEMA["body"].format
    for position in (0, 1, 255, 256, 65535, 65536, 1 << 20):
        assert schema._one_position(position, fmt) == fmt.encode([position])
        assert schema._one_position(position, fmt) == fmt.encode([position])  # (kept)
    prepared = schema.prepare("một hai một ba", words=False)["body"].items
    assert {t: v for t, _, _, v in prepared} == {
        b"m\xe1\xbb\x99t": fmt.encode([0, 2]),
        b"hai": fmt.encode([1]),
        b"ba": fmt.encode([3]),
    }


def test_a_term_starts_as_whoosh3_starts_it_but_for_where_its_list_starts():
    """engine.internals' posting writer starts a term with whoosh3's state, and learns
    where its list starts in the posting file when it writes its first block. Fails if a
    Whoosh release starts a term with more (or other) state."""
    import io

    from whoosh import formats
    from whoosh.codec import whoosh3 as wcodec
    from whoosh.filedb.structfile import StructFile

    from tracuu.engine.internals import codec

    def started(cls):
        f = StructFile(io.BytesIO())
        f.write(b"x" * 10)
        w = cls(f, 4)
        w.start_postings(formats.Positions(), codec.TermInfo())
        return w

    ours, theirs = started(codec._PostingsWriter), started(wcodec.W3PostingsWriter)
    skip = {"_postfile", "_terminfo", "_startoffset"}
    assert {k: v for k, v in vars(ours).items() if k not in skip} == {
        k: v for k, v in vars(theirs).items() if k not in skip
    }
    assert theirs._startoffset == 10 and ours._startoffset is None
    for docnum in range(9):  # two blocks of 4, and one more at the end
        ours.add_posting(docnum, 1.0, formats.Positions().encode([docnum]))
    info = ours.finish_postings()
    assert info.extent()[0] == 10


def _index_added(folder, paragraphs, straight: bool, limitmb: int = 1):
    """The paragraphs indexed by a writer with a small pool (runs spill to disk), added
    by engine.internals.pool.add_document (``straight``) or by Whoosh's own."""
    from whoosh import index as windex

    from tracuu.engine import internals
    from tracuu.engine.internals import pool
    from tracuu.engine.schema import SCHEMA, paragraph_fields

    folder.mkdir()
    ix = windex.create_in(str(folder), SCHEMA)
    w = ix.writer(codec=internals.Codec(SMALL_BLOCKS), limitmb=limitmb)
    pool.sort_faster(w)
    add = pool.adder(w)
    assert isinstance(add, functools.partial)  # (Whoosh's writer as pool.py knows it)
    for p in paragraphs:
        add(paragraph_fields(p)) if straight else w.add_document(**paragraph_fields(p))
    runs = len(w.pool.runs)
    w.commit()
    return ix, runs


def test_documents_added_straight_to_the_pool_index_as_whoosh_adds_them(archive, tmp_path):
    """The same paragraphs added by pool.add_document and by Whoosh's add_document: the
    same postings, term statistics, stored fields, lengths and columns, and about as many
    runs spilled. Fails if a Whoosh release adds a document otherwise."""
    paragraphs = _copies(archive, 6)
    ours, our_runs = _index_added(tmp_path / "ours", paragraphs, straight=True)
    plain, plain_runs = _index_added(tmp_path / "whoosh", paragraphs, straight=False)
    assert plain_runs > 1 and abs(our_runs - plain_runs) <= 1
    with ours.reader() as a, plain.reader() as b:
        assert _postings(a) == _postings(b)
        n = b.doc_count_all()
        assert a.doc_count_all() == n == len(paragraphs)
        assert [a.stored_fields(d) for d in range(n)] == [b.stored_fields(d) for d in range(n)]
        for field in ("body", "fold", "pairs", "fpairs"):
            assert a.field_length(field) == b.field_length(field)
            assert [a.doc_field_length(d, field) for d in range(n)] == [
                b.doc_field_length(d, field) for d in range(n)
            ]
        for column in ("path", "number"):
            assert list(a.column_reader(column)) == list(b.column_reader(column))
