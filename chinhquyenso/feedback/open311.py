"""Open311 GeoReport v2 under ``/open311/v2/`` (https://wiki.open311.org/GeoReport_v2).

Every endpoint answers in XML (``.xml``, ``text/xml``) or JSON (``.json``) by its suffix; times
are W3C datetimes with the time zone (``2026-05-04T08:30:00+07:00``); errors have the
specification's shape (``[{"code": 400, "description": "..."}]`` /
``<errors><error><code>400</code><description>…</description></error></errors>``).

- ``service_code`` is the category's code; a category's extra questions are its attributes.
- ``POST requests`` needs an API key (``api_key``) with ``feedback:write``; the commune is
  ``commune_code`` (this platform's extension), or the key's only commune.
- ``GET requests`` lists the published reports; a key with ``feedback:read`` (``api_key``)
  lists every non-confidential report of its units. Descriptions never carry personal data:
  published text, or the text with personal data removed.
- ``extensions=true`` adds the detailed status, the units and the deadlines.
- ``media_url``: what ``POST requests`` receives is stored as given and never fetched (the
  platform makes no outgoing request); ``GET requests`` answers with the absolute address of a
  published report's first public photo (the copy without location data), else, for a key
  that may read the report, the address its sending system gave.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from chinhquyenso.api.models import ApiClient, ApiScope
from chinhquyenso.api.selectors import api_client_by_key, granted_units
from chinhquyenso.api.services import api_client_touch
from chinhquyenso.feedback import services
from chinhquyenso.feedback.api import client_reports, client_unit, report_is_late
from chinhquyenso.feedback.models import Attachment, Category, Event, Report, Status
from chinhquyenso.feedback.privacy import redact
from chinhquyenso.feedback.selectors import active_category
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS, Unit

logger = logging.getLogger("chinhquyenso.feedback.open311")

JSON = "json"
XML = "xml"
#: Open311's two statuses; everything that is no longer being handled is "closed".
CLOSED_STATES = frozenset(
    {Status.ANSWERED, Status.CLOSED, Status.REFUSED, Status.HANDED_OFF, Status.MERGED}
)
#: Element name of the items of each list, in the XML form.
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
#: Without dates or ids, ``GET requests`` covers this many days back (the specification's 90).
DEFAULT_DAYS = 90
TOKEN_SALT = "chinhquyenso.feedback.open311.token"  # noqa: S105  # a salt, not a secret


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        self.status = status
        self.description = description
        super().__init__(description)


# --- Rendering -------------------------------------------------------------------------------


def w3c(value: dt.datetime | None) -> str | None:
    """``2026-05-04T08:30:00+07:00``: local time with its offset, whole seconds."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


#: Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return w3c(value) or ""
    return _NOT_XML.sub("", str(value))


def _xml_fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _xml_fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_tag = XML_ITEMS.get(element.tag, "item")
        for child in value:
            _xml_fill(ET.SubElement(element, item_tag), child)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    """*value* (a list of items or a dict) as an XML document with root element *root*."""
    element = ET.Element(root)
    _xml_fill(element, value)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def _json_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dt.datetime):
        return w3c(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Promise):
        return str(value)
    return value


