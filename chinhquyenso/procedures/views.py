"""Public pages of the catalogue (no login): the search and one procedure.

A procedure is shown as its version in force today; a procedure that is stopped, or has no
version in force, is not found.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chinhquyenso.procedures import selectors
from chinhquyenso.procedures.forms import ProcedureSearchForm
from chinhquyenso.procedures.models import ComponentForm, OnlineLevel

PAGE_SIZE = 20
#: Components the applicant shows at the counter in their original form.
ORIGINAL_FORMS = (ComponentForm.ORIGINAL, ComponentForm.ORIGINAL_FOR_CHECK)


@require_GET
def procedure_search(request: HttpRequest) -> HttpResponse:
    form = ProcedureSearchForm(
        request.GET or None,
        fields=list(selectors.fields_in_use()),
        units=list(selectors.receiving_units()),
        auto_id="loc_%s",
    )
    filters = form.filters()
    procedures = selectors.procedure_search(
        q=filters.q,
        field=filters.field,
        unit=filters.unit,
        online_level=filters.online_level or None,
    )
    page = Paginator(procedures, PAGE_SIZE).get_page(request.GET.get("trang"))
    rows = selectors.with_versions_in_force(
        procedures.filter(pk__in=[p.pk for p in page.object_list])
    )
    versions = {p.pk: p.versions_in_force[0] for p in rows}  # type: ignore[attr-defined]
    return render(
        request,
        "procedures/search.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "results": [(p, versions[p.pk]) for p in page.object_list],
        },
    )


@require_GET
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = selectors.get_procedure_by_code(code)
    version = selectors.version_in_force(procedure) if procedure and procedure.is_active else None
    if procedure is None or version is None:
        raise Http404("no procedure in force with this code")
    version = selectors.version_details(version)
    components = list(version.components.all())
    fees = list(version.fees.all())
    return render(
        request,
        "procedures/detail.html",
        {
            "procedure": procedure,
            "version": version,
            "components": components,
            "originals": [c for c in components if c.form in ORIGINAL_FORMS],
            "fees": fees,
            "fee_total": sum(f.amount for f in fees),
            "steps": list(version.steps.all()),
            "where": selectors.unit_kind_labels(version.unit_kinds),
            "legal_basis": [line for line in version.legal_basis.splitlines() if line.strip()],
            "online": version.online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL),
            "levels": OnlineLevel,
        },
    )
