"""A limit on reports sent without logging in, per IP address and hour (fixed window).

A flood of anonymous reports from one address would bury the screeners' queue. Visitors who are
logged in are not limited here (their account answers for them). The count lives in Django's
cache, so nothing is written to the database for a refused request. The cache is shared by the
server processes (settings ``CACHE_URL``: a file cache under ``var/cache`` by default, Redis or
a database table by setting), so the limit holds across them. Redis counts atomically; the file
and database caches read then write the count, so requests from one address arriving at the
very same moment in two processes may be counted once (the limit is then passed by at most the
number of processes).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 60 * 60


def _window(now: float) -> int:
    return int(now // WINDOW_SECONDS)


def anonymous_report_allowed(request: HttpRequest) -> bool:
    """Count one report from *request*'s address; ``False`` once the hour's limit is passed.

    Logged-in visitors and a limit of 0 (``FEEDBACK_ANONYMOUS_PER_HOUR``) are never refused.
    """
    limit = settings.FEEDBACK_ANONYMOUS_PER_HOUR
    if limit <= 0 or request.user.is_authenticated:
        return True
    ip = request.META.get("REMOTE_ADDR") or "unknown"
    key = f"feedback:anonymous-reports:{ip}:{_window(time.time())}"
    # add() then incr(); the key outlives the window a little so a slow clock at the edge does
    # not reset it early.
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add() and incr()
        cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
        count = 1
    return count <= limit


def seconds_until_next_window() -> int:
    """For the ``Retry-After`` header of the refusal."""
    now = time.time()
    return int((_window(now) + 1) * WINDOW_SECONDS - now) + 1
