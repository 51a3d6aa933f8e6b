"""Request middleware: the origin of writes for the audit log, NFC input, and input holding a
NUL character refused."""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import reverse

from chinhquyenso.api.errors import ApiValidationError
from chinhquyenso.core.context import request_origin
from chinhquyenso.core.text import nfc
from chinhquyenso.core.views import is_api, page_not_found

#: Bodies Django reads into ``request.POST``.
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


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
            if content_type in _FORM_TYPES:
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


NUL = "\x00"


def _query_fields(data: QueryDict) -> Iterator[str]:
    """The names of the fields of *data* whose name or a text value holds a NUL."""
    for key, values in data.lists():
        if NUL in key or any(isinstance(value, str) and NUL in value for value in values):
            yield key.replace(NUL, "")


def _json_fields(value: Any, path: str = "") -> Iterator[str]:
    """The dotted paths (``items.0.name``) of the texts in *value* that hold a NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():  # JSON's keys are texts
            name = key.replace(NUL, "")
            inner = f"{path}.{name}" if path else name
            if NUL in key:
                yield inner
            yield from _json_fields(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_fields(item, f"{path}.{index}" if path else str(index))


def _body_fields(request: HttpRequest) -> list[str]:
    content_type = request.content_type or ""
    if content_type in _FORM_TYPES:
        return list(_query_fields(request.POST))
    # JSON can only write a NUL escaped, so only a body holding the escape is parsed here.
    if content_type == "application/json" and b"\\u0000" in request.body:
        try:
            return list(_json_fields(json.loads(request.body)))
        except (UnicodeDecodeError, ValueError):
            return []  # the API answers a malformed body with its own 400
    return []


@functools.cache
def _admin_path() -> str:
    return reverse("admin:index")


class RefuseNulMiddleware:
    """Refuse what no view can look up: an address holding a NUL character (``%00``), and,
    in the API, any text holding one (``\\u0000`` in JSON), before a view reads it.

    No text of the platform holds one. PostgreSQL refuses it in a text parameter, which would
    fail the request, and SQLite's string functions stop at it (a search for ``\\x00abc``
    would look for nothing and match everything). The API answers ``400 validation_error``
    naming each such field (``path`` for the address); a page with such an address, or an
    admin list with such a filter, is not found. The fields a page is sent are left to it:
    its forms refuse a NUL with their own message, and a payment gateway's notification must
    be answered in the gateway's terms.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        in_path = NUL in request.path_info
        if not is_api(request):
            # The admin's lists take any query field as a filter on the database.
            in_filters = request.path.startswith(_admin_path()) and (
                next(_query_fields(request.GET), None) is not None
            )
            if in_path or in_filters:
                return page_not_found(request)
            return self.get_response(request)
        fields = list(_query_fields(request.GET))
        if request.method in ("POST", "PUT", "PATCH"):
            fields += _body_fields(request)
        if not fields and not in_path:
            return self.get_response(request)
        # The message Django's form fields give for a NUL (Vietnamese in locale/vi).
        message = ProhibitNullCharactersValidator.message
        named = [*(["path"] if in_path else []), *dict.fromkeys(fields)]
        error = ApiValidationError(details=[(field, message) for field in named])
        return JsonResponse(error.body(), status=error.status)
