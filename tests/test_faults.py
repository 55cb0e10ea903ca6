"""Fault-injection tests: what happens when things go wrong while tracuu works.

Every test drives the real command line in a subprocess, on small generated Vietnamese
corpora in ``tmp_path``, and looks only at exit codes, stderr, ``--json`` output and the
documented on-disk layout (``index/CURRENT`` -> ``gen-NNNNNN/`` holding Whoosh ``*.seg`` /
``*.toc`` files, the spellings table ``SPELLINGS.tbl`` and ``manifest.json``;
``index/.lock``; build debris ``.tmp-*``). They
specify the target behaviour; they do not import tracuu.

Exit codes everywhere: 0 found / success, 1 nothing found, 2 error with exactly one line
on stderr starting ``tracuu: error:`` (``tracuu: warning:`` lines may come before it),
130 after Ctrl-C, 143 after SIGTERM. No case ever prints a Python traceback, from the
main process or from a worker process.

What happens when ...

* **a worker process dies during a parallel build** (``tracuu index -j2``, one worker
  SIGKILLed mid-build): either the command fails (exit 2, one line naming the files that
  were not indexed) and the previous index is untouched, byte for byte; or it succeeds and
  every file is in the index. It never exits 0 with files missing. The same holds for an
  incremental update: no file loses its old text without its new text being added, unless
  the command fails and the index is unchanged. A later plain ``tracuu index`` brings the
  index fully up to date.
  (``test_worker_killed_during_full_build``, ``test_worker_killed_during_incremental_update``)
* **tracuu itself is killed** (SIGKILL of the main process during ``-j2``): within a few
  seconds no worker process is left behind; the next ``tracuu index`` succeeds, removes
  the debris (``.tmp-*`` folders, segment files no table of contents refers to) and the
  index is complete. (``test_main_process_killed_leaves_no_orphans_and_next_run_recovers``)
  Every scenario that ends with "a later plain ``tracuu index``" also requires that run to
  leave no debris: an update with nothing to do must not leave segment files behind.
* **Ctrl-C or SIGTERM during a build**: exit 130 (SIGINT to the process group, as a
  terminal sends it) or 143 (SIGTERM to the main process, as ``kill`` sends it), one line
  such as ``tracuu: interrupted``, no traceback from any process, no ``.tmp-*`` left, no
  worker left running, the old index untouched. (``test_ctrl_c_during_parallel_build``,
  ``test_sigterm_during_parallel_build``; a handler that cleans up and then re-raises the
  signal, exit status -15/-2 to Python and 143/130 to a shell, is accepted too.)
* **the same corpus is built twice, in parallel or not**: two ``-j2`` builds and one
  ``-j1`` build give identical ranked lists (file, paragraph, score to 4 places) for 50
  queries, including ties (identical paragraphs in many files) and ambiguous words typed
  without diacritics (``song`` for sống/sông/song/sóng). (``test_parallel_builds_rank_identically``)
* **the index is damaged** (a truncated segment file, garbage in the middle of a segment
  file, the ``.toc`` deleted, ``CURRENT`` naming a missing generation, ``manifest.json``
  deleted or garbage): a search exits 2 with one line (no traceback, no "Aborted!");
  a plain ``tracuu index`` (no ``--rebuild``) repairs it, after which searches give the
  same results as a fresh build; ``tracuu check`` reports the damage with exit 2 and a
  healthy index with exit 0. (``test_damaged_index_search_fails_cleanly``,
  ``test_damaged_index_repaired_by_plain_index``, ``test_check_reports_damage``,
  ``test_check_accepts_healthy_index``; the command name is ``CHECK_COMMAND``.)
* **the disk fills up / writes fail** (per-file size limit RLIMIT_FSIZE in the child, so
  writes fail with EFBIG; and a real, small tmpfs when this machine lets us mount one):
  exit 2 with one line, no traceback, nothing left behind (the index folder is byte for
  byte as before: no ``.tmp-*``, no stray segment files), the old index still searchable;
  once there is room again a plain ``tracuu index`` succeeds.
  (``test_write_failure_file_size_limit``, ``test_disk_full_tmpfs``)
* **input is not what it should be**: a batch file in UTF-16 with BOM is decoded like a
  corpus file and runs; a batch file with invalid UTF-8 fails with one line or runs with
  replacement characters, never a traceback; a corpus file whose NAME is not valid UTF-8
  neither crashes a full or incremental build nor blocks the other files (it is indexed
  under an escaped name or skipped with a warning); a query argument that is not valid
  UTF-8 exits 2 with one line. (``test_batch_file_utf16_with_bom``,
  ``test_batch_file_invalid_utf8``, ``test_corpus_file_name_not_utf8_full_build``,
  ``test_corpus_file_name_not_utf8_incremental``, ``test_query_argument_not_utf8``)
* **things that already work keep working**: a second concurrent ``tracuu index`` is
  refused (exit 2, one line) while the first completes; searches during a rebuild all
  succeed with unchanged results; a read-only index can be searched, and ``tracuu index``
  on it exits 2 with one line; unreadable files (with a warning naming them) and symlink
  loops (file and folder loops) in the corpus are skipped; malformed queries exit 2 with a
  clear message. (``test_second_writer_refused``, ``test_searches_during_rebuild``,
  ``test_read_only_index``, ``test_unreadable_file_and_symlink_loop_skipped``,
  ``test_malformed_query``; as root, the permission tests run the CLI without the
  capabilities that bypass file modes, see ``without_permission_override``.)
* **a file has no line breaks**: indexing a one-line file does not need memory
  proportional to the line: its peak RSS stays within 1.5x of indexing the same text
  split into lines, and under 1 GB (``test_one_line_file_memory``, 1 MB; ``bench_memory.py``
  measures a 20 MB one-line file against the same 1 GB target).

How the faults are made: processes are found through ``/proc`` (descendants of the tracuu
process, multiprocessing's resource tracker and fork server aside); a worker counts as
"mid-build" once it has used ``WORKER_BUSY_CPU`` seconds of CPU; the lock holder is read
from ``/proc/locks``; damage is done to the files of the generation ``CURRENT`` names.
Each CLI run is bounded by ``TIMEOUT``: a hang fails the test and kills the process group.

Run with the interpreter that has tracuu installed: ``python -m pytest -q <this folder>``
(``-m "not slow"`` leaves out the memory test). The index-verification command is
``CHECK_COMMAND`` (``check``; ``TRACUU_CHECK_COMMAND="stats --verify"`` to change it).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# ---------------------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------------------

#: How tracuu is started: there is no ``__main__`` module, so call the console entry point.
CLI = [sys.executable, "-c", "from tracuu.cli import main; main()"]

#: The index-verification command (asserted by tests marked ``check_command``). Adapt here
#: or with TRACUU_CHECK_COMMAND="stats --verify" once the rewrite settles on a name.
CHECK_COMMAND = tuple(shlex.split(os.environ.get("TRACUU_CHECK_COMMAND", "check")))

#: Seconds one CLI run may take before it is treated as a hang (the whole process group
#: is then killed and the test fails saying so).
TIMEOUT = float(os.environ.get("TRACUU_FAULTS_TIMEOUT", "90"))

#: A worker counts as busy indexing (not just importing) once it has used this much CPU.
#: Importing tracuu + underthesea + Whoosh costs about 1 s of CPU in a fresh process.
WORKER_BUSY_CPU = 1.4

#: Corpus sizes: SMALL for most tests (a -j1 build takes ~5 s here), BIG for the tests that
#: kill or interrupt a build, which must still be running when the signal arrives.
SMALL_FILES = 30
BIG_FILES = 64

IS_ROOT = os.geteuid() == 0


# ---------------------------------------------------------------------------------------
# generated Vietnamese corpus
# ---------------------------------------------------------------------------------------

SUBJECTS = [
    "Ủy ban nhân dân quận",
    "Ban thường vụ Đảng ủy",
    "Chi bộ khu phố",
    "Hội đồng nhân dân thành phố",
    "Sở Tài nguyên và Môi trường",
    "Ban chỉ đạo phòng, chống tham nhũng",
    "Ủy ban Mặt trận Tổ quốc",
    "Đoàn thanh niên phường",
    "Hội Liên hiệp Phụ nữ",
    "Văn phòng Chính phủ",
    "Bộ Lao động - Thương binh và Xã hội",
    "Người dân ven sông",
    "Các hộ gia đình có công với cách mạng",
    "Tổ dân phố số bảy",
    "Trường tiểu học Hòa Bình",
    "Hợp tác xã nông nghiệp",
    "Công an phường",
    "Thanh tra huyện",
]
VERBS = [
    "đã triển khai",
    "tiếp tục thực hiện",
    "kiểm tra việc thực hiện",
    "báo cáo kết quả",
    "đề xuất sửa đổi",
    "tổ chức tuyên truyền về",
    "rà soát lại",
    "chỉ đạo quyết liệt",
    "theo dõi sát",
    "tổng kết",
    "chấn chỉnh",
    "thẩm định",
    "phê duyệt",
    "giám sát",
    "hướng dẫn",
    "quán triệt",
]
OBJECTS = [
    "công tác chỉnh đốn Đảng",
    "quy chế dân chủ ở cơ sở",
    "luật an ninh mạng",
    "đời sống nhân dân",
    "chính sách bảo hiểm xã hội",
    "kế hoạch phát triển kinh tế",
    "việc giải phóng mặt bằng",
    "chương trình xây dựng nông thôn mới",
    "môi trường sống",
    "hệ thống kênh rạch và dòng sông",
    "cuộc sống của người lao động",
    "công trình cầu qua sông",
    "chính quyền địa phương",
    "nhiệm vụ chính trị",
    "phong trào thi đua yêu nước",
    "hồ sơ đất đai",
    "thủ tục hành chính",
    "hai nhiệm vụ song song",
    "cửa sổ song sắt của trụ sở",
    "quy hoạch sử dụng đất",
    "chế độ tiền lương",
    "việc phòng chống lụt bão",
]
TAILS = [
    "trong năm qua",
    "theo đúng tiến độ",
    "một cách nghiêm túc",
    "ở tất cả các phường",
    "với sự tham gia của nhân dân",
    "nhằm nâng cao chất lượng",
    "bảo đảm công khai, minh bạch",
    "trước mùa mưa bão",
    "dọc hai bờ sông Sài Gòn",
    "để ổn định cuộc sống lâu dài",
    "theo tinh thần nghị quyết",
    "trong quý ba",
]
EXTRA = [
    "Người dân sống dọc bờ sông mong muốn được tái định cư gần nơi ở cũ.",
    "Sóng lớn làm sạt lở bờ sông, nhiều hộ phải di dời khẩn cấp.",
    "Cán bộ chủ chốt phải gương mẫu, chỉnh đốn tác phong, giữ gìn phẩm chất chính trị.",
    "Hai dự án được triển khai song song, bảo đảm không ảnh hưởng đến đời sống người dân.",
    "Chính phủ yêu cầu chinh phục các mục tiêu tăng trưởng đã đề ra.",
    "Việc sống chung với lũ đã trở thành tập quán của cư dân đồng bằng sông Cửu Long.",
    "Song le, một số đơn vị vẫn chậm trễ trong việc hoàn thiện hồ sơ.",
    "Đề nghị chỉnh sửa quy định về thời hạn giải quyết khiếu nại, tố cáo.",
    "Mạng lưới sông ngòi chằng chịt là điều kiện thuận lợi để phát triển giao thông thủy.",
    "Công tác phòng, chống tham nhũng được tiến hành đồng bộ, chính xác và kịp thời.",
    "Qui chế làm việc mới được thông qua tại hội nghị ngày 16/01/1999.",
    "Hoà giải ở cơ sở góp phần giữ gìn sự đoàn kết trong khu dân cư.",
]
#: Paragraphs repeated verbatim in many files: equal scores (ties) for queries that hit them.
SHARED = [
    "Nơi nhận: Thường trực Quận ủy, Ủy ban nhân dân quận, các đoàn thể chính trị xã hội; lưu văn phòng.",
    "Đề nghị các chi bộ nghiêm túc quán triệt, tổ chức thực hiện chỉnh đốn Đảng và báo cáo về Ban thường vụ.",
    "Bảo vệ môi trường sống của người dân hai bên bờ sông là nhiệm vụ chính trị trọng tâm.",
]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."


def token_for(i: int, version: str = "q") -> str:
    """A word that occurs in exactly one file of the corpus (one per file version)."""
    return f"tl{i:04d}{version}"


def make_text(i: int, version: str = "q", paragraphs: int = 18) -> str:
    rng = random.Random(f"{i}-{version}")
    lines = [
        f"BÁO CÁO SỐ {i} VỀ {rng.choice(OBJECTS).upper()}",
        f"ngày {1 + i % 28} tháng {1 + i % 12} năm {1995 + i % 30}",
        f"Mã hồ sơ lưu trữ {token_for(i, version)} của đơn vị.",
    ]
    for k in range(paragraphs):
        parts = [sentence(rng) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.45:
            parts.append(rng.choice(EXTRA))
        lines.append(" ".join(parts))
        if k % 7 == 3 and (i + k) % 3 == 0:
            lines.append(SHARED[(i + k) % len(SHARED)])
    return "\n\n".join(lines) + "\n"


def file_name(i: int) -> str:
    return f"ho-so-{i:03d}.txt"


def write_corpus(corpus: Path, n: int, paragraphs: int = 18) -> dict[str, str]:
    """n files of a few KB each; returns {file name: its unique word}."""
    corpus.mkdir(parents=True, exist_ok=True)
    tokens = {}
    for i in range(n):
        (corpus / file_name(i)).write_text(make_text(i, "q", paragraphs), encoding="utf-8")
        tokens[file_name(i)] = token_for(i, "q")
    return tokens


# ---------------------------------------------------------------------------------------
# processes: run the CLI, watch its descendants, signal them
# ---------------------------------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")
_HAS_CHILDREN_FILE = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists()


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACUU_")}
    env.update(LC_ALL="C.UTF-8", LANG="C.UTF-8", COLUMNS="250", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def _argv(args) -> list:
    return [
        a if isinstance(a, bytes) else os.fspath(a) if isinstance(a, Path) else str(a) for a in args
    ]


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/pid/stat after the command name: [state, ppid, ...]."""
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return data.rsplit(")", 1)[1].split()


