"""End to end in a real browser: headless Chromium on `tracuu serve`, as an archivist uses it.

Skips when Chromium, chromedriver or selenium are missing, except with
TRACUU_REQUIRE_BROWSER=1 (.ci/run installs them and sets it). JavaScript is off in the
browser: the page must work without it. Screenshots go to the test's tmp_path, and to
the folder TRACUU_SCREENSHOTS names, if set.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from browser import chromium, missing, served
from web_corpus import header, make_web_corpus

from tracuu import Archive
from tracuu.text import fold_diacritics

MISSING = missing()
if MISSING is not None and os.environ.get("TRACUU_REQUIRE_BROWSER") == "1":  # CI: never skip
    pytest.fail(
        f"TRACUU_REQUIRE_BROWSER=1 but the browser test cannot run: {MISSING}", pytrace=False
    )
if MISSING is None:
    pytest.importorskip("starlette", reason='the web extra is not installed: pip install ".[web]"')
pytestmark = pytest.mark.skipif(MISSING is not None, reason=f"no browser test: {MISSING}")

LONG = "qd-2002-dai.txt"  # the hit is far down: the page must open scrolled to it
FILLER = 60


def long_decision() -> str:
    issuer = ("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NAM")
    text = header(issuer, "7/2002/QĐ-UBND", "Quảng Nam, ngày 09 tháng 9 năm 2002")
    text += "QUYẾT ĐỊNH\nVề việc ban hành quy chế làm việc\n\n"
    for n in range(1, FILLER + 1):
        text += f"Điều {n}. Cán bộ thực hiện nhiệm vụ thứ {n} theo quy chế làm việc.\n\n"
    return text + f"Điều {FILLER + 1}. Các chi bộ tiếp tục chỉnh đốn Đảng theo kế hoạch.\n"


def save(driver, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / name
    assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    if os.environ.get("TRACUU_SCREENSHOTS"):
        folder = Path(os.environ["TRACUU_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, folder / name)
    return shot


def marks(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    return [m.text for m in driver.find_elements(By.TAG_NAME, "mark")]


def result_paths(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    return [p.text for p in driver.find_elements(By.CSS_SELECTOR, ".document .path")]


def navigate(driver, click, arrived) -> None:
    """``click`` something that loads a page, then wait until ``arrived(url)`` holds: a
    click returns before the next page is there when the machine is busy."""
    from selenium.webdriver.support.ui import WebDriverWait

    click()
    WebDriverWait(driver, 30).until(
        lambda d: (
            arrived(urlsplit(d.current_url))
            and d.execute_script("return document.readyState") == "complete"
        )
    )


def test_search_filter_and_open_a_document_in_chromium(tmp_path):
    from selenium.webdriver.common.by import By

    corpus = make_web_corpus(tmp_path)
    (corpus / LONG).write_text(long_decision(), encoding="utf-8")
    Archive.build(corpus, tmp_path / "index").close()
    with served(tmp_path / "index") as url, chromium(javascript=False) as driver:
        driver.get(url)
        assert driver.title == "Tìm kiếm · tracuu"
        box = driver.find_element(By.NAME, "q")
        box.send_keys("chinh don dang")  # typed without diacritics
        button = driver.find_element(By.CSS_SELECTOR, "form.searchbox button[type=submit]")
        navigate(driver, button.click, lambda u: "q=" in u.query)

        assert parse_qs(urlsplit(driver.current_url).query)["q"] == ["chinh don dang"]
        found = result_paths(driver)
        assert LONG in found and len(found) == 8
        # the accented words, highlighted (each one a reading of words typed)
        assert "chỉnh đốn Đảng" in marks(driver)
        assert {fold_diacritics(m).lower() for m in marks(driver)} <= {"chinh don dang", "don"}
        save(driver, tmp_path, "web-search.png")

        # the accent hint is a link: it searches the accented reading, same documents
        hint = driver.find_element(By.CSS_SELECTOR, ".hint").find_element(
            By.LINK_TEXT, "chỉnh đốn Đảng"
        )
        navigate(driver, hint.click, lambda u: "chinh don dang" not in u.query.replace("+", " "))
        assert driver.find_element(By.NAME, "q").get_attribute("value") == "chỉnh đốn Đảng"
        assert sorted(result_paths(driver)) == sorted(found)

        # the filter: only decisions (Quyết định), counted in the facet
        facet = driver.find_element(By.ID, "facet-type")
        link = facet.find_element(By.LINK_TEXT, "Quyết định")
        count = link.find_element(By.XPATH, "following-sibling::span[@class='count']").text
        assert count == "3"
        navigate(driver, link.click, lambda u: "type=" in u.query)
        decisions = result_paths(driver)
        assert sorted(decisions) == ["qd-2000-quy-che.txt", "qd-2001-khen-thuong.txt", LONG]
        assert "Quyết định" in driver.find_element(By.CSS_SELECTOR, ".in-force").text
        save(driver, tmp_path, "web-filtered.png")

        # the document, opened at its hit: far down the page, scrolled into view
        document = driver.find_element(By.XPATH, f"//li[.//span[@class='path']='{LONG}']//h3/a")
        navigate(driver, document.click, lambda u: u.path.startswith("/doc/"))
        fragment = urlsplit(driver.current_url).fragment
        assert fragment == f"p{FILLER + 7}"  # the header's lines are paragraphs before it
        target = driver.find_element(By.ID, fragment)
        assert "hit" in target.get_attribute("class").split()
        assert [m.text for m in target.find_elements(By.TAG_NAME, "mark")] == ["chỉnh đốn Đảng"]
        assert target.location["y"] > 900  # a first screen would not have shown it ...
        scrolled = driver.find_element(By.TAG_NAME, "html").get_property("scrollTop")
        assert scrolled > 0 and target.location["y"] - scrolled < 900  # ... the page scrolled
        header_text = driver.find_element(By.CSS_SELECTOR, "dl.header").text
        assert "7/2002/QĐ-UBND" in header_text and "09/09/2002" in header_text
        save(driver, tmp_path, "web-document.png")
