"""An older commit of tracuu, runnable beside this one: the baseline of ``speed.py``.

``git worktree add --detach`` puts the commit's files in a temporary folder; its ``src/`` goes
first on ``PYTHONPATH`` of the given Python (this checkout's virtualenv, so both builds use
the same Whoosh, underthesea and interpreter), ahead of the editable install's path entry.
The worktree is removed again when the run ends.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# the main branch before the speed-and-size work (the "today's main")
DEFAULT_COMMIT = "a93da6f"
ENTRY = "import sys; from tracuu.cli import main; sys.argv[0] = 'tracuu'; main()"


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout.strip()


@contextmanager
def worktree(repo: Path, commit: str, dest: Path) -> Iterator[str]:
    """Check ``commit`` out at ``dest`` for the duration; yields its full commit id."""
    full = git(repo, "rev-parse", "--verify", f"{commit}^{{commit}}")
    git(repo, "worktree", "add", "--detach", str(dest), full)
    try:
        yield full
    finally:
        subprocess.run(
            ["git", "-C", str(repo), "worktree", "remove", "--force", str(dest)],
            capture_output=True,
            check=False,
        )
        subprocess.run(["git", "-C", str(repo), "worktree", "prune"], check=False)


def command(python: str, tree: Path) -> tuple[str, ...]:
    """The ``tracuu`` command line of the checkout at ``tree``, run by ``python``."""
    subprocess.run(
        [python, "-m", "compileall", "-q", str(tree / "src")],
        capture_output=True,
        check=False,
    )  # the first timed build should not pay for byte-compiling
    return ("env", f"PYTHONPATH={tree / 'src'}", python, "-c", ENTRY)