def proc_start_time(pid: int) -> int | None:
    st = _proc_stat(pid)
    return int(st[19]) if st else None


def proc_cpu(pid: int) -> float:
    st = _proc_stat(pid)
    return (int(st[11]) + int(st[12])) / CLK_TCK if st else 0.0


def proc_cmdline(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def is_alive(pid: int, start_time: int | None = None) -> bool:
    """Running (not gone, not a zombie) and, if given, still the same process."""
    st = _proc_stat(pid)
    if st is None or st[0] in ("Z", "X"):
        return False
    return start_time is None or int(st[19]) == start_time


def children(pid: int) -> list[int]:
    if _HAS_CHILDREN_FILE:
        kids: list[int] = []
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            return []
        for tid in tids:
            try:
                kids += [
                    int(x) for x in Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
                ]
            except OSError:
                pass
        return kids
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _proc_stat(int(entry))
            if st and int(st[1]) == pid:
                kids.append(int(entry))
    return kids


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        for kid in children(todo.pop()):
            out.append(kid)
            todo.append(kid)
    return out


def is_helper(pid: int) -> bool:
    """multiprocessing's resource tracker / fork server: not a worker that indexes."""
    cmd = proc_cmdline(pid)
    return "resource_tracker" in cmd or "forkserver" in cmd


@dataclass
class Result:
    args: list
    rc: int
    out: str
    err: str

    def lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]

    def describe(self) -> str:
        return f"exit {self.rc}\n--- stderr ---\n{self.err[-3000:]}\n--- stdout ---\n{self.out[-1500:]}"


