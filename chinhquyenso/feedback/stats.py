"""The public per-unit table: how each unit handled the reports it was responsible for.

A report counts for the unit responsible for it: its handling unit, or its receiving unit
while it has not been routed yet. Reports merged into another are not counted (the report
they joined is). The period is on the day a report was sent (local time). For each unit:

- *received*: reports sent in the period;
- *answered*: of those, reports with an answer;
- *answered on time*: answered no later than the answer deadline (``answer_due_at``, which
  already includes approved extensions and the time the clock was paused), as a percentage of
  the answered ones;
- *satisfaction*: "satisfied" ratings ÷ all ratings given on those reports;
- *average answer time*: working days from sending to the (last) answer, counted as the Civil
  Code counts periods (Art. 147: from the day after the day of sending), on the platform's
  working calendar, averaged over the answered reports.

Everything comes from five aggregate queries whatever the number of reports; working days are
computed per (unit, day) group, never per report.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.calendar import WorkingCalendar
from chinhquyenso.core.text import fold
from chinhquyenso.feedback.models import Rating, Report, Satisfaction, Status
from chinhquyenso.units.models import Unit


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    numeric: bool = True


#: The table's columns, in order; ``key`` is also the value of the sort parameter.
COLUMNS = (
    Column("don-vi", _("Đơn vị"), numeric=False),
    Column("tiep-nhan", _("Tiếp nhận")),
    Column("da-tra-loi", _("Đã trả lời")),
    Column("dung-han", _("Trả lời đúng hạn (%)")),
    Column("hai-long", _("Hài lòng (%)")),
    Column("so-ngay", _("Thời gian trả lời trung bình (ngày làm việc)")),
)
COLUMN_KEYS = frozenset(column.key for column in COLUMNS)
DEFAULT_SORT = "-tiep-nhan"


@dataclass
class UnitStats:
    unit_id: int
    name: str = ""
    received: int = 0
    answered: int = 0
    answered_on_time: int = 0
    ratings: int = 0
    satisfied: int = 0
    answer_working_days: int = 0

    @property
    def on_time_percent(self) -> float | None:
        return 100 * self.answered_on_time / self.answered if self.answered else None

    @property
    def satisfaction_percent(self) -> float | None:
        return 100 * self.satisfied / self.ratings if self.ratings else None

    @property
    def average_working_days(self) -> float | None:
        return self.answer_working_days / self.answered if self.answered else None

    def value(self, key: str) -> Any:
        return {
            "don-vi": fold(self.name),
            "tiep-nhan": self.received,
            "da-tra-loi": self.answered,
            "dung-han": self.on_time_percent,
            "hai-long": self.satisfaction_percent,
            "so-ngay": self.average_working_days,
        }[key]


#: The unit a report counts for: its handling unit, or the receiving unit until it is routed.
_RESPONSIBLE = Coalesce("handling_unit_id", "receiving_unit_id")


def _reports_in_period(date_from: dt.date, date_to: dt.date) -> QuerySet[Report]:
    start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
    return (
        Report.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .exclude(status=Status.MERGED)
        .order_by()
    )


class _WorkingDayOrdinal:
    """``ordinal(day)``: the number of working days from a base day up to *day* included, so
    that ``ordinal(b) - ordinal(a)`` counts the working days in ``(a, b]``."""

    def __init__(self, days: Iterable[dt.date], calendar: WorkingCalendar) -> None:
        wanted = sorted(set(days))
        self._ordinal: dict[dt.date, int] = {}
        if not wanted:
            return
        count, day, last = 0, wanted[0], wanted[-1]
        while day <= last:
            if calendar.is_working_day(day):
                count += 1
            self._ordinal[day] = count
            day += dt.timedelta(days=1)

    def __call__(self, day: dt.date) -> int:
        return self._ordinal[day]


def unit_table(
    *,
    date_from: dt.date,
    date_to: dt.date,
    sort: str = DEFAULT_SORT,
    calendar: WorkingCalendar | None = None,
) -> list[UnitStats]:
    """One row per unit responsible for reports sent between the two dates (inclusive).

    *sort* is a column key, ``-`` in front for descending; units without a figure in the
    sorted column come last either way.
    """
    reports = _reports_in_period(date_from, date_to)
    rows: dict[int, UnitStats] = {}

    def row(unit_id: int) -> UnitStats:
        return rows.setdefault(unit_id, UnitStats(unit_id=unit_id))

    answered_q = Q(answered_at__isnull=False)
    for figures in (
        reports.annotate(responsible_unit=_RESPONSIBLE)
        .values("responsible_unit")
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=answered_q),
            on_time=Count("pk", filter=answered_q & Q(answered_at__lte=F("answer_due_at"))),
        )
    ):
        stats = row(figures["responsible_unit"])
        stats.received = figures["received"]
        stats.answered = figures["answered"]
        stats.answered_on_time = figures["on_time"]

    rated_reports = reports.values("pk")
    for figures in (
        Rating.objects.filter(report__in=rated_reports)
        .order_by()
        .annotate(
            responsible_unit=Coalesce("report__handling_unit_id", "report__receiving_unit_id")
        )
        .values("responsible_unit")
        .annotate(total=Count("pk"), satisfied=Count("pk", filter=Q(value=Satisfaction.SATISFIED)))
    ):
        stats = row(figures["responsible_unit"])
        stats.ratings = figures["total"]
        stats.satisfied = figures["satisfied"]

    # Working days: Σ ordinal(answer day) − Σ ordinal(sending day), grouped by (unit, day).
    answered = reports.filter(answered_q).annotate(responsible_unit=_RESPONSIBLE)
    ends = list(
        answered.annotate(day=TruncDate("answered_at"))
        .values("responsible_unit", "day")
        .annotate(n=Count("pk"))
        .values_list("responsible_unit", "day", "n")
    )
    starts = list(
        answered.annotate(day=TruncDate("submitted_at"))
        .values("responsible_unit", "day")
        .annotate(n=Count("pk"))
        .values_list("responsible_unit", "day", "n")
    )
    ordinal = _WorkingDayOrdinal(
        (day for _unit, day, _n in (*ends, *starts)),
        calendar or WorkingCalendar.from_database(),
    )
    sums: dict[int, int] = defaultdict(int)
    for unit_id, day, n in ends:
        sums[unit_id] += ordinal(day) * n
    for unit_id, day, n in starts:
        sums[unit_id] -= ordinal(day) * n
    for unit_id, total in sums.items():
        row(unit_id).answer_working_days = total

    for unit_id, name in Unit.objects.filter(pk__in=rows).values_list("pk", "name"):
        rows[unit_id].name = name
    return sort_rows(list(rows.values()), sort)


def sort_rows(rows: list[UnitStats], sort: str) -> list[UnitStats]:
    """Sort by a column key (``-`` for descending); empty figures last, then by unit name."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in COLUMN_KEYS:
        key, descending = DEFAULT_SORT.lstrip("-"), True
    rows = sorted(rows, key=lambda r: fold(r.name))
    present = [r for r in rows if r.value(key) is not None]
    missing = [r for r in rows if r.value(key) is None]
    present.sort(key=lambda r: r.value(key), reverse=descending)
    return present + missing


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """From 1 January of this year to today."""
    today = today or timezone.localdate()
    return today.replace(month=1, day=1), today
