"""Writes of the core app: the working calendar's override table, officials' notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.calendar import OVERRIDES
from chinhquyenso.core.models import CalendarDay, Notification
from chinhquyenso.core.text import clean_text

_TEXT_MAX = 255


def _check_date(date: Any) -> dt.date:
    if isinstance(date, dt.datetime) or not isinstance(date, dt.date):
        raise ValidationError({"date": _("Ngày không hợp lệ.")})
    return date


@transaction.atomic
def calendar_day_set(
    *, date: dt.date, kind: str, reason: str, legal_basis: str = "", by: Any
) -> CalendarDay:
    """Make *date* a day off or a (swapped) working day, replacing any earlier entry for it.

    The entry overrides both the statutory holidays and the weekend rule of
    :mod:`chinhquyenso.core.calendar`. Deadlines computed before the change keep their dates:
    the calendar affects computations made after it.
    """
    date = _check_date(date)
    if kind not in CalendarDay.Kind.values:
        raise ValidationError({"kind": _("Loại ngày không hợp lệ: %s.") % kind})
    reason = clean_text(reason)
    legal_basis = clean_text(legal_basis)
    if not reason:
        raise ValidationError({"reason": _("Cần ghi lý do.")})
    if len(reason) > _TEXT_MAX:
        raise ValidationError({"reason": _("Lý do không được dài quá 255 ký tự.")})
    if len(legal_basis) > _TEXT_MAX:
        raise ValidationError({"legal_basis": _("Căn cứ không được dài quá 255 ký tự.")})

    values = {"kind": kind, "reason": reason, "legal_basis": legal_basis}
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        try:
            with transaction.atomic():
                day = CalendarDay.objects.create(date=date, **values)
        except IntegrityError as exc:  # the same date added at the same moment elsewhere
            raise ValidationError(
                {"date": _("Ngày %s vừa được thêm vào lịch, vui lòng thử lại.") % _day(date)}
            ) from exc
        changes: dict[str, list[Any]] = {field: [None, value] for field, value in values.items()}
    else:
        changes = {
            field: [getattr(day, field), value]
            for field, value in values.items()
            if getattr(day, field) != value
        }
        if not changes:
            return day
        for field, value in values.items():
            setattr(day, field, value)
        day.save(update_fields=list(changes))
    audit_record(actor=by, action="calendar_day.set", obj=day, changes=changes)
    OVERRIDES.changed_on_commit()  # processes drop their copies of the rows
    return day


@transaction.atomic
def calendar_day_remove(*, date: dt.date, by: Any) -> None:
    """Delete the entry of *date*, so the statutory holidays and the weekend rule apply again."""
    date = _check_date(date)
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        raise ValidationError({"date": _("Ngày %s không có trong lịch.") % _day(date)})
    audit_record(
        actor=by,
        action="calendar_day.remove",
        obj=day,
        changes={
            "kind": [day.kind, None],
            "reason": [day.reason, None],
            "legal_basis": [day.legal_basis, None],
        },
    )
    day.delete()
    OVERRIDES.changed_on_commit()  # processes drop their copies of the rows


def _day(date: dt.date) -> str:
    return date_format(date, "d/m/Y")


@transaction.atomic
def notification_mark_read(*, notification: Notification, by: Any) -> Notification:
    """Mark one in-app notification of *by* as read (a no-op when it already is)."""
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.recipient_id != getattr(by, "pk", None):
        raise ValidationError(_("Thông báo này không phải của bạn."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit_record(
            actor=by,
            action="notification.read",
            obj=notification,
            changes={"read_at": [None, notification.read_at.isoformat()]},
        )
    return notification


@transaction.atomic
def notifications_mark_all_read(*, by: Any) -> int:
    """Mark every unread in-app notification of *by* as read; returns how many."""
    now = timezone.now()
    count = Notification.objects.filter(recipient=by, read_at__isnull=True).update(read_at=now)
    if count:
        audit_record(
            actor=by,
            action="notification.read_all",
            obj=by,
            changes={"count": [0, count], "read_at": [None, now.isoformat()]},
        )
    return count
