"""API v1 of feedback: scopes, unit scoping, search, personal data, the officials' actions."""

import base64
import io

import pytest
from PIL import Image

from chinhquyenso.api.models import ApiScope
from chinhquyenso.feedback import services
from chinhquyenso.feedback.models import Status
from chinhquyenso.feedback.tests.interfaces.conftest import ALL_FEEDBACK, bearer, submit

pytestmark = pytest.mark.django_db

URL = "/api/v1/feedback/"
PRIVATE_REPORTER = services.ReporterInput(
    name="Nguyễn Văn Hải", phone="0912345678", email="hai@example.vn", consent_given=True
)


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    return response.json()["error"]


@pytest.fixture
def reports(categories, commune, other_commune):
    waste = categories["moi-truong-rac-thai"]
    road = categories["giao-thong-mat-duong"]
    return {
        "waste": submit(
            waste,
            commune,
            "Rác thải tồn đọng ở đường Lê Lợi, gọi 0912345678 để biết thêm.",
            reporter=PRIVATE_REPORTER,
        ),
        "road": submit(
            road,
            commune,
            "Mặt đường Quang Trung có ổ gà lớn.",
            answers={"muc_do": "Nhẹ"},
        ),
        "other": submit(waste, other_commune, "Điểm tập kết rác ở xóm 2 không được thu gom."),
    }


def codes(response):
    assert response.status_code == 200, response.content
    return sorted(item["tracking_code"] for item in response.json()["items"])


def test_without_key_401_and_without_scope_403(client, make_api_client, reports):
    assert_error(client.get(URL), 401, "not_authenticated")
    _, units_only = make_api_client(scopes=[ApiScope.UNITS_READ])
    error = assert_error(client.get(URL, **bearer(units_only)), 403, "forbidden")
    assert "feedback:read" in error["message"]
    _, reader = make_api_client(scopes=[ApiScope.FEEDBACK_READ])
    code = reports["waste"].tracking_code
    assert_error(
        client.post(f"{URL}{code}/actions/accept", {}, "application/json", **bearer(reader)),
        403,
        "forbidden",
    )
    assert_error(client.post(URL, {}, "application/json", **bearer(reader)), 403, "forbidden")


def test_list_is_limited_to_the_clients_units(client, make_api_client, reports, commune):
    _, everywhere = make_api_client()
    assert len(codes(client.get(URL, **bearer(everywhere)))) == 3
    _, ward_only = make_api_client(units=[commune])
    expected = sorted([reports["waste"].tracking_code, reports["road"].tracking_code])
    assert codes(client.get(URL, **bearer(ward_only))) == expected
    # Another unit's report is "not found", not forbidden.
    other = reports["other"].tracking_code
    assert_error(client.get(f"{URL}{other}", **bearer(ward_only)), 404, "not_found")


def test_filters_and_diacritic_insensitive_search(client, make_api_client, reports):
    _, key = make_api_client()
    road = reports["road"].tracking_code
    assert codes(client.get(URL, {"q": "o ga quang trung"}, **bearer(key))) == [road]
    assert codes(client.get(URL, {"q": "Ổ GÀ"}, **bearer(key))) == [road]
    assert codes(client.get(URL, {"category": "giao-thong"}, **bearer(key))) == [road]
    assert len(codes(client.get(URL, {"commune": "16681"}, **bearer(key)))) == 2
    assert len(codes(client.get(URL, {"status": "submitted"}, **bearer(key)))) == 3
    assert codes(client.get(URL, {"status": "answered"}, **bearer(key))) == []
    assert codes(client.get(URL, {"submitted_to": "2000-01-01"}, **bearer(key))) == []
    page = client.get(URL, {"limit": 1, "offset": 1}, **bearer(key)).json()
    assert page["count"] == 3 and len(page["items"]) == 1
    assert_error(client.get(URL, {"status": "nope"}, **bearer(key)), 400, "validation_error")


def test_personal_data_only_with_its_scope(client, make_api_client, reports):
    code = reports["waste"].tracking_code
    _, plain = make_api_client()
    body = client.get(f"{URL}{code}", **bearer(plain)).json()
    assert body["reporters"] is None
    assert "0912345678" not in body["text"]
    assert "Lê Lợi" in body["text"]
    _, personal = make_api_client(scopes=[*ALL_FEEDBACK, ApiScope.FEEDBACK_PERSONAL_DATA])
    body = client.get(f"{URL}{code}", **bearer(personal)).json()
    assert "0912345678" in body["text"]
    assert body["reporters"][0]["name"] == "Nguyễn Văn Hải"
    assert body["reporters"][0]["email"] == "hai@example.vn"


def test_create_through_the_api(client, make_api_client, categories, commune, other_commune):
    _, key = make_api_client(units=[commune])
    payload = {
        "text": "Đèn tín hiệu ở ngã tư Lê Lợi bị hỏng.",
        "category": "giao-thong-den-tin-hieu",
        "commune": "16681",
        "answers": {"anh_huong_giao_thong": True},
        "reporter": {"name": "Lê Thị Hoa", "phone": "0987654321", "consent_given": True},
    }
    response = client.post(URL, payload, "application/json", **bearer(key))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["report"]["status"] == "submitted"
    assert body["report"]["channel"] == "api"
    assert body["report"]["commune"] == {"code": "16681", "name": "Phường Thành Vinh"}
    assert body["access_token"]
    assert body["report"]["submitted_at"].endswith("+07:00")
    # A commune outside the key's units, or an unknown category: a clear 400.
    error = assert_error(
        client.post(URL, {**payload, "commune": "17329"}, "application/json", **bearer(key)),
        400,
        "validation_error",
    )
    assert error["details"][0]["field"] == "commune"
    error = assert_error(
        client.post(URL, {**payload, "category": "khong-co"}, "application/json", **bearer(key)),
        400,
        "validation_error",
    )
    assert error["details"][0]["field"] == "category"
    # A required extra answer missing: the service's message, nothing stored.
    road = {**payload, "category": "giao-thong-mat-duong", "answers": {}}
    error = assert_error(
        client.post(URL, road, "application/json", **bearer(key)), 400, "validation_error"
    )
    assert error["details"][0]["field"].startswith("answers.")


