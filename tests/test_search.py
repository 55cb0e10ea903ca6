"""Searching the seed report: words, syllables, spelling variants, highlights, diacritics."""

import unicodedata

import pytest

from tracuu import Ranking
from tracuu import text as vtext
from tracuu.analysis import VOCABULARY
from tracuu.errors import QueryError as SearchError
from tracuu.search import Searcher

SEED = "bao-cao-quan-10-chinh-don-dang.txt"


def seed_text():
    from conftest import SEED as path

    return path.read_text(encoding="utf-8")


def keys(hits):
    return [(h.path, h.number) for h in hits]


def nfc(s):
    return unicodedata.normalize("NFC", s)


def test_compound_query_finds_seed_paragraphs(archive):
    hits = archive.search("chỉnh đốn Đảng", limit=50)
    seed_hits = [h for h in hits if h.path == SEED]
    # every seed paragraph that contains the words is found
    expected = [
        i
        for i, line in enumerate((x for x in seed_text().split("\n") if x.strip()), 1)
        if "chỉnh đốn đảng" in line.lower()
    ]
    assert sorted(h.number for h in seed_hits) == sorted(expected)
    assert len(expected) >= 8


def test_single_syllable_finds_paragraphs(archive):
    hits = archive.search("Đảng", limit=200)
    assert {h.path for h in hits} >= {SEED}
    assert all("đảng" in vtext.term_form(h.text) for h in hits)
    assert len([h for h in hits if h.path == SEED]) >= 20


@pytest.mark.parametrize("query", ["qui chế", "quy chế", "Qui chế", "QUY CHẾ"])
def test_old_and_new_spelling_of_quy_che(archive, query):
    hits = [h for h in archive.search(query, limit=50) if h.path == SEED]
    with_qui_che = {
        i
        for i, line in enumerate((x for x in seed_text().split("\n") if x.strip()), 1)
        if "qui chế" in line
    }
    assert with_qui_che and with_qui_che <= {h.number for h in hits}
    for h in hits:
        marked = [h.text[s:e].lower() for s, e in h.highlights]
        assert any("qui chế" in m for m in marked)


def test_unquoted_and_quoted_phrase_both_find_it(archive):
    unquoted = keys(archive.search("chỉnh đốn Đảng", limit=5))
    quoted = keys(archive.search('"chỉnh đốn Đảng"', limit=5))
    assert unquoted and quoted
    assert set(quoted) & set(unquoted)


def test_highlights_cover_exactly_the_matched_words(archive):
    for hit in archive.search("chỉnh đốn Đảng", limit=20):
        assert hit.highlights
        for s, e in hit.highlights:
            marked = vtext.term_form(hit.text[s:e])
            # a mark is one of the query words, or several of them side by side
            assert set(marked.split()) <= {"chỉnh", "đốn", "đảng"}, marked
            assert hit.text[s - 1 : s].strip() == "" or not hit.text[s - 1].isalnum()
            assert e == len(hit.text) or not hit.text[e].isalnum()
        # the snippet's marks are the same words
        snip = hit.snippet
        for s, e in snip.spans:
            assert snip.text[s:e] == hit.text[snip.offset + s : snip.offset + e]


def test_highlight_offsets_in_an_nfd_paragraph(archive):
    hits = [h for h in archive.search("chỉnh đốn Đảng", limit=50) if h.path == "bien-ban-nfd.txt"]
    assert len(hits) == 1
    hit = hits[0]
    assert not unicodedata.is_normalized("NFC", hit.text)  # stored as written
    marked = [hit.text[s:e] for s, e in hit.highlights]
    assert [nfc(m) for m in marked] == ["chỉnh đốn Đảng"]
    s, e = hit.highlights[0]
    assert hit.text[s:e] == unicodedata.normalize("NFD", "chỉnh đốn Đảng")


@pytest.mark.parametrize("query", ["hòa bình", "hoà bình", "hoa binh"])
def test_tone_placement_variants_find_each_other(archive, query):
    hits = [h for h in archive.search(query, limit=50) if h.path == "thong-bao-hoa.txt"]
    assert len(hits) == 1
    hit = hits[0]
    assert [hit.text[s:e] for s, e in hit.highlights] == ["hoà bình"]


def test_accented_word_does_not_match_other_accents(archive):
    hits = archive.search("chỉnh", limit=500)
    only_chinh = [h for h in hits if h.path == "thong-bao-hoa.txt"]
    assert only_chinh == []  # that paragraph has "chính", never "chỉnh"
    assert all("chỉnh" in vtext.term_form(h.text) for h in hits)


