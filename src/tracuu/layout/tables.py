"""The words of official headers: document types, issuing bodies, mottos (data only)."""

# Document types (Nghị định 30/2020 Điều 7 and Party usage), as written in titles.
DOC_TYPES = (
    "Bộ luật", "Luật", "Pháp lệnh", "Hiến pháp", "Lệnh", "Sắc lệnh", "Nghị quyết liên tịch",
    "Nghị quyết", "Nghị định", "Quyết định", "Thông tư liên tịch", "Thông tư", "Chỉ thị",
    "Công văn", "Công điện", "Báo cáo", "Tờ trình", "Kế hoạch", "Thông báo", "Thông cáo",
    "Thông tri", "Biên bản", "Hướng dẫn", "Quy chế", "Quy định", "Điều lệ", "Hợp đồng",
    "Chương trình", "Đề án", "Dự án", "Phương án", "Giấy mời", "Giấy giới thiệu",
    "Giấy ủy quyền", "Giấy nghỉ phép", "Giấy chứng nhận", "Bản ghi nhớ", "Bản thỏa thuận",
    "Phiếu gửi", "Phiếu chuyển", "Phiếu báo", "Kết luận", "Lời kêu gọi", "Tuyên bố",
)  # fmt: skip
# Bodies that issue documents: a caps line starting so opens the header.
ISSUERS = (
    "QUỐC HỘI", "CHÍNH PHỦ", "THỦ TƯỚNG", "CHỦ TỊCH", "VĂN PHÒNG", "BỘ", "ỦY BAN", "UBND",
    "HĐND", "HỘI ĐỒNG", "HỘI LIÊN HIỆP", "ĐẢNG BỘ", "ĐẢNG ỦY", "ĐẢNG ĐOÀN", "BAN CÁN SỰ",
    "CHI BỘ", "TỈNH ỦY", "THÀNH ỦY", "QUẬN ỦY", "HUYỆN ỦY", "THỊ ỦY", "TRUNG ƯƠNG", "TÒA ÁN",
    "TAND", "VIỆN", "VKSND", "SỞ", "CỤC", "TỔNG CỤC", "CHI CỤC", "PHÒNG", "TRUNG TÂM",
    "TRƯỜNG", "ĐẠI HỌC", "HỌC VIỆN", "BỆNH VIỆN", "CÔNG TY", "TỔNG CÔNG TY", "TẬP ĐOÀN",
    "NGÂN HÀNG", "KHO BẠC", "BẢO HIỂM", "CÔNG AN", "BỘ CHỈ HUY", "BỘ TƯ LỆNH", "QUÂN KHU",
    "MẶT TRẬN", "ĐOÀN", "LIÊN ĐOÀN", "CÔNG ĐOÀN", "HỢP TÁC XÃ", "KIỂM TOÁN", "THANH TRA",
    "THÔNG TẤN XÃ", "NHÀ XUẤT BẢN", "ĐẠI SỨ QUÁN", "TỔNG LÃNH SỰ QUÁN",
    "BAN CHỈ ĐẠO", "BAN THƯỜNG VỤ", "BAN CHẤP HÀNH", "BAN QUẢN LÝ", "BAN TUYÊN GIÁO",
    "BAN TỔ CHỨC", "BAN DÂN VẬN", "BAN KIỂM TRA", "BAN NỘI CHÍNH", "BAN ĐẠI DIỆN",
)  # fmt: skip
# The person or body that enacts, standing under the type line instead of a subject.
AUTHORITIES = (
    "CHỦ TỊCH", "BỘ TRƯỞNG", "THỦ TƯỚNG", "GIÁM ĐỐC", "TỔNG GIÁM ĐỐC", "CỤC TRƯỞNG",
    "TỔNG CỤC TRƯỞNG", "VIỆN TRƯỞNG", "CHÁNH ÁN", "HIỆU TRƯỞNG", "TRƯỞNG BAN", "ỦY BAN",
    "HỘI ĐỒNG", "QUỐC HỘI", "CHÍNH PHỦ", "BAN THƯỜNG VỤ", "BAN CHẤP HÀNH", "BỘ CHÍNH TRỊ",
    "BAN BÍ THƯ",
)  # fmt: skip
MOTTOS = (
    "cong hoa xa hoi chu nghia viet nam",
    "doc lap tu do hanh phuc",
    "dang cong san viet nam",
)
