"""The registers of documents under ``/can-bo/van-ban/so/``: the registers a clerk or leader
keeps, per year, printable as PDF and XLSX (Decree 30/2020/NĐ-CP, Appendix IV).

Clerks see their unit's registers; leaders those of their unit and the units below. Secret
series are listed like the others to these same people, who are the ones who keep them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.permissions import role_required, roles_of
from chinhquyenso.core.pdf import PdfUnavailable
from chinhquyenso.documents.models import Register, RegisterCounter
from chinhquyenso.documents.registers_print import register_filename, register_pdf, register_xlsx
from chinhquyenso.documents.views.incoming import _nav, _official

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def registers_for(user: User) -> QuerySet[Register]:
    """Registers *user* keeps (clerk: their unit's) or oversees (leader: their unit's and
    below)."""
    if user.unit is None:
        return Register.objects.none()
    held = roles_of(user)
    condition = Q(pk__in=[])
    if Role.UNIT_LEADER in held:
        condition |= Q(unit__path__startswith=user.unit.path)
    if Role.CLERK in held:
        condition |= Q(unit_id=user.unit_id)
    return Register.objects.filter(condition).select_related("unit")


def _register_for_user(user: User, pk: int) -> Register:
    try:
        return registers_for(user).get(pk=pk)
    except Register.DoesNotExist as exc:
        raise Http404 from exc


@role_required(Role.CLERK, Role.UNIT_LEADER)
@require_GET
@never_cache
def register_list(request: HttpRequest) -> HttpResponse:
    user = _official(request)
    registers = list(registers_for(user).order_by("unit__path", "direction", "series"))
    years: dict[int, list[Any]] = {}
    for counter in RegisterCounter.objects.filter(register__in=registers).order_by("-year"):
        years.setdefault(counter.register_id, []).append(counter)
    return render(
        request,
        "documents/registers/list.html",
        {
            "entries": [(r, years.get(r.pk, [])) for r in registers],
            "current_slug": "so",
            **_nav(user),
        },
    )


@role_required(Role.CLERK, Role.UNIT_LEADER)
@require_GET
def register_download(request: HttpRequest, pk: int, year: int, fmt: str) -> HttpResponse:
    """The register *pk* of *year* as ``pdf`` or ``xlsx``."""
    user = _official(request)
    register = _register_for_user(user, pk)
    if not 2000 <= year <= 2100 or fmt not in ("pdf", "xlsx"):
        raise Http404
    if fmt == "pdf":
        try:
            content, content_type = register_pdf(register, year), "application/pdf"
        except PdfUnavailable as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        disposition = "inline"
    else:
        content, content_type, disposition = register_xlsx(register, year), XLSX, "attachment"
    response = HttpResponse(content, content_type=content_type)
    name = register_filename(register, year, fmt)
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
