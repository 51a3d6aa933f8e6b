"""API v1 of feedback (``/api/v1/feedback/``): send, list, read, and the officials' actions.

What a client system sees: reports located in, received by or handled by its allowed units
(every unit when none is granted), never the confidential track (reports about an official,
handled only in the staff workspace). Reporters' names and contacts, and the text as written,
go only to clients holding ``feedback:personal_data``; the others get the text with personal
data removed (``privacy.redact``) and no reporters.

Actions are taken by a named official (``official``: their e-mail or phone) of a unit the
client may act for; the services check that official's roles and side as in the workspace.

No ``from __future__ import annotations`` here: ninja reads the endpoint's annotations at import
time, and a paginated endpoint's wrapper cannot resolve them from strings.
"""

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status as HttpStatus

from chinhquyenso.accounts.models import AccountType, User
from chinhquyenso.api.auth import ApiKeyAuth, request_client
from chinhquyenso.api.errors import ApiNotFound, ApiValidationError, ErrorOut
from chinhquyenso.api.models import ApiClient, ApiScope
from chinhquyenso.api.selectors import granted_units
from chinhquyenso.core.clock import day_start, local_or_none
from chinhquyenso.core.search import search
from chinhquyenso.core.text import clean_text
from chinhquyenso.feedback import services
from chinhquyenso.feedback.actions import ACTIONS, API_MOVES, perform
from chinhquyenso.feedback.models import Attachment, Category, Report, Reporter, Status, Urgency
from chinhquyenso.feedback.privacy import redact
from chinhquyenso.feedback.selectors import active_category
from chinhquyenso.feedback.workflow import OPEN_STATES
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS, Unit

router = Router(tags=["feedback"])

_RELATED = ("category", "category__parent", "commune", "receiving_unit", "handling_unit")


# --- Reads for client systems ----------------------------------------------------------------


def client_reports(client: ApiClient) -> QuerySet[Report]:
    """Reports *client* may read: not confidential, and located in, received by or handled by
    one of its units."""
    reports = Report.objects.filter(is_confidential=False)
    units = granted_units(client)
    if units is not None:
        reports = reports.filter(
            Q(commune__in=units) | Q(receiving_unit__in=units) | Q(handling_unit__in=units)
        )
    return reports.select_related(*_RELATED)


def client_report(client: ApiClient, code: str) -> Report:
    """The report with tracking code *code* if *client* may read it; 404 otherwise."""
    report = client_reports(client).filter(tracking_code=code.strip().upper()).first()
    if report is None:
        raise ApiNotFound(_("Không tìm thấy phản ánh mã “%(code)s”.") % {"code": code})
    return report


def filter_client_reports(
    reports: QuerySet[Report],
    *,
    status: str = "",
    category: str = "",
    commune: str = "",
    unit: str = "",
    submitted_from: dt.date | None = None,
    submitted_to: dt.date | None = None,
    q: str = "",
) -> QuerySet[Report]:
    if status:
        reports = reports.filter(status=status)
    if category:
        reports = reports.filter(Q(category__code=category) | Q(category__parent__code=category))
    if commune:
        reports = reports.filter(commune__code=commune)
    if unit:
        reports = reports.filter(Q(handling_unit__code=unit) | Q(receiving_unit__code=unit))
    if submitted_from:
        reports = reports.filter(submitted_at__gte=day_start(submitted_from))
    if submitted_to:
        end = day_start(submitted_to + dt.timedelta(days=1))
        reports = reports.filter(submitted_at__lt=end)
    return search(reports, q, ["text", "address", "tracking_code"])


# --- Schemas ---------------------------------------------------------------------------------


class NamedOut(Schema):
    code: str | None
    name: str


class ReporterOut(Schema):
    name: str
    phone: str
    email: str
    is_original: bool
    identity_private: bool
    consent_given: bool


class AttachmentOut(Schema):
    name: str = Field(
        description=str(
            gettext_lazy("Tên tệp; chỉ có với quyền `feedback:personal_data`, để trống nếu không.")
        )
    )
    content_type: str
    size: int
    is_answer: bool = Field(description=str(gettext_lazy("Tệp kèm câu trả lời của đơn vị.")))


