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
from chinhquyenso.documents.api import DocumentPageOut
from chinhquyenso.documents.models import Delivery, Document, Secrecy
from chinhquyenso.documents.tests.conftest import Register, make_pdf, upload
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
    # A lone accent folds to no word at all: nothing is left to narrow by.
    assert ids(get(client, URL, key, q="\u0301")) == {plan.pk, received.pk, sent.pk}
    assert ids(get(client, URL, key, issued_from="2026-11-21")) == {received.pk, sent.pk}
    today = dt.date.today().isoformat()
    assert plan.pk in ids(get(client, URL, key, arrived_from=today, arrived_to=today))
    assert ids(get(client, URL, key, sender="so van hoa")) == {plan.pk}
    assert ids(get(client, URL, key, sender="Sở Tài chính")) == set()
    page = get(client, URL, key, limit=1, offset=0)
    assert page.json()["count"] == 3 and len(page.json()["items"]) == 1
    assert page.json()["count_exact"] is True


def test_a_whole_reference_in_q_finds_that_document_only(
    client: Client, register_incoming: Register
) -> None:
    key = key_for(scopes=[ApiScope.DOCUMENTS_READ])
    wanted = register_incoming(number=15, notation="QĐ-UBND")
    register_incoming(number=115, notation="QĐ-UBND")
    assert ids(get(client, URL, key, q="15/qđ-ubnd")) == {wanted.pk}
    # A partial notation is no reference of any document: searched as words.
    assert len(ids(get(client, URL, key, q="15/QĐ-UB"))) == 2


