"""API v1 of the catalogue (``/api/v1/procedures/``): search procedures, read one.

The catalogue is public information (the one-stop rules require procedures to be published),
so these endpoints need no API key, like the public pages.

No ``from __future__ import annotations`` here: ninja reads the endpoint's annotations at import
time, and a paginated endpoint's wrapper cannot resolve them from strings.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from chinhquyenso.accounts.models import Role
from chinhquyenso.api.errors import ApiNotFound, ApiValidationError, ErrorOut
from chinhquyenso.procedures import selectors
from chinhquyenso.procedures.models import (
    ComponentForm,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    ResultType,
    StepActor,
)
from chinhquyenso.units.models import Unit, UnitKind

router = Router(tags=["procedures"])

PUBLIC = " Danh mục thủ tục là thông tin công khai: không cần khóa API."


class NamedOut(Schema):
    code: str | None
    name: str


class UnitRefOut(Schema):
    code: str | None
    agency_code: str | None
    name: str


class ProcedureSummaryOut(Schema):
    code: str = Field(description=str(gettext_lazy("Mã thủ tục trên Cơ sở dữ liệu quốc gia.")))
    name: str
    field: NamedOut
    version: int = Field(description=str(gettext_lazy("Số phiên bản đang có hiệu lực.")))
    online_level: OnlineLevel
    processing_days: int = Field(description=str(gettext_lazy("Số ngày làm việc.")))
    unit_kinds: list[UnitKind]
    fee_total: int = Field(description=str(gettext_lazy("Tổng phí, lệ phí (đồng).")))


class FeeOut(Schema):
    name: str
    amount: int = Field(description=str(gettext_lazy("Mức thu, đồng.")))
    exemption: str


class ComponentOut(Schema):
    order: int
    code: str
    name: str
    form: ComponentForm
    quantity: int
    is_required: bool
    note: str
    template_url: str | None = Field(
        None, description=str(gettext_lazy("Đường dẫn tải mẫu đơn, tờ khai (nếu có)."))
    )


class StepOut(Schema):
    order: int
    name: str
    actor: StepActor
    role: Role
    days: Decimal = Field(description=str(gettext_lazy("Phần thời hạn (ngày làm việc).")))


class ProcedureOut(Schema):
    code: str
    name: str
    field: NamedOut
    is_active: bool
    version: int
    valid_from: dt.date
    valid_to: dt.date | None
    online_level: OnlineLevel
    unit_kinds: list[UnitKind] = Field(
        description=str(gettext_lazy("Loại đơn vị tiếp nhận hồ sơ (bộ phận một cửa)."))
    )
    handling_unit: UnitRefOut | None = Field(
        None, description=str(gettext_lazy("Cơ quan giải quyết; trống: đơn vị tiếp nhận."))
    )
    processing_days: int
    result_type: ResultType
    result_name: str
    requirements: str
    counter_note: str
    legal_basis: list[str]
    source: str
    fees: list[FeeOut]
    components: list[ComponentOut]
    steps: list[StepOut]
    form_schema: dict[str, Any] = Field(
        description=str(gettext_lazy("Biểu mẫu điện tử (JSON Schema 2020-12)."))
    )


class ProcedureFilters(Schema):
    q: str = Field(
        "", max_length=200, description=str(gettext_lazy("Tìm theo tên, mã; không phân biệt dấu."))
    )
    field: str = Field("", description=str(gettext_lazy("Mã lĩnh vực, ví dụ ho-tich.")))
    unit: str = Field(
        "",
        description=str(
            gettext_lazy(
                "Mã đơn vị hoặc mã định danh điện tử (thủ tục đơn vị đó tiếp nhận hoặc giải "
                "quyết), hoặc một loại đơn vị (commune, ward, department…)."
            )
        ),
    )
    online_level: OnlineLevel | None = None


def _unit_filter(value: str) -> Unit | str | None:
    value = value.strip()
    if not value:
        return None
    if value in UnitKind.values:
        return value
    unit = Unit.objects.filter(code=value).first() or Unit.objects.filter(agency_code=value).first()
    if unit is None:
        raise ApiValidationError(
            _("Không có đơn vị “%s”.") % value,
            details=[("unit", _("Cần mã đơn vị, mã định danh điện tử hoặc loại đơn vị."))],
        )
    return unit


def _summary(procedure: Procedure) -> dict[str, Any]:
    version: ProcedureVersion = procedure.versions_in_force[0]  # type: ignore[attr-defined]
    return {
        "code": procedure.code,
        "name": version.name,
        "field": {"code": procedure.field.code, "name": procedure.field.name},
        "version": version.number,
        "online_level": version.online_level,
        "processing_days": version.processing_days,
        "unit_kinds": version.unit_kinds,
        "fee_total": version.fee_total,
    }


class _SummaryPage(LimitOffsetPagination):
    """Limit/offset over the search, each procedure shown as its version in force."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: Any, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = [_summary(p) for p in page["items"]]
        return page


