"""Request middleware: the origin of writes for the audit log, and NFC input."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict

from chinhquyenso.core.context import request_origin
from chinhquyenso.core.text import nfc


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


def _nfc_querydict(data: QueryDict) -> QueryDict:
    """*data* with every key and text value in NFC (the same object when already so)."""
    if all(
        unicodedata.is_normalized("NFC", key)
        and all(not isinstance(v, str) or unicodedata.is_normalized("NFC", v) for v in values)
        for key, values in data.lists()
    ):
        return data
    normalised = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        normalised.setlist(nfc(key), [nfc(v) if isinstance(v, str) else v for v in values])
    normalised._mutable = False
    return normalised


class NfcInputMiddleware:
    """Normalise every text a client sends to Unicode NFC before any view sees it.

    Vietnamese can be typed precomposed (NFC) or with combining marks (NFD, e.g. from some
    phone keyboards and macOS); stored and searched text must be one form. Query strings, form
    fields and JSON bodies are normalised here; services normalise again with ``clean_text``
    for writes that do not come from a request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The stubs type GET/POST as immutable query dicts; ours is one too (_mutable = False).
        request.GET = _nfc_querydict(request.GET)  # type: ignore[assignment]
        content_type = request.content_type or ""
        if request.method in ("POST", "PUT", "PATCH"):
            if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                request.POST = _nfc_querydict(request.POST)  # type: ignore[assignment]
            elif content_type == "application/json":
                self._normalise_json_body(request)
        return self.get_response(request)

    @staticmethod
    def _normalise_json_body(request: HttpRequest) -> None:
        try:
            text = request.body.decode(request.encoding or "utf-8")
        except (UnicodeDecodeError, LookupError):
            return  # left as is: the API answers malformed bodies with its own 400
        if not unicodedata.is_normalized("NFC", text):
            # JSON's own syntax is ASCII, so normalising the whole text only touches strings.
            request._body = nfc(text).encode("utf-8")
