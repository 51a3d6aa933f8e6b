"""The public look-up by code, on the page ``/tra-cuu/`` and in the API: status, dates and
history for anyone holding the code, and nothing about the people involved."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.models import Dossier
from chinhquyenso.dossiers.tests.citizen.conftest import ADDRESS, ID_NUMBER
from chinhquyenso.portal.tests.test_pages import text_of

pytestmark = pytest.mark.django_db

LOOKUP = "/tra-cuu/"
PRIVATE_NOTE = "Ghi chú riêng: gọi lại cho chị Chi"


@pytest.fixture
def moved(received, dept_specialist) -> Dossier:
    """Received at the commune, then handed on by the department's specialist with a note."""
    return services.dossier_forward(dossier=received, by=dept_specialist, note=PRIVATE_NOTE)


def personal_data(dossier: Dossier, *people) -> list[str]:
    return [
        dossier.applicant_name,
        ID_NUMBER,
        ADDRESS,
        "0912345678",
        "chi@example.vn",
        PRIVATE_NOTE,
        *(person.full_name for person in people),
    ]


def test_lookup_page_shows_status_dates_and_history(client, moved):
    response = client.get(LOOKUP, {"ma": moved.code})
    text = text_of(response)
    assert response.status_code == 200
    assert "Cấp giấy phép xây dựng" in text
    assert "Nơi tiếp nhận Phường Thành Vinh" in text
    assert "Đang xử lý (mã 4)" in text
    assert f"Ngày hẹn trả kết quả {timezone.localtime(moved.due_at):%d/%m/%Y}" in text
    received_at = timezone.localtime(moved.received_at)
    assert f"Ngày tiếp nhận {received_at:%H:%M %d/%m/%Y}" in text
    assert "Phường Thành Vinh Nộp hồ sơ — Mới đăng ký" in text
    assert "Phường Thành Vinh Tiếp nhận hồ sơ — Đã tiếp nhận" in text
    assert "Sở Xây dựng Chuyển bước xử lý — Đang xử lý" in text


def test_lookup_page_shows_no_personal_data(client, moved, counter_officer, dept_specialist):
    html = client.get(LOOKUP, {"ma": moved.code}).content.decode()
    for private in personal_data(moved, counter_officer, dept_specialist):
        assert private not in html, private


def test_lookup_accepts_a_code_typed_in_lower_case_with_spaces(client, received):
    response = client.get(LOOKUP, {"ma": f"  {received.code.lower()} "})
    assert response.status_code == 200
    assert "Đã tiếp nhận (mã 2)" in text_of(response)


def test_malformed_code_gets_a_clear_message(client):
    response = client.get(LOOKUP, {"ma": "hồ sơ của tôi"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Mã hồ sơ không đúng dạng." in html
    assert 'id="id_ma_error"' in html and 'aria-describedby="id_ma_helptext id_ma_error"' in html


def test_unknown_code_gets_a_clear_message(client, received):
    response = client.get(LOOKUP, {"ma": "000.00.01.H40-200101-0001"})
    text = text_of(response)
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ mã 000.00.01.H40-200101-0001 ." in text
    assert "Xin kiểm tra lại mã trên phiếu tiếp nhận" in text


def test_the_page_without_a_code_only_shows_the_form(client):
    response = client.get(LOOKUP)
    assert response.status_code == 200
    assert "Không tìm thấy" not in text_of(response)
    assert 'name="ma"' in response.content.decode()


def test_lookup_page_reads_in_two_queries(client, moved, django_assert_max_num_queries):
    client.get(LOOKUP, {"ma": moved.code})  # warm the session and caches
    with django_assert_max_num_queries(2):
        response = client.get(LOOKUP, {"ma": moved.code})
    assert response.status_code == 200


# --- the API -----------------------------------------------------------------------------------


def api_url(code: str) -> str:
    return f"/api/v1/public/dossiers/{code}"


def test_api_answers_without_a_key(client, moved):
    response = client.get(api_url(moved.code))
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == moved.code
    assert (body["status_code"], body["status"]) == (4, "Đang xử lý")
    assert (body["channel"], body["channel_label"]) == (2, "Trực tuyến")
    assert body["procedure"] == "Cấp giấy phép xây dựng"
    assert body["procedure_code"] == moved.version.procedure.code
    assert body["receiving_unit"] == "Phường Thành Vinh"
    assert body["due_at"] == timezone.localtime(moved.due_at).isoformat()
    assert body["due_at"].endswith("+07:00")
    assert [(e["status_code"], e["unit"]) for e in body["history"]] == [
        (1, "Phường Thành Vinh"),
        (2, "Phường Thành Vinh"),
        (4, "Sở Xây dựng"),
    ]
    submitted = timezone.localtime(moved.submitted_at)
    assert body["history"][0] == {
        "at": body["history"][0]["at"],
        "action": "nộp hồ sơ",
        "status_code": 1,
        "status": "Mới đăng ký",
        "unit": "Phường Thành Vinh",
    }
    assert body["history"][0]["at"].startswith(submitted.isoformat(timespec="seconds")[:19])


def test_api_shows_no_personal_data(
    client, moved, counter_officer, dept_specialist, dept_leader, charlie
):
    services.dossier_attach_result(dossier=moved, by=dept_leader, note="Đồng ý cấp phép")
    raw = json.dumps(client.get(api_url(moved.code)).json(), ensure_ascii=False)
    for private in personal_data(moved, counter_officer, dept_specialist, dept_leader, charlie):
        assert private not in raw, private
    assert "Đồng ý cấp phép" not in raw


def test_api_not_found_and_malformed_in_the_error_shape(client, received):
    missing = client.get(api_url("000.00.01.H40-200101-0001"))
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert "000.00.01.H40-200101-0001" in missing.json()["error"]["message"]
    malformed = client.get(api_url("abc"))
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "validation_error"
    assert malformed.json()["error"]["details"][0]["field"] == "code"


def test_api_reads_in_two_queries(client, moved, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get(api_url(moved.code)).status_code == 200


def test_drafts_cannot_be_looked_up(client, draft):
    assert draft.code is None
    assert client.get(api_url("000.00.01.H40-261128-0001")).status_code == 404


def test_the_endpoint_is_documented_without_security(client):
    schema = client.get(reverse("api-v1:openapi-json")).json()
    operation = schema["paths"]["/api/v1/public/dossiers/{code}"]["get"]
    assert set(operation["responses"]) == {"200", "400", "404"}
    assert not operation.get("security")
    assert "Tra cứu" in operation["summary"]
