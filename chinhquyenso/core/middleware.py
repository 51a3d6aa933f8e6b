"""Keeps the current request's origin at hand for the audit log."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from chinhquyenso.core.context import request_origin


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # REMOTE_ADDR is the peer; a reverse proxy in front is expected to set it correctly
        # (gunicorn --forwarded-allow-ips), so X-Forwarded-For is not trusted here.
        ip = request.META.get("REMOTE_ADDR") or None
        token = request_origin.set((ip, f"web {request.method} {request.path}"[:100]))
        try:
            return self.get_response(request)
        finally:
            request_origin.reset(token)
