"""tracuu batch: many queries in, JSON lines / TSV / CSV / TREC out; the Python API agrees."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from tracuu import Archive
from tracuu.cli import cli
from tracuu.output import trec_docid

BATCH = (
    "# terms from a register\n"
    "q1\tchỉnh đốn Đảng\n"
    "\n"
    "q2\tqui chế\n"
    "bad\t\n"
    'q3\t"chỉnh đốn\n'
    "xyzzyqwerty\n"
    "q4\thoà bình\n"
)


def run_batch(index, *args, stdin=BATCH):
    result = CliRunner().invoke(cli, ["batch", "--index", str(index), *args], input=stdin)
    assert "Traceback" not in result.output
    return result


def stdout_lines(result):
    return [line for line in result.stdout.splitlines() if line]


def test_jsonl_records_and_exit_code(built, archive):
    r = run_batch(built[1], "-n", "3")
    assert r.exit_code == 2  # two malformed lines
    records = [json.loads(line) for line in stdout_lines(r)]
    assert [(d["id"], d["line"]) for d in records] == [
        ("q1", 2),
        ("q2", 4),
        ("bad", 5),
        ("q3", 6),
        ("7", 7),
        ("q4", 8),
    ]
    by_id = {d["id"]: d for d in records}
    assert by_id["bad"]["error"] == "expected 'id<TAB>query'"
    assert "unclosed quote" in by_id["q3"]["error"]
    assert by_id["7"]["hits"] == [] and by_id["7"]["query"] == "xyzzyqwerty"
    for qid, query in (("q1", "chỉnh đốn Đảng"), ("q2", "qui chế"), ("q4", "hoà bình")):
        # documents by default: each hit is the best paragraph of a different file
        expected = archive.run(query, limit=3, hints=False, by_document=True).hits
        got = by_id[qid]["hits"]
        assert len({h["file"] for h in got}) == len(got)
        assert [d["file"] for d in by_id[qid]["documents"]] == [h["file"] for h in got]
        assert [(h["file"], h["paragraph"], h["rank"]) for h in got] == [
            (h.path, h.number, h.rank) for h in expected
        ]
        assert got[0]["snippet"]["text"] == expected[0].snippet.text
    assert "line 5: expected 'id<TAB>query'" in r.stderr
    assert "line 6: malformed query" in r.stderr


def test_exit_codes_without_errors(built):
    assert run_batch(built[1], stdin="q\tĐảng\n").exit_code == 0
    assert run_batch(built[1], stdin="q\txyzzyqwerty\n# nothing else\n").exit_code == 1


@pytest.mark.parametrize("fmt, delimiter", [("tsv", "\t"), ("csv", ",")])
def test_tables(built, archive, fmt, delimiter):
    r = run_batch(
        built[1], "-f", fmt, "-n", "2", "--by-paragraph", stdin="q1\tchỉnh đốn Đảng\nq4\thoà bình\n"
    )
    assert r.exit_code == 0
    rows = list(csv.reader(io.StringIO(r.stdout), delimiter=delimiter))
    assert rows[0] == ["id", "rank", "score", "file", "paragraph", "date", "title", "snippet"]
    body = rows[1:]
    expected = [("q1", h) for h in archive.search("chỉnh đốn Đảng", limit=2)] + [
        ("q4", h) for h in archive.search("hoà bình", limit=2)
    ]
    assert [(row[0], row[3], int(row[4])) for row in body] == [
        (q, h.path, h.number) for q, h in expected
    ]
    assert all(len(row) == 8 for row in body)


def test_trec_run_scores_with_ir_measures(built, archive):
    ir_measures = pytest.importorskip("ir_measures")
    r = run_batch(
        built[1],
        "-f",
        "trec",
        "-n",
        "10",
        "--by-paragraph",
        stdin="q1\tchỉnh đốn Đảng\nq4\thoà bình\n",
    )
    assert r.exit_code == 0
    run = list(ir_measures.read_trec_run(r.stdout))
    assert {s.query_id for s in run} == {"q1", "q4"}
    # qrels: for q1 the paragraph ranked 2nd is the relevant one, for q4 nothing ranked is
    second = archive.search("chỉnh đốn Đảng", limit=2)[1]
    qrels_text = f"q1 0 {trec_docid(second)} 1\nq4 0 nowhere.txt#1 1\n"
    qrels = list(ir_measures.read_trec_qrels(qrels_text))
    from ir_measures import RR, R

    per_query = {
        (m.query_id, str(m.measure)): m.value
        for m in ir_measures.iter_calc([RR @ 10, R @ 10], qrels, run)
    }
    assert per_query[("q1", "RR@10")] == pytest.approx(0.5)
    assert per_query[("q1", "R@10")] == pytest.approx(1.0)
    assert per_query[("q4", "RR@10")] == pytest.approx(0.0)


def test_trec_docid_escapes_spaces():
    from tracuu.models import Hit, Metadata, Snippet

    hit = Hit(
        rank=1,
        score=1.0,
        path="thư mục/báo cáo 2000.txt",
        number=3,
        start=0,
        end=1,
        text="x",
        format="txt",
        metadata=Metadata(),
        highlights=(),
        snippet=Snippet("x", (), 0, False, False),
    )
    docid = trec_docid(hit)
    assert " " not in docid and docid.endswith("#3")


def test_api_matches_cli_search(built):
    with Archive(built[1]) as a:
        api_hits = a.search("chinh don dang", limit=5)
    r = CliRunner().invoke(
        cli, ["search", "--index", str(built[1]), "--json", "-n", "5", "chinh don dang"]
    )
    cli_hits = json.loads(r.stdout)["hits"]
    assert [(h["file"], h["paragraph"], h["score"]) for h in cli_hits] == [
        (h.path, h.number, round(h.score, 6)) for h in api_hits
    ]


@pytest.mark.parametrize("fmt", ["trec", "tsv"])
def test_documents_rank_by_their_own_score(built, archive, fmt):
    """Ranked documents are written with the document's score, so a tool that sorts by
    score (trec_eval) keeps tracuu's order even where a document's best paragraph scores
    below the next document's."""
    query = "chính trị"
    docs = archive.run(query, limit=5, hints=False, by_document=True).documents
    best = [d.hits[0].score for d in docs]
    assert best != sorted(best, reverse=True), "the case this test is about"
    r = run_batch(built[1], "-f", fmt, "-n", "5", stdin=f"q2\t{query}\n")
    assert r.exit_code == 0
    if fmt == "trec":
        rows = [line.split() for line in stdout_lines(r)]
        got = [(row[2].split("#")[0], int(row[3]), float(row[4])) for row in rows]
    else:
        rows = list(csv.reader(io.StringIO(r.stdout), delimiter="\t"))[1:]
        got = [(row[3], int(row[1]), float(row[2])) for row in rows]
    assert [(f, rank) for f, rank, _ in got] == [(d.path, d.rank) for d in docs]
    assert [s for _, _, s in got] == pytest.approx([d.score for d in docs], abs=1e-4)
    assert [s for _, _, s in got] == sorted((s for _, _, s in got), reverse=True)