def test_unaccented_query_finds_and_ranks_like_accented(archive):
    accented = [k for k in keys(archive.search("chỉnh đốn Đảng", limit=100)) if k[0] == SEED]
    plain = [k for k in keys(archive.search("chinh don dang", limit=100)) if k[0] == SEED]
    assert accented
    assert plain[: len(accented)] == accented


def test_unaccented_word_also_finds_accented_forms(archive):
    hits = archive.search("chinh", limit=500)
    words = {vtext.term_form(h.text[s:e]) for h in hits for s, e in h.highlights}
    assert {"chính", "chỉnh"} <= words


def test_mixed_query_is_per_word(archive):
    hits = archive.search("chinh đốn", limit=50)
    assert hits
    for h in hits:
        assert "đốn" in vtext.term_form(h.text)


def test_restoration_hint(archive):
    results = archive.run("chinh don dang")
    assert results.restorations
    forms = [f for f, _ in results.restorations[0].forms]
    assert forms[0] == "chỉnh đốn Đảng"


def test_exact_and_fold_modes(archive):
    assert archive.search("chinh don dang", mode="exact") == []
    folded = archive.search("chỉnh", mode="fold", limit=500)
    assert any(h.path == "thong-bao-hoa.txt" for h in folded)


def test_did_you_mean_when_nothing_found(archive):
    results = archive.run("chỉnh đốnn Đảng")
    assert results.hits == []
    assert results.suggestion == "chỉnh đốn Đảng"


def test_operators(archive):
    both = keys(archive.search("Đảng AND hoà bình", limit=50))
    assert both and all(k[0] == SEED for k in both)
    without = keys(archive.search("hoà bình -Đảng", limit=50))
    assert without == [("thong-bao-hoa.txt", 2)]
    either = keys(archive.search('"hoà bình" OR "tham nhũng"', limit=50))
    assert ("thong-bao-hoa.txt", 2) in either


@pytest.mark.parametrize("query", ['"chỉnh đốn', "(Đảng", "Đảng AND", "...", "OR"])
def test_malformed_queries_raise(archive, query):
    with pytest.raises(SearchError, match="malformed query"):
        archive.search(query)


def test_filters(archive):
    hits = archive.search("Đảng", limit=100, filters=[("file", "bien-ban*")])
    assert keys(hits) == [("bien-ban-nfd.txt", 2)]
    dated = archive.search("Đảng", limit=100, filters=[("from", "2001"), ("to", "2001-12")])
    assert {h.path for h in dated} == {"bien-ban-nfd.txt"}
    assert keys(archive.search("Đảng file:bien-ban*", limit=100)) == keys(hits)


@pytest.mark.parametrize(
    ("query", "mode"),
    [
        ("chỉnh đốn Đảng", "auto"),
        ("chinh don dang", "auto"),
        ('"xây dựng, chỉnh đốn"', "auto"),
        ("Đảng -NQTW5", "auto"),
        ("chinh tri", "fold"),
        ("Đảng", "exact"),
    ],
)
def test_hits_in_one_file_are_its_hits_of_a_whole_search(archive, query, mode):
    everything = archive.run(query, limit=1000, mode=mode, hints=False).hits
    expected = sorted((h for h in everything if h.path == SEED), key=lambda h: h.number)
    assert expected  # the seed report has hits for each query
    got = archive.searcher.hits_in(SEED, query, mode=mode)
    assert keys(got) == keys(expected)  # the same paragraphs, in the file's order
    assert [h.highlights for h in got] == [h.highlights for h in expected]
    assert sorted(h.rank for h in got) == list(range(1, len(got) + 1))
    assert archive.searcher.hits_in("khong-co.txt", query, mode=mode) == []


def test_hits_in_refuses_a_malformed_query(archive):
    with pytest.raises(SearchError, match="malformed query"):
        archive.searcher.hits_in(SEED, '"chỉnh đốn')