class ReportOut(Schema):
    tracking_code: str = Field(description=str(gettext_lazy("Mã phản ánh.")))
    status: Status
    status_label: str
    category: NamedOut
    category_group: NamedOut | None
    urgency: Urgency
    text: str = Field(
        description=str(
            gettext_lazy(
                "Nội dung; đã ẩn thông tin cá nhân nếu khóa không có quyền "
                "`feedback:personal_data`."
            )
        )
    )
    answers: dict[str, Any]
    commune: NamedOut
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    receiving_unit: NamedOut
    handling_unit: NamedOut | None
    submitted_at: dt.datetime
    accept_due_at: dt.datetime
    accepted_at: dt.datetime | None
    answer_due_at: dt.datetime | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    is_late: bool
    answer: str
    is_published: bool
    channel: str
    reporters: list[ReporterOut] | None = Field(
        None,
        description=str(gettext_lazy("Người phản ánh; chỉ có với quyền `feedback:personal_data`.")),
    )
    attachments: list[AttachmentOut] = Field(
        default_factory=list,
        description=str(gettext_lazy("Ảnh, tệp của người phản ánh và tệp kèm trả lời.")),
    )


class ReporterIn(Schema):
    name: str = ""
    phone: str = ""
    email: str = ""
    identity_private: bool = False
    consent_given: bool = Field(
        False, description=str(gettext_lazy("Người phản ánh đồng ý xử lý dữ liệu cá nhân."))
    )


class ReportIn(Schema):
    text: str = Field(max_length=10000, description=str(gettext_lazy("Nội dung phản ánh.")))
    category: str = Field(description=str(gettext_lazy("Mã lĩnh vực.")))
    commune: str = Field(description=str(gettext_lazy("Mã xã, phường nơi xảy ra sự việc.")))
    address: str = Field("", max_length=500)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    answers: dict[str, Any] = Field(
        default_factory=dict, description=str(gettext_lazy("Trả lời câu hỏi thêm, theo mã."))
    )
    named_official_text: str = Field("", max_length=255)
    reporter: ReporterIn | None = Field(
        None, description=str(gettext_lazy("Người phản ánh; bỏ trống khi ẩn danh."))
    )


class ReportCreatedOut(Schema):
    report: ReportOut
    access_token: str = Field(
        description=str(
            gettext_lazy("Khóa đường dẫn riêng để người phản ánh theo dõi; chỉ trả về một lần.")
        )
    )


class ReportFilters(Schema):
    status: Status | None = None
    category: str = Field("", description=str(gettext_lazy("Mã lĩnh vực (cả nhóm con).")))
    commune: str = Field("", description=str(gettext_lazy("Mã xã, phường.")))
    unit: str = Field("", description=str(gettext_lazy("Mã đơn vị tiếp nhận hoặc xử lý.")))
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    q: str = Field(
        "", description=str(gettext_lazy("Tìm trong nội dung, địa chỉ, mã; không phân biệt dấu."))
    )


class FileIn(Schema):
    name: str = Field("", max_length=255, description=str(gettext_lazy("Tên tệp.")))
    content_base64: str = Field(
        description=str(
            gettext_lazy(
                "Nội dung tệp mã hóa base64: ảnh JPEG, PNG, WebP hoặc tệp PDF, kiểm tra theo "
                "nội dung."
            )
        )
    )


class ActionIn(Schema):
    official: str = Field(
        description=str(
            gettext_lazy(
                "Thư điện tử hoặc số điện thoại của cán bộ thực hiện, thuộc đơn vị khóa được phép."
            )
        )
    )
    reason: str = ""
    note: str = ""
    guidance: str = ""
    question: str = ""
    answer: str = ""
    category: str = ""
    urgency: Urgency | None = None
    handling_unit: str = ""
    to_unit: str = ""
    into: str = ""
    handler: str = ""
    extra_working_days: int | None = Field(None, ge=1, le=60)
    attachments: list[FileIn] = Field(
        default_factory=list,
        description=str(
            gettext_lazy(
                "Tệp kèm trả lời (`draft_answer`, `answer`): tối đa FEEDBACK_MAX_FILES tệp; cả "
                "yêu cầu không quá giới hạn DATA_UPLOAD_MAX_MEMORY_SIZE của máy chủ."
            )
        ),
    )


# --- Output ----------------------------------------------------------------------------------


def _named(unit: Unit | Category | None) -> dict[str, Any] | None:
    if unit is None:
        return None
    return {"code": unit.code, "name": unit.name}


