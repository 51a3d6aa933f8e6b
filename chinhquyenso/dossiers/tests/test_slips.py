"""The one-stop slips as a citizen reads them: printed, with the right words, dates and QR code.

No database: slips are built from plain values, as the dossier code builds them from its records.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from chinhquyenso.core.tests.pdf_reading import (
    pdf_layout_lines,
    pdf_pages_text,
    pdf_qr_codes,
    pdf_text,
)
from chinhquyenso.dossiers.slips import (
    AdditionalDocumentsSlip,
    ApologySlip,
    HandoverRow,
    MissingItem,
    ProcessControlSlip,
    ReceiptSlip,
    RefusalSlip,
    SlipAgency,
    SlipApplicant,
    SlipComponent,
    SlipSigner,
    render_slip,
    slip_filename,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CODE = "000.00.01.H40-261127-0001"
PROCEDURE = "Đăng ký khai sinh kết hợp đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em"
COUNTER = SlipAgency(
    name="Bộ phận Một cửa",
    parent_name="UBND phường Thành Vinh",
    place="Thành Vinh",
    phone="0238 3844 555",
)
HUONG = SlipApplicant(
    name="Nguyễn Thị Hương",
    address="Số 12, đường Lê Lợi, khối 5, phường Thành Vinh, tỉnh Nghệ An",
    phone="0912 345 678",
    email="huong@example.vn",
)


def at(day: int, month: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=VN)


def receipt(**changes: object) -> ReceiptSlip:
    slip = ReceiptSlip(
        agency=COUNTER,
        code=CODE,
        procedure_name=PROCEDURE,
        applicant=HUONG,
        components=[
            SlipComponent(name="Tờ khai đăng ký khai sinh", form="Bản chính"),
            SlipComponent(name="Giấy chứng sinh", form="Bản chính"),
            SlipComponent(name="Giấy tờ chứng minh nơi cư trú", form="Bản sao", quantity=2),
        ],
        received_at=at(27, 11, 14, 30),
        appointment_at=at(2, 12, 16),
        receiving_official="Nguyễn Thị An",
        channel="Trực tiếp",
        processing_time="03 ngày làm việc",
        result_delivery="Bộ phận Một cửa phường Thành Vinh",
        fee_amount=50_000,
    )
    return dataclasses.replace(slip, **changes)


def test_the_receipt_slip_tells_the_citizen_what_was_received_and_when_to_come_back() -> None:
    pdf = render_slip(receipt())

    assert pdf.startswith(b"%PDF-")
    pages = pdf_pages_text(pdf)
    assert len(pages) == 1, "the signatures must stay on the page with the rest"
    text = pages[0]
    assert "PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert f"Mã hồ sơ: {CODE}" in text
    assert "Bộ phận Một cửa đã tiếp nhận hồ sơ của: Nguyễn Thị Hương" in text
    assert f"Thủ tục đề nghị giải quyết: {PROCEDURE}" in text
    assert "Hình thức nộp hồ sơ: Trực tiếp" in text
    assert "1 Tờ khai đăng ký khai sinh Bản chính 1" in text
    assert "3 Giấy tờ chứng minh nơi cư trú Bản sao 2" in text
    assert "Thời gian giải quyết theo quy định: 03 ngày làm việc." in text
    assert "Thời gian tiếp nhận hồ sơ: 14 giờ 30 phút, ngày 27 tháng 11 năm 2026." in text
    assert "Thời gian hẹn trả kết quả: 16 giờ 00 phút, ngày 02 tháng 12 năm 2026." in text
    assert "Nhận kết quả tại: Bộ phận Một cửa phường Thành Vinh." in text
    assert "Phí, lệ phí: 50.000 đồng." in text
    assert "NGƯỜI NỘP HỒ SƠ" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    # Both signatures side by side, each with the name printed under it.
    assert "Nguyễn Thị Hương  Nguyễn Thị An" in pdf_layout_lines(pdf)


def test_the_receipt_slip_carries_a_qr_code_of_the_dossier_code() -> None:
    assert pdf_qr_codes(render_slip(receipt())) == [CODE]


def test_an_online_receipt_has_no_signature_of_the_applicant_and_says_where_to_look_it_up() -> None:
    slip = receipt(
        channel="Trực tuyến",
        applicant_signs=False,
        fee_amount=0,
        fee_note="miễn theo quy định",
        lookup_url="https://dichvucong.example.vn/tra-cuu",
    )

    text = pdf_text(render_slip(slip))

    assert "Hình thức nộp hồ sơ: Trực tuyến" in text
    assert "NGƯỜI NỘP HỒ SƠ" not in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "Phí, lệ phí: Không thu (miễn theo quy định)." in text
    assert "https://dichvucong.example.vn/tra-cuu" in text.replace("// ", "//")


def test_a_receipt_without_fee_information_prints_no_fee_line() -> None:
    assert "Phí, lệ phí" not in pdf_text(render_slip(receipt(fee_amount=None)))


def test_the_additional_documents_slip_lists_everything_missing_with_its_reason() -> None:
    slip = AdditionalDocumentsSlip(
        agency=COUNTER,
        code=CODE,
        procedure_name=PROCEDURE,
        applicant=HUONG,
        items=[
            MissingItem(
                document="Giấy chứng sinh",
                reason="Bản đã nộp bị mờ, không đọc được họ tên người mẹ",
            ),
            MissingItem(document="Giấy xác nhận cư trú", reason="Chưa có trong hồ sơ"),
        ],
        requested_at=at(28, 11, 9, 5),
        official="Nguyễn Thị An",
        received_at=at(27, 11, 14, 30),
        guidance="Nộp bổ sung tại quầy số 3 hoặc trên Cổng dịch vụ công.",
    )

    text = pdf_text(render_slip(slip))

    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Thành Vinh, ngày 28 tháng 11 năm 2026" in text
    assert f"Mã hồ sơ: {CODE}" in text
    assert "Hồ sơ của: Nguyễn Thị Hương" in text
    assert (
        "1 Giấy chứng sinh Bản đã nộp bị mờ, không đọc được họ tên người mẹ "
        "2 Giấy xác nhận cư trú Chưa có trong hồ sơ"
    ) in text
    assert "Nộp bổ sung tại quầy số 3 hoặc trên Cổng dịch vụ công." in text
    assert "Thời gian bổ sung, hoàn thiện hồ sơ không tính vào thời hạn giải quyết." in text
    assert "Ông/Bà liên hệ Bộ phận Một cửa, số điện thoại 0238 3844 555" in text
    assert "NGƯỜI HƯỚNG DẪN" in text
    assert "Nguyễn Thị An" in text


def test_the_refusal_slip_gives_the_reason_and_its_legal_basis() -> None:
    slip = RefusalSlip(
        agency=COUNTER,
        procedure_name=PROCEDURE,
        applicant=SlipApplicant(name="Công ty TNHH Xây dựng Hồng Lĩnh", is_organisation=True),
        reason="Thủ tục thuộc thẩm quyền của Sở Xây dựng; đề nghị nộp tại Trung tâm Phục vụ "
        "hành chính công tỉnh.",
        refused_at=at(5, 2, 8, 5),
        official="Nguyễn Thị An",
        legal_basis="Nghị định số 118/2025/NĐ-CP",
    )

    text = pdf_text(render_slip(slip))

    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Thành Vinh, ngày 05 tháng 02 năm 2026" in text
    assert "Mã hồ sơ" not in text  # refused at the counter before it was given a code
    assert (
        "Căn cứ Nghị định số 118/2025/NĐ-CP, Bộ phận Một cửa từ chối tiếp nhận, giải quyết hồ "
        "sơ này vì lý do sau: Thủ tục thuộc thẩm quyền của Sở Xây dựng; đề nghị nộp tại Trung "
        "tâm Phục vụ hành chính công tỉnh."
    ) in text
    assert "Xin thông báo để Quý tổ chức được biết." in text


def test_the_process_control_slip_shows_each_hand_over_and_whether_it_was_on_time() -> None:
    slip = ProcessControlSlip(
        agency=COUNTER,
        code=CODE,
        procedure_name=PROCEDURE,
        applicant=HUONG,
        received_at=at(27, 11, 14, 30),
        appointment_at=at(2, 12, 16),
        handling_unit="UBND phường Thành Vinh",
        cooperating_units=["Công an phường Thành Vinh", "Bảo hiểm xã hội tỉnh Nghệ An"],
        rows=[
            HandoverRow(
                from_party="Bộ phận Một cửa",
                to_party="Công chức tư pháp, hộ tịch",
                handed_at=at(27, 11, 15),
                due_at=at(30, 11, 17),
                done_at=at(28, 11, 10),
            ),
            HandoverRow(
                from_party="Công chức tư pháp, hộ tịch",
                to_party="Lãnh đạo UBND phường",
                handed_at=at(28, 11, 10),
                due_at=at(1, 12, 11),
                done_at=at(1, 12, 15),
                note="Chờ ý kiến Công an phường",
            ),
            HandoverRow(
                from_party="Lãnh đạo UBND phường",
                to_party="Bộ phận Một cửa",
                handed_at=at(1, 12, 15),
                due_at=at(2, 12, 16),
            ),
        ],
    )

    text = pdf_text(render_slip(slip))

    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Kèm theo hồ sơ của: Nguyễn Thị Hương" in text
    assert "Cơ quan giải quyết hồ sơ: UBND phường Thành Vinh" in text
    assert (
        "Cơ quan phối hợp giải quyết: Công an phường Thành Vinh; Bảo hiểm xã hội tỉnh Nghệ An"
    ) in text
    assert "Thời gian hẹn trả kết quả: 16 giờ 00 phút, ngày 02 tháng 12 năm 2026." in text
    assert (
        "1 Giao: Bộ phận Một cửa Nhận: Công chức tư pháp, hộ tịch "
        "Giao, nhận: 15 giờ 00 phút, ngày 27 tháng 11 năm 2026 "
        "Hạn xử lý: 17 giờ 00 phút, ngày 30 tháng 11 năm 2026 "
        "Hoàn thành: 10 giờ 00 phút, ngày 28 tháng 11 năm 2026 Trước hạn"
    ) in text
    assert "Ghi chú: Chờ ý kiến Công an phường" in text
    assert "Hoàn thành: 15 giờ 00 phút, ngày 01 tháng 12 năm 2026 Quá hạn" in text
    assert "Hạn xử lý: 16 giờ 00 phút, ngày 02 tháng 12 năm 2026 Kết quả" in text


@pytest.mark.parametrize(
    ("done_at", "outcome"),
    [
        (at(29, 11, 16), "Trước hạn"),
        (at(30, 11, 8), "Đúng hạn"),  # the day of the deadline, before its hour
        (at(30, 11, 17), "Đúng hạn"),
        (at(30, 11, 17, 1), "Quá hạn"),
        (None, ""),
    ],
)
def test_a_hand_over_is_before_on_or_after_time(done_at: dt.datetime | None, outcome: str) -> None:
    row = HandoverRow(
        from_party="A",
        to_party="B",
        handed_at=at(27, 11, 15),
        due_at=at(30, 11, 17),
        done_at=done_at,
    )
    assert row.outcome == outcome


def test_a_long_process_control_slip_repeats_the_table_heading_on_every_page() -> None:
    rows = [
        HandoverRow(
            from_party=f"Chuyên viên thứ {number}",
            to_party=f"Chuyên viên thứ {number + 1}",
            handed_at=at(27, 11, 15),
            due_at=at(30, 11, 17),
            done_at=at(30, 11, 16),
        )
        for number in range(1, 25)
    ]
    slip = ProcessControlSlip(
        agency=COUNTER,
        code=CODE,
        procedure_name=PROCEDURE,
        applicant=HUONG,
        received_at=at(27, 11, 14, 30),
        appointment_at=at(2, 12, 16),
        rows=rows,
    )

    pages = pdf_pages_text(render_slip(slip))

    assert len(pages) > 1
    assert all("Bên giao, bên nhận" in page for page in pages)
    assert "Nhận: Chuyên viên thứ 25" in pages[-1]


def test_the_apology_slip_apologises_and_gives_the_new_date() -> None:
    slip = ApologySlip(
        agency=SlipAgency(
            name="UBND phường Thành Vinh", parent_name="UBND tỉnh Nghệ An", place="Thành Vinh"
        ),
        code=CODE,
        procedure_name=PROCEDURE,
        applicant=HUONG,
        received_at=at(27, 11, 14, 30),
        old_appointment_at=at(2, 12, 16),
        new_appointment_at=at(7, 12, 10),
        reason="cần chờ kết quả xác minh thông tin cư trú từ Công an phường.",
        signer=SlipSigner(name="Lê Văn Lãnh", title="Chủ tịch", authority="TM. Ủy ban nhân dân"),
        issued_at=at(2, 12, 8),
        recipients=["Lưu: VT, Bộ phận Một cửa"],
    )

    text = pdf_text(render_slip(slip))

    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Kính gửi: Nguyễn Thị Hương" in text
    assert "hẹn trả kết quả lúc 16 giờ 00 phút, ngày 02 tháng 12 năm 2026" in text
    assert "vì: cần chờ kết quả xác minh thông tin cư trú từ Công an phường." in text
    assert (
        "UBND phường Thành Vinh chân thành xin lỗi Ông/Bà và hẹn trả kết quả vào "
        "10 giờ 00 phút, ngày 07 tháng 12 năm 2026."
    ) in text
    assert "Nơi nhận: - Nguyễn Thị Hương; - Lưu: VT, Bộ phận Một cửa." in text
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in text
    assert "Lê Văn Lãnh" in text


def test_what_people_typed_is_printed_as_text_never_as_markup() -> None:
    applicant = SlipApplicant(name="Công ty A & B <b>Việt Nam</b>", is_organisation=True)

    text = pdf_text(render_slip(receipt(applicant=applicant)))

    assert "đã tiếp nhận hồ sơ của: Công ty A & B <b>Việt Nam</b>" in text


def test_slips_are_printed_in_vietnamese_whatever_language_the_official_reads() -> None:
    with translation.override("en"):
        text = pdf_text(render_slip(receipt()))

    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Thời gian hẹn trả kết quả: 16 giờ 00 phút, ngày 02 tháng 12 năm 2026." in text


def test_times_in_another_time_zone_are_printed_in_local_time() -> None:
    # 09:00 UTC is 16:00 in Việt Nam.
    slip = receipt(appointment_at=dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC))

    text = pdf_text(render_slip(slip))

    assert "Thời gian hẹn trả kết quả: 16 giờ 00 phút, ngày 02 tháng 12 năm 2026." in text


def test_slip_file_names() -> None:
    assert slip_filename(receipt()) == f"phieu-tiep-nhan-{CODE}.pdf"
    refusal = RefusalSlip(
        agency=COUNTER,
        procedure_name=PROCEDURE,
        applicant=HUONG,
        reason="Không thuộc thẩm quyền.",
        refused_at=dt.datetime(2026, 2, 5, 1, 5, tzinfo=dt.UTC),
        official="Nguyễn Thị An",
    )
    assert slip_filename(refusal) == "phieu-tu-choi-20260205-0805.pdf"


def test_only_slips_render() -> None:
    with pytest.raises(TypeError, match="not a slip"):
        render_slip(HUONG)  # type: ignore[arg-type]
