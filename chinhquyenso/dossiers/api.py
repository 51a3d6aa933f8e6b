"""API v1 of dossiers (``/api/v1/dossiers/``): submit, list, read, act, download files.

What a client system sees: sent dossiers received by, handled by or currently at one of its
allowed units (every unit when none is granted); never drafts. A dossier outside them answers
404, as a missing one does. Every answer carries the national status code (``status_code``,
1–10) and the channel code (``channel``: 1 counter, 2 online, 3 post).

Submitting (as a kiosk or the national portal does) is one ``multipart/form-data`` request: a
JSON part ``dossier`` and the files of each component as parts ``component.<code>``; or plain
``application/json`` when there is no file. ``submission_key`` makes a resent request harmless:
the dossier it created is answered again with 200 instead of 201. Keys are kept per client
system, so two systems never see each other's.

Officials' actions go through :func:`chinhquyenso.dossiers.actions.perform`, the same table as
the staff pages, for a named official (``official``: their e-mail or phone) of a unit the client
may act for; the services check that official's roles and side as on the pages. The audit log
records the client system as the channel of every write made through here.

No ``from __future__ import annotations`` here: ninja reads the endpoint's annotations at import
time, and a paginated endpoint's wrapper cannot resolve them from strings.
"""

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status as HttpStatus
from pydantic import ConfigDict
from pydantic import ValidationError as SchemaError

from chinhquyenso.api.auth import ApiKeyAuth, request_client
from chinhquyenso.api.errors import (
    ApiNotFound,
    ApiValidationError,
    ErrorOut,
    validation_error_details,
)
from chinhquyenso.api.models import ApiClient, ApiScope
from chinhquyenso.api.selectors import client_official, client_units, granted_units
from chinhquyenso.api.types import LocalTime
from chinhquyenso.core import clock
from chinhquyenso.core.clock import day_start
from chinhquyenso.core.context import audit_origin, request_origin
from chinhquyenso.core.search import search
from chinhquyenso.dossiers import actions, services
from chinhquyenso.dossiers.codes import normalise_code
from chinhquyenso.dossiers.models import (
    Channel,
    Dossier,
    DossierEvent,
    DossierFile,
    FileKind,
    Handover,
    Status,
)
from chinhquyenso.dossiers.services import ACTION_LABELS, ApplicantInput, DossierError
from chinhquyenso.dossiers.workflow import OPEN
from chinhquyenso.procedures.models import OnlineLevel, ProcedureVersion
from chinhquyenso.procedures.selectors import get_procedure_by_code, today, version_in_force
from chinhquyenso.units.models import Unit

router = Router(tags=["dossiers"])

_RELATED = (
    "version__procedure",
    "receiving_unit",
    "handling_unit",
    "current_unit",
    "current_step",
)
#: Fields the ``q`` filter searches, diacritics ignored.
SEARCH_FIELDS = (
    "code",
    "applicant_name",
    "applicant_id_number",
    "version__name",
    "version__procedure__code",
)
#: File parts of a submission are named ``component.<component code>``.
COMPONENT_PART = "component."
#: File parts an action reads besides the components (see ``actions.ACTIONS``).
ACTION_FILE_PARTS = ("files", "result_file")


# --- Reads for client systems ----------------------------------------------------------------


def client_dossiers(client: ApiClient) -> QuerySet[Dossier]:
    """Sent dossiers *client* may read: received by, handled by or currently at one of its
    units (all of them when it has none)."""
    dossiers = Dossier.objects.exclude(status=Status.DRAFT)
    units = granted_units(client)
    if units is not None:
        dossiers = dossiers.filter(
            Q(receiving_unit__in=units) | Q(handling_unit__in=units) | Q(current_unit__in=units)
        )
    # The fees of the version: what is still due when no amount was fixed at receipt.
    return dossiers.select_related(*_RELATED).prefetch_related("version__fees")