def report_is_late(report: Report, now: dt.datetime | None = None) -> bool:
    """Answered after its answer deadline, or still unanswered past it (or past the accept
    deadline while waiting to be screened)."""
    now = now or timezone.now()
    if report.status == Status.SUBMITTED:
        return now > report.accept_due_at
    if report.answer_due_at is None:
        return False
    if report.answered_at is not None:
        return report.answered_at > report.answer_due_at
    return report.status in OPEN_STATES and now > report.answer_due_at


def report_out(
    report: Report,
    *,
    client: ApiClient,
    reporters: list[Reporter] | None = None,
    attachments: list[Attachment] | None = None,
) -> dict[str, Any]:
    """What *client* may see of *report* (personal data only with ``feedback:personal_data``).

    *reporters*, *attachments*: the report's, when the caller already holds them (a report just
    created through the API has only its original reporter and no file); read from the
    database (or its prefetched rows) otherwise."""
    personal = ApiScope.FEEDBACK_PERSONAL_DATA in client.scopes
    if reporters is None:
        reporters = list(report.reporters.all())
    if attachments is None:
        attachments = list(report.attachments.all())
    names = [r.name for r in reporters if r.name] + [report.named_official_text]
    out: dict[str, Any] = {
        "tracking_code": report.tracking_code,
        "status": report.status,
        "status_label": report.get_status_display(),
        "category": _named(report.category),
        "category_group": _named(report.category.parent),
        "urgency": report.urgency,
        "text": report.text if personal else redact(report.text, names=names),
        "answers": report.answers,
        "commune": _named(report.commune),
        "address": report.address,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "receiving_unit": _named(report.receiving_unit),
        "handling_unit": _named(report.handling_unit),
        "submitted_at": local_or_none(report.submitted_at),
        "accept_due_at": local_or_none(report.accept_due_at),
        "accepted_at": local_or_none(report.accepted_at),
        "answer_due_at": local_or_none(report.answer_due_at),
        "answered_at": local_or_none(report.answered_at),
        "closed_at": local_or_none(report.closed_at),
        "is_late": report_is_late(report),
        "answer": report.answer if personal else redact(report.answer, names=names),
        "is_published": report.is_published,
        "channel": report.channel,
        "reporters": None,
        "attachments": [
            {
                "name": a.original_name if personal else "",
                "content_type": a.content_type,
                "size": a.size,
                "is_answer": a.is_answer,
            }
            for a in attachments
        ],
    }
    if personal:
        out["reporters"] = [
            {
                "name": "" if r.identity_private else r.name,
                "phone": "" if r.identity_private else r.phone,
                "email": "" if r.identity_private else r.email,
                "is_original": r.is_original,
                "identity_private": r.identity_private,
                "consent_given": r.consent_given,
            }
            for r in reporters
        ]
    return out


# --- Input -----------------------------------------------------------------------------------


def _category(code: str, field: str = "category") -> Category:
    category = active_category(code)
    if category is None:
        raise ApiValidationError(
            details=[(field, _("Không có lĩnh vực mã “%(code)s”.") % {"code": code})]
        )
    return category


_UNITS = Unit._meta.db_table
_GRANTS = ApiClient.units.through._meta.db_table
#: A unit the client may act for: every unit when it was granted none, else the granted units
#: and their subtrees (tree paths: a granted unit's path begins the path of every unit below
#: it; paths are upper-case letters and digits, so ``LIKE`` sees no wildcard in them).
# Table names from the models, every value a parameter: nothing from the request is spliced in.
_WITHIN_CLIENT_UNITS = (
    f"(NOT EXISTS (SELECT 1 FROM {_GRANTS} g WHERE g.apiclient_id = %s) OR EXISTS ("  # noqa: S608
    f"SELECT 1 FROM {_GRANTS} g JOIN {_UNITS} a ON a.id = g.unit_id "
    "WHERE g.apiclient_id = %s AND u.path LIKE a.path || '%%'))"
)


