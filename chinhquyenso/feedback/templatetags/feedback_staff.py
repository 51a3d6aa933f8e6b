"""Template helpers of the officials' pages: deadlines in words, hop times, unread count."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chinhquyenso.core.models import Notification
from chinhquyenso.feedback.deadlines import current_deadline
from chinhquyenso.feedback.models import Report, Status
from chinhquyenso.feedback.views.staff import queues_for

register = template.Library()

HOUR = 3600
DAY = 24 * HOUR


def _amount(seconds: int) -> str:
    """A duration in the largest whole unit that fits: days, else hours, else minutes."""
    if seconds >= DAY:
        days = seconds // DAY
        return ngettext("%(n)d ngày", "%(n)d ngày", days) % {"n": days}
    if seconds >= HOUR:
        hours = seconds // HOUR
        return ngettext("%(n)d giờ", "%(n)d giờ", hours) % {"n": hours}
    minutes = max(seconds // 60, 1)
    return ngettext("%(n)d phút", "%(n)d phút", minutes) % {"n": minutes}


def describe_due(due: dt.datetime, now: dt.datetime) -> tuple[str, bool]:
    """``("Quá hạn 2 ngày", True)`` or ``("Còn 3 giờ", False)``: lateness said in words."""
    left = int((due - now).total_seconds())
    if left < 0:
        return _("Quá hạn %(amount)s") % {"amount": _amount(-left)}, True
    return _("Còn %(amount)s") % {"amount": _amount(left)}, False


@register.inclusion_tag("feedback/staff/_due.html")
def due_status(report: Report, now: dt.datetime | None = None) -> dict[str, Any]:
    """The running deadline of *report* with its lateness in words (never by colour alone)."""
    due = current_deadline(report)
    label = _("Hạn tiếp nhận") if report.status == Status.SUBMITTED else _("Hạn trả lời")
    if report.status == Status.INFO_REQUESTED:
        return {"text": _("Tạm dừng, chờ người phản ánh bổ sung"), "state": "paused"}
    if due is None:
        if report.answered_at and report.answer_due_at:
            late = report.answered_at > report.answer_due_at
            text = _("Đã trả lời quá hạn") if late else _("Đã trả lời đúng hạn")
            return {"text": text, "state": "late" if late else "ok"}
        return {"text": _("Không có thời hạn đang chạy"), "state": "paused"}
    text, late = describe_due(due, now or timezone.now())
    return {"label": label, "due": due, "text": text, "state": "late" if late else "ok"}


@register.filter
def working_time(seconds: int | None) -> str:
    """Working seconds a unit held a report, as ``3 giờ 20 phút`` (hours and minutes)."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), HOUR)
    minutes = rest // 60
    if hours and minutes:
        return _("%(h)d giờ %(m)d phút") % {"h": hours, "m": minutes}
    if hours:
        return ngettext("%(n)d giờ", "%(n)d giờ", hours) % {"n": hours}
    return ngettext("%(n)d phút", "%(n)d phút", minutes) % {"n": minutes}


@register.simple_tag
def unread_notification_count(user: Any) -> int:
    """How many in-app notifications *user* has not read yet."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@register.simple_tag
def feedback_queues(user: Any) -> list[Any]:
    """The feedback queues *user* works with, for links from the workspace."""
    return queues_for(user) if getattr(user, "is_authenticated", False) else []


@register.filter
def answer_rows(report: Report) -> list[tuple[str, str]]:
    """The answers to the category's extra questions as (question, answer) in the questions'
    order, yes/no in words; an answer to a question the category no longer asks keeps its key."""
    answers = dict(report.answers or {})
    rows: list[tuple[str, str]] = []
    for question in report.category.questions or []:
        key = question.get("key")
        if key not in answers:
            continue
        value = answers.pop(key)
        if isinstance(value, bool):
            value = _("Có") if value else _("Không")
        rows.append((str(question.get("label") or key), str(value)))
    rows += [(key, str(value)) for key, value in answers.items()]
    return rows
