"""The command line through click's CliRunner: output, JSON and exit codes."""

import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tracuu import Archive
from tracuu import store as tindex
from tracuu.cli import cli


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args, env=None):
        result = runner.invoke(cli, list(args), env=env, catch_exceptions=False)
        assert "Traceback" not in result.output
        return result

    return invoke


def test_search_found_exit_0(run, built):
    corpus, index = built
    r = run("search", "--index", str(index), "chỉnh", "đốn", "Đảng")
    assert r.exit_code == 0
    assert "bao-cao-quan-10-chinh-don-dang.txt" in r.output
    assert "chỉnh đốn Đảng" in r.output
    assert "\x1b[" not in r.output  # plain when not a terminal


def test_search_color_always_highlights(run, built):
    r = run("search", "--index", str(built[1]), "--color", "always", "chỉnh đốn Đảng")
    assert r.exit_code == 0 and "\x1b[" in r.output


@pytest.mark.parametrize(
    "args",
    [
        ["chỉnh đốn Đảng"],
        ["--by-document", "chinh don dang"],
        ["-n", "30", "--count", "cán bộ"],
        ["chỉnh đốnn"],  # none found: did you mean
    ],
)
def test_search_piped_prints_what_rich_would(run, built, args):
    """Output that is not a terminal is written without rich: the text rich writes, its
    styles left out (as --color never does)."""
    piped = run("search", "--index", str(built[1]), *args)
    never = run("search", "--index", str(built[1]), "--color", "never", *args)
    styled = run("search", "--index", str(built[1]), "--color", "always", *args)
    assert "\x1b[" in styled.output and "\x1b[" not in piped.output + never.output
    unstyled = re.sub(r"\x1b\[[0-9;]*m", "", styled.output)
    assert piped.output == never.output == unstyled and piped.output.strip()


def test_show_piped_prints_what_rich_would(run, built):
    name = "bao-cao-quan-10-chinh-don-dang.txt"
    piped = run("show", "--index", str(built[1]), name)
    forced = run("show", "--index", str(built[1]), name, env={"FORCE_COLOR": "1"})
    assert "\x1b[" in forced.output and "\x1b[" not in piped.output
    unstyled = re.sub(r"\x1b\[[0-9;]*m", "", forced.output)
    assert piped.output == unstyled and name in piped.output


def test_a_failure_under_a_damaged_index_shows_where_with_tracuu_debug(built, monkeypatch):
    """Garbled index files fail with any exception, so the engine reports any failure
    while reading as damage, in one line; TRACUU_DEBUG=1 shows the failure underneath."""
    from tracuu.engine.vector import Vector
    from tracuu.errors import IndexDamaged

    def broken(*args, **kwargs):
        raise TypeError("a mistake of the engine's own")

    monkeypatch.setattr(Vector, "search", broken)
    args = ["search", "--index", str(built[1]), "chỉnh đốn Đảng"]
    plain = CliRunner().invoke(cli, args, env={"TRACUU_DEBUG": ""})
    assert plain.exit_code == 2 and len(plain.output.strip().splitlines()) == 1
    assert "damaged (TypeError: a mistake of the engine's own)" in plain.output
    assert "TRACUU_DEBUG=1 shows where" in plain.output and "Traceback" not in plain.output
    debug = CliRunner().invoke(cli, args, env={"TRACUU_DEBUG": "1"})
    assert isinstance(debug.exception, IndexDamaged)
    assert isinstance(debug.exception.__cause__, TypeError)


def test_search_not_found_exit_1(run, built):
    r = run("search", "--index", str(built[1]), "xyzzyqwerty")
    assert r.exit_code == 1
    assert "no paragraphs match" in r.output


