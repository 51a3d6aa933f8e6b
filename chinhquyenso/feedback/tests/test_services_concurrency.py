"""Two officials acting on the same report at once: the row lock lets exactly one through.

PostgreSQL only, for the reasons given in ``core/tests/test_audit_concurrency.py``.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.feedback import services
from chinhquyenso.feedback.models import EventKind, Report, Status

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def test_concurrent_accept_and_refuse_one_wins(submitted_report: Report, alice: User) -> None:
    other = official_create(
        full_name="Đỗ Văn Đạt",
        unit=alice.unit,
        roles=[Role.ONE_STOP_OFFICER],
        email="dat@example.vn",
        password=PASSWORD,
        by=None,
    )
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def work(index: int) -> None:
        start.wait()
        try:
            if index == 0:
                services.report_accept(report=submitted_report, by=alice)
            else:
                services.report_refuse(report=submitted_report, by=other, reason="spam")
            outcomes.append("ok")
        except services.FeedbackError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["ok", "refused"]
    report = Report.objects.get(pk=submitted_report.pk)
    assert report.status in (Status.ACCEPTED, Status.REFUSED)
    decisive = report.events.filter(kind__in=[EventKind.ACCEPTED, EventKind.REFUSED])
    assert decisive.count() == 1
