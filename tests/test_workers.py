"""The build's process pool: ordered results, dead workers retried or given up, no orphans."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tracuu.workers import Pool


def square(x):
    return x * x


def die_once(item):
    """Kill this worker the first time ``item`` holds a marker file that does not exist yet."""
    value, marker = item
    if marker is not None and not Path(marker).exists():
        Path(marker).write_text("died")
        os.kill(os.getpid(), signal.SIGKILL)
    return value


def die_always(item):
    if item == 5:
        os.kill(os.getpid(), signal.SIGKILL)
    return item


def given_up(item, exitcode):
    return ("given up", item, exitcode)


def slow(item):
    time.sleep(60)


def test_results_come_in_order():
    with Pool(square, 2, given_up) as pool:
        assert list(pool.map(range(40))) == [x * x for x in range(40)]


def test_a_killed_worker_has_its_task_retried(tmp_path):
    items = [(i, str(tmp_path / "marker") if i == 7 else None) for i in range(20)]
    with Pool(die_once, 2, given_up) as pool:
        assert list(pool.map(items)) == list(range(20))
    assert (tmp_path / "marker").exists(), "the worker did die once"


def test_a_task_that_always_kills_its_worker_is_given_up():
    with Pool(die_always, 2, given_up) as pool:
        out = list(pool.map(range(10)))
    assert out[:5] + out[6:] == [0, 1, 2, 3, 4, 6, 7, 8, 9]
    assert out[5] == ("given up", 5, -signal.SIGKILL)


PARENT = """
import sys, time
sys.path.insert(0, {tests!r})
from tracuu.workers import Pool
from test_workers import given_up, slow  # importable: a worker could not load __main__'s

with Pool(slow, 2, given_up) as pool:
    print("started", flush=True)
    list(pool.map(range(4)))
"""


def children_of(pid):
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def test_workers_die_with_their_parent():
    code = PARENT.format(tests=str(Path(__file__).parent))
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert parent.stdout.readline().strip() == "started"
    deadline = time.time() + 30
    while len(children_of(parent.pid)) < 2 and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(1)  # the workers are busy with their task, not dying at start
    workers = children_of(parent.pid)
    assert len(workers) >= 2
    parent.kill()
    parent.wait()
    deadline = time.time() + 10
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.time() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{w}").exists() for w in workers), "orphaned workers"