def _hand_off_at_once(monkeypatch):
    """Batches give their queries to workers after the first (tests' batches are short)."""
    from tracuu import api

    monkeypatch.setattr(api, "HANDOFF_S", 0.0)
    monkeypatch.setattr(api, "WORKERS_WORTH_S", 0.0)
    monkeypatch.setattr(api, "SPAWNED_WORTH_S", 0.0)


def _many(times: int = 5) -> str:
    """BATCH's lines ``times`` over, with other ids (and its malformed lines)."""
    lines = [ln for ln in BATCH.splitlines() if "\t" in ln and not ln.startswith("#")]
    return "".join(f"r{i}-{ln}\n" for i in range(times) for ln in lines)


@pytest.mark.parametrize("fork", [True, False])
@pytest.mark.parametrize("args", [(), ("--by-paragraph", "-f", "tsv")])
def test_batch_in_worker_processes_writes_what_one_process_writes(built, monkeypatch, args, fork):
    """-j2 runs the queries in two worker processes, four at a time, forked (copies of
    this one) or spawned: the same output, in the same order, the same exit code and
    warnings as -j1."""
    from tracuu import api

    _hand_off_at_once(monkeypatch)
    if not fork:
        monkeypatch.setattr(api, "_can_fork", lambda: False)
    one = run_batch(built[1], "-j1", "-n", "3", *args, stdin=_many())
    two = run_batch(built[1], "-j2", "-n", "3", *args, stdin=_many())
    assert one.exit_code == two.exit_code == 2
    assert one.stdout == two.stdout and one.stderr == two.stderr
    assert len(stdout_lines(one)) > 20 and "chỉnh đốn" in one.stdout


def test_batch_workers_use_the_archive_s_ranking(built, monkeypatch):
    from tracuu import Ranking
    from tracuu.output import read_topics

    _hand_off_at_once(monkeypatch)
    topics = read_topics(_many(3))
    scores = []
    for ranking in (Ranking(), Ranking(k1=0.3, b=0.2, doc_whole=0.0)):
        with Archive(built[1], ranking) as a:
            here = list(a.batch(topics, limit=4, jobs=1))
            workers = list(a.batch(topics, limit=4, jobs=2))
        assert here == workers
        assert sum(r.results is not None and bool(r.results.hits) for r in here) > 5
        scores.append([h.score for r in workers if r.results for h in r.results.hits])
    assert scores[0] != scores[1]


