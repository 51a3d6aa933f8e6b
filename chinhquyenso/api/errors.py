"""One error shape for the whole API.

Every error answer, whatever raised it, has this body::

    {"error": {"code": "<machine_code>", "message": "<Vietnamese message>",
               "details": [{"field": "...", "message": "..."}]}}

Endpoints raise :class:`ApiError` (or its subclasses); :func:`install_error_handlers` turns it and
the errors raised by Django, ninja and pydantic into that body. Document it on an endpoint with
``response={200: ThingOut, 400: ErrorOut, 404: ErrorOut}``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError


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


# --- Turning every error into the shape ------------------------------------------------------

logger = logging.getLogger("chinhquyenso.api")

#: Vietnamese message per pydantic error type; ``{name}`` fields come from the error's ``ctx``.
_PYDANTIC_MESSAGES: dict[str, Any] = {
    "missing": _("Trường này là bắt buộc."),
    "int_parsing": _("Phải là số nguyên."),
    "int_type": _("Phải là số nguyên."),
    "int_from_float": _("Phải là số nguyên."),
    "float_parsing": _("Phải là số."),
    "float_type": _("Phải là số."),
    "decimal_parsing": _("Phải là số."),
    "decimal_type": _("Phải là số."),
    "bool_parsing": _("Phải là true hoặc false."),
    "bool_type": _("Phải là true hoặc false."),
    "string_type": _("Phải là chuỗi ký tự."),
    "string_too_short": _("Phải có ít nhất {min_length} ký tự."),
    "string_too_long": _("Không được dài quá {max_length} ký tự."),
    "string_pattern_mismatch": _("Không đúng định dạng."),
    "greater_than": _("Phải lớn hơn {gt}."),
    "greater_than_equal": _("Phải lớn hơn hoặc bằng {ge}."),
    "less_than": _("Phải nhỏ hơn {lt}."),
    "less_than_equal": _("Phải nhỏ hơn hoặc bằng {le}."),
    "date_parsing": _("Ngày không hợp lệ, cần dạng YYYY-MM-DD."),
    "date_from_datetime_parsing": _("Ngày không hợp lệ, cần dạng YYYY-MM-DD."),
    "date_from_datetime_inexact": _("Ngày không hợp lệ, cần dạng YYYY-MM-DD."),
    "date_type": _("Ngày không hợp lệ, cần dạng YYYY-MM-DD."),
    "datetime_parsing": _("Thời điểm không hợp lệ, cần dạng ISO 8601."),
    "datetime_from_date_parsing": _("Thời điểm không hợp lệ, cần dạng ISO 8601."),
    "datetime_type": _("Thời điểm không hợp lệ, cần dạng ISO 8601."),
    "time_parsing": _("Giờ không hợp lệ, cần dạng HH:MM."),
    "uuid_parsing": _("Mã UUID không hợp lệ."),
    "uuid_type": _("Mã UUID không hợp lệ."),
    "enum": _("Giá trị không nằm trong danh sách cho phép: {expected}."),
    "literal_error": _("Giá trị không nằm trong danh sách cho phép: {expected}."),
    "list_type": _("Phải là một danh sách."),
    "too_short": _("Cần ít nhất {min_length} phần tử."),
    "too_long": _("Không được quá {max_length} phần tử."),
    "dict_type": _("Phải là một đối tượng."),
    "model_type": _("Phải là một đối tượng."),
    "model_attributes_type": _("Phải là một đối tượng."),
    "json_invalid": _("Nội dung JSON không hợp lệ."),
    "json_type": _("Nội dung JSON không hợp lệ."),
    "extra_forbidden": _("Trường này không được phép."),
}
_INVALID_VALUE = _("Giá trị không hợp lệ.")

#: Default message and code for statuses raised as ninja ``HttpError`` (its texts are English).
_STATUS_CODES: dict[int, tuple[str, Any]] = {
    400: (ErrorCode.VALIDATION_ERROR, _("Không đọc được nội dung yêu cầu (JSON không hợp lệ).")),
    401: (ErrorCode.NOT_AUTHENTICATED, ApiNotAuthenticated.default_message),
    403: (ErrorCode.FORBIDDEN, ApiForbidden.default_message),
    404: (ErrorCode.NOT_FOUND, ApiNotFound.default_message),
    409: (ErrorCode.CONFLICT, ApiConflict.default_message),
    429: (ErrorCode.TOO_MANY_REQUESTS, _("Gửi quá nhiều yêu cầu, vui lòng thử lại sau.")),
}


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("query", "limit")`` → ``limit``; ``("body", "payload", "name")`` → ``name``.

    The first item is where the value came from (query, path, body, …); for a body, ninja adds
    the endpoint's argument name next, which means nothing to the client.
    """
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "form", "file"} and len(parts) > 2:
        parts = parts[2:]
    elif parts and parts[0] in {"query", "path", "header", "cookie", "body", "form", "file"}:
        parts = parts[1:]
    return ".".join(parts)


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error" and ctx.get("error"):
        # Raised by our own validators, whose messages are already Vietnamese.
        return str(ctx["error"])
    template = _PYDANTIC_MESSAGES.get(kind)
    if template is None:
        return str(_INVALID_VALUE)
    try:
        return str(template).format(**ctx)
    except (KeyError, IndexError, ValueError):
        return str(_INVALID_VALUE)


