"""The key flow end to end, through ``GET /api/v1/units/``."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chinhquyenso.api.models import ApiScope
from chinhquyenso.api.selectors import CLIENTS
from chinhquyenso.api.services import api_client_revoke, api_client_rotate_key, api_client_update
from chinhquyenso.api.tests.conftest import bearer
from chinhquyenso.units.models import UnitKind
from chinhquyenso.units.services import unit_create

URL = "/api/v1/units/"


@pytest.fixture
def tree(province, commune, other_commune):
    """Tỉnh Nghệ An > Phường Thành Vinh > Tổ dân phố 1, and Xã Anh Sơn."""
    hamlet = unit_create(
        parent=commune, kind=UnitKind.OTHER, name="Tổ dân phố số 1", code="TDP1", by=None
    )
    return {"province": province, "commune": commune, "other": other_commune, "hamlet": hamlet}


def codes(response):
    return [item["code"] for item in response.json()["items"]]


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_list_with_a_key_returns_every_unit_in_tree_order(client, make_api_client, tree):
    _, key = make_api_client()
    response = client.get(URL, **bearer(key))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert codes(response) == ["40", "16681", "TDP1", "17329"]
    ward = body["items"][1]
    assert ward == {
        "id": tree["commune"].pk,
        "code": "16681",
        "agency_code": "000.00.01.H40",
        "name": "Phường Thành Vinh",
        "short_name": "UBND",
        "kind": "ward",
        "parent_code": "40",
        "valid_from": None,
        "valid_to": None,
    }
    assert body["items"][0]["parent_code"] is None


def test_no_key_is_401_in_the_error_shape(client, tree):
    response = client.get(URL)
    error = assert_error(response, 401, "not_authenticated")
    assert error["message"] == "Thiếu khóa API hoặc khóa không hợp lệ."
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_wrong_key_is_401(client, make_api_client, tree):
    make_api_client()
    response = client.get(URL, **bearer("cqs_00000000_not-a-real-key"))
    assert assert_error(response, 401, "not_authenticated")["message"] == "Khóa API không hợp lệ."
    response = client.get(URL, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert_error(response, 401, "not_authenticated")


def test_revoked_key_is_401(client, make_api_client, tree):
    api_client, key = make_api_client()
    assert client.get(URL, **bearer(key)).status_code == 200
    api_client_revoke(client=api_client, by=None)
    response = client.get(URL, **bearer(key))
    assert assert_error(response, 401, "not_authenticated")["message"] == "Khóa API đã bị thu hồi."


def test_key_without_the_scope_is_403(client, make_api_client, tree):
    _, key = make_api_client(scopes=[ApiScope.CALENDAR_READ])
    response = client.get(URL, **bearer(key))
    error = assert_error(response, 403, "forbidden")
    assert error["message"] == "Khóa API không có quyền “units:read”."


def test_key_scoped_to_a_unit_sees_only_its_subtree(client, make_api_client, tree):
    _, key = make_api_client(units=[tree["commune"]])
    response = client.get(URL, **bearer(key))
    assert codes(response) == ["16681", "TDP1"]
    assert response.json()["count"] == 2

    _, key = make_api_client(units=[tree["hamlet"], tree["other"]])
    assert codes(client.get(URL, **bearer(key))) == ["TDP1", "17329"]


def test_filters(client, make_api_client, tree):
    _, key = make_api_client()
    assert codes(client.get(URL, {"q": "thanh vinh"}, **bearer(key))) == ["16681"]
    assert codes(client.get(URL, {"q": "ANH SƠN"}, **bearer(key))) == ["17329"]
    assert codes(client.get(URL, {"kind": "commune"}, **bearer(key))) == ["17329"]
    assert codes(client.get(URL, {"parent_code": "40"}, **bearer(key))) == ["16681", "17329"]
    assert codes(client.get(URL, {"parent_code": "16681"}, **bearer(key))) == ["TDP1"]
    assert codes(client.get(URL, {"parent_code": "99999"}, **bearer(key))) == []


def test_pagination(client, make_api_client, tree):
    _, key = make_api_client()
    response = client.get(URL, {"limit": 2, "offset": 1}, **bearer(key))
    assert codes(response) == ["16681", "TDP1"]
    assert response.json()["count"] == 4


def test_bad_query_parameters_are_400_in_vietnamese(client, make_api_client, tree):
    _, key = make_api_client()
    response = client.get(URL, {"limit": "abc", "kind": "county"}, **bearer(key))
    error = assert_error(response, 400, "validation_error")
    details = {d["field"]: d["message"] for d in error["details"]}
    assert details["limit"] == "Phải là số nguyên."
    assert details["kind"].startswith("Giá trị không nằm trong danh sách cho phép")
    response = client.get(URL, {"limit": 0}, **bearer(key))
    details = assert_error(response, 400, "validation_error")["details"]
    assert details == [{"field": "limit", "message": "Phải lớn hơn hoặc bằng 1."}]


def test_scope_is_checked_before_the_input(client, make_api_client, tree):
    _, key = make_api_client(scopes=[ApiScope.CALENDAR_READ])
    assert client.get(URL, {"limit": "abc"}, **bearer(key)).status_code == 403


def test_last_used_at_is_written_at_most_once_a_minute(client, make_api_client, tree):
    api_client, key = make_api_client()
    assert api_client.last_used_at is None
    client.get(URL, **bearer(key))
    api_client.refresh_from_db()
    first = api_client.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        client.get(URL, **bearer(key))
    assert not [q for q in queries if q["sql"].upper().startswith("UPDATE")]
    api_client.refresh_from_db()
    assert api_client.last_used_at == first

    past = timezone.now() - dt.timedelta(minutes=5)
    type(api_client).objects.filter(pk=api_client.pk).update(last_used_at=past)
    CLIENTS.forget()  # as a process that has not seen the client yet
    client.get(URL, **bearer(key))
    api_client.refresh_from_db()
    assert api_client.last_used_at > past + dt.timedelta(minutes=4)


def test_list_query_count_does_not_grow_with_the_units(
    client, make_api_client, tree, django_assert_max_num_queries
):
    _, key = make_api_client(units=[tree["province"]])
    client.get(URL, **bearer(key))  # first call writes last_used_at
    for n in range(20):
        unit_create(parent=tree["other"], kind=UnitKind.OTHER, name=f"Thôn {n}", by=None)
    # key lookup, granted units, count, page
    with django_assert_max_num_queries(4):
        response = client.get(URL, **bearer(key))
    assert response.json()["count"] == 24
    assert len(response.json()["items"]) == 24


def _client_reads(queries):
    return [q for q in queries if 'FROM "api_apiclient"' in q["sql"]]


def test_a_process_keeps_the_client_of_a_key_until_it_changes(client, make_api_client, tree):
    api_client, key = make_api_client()
    assert client.get(URL, **bearer(key)).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, **bearer(key)).status_code == 200
    assert _client_reads(queries) == []
    # Another process changed a client: the token moved, the key is read again.
    CLIENTS.changed()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, **bearer(key)).status_code == 200
    assert len(_client_reads(queries)) == 1
    # Scopes taken away, a key replaced, a key revoked: effective at the next request.
    api_client_update(client=api_client, scopes=[ApiScope.DOSSIERS_READ], units=[], by=None)
    assert_error(client.get(URL, **bearer(key)), 403, "forbidden")
    api_client, new_key = api_client_rotate_key(client=api_client, by=None)
    assert_error(client.get(URL, **bearer(key)), 401, "not_authenticated")
    api_client_update(client=api_client, scopes=[ApiScope.UNITS_READ], units=[], by=None)
    assert client.get(URL, **bearer(new_key)).status_code == 200
    api_client_revoke(client=api_client, by=None)
    assert_error(client.get(URL, **bearer(new_key)), 401, "not_authenticated")


def _grant_reads(queries):
    return [q for q in queries if 'FROM "api_apiclient_units"' in q["sql"]]


def test_a_process_keeps_the_units_granted_to_a_key_until_they_change(
    client, make_api_client, tree
):
    api_client, key = make_api_client(units=[tree["commune"]])
    assert {u["id"] for u in client.get(URL, **bearer(key)).json()["items"]} == {
        tree["commune"].pk,
        tree["hamlet"].pk,
    }
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, **bearer(key)).status_code == 200
    assert _grant_reads(queries) == []
    # Other units granted: the next request sees them, and only them.
    api_client_update(
        client=api_client, scopes=[ApiScope.UNITS_READ], units=[tree["other"]], by=None
    )
    assert {u["id"] for u in client.get(URL, **bearer(key)).json()["items"]} == {tree["other"].pk}
