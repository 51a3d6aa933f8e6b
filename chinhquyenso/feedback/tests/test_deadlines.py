"""Feedback deadlines in working time: weekends, holidays, pauses; routing of new reports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from chinhquyenso.feedback import deadlines, routing
from chinhquyenso.feedback.models import Category, Report, RoutingRule, Status, Urgency
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.services import unit_create

pytestmark = pytest.mark.django_db


def at(text: str) -> dt.datetime:
    """``"2026-04-29 16:00"`` as an aware local time."""
    return timezone.make_aware(dt.datetime.fromisoformat(text))


def test_accept_deadline_skips_the_weekend_and_the_hung_kings_day_off() -> None:
    # Friday 16:00: one hour on Friday; Monday 27/04/2026 is the day off for the Hùng Kings.
    assert deadlines.accept_deadline(at("2026-04-24 16:00")) == at("2026-04-28 16:00")


def test_accept_deadline_over_30_april_and_1_may() -> None:
    assert deadlines.accept_deadline(at("2026-04-29 16:00")) == at("2026-05-04 16:00")


def test_answer_deadline_by_urgency() -> None:
    category = Category(code="x", name="X")
    start = at("2026-04-29 10:00")
    normal = deadlines.answer_deadline(category=category, urgency=Urgency.NORMAL, start=start)
    assert normal == at("2026-05-15 17:00")  # 10 working days, holidays skipped
    urgent = deadlines.answer_deadline(
        category=category, urgency=Urgency.URGENT, start=at("2026-04-29 15:00")
    )
    assert urgent == at("2026-05-04 09:00")  # 4 working hours: 2 on Wednesday, 2 on Monday
    complex_ = deadlines.answer_deadline(category=category, urgency=Urgency.COMPLEX, start=start)
    assert complex_ == at("2026-05-29 17:00")


def test_category_values_win_over_settings() -> None:
    category = Category(code="x", name="X", normal_answer_days=2, urgent_answer_hours=1)
    start = at("2026-04-29 10:00")
    assert deadlines.answer_deadline(category=category, urgency=Urgency.NORMAL, start=start) == at(
        "2026-05-05 17:00"
    )
    assert deadlines.answer_deadline(category=category, urgency=Urgency.URGENT, start=start) == at(
        "2026-04-29 11:00"
    )


@override_settings(FEEDBACK_NORMAL_DAYS=3)
def test_settings_are_the_default() -> None:
    category = Category(code="x", name="X")
    assert deadlines.answer_deadline(
        category=category, urgency=Urgency.NORMAL, start=at("2026-05-04 10:00")
    ) == at("2026-05-07 17:00")


def test_pause_moves_the_deadline_by_the_working_time_paused() -> None:
    # Paused a whole working day (8 h): the Friday 17:00 deadline moves to Monday 17:00.
    assert deadlines.resumed_deadline(
        due_at=at("2026-05-15 17:00"),
        paused_since=at("2026-05-06 09:00"),
        resumed_at=at("2026-05-07 09:00"),
    ) == at("2026-05-18 17:00")
    # Over a weekend only the working hours count: Friday 16-17 and Monday 07-08.
    assert deadlines.paused_time(
        paused_since=at("2026-05-08 16:00"), resumed_at=at("2026-05-11 08:00")
    ) == dt.timedelta(hours=2)


def test_extension_adds_working_days() -> None:
    assert deadlines.extended_deadline(at("2026-04-29 17:00"), 2) == at("2026-05-05 17:00")


def _report(**fields: object) -> Report:
    values: dict[str, object] = {
        "status": Status.ACCEPTED,
        "accept_due_at": at("2026-05-04 16:00"),
        "answer_due_at": at("2026-05-15 17:00"),
    }
    values.update(fields)
    return Report(**values)


def test_is_late_and_due_soon() -> None:
    report = _report()
    assert not deadlines.is_late(report, now=at("2026-05-15 16:59"))
    assert deadlines.is_late(report, now=at("2026-05-15 17:01"))
    assert deadlines.due_soon(report, now=at("2026-05-14 17:00"))
    assert not deadlines.due_soon(report, now=at("2026-05-13 17:00"))
    assert not deadlines.due_soon(report, now=at("2026-05-16 09:00"))  # already late
    # Friday evening, deadline Monday 16:00: within one working day despite the weekend.
    friday = _report(answer_due_at=at("2026-05-11 16:00"))
    assert deadlines.due_soon(friday, now=at("2026-05-08 17:30"))


def test_lateness_of_paused_and_answered_reports() -> None:
    paused = _report(status=Status.INFO_REQUESTED, paused_since=at("2026-05-10 09:00"))
    assert not deadlines.is_late(paused, now=at("2026-06-30 09:00"))  # the clock stands still
    answered_late = _report(status=Status.ANSWERED, answered_at=at("2026-05-18 09:00"))
    assert deadlines.is_late(answered_late)
    answered = _report(status=Status.ANSWERED, answered_at=at("2026-05-14 09:00"))
    assert not deadlines.is_late(answered)
    new = _report(status=Status.SUBMITTED)
    assert deadlines.is_late(new, now=at("2026-05-04 16:30"))


# --- routing ---------------------------------------------------------------------------------


def test_receiving_unit_by_setting(commune: Unit, province: Unit) -> None:
    assert routing.receiving_unit_for(commune=commune) == commune
    centre = unit_create(
        parent=province, kind=UnitKind.OPERATIONS_CENTRE, name="Trung tâm điều hành", by=None
    )
    with override_settings(FEEDBACK_SCREENING="operations_centre"):
        assert routing.receiving_unit_for(commune=commune) == centre


def test_most_specific_rule_wins(
    commune: Unit, other_commune: Unit, province: Unit, department: Unit
) -> None:
    group = Category.objects.create(code="gt", name="Giao thông")
    roads = Category.objects.create(code="duong", name="Đường", parent=group)
    other_department = unit_create(
        parent=province, kind=UnitKind.DEPARTMENT, name="Sở Giao thông", by=None
    )
    # Nothing matches yet: the commune handles it.
    assert routing.handling_unit_for(category=roads, commune=commune) == commune
    # A rule on the group applies to its categories.
    RoutingRule.objects.create(category=group, handling_unit=other_department)
    assert routing.handling_unit_for(category=roads, commune=commune) == other_department
    RoutingRule.objects.create(category=roads, handling_unit=department, priority=50)
    RoutingRule.objects.create(category=roads, handling_unit=other_department, priority=10)
    assert routing.handling_unit_for(category=roads, commune=commune) == other_department
    # A rule for the commune's area is more specific than any rule without area.
    RoutingRule.objects.create(category=roads, area=commune, handling_unit=None, priority=90)
    assert routing.handling_unit_for(category=roads, commune=commune) == commune
    assert routing.handling_unit_for(category=roads, commune=other_commune) == other_department
