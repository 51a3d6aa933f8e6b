"""API of the units app: the unit tree.

No ``from __future__ import annotations`` here: ninja reads the endpoint's annotations at import
time, and a paginated endpoint's wrapper cannot resolve them from strings.
"""

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from chinhquyenso.api.auth import ApiKeyAuth, request_client
from chinhquyenso.api.errors import ErrorOut
from chinhquyenso.api.models import ApiScope
from chinhquyenso.api.selectors import client_unit_list
from chinhquyenso.units.models import Unit, UnitKind

router = Router(tags=["units"])


class UnitOut(Schema):
    id: int
    code: str | None = Field(None, description=str(_("Mã đơn vị hành chính.")))
    agency_code: str | None = Field(
        None, description=str(_("Mã định danh điện tử cơ quan (QCVN 102:2016)."))
    )
    name: str
    short_name: str
    kind: UnitKind
    parent_code: str | None = Field(None, description=str(_("Mã của đơn vị cấp trên.")))
    valid_from: dt.date | None
    valid_to: dt.date | None


class UnitFilters(Schema):
    q: str = Field("", description=str(_("Tìm theo tên, tên viết tắt, mã; không phân biệt dấu.")))
    kind: UnitKind | None = None
    parent_code: str = Field("", description=str(_("Chỉ các đơn vị trực thuộc đơn vị mã này.")))


@router.get(
    "/",
    auth=ApiKeyAuth(ApiScope.UNITS_READ),
    response={200: list[UnitOut], 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Danh sách đơn vị",
    description="Các đơn vị khóa API được phép xem (cả đơn vị trực thuộc), theo thứ tự cây. "
    "Cần quyền `units:read`.",
)
@paginate(LimitOffsetPagination, max_limit=500)
def unit_list(request: HttpRequest, filters: Query[UnitFilters]) -> list[Unit]:
    units = client_unit_list(
        client=request_client(request),
        q=filters.q,
        kind=filters.kind or "",
        parent_code=filters.parent_code,
    )
    return units  # type: ignore[return-value]  # a QuerySet; the paginator slices it
