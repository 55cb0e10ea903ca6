"""Documents ranked from their paragraphs (--by-document), and unaccented words matched
as the archive writes them (Ranking.spelling)."""

import json

import pytest
from click.testing import CliRunner

from tracuu import Archive, Ranking
from tracuu.cli import cli
from tracuu.documents import rank_documents
from tracuu.query import compile_query, parse
from tracuu.query import compiled as c

ARTICLE = (
    "Điều 418. Tội chiếm đoạt hoặc hủy hoại di vật của tử sĩ\n"
    "1. Người nào phạm tội này thì bị phạt cải tạo không giam giữ đến 03 năm hoặc phạt tù "
    "từ 06 tháng đến 03 năm.\n"
)
OTHER = (
    "Điều 200. Tội trốn thuế\n"
    "Người nào chiếm đoạt tiền thuế thì bị phạt tù từ 01 năm đến 05 năm, phạt tù đến bao "
    "nhiêu năm tùy mức chiếm đoạt.\n"
)


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    root = tmp_path_factory.mktemp("docs")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "dieu-418.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "dieu-200.txt").write_text(OTHER, encoding="utf-8")
    for i in range(6):  # enough documents for idf to mean something
        (corpus / f"khac-{i}.txt").write_text(
            f"Điều {i}. Quy định khác số {i}\nNội dung về hành chính, thủ tục và hồ sơ {i}.\n",
            encoding="utf-8",
        )
    (corpus / "viet.txt").write_text(
        "Điện thoại của quán hỏng.\nGọi điện thoại.\nSạc điện.\nMất điện.\nĐiện yếu.\n",
        encoding="utf-8",
    )
    (corpus / "dien.txt").write_text("Diện tích của quán rộng.\n", encoding="utf-8")
    Archive(root / "ix").update(corpus)
    return root / "ix"


QUESTION = "Chiếm đoạt di vật của tử sĩ có thể bị phạt tù lên đến bao nhiêu năm?"


def test_documents_carry_their_best_paragraphs(index):
    with Archive(index) as a:
        results = a.run(QUESTION, limit=3, by_document=True)
    docs = results.documents
    assert docs and [d.rank for d in docs] == list(range(1, len(docs) + 1))
    assert [d.score for d in docs] == sorted((d.score for d in docs), reverse=True)
    assert len({d.path for d in docs}) == len(docs), "one entry per document"
    for d in docs:
        assert all(h.path == d.path for h in d.hits)
        assert [h.score for h in d.hits] == sorted((h.score for h in d.hits), reverse=True)
    assert [h.path for h in results.hits] == [d.path for d in docs]  # the best of each


