"""Background feedback work, run by the task workers (``django-tasks``): deadline reminders and
closing reports whose rating window ended (also by cron through the ``feedback-reminders``
command), and refreshing the public search text after a category or a unit is renamed.
"""

from __future__ import annotations

from django_tasks import task

from chinhquyenso.core.context import audit_origin
from chinhquyenso.feedback.models import Category
from chinhquyenso.feedback.services import (
    deadline_reminders_send,
    report_close_expired,
    reports_public_search_refresh,
)
from chinhquyenso.units.models import Unit


@task()
def send_deadline_reminders() -> int:
    """Remind handlers and leaders of reports due within a working day or overdue."""
    with audit_origin("task feedback.send_deadline_reminders"):
        return deadline_reminders_send()


@task()
def close_expired_reports() -> int:
    """Close answered reports whose rating window has ended."""
    with audit_origin("task feedback.close_expired_reports"):
        return report_close_expired()


@task()
def refresh_public_search_text(*, kind: str, pk: int) -> int:
    """Recompute the public search text after a category (*kind* ``"category"``) or a commune
    (``"commune"``) was renamed; a row deleted since is nothing to do."""
    with audit_origin(f"task feedback.refresh_public_search_text {kind}"):
        if kind == "category":
            category = Category.objects.filter(pk=pk).first()
            return reports_public_search_refresh(category=category) if category else 0
        commune = Unit.objects.filter(pk=pk).first()
        return reports_public_search_refresh(commune=commune) if commune else 0