def assert_no_traceback(r: Result) -> None:
    assert "Traceback" not in r.err, f"traceback on stderr: {r.describe()}"


def assert_error_line(r: Result, contains: str | None = None) -> str:
    """Exit 2 and exactly one error line (warnings allowed), no traceback, no "Aborted!"."""
    assert_no_traceback(r)
    assert r.rc == 2, f"expected exit 2: {r.describe()}"
    assert "Aborted!" not in r.err, r.describe()
    others = [line for line in r.lines() if not line.startswith("tracuu: warning:")]
    assert len(others) == 1, f"expected one error line: {r.describe()}"
    assert others[0].startswith("tracuu: error:"), r.describe()
    if contains:
        assert contains.lower() in others[0].lower(), r.describe()
    return others[0]


class Problems(list):
    """Soft assertions for multi-step scenarios: every failure mode is reported at once."""

    def expect(self, check, *args, **kwargs):
        """Run an assert_* helper; record its message instead of stopping."""
        try:
            return check(*args, **kwargs)
        except AssertionError as exc:
            self.append(str(exc).split("\nassert ")[0][:1500])
            return None

    def check(self, ok: bool, message: str) -> bool:
        if not ok:
            self.append(message)
        return ok

    def verify(self) -> None:
        assert not self, f"{len(self)} problem(s):\n- " + "\n- ".join(self)