def test_actions_by_an_official_of_the_clients_units(
    client, make_api_client, reports, commune, alice, bob, commune_leader
):
    _, key = make_api_client(units=[commune])
    code = reports["waste"].tracking_code

    def act(action, **data):
        return client.post(f"{URL}{code}/actions/{action}", data, "application/json", **bearer(key))

    # An official outside the key's units cannot be acted for.
    error = assert_error(act("accept", official=bob.email), 400, "validation_error")
    assert error["details"][0]["field"] == "official"
    response = act("accept", official=alice.email)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.ACCEPTED
    assert response.json()["handling_unit"]["code"] == "16681"
    # A move the state does not allow is refused with the service's message.
    error = assert_error(act("accept", official=alice.email), 400, "validation_error")
    assert "Đã tiếp nhận" in error["message"]
    assert_error(act("refuse", official=alice.email), 400, "validation_error")
    assert act("assign", official=alice.email).json()["status"] == Status.IN_PROGRESS
    drafted = act("draft_answer", official=alice.email, answer="Đã thu gom xong rác.")
    assert drafted.json()["status"] == Status.AWAITING_APPROVAL
    # The specialist cannot approve; the ward's leader can.
    assert_error(act("approve_answer", official=alice.email), 400, "validation_error")
    approved = act("approve_answer", official=commune_leader.email)
    assert approved.json()["status"] == Status.ANSWERED
    assert approved.json()["answer"] == "Đã thu gom xong rác."
    assert act("publish", official=alice.email).json()["is_published"] is True
    assert_error(act("fly", official=alice.email), 404, "not_found")


def test_another_units_report_cannot_be_acted_on(client, make_api_client, reports, commune, alice):
    _, key = make_api_client(units=[commune])
    other = reports["other"].tracking_code
    response = client.post(
        f"{URL}{other}/actions/accept", {"official": alice.email}, "application/json", **bearer(key)
    )
    assert_error(response, 404, "not_found")


def test_the_endpoints_are_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/feedback/" in schema["paths"]
    assert "/api/v1/feedback/{code}/actions/{action}" in schema["paths"]


def test_list_queries_do_not_grow_with_the_page(client, make_api_client, reports, categories):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, key = make_api_client(scopes=[*ALL_FEEDBACK, ApiScope.FEEDBACK_PERSONAL_DATA])
    client.get(URL, **bearer(key))  # the first call records the key's use
    with CaptureQueriesContext(connection) as three:
        assert len(codes(client.get(URL, **bearer(key)))) == 3
    for n in range(4):
        submit(categories["y-te"], reports["waste"].commune, f"Trạm y tế số {n} đóng cửa.")
    with CaptureQueriesContext(connection) as seven:
        assert len(codes(client.get(URL, **bearer(key)))) == 7
    assert len(seven) == len(three)


def test_an_answer_through_the_api_carries_files(
    client, make_api_client, reports, commune, alice, commune_leader
):
    _, key = make_api_client(
        units=[commune], scopes=[*ALL_FEEDBACK, ApiScope.FEEDBACK_PERSONAL_DATA]
    )
    code = reports["waste"].tracking_code

    def act(action, **data):
        return client.post(f"{URL}{code}/actions/{action}", data, "application/json", **bearer(key))

    act("accept", official=alice.email)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, format="PNG")
    photo = {
        "name": "da-thu-gom.png",
        "content_base64": base64.b64encode(buffer.getvalue()).decode(),
    }
    # Not base64, or not what it claims: a 400 on the file, nothing saved.
    bad = act(
        "draft_answer",
        official=alice.email,
        answer="Đã thu gom.",
        attachments=[{"name": "x.png", "content_base64": "không phải"}],
    )
    assert assert_error(bad, 400, "validation_error")["details"][0]["field"] == "attachments.0"
    fake = {"name": "x.pdf", "content_base64": base64.b64encode(b"not a pdf").decode()}
    refused = act("draft_answer", official=alice.email, answer="Đã thu gom.", attachments=[fake])
    assert assert_error(refused, 400, "validation_error")["details"][0]["field"] == "attachments"
    assert not reports["waste"].attachments.exists()
    drafted = act("draft_answer", official=alice.email, answer="Đã thu gom.", attachments=[photo])
    assert drafted.status_code == 200, drafted.content
    assert drafted.json()["attachments"] == [
        {
            "name": "da-thu-gom.png",
            "content_type": "image/png",
            "size": len(buffer.getvalue()),
            "is_answer": True,
        }
    ]
    approved = act("approve_answer", official=commune_leader.email)
    assert approved.json()["status"] == Status.ANSWERED
    assert reports["waste"].attachments.get().public_file
