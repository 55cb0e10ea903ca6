"""A small archive of Vietnamese documents with official headers, for the web page's tests:
types, issuers and years to count, an undated note with HTML in it, a paged file, an
empty (skipped) file and a file name with glob characters."""

from __future__ import annotations

from pathlib import Path

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
SCRIPT = '<script>alert("xss")</script>'


def header(issuer: tuple[str, str], number: str, place_date: str) -> str:
    rows = [
        f"{issuer[0]}\t{MOTTO[0]}",
        f"{issuer[1]}\t{MOTTO[1]}",
        "-------\t-------",
        f"Số: {number}\t{place_date}",
    ]
    return "\n".join(rows) + "\n\n"


UBND_QN = ("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NAM")
DOCUMENTS = {
    "qd-2000-quy-che.txt": header(UBND_QN, "15/2000/QĐ-UBND", "Quảng Nam, ngày 12 tháng 3 năm 2000")
    + "QUYẾT ĐỊNH\nVề việc ban hành quy chế chỉnh đốn Đảng ở cơ sở\n\n"
    "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM\n\n"
    "Điều 1. Ban hành kèm theo Quyết định này Quy chế về chỉnh đốn Đảng ở cơ sở.\n\n"
    "Điều 2. Quyết định có hiệu lực từ ngày ký.\n",
    "qd-2001-khen-thuong.txt": header(UBND_QN, "30/QĐ-UBND", "Quảng Nam, ngày 02 tháng 8 năm 2001")
    + "QUYẾT ĐỊNH\nVề việc khen thưởng các chi bộ\n\n"
    "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM\n\n"
    "Điều 1. Khen thưởng các chi bộ có thành tích trong cuộc vận động chỉnh đốn Đảng.\n",
    "cv-1999-chinh-don.txt": header(UBND_QN, "45/UBND-VP", "Quảng Nam, ngày 05 tháng 6 năm 1999")
    + "V/v triển khai cuộc vận động chỉnh đốn Đảng\n\nKính gửi: Các sở, ban, ngành.\n\n"
    "Ủy ban nhân dân tỉnh đề nghị các đơn vị triển khai cuộc vận động xây dựng, "
    "chỉnh đốn Đảng theo kế hoạch.\n",
    "bc-2001-quan-10.txt": header(
        ("QUẬN ỦY QUẬN 10", "BAN THƯỜNG VỤ"), "12/BC-QU", "Quận 10, ngày 20 tháng 4 năm 2001"
    )
    + "BÁO CÁO\nKết quả chỉnh đốn Đảng năm 2001\n\n"
    "Ban Thường vụ Quận ủy báo cáo kết quả cuộc vận động xây dựng, chỉnh đốn Đảng "
    "trong năm 2001.\n\nCác chi bộ đã kiểm điểm, tự phê bình và phê bình nghiêm túc.\n",
    "nq-2019-binh-duong.txt": header(
        ("HỘI ĐỒNG NHÂN DÂN", "TỈNH BÌNH DƯƠNG"),
        "12/2019/NQ-HĐND",
        "Bình Dương, ngày 13 tháng 12 năm 2019",
    )
    + "NGHỊ QUYẾT\nVề chính sách hỗ trợ cán bộ\n\nHỘI ĐỒNG NHÂN DÂN TỈNH BÌNH DƯƠNG\n\n"
    "Điều 1. Hỗ trợ cán bộ làm công tác chỉnh đốn Đảng ở xã.\n",
    "ghi-chu [nhap].txt": "Ghi chép chi bộ\n\n"
    f"Chi bộ bàn việc chỉnh đốn Đảng ở khu phố và đoạn mã {SCRIPT} trên trang web.\n",
    "tai-lieu-trang.txt": "Trang đầu nói về quy hoạch đô thị.\n\nĐoạn thứ hai về giao thông.\n"
    "\fTrang hai có chỉnh đốn Đảng trong kết luận.\n\nKết thúc.\n",
    "rong.txt": "",
}


def make_web_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in DOCUMENTS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus
