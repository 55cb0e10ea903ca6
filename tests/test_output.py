"""Batch input and the output records, on hand-built results (no index needed)."""

import codecs
import csv
import io
import json

import pytest
from msgspec.structs import replace

from tracuu import render
from tracuu.api import TopicResult
from tracuu.errors import InputError
from tracuu.models import DocumentHit, Hit, Metadata, Restoration, Results, Snippet
from tracuu.output import (
    BatchWriter,
    decode_input,
    hit_record,
    read_topics,
    results_record,
    to_json,
    topic_record,
    trec_docid,
)


def make_hit(rank=1, path="thư mục/báo cáo.txt", number=3, **meta):
    text = "Báo cáo chỉnh đốn Đảng\tnăm 2000"
    return Hit(
        rank=rank,
        score=12.3456789,
        path=path,
        number=number,
        start=10,
        end=10 + len(text),
        text=text,
        format="txt",
        metadata=Metadata(**meta),
        highlights=((8, 22),),
        snippet=Snippet(text, ((8, 22),), 0, False, False),
    )


def results(*hits):
    return Results(
        "chinh don dang",
        "auto",
        list(hits),
        None,
        [Restoration("chinh don dang", (("chỉnh đốn Đảng", 3),))],
    )


def test_topics_from_lines():
    topics = read_topics("q1\tchỉnh đốn Đảng\n\n# comment\nquy chế\n\tno id\nbad\t\n")
    assert [(t.line, t.id, t.query, t.problem) for t in topics] == [
        (1, "q1", "chỉnh đốn Đảng", None),
        (4, "4", "quy chế", None),
        (5, "5", None, "expected 'id<TAB>query'"),
        (6, "bad", None, "expected 'id<TAB>query'"),
    ]


@pytest.mark.parametrize(
    "data",
    [
        "q1\tchỉnh đốn\n".encode(),
        codecs.BOM_UTF8 + "q1\tchỉnh đốn\n".encode(),
        "q1\tchỉnh đốn\n".encode("utf-16"),
    ],
)
def test_batch_files_in_utf8_or_utf16_are_decoded(data):
    assert read_topics(decode_input(data))[0].query == "chỉnh đốn"


def test_undecodable_batch_file_is_an_input_error():
    with pytest.raises(InputError, match=r"not UTF-8 text \(line 2\)"):
        decode_input(b"q1\tok\nq2\t\xff\xfe broken\n")


def test_hit_record_has_every_metadata_field():
    rec = hit_record(make_hit(title="Báo cáo", doc_number="12/BC-QU", date="2000-01-16"))
    assert set(Metadata.names()) <= set(rec)
    assert (rec["file"], rec["paragraph"], rec["score"], rec["doc_number"]) == (
        "thư mục/báo cáo.txt",
        3,
        12.345679,
        "12/BC-QU",
    )
    assert rec["snippet"]["spans"] == [[8, 22]] and rec["highlights"] == [[8, 22]]


def test_results_record_round_trips_as_json():
    rec = json.loads(json.dumps(results_record(results(make_hit()))))
    assert rec["restorations"] == [
        {"typed": "chinh don dang", "forms": [{"form": "chỉnh đốn Đảng", "count": 3}]}
    ]
    assert rec["total"] is None and len(rec["hits"]) == 1


def write(fmt, topic_results):
    out = io.StringIO()
    BatchWriter(fmt, out, run_name="r1").write_all(topic_results)
    return out.getvalue()


def batch():
    (t1, t2) = read_topics("q1\tchinh don dang\nq2\t((\n")
    return [
        TopicResult(t1, results(make_hit(1), make_hit(2, number=7))),
        TopicResult(t2, None, "malformed query: unclosed parenthesis"),
    ]


def test_jsonl_writes_hits_and_errors():
    lines = [json.loads(x) for x in write("jsonl", batch()).splitlines()]
    assert [len(x["hits"]) for x in lines[:1]] == [2]
    assert lines[1] == {
        "id": "q2",
        "line": 2,
        "query": "((",
        "error": "malformed query: unclosed parenthesis",
    }


def test_trec_lines_split_into_six_fields():
    lines = write("trec", batch()).splitlines()
    assert [x.split() for x in lines] == [
        ["q1", "Q0", trec_docid(make_hit()), "1", "12.345679", "r1"],
        ["q1", "Q0", trec_docid(make_hit(number=7)), "2", "12.345679", "r1"],
    ]
    assert " " not in trec_docid(make_hit()) and trec_docid(make_hit()).endswith("#3")


@pytest.mark.parametrize("fmt,delimiter", [("tsv", "\t"), ("csv", ",")])
def test_tables_have_one_line_per_hit(fmt, delimiter):
    text = write(fmt, batch())
    rows = list(
        csv.reader(
            io.StringIO(text), delimiter=delimiter, escapechar="\\" if fmt == "tsv" else None
        )
    )
    assert rows[0] == ["id", "rank", "score", "file", "paragraph", "date", "title", "snippet"]
    assert [r[:2] for r in rows[1:]] == [["q1", "1"], ["q1", "2"]]
    assert all(len(r) == 8 for r in rows)