@pytest.mark.parametrize("by_document", [True, False])
@pytest.mark.parametrize("query", ["chinh don dang", "quy chế", '"ban chấp hành"'])
def test_hits_left_unread_are_read_and_marked_as_the_others(archive, query, by_document):
    """run(..., marked=False, texts=False) (the web page's 200 documents, of which it
    shows ten): the same hits in the same order, their paragraphs not read; marked()
    reads and marks them exactly as it marks hits read in full."""
    searcher = archive.searcher
    options = {"limit": 8, "by_document": by_document, "hints": False, "marked": False}
    full = searcher.run(query, **options)
    lean = searcher.run(query, texts=False, **options)
    assert [(h.path, h.number, h.score, h.metadata) for h in full.hits] == [
        (h.path, h.number, h.score, h.metadata) for h in lean.hits
    ]
    assert full.hits and all(h.unread and not h.text for h in lean.hits)
    assert not any(h.unread for h in full.hits)
    if by_document:
        assert [d.path for d in full.documents] == [d.path for d in lean.documents]
    shown = [h for d in lean.documents for h in d.hits] if by_document else lean.hits
    want = [h for d in full.documents for h in d.hits] if by_document else full.hits
    assert searcher.marked(shown, query) == searcher.marked(want, query)
    assert any(h.highlights for h in searcher.marked(shown, query))


@pytest.mark.parametrize("phrase", ['"chỉnh đốn"', '"chinh don"', '"quy chế"', '"ban chấp"'])
def test_a_two_word_phrase_is_its_pair(archive, phrase):
    """A phrase of two words side by side needs no positions: its pair term holds the
    paragraphs where they are (the compiled query has no Phrase); the same paragraphs,
    scored the same, as checking positions finds."""
    from msgspec.structs import replace

    from tracuu.analysis import VOCABULARY
    from tracuu.query import compile_query, parse
    from tracuu.query import compiled as c

    searcher = archive.searcher
    compiled = searcher._compile(parse(phrase), "auto")

    def phrases(node):
        if isinstance(node, c.Phrase):
            return [node]
        return [p for x in getattr(node, "children", ()) for p in phrases(x)]

    assert not phrases(compiled.node)

    def with_positions(node):  # the pair and the phrase, as a longer phrase compiles
        if isinstance(node, c.Combine) and node.how == c.ALL and len(node.children) == 3:
            pair, *words = node.children
            if all(isinstance(w, c.Term) for w in words) and VOCABULARY.pair(
                words[0].text, words[1].text, words[0].field != "body"
            ) == (pair.field, pair.text):
                field = words[0].field
                positions = c.Phrase(field, tuple(w.text for w in words))
                return replace(node, children=(pair, positions))
        if isinstance(node, c.Combine):
            return replace(node, children=tuple(with_positions(x) for x in node.children))
        return node

    checked = with_positions(compiled.node)
    assert phrases(checked)
    ids = list(range(searcher.engine.doc_count_all()))
    got, want = (searcher.engine.score_docs(n, ids) for n in (compiled.node, checked))
    assert [d for d, _ in got] == [d for d, _ in want] and got
    assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=1e-12)  # (summed
    # in another order)
    longer = compile_query(parse('"chỉnh đốn Đảng"'), "auto", searcher.ranking)
    assert phrases(longer.node)


def _words_in(text: str) -> set[str]:
    return {s.text for s in VOCABULARY.syllables(text)}


def test_by_document_few_documents_with_every_word_are_joined_by_those_with_some(archive):
    """ "chỉnh đốnn Đảng": no paragraph has every word. Ranking documents, those with
    some of the words are ranked (and said so, with the suggestion); ranking paragraphs,
    nothing is found, as before; an exclusion and a filter still hold."""
    query = "chỉnh đốnn Đảng"
    assert archive.run(query).hits == []
    wide = archive.run(query, limit=5, by_document=True)
    assert wide.widened and wide.documents and wide.suggestion == "chỉnh đốn Đảng"
    assert all(_words_in(h.text) & {"chỉnh", "đốn", "đảng"} for h in wide.hits)
    assert not archive.run(query, limit=5, by_document=True, hints=False).suggestion
    seed_only = archive.run(query + " -hoà", limit=5, by_document=True)
    assert seed_only.documents and all("hoà" not in _words_in(h.text) for h in seed_only.hits)
    filtered = archive.run(query, limit=5, by_document=True, filters=[("file", "bien-ban*")])
    assert [d.path for d in filtered.documents] == ["bien-ban-nfd.txt"]
    with Searcher(archive.index_dir, Ranking(widen=False)) as strict:
        assert strict.run(query, limit=5, by_document=True).documents == []


