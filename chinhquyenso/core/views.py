"""Health endpoints for load balancers and orchestrators, and the site-wide error pages."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chinhquyenso.api.errors import ApiError, ApiNotFound


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and answering."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """The process can reach its database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable", "detail": type(exc).__name__},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 for the whole site: the API's error shape under /api/, a Vietnamese page elsewhere."""
    if is_api(request):
        error = ApiNotFound(_("Không tìm thấy địa chỉ API này."))
        return JsonResponse(error.body(), status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 without a traceback; the error itself is logged by Django."""
    if is_api(request):
        error = ApiError(
            _("Lỗi hệ thống, vui lòng thử lại sau."), status=500, code="internal_error"
        )
        return JsonResponse(error.body(), status=500)
    # No template context processors here: they may be what failed.
    return HttpResponse(
        render_to_string("500.html"), status=500, content_type="text/html; charset=utf-8"
    )
