"""A dossier's slips as printed from its records: what the citizen holds in their hand."""

from __future__ import annotations

import pytest

from chinhquyenso.core.clock import clock_at
from chinhquyenso.core.tests.pdf_reading import pdf_layout_lines, pdf_qr_codes, pdf_text
from chinhquyenso.dossiers.models import SlipKind
from chinhquyenso.dossiers.services import (
    dossier_accept,
    dossier_apologise,
    dossier_refuse,
    dossier_request_documents,
    dossier_supply_documents,
)
from chinhquyenso.dossiers.slipdata import (
    SlipUnavailable,
    dossier_slip_filename,
    render_dossier_slip,
    slips_available,
)
from chinhquyenso.dossiers.tests.conftest import at, png_file
from chinhquyenso.dossiers.tests.staff.conftest import fresh

pytestmark = pytest.mark.django_db


def test_a_registered_dossier_has_no_slip_yet(register) -> None:
    dossier = register("02/11/2026 08:00")
    assert slips_available(dossier) == []
    with pytest.raises(SlipUnavailable):
        render_dossier_slip(dossier, SlipKind.RECEIPT)


def test_receipt_slip_of_an_accepted_counter_dossier(accepted) -> None:
    assert slips_available(accepted) == ["receipt", "process_control"]

    pdf = render_dossier_slip(accepted, "receipt")

    text = pdf_text(pdf)
    assert "UBND phường Thành Vinh" in text
    assert "Bộ phận Một cửa" in text
    assert "Thành Vinh, ngày 02 tháng 11 năm 2026" in text
    assert f"Mã hồ sơ: {accepted.code}" in text
    assert "Bộ phận Một cửa đã tiếp nhận hồ sơ của: Lê Văn Tám" in text
    assert "Thủ tục đề nghị giải quyết: Cấp giấy phép xây dựng" in text
    assert "Hình thức nộp hồ sơ: Trực tiếp" in text
    assert "1  Đơn đề nghị  Bản chính  1" in pdf_layout_lines(pdf)
    assert "Bản vẽ thiết kế" not in text  # not handed in
    assert "Thời gian giải quyết theo quy định: 05 ngày làm việc." in text
    assert "Thời gian tiếp nhận hồ sơ: 8 giờ 30 phút, ngày 02 tháng 11 năm 2026." in text
    assert "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 09 tháng 11 năm 2026." in text
    assert "Phí, lệ phí: 150.000 đồng." in text
    assert "NGƯỜI NỘP HỒ SƠ" in text
    assert "Hồ Thị Mai" in text  # the officer who received it signs
    assert pdf_qr_codes(pdf) == [accepted.code]
    assert dossier_slip_filename(accepted, "receipt") == f"phieu-tiep-nhan-{accepted.code}.pdf"


def test_request_slip_lists_everything_missing(register, counter_officer) -> None:
    dossier = register("02/11/2026 08:00")
    with clock_at(at("02/11/2026 08:20")):
        dossier_request_documents(
            dossier=dossier,
            by=counter_officer,
            items=[
                {"name": "Bản vẽ thiết kế", "reason": "Chưa có chữ ký của chủ đầu tư"},
                {"name": "Giấy chứng nhận quyền sử dụng đất", "reason": "Chưa nộp"},
            ],
            note="Nộp bổ sung tại quầy số 2.",
        )
    assert slips_available(fresh(dossier)) == ["additional"]

    text = pdf_text(render_dossier_slip(fresh(dossier), "additional"))

    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Hồ sơ của: Lê Văn Tám" in text
    assert (
        "1 Bản vẽ thiết kế Chưa có chữ ký của chủ đầu tư "
        "2 Giấy chứng nhận quyền sử dụng đất Chưa nộp"
    ) in text
    assert "Nộp bổ sung tại quầy số 2." in text
    assert "Hồ Thị Mai" in text


def test_refusal_slip_gives_the_reason(register, counter_officer) -> None:
    dossier = register("02/11/2026 08:00")
    with clock_at(at("02/11/2026 08:40")):
        dossier_refuse(
            dossier=dossier, by=counter_officer, reason="Công trình thuộc thẩm quyền của tỉnh."
        )
    dossier = fresh(dossier)
    assert slips_available(dossier) == ["refusal"]

    text = pdf_text(render_dossier_slip(dossier, "refusal"))

    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Bộ phận Một cửa từ chối tiếp nhận, giải quyết hồ sơ này vì lý do sau:" in text
    assert "Công trình thuộc thẩm quyền của tỉnh." in text
    assert "Thành Vinh, ngày 02 tháng 11 năm 2026" in text