def _with_details(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return dossiers.select_related("rating").prefetch_related(
        Prefetch("events", queryset=DossierEvent.objects.select_related("unit", "actor")),
        Prefetch(
            "handovers",
            queryset=Handover.objects.select_related("step", "unit", "handed_by", "done_by"),
        ),
        Prefetch("files", queryset=DossierFile.objects.select_related("component")),
        "requests",
        "apologies",
    )


def client_dossier(client: ApiClient, code: str, *, details: bool = False) -> Dossier:
    """The dossier with *code* if *client* may read it; 404 whether missing or not allowed."""
    normal = normalise_code(code)
    dossiers = client_dossiers(client)
    if details:
        dossiers = _with_details(dossiers)
    dossier = dossiers.filter(code=normal).first() if normal else None
    if dossier is None:
        raise ApiNotFound(_("Không tìm thấy hồ sơ mã “%(code)s”.") % {"code": code})
    return dossier


def late_condition(now: dt.datetime) -> Q:
    """Late: counted late already (returned after the appointment, apologised for, asked for
    documents twice), or open, not paused and past its appointment now."""
    overdue = Q(status__in=OPEN, paused_at__isnull=True, due_at__lt=now)
    return Q(is_late=True) | overdue


def filter_client_dossiers(
    dossiers: QuerySet[Dossier],
    *,
    status: int | None = None,
    channel: int | None = None,
    procedure: str = "",
    unit: str = "",
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    due_before: dt.datetime | None = None,
    late: bool | None = None,
    q: str = "",
) -> QuerySet[Dossier]:
    if status is not None:
        dossiers = dossiers.filter(status=status)
    if channel is not None:
        dossiers = dossiers.filter(channel=channel)
    if procedure:
        dossiers = dossiers.filter(version__procedure__code=procedure.strip())
    if unit:
        code = unit.strip()
        units = Unit.objects.filter(Q(code=code) | Q(agency_code=code))
        dossiers = dossiers.filter(
            Q(receiving_unit__in=units) | Q(handling_unit__in=units) | Q(current_unit__in=units)
        )
    if received_from:
        dossiers = dossiers.filter(received_at__gte=day_start(received_from))
    if received_to:
        end = day_start(received_to + dt.timedelta(days=1))
        dossiers = dossiers.filter(received_at__lt=end)
    if due_before:
        moment = due_before if timezone.is_aware(due_before) else timezone.make_aware(due_before)
        dossiers = dossiers.filter(due_at__lt=moment)
    if late is not None:
        condition = late_condition(clock.now())
        dossiers = dossiers.filter(condition) if late else dossiers.exclude(condition)
    return search(dossiers, q, SEARCH_FIELDS)


# --- Schemas ---------------------------------------------------------------------------------


def _describe(text: str) -> str:
    return str(gettext_lazy(text))


def _name(user: Any) -> str | None:
    return (user.full_name or str(user)) if user is not None else None


class DossierUnitOut(Schema):
    code: str | None
    agency_code: str | None = Field(
        None, description=_describe("Mã định danh điện tử cơ quan (QCVN 102:2016).")
    )
    name: str


class DossierProcedureOut(Schema):
    code: str = Field(description=_describe("Mã thủ tục trên Cơ sở dữ liệu quốc gia."))
    name: str
    version: int = Field(description=_describe("Phiên bản thủ tục hồ sơ được nộp theo."))


class DossierStepOut(Schema):
    order: int
    name: str
    role: str


class DossierApplicantOut(Schema):
    name: str
    id_number: str
    phone: str
    email: str
    address: str


class DossierFeeOut(Schema):
    amount: int = Field(description=_describe("Phí, lệ phí phải nộp (đồng), sau miễn giảm."))
    due: int = Field(description=_describe("Số tiền còn phải nộp (đồng)."))
    exempt_reason: str
    paid_at: LocalTime | None
    paid_online: bool
    payment_reference: str


class DossierSummaryOut(Schema):
    """A dossier in a list: where it stands, without its files and history."""

    code: str = Field(description=_describe("Mã hồ sơ <mã định danh cơ quan>-YYMMDD-XXXX."))
    status_code: int = Field(
        ge=1, le=10, description=_describe("Mã trạng thái đồng bộ quốc gia (1–10).")
    )
    status: str = Field(description=_describe("Tên trạng thái."))
    channel: Channel = Field(
        description=_describe("Kênh tiếp nhận: 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích.")
    )
    channel_label: str
    procedure: DossierProcedureOut
    receiving_unit: DossierUnitOut
    handling_unit: DossierUnitOut
    current_unit: DossierUnitOut
    current_step: DossierStepOut | None
    applicant: DossierApplicantOut
    submitted_at: LocalTime | None
    received_at: LocalTime | None
    appointment_at: LocalTime | None = Field(
        description=_describe("Ngày hẹn trả kết quả (sau khi dời do tạm dừng hoặc xin lỗi).")
    )
    original_appointment_at: LocalTime | None = Field(
        description=_describe("Ngày hẹn trả ghi trên phiếu tiếp nhận.")
    )
    step_due_at: LocalTime | None
    paused_since: LocalTime | None = Field(
        description=_describe("Đang tạm dừng tính thời gian (chờ công dân) từ lúc này.")
    )
    processed_at: LocalTime | None
    returned_at: LocalTime | None
    closed_at: LocalTime | None
    is_late: bool = Field(
        description=_describe(
            "Quá hạn: trả sau ngày hẹn, đã xin lỗi hẹn lại, bổ sung quá một lần, "
            "hoặc chưa xong mà đã qua ngày hẹn."
        )
    )
    additional_requests: int = Field(description=_describe("Số lần yêu cầu bổ sung hồ sơ."))
    fee: DossierFeeOut

    @staticmethod
    def resolve_status_code(obj: Dossier) -> int:
        return obj.status

    @staticmethod
    def resolve_status(obj: Dossier) -> str:
        return str(Status(obj.status).label)

    @staticmethod
    def resolve_channel_label(obj: Dossier) -> str:
        return str(Channel(obj.channel).label)

    @staticmethod
    def resolve_procedure(obj: Dossier) -> dict[str, Any]:
        version = obj.version
        return {"code": version.procedure.code, "name": version.name, "version": version.number}

    @staticmethod
    def resolve_applicant(obj: Dossier) -> dict[str, str]:
        return {
            "name": obj.applicant_name,
            "id_number": obj.applicant_id_number,
            "phone": obj.applicant_phone,
            "email": obj.applicant_email,
            "address": obj.applicant_address,
        }

    @staticmethod
    def resolve_appointment_at(obj: Dossier) -> dt.datetime | None:
        return obj.due_at

    @staticmethod
    def resolve_original_appointment_at(obj: Dossier) -> dt.datetime | None:
        return obj.original_due_at

    @staticmethod
    def resolve_paused_since(obj: Dossier) -> dt.datetime | None:
        return obj.paused_at

    @staticmethod
    def resolve_is_late(obj: Dossier) -> bool:
        overdue = (
            obj.status in OPEN
            and obj.paused_at is None
            and obj.due_at is not None
            and obj.due_at < clock.now()
        )
        return obj.is_late or overdue

    @staticmethod
    def resolve_fee(obj: Dossier) -> dict[str, Any]:
        return {
            "amount": obj.fee_amount,
            "due": services.fee_due(obj),
            "exempt_reason": obj.fee_exempt_reason,
            "paid_at": obj.paid_at,
            "paid_online": obj.paid_online,
            "payment_reference": obj.payment_reference,
        }


class DossierFileOut(Schema):
    id: int
    kind: FileKind
    component: str | None = Field(description=_describe("Mã thành phần hồ sơ."))
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: LocalTime
    url: str = Field(description=_describe("Đường dẫn tải tệp (cần quyền `dossiers:read`)."))

    @staticmethod
    def resolve_component(obj: DossierFile) -> str | None:
        return obj.component.code if obj.component is not None else None

    @staticmethod
    def resolve_name(obj: DossierFile) -> str:
        return obj.original_name

    @staticmethod
    def resolve_url(obj: DossierFile) -> str:
        return reverse("api-v1:dossier_file", kwargs={"code": obj.dossier.code, "file_id": obj.pk})


class DossierEventOut(Schema):
    at: LocalTime
    action: str
    action_label: str
    from_status: int | None
    to_status: int
    status: str
    unit: DossierUnitOut | None
    actor: str | None = Field(description=_describe("Người thực hiện; trống: hệ thống."))
    note: str

    @staticmethod
    def resolve_action_label(obj: DossierEvent) -> str:
        return str(ACTION_LABELS.get(obj.action, obj.action))

    @staticmethod
    def resolve_status(obj: DossierEvent) -> str:
        return str(Status(obj.to_status).label)

    @staticmethod
    def resolve_actor(obj: DossierEvent) -> str | None:
        return _name(obj.actor)


class DossierHandoverOut(Schema):
    step: DossierStepOut | None
    unit: DossierUnitOut
    handed_at: LocalTime
    due_at: LocalTime
    done_at: LocalTime | None
    on_time: bool | None = Field(
        description=_describe("Đúng hạn hay không; trống khi bước chưa xong.")
    )
    handed_by: str | None
    done_by: str | None
    note: str

    @staticmethod
    def resolve_handed_by(obj: Handover) -> str | None:
        return _name(obj.handed_by)

    @staticmethod
    def resolve_done_by(obj: Handover) -> str | None:
        return _name(obj.done_by)


class DossierRequestItemOut(Schema):
    name: str
    reason: str = ""


class DossierDocumentRequestOut(Schema):
    items: list[DossierRequestItemOut]
    note: str
    requested_at: LocalTime
    resolved_at: LocalTime | None


class DossierApologyOut(Schema):
    reason: str
    old_appointment_at: LocalTime
    new_appointment_at: LocalTime
    at: LocalTime

    @staticmethod
    def resolve_old_appointment_at(obj: Any) -> dt.datetime:
        return obj.old_due_at

    @staticmethod
    def resolve_new_appointment_at(obj: Any) -> dt.datetime:
        return obj.new_due_at


class DossierRatingOut(Schema):
    rating: str
    comment: str
    at: LocalTime


class DossierOut(DossierSummaryOut):
    """Everything about a dossier an integrating system needs."""

    submission_key: str | None = Field(
        description=_describe("Khóa chống gửi trùng do chính hệ thống này gửi kèm khi nộp.")
    )
    form_data: dict[str, Any] = Field(description=_describe("Nội dung tờ khai điện tử."))
    result_note: str
    stop_reason: str = Field(description=_describe("Lý do từ chối, dừng xử lý hoặc rút hồ sơ."))
    files: list[DossierFileOut]
    result_url: str | None = Field(
        description=_describe("Đường dẫn tải kết quả điện tử (PDF), nếu có.")
    )
    history: list[DossierEventOut]
    handovers: list[DossierHandoverOut] = Field(
        description=_describe("Quá trình giao nhận giữa các đơn vị (phiếu kiểm soát quá trình).")
    )
    document_requests: list[DossierDocumentRequestOut]
    apologies: list[DossierApologyOut]
    rating: DossierRatingOut | None

    @staticmethod
    def resolve_submission_key(obj: Dossier, context: Any) -> str | None:
        client = getattr(context["request"], "api_client", None)
        return _client_key(client, obj.submission_key) if client is not None else None

    @staticmethod
    def resolve_files(obj: Dossier) -> list[DossierFile]:
        return list(obj.files.all())

    @staticmethod
    def resolve_result_url(obj: Dossier) -> str | None:
        if not any(f.kind == FileKind.RESULT for f in obj.files.all()):
            return None
        return reverse("api-v1:dossier_result", kwargs={"code": obj.code})

    @staticmethod
    def resolve_history(obj: Dossier) -> list[DossierEvent]:
        return list(obj.events.all())

    @staticmethod
    def resolve_handovers(obj: Dossier) -> list[Handover]:
        return list(obj.handovers.all())

    @staticmethod
    def resolve_document_requests(obj: Dossier) -> list[Any]:
        return list(obj.requests.all())

    @staticmethod
    def resolve_apologies(obj: Dossier) -> list[Any]:
        return list(obj.apologies.all())

    @staticmethod
    def resolve_rating(obj: Dossier) -> Any:
        return getattr(obj, "rating", None)


class _Strict(Schema):
    # A misspelt key is an error, not silently ignored.
    model_config = ConfigDict(extra="forbid")


class DossierApplicantIn(_Strict):
    name: str = Field(max_length=255, description=_describe("Họ và tên người nộp."))
    id_number: str = Field("", max_length=20, description=_describe("Số định danh cá nhân."))
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=500)


