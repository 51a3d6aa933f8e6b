"""The current time as business rules see it.

Services take "now" from :func:`now`. Normally that is the real time; the demo loader runs
services inside :func:`clock_at` to build a realistic past (reports sent weeks ago, some late).
The audit log always records the real time of the write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_moment: ContextVar[dt.datetime | None] = ContextVar("clock_moment", default=None)


def now() -> dt.datetime:
    return _moment.get() or timezone.now()


@contextmanager
def clock_at(moment: dt.datetime) -> Iterator[None]:
    """Run the block as if the time were *moment* (aware datetime)."""
    if timezone.is_naive(moment):
        raise ValueError("clock_at() needs an aware datetime")
    token = _moment.set(moment)
    try:
        yield
    finally:
        _moment.reset(token)


def local_or_none(moment: dt.datetime | None) -> dt.datetime | None:
    """*moment* in local time (printed ``+07:00``), or ``None``."""
    return timezone.localtime(moment) if moment is not None else None


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of *day* in local time (for "from this date" filters)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