def test_an_index_without_a_paragraph_finds_nothing(run, tmp_path):
    """A corpus whose files hold no text (an empty file, a scan not yet read) gives an
    index without a paragraph: searching it finds nothing, by paragraph or by document;
    it is not a damaged index."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "trong.txt").write_text("", encoding="utf-8")
    index = tmp_path / "index"
    assert run("index", "--corpus", str(corpus), "--index", str(index)).exit_code == 0
    for how in ("--by-paragraph", "--by-document"):
        r = run("search", "--index", str(index), how, "chỉnh đốn Đảng")
        assert r.exit_code == 1, r.output
        assert "damaged" not in r.output

    r = CliRunner().invoke(cli, ["batch", "--index", str(index)], input="q1\tkhen thưởng\n")
    assert r.exit_code == 1 and json.loads(r.output)["total"] is None


def test_search_json(run, built):
    r = run("search", "--index", str(built[1]), "--json", "-n", "3", "chinh don dang")
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data["query"] == "chinh don dang" and len(data["hits"]) == 3
    hit = data["hits"][0]
    for key in (
        "rank",
        "score",
        "file",
        "paragraph",
        "start",
        "end",
        "title",
        "date",
        "text",
        "highlights",
        "snippet",
    ):
        assert key in hit
    s, e = hit["highlights"][0]
    assert hit["text"][s:e]
    assert data["restorations"][0]["forms"][0]["form"] == "chỉnh đốn Đảng"


def test_search_jsonl(run, built):
    r = run("search", "--index", str(built[1]), "--jsonl", "-n", "4", "Đảng")
    lines = [json.loads(line) for line in r.output.splitlines()]
    assert r.exit_code == 0 and len(lines) == 4
    assert [d["rank"] for d in lines] == [1, 2, 3, 4]


@pytest.mark.parametrize("query", ['"chỉnh đốn', "Đảng AND", "(Đảng"])
def test_malformed_query_exit_2(run, built, query):
    r = run("search", "--index", str(built[1]), query)
    assert r.exit_code == 2
    assert "malformed query" in r.output


def test_missing_corpus_exit_2(run, tmp_path):
    r = run("search", "--index", str(tmp_path / "ix"), "--corpus", str(tmp_path / "nope"), "Đảng")
    assert r.exit_code == 2
    assert "corpus folder not found" in r.output


def test_unreadable_index_exit_2(run, tmp_path):
    index = tmp_path / "ix"
    index.mkdir()
    (index / "CURRENT").write_text("gen-000007\n")
    r = run("search", "--index", str(index), "Đảng")
    assert r.exit_code == 2 and "damaged" in r.output


def test_locked_index_exit_2(run, corpus, tmp_path):
    index = tmp_path / "ix"
    with tindex.writer_lock(index):
        r = run("index", "--corpus", str(corpus), "--index", str(index))
    assert r.exit_code == 2 and "locked by another writer" in r.output


def test_first_search_builds_index(run, corpus, tmp_path):
    index = tmp_path / "ix"
    r = run("search", "Đảng", env={"TRACUU_CORPUS": str(corpus), "TRACUU_INDEX": str(index)})
    assert r.exit_code == 0
    assert "building it from" in r.output
    assert tindex.exists(index)


def test_index_then_update_reports(run, corpus, tmp_path):
    index = tmp_path / "ix"
    r = run("index", "--corpus", str(corpus), "--index", str(index), "-j", "1")
    assert r.exit_code == 0 and "index built: 3 added" in r.output
    r = run("index", "--corpus", str(corpus), "--index", str(index))
    assert r.exit_code == 0 and "0 changed, 0 deleted, 3 unchanged" in r.output


def test_stats(run, built):
    r = run("stats", "--index", str(built[1]), "--json")
    data = json.loads(r.output)
    assert r.exit_code == 0 and data["documents"] == 3 and data["paragraphs"] > 30


def test_help_teaches(run):
    r = run("search", "--help")
    assert r.exit_code == 0
    for word in (
        "--exact",
        "--fold",
        "--json",
        "Exit codes" if False else "phrase",
        "TRACUU_INDEX",
    ):
        assert word in r.output


def test_every_commands_help_is_laid_out_as_written(run):
    """A control character in a docstring (a tab or a newline where an example meant
    the two characters \\t or \\n) breaks click's layout of the whole text."""
    from tracuu.cli.app import COMMANDS

    for name in COMMANDS:
        doc = cli.get_command(None, name).help  # type: ignore[arg-type, union-attr]
        assert not re.search(r"[\x00-\x07\t\x0b-\x1f]", doc or ""), name  # (\b: click's)
    r = run("batch", "--help")
    assert "printf 'q1\\tchỉnh đốn Đảng\\nq2\\tquy chế dân chủ\\n' | tracuu batch" in r.output
    assert "Blank lines and lines starting with # are skipped." in " ".join(r.output.split())


def test_count_is_asked_for(run, built):
    plain = json.loads(run("search", "--index", str(built[1]), "--json", "-n", "2", "Đảng").output)
    counted = json.loads(
        run("search", "--index", str(built[1]), "--json", "--count", "-n", "2", "Đảng").output
    )
    assert plain["total"] is None
    assert counted["total"] == len(Archive(built[1]).search("Đảng", limit=1000)) > 2
    r = run("search", "--index", str(built[1]), "--count", "-n", "2", "Đảng")
    assert f"{counted['total']} paragraph(s) matched (showing 2)" in r.output


