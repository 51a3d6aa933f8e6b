"""Properties of the working calendar that hold for any instant, period and time zone.

The calendar here has overrides given in memory (no database), including a working Sunday and an
extra weekday off, so the rules of the table are exercised too.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from chinhquyenso.core.calendar import WorkingCalendar
from chinhquyenso.core.models import CalendarDay

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = WorkingCalendar(
    overrides={
        date(2026, 7, 12): CalendarDay.Kind.WORKING_DAY,  # a Sunday made working
        date(2026, 7, 7): CalendarDay.Kind.DAY_OFF,  # a Tuesday off
        date(2026, 8, 31): CalendarDay.Kind.WORKING_DAY,  # a package day off cancelled
    }
)
DAY = CALENDAR.schedule.day_length
END = CALENDAR.schedule.day_end

instants = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2028, 6, 30),
    timezones=st.sampled_from([VN, ZoneInfo("UTC"), ZoneInfo("America/New_York")]),
)
periods = st.integers(min_value=0, max_value=120)
durations = st.integers(min_value=0, max_value=400 * 60).map(lambda m: timedelta(minutes=m))
fast = settings(max_examples=100, deadline=None)


def midnight_after(moment: datetime) -> datetime:
    local = moment.astimezone(VN)
    return datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=VN)


@fast
@given(instants, periods)
def test_due_is_the_end_of_a_working_day_after_receipt(received_at, n):
    due = CALENDAR.add_working_days(received_at, n)
    assert due > received_at
    assert due.tzinfo == VN
    assert due.timetz().replace(tzinfo=None) == END
    assert CALENDAR.is_working_day(due.date())


@fast
@given(instants, periods)
def test_due_is_monotonic_in_the_number_of_days(received_at, n):
    shorter = CALENDAR.add_working_days(received_at, n)
    longer = CALENDAR.add_working_days(received_at, n + 1)
    assert shorter <= longer
    if n >= 1:
        assert shorter < longer


@fast
@given(instants, st.integers(min_value=1, max_value=120))
def test_the_period_holds_exactly_n_working_days(received_at, n):
    due = CALENDAR.add_working_days(received_at, n)
    # Counting starts the day after receipt (Civil Code Art. 147) …
    assert CALENDAR.working_time_between(midnight_after(received_at), due) == n * DAY
    # … so the day of receipt adds at most its own remaining hours.
    assert n * DAY <= CALENDAR.working_time_between(received_at, due) <= (n + 1) * DAY


@fast
@given(instants, durations)
def test_adding_working_hours_round_trips(start, duration):
    end = CALENDAR.add_working_hours(start, duration)
    assert end >= start
    assert CALENDAR.working_time_between(start, end) == duration
    if duration:
        # The earliest such instant: inside a working period or at its very end.
        assert any(s < end <= e for s, e in CALENDAR.working_periods(end.date()))


@fast
@given(instants, instants, instants)
def test_working_time_adds_up_and_never_exceeds_elapsed_time(a, b, c):
    a, b, c = sorted((a, b, c))
    ab, bc = CALENDAR.working_time_between(a, b), CALENDAR.working_time_between(b, c)
    assert CALENDAR.working_time_between(a, c) == ab + bc
    assert timedelta() <= ab <= b - a
    assert CALENDAR.working_time_between(b, a) == -ab


@fast
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 6, 30)))
def test_next_working_day_skips_only_days_off(day):
    following = CALENDAR.next_working_day(day)
    assert following > day
    assert CALENDAR.is_working_day(following)
    between = (day + timedelta(days=i) for i in range(1, (following - day).days))
    assert not any(CALENDAR.is_working_day(d) for d in between)
