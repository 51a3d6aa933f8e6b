"""API v1 of documents: the key and its ``documents:read`` scope, the key's units, secret
documents kept out, the filters, the PDF, the error shape and the OpenAPI description."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from chinhquyenso.accounts.models import User
from chinhquyenso.api.models import ApiScope
from chinhquyenso.api.services import api_client_create
from chinhquyenso.documents import services
from chinhquyenso.documents.models import Delivery, Document, Secrecy
from chinhquyenso.documents.tests.conftest import Register, doc_type, send_through_platform
from chinhquyenso.units.models import Unit

pytestmark = pytest.mark.django_db

URL = "/api/v1/documents/"


def key_for(*, scopes: list[str], units: list[Unit] | None = None, name: str = "LGSP") -> str:
    _client, key = api_client_create(name=name, scopes=scopes, units=units or [], by=None)
    return key


def get(client: Client, path: str, key: str | None = None, **params: Any) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.get(path, params, **headers)


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    return error


@pytest.fixture
def documents(
    register_incoming: Register, arrived: Delivery, clerk: User, chairman: User, alice: User
) -> dict[str, Document]:
    plan = register_incoming()
    services.incoming_assign(document=plan, by=chairman, lead=alice, due_on=dt.date(2030, 1, 1))
    received = services.incoming_receive_delivery(delivery=arrived, by=clerk)
    secret = register_incoming(secrecy=Secrecy.CONFIDENTIAL, file=None, subject="Tài liệu mật")
    return {"plan": plan, "received": received, "sent": arrived.document, "secret": secret}


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_every_endpoint_needs_a_key_with_the_scope(client: Client, documents: dict) -> None:
    plan = documents["plan"]
    paths = [URL, f"{URL}{plan.pk}", f"{URL}{plan.pk}/file"]
    for path in paths:
        error_of(get(client, path), 401, "not_authenticated")
        error_of(get(client, path, "sai-khoa"), 401, "not_authenticated")
    other = key_for(scopes=[ApiScope.DOSSIERS_READ])
    for path in paths:
        error = error_of(get(client, path, other), 403, "forbidden")
        assert "documents:read" in error["message"]


def test_a_key_sees_its_units_documents_and_never_secret_ones(
    client: Client, documents: dict, commune: Unit, sender: Unit, province: Unit
) -> None:
    everywhere = key_for(scopes=[ApiScope.DOCUMENTS_READ], name="Toàn tỉnh")
    ward = key_for(scopes=[ApiScope.DOCUMENTS_READ], units=[commune], name="Phường")
    theirs = key_for(scopes=[ApiScope.DOCUMENTS_READ], units=[sender], name="Xã")
    plan, received, sent = documents["plan"], documents["received"], documents["sent"]
    assert ids(get(client, URL, everywhere)) == {plan.pk, received.pk, sent.pk}
    assert ids(get(client, URL, ward)) == {plan.pk, received.pk}
    assert ids(get(client, URL, theirs)) == {sent.pk}
    error_of(get(client, f"{URL}{plan.pk}", theirs), 404, "not_found")
    error_of(get(client, f"{URL}{plan.pk}/file", theirs), 404, "not_found")
    error_of(get(client, f"{URL}{documents['secret'].pk}", everywhere), 404, "not_found")
    error_of(get(client, f"{URL}999999", everywhere), 404, "not_found")


def test_filters(client: Client, documents: dict, commune: Unit) -> None:
    key = key_for(scopes=[ApiScope.DOCUMENTS_READ])
    plan, received, sent = documents["plan"], documents["received"], documents["sent"]
    assert ids(get(client, URL, key, direction="outgoing")) == {sent.pk}
    assert ids(get(client, URL, key, direction="incoming", status="assigned")) == {plan.pk}
    assert ids(get(client, URL, key, unit=commune.code)) == {plan.pk, received.pk}
    assert ids(get(client, URL, key, unit="khong-co")) == set()
    assert ids(get(client, URL, key, type="ke-hoach")) == {plan.pk}
    assert ids(get(client, URL, key, notation="45/UBND-VP")) == {received.pk, sent.pk}
    assert ids(get(client, URL, key, number=152)) == {plan.pk}
    assert ids(get(client, URL, key, q="an toan thuc pham")) == {received.pk, sent.pk}
    assert ids(get(client, URL, key, q="TRUNG THU thiếu nhi")) == {plan.pk}
    assert ids(get(client, URL, key, issued_from="2026-11-21")) == {received.pk, sent.pk}
    today = dt.date.today().isoformat()
    assert plan.pk in ids(get(client, URL, key, arrived_from=today, arrived_to=today))
    page = get(client, URL, key, limit=1, offset=0)
    assert page.json()["count"] == 3 and len(page.json()["items"]) == 1


def test_the_answer_describes_the_document(client: Client, documents: dict) -> None:
    key = key_for(scopes=[ApiScope.DOCUMENTS_READ])
    plan = documents["plan"]
    body = get(client, f"{URL}{plan.pk}", key).json()
    assert body["reference"] == "152/KH-SVHTTDL"
    assert body["document_type"] == {
        "code": "ke-hoach",
        "name": "Kế hoạch",
        "abbreviation": "KH",
    }
    assert body["direction"] == "incoming" and body["status_label"] == "Đã phân công"
    assert body["arrival_number"] == 1 and body["due_on"] == "2030-01-01"
    assert body["arrived_at"].endswith("+07:00")
    assert body["file_url"] == f"{URL}{plan.pk}/file"
    assert "search_text" not in body and "full_text" not in body


def test_the_current_pdf_is_downloaded(client: Client, documents: dict, plan_pdf: bytes) -> None:
    key = key_for(scopes=[ApiScope.DOCUMENTS_READ])
    response = get(client, f"{URL}{documents['plan'].pk}/file", key)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == plan_pdf


def test_a_document_without_a_file_answers_404(client: Client, register_incoming: Register) -> None:
    register_incoming(secrecy=Secrecy.SECRET, file=None)
    document = Document.objects.get()
    Document.objects.filter(pk=document.pk).update(secrecy=Secrecy.NONE)
    key = key_for(scopes=[ApiScope.DOCUMENTS_READ])
    error = error_of(get(client, f"{URL}{document.pk}/file", key), 404, "not_found")
    assert "chưa có tệp" in error["message"]


def test_bad_filters_answer_in_the_error_shape(client: Client, documents: dict) -> None:
    key = key_for(scopes=[ApiScope.DOCUMENTS_READ])
    error = error_of(get(client, URL, key, direction="sideways"), 400, "validation_error")
    assert {d["field"] for d in error["details"]} == {"direction"}
    error = error_of(get(client, URL, key, issued_from="27/11/2026"), 400, "validation_error")
    assert "YYYY-MM-DD" in error["details"][0]["message"]


def test_openapi_documents_the_endpoints_and_their_errors(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    listing = schema["paths"]["/api/v1/documents/"]["get"]
    assert {"401", "403", "404"} <= set(listing["responses"])
    assert "documents:read" in listing["description"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"direction", "status", "unit", "type", "number", "notation", "q"} <= names
    assert {"limit", "offset"} <= names
    pdf = schema["paths"]["/api/v1/documents/{document_id}/file"]["get"]
    assert "application/pdf" in pdf["responses"]["200"]["content"]


def test_the_sender_and_recipient_have_distinct_copies(
    client: Client, sender: Unit, commune: Unit, plan_pdf: bytes, clerk: User
) -> None:
    delivery = send_through_platform(
        sender=sender,
        recipient=commune,
        pdf=plan_pdf,
        document_type=doc_type("thong-bao"),
        notation="TB-UBND",
        number=9,
    )
    received = services.incoming_receive_delivery(delivery=delivery, by=clerk)
    key = key_for(scopes=[ApiScope.DOCUMENTS_READ])
    found = get(client, URL, key, notation="09/TB-UBND").json()["items"]
    by_direction = {item["direction"]: item for item in found}
    assert by_direction["incoming"]["id"] == received.pk
    assert by_direction["incoming"]["sender_unit"]["name"] == sender.name
    assert by_direction["outgoing"]["unit"]["name"] == sender.name
