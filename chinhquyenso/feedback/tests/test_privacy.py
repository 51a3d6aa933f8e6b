"""Personal data removed from text before it is published."""

from __future__ import annotations

import unicodedata

import pytest

from chinhquyenso.feedback.privacy import redact

PHONE = "[đã ẩn số điện thoại]"
ID = "[đã ẩn số định danh]"
EMAIL = "[đã ẩn thư điện tử]"
NAME = "[đã ẩn tên]"


@pytest.mark.parametrize(
    "phone",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "091 234 5678",
        "0386 123 456",
        "0868.123.456",
        "0708123456",
        "0562 123 456",
        "+84 912 345 678",
        "+84912345678",
        "(+84) 912-345-678",
        "84912345678",
        "0084 912 345 678",
        "+84 (0) 912 345 678",
        "0238 3844 123",
        "(0238) 3844 123",
        "0238.3844.123",
        "024 3825 1234",
        "(024) 3825 1234",
        "+84 24 3825 1234",
    ],
)
def test_vietnamese_phone_numbers_are_hidden(phone: str) -> None:
    text = f"Cần liên hệ gấp theo số {phone}, gọi sau 17 giờ."
    assert redact(text) == f"Cần liên hệ gấp theo số {PHONE}, gọi sau 17 giờ."


def test_phone_numbers_glued_to_labels_and_at_sentence_end_are_hidden() -> None:
    assert redact("SĐT:0912345678. ĐT 0988 111 222") == f"SĐT:{PHONE}. ĐT {PHONE}"
    assert redact("sdt0912345678") == f"sdt{PHONE}"


def test_a_full_report_loses_every_piece_of_personal_data() -> None:
    text = (
        "Tôi là Nguyễn Văn An, trú tại số 12 ngõ 34 đường Lê Lợi, phường Thành Vinh "
        "(CCCD số 040092012345). Từ ngày 12/05/2026 đường ống nước vỡ, mỗi tháng nhà tôi "
        "mất thêm 1.500.000 đồng tiền nước. Cần liên hệ: 0912.345.678 hoặc "
        "an.nguyen@gmail.com."
    )
    assert redact(text, names=["Nguyễn Văn An"]) == (
        f"Tôi là {NAME}, trú tại số 12 ngõ 34 đường Lê Lợi, phường Thành Vinh "
        f"(CCCD số {ID}). Từ ngày 12/05/2026 đường ống nước vỡ, mỗi tháng nhà tôi "
        f"mất thêm 1.500.000 đồng tiền nước. Cần liên hệ: {PHONE} hoặc {EMAIL}."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Phí thu gom rác tăng từ 30.000 đồng lên 1.500.000 đồng mỗi năm.",
        "Giá đất 12.000.000.000 đồng, diện tích 0,5 ha, đã nộp 2.350.000đ.",
        "Sự việc xảy ra ngày 12/05/2026 và lặp lại ngày 05.06.2026 lúc 07:30.",
        "Nhà số 12, ngõ 34, ngách 5, tổ dân phố 3, khối 10; Quốc lộ 1A km 456.",
        "Năm 2025 và năm 2026 vẫn chưa sửa, đã gọi đường dây nóng 1900 1234 và 1800 5678.",
        "Quyết định số 1234/QĐ-UBND ngày 01/07/2025; hồ sơ 000.00.06.H56-231027-0361.",
        "Có 120 hộ dân, 45 cháu học sinh, 3 lần phản ánh, mã PA-7K3Q-X9MN.",
        "Tổng kinh phí 987.654.321 đồng.",
    ],
)
def test_ordinary_numbers_stay(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CMND 186543210 đã cũ", f"CMND {ID} đã cũ"),
        ("CMND số: 186 543 210", f"CMND số: {ID}"),
        ("số CMND là 186543210.", f"số CMND là {ID}."),
        ("Căn cước công dân 040 092 012 345", f"Căn cước công dân {ID}"),
        ("số định danh cá nhân 040092012345", f"số định danh cá nhân {ID}"),
        ("hộ chiếu số C1234567", f"hộ chiếu số {ID}"),
        ("mã 040092012345 của tôi", f"mã {ID} của tôi"),
        ("040 092 012345", ID),
    ],
)
def test_identity_numbers_are_hidden(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_nine_digits_without_a_label_are_not_taken_for_an_identity_number() -> None:
    assert redact("Mã bưu gửi 186543210 đã nhận") == "Mã bưu gửi 186543210 đã nhận"


@pytest.mark.parametrize(
    "address",
    ["an.nguyen@gmail.com", "Tran_Thi.Binh+phananh@nghean.gov.vn", "ABC@YAHOO.COM.VN"],
)
def test_email_addresses_are_hidden(address: str) -> None:
    assert redact(f"Gửi vào {address}.") == f"Gửi vào {EMAIL}."


@pytest.mark.parametrize(
    "written",
    ["Nguyễn Văn An", "nguyễn văn an", "NGUYỄN VĂN AN", "Nguyen Van An", "nguyen  van\nan"],
)
def test_names_are_hidden_however_they_are_written(written: str) -> None:
    text = f"Ông {written} ở xóm 3 phản ánh."
    assert redact(text, names=["Nguyễn Văn An"]) == f"Ông {NAME} ở xóm 3 phản ánh."


def test_names_written_without_diacritics_are_found_too() -> None:
    assert redact("Bà Trần Thị Bình gọi.", names=["Tran Thi Binh"]) == f"Bà {NAME} gọi."


def test_only_whole_names_are_hidden() -> None:
    text = "Nguyễn Văn Anh và Nguyễn Văn Ann không phải là Nguyễn Văn An."
    assert redact(text, names=["Nguyễn Văn An"]) == (
        f"Nguyễn Văn Anh và Nguyễn Văn Ann không phải là {NAME}."
    )


def test_one_word_names_are_matched_exactly() -> None:
    text = "Anh Hùng ở Hưng Nguyên nói cảnh núi hùng vĩ."
    assert redact(text, names=["Hùng"]) == f"Anh {NAME} ở Hưng Nguyên nói cảnh núi hùng vĩ."


def test_several_names_and_empty_ones() -> None:
    text = "Cán bộ Lê Thị Hoa và ông Phan Đình Phùng."
    result = redact(text, names=["", " ", "Lê Thị Hoa", "Phan Đình Phùng", "A"])
    assert result == f"Cán bộ {NAME} và ông {NAME}."


def test_decomposed_input_comes_back_in_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Ông Nguyễn Văn An gọi 0912345678")
    result = redact(decomposed, names=["Nguyễn Văn An"])
    assert result == f"Ông {NAME} gọi {PHONE}"
    assert unicodedata.is_normalized("NFC", result)


def test_text_without_personal_data_is_unchanged() -> None:
    text = "Đèn đường trước cổng trường tiểu học Hưng Dũng 1 bị hỏng 2 tuần nay."
    assert redact(text, names=["Nguyễn Văn An"]) == text
    assert redact("") == ""
