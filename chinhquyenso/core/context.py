"""Where the current write comes from (IP address and channel), for the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: (ip address or None, short description of the channel: web request, command, task)
request_origin: ContextVar[tuple[str | None, str]] = ContextVar(
    "request_origin", default=(None, "system")
)


@contextmanager
def audit_origin(source: str, ip: str | None = None) -> Iterator[None]:
    """Name the channel of the writes made inside, e.g. ``"command import_units"``.

    Management commands wrap their ``handle()`` body in ``with audit_origin(...)``; tasks can use
    it as a decorator (``@audit_origin("task send_reminders")``). Web requests get theirs from
    :class:`~chinhquyenso.core.middleware.RequestContextMiddleware`.
    """
    token = request_origin.set((ip, source[:100]))
    try:
        yield
    finally:
        request_origin.reset(token)
