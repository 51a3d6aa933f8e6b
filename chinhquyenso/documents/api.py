"""API v1 of documents (``/api/v1/documents/``): list and read documents, download the PDF.

What a client system sees: the incoming and outgoing documents of its allowed units and the
units below them (every unit when none is granted), never a document with a secrecy mark
(those stay inside the units that keep them). A document outside them answers 404, as a missing
one does. Scope ``documents:read``.

No ``from __future__ import annotations`` here: ninja reads the endpoint's annotations at import
time.
"""

import datetime as dt
import functools
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import BaseModel
from pydantic_core import to_json

from chinhquyenso.api.auth import ApiKeyAuth, request_client
from chinhquyenso.api.errors import ApiNotFound, ErrorOut
from chinhquyenso.api.models import ApiClient, ApiScope
from chinhquyenso.api.pagination import BoundedCountPagination, bounded_page
from chinhquyenso.api.selectors import granted_units
from chinhquyenso.api.types import LocalTime
from chinhquyenso.core.clock import day_start
from chinhquyenso.documents.models import Direction, Document, Secrecy, Status, Urgency
from chinhquyenso.documents.numbering import format_reference
from chinhquyenso.documents.selectors import (
    LISTED_FIELDS,
    DocumentFilters,
    WindowedSearch,
    current_file,
    listed_documents,
    search_documents,
)
from chinhquyenso.units.models import Unit

router = Router(tags=["documents"])


def _describe(text: str) -> str:
    return str(gettext_lazy(text))


# --- Reads for client systems ----------------------------------------------------------------


def client_documents(client: ApiClient) -> QuerySet[Document]:
    """Documents *client* may read: of its units and below, without a secrecy mark."""
    documents = Document.objects.filter(secrecy=Secrecy.NONE)
    units = granted_units(client)
    if units is not None:
        documents = documents.filter(unit__in=units)
    return documents


def client_document(client: ApiClient, pk: int) -> Document:
    """The document *pk* if *client* may read it; 404 whether missing or not allowed. Its
    texts are not read: the file is what is asked for."""
    document = client_documents(client).filter(pk=pk).defer("full_text", "search_text").first()
    if document is None:
        raise _not_found(pk)
    return document


def _not_found(pk: int) -> ApiNotFound:
    return ApiNotFound(_("Không tìm thấy văn bản số định danh %(id)s.") % {"id": pk})


def _unit_by_code(code: str) -> Unit | None:
    code = code.strip()
    return Unit.objects.filter(Q(code=code) | Q(agency_code=code)).first()


#: Documents on a page at most.
MAX_LIMIT = 200


def _page(found: QuerySet[Document] | WindowedSearch, offset: int, limit: int) -> dict[str, Any]:
    """A page of *found* as the list answers it: limit/offset with a bounded count
    (``api.pagination``); a search by words is paged from its newest candidates first
    (``selectors.WindowedSearch``). Either way the page is first a list of keys, whose
    documents are then read as the list shows them."""
    if isinstance(found, WindowedSearch):
        page = found.page(offset, limit)
        keys, count, count_exact = page.keys, page.count, page.count_exact
    else:
        keys_only = found.values_list("pk", flat=True)
        bound = BoundedCountPagination.count_bound
        counted = bounded_page(keys_only, offset, limit, count_bound=bound)
        keys = list(counted["items"])
        count, count_exact = counted["count"], counted["count_exact"]
    return {
        "items": [document_out(document) for document in listed_documents(keys)],
        "count": count,
        "count_exact": count_exact,
    }


def _json_answer(answer: dict[str, Any]) -> HttpResponse:
    """*answer* (built by :func:`document_out`, its values already as JSON shows them) written
    out as it is. The schemas below document it; validating again what the database gave, and
    encoding it through the JSON encoder's fallback value by value, cost more than the search."""
    return HttpResponse(to_json(answer), content_type="application/json")


# --- Schemas ---------------------------------------------------------------------------------


# The answer's schemas describe it (OpenAPI); the list and the read write it out from plain
# dictionaries (:func:`document_out`, :func:`_json_answer`). A page holds up to two hundred
# documents: reading each field through a model instance, then validating and encoding each value
# again, cost more than the database's work for the whole page. The tests check the answer
# against these schemas.


class DocumentUnitOut(BaseModel):
    code: str | None
    agency_code: str | None = Field(
        None, description=_describe("Mã định danh điện tử cơ quan (QCVN 102:2016).")
    )
    name: str


class DocumentTypeOut(BaseModel):
    code: str
    name: str
    abbreviation: str = Field(
        description=_describe("Chữ viết tắt (Phụ lục III Nghị định 30/2020); công văn: rỗng.")
    )


