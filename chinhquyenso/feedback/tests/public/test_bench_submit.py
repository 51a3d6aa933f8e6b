"""Submitting through ``POST /api/v1/feedback/`` as ``bench/feedback_bench.py`` does.

The endpoint answers from the report it just wrote (no second read of the row and its
reporters): the answer must be what a read of the same report returns, and none of the work a
submission owes (audit row, history event, screeners' notices) may go missing. The statements
of a submission are pinned one by one; the process copies that spare three of them (calendar
overrides, categories, the key's client) must follow an administrator's edit.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chinhquyenso.api.models import ApiScope
from chinhquyenso.api.services import api_client_create
from chinhquyenso.core.clock import clock_at
from chinhquyenso.core.models import AuditEntry, CalendarDay, Notification
from chinhquyenso.core.services import calendar_day_remove, calendar_day_set
from chinhquyenso.feedback import services
from chinhquyenso.feedback.demo import feedback_demo_load
from chinhquyenso.feedback.models import Category, EventKind, Report
from chinhquyenso.units.models import Unit

ALL_FEEDBACK = [ApiScope.FEEDBACK_READ, ApiScope.FEEDBACK_WRITE, ApiScope.FEEDBACK_PROCESS]

URL = "/api/v1/feedback/"
PAYLOAD = {
    "text": "Đèn đường hỏng ở ngõ 3, tối không nhìn thấy đường.",
    "category": "giao-thong-den-tin-hieu",
    "commune": "16681",
    "address": "Ngõ 3",
    "answers": {"anh_huong_giao_thong": True},
    "latitude": "18.679312",
    "longitude": "105.681234",
    "reporter": {"name": "Người thử tải", "phone": "0912000111", "consent_given": True},
}


@pytest.fixture
def demo_categories(province: Unit) -> None:
    feedback_demo_load(reports=0)


def bearer(commune: Unit, *scopes: str) -> dict[str, str]:
    """The header of a new key for *commune* with the feedback scopes and *scopes*."""
    _, key = api_client_create(
        name=f"Hệ thống thử {len(scopes)}",
        scopes=[*ALL_FEEDBACK, *scopes],
        units=[commune],
        by=None,
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.parametrize("personal", [True, False])
def test_created_report_is_answered_as_a_read_returns_it(
    client, demo_categories, commune, personal
):
    key = bearer(commune, *([ApiScope.FEEDBACK_PERSONAL_DATA] if personal else []))
    response = client.post(URL, PAYLOAD, "application/json", **key)
    assert response.status_code == 201, response.content
    created = response.json()["report"]
    read = client.get(f"{URL}{created['tracking_code']}", **key)
    assert read.status_code == 200
    assert created == read.json()
    assert created["category_group"] == {"code": "giao-thong", "name": "Giao thông"}
    if personal:
        assert created["reporters"][0]["name"] == "Người thử tải"
    else:
        assert created["reporters"] is None
        assert "0912000111" not in response.content.decode()


def _statement(sql: str) -> str:
    """``"SELECT units_unit"``, ``"INSERT feedback_report"``, ``"BEGIN"``: what a statement
    does to which table, for comparing lists of statements."""
    words = sql.replace('"', "").split()
    verb = words[0]
    if verb == "SELECT":
        depth = 0  # the outer FROM, not one of a subquery in the select list
        for word, following in itertools.pairwise(words):
            if word == "FROM" and depth == 0:
                table = following
                break
            depth += word.count("(") - word.count(")")
    elif verb in ("INSERT", "DELETE"):
        table = words[2]
    elif verb == "UPDATE":
        table = words[1]
    else:
        return verb
    return f"{verb} {table}"


#: One submission through the API, statement by statement, once the process holds its copies
#: of the calendar overrides, of the categories and of the key's client. Read: the commune
#: within the key's units (one query); the writes in one transaction, without a savepoint; the
#: screeners' notices before the audit row, so the audit chain's lock is held only over its own
#: three statements and the commit. 18 statements before this was counted here, then 13 while
#: every request read its key, then 12 while the audit chain read its head and its last row
#: apart.
SUBMIT_STATEMENTS = [
    "SELECT units_unit",
    "BEGIN",
    "INSERT feedback_report",
    "INSERT feedback_reporter",
    "INSERT feedback_event",
    "SELECT accounts_user",
    "INSERT core_notification",
    "SELECT core_audithead",
    "INSERT core_auditentry",
    "UPDATE core_audithead",
    "COMMIT",
]


@pytest.mark.django_db(transaction=True)
def test_submission_does_all_its_work_in_eleven_statements(client, demo_categories, commune, alice):
    key = bearer(commune)
    client.post(URL, PAYLOAD, "application/json", **key)  # warm: last_used_at, process copies
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, PAYLOAD, "application/json", **key)
    assert response.status_code == 201, response.content
    report = Report.objects.get(tracking_code=response.json()["report"]["tracking_code"])
    # Written: the report, its reporter, the public "submitted" event, the screener's notice,
    # the audit row.
    assert report.reporters.get().name == "Người thử tải"
    assert report.events.filter(kind=EventKind.SUBMITTED, is_public=True).count() == 1
    assert AuditEntry.objects.filter(action="feedback.submit", object_id=str(report.pk)).exists()
    assert Notification.objects.filter(recipient=alice, message__contains=report.tracking_code)
    statements = [_statement(q["sql"]) for q in queries.captured_queries]
    statements = ["BEGIN" if s.startswith("BEGIN") else s for s in statements]  # SQLite: IMMEDIATE
    assert statements == SUBMIT_STATEMENTS, "\n".join(q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_a_calendar_edit_reaches_the_next_submission(client, demo_categories, commune, leader):
    """The process's copy of the calendar overrides is replaced once an edit commits: a report
    sent after the day is made a day off gets its accept deadline past that day."""
    key = bearer(commune)
    monday = dt.datetime(2026, 12, 7, 7, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with clock_at(monday):
        first = client.post(URL, PAYLOAD, "application/json", **key).json()["report"]
    assert first["accept_due_at"] == "2026-12-07T17:00:00+07:00"  # 8 working hours, same day
    calendar_day_set(date=monday.date(), kind=CalendarDay.Kind.DAY_OFF, reason="Nghỉ", by=leader)
    with clock_at(monday):
        second = client.post(URL, PAYLOAD, "application/json", **key).json()["report"]
    assert second["accept_due_at"] == "2026-12-08T17:00:00+07:00"
    calendar_day_remove(date=monday.date(), by=leader)
    with clock_at(monday):
        third = client.post(URL, PAYLOAD, "application/json", **key).json()["report"]
    assert third["accept_due_at"] == "2026-12-07T17:00:00+07:00"


@pytest.mark.django_db(transaction=True)
def test_a_category_edit_reaches_the_next_submission(client, demo_categories, commune):
    key = bearer(commune)
    assert client.post(URL, PAYLOAD, "application/json", **key).status_code == 201
    category = Category.objects.get(code=PAYLOAD["category"])
    category.is_active = False
    services.config_save(obj=category, by=None)
    response = client.post(URL, PAYLOAD, "application/json", **key)
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "category"