def test_every_command_listed_and_loaded_on_use(run):
    from tracuu.cli.app import COMMANDS

    r = run("--help")
    assert r.exit_code == 0
    for name in COMMANDS:
        assert name in r.output
        assert cli.get_command(None, name) is not None  # type: ignore[arg-type]


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
@pytest.mark.parametrize("given, expected", [(None, "1"), ("3", "3")])
def test_the_command_line_keeps_numpy_to_one_blas_thread(given, expected):
    """OpenBLAS's idle thread pool costs a tenth of a CPU second at every start: the
    command line asks for one thread before numpy loads (the process has no other
    thread then), unless the user set it."""
    code = (
        "import os; from tracuu import cli; import numpy\n"
        "print(os.environ.get('OPENBLAS_NUM_THREADS'), len(os.listdir('/proc/self/task')))"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    setting, threads = out.stdout.split()
    assert setting == expected
    if given is None:
        assert threads == "1"


def test_msgspec_is_imported_without_typing_extensions(built):
    """tracuu imports msgspec without typing_extensions (a twelfth of a cold search),
    which msgspec falls back from to typing. A msgspec that stops falling back so fails
    here; the records still work either way, and typing_extensions loads when asked."""
    code = (
        "import sys, typing\n"
        "from tracuu import store\n"
        "import msgspec\n"
        "print('typing_extensions' in sys.modules,\n"
        "      msgspec._utils._get_type_hints is typing.get_type_hints)\n"
        "sealed = store.current_generation(sys.argv[1])\n"
        "m = store.Manifest.load(sealed)\n"
        "print(len(m.files), type(next(iter(m.files.values()))).__name__)\n"
        "import typing_extensions\n"
        "print(typing_extensions.__name__, typing_extensions.TypedDict is not None)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(built[1])], capture_output=True, text=True
    )
    assert out.stdout.splitlines() == [
        "False True",
        "3 FileRecord",
        "typing_extensions True",
    ], out.stderr


def test_the_command_line_ends_without_taking_python_apart(built, tmp_path):
    # main() ends the process when the command is done: all it wrote is out, with its exit
    # status, after the exit handlers registered while it ran; Python's finalizing (every
    # module and object taken apart) is skipped, so an object left at the end is never
    # collected
    code = (
        "import atexit, sys\n"
        "class Left:\n"
        "    def __del__(self):\n"
        "        print('collected', file=sys.stderr)\n"
        "left = Left()\n"
        "import tracuu.api\n"
        "run = tracuu.api.Archive.run\n"
        "def run_and_register(self, *args, **kwargs):\n"
        "    atexit.register(print, 'handler ran', file=sys.stderr)\n"
        "    return run(self, *args, **kwargs)\n"
        "tracuu.api.Archive.run = run_and_register\n"
        "from tracuu.cli import main; sys.argv[1:] = sys.argv[2:]; main()\n"
    )
    index = str(built[1])

    def tracuu(*args):
        return subprocess.run(
            [sys.executable, "-c", code, "-", *args, "--index", index],
            capture_output=True,
            text=True,
        )

    found = tracuu("search", "chỉnh đốn Đảng")
    assert found.returncode == 0 and "bao-cao-quan-10-chinh-don-dang.txt" in found.stdout
    assert found.stderr == "handler ran\n"
    missing = tracuu("search", "zzzqqq")
    assert (missing.returncode, missing.stderr) == (1, "handler ran\n")
    assert tracuu("search", '"unclosed').returncode == 2
    # more than a pipe holds (64 KiB), all of it written before the process ends
    queries = ["chỉnh đốn Đảng", "quy chế dân chủ", "Đảng", "cán bộ"] * 50
    topics = tmp_path / "topics.tsv"
    topics.write_text("".join(f"q{i}\t{q}\n" for i, q in enumerate(queries)), encoding="utf-8")
    batch = tracuu("batch", str(topics), "-j1")
    records = [json.loads(line) for line in batch.stdout.splitlines()]
    assert len(batch.stdout) > 65536 and batch.returncode == 0
    assert [r["id"] for r in records] == [f"q{i}" for i in range(len(queries))]
    assert batch.stderr == "handler ran\n" * len(queries)


def test_batch_of_well_formed_queries_loads_no_terminal_library(built, tmp_path):
    # rich formats terminal output and warnings: JSON lines need none of it
    code = (
        "import sys; from tracuu.cli import main; sys.argv[1:] = sys.argv[2:]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('rich', 'tracuu.render'))))"
    )
    topics = tmp_path / "topics.tsv"
    argv = [sys.executable, "-c", code, "-", "batch", str(topics), "--index", str(built[1])]
    topics.write_text("q1\tchỉnh đốn Đảng\nq2\tquy che\n", encoding="utf-8")
    out = subprocess.run(argv, capture_output=True, text=True)
    assert out.stderr == "" and json.loads(out.stdout.splitlines()[1])["id"] == "q2"
    assert out.stdout.strip().splitlines()[-1] == "[]"
    topics.write_text('q1\tchỉnh đốn Đảng\nq2\t"quy che\n', encoding="utf-8")  # line 2: malformed
    out = subprocess.run(argv, capture_output=True, text=True)
    assert out.stderr.startswith("tracuu: warning: line 2: malformed query")
    assert "rich.console" in out.stdout.strip().splitlines()[-1]


def test_search_loads_only_what_it_needs(built):
    # cold start: `tracuu search` imports neither the indexer's command module nor the
    # server's; printing to a pipe, not rich either
    code = (
        "import sys; from tracuu.cli import main; sys.argv[1:] = sys.argv[2:]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('tracuu.cli.', 'socket', 'rich'))))"
    )
    argv = [sys.executable, "-c", code, "-", "search", "--index", str(built[1]), "-n", "1", "Đảng"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "['tracuu.cli.app', 'tracuu.cli.searching']"
