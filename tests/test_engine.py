"""The bisecting skip_to lands on the same postings as Whoosh's own."""

import random

from whoosh import query as wq

from tracuu import engine


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
