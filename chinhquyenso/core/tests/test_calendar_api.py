"""GET /api/v1/calendar/due-date: public, answers in +07:00, refuses bad input with a 400."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import pytest

from chinhquyenso.core.models import CalendarDay
from chinhquyenso.core.services import calendar_day_set

URL = "/api/v1/calendar/due-date"

pytestmark = pytest.mark.django_db


def due(client, **params):
    return client.get(f"{URL}?{urlencode(params)}")


def test_due_date_across_tet_2026_without_any_key(client):
    response = due(client, received_at="2026-02-13T16:00:00+07:00", working_days=1)
    assert response.status_code == 200
    assert response.json() == {
        "received_at": "2026-02-13T16:00:00+07:00",
        "working_days": 1,
        "due_at": "2026-02-23T17:00:00+07:00",
    }


@pytest.mark.parametrize(
    "received_at",
    [
        "2026-02-13T16:00:00",  # no offset: Việt Nam local time
        "2026-02-13T09:00:00Z",
        "2026-02-13T09:00:00+00:00",
        "2026-02-13 16:00",
    ],
)
def test_received_at_in_other_notations(client, received_at):
    response = due(client, received_at=received_at, working_days=1)
    assert response.status_code == 200, response.json()
    assert response.json()["received_at"] == "2026-02-13T16:00:00+07:00"
    assert response.json()["due_at"] == "2026-02-23T17:00:00+07:00"


def test_an_unescaped_plus_in_the_query_string_still_works(client):
    response = client.get(f"{URL}?received_at=2026-07-03T15:30:00+07:00&working_days=3")
    assert response.status_code == 200
    assert response.json()["due_at"] == "2026-07-08T17:00:00+07:00"


def test_received_on_a_saturday_and_on_a_holiday(client):
    saturday = due(client, received_at="2026-07-04T09:00:00+07:00", working_days=1)
    assert saturday.json()["due_at"] == "2026-07-06T17:00:00+07:00"
    holiday = due(client, received_at="2026-04-30T08:00:00+07:00", working_days=1)
    assert holiday.json()["due_at"] == "2026-05-04T17:00:00+07:00"
    same_day = due(client, received_at="2026-07-06T10:00:00+07:00", working_days=0)
    assert same_day.json()["due_at"] == "2026-07-06T17:00:00+07:00"


def test_the_administrators_table_changes_the_answer(client, leader):
    calendar_day_set(
        date=date(2026, 7, 6), kind=CalendarDay.Kind.DAY_OFF, reason="Nghỉ thêm", by=leader
    )
    response = due(client, received_at="2026-07-03T15:30:00+07:00", working_days=1)
    assert response.json()["due_at"] == "2026-07-07T17:00:00+07:00"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"received_at": "13/02/2026 16:00", "working_days": "1"},
            "received_at",
            "Cần ngày giờ dạng ISO 8601, ví dụ 2026-02-13T16:00:00+07:00.",
        ),
        (
            {"received_at": "2026-02-30T10:00:00", "working_days": "1"},
            "received_at",
            "Cần ngày giờ dạng ISO 8601, ví dụ 2026-02-13T16:00:00+07:00.",
        ),
        (
            {"received_at": "2026-02-13", "working_days": "1"},
            "received_at",
            "Cần ngày giờ dạng ISO 8601, ví dụ 2026-02-13T16:00:00+07:00.",
        ),
        (
            {"received_at": "2200-01-05T10:00:00", "working_days": "1"},
            "received_at",
            "Chỉ tính được hạn cho các năm từ 1901 đến 2100.",
        ),
        (
            {"received_at": "2100-12-30T10:00:00", "working_days": "5"},
            "received_at",
            "Chỉ tính được hạn cho các năm từ 1901 đến 2100.",
        ),
        ({"received_at": "2026-02-13T16:00:00", "working_days": "abc"}, "working_days", None),
        ({"received_at": "2026-02-13T16:00:00", "working_days": "1.5"}, "working_days", None),
        ({"received_at": "2026-02-13T16:00:00", "working_days": "-1"}, "working_days", None),
        ({"received_at": "2026-02-13T16:00:00", "working_days": "366"}, "working_days", None),
        ({"received_at": "2026-02-13T16:00:00"}, "working_days", None),
        ({"working_days": "1"}, "received_at", None),
    ],
)
def test_bad_input_answers_400_in_the_api_error_shape(client, params, field, message):
    response = due(client, **params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["message"]
    fields = [detail["field"] for detail in body["error"]["details"]]
    assert fields == [field]
    detail = body["error"]["details"][0]["message"]
    if message is not None:
        assert detail == message
    assert detail.isascii() is False  # a Vietnamese message, not pydantic's English


def test_openapi_documents_the_answer_and_the_error(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][URL]["get"]
    responses = operation["responses"]
    assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/DueDateOut")
    assert responses["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert parameters["received_at"]["format"] == "date-time"
    assert (parameters["working_days"]["minimum"], parameters["working_days"]["maximum"]) == (
        0,
        365,
    )
    assert "security" not in operation