def validation_error_details(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Per-field Vietnamese messages for ninja's list of pydantic errors."""
    details: list[dict[str, str]] = []
    for error in errors:
        if "loc" not in error:  # ninja's own shorthand, e.g. {"cursor": "Invalid Cursor"}
            details.extend({"field": str(k), "message": str(_INVALID_VALUE)} for k in error)
            continue
        details.append({"field": _field_path(error["loc"]), "message": _pydantic_message(error)})
    return details


def _django_validation_details(exc: DjangoValidationError) -> tuple[str, list[dict[str, str]]]:
    if hasattr(exc, "error_dict"):
        details = [
            {"field": "" if field == NON_FIELD_ERRORS else field, "message": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
        message = details[0]["message"] if len(details) == 1 else None
        return message or str(ApiValidationError.default_message), details
    return " ".join(str(m) for m in exc.messages), []


def install_error_handlers(api: NinjaAPI) -> None:
    """Make every error of *api* answer in the one documented shape."""

    def respond(request: HttpRequest, error: ApiError) -> HttpResponse:
        response = api.create_response(request, error.body(), status=error.status)
        if error.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc)

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, ApiValidationError(details=validation_error_details(exc.errors)))

    def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        # The auth class leaves the reason (unknown key, revoked key) on the request.
        message = getattr(request, "api_auth_failure", None)
        return respond(request, ApiNotAuthenticated(message))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code, message = _STATUS_CODES.get(
            exc.status_code, (ErrorCode.VALIDATION_ERROR, ApiError.default_message)
        )
        return respond(request, ApiError(message, status=exc.status_code, code=code))

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, ApiNotFound())

    def on_django_validation_error(
        request: HttpRequest, exc: DjangoValidationError
    ) -> HttpResponse:
        message, details = _django_validation_details(exc)
        return respond(request, ApiValidationError(message, details=details))

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or None
        return respond(request, ApiForbidden(message))

    def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        logger.warning("API write conflict on %s: %s", request.path, exc)
        return respond(request, ApiConflict())

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled error in API %s %s", request.method, request.path)
        return respond(
            request,
            ApiError(
                _("Lỗi hệ thống, vui lòng thử lại sau."),
                status=500,
                code=ErrorCode.INTERNAL_ERROR,
            ),
        )

    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (ApiError, on_api_error),
        (ValidationError, on_validation_error),
        (AuthenticationError, on_authentication_error),
        (HttpError, on_http_error),
        (Http404, on_not_found),
        (ObjectDoesNotExist, on_not_found),
        (DjangoValidationError, on_django_validation_error),
        (PermissionDenied, on_permission_denied),
        (IntegrityError, on_integrity_error),
        (Exception, on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
