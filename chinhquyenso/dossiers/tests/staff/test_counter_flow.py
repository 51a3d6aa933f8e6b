"""The whole life of a counter dossier, through the officials' pages with the test client:
register → request documents once → supply at the counter → accept → the department's
specialist forwards → its leader attaches the result and approves → the counter returns it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from chinhquyenso.core.clock import clock_at
from chinhquyenso.core.models import Notification
from chinhquyenso.core.tests.pdf_reading import pdf_text
from chinhquyenso.dossiers.models import Dossier, FileKind, Status
from chinhquyenso.dossiers.tests.conftest import at, pdf_file, png_file
from chinhquyenso.dossiers.tests.staff.conftest import client_for

pytestmark = pytest.mark.django_db

REGISTER = "/can-bo/ho-so/tiep-nhan/"


def registration(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "applicant_name": "Trần Thị Hoa",
        "applicant_id_number": "040190001111",
        "applicant_phone": "0987654321",
        "applicant_email": "hoa@example.vn",
        "applicant_address": "Khối 3, phường Thành Vinh",
        "tk-ho_ten_tre": "Trần Minh An",
        "tk-ngay_sinh": "02/11/2026",
        "submission_key": "",
    }
    data.update(changes)
    return data


def submission_key(client: Client, procedure_code: str) -> str:
    page = client.get(REGISTER, {"thu_tuc": procedure_code}).content.decode()
    found = re.search(r'name="submission_key" value="([^"]+)"', page)
    assert found, "the registration form carries a submission key"
    return found.group(1)


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.content.decode())


def test_counter_dossier_from_registration_to_returned_result(
    version, counter_officer, dept_specialist, dept_leader, django_capture_on_commit_callbacks
) -> None:
    code = version.procedure.code
    counter = client_for(counter_officer)

    # The officer picks the procedure and registers the dossier with the scans.
    with clock_at(at("02/11/2026 08:00")):
        picked = counter.get(REGISTER, {"thu_tuc": code})
        assert picked.status_code == 200
        assert "Đơn đề nghị" in picked.content.decode()
        key = submission_key(counter, code)
        data = registration(submission_key=key, **{"component.don": pdf_file("don.pdf")})
        response = counter.post(f"{REGISTER}?thu_tuc={code}", data)
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/can-bo/ho-so/{dossier.code}/"
    assert dossier.status == Status.NEW
    assert dossier.channel == 1
    assert dossier.registered_by == counter_officer
    assert dossier.form_data == {"ho_ten_tre": "Trần Minh An", "ngay_sinh": "2026-11-02"}
    assert dossier.files.get().original_name == "don.pdf"

    # The same form sent again (a double click) makes no second dossier.
    with clock_at(at("02/11/2026 08:00")):
        again = counter.post(
            f"{REGISTER}?thu_tuc={code}",
            registration(submission_key=key, **{"component.don": pdf_file("don.pdf")}),
        )
    assert again["Location"] == response["Location"]
    assert Dossier.objects.count() == 1

    page = page_text(counter.get(response["Location"]))
    assert "Đã đăng ký hồ sơ" in page
    assert "Trần Thị Hoa" in page
    assert "Trần Minh An" in page and "02/11/2026" in page  # the e-form's answers
    assert "Mới đăng ký" in page and "mã trạng thái 1" in page
    assert "Tiếp nhận và in phiếu hẹn" in page

    # The design drawing is missing: everything asked for at once, with the request slip.
    with clock_at(at("02/11/2026 08:15")):
        asked = counter.post(
            f"/can-bo/ho-so/{dossier.code}/thao-tac/request_documents/",
            {
                "request_documents-items-0-name": "Bản vẽ thiết kế",
                "request_documents-items-0-reason": "Chưa nộp",
                "request_documents-items-1-name": "Giấy chứng nhận quyền sử dụng đất",
                "request_documents-items-1-reason": "Bản sao chưa chứng thực",
                "request_documents-note": "Mang đến quầy số 2.",
            },
        )
    assert asked.status_code == 302
    assert asked["Location"] == f"/can-bo/ho-so/{dossier.code}/?phieu=additional#phieu"
    page = page_text(counter.get(asked["Location"]))
    assert "Đã gửi yêu cầu bổ sung hồ sơ" in page
    assert "Tải Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (PDF)" in page
    slip = counter.get(f"/can-bo/ho-so/{dossier.code}/phieu/additional.pdf")
    assert slip.status_code == 200 and slip["Content-Type"] == "application/pdf"
    text = pdf_text(slip.content)
    assert "Bản vẽ thiết kế" in text and "Giấy chứng nhận quyền sử dụng đất" in text
    dossier.refresh_from_db()
    assert dossier.status == Status.ADDITIONAL_REQUESTED

    # The applicant comes back with the documents; the officer records them, then accepts.
    with clock_at(at("02/11/2026 10:00")):
        supplied = counter.post(
            f"/can-bo/ho-so/{dossier.code}/thao-tac/supply_documents/",
            {
                "supply_documents-component.ban-ve": png_file("ban-ve.png"),
                "supply_documents-files": pdf_file("so-do.pdf"),
            },
        )
        assert supplied.status_code == 302
        with django_capture_on_commit_callbacks(execute=True):
            accepted = counter.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/accept/", {})
    assert accepted["Location"] == f"/can-bo/ho-so/{dossier.code}/?phieu=receipt#phieu"
    dossier.refresh_from_db()
    assert dossier.status == Status.ACCEPTED
    assert dossier.additional_requests == 0  # asked at receipt: not counted as late
    assert dossier.current_unit.name == "Sở Xây dựng"
    receipt = pdf_text(counter.get(f"/can-bo/ho-so/{dossier.code}/phieu/receipt.pdf").content)
    assert "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 09 tháng 11 năm 2026." in receipt
    assert "Phí, lệ phí: 150.000 đồng." in receipt

    # The department's specialist is told, finds it in the queue and forwards it.
    specialist = client_for(dept_specialist)
    assert Notification.objects.filter(recipient=dept_specialist).exists()
    with clock_at(at("03/11/2026 09:00")):
        queue = page_text(specialist.get("/can-bo/ho-so/"))
        assert dossier.code in queue
        assert "Còn " in queue
        page = page_text(specialist.get(f"/can-bo/ho-so/{dossier.code}/"))
        assert "Chuyển đến bước “Phê duyệt” tại Sở Xây dựng." in page
        forwarded = specialist.post(
            f"/can-bo/ho-so/{dossier.code}/thao-tac/forward/",
            {"forward-note": "Đủ điều kiện, trình ký"},
        )
    assert forwarded.status_code == 302
    dossier.refresh_from_db()
    assert dossier.current_step.name == "Phê duyệt"

    # The leader approves without a result first: refused beside the form, nothing changes.
    leader = client_for(dept_leader)
    with clock_at(at("04/11/2026 09:00")):
        early = leader.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/forward/", {})
        assert early.status_code == 400
        assert "Xin đính kèm kết quả giải quyết" in early.content.decode()
        attached = leader.post(
            f"/can-bo/ho-so/{dossier.code}/thao-tac/attach_result/",
            {
                "attach_result-result_file": pdf_file("giay-phep.pdf"),
                "attach_result-result_note": "Giấy phép xây dựng số 12/GPXD",
            },
        )
        assert attached.status_code == 302
        approved = leader.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/forward/", {})
    assert approved.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSED
    assert dossier.files.filter(kind=FileKind.RESULT).count() == 1

    # Back at the counter: the result is handed over.
    with clock_at(at("04/11/2026 14:00")):
        page = page_text(counter.get(f"/can-bo/ho-so/{dossier.code}/"))
        assert "Giấy phép xây dựng số 12/GPXD" in page
        returned = counter.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/return_result/", {})
    assert returned.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    assert not dossier.is_late
    page = page_text(counter.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Đã trả kết quả cho người nộp." in page
    assert "mã trạng thái 10" in page
    control = pdf_text(
        counter.get(f"/can-bo/ho-so/{dossier.code}/phieu/process_control.pdf").content
    )
    assert "Nhận: Phê duyệt, Sở Xây dựng (Trần Thị Giám)" in control
    assert "Quá hạn" not in control
