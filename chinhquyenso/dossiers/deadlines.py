"""Working-time deadlines of dossiers: the appointment date, each step's share, pauses.

- The appointment date (ngày hẹn trả) is the end of the *n*-th working day after the day of
  receipt, *n* being the procedure version's processing time (Civil Code 2015 Art. 147–148,
  :func:`chinhquyenso.core.calendar.add_working_days`).
- Each processing step gets its share in working days, counted in working hours from the
  moment the step's unit received the dossier, never later than the appointment.
- While the applicant is asked for additional documents or a financial obligation, the clock
  stops: when they answer, the appointment and the open step's deadline move later by the
  working time the dossier waited.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chinhquyenso.core.calendar import WorkingCalendar, WorkingSchedule


def appointment(
    received_at: dt.datetime, processing_days: int, *, calendar: WorkingCalendar | None = None
) -> dt.datetime:
    """The appointment date of a dossier received at *received_at*."""
    calendar = calendar or WorkingCalendar.from_database()
    return calendar.add_working_days(received_at, processing_days)


def step_due(
    handed_at: dt.datetime,
    days: Decimal,
    *,
    appointment_at: dt.datetime | None,
    calendar: WorkingCalendar | None = None,
) -> dt.datetime:
    """The deadline of a step worth *days* working days that started at *handed_at*."""
    calendar = calendar or WorkingCalendar.from_database()
    hours = WorkingSchedule.from_settings().day_length * float(days)
    due = calendar.add_working_hours(handed_at, hours)
    if appointment_at is not None and due > appointment_at:
        return appointment_at
    return due


def paused_time(
    paused_at: dt.datetime, resumed_at: dt.datetime, *, calendar: WorkingCalendar | None = None
) -> dt.timedelta:
    """The working time a dossier waited for the applicant (never negative)."""
    calendar = calendar or WorkingCalendar.from_database()
    return max(calendar.working_time_between(paused_at, resumed_at), dt.timedelta())


def shift(
    due: dt.datetime | None, by: dt.timedelta, *, calendar: WorkingCalendar | None = None
) -> dt.datetime | None:
    """*due* moved later by *by* working time (``None`` stays ``None``)."""
    if due is None or by <= dt.timedelta():
        return due
    calendar = calendar or WorkingCalendar.from_database()
    return calendar.add_working_hours(due, by)
