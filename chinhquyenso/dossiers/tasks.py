"""Scheduled dossier work, run by the task workers (``django-tasks``) or by cron through the
``dossier-reminders`` command: dossiers about to be late, and late ones, are flagged to the
officials who hold them before (and after) their appointment date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from chinhquyenso.accounts.models import AccountType, Role, User
from chinhquyenso.core import clock
from chinhquyenso.core.calendar import WorkingCalendar
from chinhquyenso.core.context import audit_origin
from chinhquyenso.core.models import Notification
from chinhquyenso.core.notify import notify_in_app
from chinhquyenso.dossiers.models import Dossier, Status
from chinhquyenso.dossiers.notify import staff_path
from chinhquyenso.dossiers.workflow import OPEN


def _holders(dossier: Dossier) -> list[User]:
    """Who must act on *dossier* now, and who answers for them: the assignee, or the current
    unit's officials with the current step's role (the counter's when there is no step), and
    that unit's leaders."""
    step = dossier.current_step
    role = step.role if step is not None else Role.ONE_STOP_OFFICER
    officials = User.objects.filter(
        unit_id=dossier.current_unit_id, account_type=AccountType.OFFICIAL, is_active=True
    )
    leaders = Q(roles__role=Role.UNIT_LEADER)
    doers = Q(pk=dossier.assignee_id) if dossier.assignee_id else Q(roles__role=role)
    return list(officials.filter(doers | leaders).distinct().order_by("pk"))


def _message(dossier: Dossier, now: dt.datetime) -> str:
    assert dossier.due_at is not None
    values = {
        "code": dossier.code,
        "due": timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y"),
    }
    if dossier.due_at < now:
        return _("Hồ sơ %(code)s đã quá hạn trả kết quả (hẹn %(due)s).") % values
    return _("Hồ sơ %(code)s sắp đến hạn trả kết quả (hẹn %(due)s).") % values


def _notify(dossier: Dossier, people: Iterable[User], message: str, now: dt.datetime) -> int:
    people = list(people)
    told = set(
        Notification.objects.filter(message=message, recipient__in=people).values_list(
            "recipient_id", flat=True
        )
    )
    fresh = (person.pk for person in people if person.pk not in told)
    return notify_in_app(fresh, message, staff_path(dossier), at=now)


def deadline_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Tell the officials holding each open dossier due within the next working day, or past
    its appointment, with an in-app notice; returns how many notices were made.

    A dossier whose clock is paused (waiting for the applicant) is not flagged. Each official
    is told once per dossier, threshold and appointment: the notice's text names all three, so
    a moved appointment (an apology, a pause) gives a new notice and a repeated run none.
    """
    now = now or clock.now()
    calendar = WorkingCalendar.from_database()
    horizon = calendar.add_working_hours(now, calendar.schedule.day_length)
    candidates = (
        Dossier.objects.filter(
            status__in=OPEN - {Status.NEW}, paused_at__isnull=True, due_at__lte=horizon
        )
        .select_related("current_step")
        .order_by("due_at", "pk")
    )
    sent = 0
    with override("vi"):
        for dossier in candidates.iterator(chunk_size=500):
            with transaction.atomic():
                sent += _notify(dossier, _holders(dossier), _message(dossier, now), now)
    return sent


@task()
def send_deadline_reminders() -> int:
    """Flag dossiers due within a working day and overdue ones to the officials holding them."""
    with audit_origin("task dossiers.send_deadline_reminders"):
        return deadline_reminders_send()