def test_process_control_slip_follows_the_dossier_between_units(processed) -> None:
    text = pdf_text(render_dossier_slip(processed, "process_control"))

    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Cơ quan giải quyết hồ sơ: Sở Xây dựng" in text
    assert "Giao: Người nộp hồ sơ: Lê Văn Tám" in text
    assert "Nhận: Tiếp nhận hồ sơ, Phường Thành Vinh (Hồ Thị Mai)" in text
    assert "Nhận: Thẩm định, Sở Xây dựng (Võ Văn Sơn)" in text
    assert "Giao: Võ Văn Sơn (Sở Xây dựng) Nhận: Phê duyệt, Sở Xây dựng" in text
    assert "Nhận: Trả kết quả, Phường Thành Vinh" in text
    assert "Ghi chú: Đủ điều kiện cấp phép" in text
    assert "Trước hạn" in text


def test_apology_slip_with_new_date(accepted, dept_leader) -> None:
    with clock_at(at("09/11/2026 15:00")):
        dossier_apologise(
            dossier=accepted,
            by=dept_leader,
            reason="cần xác minh thêm hiện trạng công trình.",
            new_due_at=at("13/11/2026 17:00"),
        )
    dossier = fresh(accepted)
    assert slips_available(dossier) == ["receipt", "process_control", "apology"]

    text = pdf_text(render_dossier_slip(dossier, "apology")).replace("Ông/ Bà", "Ông/Bà")

    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Kính gửi: Lê Văn Tám" in text
    assert "UBND TỈNH NGHỆ AN SỞ XÂY DỰNG" in text  # the agency under its parent body
    assert "hẹn trả kết quả lúc 17 giờ 00 phút, ngày 09 tháng 11 năm 2026" in text
    assert "vì: cần xác minh thêm hiện trạng công trình." in text
    assert "Sở Xây dựng chân thành xin lỗi Ông/Bà và hẹn trả kết quả vào" in text
    assert "17 giờ 00 phút, ngày 13 tháng 11 năm 2026" in text
    assert "Trần Thị Giám" in text
    # The receipt keeps the first appointment.
    receipt = pdf_text(render_dossier_slip(dossier, "receipt"))
    assert "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 09 tháng 11 năm 2026." in receipt


def test_request_during_processing_is_issued_by_the_processing_unit(
    accepted, dept_specialist, counter_officer
) -> None:
    with clock_at(at("03/11/2026 09:00")):
        dossier_request_documents(
            dossier=accepted,
            by=dept_specialist,
            items=[{"name": "Bản vẽ mặt bằng", "reason": "Thiếu tỷ lệ"}],
        )
    with clock_at(at("04/11/2026 09:00")):
        dossier_supply_documents(dossier=accepted, by=counter_officer, extra_files=[png_file()])
    dossier = fresh(accepted)
    assert "additional" in slips_available(dossier)

    pdf = render_dossier_slip(dossier, "additional")

    text = pdf_text(pdf)
    assert "UBND TỈNH NGHỆ AN SỞ XÂY DỰNG" in text
    assert "Ông/Bà liên hệ Sở Xây dựng để được hướng dẫn" in text
    assert "1  Bản vẽ mặt bằng  Thiếu tỷ lệ" in pdf_layout_lines(pdf)
    assert "Võ Văn Sơn" in text


def test_unknown_kind_is_unavailable(accepted) -> None:
    with pytest.raises(SlipUnavailable):
        render_dossier_slip(accepted, "bogus")


def test_online_style_receipt_without_applicant_signature(register, counter_officer) -> None:
    dossier = register("02/11/2026 08:00", channel=2)
    with clock_at(at("02/11/2026 09:00")):
        dossier = dossier_accept(dossier=dossier, by=counter_officer)

    pdf = render_dossier_slip(dossier, "receipt")

    text = pdf_text(pdf)
    assert "Hình thức nộp hồ sơ: Trực tuyến" in text
    assert "NGƯỜI NỘP HỒ SƠ" not in text
    assert "1  Đơn đề nghị  Bản sao điện tử  1" in pdf_layout_lines(pdf)