def render(fmt: str, root: str, value: Any, status: int = 200) -> HttpResponse:
    if fmt == XML:
        return HttpResponse(
            to_xml(root, value), status=status, content_type="text/xml; charset=utf-8"
        )
    body = json.dumps(_json_value(value), ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def error_response(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, "errors", [{"code": status, "description": description}], status=status)


def open311_view(*methods: str) -> Callable[..., Callable[..., HttpResponse]]:
    """Allow *methods*, answer errors in the specification's shape, no CSRF (other systems)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @require_http_methods(list(methods))
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return error_response(fmt, exc.status, exc.description)
            except services.FeedbackError as exc:
                return error_response(fmt, 400, " ".join(str(m) for m in exc.messages))
            except Exception:
                logger.exception("Unhandled error in Open311 %s %s", request.method, request.path)
                return error_response(fmt, 500, _("Lỗi hệ thống, vui lòng thử lại sau."))

        return wrapper

    return decorator


# --- Input -----------------------------------------------------------------------------------


def _param(request: HttpRequest, name: str) -> str:
    source = request.POST if request.method == "POST" else request.GET
    return (source.get(name) or "").strip()


def _extensions(request: HttpRequest) -> bool:
    return _param(request, "extensions").lower() in ("true", "1")


def _client(request: HttpRequest, scope: str, *, required: bool) -> ApiClient | None:
    """The client of the ``api_key`` parameter holding *scope*; 403 for a bad key."""
    key = _param(request, "api_key")
    if not key:
        if required:
            raise Open311Error(403, _("Thiếu khóa API (api_key)."))
        return None
    client = api_client_by_key(key)
    if client is None or not client.is_active:
        raise Open311Error(403, _("Khóa API không hợp lệ hoặc đã bị thu hồi."))
    if scope not in client.scopes:
        raise Open311Error(403, _("Khóa API không có quyền “%(scope)s”.") % {"scope": scope})
    api_client_touch(client=client)
    return client


def parse_w3c(value: str, name: str, *, end: bool = False) -> dt.datetime | None:
    """A W3C datetime (or a date: its start, or its end with *end*); 400 if unreadable."""
    if not value:
        return None
    try:
        moment = parse_datetime(value.replace(" ", "+"))
        if moment is None:
            day = parse_date(value)
            if day is None:
                raise ValueError(value)
            moment = dt.datetime.combine(day + dt.timedelta(days=int(end)), dt.time.min)
    except ValueError:
        raise Open311Error(
            400,
            _("%(name)s không hợp lệ, cần dạng W3C, ví dụ 2026-05-04T08:30:00+07:00.")
            % {"name": name},
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _positive_int(request: HttpRequest, name: str, default: int, maximum: int) -> int:
    raw = _param(request, name)
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise Open311Error(400, _("%(name)s phải là số nguyên dương.") % {"name": name})
    return min(int(raw), maximum)


# --- Services (categories) ---------------------------------------------------------------------


def _service_categories() -> QuerySet[Category]:
    """Categories one can report in: active ones without active children."""
    return (
        Category.objects.filter(is_active=True)
        .exclude(children__is_active=True)
        .select_related("parent")
        .order_by("parent__sort_order", "sort_order", "name")
        .distinct()
    )


def _category_or_error(code: str, *, status: int) -> Category:
    category = _service_categories().filter(code=code).first() if code else None
    if category is None:
        raise Open311Error(status, _("Không có dịch vụ (lĩnh vực) mã “%(code)s”.") % {"code": code})
    return category


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.questions),
        "type": "realtime",
        "keywords": "",
        "group": category.parent.name if category.parent else category.name,
    }


YES_NO = (("true", "Có"), ("false", "Không"))
DATATYPES = {"text": "string", "number": "number", "choice": "singlevaluelist"}


def _attribute(question: dict[str, Any], order: int) -> dict[str, Any]:
    kind = question.get("type", "text")
    values: list[dict[str, str]] = []
    if kind == "choice":
        values = [{"key": str(c), "name": str(c)} for c in question.get("choices") or []]
    elif kind == "yes_no":
        values = [{"key": key, "name": _(name)} for key, name in YES_NO]
    attribute: dict[str, Any] = {
        "variable": True,
        "code": question.get("key", ""),
        "datatype": DATATYPES.get(kind, "singlevaluelist" if kind == "yes_no" else "string"),
        "required": bool(question.get("required")),
        "datatype_description": "",
        "order": order,
        "description": question.get("label", ""),
    }
    if values:
        attribute["values"] = values
    return attribute


@open311_view("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(fmt, "services", [_service(c) for c in _service_categories()])


@open311_view("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    category = _category_or_error(code, status=404)
    attributes = [_attribute(q, n) for n, q in enumerate(category.questions or [], start=1)]
    return render(
        fmt, "service_definition", {"service_code": category.code, "attributes": attributes}
    )


# --- Requests (reports) -----------------------------------------------------------------------


def _description(report: Report) -> str:
    """Never personal data: the published text, or the text with it removed."""
    if report.is_published and report.public_text:
        return report.public_text
    names = [r.name for r in report.reporters.all() if r.name] + [report.named_official_text]
    return redact(report.text, names=names)


def _media_url(request: HttpRequest, report: Report, *, client: ApiClient | None) -> str:
    """The absolute address of the report's first public photo (published reports only: the
    copy without location data, as on the public page); otherwise, for a key that may read the
    report, the ``media_url`` its sending system gave (never fetched here)."""
    if report.is_published:
        photos: list[Attachment] = getattr(report, "public_photos", [])
        if photos:
            path = reverse(
                "feedback:public_attachment",
                kwargs={"code": report.tracking_code, "attachment_id": photos[0].pk},
            )
            return request.build_absolute_uri(path)
    return report.media_url if client is not None else ""


def _request(
    request: HttpRequest, report: Report, *, extensions: bool, client: ApiClient | None
) -> dict[str, Any]:
    is_closed = report.status in CLOSED_STATES
    notes = report.public_answer if report.is_published else ""
    item: dict[str, Any] = {
        "service_request_id": report.tracking_code,
        "status": "closed" if is_closed else "open",
        "status_notes": notes,
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": _description(report),
        "agency_responsible": (report.handling_unit or report.receiving_unit).name,
        "service_notice": "",
        "requested_datetime": report.submitted_at,
        "updated_datetime": report.closed_at
        or report.answered_at
        or report.accepted_at
        or report.submitted_at,
        "expected_datetime": report.answer_due_at or report.accept_due_at,
        "address": report.address,
        "address_id": "",
        "zipcode": "",
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": _media_url(request, report, client=client),
    }
    if extensions:
        item["extended_attributes"] = {
            "status": report.status,
            "status_label": report.get_status_display(),
            "commune_code": report.commune.code,
            "commune_name": report.commune.name,
            "receiving_unit": report.receiving_unit.name,
            "handling_unit": report.handling_unit.name if report.handling_unit else "",
            "urgency": report.urgency,
            "accepted_datetime": report.accepted_at,
            "answered_datetime": report.answered_at,
            "is_late": report_is_late(report),
            "is_published": report.is_published,
        }
    return item


def visible_reports(client: ApiClient | None) -> QuerySet[Report]:
    """Published reports for everyone; a key with ``feedback:read`` adds its units' reports."""
    if client is not None:
        reports = client_reports(client)
    else:
        reports = Report.objects.filter(is_published=True, is_confidential=False).select_related(
            "category", "commune", "receiving_unit", "handling_unit"
        )
    photos = Attachment.objects.filter(content_type__startswith="image/").exclude(public_file="")
    return reports.prefetch_related(
        "reporters",
        Prefetch(
            "attachments",
            queryset=photos.only("pk", "report_id").order_by("is_answer", "pk"),
            to_attr="public_photos",
        ),
    )