class DocumentOut(BaseModel):
    """A document as a connected system sees it."""

    id: int
    direction: Direction = Field(
        description=_describe("`incoming` văn bản đến, `outgoing` văn bản đi.")
    )
    status: str = Field(description=_describe("Mã trạng thái."))
    status_label: str
    unit: DocumentUnitOut = Field(
        description=_describe("Đơn vị giữ văn bản (nơi ban hành hoặc nơi nhận).")
    )
    document_type: DocumentTypeOut
    number: int | None = Field(description=_describe("Số của văn bản."))
    notation: str = Field(description=_describe("Ký hiệu, ví dụ `QĐ-UBND`."))
    reference: str = Field(description=_describe("Số và ký hiệu, ví dụ `15/QĐ-UBND`."))
    year: int | None = Field(description=_describe("Năm của sổ đăng ký (năm cấp số)."))
    issued_on: dt.date | None = Field(description=_describe("Ngày ban hành."))
    arrival_number: int | None = Field(description=_describe("Số đến (văn bản đến)."))
    arrived_at: LocalTime | None = Field(description=_describe("Thời điểm đến (văn bản đến)."))
    sender_name: str = Field(description=_describe("Cơ quan ban hành (văn bản đến)."))
    sender_unit: DocumentUnitOut | None = Field(
        description=_describe("Đơn vị gửi, khi văn bản gửi qua hệ thống.")
    )
    subject: str = Field(description=_describe("Trích yếu nội dung."))
    signer_name: str
    signer_title: str
    urgency: Urgency = Field(
        description=_describe("Độ khẩn: normal, urgent (khẩn), very_urgent, flash (hỏa tốc).")
    )
    due_on: dt.date | None = Field(description=_describe("Hạn xử lý."))
    page_count: int | None
    created_at: LocalTime
    completed_at: LocalTime | None
    file_url: str = Field(
        description=_describe("Đường dẫn tải bản PDF hiện hành (404 khi văn bản chưa có tệp).")
    )


class DocumentPageOut(BoundedCountPagination.Output):
    items: list[DocumentOut]


#: The JSON encoder of the other answers (ninja's is Django's): times to the millisecond.
_ENCODER = DjangoJSONEncoder()


def _time_text(moment: dt.datetime | None) -> str | None:
    """*moment* in local time (``2026-11-28T09:30:00.123+07:00``), written as the other answers
    write times. The platform's time zone is never switched per request, so its default is
    the local time (looked up once, unlike ``timezone.localtime``)."""
    if moment is None:
        return None
    text: str = _ENCODER.default(moment.astimezone(timezone.get_default_timezone()))
    return text


def _unit_out(code: str | None, agency_code: str | None, name: str | None) -> dict[str, Any]:
    return {"code": code, "agency_code": agency_code, "name": name}


#: The listed times, written in local time (``to_json`` writes dates as ISO 8601 itself).
_TIMES = ("arrived_at", "created_at", "completed_at")


def document_out(row: dict[str, Any]) -> dict[str, Any]:
    """What :class:`DocumentOut` shows of a document read by ``selectors.listed_documents``,
    with the values JSON writes."""
    sender_unit = None
    if row["sender_unit_name"] is not None:
        sender_unit = _unit_out(
            row["sender_unit_code"], row["sender_unit_agency_code"], row["sender_unit_name"]
        )
    return {
        **{name: row[name] for name in LISTED_FIELDS},
        **{name: _time_text(row[name]) for name in _TIMES},
        "status_label": str(Status(row["status"]).label),
        "unit": _unit_out(row["unit_code"], row["unit_agency_code"], row["unit_name"]),
        "document_type": {
            "code": row["type_code"],
            "name": row["type_name"],
            "abbreviation": row["type_abbreviation"],
        },
        "reference": format_reference(row["number"], row["notation"]),
        "sender_unit": sender_unit,
        "file_url": _file_url(row["id"]),
    }


#: A key no document has, standing for the key in the file link's route.
_ANY_KEY = 987654321


@functools.lru_cache(maxsize=8)
def _file_url_around(script_prefix: str) -> tuple[str, str]:
    """The file link's route before and after the document's key (reversed once per prefix the
    site is served under, not for every document of a page)."""
    url = reverse("api-v1:document_file", kwargs={"document_id": _ANY_KEY})
    before, _key, after = url.partition(str(_ANY_KEY))
    return before, after


def _file_url(pk: int) -> str:
    before, after = _file_url_around(get_script_prefix())
    return f"{before}{pk}{after}"


