"""Submitting through ``POST /api/v1/feedback/`` as ``bench/feedback_bench.py`` does.

The endpoint answers from the report it just wrote (no second read of the row and its
reporters): the answer must be what a read of the same report returns, and none of the work a
submission owes (audit row, history event, screeners' notices after commit) may go missing.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chinhquyenso.api.models import ApiScope
from chinhquyenso.api.services import api_client_create
from chinhquyenso.core.models import AuditEntry, Notification
from chinhquyenso.feedback.demo import feedback_demo_load
from chinhquyenso.feedback.models import EventKind, Report
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


@pytest.mark.django_db(transaction=True)
def test_submission_does_all_its_work_in_a_bounded_number_of_queries(
    client, demo_categories, commune, alice
):
    key = bearer(commune)
    client.post(URL, PAYLOAD, "application/json", **key)  # warm: last_used_at written
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, PAYLOAD, "application/json", **key)
    assert response.status_code == 201, response.content
    report = Report.objects.get(tracking_code=response.json()["report"]["tracking_code"])
    # Written: the report, its reporter, the public "submitted" event, the audit row; after
    # commit, the notice to the commune's screener.
    assert report.reporters.get().name == "Người thử tải"
    assert report.events.filter(kind=EventKind.SUBMITTED, is_public=True).count() == 1
    assert AuditEntry.objects.filter(action="feedback.submit", object_id=str(report.pk)).exists()
    assert Notification.objects.filter(recipient=alice, message__contains=report.tracking_code)
    # Key, units, commune, category, calendar, report (in a savepoint), reporter, event, audit
    # chain (4), commit; screeners and their notices. 22 before the endpoint stopped reading
    # the report and its reporters back.
    statements = [q["sql"] for q in queries.captured_queries]
    assert not any(s.startswith("SELECT") and 'FROM "feedback_reporter"' in s for s in statements)
    assert len(statements) <= 20, "\n".join(statements)