def _filtered_requests(request: HttpRequest, reports: QuerySet[Report]) -> QuerySet[Report]:
    ids = [i.strip().upper() for i in _param(request, "service_request_id").split(",") if i.strip()]
    if ids:
        return reports.filter(tracking_code__in=ids)
    codes = [c.strip() for c in _param(request, "service_code").split(",") if c.strip()]
    if codes:
        reports = reports.filter(category__code__in=codes)
    start = parse_w3c(_param(request, "start_date"), "start_date")
    end = parse_w3c(_param(request, "end_date"), "end_date", end=True)
    if start and end and start > end:
        raise Open311Error(400, _("start_date phải trước end_date."))
    if start is None and end is None:
        start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
    if start:
        reports = reports.filter(submitted_at__gte=start)
    if end:
        reports = reports.filter(submitted_at__lt=end)
    status = _param(request, "status").lower()
    if status:
        wanted = {s.strip() for s in status.split(",")}
        if not wanted <= {"open", "closed"}:
            raise Open311Error(400, _("status chỉ nhận open hoặc closed."))
        if wanted == {"open"}:
            reports = reports.exclude(status__in=CLOSED_STATES)
        elif wanted == {"closed"}:
            reports = reports.filter(status__in=CLOSED_STATES)
    return reports


@open311_view("GET", "POST")
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _request_create(request, fmt)
    client = _client(request, ApiScope.FEEDBACK_READ, required=False)
    reports = _filtered_requests(request, visible_reports(client))
    page = _positive_int(request, "page", 1, 10**6)
    size = _positive_int(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    chosen = reports.order_by("-submitted_at", "-pk")[(page - 1) * size : page * size]
    extensions = _extensions(request)
    items = [_request(request, r, extensions=extensions, client=client) for r in chosen]
    return render(fmt, "service_requests", items)


@open311_view("GET")
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    client = _client(request, ApiScope.FEEDBACK_READ, required=False)
    report = visible_reports(client).filter(tracking_code=request_id.strip().upper()).first()
    if report is None:
        raise Open311Error(404, _("Không tìm thấy yêu cầu mã “%(code)s”.") % {"code": request_id})
    item = _request(request, report, extensions=_extensions(request), client=client)
    return render(fmt, "service_requests", [item])


def _decimal(request: HttpRequest, name: str) -> Decimal | None:
    raw = _param(request, name)
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise Open311Error(400, _("%(name)s phải là số.") % {"name": name}) from None


def _commune(request: HttpRequest, client: ApiClient) -> Unit:
    code = _param(request, "commune_code")
    if code:
        commune = client_unit(client, code=code, kinds=COMMUNE_LEVEL_KINDS)
        if commune is None:
            raise Open311Error(
                400,
                _("Không có xã, phường mã “%(code)s” trong phạm vi khóa API.") % {"code": code},
            )
        return commune
    # Without a code: the key's only commune, if it has exactly one.
    granted = granted_units(client)
    if granted is not None:
        communes = list(granted.filter(kind__in=COMMUNE_LEVEL_KINDS)[:2])
        if len(communes) == 1:
            return communes[0]
    raise Open311Error(400, _("Thiếu mã xã, phường nơi xảy ra sự việc (commune_code)."))


def _answers(request: HttpRequest, category: Category) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in category.questions or []:
        key = question.get("key", "")
        raw = _param(request, f"attribute[{key}]")
        if not raw:
            continue
        kind = question.get("type")
        if kind == "yes_no":
            if raw.lower() not in ("true", "false"):
                raise Open311Error(
                    400, _("attribute[%(key)s] phải là true hoặc false.") % {"key": key}
                )
            answers[key] = raw.lower() == "true"
        elif kind == "number":
            try:
                answers[key] = Decimal(raw) if "." in raw else int(raw)
            except (ValueError, InvalidOperation):
                raise Open311Error(
                    400, _("attribute[%(key)s] phải là số.") % {"key": key}
                ) from None
            if isinstance(answers[key], Decimal):
                answers[key] = float(answers[key])
        else:
            answers[key] = raw
    return answers


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    client = _client(request, ApiScope.FEEDBACK_WRITE, required=True)
    assert client is not None
    code = _param(request, "service_code")
    if not code:
        raise Open311Error(400, _("Thiếu service_code (mã lĩnh vực)."))
    category = active_category(code, leaf=True)
    if category is None:
        raise Open311Error(400, _("Không có dịch vụ (lĩnh vực) mã “%(code)s”.") % {"code": code})
    latitude, longitude = _decimal(request, "lat"), _decimal(request, "long")
    address = _param(request, "address_string")
    if (latitude is None) != (longitude is None):
        raise Open311Error(400, _("Cần cả lat và long."))
    if latitude is None and not address:
        raise Open311Error(400, _("Cần vị trí: lat và long, hoặc address_string."))
    description = _param(request, "description")
    if not description:
        raise Open311Error(400, _("Thiếu description (nội dung phản ánh)."))
    name = " ".join(p for p in (_param(request, "first_name"), _param(request, "last_name")) if p)
    data = services.ReportInput(
        text=description,
        category=category,
        commune=_commune(request, client),
        address=address,
        latitude=latitude,
        longitude=longitude,
        answers=_answers(request, category),
        reporter=services.ReporterInput(
            name=name,
            phone=_param(request, "phone"),
            email=_param(request, "email"),
            consent_given=bool(name or _param(request, "phone") or _param(request, "email")),
        ),
        media_url=_param(request, "media_url"),
        channel="open311",
        submitted_by_client=client,
    )
    report, _reporter = services.report_submit(data=data)
    notice = _("Đã nhận phản ánh, hạn tiếp nhận: %(due)s.") % {"due": w3c(report.accept_due_at)}
    return render(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": report.tracking_code,
                "token": request_token(report),
                "service_notice": notice,
                "account_id": "",
            }
        ],
        status=201,
    )