def test_the_whole_document_lets_title_and_body_add_up(tmp_path):
    """The document whose title and body together hold the query wins once the whole
    document counts; its best paragraph alone is weaker than the other's."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Lưu trữ hồ sơ.\nThời hạn bảo quản.\n", encoding="utf-8")
    (corpus / "b.txt").write_text("Thời hạn bảo quản hồ sơ giấy.\n", encoding="utf-8")
    for i in range(8):
        (corpus / f"e-{i}.txt").write_text(f"Văn bản số {i} về việc khác.\n", encoding="utf-8")
    Archive(tmp_path / "ix").update(corpus)
    query = "lưu trữ hồ sơ thời hạn bảo quản"
    with Archive(tmp_path / "ix", ranking=Ranking(doc_whole=0.0)) as a:
        paragraphs = a.search(query, limit=2)
        plain = a.run(query, limit=2, by_document=True).documents
    with Archive(tmp_path / "ix", ranking=Ranking(doc_whole=0.7)) as a:
        whole = a.run(query, limit=2, by_document=True).documents
    assert paragraphs[0].path == "b.txt" == plain[0].path
    assert [d.path for d in whole] == ["a.txt", "b.txt"]
    assert [h.number for h in whole[0].hits] == [1, 2]  # both of its paragraphs, shown


def test_by_document_in_json_batch_and_terminal(index):
    run = CliRunner().invoke
    r = run(cli, ["search", "--index", str(index), "--json", "--by-document", "-n", "2", QUESTION])
    record = json.loads(r.output)
    assert len(record["documents"]) == 2 and record["documents"][0]["paragraphs"]
    assert record["hits"][0]["file"] == record["documents"][0]["file"]
    r = run(
        cli, ["batch", "--index", str(index), "--by-document", "-n", "2"], input=f"q1\t{QUESTION}\n"
    )
    line = json.loads(r.output)
    assert [d["rank"] for d in line["documents"]] == [1, 2]
    r = run(cli, ["search", "--index", str(index), "--by-document", "-n", "2", QUESTION])
    assert "2 best document(s) shown" in r.output and "¶" in r.output


def test_unaccented_words_weigh_as_the_archive_writes_them(index):
    with Archive(index) as a:
        restorer = a.searcher.restorer
        shares = dict(restorer.spellings(("dien",)))
        assert set(shares) == {("điện",), ("diện",)} and shares[("điện",)] > shares[("diện",)]
        assert abs(sum(shares.values()) - 1.0) < 1e-9
        pairs = dict(restorer.spellings(("dien", "thoai")))
        assert list(pairs) == [("điện", "thoại")]
        compiled = compile_query(
            parse("dien thoai cua quan"),
            "auto",
            Ranking(spelling=1.0, pair_boost=1.0, spelling_context=False),
            spellings=restorer.spellings,
        )
        boosts = {t.text: t.boost for t in c.terms(compiled.node)}
        assert boosts["điện"] > boosts["diện"] and boosts["điện_thoại"] == pytest.approx(1.0)
    # the folded form matches both alike: what the archive writes most ranks first
    with Archive(index, ranking=Ranking(spelling=1.0, fold_boost=0.5)) as a:
        assert a.search("dien cua quan", limit=1)[0].path == "viet.txt"
    with Archive(index, ranking=Ranking(spelling=0.0, fold_boost=0.5)) as a:
        assert a.search("dien cua quan", limit=1)[0].path == "dien.txt"  # rarer, so weightier


def test_an_unaccented_word_weighs_as_the_archive_writes_it_beside_its_neighbours(tmp_path):
    """ "da" alone is mostly "đã" here, but the archive writes "xiu da" only as "xỉu đá":
    in "bac xiu da" (or "bạc xỉu da") the word weighs as "đá", so the paragraph with "đá" ranks above the
    one with "đã" (Ranking.spelling_context); read alone, "đã" would weigh more."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "mon.txt").write_text("Món bạc xỉu đá ngon.\n", encoding="utf-8")
    (corpus / "dung.txt").write_text("Bạc xỉu, ly đá to.\n", encoding="utf-8")
    (corpus / "sai.txt").write_text("Bạc xỉu, quán đã đóng.\n", encoding="utf-8")
    for i in range(6):
        (corpus / f"khac-{i}.txt").write_text(f"Hôm qua đã mưa {i} lần.\n", encoding="utf-8")
    (corpus / "xiu.txt").write_text("Tiền bạc xíu xiu.\n", encoding="utf-8")
    Archive(tmp_path / "ix").update(corpus)
    with Archive(tmp_path / "ix") as a:  # a syllable typed with diacritics is read as typed
        spellings = a.searcher.restorer.spellings
        assert {r for r, _ in spellings(("bac", "xiu"))} == {("bạc", "xỉu"), ("bạc", "xíu")}
        assert [r for r, _ in spellings(("bac", "xỉu"))] == [("bạc", "xỉu")]

    def da(ranking: Ranking, query: str = "bac xiu da") -> dict[str, float]:
        with Archive(tmp_path / "ix", ranking=ranking) as a:
            spellings = a.searcher.restorer.spellings
            compiled = compile_query(parse(query), "auto", ranking, spellings=spellings)
        clause = c.terms(compiled.node)
        return {t.text: t.boost for t in clause if t.text in ("đá", "đã")}

    assert set(da(Ranking())) == {"đá"}  # beside "xiu", only as the archive writes the pair
    assert set(da(Ranking(), "bạc xỉu da")) == {"đá"}  # beside "xỉu" typed so, the same
    alone = da(Ranking(spelling_context=False))
    assert alone["đã"] > alone["đá"]
    assert da(Ranking(spelling_context=False), "bạc xỉu da") == alone
    with Archive(tmp_path / "ix") as a:
        assert [h.path for h in a.search("bac xiu da", limit=3)] == [
            "mon.txt",
            "dung.txt",
            "sai.txt",
        ]
    with Archive(tmp_path / "ix") as a:  # typed with diacritics: exactly, as always
        assert [h.path for h in a.search("bạc xỉu đã", limit=3)] == ["sai.txt"]


