"""Running pyHanko's synchronous calls from any thread.

pyHanko's synchronous API (and ours, built on it) uses ``asyncio.run()``, which cannot run in a
thread that already runs an event loop (an async view, a task runner, Playwright's sync API).
There, the call goes to a worker thread of its own, with its own database connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import connections

P = ParamSpec("P")
R = TypeVar("R")


def outside_event_loop(func: Callable[P, R]) -> Callable[P, R]:
    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return func(*args, **kwargs)

        def in_worker() -> R:
            try:
                return func(*args, **kwargs)
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(in_worker).result()

    return wrapper
