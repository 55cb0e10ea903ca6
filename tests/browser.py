"""A real browser on a running ``tracuu serve``: Debian's headless Chromium driven by
Selenium through the system chromedriver (never Selenium Manager: nothing is downloaded).

Used by tests/test_web_browser.py; run as a script it takes the README's screenshot:

    python tests/browser.py corpus docs/web-search.png "chinh don dang"
"""

from __future__ import annotations

import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BROWSERS = ("chromium", "chromium-browser")
START_SECONDS = 60  # tracuu serve loads the index and the segmenter before it answers


def missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    if not any(shutil.which(b) for b in BROWSERS):
        return "chromium is not installed (apt-get install chromium chromium-driver)"
    if not shutil.which("chromedriver"):
        return "chromedriver is not installed (apt-get install chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return 'selenium is not installed (pip install -e ".[test]")'
    return None


@contextmanager
def served(index: Path, corpus: Path | None = None) -> Iterator[str]:
    """``tracuu serve`` on a free port of localhost over ``index``; yields its address."""
    with serving(index, *(["--corpus", str(corpus)] if corpus is not None else [])) as (url, _):
        yield url


@contextmanager
def serving(index: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """``tracuu serve ARGS`` on a free port of localhost: its address and its process."""
    argv = [sys.executable, "-c", "from tracuu.cli import main; main()", "serve"]
    argv += ["--index", str(index), "--port", "0", *args]
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    assert proc.stderr is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_forward, args=(proc.stderr, lines), daemon=True).start()
    try:
        yield _address(proc, lines), proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _forward(stream: Any, lines: queue.Queue[str]) -> None:
    for line in stream:  # read to the end, so that the server never blocks on a full pipe
        lines.put(line)


def _address(proc: subprocess.Popen, lines: queue.Queue[str]) -> str:
    """The address `tracuu serve` says it serves at (it listens before it says so)."""
    said: list[str] = []
    while True:
        try:
            line = lines.get(timeout=START_SECONDS)
        except queue.Empty:
            raise RuntimeError(f"tracuu serve did not start: {''.join(said)!r}") from None
        said.append(line)
        found = re.search(r"serving .* at (http://\S+/)", line)
        if found:
            return found[1]
        if proc.poll() is not None:
            raise RuntimeError(f"tracuu serve exited {proc.returncode}: {''.join(said)!r}")


@contextmanager
def chromium(width: int = 1280, height: int = 900, javascript: bool = True) -> Iterator[Any]:
    """A headless Chromium under the system chromedriver; quits at the end."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = next(filter(None, map(shutil.which, BROWSERS)))
    # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=vi"):
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    service = Service(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def search_screenshot(corpus: Path, target: Path, query: str) -> None:
    """Index ``corpus`` in a temporary folder, search ``query`` and save the page as PNG."""
    from selenium.webdriver.common.by import By

    from tracuu import Archive

    with tempfile.TemporaryDirectory() as tmp:
        Archive.build(corpus, Path(tmp) / "index").close()
        with served(Path(tmp) / "index") as url, chromium(height=820) as driver:
            driver.get(url)
            box = driver.find_element(By.NAME, "q")
            box.send_keys(query)
            box.submit()
            driver.find_element(By.CSS_SELECTOR, ".summary")
            target.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(target))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python tests/browser.py CORPUS OUT.png QUERY")
    problem = missing()
    if problem:
        sys.exit(f"browser.py: {problem}")
    search_screenshot(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
    print(sys.argv[2])
