"""Where the current write comes from (IP address and channel), for the audit log."""

from __future__ import annotations

from contextvars import ContextVar

#: (ip address or None, short description of the channel: web request, command, task)
request_origin: ContextVar[tuple[str | None, str]] = ContextVar(
    "request_origin", default=(None, "system")
)