def _hit_with(text, spans, rank=1, truncated=(False, False), **meta):
    hit = make_hit(rank=rank, **meta)
    snippet = Snippet(text, spans, 0, *truncated)
    return replace(hit, text=text, highlights=spans, snippet=snippet)


def _messy_results():
    """Hits whose text has tabs at every column, control characters, a line break,
    overlapping and out-of-order spans, wide characters; a page by document too."""
    tabs = "".join(f"{'x' * n}\t" for n in range(9)) + "Đảng"
    messy = "chỉnh\x0cđốn\x07 Đảng\r\n\tvà\x0b 黨\tcán bộ"
    hits = [
        _hit_with(tabs, ((len(tabs) - 4, len(tabs)),), title="Báo cáo\tnăm 2000"),
        _hit_with(messy, ((16, 20), (0, 9), (6, 12)), rank=2, truncated=(True, True)),
        _hit_with("Đảng bộ", (), rank=3, date="2000-03-01", doc_number="12/BC"),
    ]
    by_paragraph = results(*hits)
    by_paragraph.suggestion = "chỉnh\tđốn"
    documents = [
        DocumentHit(i + 1, 3.5, h.path, "txt", h.metadata, (h,)) for i, h in enumerate(hits)
    ]
    by_document = replace(by_paragraph, documents=documents, widened=True, total=7)
    return [by_paragraph, by_document, Results("zzz", "auto", [], None, [], "zz\tz")]


def test_each_hit_is_recorded_as_itself_where_it_is_written_twice():
    # ranked by document, the hits are the documents' first paragraphs: a record (search
    # --json, a batch line) writes each twice, made once
    hits = [make_hit(rank=i, path=f"tệp {i}.txt", number=i, title=f"T{i}") for i in (1, 2, 3)]
    documents = [
        DocumentHit(1, 3.5, hits[0].path, "txt", hits[0].metadata, (hits[0], hits[2])),
        DocumentHit(2, 2.5, hits[1].path, "txt", hits[1].metadata, (hits[1],)),
    ]
    res = replace(results(hits[0], hits[1]), documents=documents)
    topic = TopicResult(read_topics("q\tx")[0], res)
    for record in (results_record(res), topic_record(topic)):
        record = json.loads(json.dumps(record))
        assert record["hits"] == [hit_record(h) for h in (hits[0], hits[1])]
        paragraphs = [[p for p in d["paragraphs"]] for d in record["documents"]]
        assert paragraphs == [[hit_record(hits[0]), hit_record(hits[2])], [hit_record(hits[1])]]


def test_records_are_compact_utf8_json_lines_even_with_lone_surrogates():
    hit = make_hit(title='Báo cáo "năm" 2000\n', doc_number="12/BC-QU")
    for record in (hit_record(hit), {**hit_record(hit), "file": "b\udcfa\u00e1o.txt"}):
        line = to_json(record)
        assert "\n" not in line and "\\u" not in line.replace("\\udcfa", "")
        assert json.loads(line) == json.loads(json.dumps(record))
    assert to_json({"a": [1, 2.5]}) == '{"a":[1,2.5]}'


def _written_by_rich(lines, **options):
    from rich.console import Console

    out = io.StringIO()
    console = Console(file=out, highlight=False, soft_wrap=True, width=20, **options)
    for line in lines:
        console.print(render.rich_text(line))
    return out.getvalue()


def test_plain_lines_are_what_rich_writes_where_it_styles_nothing():
    # the CLI prints plain text where rich would write no style (a pipe, a file)
    written = []
    for res in _messy_results():
        lines = render.results_lines(res)
        written.append("".join(render.plain(line) + "\n" for line in lines))
        assert written[-1] == _written_by_rich(lines, force_terminal=False)
    assert all(c not in "".join(written) for c in "\t\x07\x0b\x0c\r")
    assert [w.count("Đảng") for w in written] == [4, 4, 0]
    assert "did you mean: zz        z\n" in written[2]  # the tab stop at column 24


def test_plain_lines_expand_tabs_at_their_columns():
    line = [("ab", "bold"), ("c\td", ""), ("\te", "green")]
    assert render.plain(line) == "abc     d       e"
    assert render.plain([("ab\nc", ""), ("\td", "")]) == "ab\nc       d"


def test_highlighted_pieces_are_the_matched_words():
    text = "Báo cáo chỉnh đốn Đảng năm 2000"
    hit = _hit_with(text, ((14, 22), (8, 13), (8, 17)))  # overlapping, out of order
    snippet = render.rich_text(render.hit_lines(hit)[-2])
    marked = sorted(
        i for s in snippet.spans if s.style == render.HIGHLIGHT for i in range(s.start, s.end)
    )
    assert snippet.plain == "    " + text
    assert marked == list(range(4 + 8, 4 + 22))  # once each, as their union