def test_a_document_read_whole_is_scored_by_bm25(tmp_path):
    """Read whole, a document is scored by BM25 over all of it: the same paragraph counts
    for more in a short document than in a long one, and a word found in two paragraphs
    counts for more than one found once; a document whose whole text ranks it among the
    best joins the results even when none of its paragraphs was among the best found,
    with its own best paragraphs."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    found = "Ủy ban kiểm tra xử lý kỷ luật đảng viên vi phạm.\n"
    filler = "".join(
        f"Mục {i}: công tác văn thư lưu trữ hồ sơ năm {1990 + i}.\n" for i in range(30)
    )
    (corpus / "a-dai.txt").write_text(found + filler, encoding="utf-8")
    (corpus / "b-ngan.txt").write_text(found + "Báo cáo tháng mười.\n", encoding="utf-8")
    (corpus / "d-hai-lan.txt").write_text(
        "Khen thưởng tập thể.\nKhen thưởng cá nhân.\n" + filler[:200], encoding="utf-8"
    )
    (corpus / "c-mot-lan.txt").write_text(
        "Khen thưởng tập thể.\nBáo cáo cá nhân.\n" + filler[:200], encoding="utf-8"
    )
    for i in range(8):
        (corpus / f"e-{i}.txt").write_text(f"Văn bản số {i} về việc khác.\n", encoding="utf-8")
    Archive(tmp_path / "ix").update(corpus)

    def order(query, whole, limit=4):
        ranking = Ranking(doc_whole=whole, doc_title=0.0)
        with Archive(tmp_path / "ix", ranking=ranking) as a:
            return [d.path for d in a.run(query, limit=limit, by_document=True).documents]

    # the same best paragraph: a tie by paragraphs (broken by path), not by the document
    assert order("xử lý kỷ luật đảng viên vi phạm", 0.0)[:2] == ["a-dai.txt", "b-ngan.txt"]
    assert order("xử lý kỷ luật đảng viên vi phạm", 1.0)[:2] == ["b-ngan.txt", "a-dai.txt"]
    once, twice = "c-mot-lan.txt", "d-hai-lan.txt"
    assert order("khen thưởng", 0.0)[:2] == [once, twice]  # a tie by the best paragraph
    assert order("khen thưởng", 1.0)[:2] == [twice, once]
    # found among the paragraphs or not, a document read whole comes with its own best
    ranking = Ranking(doc_whole=1.0, doc_title=0.0)
    with Archive(tmp_path / "ix", ranking=ranking) as a:
        engine_ = a.searcher.engine
        compiled = compile_query(parse("khen thưởng"), "auto", ranking)
        found = engine_.search(compiled.node, 100)
        only_once = [(d, score) for d, score in found if engine_.key(d)[0] == once]
        docs = rank_documents(engine_, only_once, compiled.node, compiled.whole, ranking, 2)
        assert [path for _, path, _ in docs] == [twice, once]
        assert [engine_.key(d) for d, _ in docs[0][2]] == [(twice, 1), (twice, 2)]
        # a document without a paragraph that matches the query is not one of them
        compiled = compile_query(parse("khen thưởng cá nhân"), "auto", ranking)
        docs = rank_documents(engine_, [], compiled.node, compiled.whole, ranking, 2)
        assert [path for _, path, _ in docs] == [twice]
    # after an update, a document is read whole from its paragraphs as they are now
    (corpus / twice).write_text("Báo cáo tập thể.\n" + filler[:200], encoding="utf-8")
    Archive(tmp_path / "ix").update(corpus)
    with Archive(tmp_path / "ix", ranking=ranking) as a:
        engine_ = a.searcher.engine
        scores = engine_.whole_scores(compile_query(parse("khen"), "auto", ranking).whole, 1, 1)
        wholes = engine_.wholes()
        assert [wholes.paths[i] for i in scores.nonzero()[0]] == [once]
        assert order("khen thưởng", 1.0) == [once]


def test_best_documents_are_those_of_a_full_stable_sort():
    """documents._best: the n best scores, best first, ties in place order, as sorting
    every score would give them (with many ties at the cut, and fewer scores than n)."""
    import numpy as np

    from tracuu.documents import _best

    rng = np.random.default_rng(7)
    for size, n in ((50, 10), (1000, 200), (7, 20), (300, 1)):
        scores = np.round(rng.random(size) * 5) / 5  # few distinct values: ties everywhere
        scores[::9] = 0.0
        want = np.argsort(-scores, kind="stable")[:n]
        assert _best(scores, n).tolist() == want.tolist()
