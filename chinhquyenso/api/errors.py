"""One error shape for the whole API.

Every error answer, whatever raised it, has this body::

    {"error": {"code": "<machine_code>", "message": "<Vietnamese message>",
               "details": [{"field": "...", "message": "..."}]}}

Endpoints raise :class:`ApiError` (or its subclasses); :func:`install_error_handlers` turns it and
the errors raised by Django, ninja and pydantic into that body. Document it on an endpoint with
``response={200: ThingOut, 400: ErrorOut, 404: ErrorOut}``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Schema


class ErrorCode:
    """The machine codes a client may branch on; part of the public contract."""

    VALIDATION_ERROR = "validation_error"
    NOT_AUTHENTICATED = "not_authenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    TOO_MANY_REQUESTS = "too_many_requests"
    INTERNAL_ERROR = "internal_error"


class ErrorDetailOut(Schema):
    field: str
    message: str


class ErrorBodyOut(Schema):
    code: str
    message: str
    details: list[ErrorDetailOut] = []


class ErrorOut(Schema):
    """The body of every error answer of the API."""

    error: ErrorBodyOut


class ApiError(Exception):
    """An error answer: raise it from an endpoint, a selector or an auth check.

    ``details`` lists per-field problems as ``(field, message)`` pairs or
    ``{"field": ..., "message": ...}`` dicts.
    """

    status: int = 400
    code: str = ErrorCode.VALIDATION_ERROR
    default_message: Any = _("Yêu cầu không hợp lệ.")

    def __init__(
        self,
        message: Any = None,
        *,
        status: int | None = None,
        code: str | None = None,
        details: list[Any] | None = None,
    ) -> None:
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.message = str(message if message is not None else self.default_message)
        self.details = [_detail(d) for d in details or []]
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


def _detail(item: Any) -> dict[str, str]:
    if isinstance(item, dict):
        return {"field": str(item.get("field", "")), "message": str(item.get("message", ""))}
    field, message = item
    return {"field": str(field), "message": str(message)}


class ApiValidationError(ApiError):
    status = 400
    code = ErrorCode.VALIDATION_ERROR
    default_message = _("Dữ liệu gửi lên không hợp lệ.")


class ApiNotAuthenticated(ApiError):
    status = 401
    code = ErrorCode.NOT_AUTHENTICATED
    default_message = _("Thiếu khóa API hoặc khóa không hợp lệ.")


class ApiForbidden(ApiError):
    status = 403
    code = ErrorCode.FORBIDDEN
    default_message = _("Khóa API không có quyền thực hiện thao tác này.")


class ApiNotFound(ApiError):
    status = 404
    code = ErrorCode.NOT_FOUND
    default_message = _("Không tìm thấy.")


class ApiConflict(ApiError):
    status = 409
    code = ErrorCode.CONFLICT
    default_message = _("Dữ liệu xung đột với trạng thái hiện tại.")