class DossierIn(_Strict):
    procedure: str = Field(max_length=50, description=_describe("Mã thủ tục."))
    receiving_unit: str = Field(
        max_length=30,
        description=_describe(
            "Nơi tiếp nhận: mã đơn vị hoặc mã định danh điện tử, trong các đơn vị khóa được phép."
        ),
    )
    channel: Channel = Field(
        Channel.ONLINE,
        description=_describe(
            "Kênh: 2 trực tuyến (mặc định; phải gửi kèm mọi giấy tờ bắt buộc), 1 trực tiếp, "
            "3 bưu chính công ích."
        ),
    )
    applicant: DossierApplicantIn
    form_data: dict[str, Any] = Field(
        default_factory=dict,
        description=_describe("Tờ khai điện tử theo biểu mẫu (JSON Schema) của thủ tục."),
    )
    submission_key: str | None = Field(
        None,
        min_length=1,
        max_length=60,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description=_describe(
            "Khóa chống gửi trùng: gửi lại cùng khóa trả về hồ sơ đã tạo (200), không tạo mới."
        ),
    )


class DossierRequestItemIn(_Strict):
    name: str = Field(max_length=500)
    reason: str = Field("", max_length=1000)


class DossierActionIn(_Strict):
    official: str = Field(
        max_length=254,
        description=_describe(
            "Thư điện tử hoặc số điện thoại của cán bộ thực hiện, thuộc đơn vị khóa được phép."
        ),
    )
    note: str = ""
    reason: str = ""
    items: list[DossierRequestItemIn] | str = Field(
        default_factory=list,
        description=_describe(
            "Giấy tờ cần bổ sung (request_documents): danh sách {name, reason}, hoặc trong "
            "multipart mỗi dòng “tên: lý do”."
        ),
    )
    fee_exempt_reason: str = ""
    amount: int | None = Field(None, description=_describe("Số tiền (đồng)."))
    new_due_at: dt.datetime | None = Field(
        None, description=_describe("Ngày hẹn mới (apologise), ISO 8601.")
    )
    assignee: str = Field(
        "", description=_describe("Thư điện tử hoặc số điện thoại của cán bộ được giao (forward).")
    )
    result_note: str = ""
    receipt_number: str = Field(
        "", max_length=64, description=_describe("Số biên lai thu phí tại quầy (collect_fee).")
    )


