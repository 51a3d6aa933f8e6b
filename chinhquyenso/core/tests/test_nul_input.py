"""A NUL character in an address or in any text sent is refused before any view reads it:
PostgreSQL would fail the request, and SQLite would match every document. The API names each
field; a page with such an address is not found."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chinhquyenso.api.models import ApiScope
from chinhquyenso.api.services import api_client_create
from chinhquyenso.feedback.models import Report
from chinhquyenso.units.models import Unit

pytestmark = pytest.mark.django_db

DOCUMENTS = "/api/v1/documents/"


def _key(unit: Unit, *scopes: str) -> dict[str, str]:
    """The header of a new API key for *unit* with *scopes*."""
    _client, key = api_client_create(
        name=f"Hệ thống thử {len(scopes)}", scopes=list(scopes), units=[unit], by=None
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _refused_fields(response: Any) -> list[str]:
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert all("NUL" in detail["message"] for detail in error["details"])
    return [detail["field"] for detail in error["details"]]


def test_a_search_holding_nul_is_refused_not_run(client: Client, province: Unit) -> None:
    documents_key = _key(province, ApiScope.DOCUMENTS_READ)
    assert client.get(DOCUMENTS, {"q": "abc"}, **documents_key).status_code == 200

    refused = client.get(DOCUMENTS, {"q": "\x00abc", "unit": "40\x00"}, **documents_key)

    assert _refused_fields(refused) == ["q", "unit"]
    assert "Không được chứa ký tự NUL" in refused.json()["error"]["details"][0]["message"]


def test_every_list_of_the_api_refuses_nul_in_its_filters(client: Client, province: Unit) -> None:
    key = _key(province, ApiScope.UNITS_READ, ApiScope.FEEDBACK_READ, ApiScope.DOSSIERS_READ)
    for url in ("/api/v1/units/", "/api/v1/feedback/", "/api/v1/dossiers/", "/api/v1/procedures/"):
        assert _refused_fields(client.get(url, {"q": "a\x00"}, **key)) == ["q"], url


def test_json_holding_nul_is_refused_and_nothing_is_saved(client: Client, commune: Unit) -> None:
    body = {
        "text": "Đèn đường hỏng\u0000 ở ngõ 3.",
        "commune": commune.code,
        "reporter": {"name": "Người\u0000 thử", "consent_given": True},
        "answers": {"tags": ["ok", "x\u0000"]},
    }

    refused = client.post(
        "/api/v1/feedback/",
        json.dumps(body),
        "application/json",
        **_key(commune, ApiScope.FEEDBACK_WRITE),
    )

    assert _refused_fields(refused) == ["text", "reporter.name", "answers.tags.1"]
    assert not Report.objects.exists()


def test_a_form_field_or_a_path_holding_nul_is_refused(client: Client) -> None:
    upload = SimpleUploadedFile("qd.pdf", b"%PDF-1.7 not really")
    refused = client.post("/api/v1/signatures/verify", {"file": upload, "note": "a\x00"})
    assert _refused_fields(refused) == ["note"]

    assert _refused_fields(client.get("/api/v1/public/dossiers/H40%00ABC")) == ["path"]


def test_a_page_whose_address_holds_nul_is_not_found(client: Client, province: Unit) -> None:
    for url in ("/phan-anh/cong-khai/PA%00X/", "/dich-vu-cong/thu-tuc/1.00%0012/"):
        page = client.get(url)
        assert page.status_code == 404, url
        assert "Không tìm thấy trang" in page.content.decode()


def test_an_admin_list_filtered_by_nul_is_not_found(admin_client: Client, province: Unit) -> None:
    assert admin_client.get("/quan-tri/units/unit/", {"code": "40"}).status_code == 200

    for query in ({"code": "4\x000"}, {"\x00": "40"}):
        page = admin_client.get("/quan-tri/units/unit/", query)
        assert page.status_code == 404, query
        assert "Không tìm thấy trang" in page.content.decode()
        assert "Đăng xuất" in page.content.decode()  # still shown as signed in


def test_the_fields_a_page_is_sent_are_left_to_its_forms(client: Client, province: Unit) -> None:
    answer = client.post("/dang-nhap/", {"username": "an\x00@example.vn", "password": "x"})

    assert answer.status_code == 200  # the form again, with its error, in Vietnamese
    assert "Không được chứa ký tự NUL" in answer.content.decode()
    assert "_auth_user_id" not in client.session