def test_a_broad_search_is_counted_up_to_a_bound(
    client: Client, register_incoming: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chinhquyenso.api.pagination import BoundedCountPagination
    from chinhquyenso.documents import selectors

    key = key_for(scopes=[ApiScope.DOCUMENTS_READ])
    matches = [register_incoming(number=n, notation="KH-SVHTTDL") for n in range(1, 6)]
    newest_first = [d.pk for d in reversed(matches)]
    # Few documents: the newest ones hold them all, and the count is exact.
    page = get(client, URL, key, q="trung thu", limit=2).json()
    assert (page["count"], page["count_exact"]) == (5, True)
    assert [item["id"] for item in page["items"]] == newest_first[:2]

    # Many: the page comes from the newest documents, whose matches are a lower bound...
    monkeypatch.setattr(selectors, "SEARCH_WINDOW", 2)
    page = get(client, URL, key, q="trung thu", limit=2).json()
    assert (page["count"], page["count_exact"]) == (2, False)
    assert [item["id"] for item in page["items"]] == newest_first[:2]
    # ...a window that grows as the next pages need...
    page = get(client, URL, key, q="trung thu", limit=2, offset=2).json()
    assert (page["count"], page["count_exact"]) == (5, True)
    assert [item["id"] for item in page["items"]] == newest_first[2:4]
    # ...or, past its largest size, every match (the words are rare), counted exactly.
    monkeypatch.setattr(selectors, "SEARCH_WINDOW_MAX", 2)
    monkeypatch.setattr(BoundedCountPagination, "count_bound", 3)
    page = get(client, URL, key, q="trung thu", limit=2, offset=2).json()
    assert (page["count"], page["count_exact"]) == (5, True)
    assert [item["id"] for item in page["items"]] == newest_first[2:4]
    page = get(client, URL, key, q="trung thu", limit=2, offset=4).json()
    assert (page["count"], page["count_exact"]) == (5, True)
    assert [item["id"] for item in page["items"]] == newest_first[4:]
    page = get(client, URL, key, q="trung thu", limit=2, offset=6).json()
    assert (page["count"], page["count_exact"], page["items"]) == (5, True, [])

    # Newer documents that do not match push the matches out of the window: same answer.
    for number in (6, 7):
        register_incoming(
            number=number,
            notation="KH-SVHTTDL",
            subject="Lịch tiếp công dân",
            file=upload(make_pdf("Lịch tiếp công dân định kỳ của lãnh đạo phường.")),
        )
    page = get(client, URL, key, q="trung thu", limit=2).json()
    assert [item["id"] for item in page["items"]] == newest_first[:2]
    assert (page["count"], page["count_exact"]) == (5, True)

    # A list without words is counted up to the bound past the page.
    page = get(client, URL, key, notation="KH-SVHTTDL", limit=2).json()
    assert (page["count"], page["count_exact"]) == (3, False)


def test_a_document_is_shown_with_its_units_type_reference_and_local_times(
    client: Client, documents: dict, commune: Unit, sender: Unit
) -> None:
    key = key_for(scopes=[ApiScope.DOCUMENTS_READ])
    received, plan = documents["received"], documents["plan"]
    received.refresh_from_db()
    listed = {item["id"]: item for item in get(client, URL, key).json()["items"]}
    item = listed[received.pk]
    assert item == get(client, f"{URL}{received.pk}", key).json()
    assert item["direction"] == "incoming" and item["status"] == received.status
    assert item["status_label"] == "Đã vào sổ, chờ phân công"
    assert item["unit"] == {
        "code": commune.code,
        "agency_code": commune.agency_code,
        "name": commune.name,
    }
    assert item["sender_unit"] == {
        "code": sender.code,
        "agency_code": sender.agency_code,
        "name": sender.name,
    }
    assert item["document_type"] == {"code": "cong-van", "name": "Công văn", "abbreviation": ""}
    assert (item["number"], item["notation"], item["reference"]) == (45, "UBND-VP", "45/UBND-VP")
    assert item["issued_on"] == "2026-11-25" and item["year"] == 2026
    assert item["subject"] == "Đề nghị phối hợp kiểm tra an toàn thực phẩm dịp cuối năm"
    assert (item["signer_name"], item["signer_title"]) == ("Trần Văn Bình", "Chủ tịch")
    assert item["arrival_number"] == received.arrival_number
    assert item["arrived_at"].endswith("+07:00")
    # Times to the millisecond, in the local time zone.
    arrived_at = dt.datetime.fromisoformat(item["arrived_at"])
    assert abs(arrived_at - received.arrived_at) < dt.timedelta(milliseconds=1)
    created_at = dt.datetime.fromisoformat(item["created_at"])
    assert abs(created_at - received.created_at) < dt.timedelta(milliseconds=1)
    assert item["completed_at"] is None and item["urgency"] == "normal"
    pdf = get(client, item["file_url"], key)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # Registered from paper: no sending unit, only the sender's name.
    assert listed[plan.pk]["sender_unit"] is None
    assert listed[plan.pk]["sender_name"] == "Sở Văn hóa, Thể thao và Du lịch"
    assert listed[plan.pk]["due_on"] == "2030-01-01"


def test_the_answers_are_what_the_openapi_description_says(client: Client, documents: dict) -> None:
    key = key_for(scopes=[ApiScope.DOCUMENTS_READ])
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    answer = schema["paths"][URL]["get"]["responses"]["200"]["content"]["application/json"]
    page_schema = components[answer["schema"]["$ref"].rsplit("/", 1)[1]]
    assert set(page_schema["required"]) == {"items", "count", "count_exact"}
    item_schema = components[page_schema["properties"]["items"]["items"]["$ref"].rsplit("/")[-1]]
    page = get(client, URL, key, q="an toan thuc pham")
    assert page.status_code == 200 and page["Content-Type"] == "application/json"
    body = page.json()
    assert set(body) == {"items", "count", "count_exact"} and body["count"] == 2
    for item in body["items"]:
        assert set(item) == set(item_schema["properties"])
        assert item["created_at"].endswith("+07:00")
    # Each value has the type the schema gives it.
    DocumentPageOut.model_validate(body)
    read = get(client, f"{URL}{body['items'][0]['id']}", key)
    assert read["Content-Type"] == "application/json" and read.json() == body["items"][0]
    # The page's bounds: at least one document, at most two hundred, from offset 0.
    limit = error_of(get(client, URL, key, limit=0), 400, "validation_error")
    assert "limit" in str(limit["details"])
    offset = error_of(get(client, URL, key, offset=-1), 400, "validation_error")
    assert "offset" in str(offset["details"])
    everything = get(client, URL, key, limit=100000).json()
    assert (everything["count"], len(everything["items"])) == (3, 3)
