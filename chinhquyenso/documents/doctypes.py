"""The types of documents and their abbreviations: the data of the ``DocumentType`` table.

Source: Decree 30/2020/NĐ-CP on clerical work, Article 7 (the 29 types of administrative
documents) and Appendix III, part I (their abbreviations). A công văn and a thư công have no
abbreviation there. Legal documents that units receive from above follow (Law 80/2015/QH13 on
the promulgation of legal documents, replaced by Law 64/2025/QH15). Migration 0002 loads them;
an administrator edits the table afterwards.
"""

from __future__ import annotations

#: (code, name, abbreviation); the order is the decree's.
DOCUMENT_TYPES = [
    ("nghi-quyet", "Nghị quyết", "NQ"),
    ("quyet-dinh", "Quyết định", "QĐ"),
    ("chi-thi", "Chỉ thị", "CT"),
    ("quy-che", "Quy chế", "QC"),
    ("quy-dinh", "Quy định", "QyĐ"),
    ("thong-cao", "Thông cáo", "TC"),
    ("thong-bao", "Thông báo", "TB"),
    ("huong-dan", "Hướng dẫn", "HD"),
    ("chuong-trinh", "Chương trình", "CTr"),
    ("ke-hoach", "Kế hoạch", "KH"),
    ("phuong-an", "Phương án", "PA"),
    ("de-an", "Đề án", "ĐA"),
    ("du-an", "Dự án", "DA"),
    ("bao-cao", "Báo cáo", "BC"),
    ("bien-ban", "Biên bản", "BB"),
    ("to-trinh", "Tờ trình", "TTr"),
    ("hop-dong", "Hợp đồng", "HĐ"),
    ("cong-van", "Công văn", ""),
    ("cong-dien", "Công điện", "CĐ"),
    ("ban-ghi-nho", "Bản ghi nhớ", "BGN"),
    ("ban-thoa-thuan", "Bản thỏa thuận", "BTT"),
    ("giay-uy-quyen", "Giấy ủy quyền", "GUQ"),
    ("giay-moi", "Giấy mời", "GM"),
    ("giay-gioi-thieu", "Giấy giới thiệu", "GGT"),
    ("giay-nghi-phep", "Giấy nghỉ phép", "GNP"),
    ("phieu-gui", "Phiếu gửi", "PG"),
    ("phieu-chuyen", "Phiếu chuyển", "PC"),
    ("phieu-bao", "Phiếu báo", "PB"),
    ("thu-cong", "Thư công", ""),
]
#: Legal documents received from higher bodies (not issued under Decree 30).
LEGAL_TYPES = [
    ("luat", "Luật", ""),
    ("nghi-dinh", "Nghị định", "NĐ"),
    ("thong-tu", "Thông tư", "TT"),
]


def load_document_types(model: type) -> None:
    """Create or refresh the rows of *model* (``DocumentType``, or its historical version in a
    migration) from the two lists; sort order 1–29, then 101–103."""
    rows = [(row, order) for order, row in enumerate(DOCUMENT_TYPES, start=1)]
    rows += [(row, 100 + order) for order, row in enumerate(LEGAL_TYPES, start=1)]
    for (code, name, abbreviation), order in rows:
        model.objects.update_or_create(  # type: ignore[attr-defined]
            code=code,
            defaults={"name": name, "abbreviation": abbreviation, "sort_order": order},
        )
