"""The working calendar: which days are working days, which hours of them count, and deadlines.

Where a day's status comes from, first match wins:

1. the :class:`~chinhquyenso.core.models.CalendarDay` table, edited by administrators through
   :mod:`chinhquyenso.core.services` (``day_off`` or ``working_day``);
2. a weekend day the ``holidays`` package knows was swapped for a day off (for instance Saturday
   26/04/2025, worked so that Friday 02/05/2025 could be taken off): a working day. The package
   lists the day off of such a swap but not the Saturday worked in exchange, so this module reads
   the swaps from the package's own table of them;
3. the ``holidays`` package's Vietnamese public holidays (Labour Code 2019 Art. 112: New Year, Tết,
   Hùng Kings, 30/4, 1/5, 2/9 and its adjacent day, Vietnam Culture Day 24/11 from 2026), including
   the compensatory day off when a holiday falls on a Saturday or Sunday (Art. 111(3)), which the
   package marks "observed" (*nghỉ bù*): a day off;
4. the weekday rule, settings ``WORKING_WEEKDAYS`` (0 = Monday … 6 = Sunday).

Each working day has the same periods, settings ``WORKING_HOURS`` (``"07:00-11:30,13:30-17:00"``).

Time zone: everything is local time of ``settings.TIME_ZONE`` (Asia/Ho_Chi_Minh). Functions that
take a ``datetime`` require a timezone-aware one and raise :class:`ValueError` for a naive one
(guessing the zone of a naive value hides bugs); callers that receive local wall-clock times, such
as the API, attach the zone explicitly. Returned datetimes are aware, in the local zone, so they
print with ``+07:00``.

Speed: the package's holidays are computed once per year per process. The ``CalendarDay`` table
is read once per year touched per call of the module-level functions, so an administrator's edit
is seen at once by every process. For batches (thousands of dossiers) build one
:class:`WorkingCalendar` with :meth:`WorkingCalendar.from_database` and pass it as ``calendar=``
(or call its methods): then the table is read once per year for the whole batch.

Hot paths (a citizen's report, many per second) use :meth:`WorkingCalendar.cached`: each process
keeps a copy of each year's ``CalendarDay`` rows in :data:`OVERRIDES`, under the staleness rule of
``core/process_copies.py`` (at most 5 minutes old); ``calendar_day_set``/``calendar_day_remove``
(``core/services.py``) announce their edits through it, so with a cache shared by the processes
every process sees an edit at its next computation.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from chinhquyenso.core.models import CalendarDay
from chinhquyenso.core.process_copies import ProcessCopies

#: The country whose public holidays apply.
COUNTRY = "VN"

#: Years the ``holidays`` package has data for; outside them it silently returns no holidays,
#: so this module refuses to compute rather than count every weekday as a working day.
try:
    from holidays.countries.vietnam import Vietnam as _PackageCalendar

    FIRST_YEAR: int = _PackageCalendar.start_year
    LAST_YEAR: int = _PackageCalendar.end_year
except (ImportError, AttributeError):  # pragma: no cover - depends on the package's layout
    FIRST_YEAR, LAST_YEAR = 1995, 2099

# No real calendar has this many days off in a row; reaching it means a configuration error
# (for instance a whole year marked as days off) and stops an endless search.
_MAX_DAYS_OFF_IN_A_ROW = 366

_PERIOD_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class CalendarRangeError(ValueError):
    """A date outside the years the holiday data covers (:data:`FIRST_YEAR`–:data:`LAST_YEAR`)."""


# --- Working hours --------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingSchedule:
    """The working periods of a working day and the working weekdays."""

    #: Sorted, non-overlapping ``(start, end)`` pairs, e.g. ``((07:00, 11:30), (13:30, 17:00))``.
    periods: tuple[tuple[time, time], ...]
    #: Weekday numbers (0 = Monday … 6 = Sunday) that are working days unless a holiday.
    weekdays: frozenset[int]

    @functools.cached_property
    def day_length(self) -> timedelta:
        """Working time in one working day (8 hours with the default hours)."""
        return sum((_as_delta(end) - _as_delta(start) for start, end in self.periods), timedelta())

    @property
    def day_end(self) -> time:
        """When a working day ends: the end of its last period (17:00 by default)."""
        return self.periods[-1][1]

    @classmethod
    def from_settings(cls) -> WorkingSchedule:
        """The schedule of settings ``WORKING_HOURS`` and ``WORKING_WEEKDAYS``.

        Raises :class:`~django.core.exceptions.ImproperlyConfigured` if either is malformed.
        """
        return parse_schedule(settings.WORKING_HOURS, settings.WORKING_WEEKDAYS)


def _as_delta(moment: time) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute)


@functools.lru_cache(maxsize=8)
def parse_schedule(working_hours: str, working_weekdays: str) -> WorkingSchedule:
    """Parse ``"07:00-11:30,13:30-17:00"`` and ``"0,1,2,3,4"`` (cached per pair of values)."""
    periods: list[tuple[time, time]] = []
    for chunk in working_hours.split(","):
        match = _PERIOD_RE.match(chunk)
        if not match:
            raise ImproperlyConfigured(
                f"WORKING_HOURS={working_hours!r}: {chunk.strip()!r} is not a period HH:MM-HH:MM "
                "(expected e.g. '07:00-11:30,13:30-17:00')."
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            start, end = time(h1, m1), time(h2, m2)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"WORKING_HOURS={working_hours!r}: {chunk.strip()!r} is not a valid time: {exc}."
            ) from exc
        if start >= end:
            raise ImproperlyConfigured(
                f"WORKING_HOURS={working_hours!r}: period {chunk.strip()!r} ends before it starts."
            )
        periods.append((start, end))
    periods.sort()
    for (_, previous_end), (next_start, _) in itertools.pairwise(periods):
        if next_start < previous_end:
            raise ImproperlyConfigured(f"WORKING_HOURS={working_hours!r}: periods overlap.")

    weekdays: set[int] = set()
    for chunk in working_weekdays.split(","):
        try:
            weekday = int(chunk)
        except ValueError:
            weekday = -1
        if not 0 <= weekday <= 6:
            raise ImproperlyConfigured(
                f"WORKING_WEEKDAYS={working_weekdays!r}: {chunk.strip()!r} is not a weekday "
                "number 0 (Monday) … 6 (Sunday)."
            )
        weekdays.add(weekday)
    return WorkingSchedule(periods=tuple(periods), weekdays=frozenset(weekdays))


# --- Days off from the holidays package ------------------------------------------------------


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarRangeError(
            f"{year} is outside the years the holiday data covers ({FIRST_YEAR}–{LAST_YEAR})."
        )


@functools.lru_cache(maxsize=256)
def statutory_days_off(year: int) -> frozenset[date]:
    """Public holidays and their compensatory days off in *year*, from the ``holidays`` package."""
    _check_year(year)
    return frozenset(holidays.country_holidays(COUNTRY, years=year).keys())


@functools.lru_cache(maxsize=1)
def package_swapped_working_days() -> frozenset[date]:
    """Weekend days the government made working days in exchange for a day off.

    The ``holidays`` package keeps each swap as ``(month, day, from_month, from_day[, from_year])``
    keyed by year: the first date is the day off it lists, the second the day worked instead.
    """
    try:
        from holidays.countries.vietnam import VietnamStaticHolidays

        table: Mapping[int, tuple[object, ...]] = VietnamStaticHolidays.special_public_holidays
    except (ImportError, AttributeError):  # pragma: no cover - depends on the package's layout
        return frozenset()
    days: set[date] = set()
    for year, entries in table.items():
        swaps = (entries,) if entries and isinstance(entries[0], int) else entries
        for swap in swaps:
            if not isinstance(swap, tuple) or len(swap) not in (4, 5):
                continue
            if not all(isinstance(part, int) for part in swap):
                continue
            from_year = swap[4] if len(swap) == 5 else year
            days.add(date(from_year, swap[2], swap[3]))
    return frozenset(days)


# --- The calendar ----------------------------------------------------------------------------

OverrideLoader = Callable[[int], Mapping[date, bool]]


def _database_overrides(year: int) -> dict[date, bool]:
    """The ``CalendarDay`` rows of *year*: date → ``True`` for a working day, ``False`` off."""
    rows = CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
    return {day: kind == CalendarDay.Kind.WORKING_DAY for day, kind in rows}


#: Each process's copies of the ``CalendarDay`` rows, by year (see the module docstring).
OVERRIDES = ProcessCopies[int, Mapping[date, bool]]("core:calendar:overrides-token", max_age=300.0)


def _process_cached_overrides(year: int) -> Mapping[date, bool]:
    """*year*'s ``CalendarDay`` rows from this process's copy (see the module docstring)."""
    return OVERRIDES.get(year, lambda: _database_overrides(year))


class WorkingCalendar:
    """Working days and working time under one schedule and one set of overrides.

    Build it with :meth:`from_database` (overrides from the ``CalendarDay`` table, read lazily
    once per year) or directly with ``overrides={date: CalendarDay.Kind…}`` (no database; tests,
    what-if computations). An instance caches what it read: use it for one batch, not forever.
    """

    def __init__(
        self,
        *,
        schedule: WorkingSchedule | None = None,
        overrides: Mapping[date, str] | None = None,
        loader: OverrideLoader | None = None,
    ) -> None:
        self.schedule = schedule or WorkingSchedule.from_settings()
        self.tz: tzinfo = timezone.get_default_timezone()
        fixed = {d: kind == CalendarDay.Kind.WORKING_DAY for d, kind in (overrides or {}).items()}
        self._loader: OverrideLoader = loader or (
            lambda year: {d: w for d, w in fixed.items() if d.year == year}
        )
        self._years: dict[int, Mapping[date, bool]] = {}
        self._days: dict[date, bool] = {}

    @classmethod
    def from_database(cls, *, schedule: WorkingSchedule | None = None) -> WorkingCalendar:
        """A calendar with the administrators' ``CalendarDay`` rows as overrides."""
        return cls(schedule=schedule, loader=_database_overrides)

    @classmethod
    def cached(cls, *, schedule: WorkingSchedule | None = None) -> WorkingCalendar:
        """A calendar with this process's copy of the ``CalendarDay`` rows as overrides, for hot
        paths: no query while the copy is current (staleness rule in the module docstring)."""
        return cls(schedule=schedule, loader=_process_cached_overrides)

    # Days ------------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Whether *day* is a working day (see the module docstring for the order of rules).

        An aware ``datetime`` stands for its local date; a naive one raises ``ValueError``.
        Raises :class:`CalendarRangeError` outside :data:`FIRST_YEAR`–:data:`LAST_YEAR`.
        """
        day = self._local_date(day)
        known = self._days.get(day)
        if known is not None:
            return known
        known = self._days[day] = self._decide(day)
        return known

    def _decide(self, day: date) -> bool:
        _check_year(day.year)
        overrides = self._years.get(day.year)
        if overrides is None:
            overrides = self._years[day.year] = self._loader(day.year)
        override = overrides.get(day)
        if override is not None:
            return override
        if day in package_swapped_working_days():
            return True
        if day in statutory_days_off(day.year):
            return False
        return day.weekday() in self.schedule.weekdays

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after *day*."""
        day = self._local_date(day)
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ImproperlyConfigured(
            f"No working day in the {_MAX_DAYS_OFF_IN_A_ROW} days after {day}: check the calendar."
        )

    def working_periods(self, day: date) -> list[tuple[datetime, datetime]]:
        """The aware ``(start, end)`` working periods of *day*; empty on a day off."""
        day = self._local_date(day)
        if not self.is_working_day(day):
            return []
        return [(self._at(day, start), self._at(day, end)) for start, end in self.schedule.periods]

    def end_of_working_day(self, day: date) -> datetime:
        """The end of the working hours on *day* (17:00 local by default), even for a day off."""
        return self._at(self._local_date(day), self.schedule.day_end)

    # Deadlines -------------------------------------------------------------------------------

    def add_working_days(self, received_at: datetime, n: int) -> datetime:
        """The due instant of a period of *n* working days started by an event at *received_at*.

        Civil Code 2015 Art. 147: a period counted in days starts on the day after the event, so
        the day of receipt never counts, whatever the hour. Only working days are counted, so
        the *n*-th counted day is a working day and Art. 148 (a period ending on a day off ends
        with the next working day) holds by construction. The period ends at the **end of the
        working day** of the *n*-th working day after the day of receipt, i.e. at the end of its
        last working period (17:00 local with the default hours): administrative deadlines are
        met in office hours, not at the 24:00 of Art. 148(3). A result delivered at or before
        the returned instant is on time.

        Examples (default hours): received Friday 13/02/2026 16:00, ``n=1`` → Monday
        23/02/2026 17:00 (Tết 14–22/02); received Saturday 04/07/2026, ``n=1`` → Monday
        06/07/2026 17:00.

        ``n=0`` means "the same day": the end of the day of receipt if it is a working day and
        the receipt came before that end, otherwise the end of the next working day.

        Raises ``ValueError`` for a naive *received_at* or a negative *n*.
        """
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError("n must be an int")
        if n < 0:
            raise ValueError("n must not be negative")
        received_at = self._localise(received_at)
        day = received_at.date()
        if n == 0:
            if self.is_working_day(day) and received_at < self.end_of_working_day(day):
                return self.end_of_working_day(day)
            return self.end_of_working_day(self.next_working_day(day))
        for _ in range(n):
            day = self.next_working_day(day)
        return self.end_of_working_day(day)

    def add_working_hours(self, start: datetime, hours: float | timedelta) -> datetime:
        """The earliest instant by which *hours* of working time have passed since *start*.

        Only time inside working periods of working days counts: 8 working hours from Friday
        16:00 end on Monday 16:00 (1 h on Friday, 4 h 30 on Monday morning, 2 h 30 after
        13:30). *hours* may be a number of hours or a ``timedelta`` (e.g. the working time left
        on a paused clock, from :meth:`working_time_between`). When the time runs out exactly at
        the end of a period, that end is returned (11:30, not 13:30). ``0`` returns *start*.
        """
        remaining = hours if isinstance(hours, timedelta) else _hours_delta(hours)
        if remaining < timedelta():
            raise ValueError("hours must not be negative")
        cursor = self._localise(start)
        if not remaining:
            return cursor
        day = cursor.date()
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW * 100):
            for period_start, period_end in self.working_periods(day):
                if period_end <= cursor:
                    continue
                begin = max(period_start, cursor)
                available = period_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += timedelta(days=1)
        raise ImproperlyConfigured("Too few working days to add the requested working hours.")

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from *start* to *end*: only inside working periods of working days.

        Used for clocks that pause (additional documents requested) and for "how late". If *end*
        is before *start* the result is negative (``-working_time_between(end, start)``).
        """
        start, end = self._localise(start), self._localise(end)
        if end < start:
            return -self.working_time_between(end, start)
        total = timedelta()
        first, last = start.date(), end.date()
        day = first
        while day <= last:
            if first < day < last:  # a whole day inside the span
                if self.is_working_day(day):
                    total += self.schedule.day_length
            else:
                for period_start, period_end in self.working_periods(day):
                    overlap = min(period_end, end) - max(period_start, start)
                    if overlap > timedelta():
                        total += overlap
            day += timedelta(days=1)
        return total

    # Helpers ---------------------------------------------------------------------------------

    def _at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.tz)

    def _localise(self, value: datetime) -> datetime:
        if not isinstance(value, datetime):
            raise TypeError("expected a datetime")
        if timezone.is_naive(value):
            raise ValueError(f"{value.isoformat()} is naive: pass a timezone-aware datetime")
        return value.astimezone(self.tz)

    def _local_date(self, day: date) -> date:
        if isinstance(day, datetime):
            return self._localise(day).date()
        return day


def _hours_delta(hours: float) -> timedelta:
    if isinstance(hours, bool) or not isinstance(hours, int | float):
        raise TypeError("hours must be a number or a timedelta")
    if not math.isfinite(hours):
        raise ValueError("hours must be finite")
    try:
        return timedelta(hours=hours)
    except OverflowError as exc:
        raise ValueError("hours is too large") from exc


# --- Module-level shortcuts (one database read per year per call) ----------------------------


def _calendar(calendar: WorkingCalendar | None) -> WorkingCalendar:
    return calendar if calendar is not None else WorkingCalendar.from_database()


def is_working_day(day: date, *, calendar: WorkingCalendar | None = None) -> bool:
    """Whether *day* is a working day. See :meth:`WorkingCalendar.is_working_day`."""
    return _calendar(calendar).is_working_day(day)


def next_working_day(day: date, *, calendar: WorkingCalendar | None = None) -> date:
    """The first working day strictly after *day*."""
    return _calendar(calendar).next_working_day(day)


def add_working_days(
    received_at: datetime, n: int, *, calendar: WorkingCalendar | None = None
) -> datetime:
    """Due instant of *n* working days from *received_at* (Civil Code Art. 147–148).

    The end (17:00 local) of the *n*-th working day after the day of receipt; see
    :meth:`WorkingCalendar.add_working_days` for the full rule.
    """
    return _calendar(calendar).add_working_days(received_at, n)


def add_working_hours(
    start: datetime, hours: float | timedelta, *, calendar: WorkingCalendar | None = None
) -> datetime:
    """The instant when *hours* of working time have passed since *start*."""
    return _calendar(calendar).add_working_hours(start, hours)


def working_time_between(
    start: datetime, end: datetime, *, calendar: WorkingCalendar | None = None
) -> timedelta:
    """Working time between two aware instants (negative if *end* is before *start*)."""
    return _calendar(calendar).working_time_between(start, end)