class DocumentFilterIn(Schema):
    direction: Direction | None = Field(None, description=_describe("`incoming` hoặc `outgoing`."))
    status: Status | None = Field(None, description=_describe("Mã trạng thái."))
    unit: str = Field(
        "",
        description=_describe(
            "Mã đơn vị hoặc mã định danh điện tử: văn bản của đơn vị này và các đơn vị trực thuộc."
        ),
    )
    type: str = Field("", description=_describe("Mã loại văn bản, ví dụ `quyet-dinh`, `cong-van`."))
    number: int | None = Field(None, ge=1, description=_describe("Số văn bản."))
    notation: str = Field(
        "",
        max_length=60,
        description=_describe("Ký hiệu (`QĐ-UBND`) hoặc cả số và ký hiệu (`15/QĐ-UBND`)."),
    )
    sender: str = Field(
        "",
        max_length=200,
        description=_describe("Cơ quan ban hành (văn bản đến), không phân biệt dấu."),
    )
    issued_from: dt.date | None = Field(None, description=_describe("Ban hành từ ngày."))
    issued_to: dt.date | None = Field(None, description=_describe("Ban hành đến hết ngày."))
    arrived_from: dt.date | None = Field(None, description=_describe("Đến từ ngày (văn bản đến)."))
    arrived_to: dt.date | None = Field(None, description=_describe("Đến hết ngày (văn bản đến)."))
    q: str = Field(
        "",
        max_length=200,
        description=_describe(
            "Tìm trong số, ký hiệu, trích yếu, cơ quan gửi, người ký và nội dung tệp PDF; không "
            "phân biệt dấu, mọi từ đều phải có. Một số và ký hiệu đầy đủ (`15/QĐ-UBND`) tìm đúng "
            "văn bản đó."
        ),
    )


_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
_ERRORS_TEXT = (
    " Lỗi: 400 `validation_error` (chi tiết theo từng trường trong `details`), 401 thiếu hoặc "
    "sai khóa, 403 khóa thiếu quyền `documents:read`, 404 không có văn bản hoặc văn bản ngoài "
    "các đơn vị của khóa."
)
_PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "OK",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


# --- Endpoints -------------------------------------------------------------------------------


@router.get(
    "/",
    auth=ApiKeyAuth(ApiScope.DOCUMENTS_READ),
    response={200: DocumentPageOut, **_ERRORS},
    summary="Danh sách văn bản",
    description="Văn bản đi và văn bản đến của các đơn vị khóa được phép (và đơn vị trực thuộc), "
    "mới nhất trước; không có văn bản mật. Trang: `limit` (tối đa 200) và `offset`. Cần quyền "
    "`documents:read`." + _ERRORS_TEXT,
)
def document_list(
    request: HttpRequest,
    filters: Query[DocumentFilterIn],
    pagination: Query[LimitOffsetPagination.Input],
) -> HttpResponse:
    found = _documents_found(request_client(request), filters)
    limit = min(pagination.limit, MAX_LIMIT)
    return _json_answer(_page(found, pagination.offset, limit))


def _documents_found(
    client: ApiClient, filters: DocumentFilterIn
) -> QuerySet[Document] | WindowedSearch:
    documents = client_documents(client)
    unit = None
    if filters.unit:
        unit = _unit_by_code(filters.unit)
        if unit is None:
            return Document.objects.none()
    narrowed = DocumentFilters(
        direction=filters.direction or "",
        status=filters.status or "",
        unit=unit,
        document_type=filters.type.strip(),
        number=filters.number,
        notation=filters.notation,
        sender=filters.sender,
        issued_from=filters.issued_from,
        issued_to=filters.issued_to,
        arrived_from=day_start(filters.arrived_from) if filters.arrived_from else None,
        arrived_to=day_start(filters.arrived_to + dt.timedelta(days=1))
        if filters.arrived_to
        else None,
        q=filters.q,
    )
    return search_documents(documents, narrowed, order=("-created_at", "-pk"))


@router.get(
    "/{document_id}",
    auth=ApiKeyAuth(ApiScope.DOCUMENTS_READ),
    response={200: DocumentOut, **_ERRORS},
    summary="Xem một văn bản",
    description="Theo số định danh `id` của văn bản. Cần quyền `documents:read`." + _ERRORS_TEXT,
)
def document_read(request: HttpRequest, document_id: int) -> HttpResponse:
    allowed = client_documents(request_client(request)).filter(pk=document_id)
    found = listed_documents(list(allowed.values_list("pk", flat=True)))
    if not found:
        raise _not_found(document_id)
    return _json_answer(document_out(found[0]))


@router.get(
    "/{document_id}/file",
    auth=ApiKeyAuth(ApiScope.DOCUMENTS_READ),
    response=_ERRORS,
    url_name="document_file",
    summary="Tải bản PDF hiện hành của văn bản",
    description="Văn bản đi: bản mới nhất (dự thảo, bản đã ký hoặc bản ban hành có chữ ký số); "
    "văn bản đến: bản nhận được hoặc bản quét. 404 khi văn bản chưa có tệp. Cần quyền "
    "`documents:read`." + _ERRORS_TEXT,
    openapi_extra=_PDF_RESPONSE,
)
def document_file(request: HttpRequest, document_id: int) -> Any:
    document = client_document(request_client(request), document_id)
    found = current_file(document)
    if found is None:
        raise ApiNotFound(_("Văn bản chưa có tệp PDF."))
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.original_name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
