"""Shared fixtures: a small corpus built in tmp_path from the bundled seed report."""

import shutil
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "bao-cao-quan-10-chinh-don-dang.txt"

# A paragraph stored in NFD (as some Mac and web exports do) and one with old-style "hoà".
NFD_TEXT = unicodedata.normalize(
    "NFD",
    "Biên bản họp chi bộ\n\nNgày 05/3/2001 chi bộ bàn việc chỉnh đốn Đảng ở khu phố.\n",
)
HOA_TEXT = (
    "Thông báo kết luận\n\n"
    "Giữ vững môi trường hoà bình, ổn định để phát triển kinh tế.\n\n"
    "Một đoạn chỉ có chữ chính trị và chính quyền, không có chữ kia.\n"
)


def make_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    (corpus / "bien-ban-nfd.txt").write_text(NFD_TEXT, encoding="utf-8")
    (corpus / "thong-bao-hoa.txt").write_text(HOA_TEXT, encoding="utf-8")
    return corpus


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(corpus dir, index dir) built once for read-only tests."""
    from tracuu import Archive

    root = tmp_path_factory.mktemp("built")
    corpus = make_corpus(root)
    index = root / "index"
    Archive.build(corpus, index)
    return corpus, index


@pytest.fixture(scope="session")
def archive(built):
    from tracuu import Archive

    with Archive(built[1]) as a:
        yield a


@pytest.fixture
def corpus(tmp_path):
    """A fresh, writable corpus for tests that change files."""
    return make_corpus(tmp_path)
