"""Scheduled feedback work, run by the task workers (``django-tasks``) or by cron through the
``feedback-reminders`` command: deadline reminders and closing reports whose rating window ended.
"""

from __future__ import annotations

from django_tasks import task

from chinhquyenso.core.context import audit_origin
from chinhquyenso.feedback.services import deadline_reminders_send, report_close_expired


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