def tracuu(
    *args,
    timeout: float = TIMEOUT,
    input: bytes | None = None,
    preexec_fn=None,
    env: dict | None = None,
    cwd: Path | None = None,
    check_traceback: bool = True,
) -> Result:
    """Run the CLI to completion; a hang kills the whole process group and fails the test."""
    argv = CLI + _argv(args)
    p = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=preexec_fn,
        env=env or cli_env(),
        cwd=cwd,
    )
    try:
        out, err = p.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(p.pid)
        out, err = p.communicate()
        pytest.fail(
            f"tracuu {_argv(args)} did not finish in {timeout:.0f} s (exit {p.returncode}: a hang, or "
            f"processes it left running hold its output open); stderr: {err.decode(errors='replace')[-2000:]}"
        )
    _kill_group(p.pid)  # leftovers in its process group, if any, must not outlive the test
    r = Result(argv, p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
    if check_traceback:
        assert_no_traceback(r)
    return r


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass


def _as_in_a_terminal(then=None):
    """SIGINT back to its default in the child, as a terminal's command gets it: a test
    run started in the background by a non-interactive shell inherits SIGINT ignored,
    and Python then never raises KeyboardInterrupt."""

    def setup():
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if then is not None:
            then()

    return setup


class Running:
    """A CLI run in the background (own session/process group) whose descendants we track."""

    def __init__(self, args, tmp: Path, preexec_fn=None, env=None) -> None:
        self.args = _argv(args)
        tmp.mkdir(parents=True, exist_ok=True)
        self._out = open(tmp / f"out-{time.monotonic_ns()}", "w+b")  # noqa: SIM115 - closed in close()
        self._err = open(tmp / f"err-{time.monotonic_ns()}", "w+b")  # noqa: SIM115
        self.popen = subprocess.Popen(
            CLI + self.args,
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=self._err,
            start_new_session=True,
            preexec_fn=_as_in_a_terminal(preexec_fn),
            env=env or cli_env(),
        )
        self.pid = self.popen.pid
        self.started = time.monotonic()
        self.seen: dict[int, int] = {}  # every descendant ever observed: pid -> start time

    def running(self) -> bool:
        return self.popen.poll() is None

    def observe(self) -> list[int]:
        kids = descendants(self.pid) if self.running() else []
        for pid in kids:
            start = proc_start_time(pid)
            if start is not None:
                self.seen.setdefault(pid, start)
        return kids

    def workers(self) -> list[int]:
        return [pid for pid in self.observe() if not is_helper(pid)]

    def wait_busy_worker(self, min_cpu: float = WORKER_BUSY_CPU, timeout: float = 60) -> int:
        """The busiest worker once one has used ``min_cpu`` s of CPU (mid-build)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                r = self.finish()
                pytest.fail(
                    f"the build ended before a worker was busy (corpus too small?): {r.describe()}"
                )
            busy = sorted(((proc_cpu(pid), pid) for pid in self.workers()), reverse=True)
            if busy and busy[0][0] >= min_cpu:
                return busy[0][1]
            time.sleep(0.05)
        pytest.fail(f"no worker process of {self.args} became busy within {timeout} s")

    def wait_lock_held(self, index: Path, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.observe()
            if lock_holders(index):
                return
            if not self.running():
                pytest.fail(
                    f"the build ended before it held the index lock: {self.finish().describe()}"
                )
            time.sleep(0.05)
        pytest.fail("the build never took the index lock")

    def finish(self, timeout: float = TIMEOUT) -> Result:
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill_all()
            self.popen.wait()
            pytest.fail(
                f"tracuu {self.args} hung for {timeout:.0f} s; stderr: {self._read(self._err)[-2000:]}"
            )
        return Result(
            self.args, self.popen.returncode, self._read(self._out), self._read(self._err)
        )

    @staticmethod
    def _read(f) -> str:
        f.flush()
        f.seek(0)
        return f.read().decode("utf-8", "replace")

    def alive_descendants(self) -> list[int]:
        return [pid for pid, start in self.seen.items() if is_alive(pid, start)]

    def orphans_after(self, timeout: float = 5.0) -> list[str]:
        """Descendants still running ``timeout`` s after the main process ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive_descendants():
                return []
            time.sleep(0.1)
        return [f"{pid}: {proc_cmdline(pid)[:120]}" for pid in self.alive_descendants()]

    def kill_all(self) -> None:
        _kill_group(self.pid)
        for pid in self.alive_descendants():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def close(self) -> None:
        self.kill_all()
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self._out.close()
        self._err.close()


@pytest.fixture
def spawn(tmp_path):
    """Start CLI runs in the background; every process they started is killed at teardown."""
    runs: list[Running] = []

    def start(*args, preexec_fn=None, env=None) -> Running:
        run = Running(args, tmp_path / "logs", preexec_fn=preexec_fn, env=env)
        runs.append(run)
        return run

    yield start
    for run in runs:
        run.close()


def lock_holders(index: Path) -> list[int]:
    """PIDs holding a flock on index/.lock, from /proc/locks (without touching the lock)."""
    try:
        ino = (Path(index) / ".lock").stat().st_ino
    except OSError:
        return []
    holders = []
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.split()
        if "FLOCK" in parts and "->" not in parts:
            i = parts.index("FLOCK")
            pid, dev_ino = parts[i + 3], parts[i + 4]
            if dev_ino.rsplit(":", 1)[-1] == str(ino):
                holders.append(int(pid))
    return holders


def without_permission_override():
    """preexec_fn for root: drop the capabilities that ignore file permissions.

    CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER leave the bounding set, so the
    exec'd CLI runs as root that obeys mode bits (chmod 000 / a-w then mean what they say).
    Easier than switching to an unprivileged user, who could not reach the interpreter or
    pytest's 0700 tmp folders.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def file_size_limit(limit: int):
    """preexec_fn: writes past ``limit`` bytes fail with EFBIG instead of killing with SIGXFSZ."""

    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


# ---------------------------------------------------------------------------------------
# the index on disk
# ---------------------------------------------------------------------------------------

_SEGMENT_FILE = re.compile(r"^(?P<name>[A-Za-z0-9]+)_(?P<id>[a-z0-9]{12,})\..+$")
_TOC_FILE = re.compile(r"^_(?P<name>[A-Za-z0-9]+)_(?P<gen>\d+)\.toc$")


def snapshot(index: Path) -> dict[str, tuple[int, str]]:
    """Every file below the index folder (lock files aside): relative name -> (size, sha256)."""
    snap = {}
    for p in sorted(Path(index).rglob("*")):
        if p.is_file() and p.name != ".lock" and not p.name.endswith("WRITELOCK"):
            snap[p.relative_to(index).as_posix()] = (
                p.stat().st_size,
                hashlib.sha256(p.read_bytes()).hexdigest(),
            )
    return snap


def snapshot_diff(before: dict, after: dict) -> list[str]:
    out = [f"removed {k}" for k in before if k not in after]
    out += [f"added {k}" for k in after if k not in before]
    out += [f"changed {k}" for k in before if k in after and before[k] != after[k]]
    return out


def current_gen(index: Path) -> Path:
    return Path(index) / (Path(index) / "CURRENT").read_text(encoding="utf-8").strip()


def debris(index: Path) -> list[str]:
    """Leftovers of an unfinished build: .tmp-* / *.tmp anywhere, segment files no TOC refers to."""
    index = Path(index)
    is_tmp = lambda name: name.startswith(".tmp-") or name.endswith(".tmp")  # noqa: E731
    rels = [p.relative_to(index) for p in index.rglob("*") if is_tmp(p.name)]
    found = sorted(r.as_posix() for r in rels if not any(is_tmp(part) for part in r.parts[:-1]))
    for gen in sorted(index.glob("gen-*")):
        tocs = {}
        for p in gen.iterdir():
            m = _TOC_FILE.match(p.name)
            if m and int(m["gen"]) > tocs.get(m["name"], (-1, None))[0]:
                tocs[m["name"]] = (int(m["gen"]), p)
        for p in gen.iterdir():
            m = _SEGMENT_FILE.match(p.name)
            if not m or p.name.endswith(".toc"):
                continue
            toc = tocs.get(m["name"])
            if toc is None or m["id"].encode() not in toc[1].read_bytes():
                found.append(f"{p.relative_to(index).as_posix()} (segment not in any TOC)")
    return found


def segment_files(index: Path) -> list[Path]:
    return sorted(current_gen(index).glob("*.seg"), key=lambda p: p.stat().st_size, reverse=True)


# ---------------------------------------------------------------------------------------
# workspaces: a corpus and its index, copied from a session-wide build
# ---------------------------------------------------------------------------------------


@dataclass
class Workspace:
    corpus: Path
    index: Path
    tokens: dict[str, str]  # file name -> word found only in that file
    gone: dict[str, str] = field(default_factory=dict)  # file name -> word no longer in it
    index_args: tuple = ()  # given to every `tracuu index` of this workspace

    def loc(self) -> list:
        return ["--corpus", self.corpus, "--index", self.index]

    def index_cmd(self, *extra, **kw) -> Result:
        return tracuu("index", *self.loc(), *self.index_args, *extra, **kw)

    def copy(self, root: Path, with_index: bool = True) -> Workspace:
        root.mkdir(parents=True, exist_ok=True)
        corpus = root / "corpus"
        shutil.copytree(self.corpus, corpus)  # copy2: mtimes kept, so nothing looks changed
        index = root / "index"
        if with_index:
            shutil.copytree(self.index, index)
        return Workspace(corpus, index, dict(self.tokens), dict(self.gone), self.index_args)

    def change_files(self, names: list[str]) -> None:
        """Rewrite files with new text and a new unique word (the old word disappears)."""
        for name in names:
            i = int(name[len("ho-so-") : -len(".txt")])
            (self.corpus / name).write_text(make_text(i, "v"), encoding="utf-8")
            self.gone[name] = self.tokens[name]
            self.tokens[name] = token_for(i, "v")


def batch(
    ws: Workspace, queries: dict[str, str], limit: int, *extra, index: Path | None = None
) -> tuple[Result, dict]:
    """Run ``tracuu batch`` (JSON lines); returns (result, {id: [(file, paragraph, score4)]})."""
    qfile = Path(tempfile.mkstemp(suffix=".tsv", dir=ws.corpus.parent)[1])
    qfile.write_text("".join(f"{k}\t{q}\n" for k, q in queries.items()), encoding="utf-8")
    r = tracuu(
        "batch", qfile, "-n", limit, "--by-paragraph", "--corpus", ws.corpus,
        "--index", index or ws.index, *extra,
    )  # fmt: skip
    qfile.unlink()
    hits = {}
    for line in r.out.splitlines():
        rec = json.loads(line)
        hits[rec["id"]] = (
            [(h["file"], h["paragraph"], round(h["score"], 4)) for h in rec["hits"]]
            if "hits" in rec
            else ("error", rec.get("error"))
        )
    return r, hits


def stats_json(ws: Workspace) -> dict:
    r = tracuu("stats", "--json", "--index", ws.index)
    assert r.rc == 0, f"stats failed: {r.describe()}"
    return json.loads(r.out)


def completeness_problems(ws: Workspace, n_files: int | None = None) -> list[str]:
    """Files whose unique word is not found in them, words that should be gone, bad counts."""
    queries = {f"now:{name}": tok for name, tok in ws.tokens.items()}
    queries.update({f"gone:{name}": tok for name, tok in ws.gone.items()})
    r, hits = batch(ws, queries, 5)
    problems = []
    if r.rc not in (0, 1):
        return [f"batch failed: {r.describe()}"]
    for name in ws.tokens:
        found = [h[0] for h in hits.get(f"now:{name}", [])]
        if name not in found:
            problems.append(
                f"{name}: its word {ws.tokens[name]} is not found (file missing or stale)"
            )
    for name in ws.gone:
        if name in [h[0] for h in hits.get(f"gone:{name}", [])]:
            problems.append(f"{name}: its old word {ws.gone[name]} is still found (stale text)")
    r = tracuu("stats", "--json", "--index", ws.index)
    if r.rc != 0:
        problems.append(f"stats failed: {r.describe()}")
    else:
        docs = json.loads(r.out)["documents"]
        expected = len(ws.tokens) if n_files is None else n_files
        if docs != expected:
            problems.append(f"stats: {docs} documents, expected {expected}")
    return problems


def missing_files(ws: Workspace) -> list[str]:
    return [
        p.split(":")[0] for p in completeness_problems(ws) if p.endswith("(file missing or stale)")
    ]


#: Queries whose full hit lists (every matching paragraph) must match a fresh build's.
REFERENCE_QUERIES = {
    "chinh-don": "chỉnh đốn Đảng",
    "song": "song",
    "chinh": "chinh",
    "bo-song": '"bờ sông"',
    "noi-nhan": "nơi nhận",
    "an-ninh": "an ninh mạng",
    "moi-truong": "môi trường sống",
    "tl3": token_for(3),
    "tl17": token_for(17),
    "tl29": token_for(29),
}


def hit_sets(hits: dict) -> dict:
    """{id: sorted (file, paragraph)}: what is found, whatever the ranking (scores are
    compared only by the determinism test, so that a ranking difference between -j1 and -j2
    builds does not show up as a repair or recovery failure)."""
    return {k: sorted(h[:2] for h in v) if isinstance(v, list) else v for k, v in hits.items()}


def reference_results(ws: Workspace) -> dict:
    r, hits = batch(ws, REFERENCE_QUERIES, 1000)
    assert r.rc == 0, r.describe()
    return hit_sets(hits)


def _build(root: Path, n: int, jobs: int, paragraphs: int = 18, index_args=()) -> Workspace:
    corpus = root / "corpus"
    tokens = write_corpus(corpus, n, paragraphs)
    ws = Workspace(corpus, root / "index", tokens, index_args=tuple(index_args))
    r = ws.index_cmd("-j", jobs, "-q")
    assert r.rc == 0, r.describe()
    return ws


@pytest.fixture(scope="session")
def small_src(tmp_path_factory) -> Workspace:
    """SMALL_FILES files, built once with -j1 (read only: tests take copies)."""
    return _build(tmp_path_factory.mktemp("small"), SMALL_FILES, 1, paragraphs=16)


@pytest.fixture(scope="session")
def small_ref(small_src) -> dict:
    return reference_results(small_src)


@pytest.fixture(scope="session")
def big_src(tmp_path_factory) -> Workspace:
    # with underthesea's words the build is slow enough for a kill to land mid-build
    return _build(
        tmp_path_factory.mktemp("big"), BIG_FILES, 2, paragraphs=22, index_args=["--words"]
    )


@pytest.fixture
def small(tmp_path, small_src) -> Workspace:
    return small_src.copy(tmp_path / "ws")


@pytest.fixture
def big(tmp_path, big_src) -> Workspace:
    return big_src.copy(tmp_path / "ws")


# ---------------------------------------------------------------------------------------
# a worker dies during a parallel build
# ---------------------------------------------------------------------------------------


def _no_debris(problems: Problems, ws: Workspace, when: str) -> None:
    left = debris(ws.index)
    problems.check(not left, f"{when}: debris left in the index folder: {left}")


def _unchanged(problems: Problems, ws: Workspace, before: dict, when: str) -> None:
    diff = snapshot_diff(before, snapshot(ws.index))
    problems.check(not diff, f"{when}: the old index was changed: {diff[:6]}")


def _catch_up(problems: Problems, ws: Workspace) -> None:
    """A later plain `tracuu index` must bring the index fully up to date, cleanly."""
    r = ws.index_cmd(check_traceback=False)
    problems.expect(assert_no_traceback, r)
    if problems.check(r.rc == 0, f"the next plain `tracuu index` failed: {r.describe()}"):
        problems += [f"after the next `tracuu index`: {p}" for p in completeness_problems(ws)]
        _no_debris(problems, ws, "after the next `tracuu index`")


def test_worker_killed_during_full_build(big, spawn):
    """SIGKILL one worker of `index --rebuild -j2`: exit 2 + old index intact, or exit 0 + complete."""
    before = snapshot(big.index)
    run = spawn("index", "--rebuild", "-j2", *big.loc(), *big.index_args)
    os.kill(run.wait_busy_worker(), signal.SIGKILL)
    r = run.finish()
    problems = Problems()
    problems.expect(assert_no_traceback, r)
    if r.rc == 2:
        line = problems.expect(assert_error_line, r)
        problems.check(
            line is None or any(n in line for n in big.tokens), f"the error names no file: {line}"
        )
        _unchanged(problems, big, before, "after the failed build")
    elif problems.check(r.rc == 0, f"expected exit 0 or 2: {r.describe()}"):
        missing = missing_files(big)
        problems.check(
            not missing,
            f"exit 0 with {len(missing)} of {len(big.tokens)} files missing: {missing[:6]}",
        )
    _no_debris(problems, big, "after the killed build")
    _catch_up(problems, big)
    problems.verify()


def test_worker_killed_during_incremental_update(big, spawn):
    """SIGKILL one worker of `index -j2` after many files changed: never old text lost without new."""
    before = snapshot(big.index)
    big.change_files(sorted(big.tokens)[: int(len(big.tokens) * 0.7)])
    run = spawn("index", "-j2", *big.loc(), *big.index_args)
    os.kill(run.wait_busy_worker(), signal.SIGKILL)
    r = run.finish()
    problems = Problems()
    problems.expect(assert_no_traceback, r)
    if r.rc == 2:
        problems.expect(assert_error_line, r)
        _unchanged(problems, big, before, "after the failed update")
    elif problems.check(r.rc == 0, f"expected exit 0 or 2: {r.describe()}"):
        stale = completeness_problems(big)
        lost = [p for p in stale if "not found" in p]
        problems.check(
            not stale,
            f"exit 0 but {len(lost)} changed file(s) lost their old text without "
            f"the new one being added: {lost[:4]}; other: {[p for p in stale if p not in lost][:4]}",
        )
    _no_debris(problems, big, "after the killed update")
    _catch_up(problems, big)
    problems.verify()


# ---------------------------------------------------------------------------------------
# tracuu itself is killed or interrupted
# ---------------------------------------------------------------------------------------


def test_main_process_killed_leaves_no_orphans_and_next_run_recovers(big, spawn):
    run = spawn("index", "--rebuild", "-j2", *big.loc(), *big.index_args)
    run.wait_busy_worker()
    run.observe()
    os.kill(run.pid, signal.SIGKILL)
    run.finish()
    problems = Problems()
    orphans = run.orphans_after(5.0)
    if not problems.check(
        not orphans, f"processes still running 5 s after tracuu was killed: {orphans}"
    ):
        run.kill_all()  # so that they cannot disturb the recovery below
    _catch_up(problems, big)
    problems.verify()


def _assert_interrupted(r: Result, sig: int) -> None:
    assert "Traceback" not in r.err, f"traceback on stderr (main or worker): {r.describe()}"
    assert r.rc in (128 + sig, -sig), f"expected exit {128 + sig}: {r.describe()}"
    assert "Aborted!" not in r.err, r.describe()
    others = [line for line in r.lines() if not line.startswith("tracuu: warning:")]
    assert len(others) == 1 and "interrupt" in others[0].lower(), (
        f"expected one line: {r.describe()}"
    )


def _interrupt_scenario(big: Workspace, spawn, send) -> None:
    before = snapshot(big.index)
    run = spawn("index", "--rebuild", "-j2", *big.loc(), *big.index_args)
    run.wait_busy_worker()
    run.observe()
    send(run.pid)
    r = run.finish()
    problems = Problems()
    problems.expect(_assert_interrupted, r, send.sig)
    orphans = run.orphans_after(5.0)
    problems.check(not orphans, f"processes left running: {orphans}")
    run.kill_all()
    _no_debris(problems, big, "after the interrupted build")
    _unchanged(problems, big, before, "after the interrupted build")
    _catch_up(problems, big)
    problems.verify()


def test_ctrl_c_during_parallel_build(big, spawn):
    """SIGINT to the whole process group, as a terminal sends it on Ctrl-C."""

    def send(pid):
        os.killpg(pid, signal.SIGINT)

    send.sig = signal.SIGINT
    _interrupt_scenario(big, spawn, send)


def test_sigterm_during_parallel_build(big, spawn):
    """SIGTERM to the main process only, as `kill PID` sends it."""

    def send(pid):
        os.kill(pid, signal.SIGTERM)

    send.sig = signal.SIGTERM
    _interrupt_scenario(big, spawn, send)


# ---------------------------------------------------------------------------------------
# determinism
# ---------------------------------------------------------------------------------------

# fmt: off
DETERMINISM_QUERIES = [
    # accented words and words with several readings
    "sống", "sông", "sóng", "song", "chính", "chỉnh", "chinh", "chính trị", "chỉnh đốn",
    "Đảng", "dân chủ", "nhân dân", "môi trường", "tham nhũng", "bảo hiểm", "đất đai",
    "quy chế", "qui chế", "hòa giải", "hoà giải", "tiền lương", "lụt bão", "giao thông",
    # typed without diacritics
    "song song", "chinh don dang", "bo song", "moi truong song", "cuoc song", "chinh tri",
    "nhiem vu chinh tri", "song sat", "dong song", "noi nhan", "an ninh mang", "dan chu",
    # phrases and operators
    '"bờ sông"', '"chỉnh đốn Đảng"', '"nơi nhận"', '"môi trường sống"', '"song song"',
    '"ban thường vụ"', '"đời sống nhân dân"', "sông AND sống", "chính OR chỉnh",
    "Đảng -tham", "nhiệm vụ chính trị trọng tâm của người dân hai bên bờ sông",
    "người dân sống dọc bờ sông mong muốn được tái định cư",
    "tl0005q", "tl0012q", "tl0027q",
]
# fmt: on
assert len(DETERMINISM_QUERIES) == 50


def test_parallel_builds_rank_identically(small_src, tmp_path):
    """Two -j2 builds and one -j1 build: identical top-10 lists (ties cut at the limit)."""
    queries = {f"q{i}": q for i, q in enumerate(DETERMINISM_QUERIES)}
    runs = {}
    for name, jobs in (("j1", None), ("j2-a", 2), ("j2-b", 2)):
        index = small_src.index if jobs is None else tmp_path / name
        if jobs is not None:
            r = tracuu(
                "index",
                "--rebuild",
                "-j",
                jobs,
                "-q",
                "--corpus",
                small_src.corpus,
                "--index",
                index,
            )
            assert r.rc == 0, r.describe()
        r, hits = batch(small_src, queries, 10, index=index)
        assert r.rc == 0, r.describe()
        runs[name] = hits
    differ = [
        f"{queries[q]!r}: j1 {runs['j1'][q][:4]}... j2-a {runs['j2-a'][q][:4]}... j2-b {runs['j2-b'][q][:4]}..."
        for q in queries
        if not runs["j1"][q] == runs["j2-a"][q] == runs["j2-b"][q]
    ]
    assert differ == [], f"{len(differ)} of 50 queries rank differently: " + "\n".join(differ[:5])


# ---------------------------------------------------------------------------------------
# a damaged index
# ---------------------------------------------------------------------------------------


def _truncate_segment(index: Path) -> Path:
    seg = segment_files(index)[0]
    with open(seg, "r+b") as f:
        f.truncate(seg.stat().st_size // 2)
    return seg


def _garbage_in_segment(index: Path) -> Path:
    seg = segment_files(index)[0]
    size = seg.stat().st_size
    with open(seg, "r+b") as f:
        f.seek(size // 2)
        f.write(random.Random(7).randbytes(min(8192, size // 4)))
    return seg


def _delete_toc(index: Path) -> None:
    for toc in current_gen(index).glob("*.toc"):
        toc.unlink()


def _current_names_missing_generation(index: Path) -> None:
    (index / "CURRENT").write_text("gen-000999\n", encoding="utf-8")


def _delete_manifest(index: Path) -> None:
    (current_gen(index) / "manifest.json").unlink()


def _garbage_manifest(index: Path) -> None:
    (current_gen(index) / "manifest.json").write_bytes(b'{"schema": 2, "files": {\x00\xff garbage')


def _manifest_record_without_hash(index: Path) -> None:
    """Valid JSON, a file's record without a field it cannot do without (its records
    are made when a search shows them: the manifest is checked when read)."""
    manifest = current_gen(index) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    del data["files"][sorted(data["files"])[-1]]["sha256"]
    manifest.write_text(json.dumps(data), encoding="utf-8")


def _truncate_spellings(index: Path) -> None:
    table = current_gen(index) / "SPELLINGS.tbl"
    table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])


def _delete_spellings(index: Path) -> None:
    (current_gen(index) / "SPELLINGS.tbl").unlink()


DAMAGES = {
    "truncated-segment": _truncate_segment,
    "truncated-spellings": _truncate_spellings,
    "spellings-deleted": _delete_spellings,
    "garbage-in-segment": _garbage_in_segment,
    "toc-deleted": _delete_toc,
    "current-names-missing-gen": _current_names_missing_generation,
    "manifest-deleted": _delete_manifest,
    "manifest-garbage": _garbage_manifest,
    "manifest-record-without-hash": _manifest_record_without_hash,
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_index_search_fails_cleanly(small, damage):
    DAMAGES[damage](small.index)
    r = tracuu("search", "chỉnh đốn Đảng", *small.loc())
    assert_error_line(r)


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_index_repaired_by_plain_index(small, small_ref, damage):
    damaged = DAMAGES[damage](small.index)  # the damaged segment file, if any
    damaged_segments = {hashlib.sha256(damaged.read_bytes()).hexdigest()} if damaged else set()
    r = small.index_cmd()
    assert r.rc == 0, f"plain `tracuu index` did not repair the index: {r.describe()}"
    in_use = {
        hashlib.sha256(p.read_bytes()).hexdigest() for p in current_gen(small.index).glob("*.seg")
    }
    assert not damaged_segments & in_use, (
        "the damaged segment file is still in use after `tracuu index`"
    )
    assert reference_results(small) == small_ref, "results after repair differ from a fresh build"
    assert completeness_problems(small) == []
    assert debris(small.index) == []


@pytest.mark.check_command
@pytest.mark.parametrize("damage", DAMAGES)
def test_check_reports_damage(small, damage):
    DAMAGES[damage](small.index)
    r = tracuu(*CHECK_COMMAND, "--index", small.index)
    assert_error_line(r)


@pytest.mark.check_command
def test_check_accepts_healthy_index(small):
    r = tracuu(*CHECK_COMMAND, "--index", small.index)
    assert_no_traceback(r)
    assert r.rc == 0, r.describe()


# ---------------------------------------------------------------------------------------
# the disk fills up
# ---------------------------------------------------------------------------------------


def _write_failure_scenario(
    ws: Workspace, ref: dict, mode: str, preexec_fn=None, lift=None
) -> None:
    """A build that cannot write: one clean error, nothing left behind, old index usable."""
    before = snapshot(ws.index)
    if mode == "incremental":
        old = (dict(ws.tokens), dict(ws.gone))
        ws.change_files(sorted(ws.tokens)[:20])
        r = ws.index_cmd("-j2", preexec_fn=preexec_fn, check_traceback=False)
    else:
        r = ws.index_cmd("--rebuild", "-j2", preexec_fn=preexec_fn, check_traceback=False)
    problems = Problems()
    problems.expect(assert_error_line, r)
    _no_debris(problems, ws, "after the failed write")
    _unchanged(problems, ws, before, "after the failed write")
    if mode == "incremental":  # the old words must all still be found
        now = (ws.tokens, ws.gone)
        ws.tokens, ws.gone = old
        problems += [f"after the failed update: {p}" for p in completeness_problems(ws)]
        ws.tokens, ws.gone = now
    rb, hits = batch(ws, REFERENCE_QUERIES, 1000)
    problems.check(
        rb.rc == 0 and hit_sets(hits) == ref, "the old index no longer answers as before"
    )
    if lift:
        lift()
    _catch_up(problems, ws)
    problems.verify()


@pytest.mark.parametrize("mode", ["rebuild", "incremental"])
def test_write_failure_file_size_limit(small, small_ref, mode):
    """RLIMIT_FSIZE in the child (SIGXFSZ ignored): writes fail with EFBIG like a full disk."""
    _write_failure_scenario(small, small_ref, mode, preexec_fn=file_size_limit(96 * 1024))


def _mount_tmpfs(where: Path, size_kb: int) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    if not IS_ROOT or shutil.which("mount") is None:
        return False
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)], capture_output=True
    )
    return r.returncode == 0


@pytest.mark.parametrize("mode", ["rebuild", "incremental"])
def test_disk_full_tmpfs(small_src, small_ref, tmp_path, mode):
    """The index on a real tmpfs just big enough for the old index: ENOSPC while writing."""
    mnt = tmp_path / "mnt"
    index_kb = sum(p.stat().st_size for p in small_src.index.rglob("*") if p.is_file()) // 1024
    if not _mount_tmpfs(mnt, index_kb + 192):
        pytest.skip("cannot mount a tmpfs here (not root, or no permission)")
    try:
        ws = small_src.copy(tmp_path / "ws", with_index=False)
        ws.index = mnt / "index"
        shutil.copytree(small_src.index, ws.index)
        _write_failure_scenario(
            ws,
            small_ref,
            mode,
            lift=lambda: subprocess.run(["mount", "-o", "remount,size=256m", str(mnt)], check=True),
        )
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


# ---------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------

BATCH_QUERIES = {"a": "chỉnh đốn Đảng", "b": "song", "c": token_for(7), "d": '"bờ sông"'}


def test_batch_file_utf16_with_bom(small_src, tmp_path):
    text = "".join(f"{k}\t{q}\n" for k, q in BATCH_QUERIES.items())
    utf8, utf16 = tmp_path / "q8.tsv", tmp_path / "q16.tsv"
    utf8.write_text(text, encoding="utf-8")
    utf16.write_text(text, encoding="utf-16")  # with BOM
    assert utf16.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    r8 = tracuu("batch", utf8, *small_src.loc())
    r16 = tracuu("batch", utf16, *small_src.loc())
    assert r8.rc == 0, r8.describe()
    assert r16.rc == 0, f"UTF-16 batch file not run: {r16.describe()}"
    assert r16.out == r8.out


def test_batch_file_invalid_utf8(small_src, tmp_path):
    qfile = tmp_path / "bad.tsv"
    qfile.write_bytes(
        f"a\t{token_for(3)}\n".encode()
        + b"b\tch\xe1nh s\xf4ng\n"  # Latin-1 bytes
        + b"c\t\xff\xfe\x80 \xc3\n"  # no encoding at all
        + f"d\t{token_for(4)}\n".encode()
    )
    r = tracuu("batch", qfile, *small_src.loc())
    assert_no_traceback(r)
    if r.rc == 2 and not r.out.strip():
        assert_error_line(r)  # refused as a whole, with one line
        return
    # or decoded with replacement characters: the good lines ran and found their files
    assert r.rc in (0, 2), r.describe()
    records = {rec["id"]: rec for rec in map(json.loads, r.out.splitlines())}
    assert [h["file"] for h in records["a"]["hits"]][:1] == [file_name(3)], r.describe()
    assert [h["file"] for h in records["d"]["hits"]][:1] == [file_name(4)], r.describe()
    assert all(line.startswith("tracuu:") for line in r.lines()), r.describe()


BAD_NAME = b"ho-so-\xff\xfe-cu.txt"  # not valid UTF-8 (e.g. a Latin-1 name from an old archive)
BAD_TOKEN = "tl9999q"


def _add_bad_name_file(corpus: Path, text: str) -> None:
    path = os.fsencode(corpus) + b"/" + BAD_NAME
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


def _bad_name_checks(ws: Workspace, r: Result) -> None:
    assert r.rc == 0, f"a badly named file broke the build: {r.describe()}"
    problems = [p for p in completeness_problems(ws, n_files=None) if not p.startswith("stats:")]
    assert not problems, "other files were not indexed: " + "; ".join(problems)
    docs = stats_json(ws)["documents"]
    assert docs in (len(ws.tokens), len(ws.tokens) + 1), f"stats: {docs} documents"
    if docs == len(ws.tokens):  # skipped: then with a warning naming it
        assert any("warning" in line and "ho-so-" in line for line in r.lines()), r.describe()
    for args in ([BAD_TOKEN], [BAD_TOKEN, "--json"], [BAD_TOKEN, "--jsonl"]):
        s = tracuu("search", *args, *ws.loc())
        assert s.rc == (0 if docs > len(ws.tokens) else 1), s.describe()
    assert tracuu("stats", "--index", ws.index).rc == 0
    again = ws.index_cmd()
    assert again.rc == 0, f"the next `tracuu index` failed: {again.describe()}"


def test_corpus_file_name_not_utf8_full_build(small_src, tmp_path):
    ws = small_src.copy(tmp_path / "ws", with_index=False)
    _add_bad_name_file(ws.corpus, f"Biên bản cũ\n\nMã hồ sơ {BAD_TOKEN} từ kho lưu trữ cũ.\n")
    r = ws.index_cmd("-j2")
    _bad_name_checks(ws, r)


def test_corpus_file_name_not_utf8_incremental(small):
    _add_bad_name_file(small.corpus, f"Biên bản cũ\n\nMã hồ sơ {BAD_TOKEN} từ kho lưu trữ cũ.\n")
    small.change_files(sorted(small.tokens)[:10])
    r = small.index_cmd("-j2")
    _bad_name_checks(small, r)
    assert completeness_problems(small, n_files=stats_json(small)["documents"]) == []


@pytest.mark.parametrize(
    "query",
    ["Đảng ".encode() + b"\xff\xfe", b"ch\xe1nh s\xf4ng"],
    ids=["word-plus-invalid-bytes", "latin-1"],
)
def test_query_argument_not_utf8(small_src, query):
    r = tracuu("search", query, *small_src.loc())
    assert_error_line(r)


# ---------------------------------------------------------------------------------------
# things that already work keep working
# ---------------------------------------------------------------------------------------


def test_second_writer_refused(small, spawn):
    first = spawn("index", "--rebuild", "-j2", *small.loc())
    first.wait_lock_held(small.index)
    second = small.index_cmd()
    assert first.running(), "the first build ended before the second one was tried"
    assert_error_line(second, contains="lock")
    r = first.finish()
    assert r.rc == 0, r.describe()
    assert completeness_problems(small) == []


def test_searches_during_rebuild(small, small_ref, spawn):
    run = spawn("index", "--rebuild", "-j2", *small.loc())
    during = 0
    while True:
        still_running = run.running()
        r, hits = batch(small, REFERENCE_QUERIES, 1000)
        assert r.rc == 0, r.describe()
        assert hit_sets(hits) == small_ref
        if not still_running:
            break
        during += run.running()
    assert run.finish().rc == 0
    assert during >= 2, f"only {during} search(es) ran during the rebuild"


@pytest.fixture
def unprivileged():
    """preexec_fn under which file permissions apply (root ignores them otherwise)."""
    return without_permission_override if IS_ROOT else None


def test_read_only_index(small_src, small_ref, tmp_path, unprivileged):
    ws = small_src.copy(tmp_path / "ws")
    before = snapshot(ws.index)
    for p in [ws.index, *ws.index.rglob("*")]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    env = cli_env()
    r = tracuu(
        "search",
        "--json",
        "-n",
        "1000",
        "chỉnh đốn Đảng",
        *ws.loc(),
        preexec_fn=unprivileged,
        env=env,
    )
    assert r.rc == 0, f"search in a read-only index failed: {r.describe()}"
    found = sorted((h["file"], h["paragraph"]) for h in json.loads(r.out)["hits"])
    assert found == small_ref["chinh-don"]
    for args in ([], ["--rebuild"]):
        r = tracuu("index", *args, *ws.loc(), preexec_fn=unprivileged, env=env)
        assert_error_line(r)
    assert snapshot_diff(before, snapshot(ws.index)) == []


def test_unreadable_file_and_symlink_loop_skipped(small_src, tmp_path, unprivileged):
    ws = small_src.copy(tmp_path / "ws", with_index=False)
    unreadable = ws.corpus / file_name(5)
    del ws.tokens[file_name(5)]
    os.symlink("vong-b.txt", ws.corpus / "vong-a.txt")
    os.symlink("vong-a.txt", ws.corpus / "vong-b.txt")
    (ws.corpus / "thu-muc").mkdir()
    (ws.corpus / "thu-muc" / "ho-so-900.txt").write_text(make_text(900), encoding="utf-8")
    ws.tokens["thu-muc/ho-so-900.txt"] = token_for(900)
    os.symlink("..", ws.corpus / "thu-muc" / "len-tren")  # a folder loop
    unreadable.chmod(0)
    env = cli_env()
    r = tracuu("index", "-j2", *ws.loc(), preexec_fn=unprivileged, env=env)
    assert r.rc == 0, r.describe()
    assert any(
        line.startswith("tracuu: warning:") and file_name(5) in line for line in r.lines()
    ), r.describe()
    assert completeness_problems(ws) == []


@pytest.mark.parametrize("query", ['"chỉnh đốn', "Đảng AND", "(Đảng", "sông OR"])
def test_malformed_query(small_src, query):
    r = tracuu("search", query, *small_src.loc())
    line = assert_error_line(r)
    assert "query" in line.lower(), line


# ---------------------------------------------------------------------------------------
# memory: a file with no line breaks
# ---------------------------------------------------------------------------------------

MEMORY_TEST_MB = 1.0

_PEAK_RSS = """
import resource, subprocess, sys
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
sys.stderr.buffer.write(rc.stderr[-2000:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc.returncode)
"""


def peak_rss_kb(args: list, timeout: float = 600) -> tuple[int, int, str]:
    """Peak RSS (KB) of the largest process of one CLI run, measured from a fresh parent."""
    p = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS, *CLI, *_argv(args)],
        capture_output=True,
        env=cli_env(),
        timeout=timeout,
    )
    rss, rc = p.stdout.split()
    return int(rss), int(rc), p.stderr.decode(errors="replace")


def vietnamese_text(n_bytes: int, sep: str) -> str:
    rng = random.Random(2024)
    parts, size = [], 0
    while size < n_bytes:
        s = sentence(rng) if rng.random() < 0.8 else rng.choice(EXTRA)
        parts.append(s)
        size += len(s.encode()) + 1
    return sep.join(parts) + "\n"


@pytest.mark.slow
def test_one_line_file_memory(tmp_path):
    """Peak RSS for a one-line file stays close to that for the same text in lines.

    (Comparing a 1 MB with a 3 MB one-line file is not used: Whoosh's in-memory posting
    pool grows with the text indexed whatever its line structure; for the same text split
    into lines the base release goes from ~270 MB at 1 MB to ~600 MB at 3 MB.)
    """
    n = int(MEMORY_TEST_MB * 1_000_000)
    rss = {}
    for kind, sep in (("lines", "\n"), ("one-line", " ")):
        corpus = tmp_path / kind
        corpus.mkdir()
        (corpus / f"{kind}.txt").write_text(vietnamese_text(n, sep), encoding="utf-8")
        kb, rc, err = peak_rss_kb(
            ["index", "-j1", "-q", "--corpus", corpus, "--index", tmp_path / f"ix-{kind}"]
        )
        assert rc == 0 and "Traceback" not in err, err
        rss[kind] = kb / 1024
    assert rss["one-line"] < 1024, (
        f"one-line {MEMORY_TEST_MB} MB file: peak RSS {rss['one-line']:.0f} MB"
    )
    assert rss["one-line"] < 1.5 * rss["lines"], (
        f"one-line file peak RSS {rss['one-line']:.0f} MB vs {rss['lines']:.0f} MB for the same text in lines"
    )