def test_by_document_every_word_found_in_enough_documents_is_not_widened(archive):
    """As many documents with every word as asked for (fewer than a page): no document
    with only some of the words is added."""
    results = archive.run("Đảng", limit=2, by_document=True)
    assert not results.widened and len(results.documents) == 2
    every = archive.run("chỉnh đốn Đảng", limit=1, by_document=True)
    assert not every.widened


def test_a_question_finds_the_paragraphs_that_answer_it(archive):
    """The question word is not looked for: a short question needs its other words (the
    paragraphs that answer it do not say "gì" or "ai"); looked for, nothing has them all."""
    for question, words in (("Quy chế là gì?", {"quy", "chế", "là"}),
                            ("Đảng viên là ai?", {"đảng", "viên", "là"})):  # fmt: skip
        hits = archive.search(question, limit=50)
        assert hits and all(words <= _words_in(h.text) for h in hits)
        with Searcher(archive.index_dir, Ranking(question_words=False)) as literal:
            assert literal.search(question, limit=50) == []


def test_by_document_the_documents_with_every_word_come_first(tmp_path):
    """One long document has "nông nghiệp thủy lợi" once; short ones say "công nghiệp
    thủy lợi" over and over and score higher: the long one still comes first, then them;
    kept to the documents with every word (the web page), it is alone."""
    from tracuu import Archive

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    filler = " ".join(["Báo cáo tình hình kinh tế xã hội của huyện trong năm qua."] * 300)
    (corpus / "dai.txt").write_text(
        f"Báo cáo\n\n{filler} Về nông nghiệp thủy lợi, có tiến bộ. {filler}\n", encoding="utf-8"
    )
    for name in ("ngan-1.txt", "ngan-2.txt"):
        text = "Công nghiệp thủy lợi\n\nCông nghiệp thủy lợi, công nghiệp thủy lợi.\n"
        (corpus / name).write_text(text, encoding="utf-8")
    for i in range(20):
        (corpus / f"khac-{i:02}.txt").write_text(
            f"Văn bản {i}\n\nMột việc khác.\n", encoding="utf-8"
        )
    with Archive.build(corpus, tmp_path / "index") as archive:
        query = "nông nghiệp thủy lợi"
        results = archive.run(query, limit=5, by_document=True)
        assert results.widened
        assert [d.path for d in results.documents] == ["dai.txt", "ngan-1.txt", "ngan-2.txt"]
        assert results.documents[0].score < results.documents[1].score  # (ahead all the same)
        kept = archive.run(query, limit=5, by_document=True, widen=False)
        assert not kept.widened and [d.path for d in kept.documents] == ["dai.txt"]


