"""Feedback deadlines in working time (``core.calendar``), by category and urgency.

Defaults are the ``FEEDBACK_*`` settings (accept within 8 working hours; answer an urgent report
within 4 working hours of acceptance, a normal one within 10 working days, a complex one within
20); a category's own values, when set, win. The answer clock pauses while the reporter is asked
for more information: when they reply the deadline moves by the working time it was paused.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from chinhquyenso.core import clock
from chinhquyenso.core.calendar import WorkingCalendar
from chinhquyenso.feedback.models import Category, Report, Status, Urgency
from chinhquyenso.feedback.workflow import OPEN_STATES


def feedback_calendar() -> WorkingCalendar:
    """The working calendar of feedback deadlines: this process's copy of the administrators'
    overrides, so a report costs no calendar query (``WorkingCalendar.cached``: an edit is
    seen at the next computation in every process sharing the cache)."""
    return WorkingCalendar.cached()


def accept_deadline(submitted_at: dt.datetime) -> dt.datetime:
    """When a new report must be accepted or refused by."""
    return feedback_calendar().add_working_hours(submitted_at, settings.FEEDBACK_ACCEPT_HOURS)


def answer_deadline(*, category: Category, urgency: str, start: dt.datetime) -> dt.datetime:
    """When a report accepted (or reopened) at *start* must be answered by."""
    calendar = feedback_calendar()
    if urgency == Urgency.URGENT:
        hours = category.urgent_answer_hours
        return calendar.add_working_hours(
            start, settings.FEEDBACK_URGENT_HOURS if hours is None else hours
        )
    if urgency == Urgency.COMPLEX:
        days = category.complex_answer_days
        return calendar.add_working_days(
            start, settings.FEEDBACK_COMPLEX_DAYS if days is None else days
        )
    days = category.normal_answer_days
    return calendar.add_working_days(start, settings.FEEDBACK_NORMAL_DAYS if days is None else days)


def working_seconds_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole working seconds from *start* to *end* (0 if *end* is earlier): how long a holder
    kept a report."""
    return max(int(feedback_calendar().working_time_between(start, end).total_seconds()), 0)


def paused_time(*, paused_since: dt.datetime, resumed_at: dt.datetime) -> dt.timedelta:
    """Working time the clock stood still."""
    return max(feedback_calendar().working_time_between(paused_since, resumed_at), dt.timedelta())


def resumed_deadline(
    *, due_at: dt.datetime, paused_since: dt.datetime, resumed_at: dt.datetime
) -> dt.datetime:
    """The answer deadline after a pause: *due_at* moved by the working time paused."""
    paused = paused_time(paused_since=paused_since, resumed_at=resumed_at)
    return feedback_calendar().add_working_hours(due_at, paused)


def extended_deadline(due_at: dt.datetime, extra_working_days: int) -> dt.datetime:
    """The answer deadline after a leader grants *extra_working_days*."""
    return feedback_calendar().add_working_days(due_at, extra_working_days)


def current_deadline(report: Report) -> dt.datetime | None:
    """The deadline the report runs against now: accepting, or answering; ``None`` if none runs
    (paused, answered, closed)."""
    if report.status == Status.SUBMITTED:
        return report.accept_due_at
    if report.status in OPEN_STATES:
        return report.answer_due_at
    return None


def is_late(report: Report, *, now: dt.datetime | None = None) -> bool:
    """Past its deadline: still running and past it, paused after it passed, or answered late."""
    now = now or clock.now()
    deadline = current_deadline(report)
    if deadline is not None:
        return now > deadline
    if report.answer_due_at is None:
        return False
    if report.status == Status.INFO_REQUESTED and report.paused_since is not None:
        return report.paused_since > report.answer_due_at
    if report.answered_at is not None:
        return report.answered_at > report.answer_due_at
    return False


def due_soon(
    report: Report,
    *,
    now: dt.datetime | None = None,
    within: dt.timedelta | None = None,
    calendar: WorkingCalendar | None = None,
) -> bool:
    """Not late yet, but the running deadline falls within *within* working time (default: one
    working day)."""
    now = now or clock.now()
    deadline = current_deadline(report)
    if deadline is None or now > deadline:
        return False
    calendar = calendar or feedback_calendar()
    limit = within if within is not None else calendar.schedule.day_length
    return calendar.working_time_between(now, deadline) <= limit
