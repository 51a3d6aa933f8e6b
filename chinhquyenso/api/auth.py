"""Authentication of connected systems by API key, and the scope check of each endpoint.

An endpoint declares who may call it where it is defined::

    @router.get("/", auth=ApiKeyAuth(ApiScope.UNITS_READ), response={200: ..., 401: ErrorOut})
    def unit_list(request): ...

``ApiKeyAuth()`` without scopes only authenticates; call :func:`require_scope` in the body when
the scope depends on the input.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from chinhquyenso.api.errors import ApiForbidden, ApiNotAuthenticated
from chinhquyenso.api.models import ApiClient, ApiScope
from chinhquyenso.api.selectors import api_client_by_key
from chinhquyenso.api.services import api_client_touch


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer <key>``; on success ``request.api_client`` is the client.

    Keys are looked up by their SHA-256. An unknown or revoked key gets 401 (the reason is left
    on the request for the error handler); a known key lacking one of *scopes* gets 403.
    """

    def __init__(self, *scopes: str) -> None:
        unknown = set(scopes) - set(ApiScope.values)
        if unknown:
            raise ValueError(f"Unknown API scopes: {sorted(unknown)}")
        self.scopes = scopes
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = api_client_by_key(token.strip())
        if client is None:
            request.api_auth_failure = _("Khóa API không hợp lệ.")  # type: ignore[attr-defined]
            return None
        if not client.is_active:
            request.api_auth_failure = _("Khóa API đã bị thu hồi.")  # type: ignore[attr-defined]
            return None
        api_client_touch(client=client)
        request.api_client = client  # type: ignore[attr-defined]
        for scope in self.scopes:
            require_scope(request, scope)
        return client


def request_client(request: HttpRequest) -> ApiClient:
    """The authenticated client of *request*; 401 when the endpoint had no key check."""
    client: Any = getattr(request, "api_client", None)
    if not isinstance(client, ApiClient):
        raise ApiNotAuthenticated()
    return client


def require_scope(request: HttpRequest, scope: str) -> ApiClient:
    """Return the request's client if it holds *scope*; raise a 403 ``forbidden`` otherwise."""
    client = request_client(request)
    if scope not in client.scopes:
        raise ApiForbidden(_("Khóa API không có quyền “%(scope)s”.") % {"scope": scope})
    return client