def client_unit(
    client: ApiClient, *, code: str = "", pk: int | None = None, kinds: Iterable[str] = ()
) -> Unit | None:
    """The unit with *code* (or primary key *pk*) if *client* may act for it, of one of
    *kinds* if given; ``None`` otherwise. One query, written in SQL: every submitted report
    runs it, and the same query built with Django's ``Exists``/``Substr`` expressions costs
    several milliseconds of CPU to compile, many times what the database takes to answer it
    (``api.selectors.client_units`` says the same as a query to use in another)."""
    where = ["u.id = %s" if pk is not None else "u.code = %s"]
    params: list[Any] = [pk if pk is not None else code]
    kinds = list(kinds)
    if kinds:
        where.append(f"u.kind IN ({', '.join(['%s'] * len(kinds))})")
        params += kinds
    sql = f"SELECT u.* FROM {_UNITS} u WHERE {' AND '.join(where)} AND {_WITHIN_CLIENT_UNITS}"  # noqa: S608
    return next(iter(Unit.objects.raw(sql, [*params, client.pk, client.pk])), None)


def _client_unit(client: ApiClient, code: str, field: str, *, commune: bool = False) -> Unit:
    """The unit with *code* among *client*'s units (one query), or a 400 on *field*."""
    kinds = COMMUNE_LEVEL_KINDS if commune else ()
    unit = client_unit(client, code=code, kinds=kinds) if code else None
    if unit is None:
        raise ApiValidationError(
            details=[
                (field, _("Không có đơn vị mã “%(code)s” trong phạm vi khóa.") % {"code": code})
            ]
        )
    return unit


def _official(client: ApiClient, login: str, field: str = "official") -> User:
    login = clean_text(login)
    condition = Q(email__iexact=login) if "@" in login else Q(phone=login.replace(" ", ""))
    user = (
        User.objects.filter(condition, account_type=AccountType.OFFICIAL, is_active=True)
        .select_related("unit")
        .first()
        if login
        else None
    )
    if user is None or not user.unit_id or client_unit(client, pk=user.unit_id) is None:
        raise ApiValidationError(
            details=[(field, _("Không có cán bộ này trong các đơn vị khóa được phép."))]
        )
    return user


def _report_by_code(client: ApiClient, code: str, field: str) -> Report:
    report = client_reports(client).filter(tracking_code=code.strip().upper()).first()
    if report is None:
        raise ApiValidationError(details=[(field, _("Không tìm thấy phản ánh mã này."))])
    return report


def _to_unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise ApiValidationError(details=[("to_unit", _("Không có đơn vị mã này."))])
    return unit


def _decoded_files(files: list[FileIn]) -> list[UploadedFile]:
    """The files of an action's body, decoded; the service checks them by content."""
    decoded: list[UploadedFile] = []
    for number, item in enumerate(files):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ApiValidationError(
                details=[(f"attachments.{number}", _("Nội dung tệp không phải base64 hợp lệ."))]
            ) from None
        decoded.append(SimpleUploadedFile(item.name or "tep", content))
    return decoded


def _action_inputs(client: ApiClient, data: ActionIn, names: tuple[str, ...]) -> dict[str, Any]:
    """The action's inputs *names* read from *data*: codes become the objects the service
    takes (within the key's units where the unit acts for the key), files are decoded; empty
    ones are left out."""
    resolvers: dict[str, Callable[[Any], Any]] = {
        "category": _category,
        "handling_unit": lambda code: _client_unit(client, code, "handling_unit"),
        "to_unit": _to_unit,
        "into": lambda code: _report_by_code(client, code, "into"),
        "handler": lambda login: _official(client, login, "handler"),
        "attachments": _decoded_files,
    }
    inputs: dict[str, Any] = {}
    for name in names:
        value = getattr(data, name, None)
        if value in (None, "", []):
            continue
        resolve = resolvers.get(name)
        inputs[name] = resolve(value) if resolve else value
    return inputs


@contextmanager
def _service_errors() -> Iterator[None]:
    """A service's refusal as a 400 whose detail names the input it concerns."""
    try:
        yield
    except services.FeedbackError as exc:
        message = " ".join(str(m) for m in exc.messages)
        details = [(exc.field, message)] if exc.field else []
        raise ApiValidationError(message, details=details) from exc


def _take_action(client: ApiClient, report: Report, move: str, data: ActionIn) -> object:
    """Run the action of ``actions.API_MOVES[move]`` for the official named in *data*."""
    by = _official(client, data.official)
    name, fixed = API_MOVES[move]
    action = ACTIONS[name]
    inputs = {**_action_inputs(client, data, action.inputs), **fixed}
    missing = [(f, _("Trường này là bắt buộc.")) for f in action.required if f not in inputs]
    if missing:
        raise ApiValidationError(details=missing)
    with _service_errors():
        return perform(report=report, action=name, by=by, data=inputs)


