"""Peak memory of indexing one big text file that has no line breaks.

Target: indexing a 20 MB one-line file needs less than 1 GB (peak RSS of the largest
tracuu process), i.e. memory does not grow with the length of a line.

    python bench_memory.py                 # 20 MB, prints the peak RSS in MB
    python bench_memory.py --mb 2          # a quicker look
    python bench_memory.py --lines         # the same text with a line break after each sentence

The file is generated (varied Vietnamese sentences, deterministic) in a temporary folder and
indexed by the real CLI in a fresh subprocess (``tracuu index -j1 --rebuild``); the peak RSS
is ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of a fresh parent, so it is the largest single
process of the run (the main process or any worker it waited for). The child runs under an
address-space cap (``--cap-gb``, default 12) so that a build that would need more fails with
MemoryError instead of pushing this 24 GB machine into the OOM killer.

Exit status: 0 when the run succeeded under the target, 1 when it needed more (or failed).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MB = 1024

SUBJECTS = [
    "Ủy ban nhân dân quận",
    "Ban thường vụ Đảng ủy",
    "Chi bộ khu phố",
    "Hội đồng nhân dân thành phố",
    "Sở Tài nguyên và Môi trường",
    "Ban chỉ đạo phòng, chống tham nhũng",
    "Người dân ven sông",
    "Các hộ gia đình",
    "Tổ dân phố số bảy",
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
    "tổng kết",
    "chấn chỉnh",
    "thẩm định",
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
    "môi trường sống",
    "hệ thống kênh rạch và dòng sông",
    "cuộc sống của người lao động",
    "chính quyền địa phương",
    "nhiệm vụ chính trị",
    "hai nhiệm vụ song song",
    "thủ tục hành chính",
]
TAILS = [
    "trong năm qua",
    "theo đúng tiến độ",
    "một cách nghiêm túc",
    "ở tất cả các phường",
    "với sự tham gia của nhân dân",
    "bảo đảm công khai, minh bạch",
    "dọc hai bờ sông Sài Gòn",
    "để ổn định cuộc sống lâu dài",
    "theo tinh thần nghị quyết",
]

_PEAK_RSS = """
import resource, subprocess, sys
cap = int(sys.argv[1])
def limit():
    if cap:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
rc = subprocess.run(sys.argv[2:], preexec_fn=limit, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
sys.stderr.buffer.write(rc.stderr[-3000:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc.returncode)
"""


def make_text(n_bytes: int, sep: str) -> str:
    rng = random.Random(2024)
    parts, size = [], 0
    while size < n_bytes:
        s = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}."
        parts.append(s)
        size += len(s.encode()) + 1
    return sep.join(parts) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=20.0, help="size of the file (default 20)")
    ap.add_argument("--lines", action="store_true", help="break the text into lines (a baseline)")
    ap.add_argument(
        "--cap-gb", type=float, default=12.0, help="address-space cap of the run (0: none)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()

    root = Path(tempfile.mkdtemp(prefix="tracuu-bench-memory-"))
    try:
        corpus = root / "corpus"
        corpus.mkdir()
        text = make_text(int(args.mb * 1_000_000), "\n" if args.lines else " ")
        (corpus / "one-file.txt").write_text(text, encoding="utf-8")
        cli = [sys.executable, "-c", "from tracuu.cli import main; main()"]
        cmd = [
            *cli,
            "index",
            "-j1",
            "-q",
            "--rebuild",
            "--corpus",
            str(corpus),
            "--index",
            str(root / "index"),
        ]
        t0 = time.perf_counter()
        p = subprocess.run(
            [sys.executable, "-c", _PEAK_RSS, str(int(args.cap_gb * 2**30)), *cmd],
            capture_output=True,
        )
        seconds = time.perf_counter() - t0
        rss_kb, rc = (int(x) for x in p.stdout.split())
        peak_mb = rss_kb / 1024
        kind = "lines" if args.lines else "one line"
        print(
            f"{args.mb:g} MB ({kind}): peak RSS {peak_mb:.0f} MB, exit {rc}, {seconds:.0f} s "
            f"(target < {TARGET_MB} MB)"
        )
        if rc != 0:
            err = p.stderr.decode(errors="replace").strip().splitlines()
            print(
                f"the run failed (exit {rc}; with --cap-gb {args.cap_gb:g} a failed allocation "
                f"means it needed more than the cap): {err[-1] if err else '(no message)'}"
            )
        return 0 if rc == 0 and peak_mb < TARGET_MB else 1
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
