"""Bad input on the officials' pages: a clear Vietnamese message beside the input, never a 500,
nothing half-saved."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chinhquyenso.core.clock import clock_at
from chinhquyenso.dossiers.models import Dossier, FileKind, Status
from chinhquyenso.dossiers.tests.conftest import at, pdf_file, png_file
from chinhquyenso.dossiers.tests.staff.conftest import client_for, fresh

pytestmark = pytest.mark.django_db

REGISTER = "/can-bo/ho-so/tiep-nhan/"


def text_file(name: str = "to-khai.pdf") -> SimpleUploadedFile:
    """A text file pretending to be a PDF by its name and declared type."""
    return SimpleUploadedFile(name, b"khong phai PDF\n" * 20, content_type="application/pdf")


def error_beside(html: str, field_id: str) -> str:
    """The error message shown with the input *field_id* (its ``_error`` paragraph)."""
    found = re.search(rf'id="{re.escape(field_id)}_error">([^<]+)<', html)
    assert found, f"no error shown beside {field_id}"
    return found.group(1)


def registration(code_key: str = "", **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "applicant_name": "Trần Thị Hoa",
        "applicant_id_number": "",
        "applicant_phone": "",
        "applicant_email": "",
        "applicant_address": "",
        "tk-ho_ten_tre": "Trần Minh An",
        "tk-ngay_sinh": "02/11/2026",
        "submission_key": code_key,
    }
    data.update(changes)
    return data


def post_registration(client, version, **changes: object):  # type: ignore[no-untyped-def]
    return client.post(f"{REGISTER}?thu_tuc={version.procedure.code}", registration(**changes))


def test_wrong_file_type_at_registration_is_shown_beside_the_component(
    version, counter_officer
) -> None:
    client = client_for(counter_officer)
    response = post_registration(client, version, **{"component.don": text_file()})
    assert response.status_code == 400
    html = response.content.decode()
    assert "“to-khai.pdf”" in error_beside(html, "id_component.don")
    assert "Chưa đăng ký được hồ sơ" in html
    assert Dossier.objects.count() == 0
    # What was typed is kept.
    assert 'value="Trần Thị Hoa"' in html


def test_registration_field_errors(version, counter_officer) -> None:
    client = client_for(counter_officer)
    response = post_registration(
        client,
        version,
        applicant_name="",
        applicant_id_number="12ab",
        **{"tk-ngay_sinh": "31/02/2026", "tk-ho_ten_tre": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "id_applicant_name") == "Xin nhập họ và tên người nộp hồ sơ."
    assert "ngày hợp lệ" in error_beside(html, "id_tk-ngay_sinh")
    assert "Họ, chữ đệm, tên của trẻ" in error_beside(html, "id_tk-ho_ten_tre")
    assert Dossier.objects.count() == 0


def test_a_bad_id_number_is_refused_by_the_service_beside_its_field(
    version, counter_officer
) -> None:
    client = client_for(counter_officer)
    response = post_registration(client, version, applicant_id_number="12345")
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        error_beside(html, "id_applicant_id_number") == "Số định danh cá nhân gồm đúng 12 chữ số."
    )
    assert Dossier.objects.count() == 0


def test_unknown_procedure_or_one_the_unit_does_not_receive(version, counter_officer) -> None:
    client = client_for(counter_officer)
    response = client.get(REGISTER, {"thu_tuc": "khong-co"})
    assert response.status_code == 200
    assert "Đơn vị không tiếp nhận thủ tục này." in response.content.decode()
    assert client.post(f"{REGISTER}?thu_tuc=khong-co", registration()).status_code == 404


def test_a_forged_submission_key_does_not_reach_another_dossier(
    version, counter_officer, register
) -> None:
    other = register("02/11/2026 08:00", submission_key="counter-999-abc")
    client = client_for(counter_officer)
    response = post_registration(client, version, code_key="counter-999-abc")
    assert response.status_code == 302
    created = Dossier.objects.exclude(pk=other.pk).get()
    assert response["Location"] == f"/can-bo/ho-so/{created.code}/"


def test_refusal_needs_a_confirmation_and_a_reason(register, counter_officer) -> None:
    dossier = register("02/11/2026 08:00")
    client = client_for(counter_officer)
    url = f"/can-bo/ho-so/{dossier.code}/thao-tac/refuse/"

    unconfirmed = client.post(url, {"refuse-reason": "Không thuộc thẩm quyền"})
    assert unconfirmed.status_code == 400
    assert error_beside(unconfirmed.content.decode(), "id_refuse-confirm") == (
        "Xin đánh dấu để xác nhận."
    )

    no_reason = client.post(url, {"refuse-confirm": "on", "refuse-reason": "  "})
    assert no_reason.status_code == 400
    html = no_reason.content.decode()
    assert error_beside(html, "id_refuse-reason") == "Xin ghi rõ lý do từ chối."
    assert "Chưa thực hiện được “Từ chối tiếp nhận”." in html
    assert fresh(dossier).status == Status.NEW


def test_a_request_without_any_item(register, counter_officer) -> None:
    dossier = register("02/11/2026 08:00")
    client = client_for(counter_officer)
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/thao-tac/request_documents/",
        {"request_documents-items-0-reason": "chỉ có lý do"},
    )
    assert response.status_code == 400
    assert "tất cả giấy tờ cần bổ sung" in error_beside(
        response.content.decode(), "id_request_documents-items-0-name"
    )
    assert fresh(dossier).status == Status.NEW


def test_result_must_be_a_pdf(at_leader, dept_leader) -> None:
    client = client_for(dept_leader)
    response = client.post(
        f"/can-bo/ho-so/{at_leader.code}/thao-tac/attach_result/",
        {"attach_result-result_file": png_file("ket-qua.png")},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "id_attach_result-result_file") == "Kết quả điện tử phải là tệp PDF."
    assert not at_leader.files.filter(kind=FileKind.RESULT).exists()
    fake = client.post(
        f"/can-bo/ho-so/{at_leader.code}/thao-tac/attach_result/",
        {"attach_result-result_file": text_file("ket-qua.pdf")},
    )
    assert fake.status_code == 400
    assert "“ket-qua.pdf”" in error_beside(fake.content.decode(), "id_attach_result-result_file")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ngày mai", "Ngày giờ không đúng (ví dụ 2026-12-04T17:00)."),
        ("2026-13-45T17:00", "Ngày giờ không đúng (ví dụ 2026-12-04T17:00)."),
        ("2026-11-05T17:00", "Ngày hẹn mới phải sau ngày hẹn hiện tại và sau thời điểm này."),
        ("", "Ngày giờ không đúng (ví dụ 2026-12-04T17:00)."),
    ],
)
def test_apology_with_a_bad_date(accepted, dept_leader, typed: str, message: str) -> None:
    client = client_for(dept_leader)
    with clock_at(at("09/11/2026 15:00")):
        response = client.post(
            f"/can-bo/ho-so/{accepted.code}/thao-tac/apologise/",
            {"apologise-reason": "Chờ xác minh", "apologise-new_due_at": typed},
        )
    assert response.status_code == 400
    assert error_beside(response.content.decode(), "id_apologise-new_due_at") == message
    assert not accepted.apologies.exists()


def test_apology_with_a_good_date_offers_the_slip(accepted, dept_leader) -> None:
    client = client_for(dept_leader)
    with clock_at(at("09/11/2026 15:00")):
        response = client.post(
            f"/can-bo/ho-so/{accepted.code}/thao-tac/apologise/",
            {
                "apologise-reason": "Chờ xác minh hiện trạng",
                "apologise-new_due_at": "2026-11-13T17:00",
            },
        )
    assert response.status_code == 302
    assert response["Location"].endswith("?phieu=apology#phieu")
    assert fresh(accepted).due_at == at("13/11/2026 17:00")


def test_supply_with_a_wrong_file_leaves_the_request_open(register, counter_officer) -> None:
    dossier = register("02/11/2026 08:00")
    client = client_for(counter_officer)
    client.post(
        f"/can-bo/ho-so/{dossier.code}/thao-tac/request_documents/",
        {"request_documents-items-0-name": "Bản vẽ", "request_documents-items-0-reason": "Thiếu"},
    )
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/thao-tac/supply_documents/",
        {"supply_documents-component.ban-ve": text_file("ban-ve.pdf")},
    )
    assert response.status_code == 400
    assert "“ban-ve.pdf”" in error_beside(
        response.content.decode(), "id_supply_documents-component.ban-ve"
    )
    dossier = fresh(dossier)
    assert dossier.status == Status.ADDITIONAL_REQUESTED
    assert not dossier.files.filter(kind=FileKind.ADDITIONAL).exists()
    empty = client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/supply_documents/", {})
    assert empty.status_code == 400
    assert "Xin tải lên giấy tờ bổ sung hoặc ghi chú." in empty.content.decode()


def test_financial_request_with_a_bad_amount(accepted, dept_specialist) -> None:
    client = client_for(dept_specialist)
    response = client.post(
        f"/can-bo/ho-so/{accepted.code}/thao-tac/request_financial/",
        {"request_financial-amount": "năm trăm", "request_financial-note": "Tiền sử dụng đất"},
    )
    assert response.status_code == 400
    assert error_beside(response.content.decode(), "id_request_financial-amount") == (
        "Số tiền phải là số nguyên (đồng)."
    )
    assert fresh(accepted).status == Status.ACCEPTED


def test_unknown_actions_and_slips_are_not_found(accepted, counter_officer) -> None:
    client = client_for(counter_officer)
    assert client.post(f"/can-bo/ho-so/{accepted.code}/thao-tac/xoa/", {}).status_code == 404
    assert client.get(f"/can-bo/ho-so/{accepted.code}/thao-tac/accept/").status_code == 405
    assert client.get(f"/can-bo/ho-so/{accepted.code}/phieu/refusal.pdf").status_code == 404
    assert client.get(f"/can-bo/ho-so/{accepted.code}/phieu/bogus.pdf").status_code == 404
    assert client.get("/can-bo/ho-so/000.00.01.H40-261102-9999/").status_code == 404
    assert client.get("/can-bo/ho-so/khong-phai-ma/").status_code == 404
    assert client.get("/can-bo/ho-so/hang-doi/khong-co/").status_code == 404


def test_a_slip_before_its_time_is_not_found(register, counter_officer) -> None:
    dossier = register("02/11/2026 08:00")
    client = client_for(counter_officer)
    assert client.get(f"/can-bo/ho-so/{dossier.code}/phieu/receipt.pdf").status_code == 404


def test_an_action_already_taken_by_someone_else(register, counter_officer, commune_leader) -> None:
    dossier = register("02/11/2026 08:00")
    page = client_for(counter_officer)
    client_for(commune_leader).post(f"/can-bo/ho-so/{dossier.code}/thao-tac/accept/", {})
    # The officer's page was open before: the second accept is refused with a message.
    response = page.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/accept/", {}, follow=True)
    assert "Thao tác này không thực hiện được với hồ sơ ở bước hiện tại." in (
        response.content.decode()
    )
    assert fresh(dossier).status == Status.ACCEPTED
    assert fresh(dossier).handovers.count() == 2


def test_registration_with_two_scans_of_one_component(version, counter_officer) -> None:
    client = client_for(counter_officer)
    response = client.post(
        f"{REGISTER}?thu_tuc={version.procedure.code}",
        {**registration(), "component.don": [pdf_file("trang-1.pdf"), png_file("trang-2.png")]},
    )
    assert response.status_code == 302
    assert sorted(Dossier.objects.get().files.values_list("original_name", flat=True)) == [
        "trang-1.pdf",
        "trang-2.png",
    ]


def test_an_impossible_date_is_refused_by_the_action_table_too(accepted, dept_leader) -> None:
    """The API parses through the same table: a well-formed but impossible date is a field
    error there as well, not a server error."""
    from chinhquyenso.dossiers import actions
    from chinhquyenso.dossiers.services import DossierError

    with pytest.raises(DossierError) as refused:
        actions.perform(
            dossier=accepted,
            action="apologise",
            by=dept_leader,
            data={"reason": "Chờ xác minh", "new_due_at": "2026-02-30T17:00"},
        )
    assert refused.value.field == "new_due_at"