_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# --- Endpoints -------------------------------------------------------------------------------


@router.post(
    "/",
    auth=ApiKeyAuth(ApiScope.FEEDBACK_WRITE),
    response={201: ReportCreatedOut, **_ERRORS},
    summary="Gửi phản ánh",
    description="Gửi một phản ánh thay cho người dân (kênh `api`). Cần quyền `feedback:write`; "
    "xã, phường phải thuộc các đơn vị khóa được phép.",
)
def report_create(request: HttpRequest, payload: ReportIn) -> HttpStatus:
    client = request_client(request)
    commune = _client_unit(client, payload.commune, "commune", commune=True)
    data = services.ReportInput(
        text=payload.text,
        category=_category(payload.category),
        commune=commune,
        address=payload.address,
        latitude=payload.latitude,
        longitude=payload.longitude,
        answers=payload.answers,
        named_official_text=payload.named_official_text,
        reporter=services.ReporterInput(**payload.reporter.dict())
        if payload.reporter
        else services.ReporterInput(),
        channel="api",
        submitted_by_client=client,
    )
    with _service_errors():
        report, reporter = services.report_submit(data=data)
    # The report as written (its category, group, commune and units are already loaded): no
    # second read of the row and its reporters.
    out = report_out(report, client=client, reporters=[reporter], attachments=[])
    return HttpStatus(201, {"report": out, "access_token": reporter.access_token})


@router.get(
    "/",
    auth=ApiKeyAuth(ApiScope.FEEDBACK_READ),
    response={200: list[ReportOut], **_ERRORS},
    summary="Danh sách phản ánh",
    description="Phản ánh tại, hoặc do các đơn vị khóa được phép tiếp nhận, xử lý; mới nhất "
    "trước. Cần quyền `feedback:read`.",
)
@paginate(LimitOffsetPagination, max_limit=200)
def report_list(request: HttpRequest, filters: Query[ReportFilters]) -> list[dict[str, Any]]:
    client = request_client(request)
    reports = filter_client_reports(
        client_reports(client),
        status=filters.status or "",
        category=filters.category,
        commune=filters.commune,
        unit=filters.unit,
        submitted_from=filters.submitted_from,
        submitted_to=filters.submitted_to,
        q=filters.q,
    ).prefetch_related("reporters", "attachments")
    return _LazyOut(reports.order_by("-submitted_at", "-pk"), client)  # type: ignore[return-value]


class _LazyOut:
    """A queryset the paginator slices and counts, turned into output dicts only for the page."""

    def __init__(self, reports: QuerySet[Report], client: ApiClient) -> None:
        self.reports = reports
        self.client = client

    def count(self) -> int:
        return self.reports.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [report_out(r, client=self.client) for r in self.reports[index]]


@router.get(
    "/{code}",
    auth=ApiKeyAuth(ApiScope.FEEDBACK_READ),
    response={200: ReportOut, **_ERRORS},
    summary="Xem một phản ánh",
    description="Theo mã phản ánh. Cần quyền `feedback:read`.",
)
def report_read(request: HttpRequest, code: str) -> dict[str, Any]:
    client = request_client(request)
    return report_out(client_report(client, code), client=client)


@router.post(
    "/{code}/actions/{action}",
    auth=ApiKeyAuth(ApiScope.FEEDBACK_PROCESS),
    response={200: ReportOut, **_ERRORS},
    summary="Thao tác xử lý phản ánh",
    description="Thao tác của cán bộ (`official`) thuộc đơn vị khóa được phép: "
    + ", ".join(f"`{a}`" for a in API_MOVES)
    + ". Cần quyền `feedback:process`. Trả lời 400 nếu thao tác không hợp với trạng thái hoặc "
    "vai trò của cán bộ.",
)
def report_action(
    request: HttpRequest, code: str, action: str, payload: ActionIn
) -> dict[str, Any]:
    client = request_client(request)
    if action not in API_MOVES:
        raise ApiNotFound(_("Không có thao tác “%(action)s”.") % {"action": action})
    _take_action(client, client_report(client, code), action, payload)
    return report_out(client_report(client, code), client=client)