@pytest.mark.parametrize("fork", [True, False])
def test_forked_workers_take_the_queries_after_the_first(built, monkeypatch, fork):
    """Forked workers start with what the first query set up: they are given the rest
    at once, however fast it was. Spawned ones open the index again, so queries run
    here for ``HANDOFF_S`` first (here never reached: none are handed over)."""
    from tracuu import api
    from tracuu.output import read_topics

    monkeypatch.setattr(api, "HANDOFF_S", 3600.0)
    monkeypatch.setattr(api, "WORKERS_WORTH_S", 0.0)
    monkeypatch.setattr(api, "SPAWNED_WORTH_S", 0.0)
    monkeypatch.setattr(api, "_can_fork", lambda: fork)
    handed: list[int] = []
    in_workers = api.Archive._batch_in_workers

    def spy(self, topics, *args):
        handed.append(len(topics))
        return in_workers(self, topics, *args)

    monkeypatch.setattr(api.Archive, "_batch_in_workers", spy)
    topics = read_topics(_many(3))
    with Archive(built[1]) as a:
        here = list(a.batch(topics, limit=4, jobs=1))
        assert handed == []
        two = list(a.batch(topics, limit=4, jobs=2))
    assert two == here
    assert handed == ([len(topics) - 1] if fork else [])


@pytest.mark.parametrize("fmt", ["jsonl", "tsv", "csv", "trec"])
def test_batch_renders_each_topic_where_it_ran(built, monkeypatch, fmt):
    """batch(render=...) in worker processes: each topic comes back as the text its
    results give in this process, with its error and whether it found anything, and
    without its results (what the workers no longer send)."""
    from tracuu.output import BatchFormat, read_topics

    _hand_off_at_once(monkeypatch)
    topics = read_topics(_many(3))
    render = BatchFormat(fmt, "r1")
    with Archive(built[1]) as a:
        plain = list(a.batch(topics, limit=4, jobs=1))
        rendered = list(a.batch(topics, limit=4, jobs=2, render=render))
    assert [r.rendered for r in rendered] == [render(r) for r in plain]
    assert [(r.topic, r.error, r.found) for r in rendered] == [
        (r.topic, r.error, r.found) for r in plain
    ]
    assert all(r.results is None for r in rendered)
    assert 5 < sum(r.found for r in plain) < len(plain) and any(r.error for r in plain)


def test_batch_workers_report_the_index_s_errors_as_one_process_does(tmp_path, monkeypatch):
    """An index that cannot be opened: the error one process raises, from a worker too."""
    from tracuu import api
    from tracuu.errors import IndexMissing
    from tracuu.output import read_topics

    _hand_off_at_once(monkeypatch)
    topics = read_topics(_many(2))
    with pytest.raises(IndexMissing):
        list(Archive(tmp_path / "none").batch(topics, jobs=2))
    options = api._BatchOptions(10, "auto", (), True)
    got = api._run_topics((str(tmp_path / "none"), None, options, topics))
    assert isinstance(got, IndexMissing) and "no index" in str(got)


def test_a_query_that_kills_its_worker_fails_alone(built, monkeypatch):
    """A worker that dies running a task is replaced; a task that kills it twice gets an
    error for each of its queries, and the batch goes on."""
    from tracuu import api
    from tracuu.output import read_topics

    _hand_off_at_once(monkeypatch)
    monkeypatch.setattr(api, "_run_topics", dying_on_boom)
    topics = read_topics(_many(2) + "boom\tboom\n" + _many(2))
    with Archive(built[1]) as a:
        got = list(a.batch(topics, jobs=2))
        want = list(a.batch(topics, jobs=1))
    lost = [r for r in got if r.error and "process running this query died" in r.error]
    assert 1 <= len(lost) <= api.BATCH_CHUNK and any(r.topic.id == "boom" for r in lost)
    assert [r for r in got if r not in lost] == [
        r for r in want if r.topic not in {x.topic for x in lost}
    ]


def dying_on_boom(task):
    """api._run_topics, but the worker dies on the query "boom" (importable by workers)."""
    import os

    if any(t.query == "boom" for t in task[3]):
        os._exit(9)
    return _RUN_TOPICS(task)


def _run_topics_unpatched():
    from tracuu import api

    return api._run_topics


_RUN_TOPICS = _run_topics_unpatched()  # (set before a test patches it)


def test_forked_workers_start_with_what_they_were_given_frozen(built, monkeypatch):
    """Forked workers collect no garbage among the objects they start with (gc.freeze: a
    collection would write to every page of the open index, copying each); once the
    batch is done, this process collects them again."""
    import gc

    from tracuu import api
    from tracuu.output import read_topics

    _hand_off_at_once(monkeypatch)
    monkeypatch.setattr(api, "_run_topics", frozen_count)
    topics = read_topics(_many(2))
    with Archive(built[1]) as a:
        got = list(a.batch(topics, jobs=2))
    counts = {int(r.error) for r in got[1:]}  # (the first ran here, before the workers)
    assert min(counts) > 1000
    assert gc.get_freeze_count() == 0


def frozen_count(task):
    """The results of a worker's task: as their errors, how many objects it has frozen."""
    import gc

    from tracuu.api import TopicResult

    return [TopicResult(topic, None, str(gc.get_freeze_count())) for topic in task[3]]