def request_token(report: Report) -> str:
    """A token that stands for the request (not the reporter's private link)."""
    return signing.dumps(report.tracking_code, salt=TOKEN_SALT, compress=True)


@open311_view("GET")
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    try:
        code = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        raise Open311Error(404, _("Không tìm thấy mã token này.")) from None
    if not Report.objects.filter(tracking_code=code).exists():
        raise Open311Error(404, _("Không tìm thấy mã token này."))
    return render(fmt, "service_requests", [{"service_request_id": code, "token": token}])


# --- Updates ---------------------------------------------------------------------------------


@open311_view("GET")
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """Public status changes (events reporters see) of the visible reports, oldest first."""
    client = _client(request, ApiScope.FEEDBACK_READ, required=False)
    start = parse_w3c(_param(request, "start_date"), "start_date")
    end = parse_w3c(_param(request, "end_date"), "end_date", end=True)
    if start is None:
        start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
    events = Event.objects.filter(
        is_public=True, at__gte=start, report__in=visible_reports(client).values("pk")
    )
    if end:
        events = events.filter(at__lt=end)
    page = _positive_int(request, "page", 1, 10**6)
    size = _positive_int(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    # The state the report was in after each step: the latest status change up to that step.
    status_then = (
        Event.objects.filter(report=OuterRef("report"), pk__lte=OuterRef("pk"))
        .exclude(to_status="")
        .order_by("-pk")
        .values("to_status")[:1]
    )
    chosen = (
        events.select_related("report")
        .annotate(status_then=Coalesce(Subquery(status_then), Value(Status.SUBMITTED.value)))
        .order_by("at", "pk")[(page - 1) * size : page * size]
    )
    extensions = _extensions(request)
    items = []
    for event in chosen:
        to_status = event.status_then
        item: dict[str, Any] = {
            "update_id": event.pk,
            "service_request_id": event.report.tracking_code,
            "status": "closed" if to_status in CLOSED_STATES else "open",
            "updated_datetime": event.at,
            "description": event.get_kind_display(),
            "media_url": "",
        }
        if extensions:
            item["extended_attributes"] = {
                "kind": event.kind,
                "status": to_status,
                "status_label": str(Status(to_status).label) if to_status in Status.values else "",
            }
        items.append(item)
    return render(fmt, "service_request_updates", items)


# --- Discovery -------------------------------------------------------------------------------


@open311_view("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    base = base.rsplit("/", 1)[0] + "/"
    formats = ["text/xml", "application/json"]
    return render(
        fmt,
        "discovery",
        {
            "changeset": dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
            "contact": _("%(site)s — phản ánh, kiến nghị. Khóa API do quản trị hệ thống cấp.")
            % {"site": settings.SITE_NAME},
            "key_service": _("Liên hệ quản trị hệ thống để được cấp khóa API."),
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
                    "type": "production",
                    "formats": formats,
                }
            ],
        },
    )