class DossierFilters(Schema):
    status: int | None = Field(
        None, ge=1, le=10, description=_describe("Mã trạng thái quốc gia (1–10).")
    )
    channel: Channel | None = None
    procedure: str = Field("", description=_describe("Mã thủ tục."))
    unit: str = Field(
        "",
        description=_describe(
            "Mã đơn vị hoặc mã định danh điện tử: tiếp nhận, giải quyết hoặc đang giữ hồ sơ."
        ),
    )
    received_from: dt.date | None = Field(None, description=_describe("Tiếp nhận từ ngày."))
    received_to: dt.date | None = Field(None, description=_describe("Tiếp nhận đến ngày."))
    due_before: dt.datetime | None = Field(
        None, description=_describe("Ngày hẹn trả trước thời điểm này.")
    )
    late: bool | None = Field(None, description=_describe("Chỉ hồ sơ quá hạn (true) hoặc không."))
    q: str = Field(
        "",
        description=_describe(
            "Tìm trong mã hồ sơ, tên và số định danh người nộp, tên và mã thủ tục; không phân "
            "biệt dấu."
        ),
    )


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """*schema* with its ``$defs`` written in place, to stand alone in a request body."""
    definitions = schema.pop("$defs", {})

    def expand(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                siblings = {key: value for key, value in node.items() if key != "$ref"}
                return {**expand(definitions[ref.removeprefix("#/$defs/")]), **siblings}
            return {key: expand(value) for key, value in node.items()}
        if isinstance(node, list):
            return [expand(item) for item in node]
        return node

    expanded: dict[str, Any] = expand(schema)
    return expanded


def _request_body(
    schema: type[Schema], json_part: str | None, file_parts: dict[str, str]
) -> dict[str, Any]:
    """The OpenAPI request body of an endpoint that takes JSON, or multipart with files."""
    body = _inline_refs(schema.model_json_schema())
    properties: dict[str, Any] = {json_part: body} if json_part else dict(body["properties"])
    multipart: dict[str, Any] = {"type": "object", "properties": properties}
    if json_part:
        multipart["required"] = [json_part]
    for name, description in file_parts.items():
        properties[name] = {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "description": description,
        }
    content: dict[str, Any] = {"multipart/form-data": {"schema": multipart}}
    if json_part:
        content["multipart/form-data"]["encoding"] = {
            json_part: {"contentType": "application/json"}
        }
    content["application/json"] = {"schema": body}
    return {"requestBody": {"required": True, "content": content}}


# --- Input -----------------------------------------------------------------------------------

#: Names the services give inputs → names of this API's inputs.
_FIELD_NAMES = {
    "applicant_name": "applicant.name",
    "applicant_id_number": "applicant.id_number",
    "applicant_phone": "applicant.phone",
    "applicant_email": "applicant.email",
    "result": "result_file",
}


def _api_field(name: str | None) -> str:
    if not name:
        return ""
    if name.startswith("form."):
        return "form_data." + name.removeprefix("form.")
    if name.startswith("files."):
        return COMPONENT_PART + name.removeprefix("files.")
    return _FIELD_NAMES.get(name, name)


def api_error(exc: DossierError) -> ApiValidationError:
    """A refused write as a 400 answer, each field error under this API's input names."""
    message = " ".join(str(m) for m in exc.messages)
    details = [
        (_api_field(field), str(text)) for field, texts in exc.errors.items() for text in texts
    ]
    if not details and exc.field:
        details = [(_api_field(exc.field), message)]
    return ApiValidationError(message, details=details)


def _schema_error(exc: SchemaError) -> ApiValidationError:
    return ApiValidationError(details=validation_error_details(exc.errors()))  # type: ignore[arg-type]


def _read_request(
    request: HttpRequest, *, allowed_files: tuple[str, ...]
) -> tuple[Mapping[str, Any], dict[str, list[UploadedFile]]]:
    """The form fields and files of a multipart request; a file part the endpoint does not
    take is an error (its file would be lost silently otherwise)."""
    try:
        fields = {key: request.POST.get(key) for key in request.POST}
        files = {key: request.FILES.getlist(key) for key in request.FILES}
    except (MultiPartParserError, SuspiciousOperation) as exc:
        raise ApiValidationError(_("Không đọc được nội dung multipart của yêu cầu.")) from exc
    unknown = [
        key for key in files if key not in allowed_files and not key.startswith(COMPONENT_PART)
    ]
    if unknown:
        raise ApiValidationError(
            details=[(key, _("Phần tệp này không được nhận ở đây.")) for key in unknown]
        )
    return fields, files


def _is_multipart(request: HttpRequest) -> bool:
    return request.content_type == "multipart/form-data"


def _require_body_type(request: HttpRequest) -> None:
    if request.content_type not in ("multipart/form-data", "application/json"):
        raise ApiValidationError(
            _("Nội dung phải là multipart/form-data hoặc application/json."),
        )


def _submission(request: HttpRequest) -> tuple[DossierIn, dict[str, list[UploadedFile]]]:
    _require_body_type(request)
    if not _is_multipart(request):
        try:
            return DossierIn.model_validate_json(request.body), {}
        except SchemaError as exc:
            raise _schema_error(exc) from exc
    fields, files = _read_request(request, allowed_files=())
    raw = fields.get("dossier")
    if not raw:
        raise ApiValidationError(details=[("dossier", _("Thiếu phần JSON “dossier” mô tả hồ sơ."))])
    try:
        return DossierIn.model_validate_json(raw), files
    except SchemaError as exc:
        raise _schema_error(exc) from exc


def _action_input(request: HttpRequest) -> tuple[DossierActionIn, dict[str, list[UploadedFile]]]:
    _require_body_type(request)
    try:
        if not _is_multipart(request):
            return DossierActionIn.model_validate_json(request.body or b"{}"), {}
        fields, files = _read_request(request, allowed_files=ACTION_FILE_PARTS)
        return DossierActionIn.model_validate(fields), files
    except SchemaError as exc:
        raise _schema_error(exc) from exc


def _client_key(client: ApiClient, stored: str | None) -> str | None:
    prefix = f"api{client.pk}:"
    return stored.removeprefix(prefix) if stored and stored.startswith(prefix) else None


def _stored_key(client: ApiClient, key: str | None) -> str | None:
    return f"api{client.pk}:{key}" if key else None


def _receiving_unit(client: ApiClient, code: str) -> Unit:
    code = code.strip()
    unit = client_units(client).filter(Q(code=code) | Q(agency_code=code)).first() if code else None
    if unit is None:
        raise ApiValidationError(
            details=[
                (
                    "receiving_unit",
                    _("Không có đơn vị mã “%(code)s” trong phạm vi khóa.") % {"code": code},
                )
            ]
        )
    return unit


def _version(code: str) -> ProcedureVersion:
    procedure = get_procedure_by_code(code)
    version = version_in_force(procedure, today()) if procedure and procedure.is_active else None
    if version is None:
        raise ApiValidationError(
            details=[
                ("procedure", _("Không có thủ tục mã “%(code)s” đang áp dụng.") % {"code": code})
            ]
        )
    return version


def _components(files: Mapping[str, list[UploadedFile]]) -> dict[str, list[UploadedFile]]:
    return {
        key.removeprefix(COMPONENT_PART): uploads
        for key, uploads in files.items()
        if key.startswith(COMPONENT_PART) and uploads
    }


def _check_online(version: ProcedureVersion, components: Mapping[str, Any]) -> None:
    """An online dossier comes whole: the procedure takes online dossiers, and every required
    component is attached (a counter or postal dossier is checked at the counter)."""
    if version.online_level == OnlineLevel.NONE:
        raise ApiValidationError(
            details=[
                ("channel", _("Thủ tục này chưa nộp trực tuyến được; xin nộp tại bộ phận một cửa."))
            ]
        )
    missing = [c for c in version.components.all() if c.is_required and c.code not in components]
    if missing:
        raise ApiValidationError(
            _("Còn thiếu giấy tờ bắt buộc: %(names)s.")
            % {"names": "; ".join(c.name for c in missing)},
            details=[(f"{COMPONENT_PART}{c.code}", _("Xin gửi kèm giấy tờ này.")) for c in missing],
        )


@contextmanager
def _as_client(client: ApiClient) -> Iterator[None]:
    """Writes inside are audited with the client system as their channel."""
    ip, _source = request_origin.get()
    with audit_origin(f"api {client.name}", ip):
        yield


def _official(client: ApiClient, login: str, field: str) -> Any:
    user = client_official(client, login)
    if user is None:
        raise ApiValidationError(
            details=[(field, _("Không có cán bộ này trong các đơn vị khóa được phép."))]
        )
    return user


def _detail(client: ApiClient, code: str) -> Dossier:
    return client_dossier(client, code, details=True)


def _own_submission(pk: int) -> Dossier:
    dossiers = Dossier.objects.select_related(*_RELATED).prefetch_related("version__fees")
    return _with_details(dossiers).get(pk=pk)


_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
_ERRORS_TEXT = (
    " Lỗi: 400 `validation_error` (chi tiết theo từng trường trong `details`), 401 thiếu hoặc "
    "sai khóa, 403 khóa thiếu quyền, 404 không có hồ sơ hoặc hồ sơ ngoài các đơn vị của khóa."
)


# --- Endpoints -------------------------------------------------------------------------------


@router.post(
    "/",
    auth=ApiKeyAuth(ApiScope.DOSSIERS_WRITE),
    response={200: DossierOut, 201: DossierOut, **_ERRORS},
    summary="Nộp hồ sơ",
    description="Nộp một hồ sơ như ki-ốt hoặc Cổng dịch vụ công quốc gia: `multipart/form-data` "
    "gồm phần JSON `dossier` và tệp của từng thành phần hồ sơ trong phần `component.<mã thành "
    "phần>` (PDF, JPEG, PNG, kiểm tra theo nội dung tệp); hoặc `application/json` khi không có "
    "tệp. Hồ sơ ở trạng thái 1 (mới đăng ký), chờ bộ phận một cửa tiếp nhận. Trả 201 khi tạo "
    "mới; 200 với hồ sơ đã tạo khi gửi lại cùng `submission_key`. Cần quyền `dossiers:write`; "
    "nơi tiếp nhận phải thuộc các đơn vị khóa được phép." + _ERRORS_TEXT,
    openapi_extra=_request_body(
        DossierIn,
        "dossier",
        {
            "component.<mã thành phần>": _describe(
                "Tệp của thành phần hồ sơ có mã này; gửi nhiều phần cùng tên cho nhiều tệp."
            )
        },
    ),
)
def dossier_create(request: HttpRequest) -> HttpStatus:
    client = request_client(request)
    payload, files = _submission(request)
    unit = _receiving_unit(client, payload.receiving_unit)
    version = _version(payload.procedure)
    key = _stored_key(client, payload.submission_key)
    existing = Dossier.objects.filter(submission_key=key).only("pk").first() if key else None
    if existing is not None:
        return HttpStatus(200, _own_submission(existing.pk))
    components = _components(files)
    if payload.channel == Channel.ONLINE:
        _check_online(version, components)
    try:
        with _as_client(client):
            dossier = services.dossier_create(
                version=version,
                receiving_unit=unit,
                channel=payload.channel,
                applicant_info=ApplicantInput(**payload.applicant.model_dump()),
                form_data=payload.form_data,
                files=components,
                by=None,
                submission_key=key,
            )
    except DossierError as exc:
        if exc.code == "duplicate" and key:
            # The same key sent twice at the same instant: the other request created it.
            first = Dossier.objects.only("pk").get(submission_key=key)
            return HttpStatus(200, _own_submission(first.pk))
        raise api_error(exc) from exc
    return HttpStatus(201, _own_submission(dossier.pk))


@router.get(
    "/",
    auth=ApiKeyAuth(ApiScope.DOSSIERS_READ),
    response={200: list[DossierSummaryOut], **_ERRORS},
    summary="Danh sách hồ sơ",
    description="Hồ sơ do các đơn vị khóa được phép tiếp nhận, giải quyết hoặc đang giữ; mới "
    "nhất trước; không có bản nháp. Cần quyền `dossiers:read`." + _ERRORS_TEXT,
)
@paginate(LimitOffsetPagination, max_limit=200)
def dossier_list(request: HttpRequest, filters: Query[DossierFilters]) -> QuerySet[Dossier]:
    client = request_client(request)
    dossiers = filter_client_dossiers(
        client_dossiers(client),
        status=filters.status,
        channel=filters.channel,
        procedure=filters.procedure,
        unit=filters.unit,
        received_from=filters.received_from,
        received_to=filters.received_to,
        due_before=filters.due_before,
        late=filters.late,
        q=filters.q,
    )
    return dossiers.order_by("-pk")


@router.get(
    "/{code}",
    auth=ApiKeyAuth(ApiScope.DOSSIERS_READ),
    response={200: DossierOut, **_ERRORS},
    summary="Xem một hồ sơ",
    description="Theo mã hồ sơ: trạng thái, tờ khai, tệp, lịch sử, quá trình giao nhận giữa các "
    "đơn vị, yêu cầu bổ sung, phiếu xin lỗi, phí và đánh giá. Cần quyền `dossiers:read`."
    + _ERRORS_TEXT,
)
def dossier_read(request: HttpRequest, code: str) -> Dossier:
    return _detail(request_client(request), code)


@router.post(
    "/{code}/actions/{action}",
    auth=ApiKeyAuth(ApiScope.DOSSIERS_PROCESS),
    response={200: DossierOut, **_ERRORS},
    summary="Thao tác xử lý hồ sơ",
    description="Thao tác của cán bộ (`official`) thuộc đơn vị khóa được phép, như trên trang "
    "cán bộ: "
    + ", ".join(f"`{name}`" for name in actions.ACTIONS)
    + ". Cần quyền `dossiers:process`. JSON, hoặc `multipart/form-data` khi kèm tệp: `files` "
    "(giấy tờ bổ sung), `component.<mã>` (thành phần bổ sung), `result_file` (kết quả điện tử, "
    "PDF). Trả 400 nếu thao tác không hợp với trạng thái hồ sơ hoặc vai trò của cán bộ; 404 nếu "
    "không có thao tác này." + _ERRORS_TEXT,
    openapi_extra=_request_body(
        DossierActionIn,
        None,
        {
            "files": _describe("Giấy tờ bổ sung (supply_documents)."),
            "result_file": _describe("Kết quả điện tử, PDF (attach_result)."),
            "component.<mã thành phần>": _describe("Thành phần hồ sơ bổ sung (supply_documents)."),
        },
    ),
)
def dossier_action(request: HttpRequest, code: str, action: str) -> Dossier:
    client = request_client(request)
    if action not in actions.ACTIONS:
        raise ApiNotFound(_("Không có thao tác “%(action)s”.") % {"action": action})
    dossier = client_dossier(client, code)
    payload, files = _action_input(request)
    by = _official(client, payload.official, "official")
    data: dict[str, Any] = payload.model_dump(exclude={"official", "assignee"}, exclude_none=True)
    if payload.assignee:
        data["assignee"] = str(_official(client, payload.assignee, "assignee").pk)
    try:
        with _as_client(client):
            actions.perform(dossier=dossier, action=action, by=by, data=data, files=files)
    except DossierError as exc:
        raise api_error(exc) from exc
    return _detail(client, code)


def _download(record: DossierFile) -> FileResponse:
    return FileResponse(
        record.file.open("rb"),
        as_attachment=True,
        filename=record.original_name,
        content_type=record.content_type,
    )


_FILE_RESPONSE = {
    "responses": {
        "200": {
            "description": "OK",
            "content": {
                kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in ("application/pdf", "image/jpeg", "image/png")
            },
        }
    }
}


@router.get(
    "/{code}/result",
    auth=ApiKeyAuth(ApiScope.DOSSIERS_READ),
    response=_ERRORS,
    url_name="dossier_result",
    summary="Tải kết quả điện tử",
    description="Tệp PDF kết quả giải quyết của hồ sơ; 404 khi hồ sơ chưa có kết quả điện tử. "
    "Cần quyền `dossiers:read`." + _ERRORS_TEXT,
    openapi_extra=_FILE_RESPONSE,
)
def dossier_result(request: HttpRequest, code: str) -> FileResponse:
    dossier = client_dossier(request_client(request), code)
    record = dossier.files.filter(kind=FileKind.RESULT).order_by("-uploaded_at", "-pk").first()
    if record is None:
        raise ApiNotFound(_("Hồ sơ chưa có kết quả điện tử."))
    return _download(record)


@router.get(
    "/{code}/files/{file_id}",
    auth=ApiKeyAuth(ApiScope.DOSSIERS_READ),
    response=_ERRORS,
    url_name="dossier_file",
    summary="Tải một tệp của hồ sơ",
    description="Thành phần hồ sơ, giấy tờ bổ sung hoặc kết quả, theo `id` trong `files` của "
    "hồ sơ. Cần quyền `dossiers:read`." + _ERRORS_TEXT,
    openapi_extra=_FILE_RESPONSE,
)
def dossier_file(request: HttpRequest, code: str, file_id: int) -> FileResponse:
    dossier = client_dossier(request_client(request), code)
    record = dossier.files.filter(pk=file_id).first()
    if record is None:
        raise ApiNotFound(_("Không tìm thấy tệp này trong hồ sơ."))
    return _download(record)