@router.get(
    "/",
    auth=None,
    response={200: list[ProcedureSummaryOut], 400: ErrorOut},
    summary="Tìm thủ tục hành chính",
    description="Các thủ tục đang áp dụng (có phiên bản hiệu lực hôm nay), lọc theo từ khóa, "
    "lĩnh vực, đơn vị, mức độ trực tuyến; theo lĩnh vực rồi tên." + PUBLIC,
    operation_id="procedure_list",
)
@paginate(_SummaryPage, max_limit=200)
def procedure_list(request: HttpRequest, filters: Query[ProcedureFilters]) -> QuerySet[Procedure]:
    procedures = selectors.procedure_search(
        q=filters.q,
        field=filters.field.strip() or None,
        unit=_unit_filter(filters.unit),
        online_level=filters.online_level,
    )
    return selectors.with_versions_in_force(procedures, with_fees=True)


def _component(component: Any, request: HttpRequest) -> dict[str, Any]:
    url = request.build_absolute_uri(component.template.url) if component.template else None
    return {
        "order": component.order,
        "code": component.code,
        "name": component.name,
        "form": component.form,
        "quantity": component.quantity,
        "is_required": component.is_required,
        "note": component.note,
        "template_url": url,
    }


@router.get(
    "/{code}",
    auth=None,
    response={200: ProcedureOut, 400: ErrorOut, 404: ErrorOut},
    summary="Một thủ tục hành chính",
    description="Phiên bản có hiệu lực hôm nay, hoặc vào ngày `on` (YYYY-MM-DD): thành phần hồ "
    "sơ, phí, lệ phí, các bước xử lý, thời hạn, mức độ trực tuyến, biểu mẫu điện tử. 404 khi "
    "không có thủ tục mã này hoặc không có phiên bản hiệu lực vào ngày đó." + PUBLIC,
    operation_id="procedure_detail",
)
def procedure_detail(request: HttpRequest, code: str, on: dt.date | None = None) -> dict[str, Any]:
    procedure = selectors.get_procedure_by_code(code)
    version = selectors.version_in_force(procedure, on) if procedure else None
    if procedure is None or version is None:
        raise ApiNotFound(_("Không có thủ tục mã “%s” có hiệu lực vào ngày này.") % code)
    version = selectors.version_details(version)
    handling = version.handling_unit
    return {
        "code": procedure.code,
        "name": version.name,
        "field": {"code": procedure.field.code, "name": procedure.field.name},
        "is_active": procedure.is_active,
        "version": version.number,
        "valid_from": version.valid_from,
        "valid_to": version.valid_to,
        "online_level": version.online_level,
        "unit_kinds": version.unit_kinds,
        "handling_unit": (
            {"code": handling.code, "agency_code": handling.agency_code, "name": handling.name}
            if handling
            else None
        ),
        "processing_days": version.processing_days,
        "result_type": version.result_type,
        "result_name": version.result_name,
        "requirements": version.requirements,
        "counter_note": version.counter_note,
        "legal_basis": [line for line in version.legal_basis.splitlines() if line.strip()],
        "source": version.source,
        "fees": [
            {"name": f.name, "amount": f.amount, "exemption": f.exemption}
            for f in version.fees.all()
        ],
        "components": [_component(c, request) for c in version.components.all()],
        "steps": [
            {"order": s.order, "name": s.name, "actor": s.actor, "role": s.role, "days": s.days}
            for s in version.steps.all()
        ],
        "form_schema": version.form_schema,
    }