def _built(tmp_path_factory, name: str, documents: list[list[str]]):
    """An archive of ``documents`` (each a file of paragraphs), built and open."""
    from tracuu import Archive

    root = tmp_path_factory.mktemp(name)
    corpus = root / "corpus"
    corpus.mkdir()
    for i, paragraphs in enumerate(documents):
        (corpus / f"bao-cao-{i:02}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    return Archive.build(corpus, root / "index")


def _full_order(s, node) -> dict[int, tuple[float, str, int]]:
    """Every paragraph ``node`` matches (the full query, positions read everywhere),
    with the key that ranks it: (-score, path, paragraph number)."""
    everything = s.engine.search(node, 10**6)
    paths, numbers = s.engine.keys([d for d, _ in everything])
    return {d: (-x, p, n) for (d, x), p, n in zip(everything, paths, numbers.tolist())}


@pytest.fixture(scope="module")
def paired(tmp_path_factory):
    """An archive where few paragraphs have "chỉnh đốn Đảng" side by side and many have
    its words apart, in paragraphs of different lengths (so that scores differ)."""
    filler = "Báo cáo tình hình kinh tế xã hội của huyện trong năm qua."
    documents = []
    for i in range(12):
        paragraphs = [f"Văn bản số {i}"]
        for j in range(4):
            more = filler * (1 + (i * 4 + j) % 5)
            paragraphs.append(f"Đảng bộ huyện. {more} Công tác chỉnh đốn, xây dựng nông thôn.")
            paragraphs.append(f"Chỉnh đốn nề nếp. {more} Đảng bộ xã.")
        if i % 4 == 0:
            paragraphs.append(f"Về chỉnh đốn Đảng: {filler * (1 + i % 3)}")
        if i % 3 == 0:
            paragraphs.append(f"Công tác xây dựng Đảng bộ vững mạnh. {filler * (1 + i % 2)}")
        documents.append(paragraphs)
    with _built(tmp_path_factory, "paired", documents) as archive:
        yield archive


@pytest.mark.parametrize(
    "query", ["chỉnh đốn Đảng", "chinh don dang", '"chỉnh đốn Đảng"', "xây dựng đảng bộ"]
)
@pytest.mark.parametrize("limit", [1, 2, 5, 20, 60])
def test_paragraphs_with_every_pair_come_first_then_the_full_query(paired, query, limit):
    """What the two stages of a search return, worked out from the full query alone:
    the paragraphs with every pair side by side, best first; then, unless they fill
    ``limit`` or the query is a phrase, the full query's best ``limit`` + as many (those
    not already there)."""
    from tracuu.query import compiled as c
    from tracuu.query import parse

    s = paired.searcher
    compiled = s._compile(parse(query), "auto")
    order = _full_order(s, compiled.node)
    ranked = sorted(order, key=order.__getitem__)
    pairs = set(s.engine.docs(c.Combine(c.ALL, compiled.pairs), 10**6))
    assert len(pairs) < max(limit * 5, 50)  # (stage 1 reads them all)
    first = [d for d in ranked if d in pairs][:limit]
    want = first
    if len(first) < limit and not compiled.phrase:
        want = first + [d for d in ranked[: limit + len(first)] if d not in first]
    got = s._two_stage(compiled, limit, None)
    assert [d for d, _ in got] == want
    assert [x for _, x in got] == [-order[d][0] for d in want]
    assert len(pairs) > 0 and (compiled.phrase or len(ranked) > 2 * len(pairs))


@pytest.fixture(scope="module")
def phrased(tmp_path_factory):
    """An archive where many paragraphs have every pair of "xây dựng nông thôn mới" but
    not the phrase ("xây dựng nông trại, dựng nông thôn"), some have it, some short ones
    have it as typed only apart and with another accent side by side ("nông thôn mơi"),
    and some long ones have it, and its words typed without diacritics apart: loosened,
    both score above some that have it, the second as the unaccented query's exact
    match."""
    filler = "Báo cáo tình hình kinh tế của huyện."
    documents = []
    for i in range(10):
        paragraphs = [f"Văn bản số {i}"]
        for j in range(12):
            more = filler * (1 + (i * 12 + j) % 7)
            if (i + j) % 4 == 0:
                paragraphs.append(f"Xây dựng nông thôn mới. {more}")
            elif (i + j) % 4 == 1:
                paragraphs.append(f"Xây dựng nông thôn mơi và thôn mới. {filler * (j % 2)}")
            elif (i + j) % 8 == 2:  # typed without diacritics, apart: rare words
                paragraphs.append(
                    f"Xây dựng nông thôn mới. Xay dung nong trai, dung nong thon, thon moi. "
                    f"{filler * 6}"
                )
            else:  # every pair, apart: they score as much, their positions say no
                paragraphs.append(f"Xây dựng nông trại, dựng nông thôn, thôn mới. {more}")
        documents.append(paragraphs)
    with _built(tmp_path_factory, "phrased", documents) as archive:
        yield archive


@pytest.mark.parametrize("query", ['"xây dựng nông thôn mới"', '"xay dung nong thon moi"'])
@pytest.mark.parametrize("limit", [1, 3, 10, 40, 200])
def test_a_phrase_is_checked_where_it_may_rank(phrased, query, limit, monkeypatch):
    """A phrase's candidates are checked best first: the page is the one that checking
    every candidate gives, and the positions of a small page's words are read at fewer
    paragraphs than stage 1 found."""
    import tracuu.engine.vector as vector
    from tracuu import search
    from tracuu.query import compiled as c
    from tracuu.query import parse

    s = phrased.searcher
    compiled = s._compile(parse(query), "auto")
    assert compiled.phrase and c.loosened(compiled.node) is not None
    order = _full_order(s, compiled.node)
    ranked = sorted(order, key=order.__getitem__)
    pairs = c.Combine(c.ALL, compiled.pairs)
    assert len(s.engine.docs(pairs, 10**6)) > len(order)  # (many: pairs apart)
    depth = max(limit * search.STAGE1_DEPTH, search.STAGE1_MIN)
    stage1 = s._top(pairs, depth, None)
    # the best of stage 1's with the phrase; if too few and stage 1 did not read every
    # paragraph with the pairs, then the full query's best
    want = [d for d in ranked if d in {d for d, _ in stage1}][:limit]
    if len(want) < limit and len(stage1) == depth:
        want += [d for d in ranked[: limit + len(want)] if d not in want]

    read: list[int] = []
    phrase_at = vector.phrase_at

    def counted(reader, field, words, docnums):
        read.append(len(docnums))
        return phrase_at(reader, field, words, docnums)

    monkeypatch.setattr(vector, "phrase_at", counted)
    got = s._two_stage(compiled, limit, None)
    assert [d for d, _ in got] == want
    assert [x for _, x in got] == [-order[d][0] for d in want]
    if limit <= 3:
        assert 0 < max(read) < len(stage1)


def test_a_phrase_candidate_that_may_tie_the_last_hit_is_checked(tmp_path):
    """Phrases are checked best first until no unchecked candidate could score as much as
    the last hit. One that could tie it is still checked: equal scores rank by path.
    After an update appends a.txt, its paragraph ties with b.txt's and is checked after
    it (storage order), yet comes first (path order)."""
    from tracuu import Archive

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    same = "Thực hiện quy chế dân chủ ở cơ sở."
    for name in ("a", "b"):
        (corpus / f"{name}.txt").write_text(f"Báo cáo {name}.\n\n{same}\n", encoding="utf-8")
    index = tmp_path / "index"
    Archive(index).update(corpus)
    with (corpus / "a.txt").open("a", encoding="utf-8") as f:
        f.write("\nThêm một đoạn.\n")
    assert not Archive(index).update(corpus).rebuilt  # (a.txt now stored after b.txt)
    with Archive(index) as a:
        assert not a.searcher.engine.in_key_order()
        one = a.search('"quy chế dân chủ"', limit=1)
        two = a.search('"quy chế dân chủ"', limit=2)
    assert [h.path for h in two] == ["a.txt", "b.txt"] and two[0].score == two[1].score
    assert [(h.path, h.number) for h in one] == [(two[0].path, two[0].number)]


def test_loosened_phrases_match_their_words_anywhere():
    from tracuu.query import compiled as c

    phrase = c.Phrase("body", ("a", "b", "c"))
    words = c.Combine(c.ALL, (c.Term("body", "a"), c.Term("body", "b"), c.Term("body", "c")))
    pair = c.Term("pairs", "a_b")
    assert c.loosened(phrase) == words
    assert c.loosened(c.Combine(c.ALL, (pair, phrase), boost=2.0)) == c.Combine(
        c.ALL, (pair, words), boost=2.0
    )
    assert c.loosened(c.Combine(c.ALL, (pair, c.Term("body", "a")))) is None  # no phrase
    excluded = c.Combine(c.ALL, (pair, c.Combine(c.NOT, (phrase,))))
    assert c.loosened(excluded) is None  # (loosened, it would exclude more)
    kept = c.Combine(c.ALL, (phrase, c.Combine(c.NOT, (pair,))))
    assert c.loosened(kept) == c.Combine(c.ALL, (words, c.Combine(c.NOT, (pair,))))


def test_equal_scores_in_path_order_however_the_index_stores_them(tmp_path, monkeypatch):
    """A full build stores paragraphs in (path, number) order, so equal scores are put in
    order by docnum alone. An update appends the files it read again after the others:
    then equal scores are put in order by their keys, and the hits are the same."""
    from tracuu import Archive

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    same = "Chỉnh đốn Đảng ở cơ sở."  # (in every file: scores tie)
    for name in ("a", "b", "c"):
        text = f"Báo cáo {name}.\n\n{same}\n\nKinh tế xã hội.\n\n{same}\n"
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    index = tmp_path / "index"

    def ordered() -> list[tuple[str, int]]:
        with Archive(index) as a:
            hits = a.search("chỉnh đốn Đảng", limit=50)
            stored = a.searcher.engine.in_key_order()
        keyed = sorted(hits, key=lambda h: (-h.score, h.path, h.number))
        assert [(h.path, h.number) for h in hits] == [(h.path, h.number) for h in keyed]
        assert len({h.score for h in hits}) < len(hits)  # (ties)
        return stored, [(h.path, h.number) for h in hits]

    Archive(index).update(corpus)
    stored, before = ordered()
    assert stored
    (corpus / "a.txt").write_text(
        (corpus / "a.txt").read_text(encoding="utf-8") + "\nThêm một đoạn.\n", encoding="utf-8"
    )
    assert not Archive(index).update(corpus).rebuilt  # (a.txt is appended: after c.txt)
    stored, after = ordered()
    assert not stored
    assert after == before
