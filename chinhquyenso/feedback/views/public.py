"""Public pages (no login): published reports, one report, the map and the per-unit table.

Everything shown comes from :mod:`chinhquyenso.feedback.public` and
:mod:`chinhquyenso.feedback.stats`, which read only what may be public.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET

from chinhquyenso.feedback import public, stats
from chinhquyenso.feedback.forms.public import PeriodForm, PublicReportFilterForm

#: Seconds browsers and caches may keep the map data and the per-unit table.
PUBLIC_MAX_AGE = 300


def _filter_form(request: HttpRequest) -> PublicReportFilterForm:
    return PublicReportFilterForm(
        request.GET or None, choices=public.filter_choices(), auto_id="loc_%s"
    )


def _page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("trang", "1"))
    except ValueError:
        return 1


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    filters = form.filters()
    page = public.report_page(filters, _page_number(request))
    return render(
        request,
        "feedback/public/list.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "filtered": bool(request.GET.dict().keys() - {"trang"}),
        },
    )


@require_GET
def report_detail(request: HttpRequest, code: str) -> HttpResponse:
    report = public.public_report(code)
    return render(
        request,
        "feedback/public/detail.html",
        {"report": report, "attachments": public.public_attachments(report)},
    )


@require_GET
def attachment(request: HttpRequest, code: str, attachment_id: int) -> FileResponse:
    """The EXIF-free public copy of a photo or file; never the original upload."""
    item = public.public_attachment(code, attachment_id)
    is_image = item.content_type.startswith("image/")
    # The name the citizen gave the file may hold personal data: use the code instead.
    suffix = PurePosixPath(item.public_file.name).suffix.lower()[:10]
    try:
        content = item.public_file.open("rb")
    except OSError as exc:  # the row is there but the file is gone from storage
        raise Http404("public file missing") from exc
    response = FileResponse(
        content,
        content_type=item.content_type,
        as_attachment=not is_image,
        filename=f"{item.report.tracking_code}-{item.pk}{suffix}",
    )
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


@require_GET
def report_map(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    filters = form.filters()
    return render(
        request,
        "feedback/public/map.html",
        {
            "form": form,
            "communes": public.counts_by_commune(filters),
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@cache_page(PUBLIC_MAX_AGE)
def report_geojson(request: HttpRequest) -> JsonResponse:
    """Published reports with a location, as GeoJSON (rounded points, nothing personal)."""
    filters = _filter_form(request).filters()
    features = public.map_features(filters)
    response = JsonResponse(
        {"type": "FeatureCollection", "features": features},
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


@require_GET
def unit_stats(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None, auto_id="ky_%s")
    date_from, date_to = form.period(stats.default_period())
    sort = request.GET.get("sap_xep", stats.DEFAULT_SORT)
    if sort.lstrip("-") not in stats.COLUMN_KEYS:
        sort = stats.DEFAULT_SORT
    key = f"feedback:public-stats:{date_from.isoformat()}:{date_to.isoformat()}"
    rows = cache.get(key)
    if rows is None:
        rows = stats.unit_table(date_from=date_from, date_to=date_to)
        cache.set(key, rows, PUBLIC_MAX_AGE)
    rows = stats.sort_rows(rows, sort)
    period = {"tu_ngay": date_from.strftime("%d/%m/%Y"), "den_ngay": date_to.strftime("%d/%m/%Y")}
    columns = []
    for column in stats.COLUMNS:
        current = sort.lstrip("-") == column.key
        descending = sort.startswith("-")
        # First click sorts figures high to low and names A to Z; a second click reverses.
        if current:
            next_sort = column.key if descending else f"-{column.key}"
        else:
            next_sort = f"-{column.key}" if column.numeric else column.key
        columns.append(
            {
                "column": column,
                "sort": next_sort,
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    return render(
        request,
        "feedback/public/stats.html",
        {
            "form": form,
            "rows": rows,
            "columns": columns,
            "date_from": date_from,
            "date_to": date_to,
            "period": period,
        },
    )
