"""The working calendar on real dates: holidays, swaps, overrides, working hours, services, admin.

Dates checked against the official calendars:

* Tết Bính Ngọ 2026: officials are off from Saturday 14/02 to Sunday 22/02/2026 (9 days). The
  ``holidays`` package lists the 5 statutory days, Monday 16/02 (29 tháng Chạp) to Friday 20/02
  (mùng 4); with the two weekends around them that is exactly the official break, so this year
  needs **no** ``CalendarDay`` row (no day was swapped).
* Hùng Kings 2026 falls on Sunday 26/04: compensatory day off Monday 27/04 (the package's
  "observed" day); 30/04 and 01/05 are Thursday and Friday.
* National Day 2026: 01/09 and 02/09 off, plus Monday 31/08 off in exchange for working Saturday
  22/08. The package lists 31/08; the calendar derives the working Saturday from the package's
  table of swaps.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from chinhquyenso.accounts.models import Role
from chinhquyenso.accounts.services import official_create
from chinhquyenso.core.audit import audit_verify
from chinhquyenso.core.calendar import (
    CalendarRangeError,
    WorkingCalendar,
    WorkingSchedule,
    add_working_days,
    add_working_hours,
    is_working_day,
    next_working_day,
    parse_schedule,
    working_time_between,
)
from chinhquyenso.core.models import AuditEntry, CalendarDay
from chinhquyenso.core.services import calendar_day_remove, calendar_day_set

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DAY_OFF = CalendarDay.Kind.DAY_OFF
WORKING_DAY = CalendarDay.Kind.WORKING_DAY


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@pytest.fixture
def calendar() -> WorkingCalendar:
    """The default calendar without database overrides."""
    return WorkingCalendar()


# --- Holidays and swaps -----------------------------------------------------------------------


def test_tet_2026_is_the_official_nine_days_without_any_override_row(calendar):
    assert calendar.is_working_day(date(2026, 2, 13))
    assert not any(calendar.is_working_day(d) for d in days(date(2026, 2, 14), date(2026, 2, 22)))
    assert calendar.is_working_day(date(2026, 2, 23))
    # Received on the last working afternoon before Tết: the period starts after the break.
    assert calendar.add_working_days(at(2026, 2, 13, 16), 1) == at(2026, 2, 23, 17)
    assert calendar.add_working_days(at(2026, 2, 13, 16), 5) == at(2026, 2, 27, 17)


def test_hung_kings_30_april_and_1_may_2026(calendar):
    # Sunday 26/04 is Hùng Kings' day, so Monday 27/04 is off in compensation.
    assert not calendar.is_working_day(date(2026, 4, 27))
    assert calendar.is_working_day(date(2026, 4, 28))
    assert calendar.is_working_day(date(2026, 4, 29))
    assert not calendar.is_working_day(date(2026, 4, 30))
    assert not calendar.is_working_day(date(2026, 5, 1))
    assert calendar.add_working_days(at(2026, 4, 24, 10), 2) == at(2026, 4, 29, 17)
    assert calendar.add_working_days(at(2026, 4, 29, 10), 1) == at(2026, 5, 4, 17)


def test_national_day_2026_with_the_swapped_saturday(calendar):
    assert calendar.is_working_day(date(2026, 8, 22))  # Saturday worked in exchange
    assert not any(calendar.is_working_day(d) for d in days(date(2026, 8, 29), date(2026, 9, 2)))
    assert calendar.add_working_days(at(2026, 8, 21, 15), 1) == at(2026, 8, 22, 17)
    assert calendar.add_working_days(at(2026, 8, 28, 9), 1) == at(2026, 9, 3, 17)


def test_swap_of_2025_and_other_statutory_days(calendar):
    assert calendar.is_working_day(date(2025, 4, 26))  # Saturday worked …
    assert not calendar.is_working_day(date(2025, 5, 2))  # … for Friday 02/05 off
    assert not calendar.is_working_day(date(2026, 1, 1))
    assert not calendar.is_working_day(date(2026, 11, 24))  # Vietnam Culture Day, from 2026
    assert not calendar.is_working_day(date(2027, 5, 3))  # 01/05/2027 is a Saturday
    assert calendar.is_working_day(date(2027, 5, 4))


def test_received_friday_afternoon_saturday_or_on_a_holiday(calendar):
    friday, saturday = at(2026, 7, 3, 15, 30), at(2026, 7, 4, 9)
    assert calendar.add_working_days(friday, 1) == at(2026, 7, 6, 17)
    assert calendar.add_working_days(friday, 3) == at(2026, 7, 8, 17)
    # Receipt on Saturday: the period also starts on Monday.
    assert calendar.add_working_days(saturday, 1) == at(2026, 7, 6, 17)
    # Online receipt at night on a working day: the day of receipt still never counts.
    assert calendar.add_working_days(at(2026, 7, 6, 22), 1) == at(2026, 7, 7, 17)
    # Receipt on a holiday.
    assert calendar.add_working_days(at(2026, 4, 30, 8), 1) == at(2026, 5, 4, 17)
    assert calendar.add_working_days(at(2026, 1, 1, 8), 1) == at(2026, 1, 2, 17)


def test_zero_working_days_means_the_same_working_day(calendar):
    assert calendar.add_working_days(at(2026, 7, 6, 10), 0) == at(2026, 7, 6, 17)
    assert calendar.add_working_days(at(2026, 7, 6, 17, 30), 0) == at(2026, 7, 7, 17)
    assert calendar.add_working_days(at(2026, 7, 4, 10), 0) == at(2026, 7, 6, 17)


def test_other_time_zones_are_converted_to_local_time(calendar):
    # 18:30 UTC on Friday is 01:30 on Saturday in Việt Nam.
    received = datetime(2026, 7, 3, 18, 30, tzinfo=ZoneInfo("UTC"))
    due = calendar.add_working_days(received, 1)
    assert due == at(2026, 7, 6, 17)
    assert due.isoformat() == "2026-07-06T17:00:00+07:00"
    assert calendar.is_working_day(received) is False  # its local date is Saturday


def test_next_working_day(calendar):
    assert calendar.next_working_day(date(2026, 7, 3)) == date(2026, 7, 6)
    assert calendar.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert calendar.next_working_day(date(2026, 8, 21)) == date(2026, 8, 22)


# --- Working hours ------------------------------------------------------------------------------


def test_add_working_hours_skips_lunch_nights_and_weekends(calendar):
    assert calendar.add_working_hours(at(2026, 7, 3, 16), 8) == at(2026, 7, 6, 16)
    assert calendar.add_working_hours(at(2026, 7, 6, 11), 1) == at(2026, 7, 6, 14)
    # Time running out exactly at the end of the morning ends there, not at 13:30.
    assert calendar.add_working_hours(at(2026, 7, 6, 7), 4.5) == at(2026, 7, 6, 11, 30)
    # Started outside working hours: counting starts with the next period.
    assert calendar.add_working_hours(at(2026, 7, 4, 10), 2) == at(2026, 7, 6, 9)
    assert calendar.add_working_hours(at(2026, 7, 6, 12), timedelta(minutes=30)) == at(
        2026, 7, 6, 14
    )
    assert calendar.add_working_hours(at(2026, 7, 4, 10), 0) == at(2026, 7, 4, 10)
    # Across Tết.
    assert calendar.add_working_hours(at(2026, 2, 13, 16), 2) == at(2026, 2, 23, 8)


def test_working_time_between(calendar):
    assert calendar.working_time_between(at(2026, 7, 3, 16), at(2026, 7, 6, 16)) == timedelta(
        hours=8
    )
    assert calendar.working_time_between(at(2026, 7, 6, 11), at(2026, 7, 6, 14)) == timedelta(
        hours=1
    )
    assert calendar.working_time_between(at(2026, 2, 14), at(2026, 2, 23)) == timedelta()
    assert calendar.working_time_between(at(2026, 7, 6, 16), at(2026, 7, 3, 16)) == -timedelta(
        hours=8
    )


def test_naive_datetimes_and_bad_numbers_are_refused(calendar):
    naive = datetime(2026, 7, 6, 10)
    with pytest.raises(ValueError, match="naive"):
        calendar.add_working_days(naive, 1)
    with pytest.raises(ValueError, match="naive"):
        calendar.working_time_between(naive, at(2026, 7, 7))
    with pytest.raises(ValueError, match="naive"):
        calendar.is_working_day(naive)
    with pytest.raises(ValueError):
        calendar.add_working_days(at(2026, 7, 6), -1)
    with pytest.raises(TypeError):
        calendar.add_working_days(at(2026, 7, 6), 1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        calendar.add_working_hours(at(2026, 7, 6), -1)
    with pytest.raises(ValueError):
        calendar.add_working_hours(at(2026, 7, 6), float("nan"))


def test_years_without_holiday_data_are_refused(calendar):
    with pytest.raises(CalendarRangeError):
        calendar.is_working_day(date(2150, 1, 2))
    with pytest.raises(CalendarRangeError):
        calendar.add_working_days(at(2100, 12, 30), 5)


# --- Settings -----------------------------------------------------------------------------------


def test_schedule_from_settings():
    schedule = WorkingSchedule.from_settings()
    assert schedule.periods == ((time(7), time(11, 30)), (time(13, 30), time(17)))
    assert schedule.weekdays == frozenset({0, 1, 2, 3, 4})
    assert schedule.day_length == timedelta(hours=8)
    assert schedule.day_end == time(17)


def test_other_configured_hours_move_the_due_instant(settings):
    settings.WORKING_HOURS = "13:00-16:30, 07:30-11:30"
    settings.WORKING_WEEKDAYS = "0,1,2,3,4,5"
    calendar = WorkingCalendar()
    assert calendar.schedule.day_length == timedelta(hours=7, minutes=30)
    # Saturdays now count; due at the end of the last period.
    assert calendar.add_working_days(at(2026, 7, 3, 10), 1) == at(2026, 7, 4, 16, 30)


@pytest.mark.parametrize(
    ("hours", "weekdays", "message"),
    [
        ("07:00-11:30;13:30-17:00", "0,1,2,3,4", "WORKING_HOURS"),
        ("07:00-25:00", "0,1,2,3,4", "not a valid time"),
        ("11:30-07:00", "0,1,2,3,4", "ends before it starts"),
        ("07:00-12:00,11:00-17:00", "0,1,2,3,4", "overlap"),
        ("", "0,1,2,3,4", "WORKING_HOURS"),
        ("07:00-11:30", "0,1,7", "WORKING_WEEKDAYS"),
        ("07:00-11:30", "mon", "WORKING_WEEKDAYS"),
        ("07:00-11:30", "", "WORKING_WEEKDAYS"),
    ],
)
def test_malformed_settings_fail_loudly(hours, weekdays, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_schedule(hours, weekdays)


# --- Overrides from the table -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_table_overrides_holidays_swaps_and_weekends(leader):
    # Suppose the government cancels the 2026 National Day swap and adds a day off.
    calendar_day_set(
        date=date(2026, 8, 31),
        kind=WORKING_DAY,
        reason="Làm việc bình thường",
        legal_basis="Giả định cho kiểm thử",
        by=leader,
    )
    calendar_day_set(date=date(2026, 8, 22), kind=DAY_OFF, reason="Hủy hoán đổi", by=leader)
    calendar_day_set(date=date(2026, 7, 7), kind=DAY_OFF, reason="Nghỉ thêm", by=leader)
    calendar_day_set(date=date(2026, 7, 12), kind=WORKING_DAY, reason="Làm bù Chủ nhật", by=leader)

    assert is_working_day(date(2026, 8, 31))
    assert not is_working_day(date(2026, 8, 22))
    assert add_working_days(at(2026, 8, 28, 9), 1) == at(2026, 8, 31, 17)
    assert add_working_days(at(2026, 7, 6, 9), 1) == at(2026, 7, 8, 17)
    assert next_working_day(date(2026, 7, 11)) == date(2026, 7, 12)
    assert add_working_hours(at(2026, 7, 11, 9), 1) == at(2026, 7, 12, 8)
    assert working_time_between(at(2026, 7, 11), at(2026, 7, 13)) == timedelta(hours=8)

    calendar_day_remove(date=date(2026, 7, 7), by=leader)
    assert is_working_day(date(2026, 7, 7))


@pytest.mark.django_db
def test_a_batch_reads_the_table_once_per_year(django_assert_num_queries):
    calendar = WorkingCalendar.from_database()
    with django_assert_num_queries(1):
        dues = [
            calendar.add_working_days(at(2026, 3, 2) + timedelta(hours=h), 10) for h in range(2000)
        ]
    assert dues[0] == at(2026, 3, 16, 17)
    with django_assert_num_queries(1):
        calendar.add_working_days(at(2026, 12, 30, 10), 5)  # reaches into 2027


# --- Services -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_set_creates_updates_and_audits(leader):
    day = calendar_day_set(
        date=date(2027, 2, 13),
        kind=WORKING_DAY,
        reason="  Làm bù Tết ",
        legal_basis="Thông báo số 1/TB-BNV",
        by=leader,
    )
    assert (day.kind, day.reason) == (WORKING_DAY, "Làm bù Tết")
    created = AuditEntry.objects.get(action="calendar_day.set")
    assert created.actor == leader
    assert created.changes["kind"] == [None, "working_day"]

    calendar_day_set(date=date(2027, 2, 13), kind=DAY_OFF, reason="Làm bù Tết", by=leader)
    day.refresh_from_db()
    assert day.kind == DAY_OFF
    assert day.legal_basis == ""
    updated = AuditEntry.objects.filter(action="calendar_day.set").order_by("-sequence").first()
    assert updated is not None
    assert updated.changes == {
        "kind": ["working_day", "day_off"],
        "legal_basis": ["Thông báo số 1/TB-BNV", ""],
    }
    # Setting the same values again writes nothing.
    calendar_day_set(date=date(2027, 2, 13), kind=DAY_OFF, reason="Làm bù Tết", by=leader)
    assert AuditEntry.objects.filter(action="calendar_day.set").count() == 2
    assert CalendarDay.objects.count() == 1
    assert audit_verify().intact


@pytest.mark.django_db
def test_remove_deletes_and_audits(leader):
    calendar_day_set(date=date(2027, 2, 13), kind=WORKING_DAY, reason="Làm bù", by=leader)
    calendar_day_remove(date=date(2027, 2, 13), by=leader)
    assert not CalendarDay.objects.exists()
    removed = AuditEntry.objects.get(action="calendar_day.remove")
    assert removed.changes["kind"] == ["working_day", None]
    assert removed.object_repr.startswith("13/02/2027")
    with pytest.raises(ValidationError) as excinfo:
        calendar_day_remove(date=date(2027, 2, 13), by=leader)
    assert excinfo.value.message_dict == {"date": ["Ngày 13/02/2027 không có trong lịch."]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"kind": "holiday"}, "kind", "Loại ngày không hợp lệ: holiday."),
        ({"reason": "   "}, "reason", "Cần ghi lý do."),
        ({"reason": "x" * 256}, "reason", "Lý do không được dài quá 255 ký tự."),
        ({"legal_basis": "x" * 256}, "legal_basis", "Căn cứ không được dài quá 255 ký tự."),
        ({"date": "2027-02-13"}, "date", "Ngày không hợp lệ."),
        ({"date": at(2027, 2, 13)}, "date", "Ngày không hợp lệ."),
    ],
)
def test_set_refuses_bad_input_and_writes_nothing(leader, kwargs, field, message):
    arguments = {"date": date(2027, 2, 13), "kind": DAY_OFF, "reason": "Nghỉ", "by": leader}
    arguments.update(kwargs)
    with pytest.raises(ValidationError) as excinfo:
        calendar_day_set(**arguments)
    assert excinfo.value.message_dict == {field: [message]}
    assert not CalendarDay.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="calendar_day").exists()


# --- Admin --------------------------------------------------------------------------------------

CHANGELIST = "/quan-tri/core/calendarday/"


@pytest.fixture
def admin_user(province):
    return official_create(
        full_name="Quản Trị Viên",
        unit=province,
        roles=[Role.SYSTEM_ADMIN],
        email="admin@example.vn",
        password=None,
        by=None,
    )


@pytest.mark.django_db
def test_admin_add_change_and_delete_go_through_the_services(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        f"{CHANGELIST}add/",
        {
            "date": "2026-08-22",
            "kind": "day_off",
            "reason": " Hủy hoán đổi ",
            "legal_basis": "Giả định",
        },
    )
    assert response.status_code == 302, response.content.decode()
    day = CalendarDay.objects.get()
    assert (day.date, day.kind, day.reason) == (date(2026, 8, 22), DAY_OFF, "Hủy hoán đổi")
    assert AuditEntry.objects.get(action="calendar_day.set").actor == admin_user

    page = client.get(CHANGELIST).content.decode()
    assert "Thứ Bảy" in page
    assert "Hủy hoán đổi" in page

    response = client.post(
        f"{CHANGELIST}{day.pk}/change/",
        {"kind": "working_day", "reason": "Làm bù", "legal_basis": ""},
    )
    assert response.status_code == 302, response.content.decode()
    day.refresh_from_db()
    assert (day.date, day.kind) == (date(2026, 8, 22), WORKING_DAY)
    assert AuditEntry.objects.filter(action="calendar_day.set").count() == 2

    response = client.post(f"{CHANGELIST}{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert AuditEntry.objects.get(action="calendar_day.remove").actor == admin_user
    assert audit_verify().intact


@pytest.mark.django_db
def test_admin_bulk_delete_and_duplicate_date(client, admin_user):
    for day in (date(2026, 12, 26), date(2026, 12, 31)):
        calendar_day_set(date=day, kind=DAY_OFF, reason="Nghỉ", by=admin_user)
    client.force_login(admin_user)

    response = client.post(
        f"{CHANGELIST}add/", {"date": "2026-12-31", "kind": "working_day", "reason": "Trùng"}
    )
    assert response.status_code == 200
    assert "đã tồn tại" in response.content.decode()

    response = client.post(
        CHANGELIST,
        {
            "action": "delete_selected",
            "_selected_action": list(CalendarDay.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert AuditEntry.objects.filter(action="calendar_day.remove").count() == 2


@pytest.mark.django_db
def test_officials_without_the_admin_role_cannot_edit_the_calendar(client, alice):
    client.force_login(alice)
    response = client.get(f"{CHANGELIST}add/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
