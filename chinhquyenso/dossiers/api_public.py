"""The public look-up of a dossier by its code, with no login and no API key.

Anyone holding a receipt slip may follow the dossier: its procedure, receiving unit, status
(national code and label), dates and history — when, at which unit, which status. Nothing
about people: no names, ID numbers, contacts, officials or notes. The page ``/tra-cuu/`` and
``GET /api/v1/public/dossiers/{code}`` both read :func:`public_dossier`, two queries by the
unique code.

No ``from __future__ import annotations`` here: ninja reads the endpoint's annotations at
import time.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from chinhquyenso.api.errors import ApiNotFound, ApiValidationError, ErrorOut
from chinhquyenso.core.clock import local_or_none
from chinhquyenso.dossiers.codes import normalise_code
from chinhquyenso.dossiers.models import Channel, Status
from chinhquyenso.dossiers.selectors import dossier_by_code, public_history
from chinhquyenso.dossiers.services import ACTION_LABELS

router = Router(tags=["dossiers"])

#: History rows the public does not see: the applicant's own rating of the service.
PRIVATE_ACTIONS = frozenset({"rate"})


@dataclass(frozen=True)
class PublicEvent:
    at: dt.datetime
    action: str
    status_code: int
    status: str
    unit: str | None


@dataclass(frozen=True)
class PublicDossier:
    code: str
    status_code: int
    status: str
    channel: int
    channel_label: str
    procedure: str
    procedure_code: str
    receiving_unit: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    is_late: bool
    history: list[PublicEvent]


def public_dossier(code: str) -> PublicDossier | None:
    """What the public may know of the sent dossier with *code*; ``None`` if there is none
    (a malformed code included: check it first with ``codes.normalise_code``)."""
    # The row carries the joined names as extra attributes (see ``dossier_by_code``).
    dossier: Any = dossier_by_code(code)
    if dossier is None:
        return None
    history = [
        PublicEvent(
            at=timezone.localtime(event.at),
            action=str(ACTION_LABELS.get(event.action, event.action)),
            status_code=event.to_status,
            status=str(Status(event.to_status).label),
            unit=event.unit_name,
        )
        for event in public_history(dossier)
        if event.action not in PRIVATE_ACTIONS
    ]
    return PublicDossier(
        code=dossier.code or "",
        status_code=dossier.status,
        status=str(Status(dossier.status).label),
        channel=dossier.channel,
        channel_label=str(Channel(dossier.channel).label),
        procedure=dossier.version_name,
        procedure_code=dossier.procedure_code,
        receiving_unit=dossier.receiving_unit_name,
        submitted_at=local_or_none(dossier.submitted_at),
        received_at=local_or_none(dossier.received_at),
        due_at=local_or_none(dossier.due_at),
        is_late=dossier.is_late,
        history=history,
    )


class PublicEventOut(Schema):
    at: dt.datetime = Field(description="Thời điểm (giờ Việt Nam).")
    action: str = Field(description="Việc đã làm, ví dụ “tiếp nhận hồ sơ”, “chuyển bước xử lý”.")
    status_code: int = Field(description="Mã trạng thái quốc gia sau thao tác (1–10).")
    status: str = Field(description="Tên trạng thái.")
    unit: str | None = Field(description="Đơn vị thực hiện.")


class PublicDossierOut(Schema):
    code: str = Field(description="Mã hồ sơ: <mã định danh cơ quan>-YYMMDD-XXXX.")
    status_code: int = Field(
        description="Mã trạng thái quốc gia: 1 mới đăng ký, 2 đã tiếp nhận, 3 không được "
        "tiếp nhận, 4 đang xử lý, 5 yêu cầu bổ sung, 6 yêu cầu thực hiện nghĩa vụ tài chính, "
        "7 công dân rút hồ sơ, 8 dừng xử lý, 9 đã xử lý xong, 10 đã trả kết quả."
    )
    status: str = Field(description="Tên trạng thái.")
    channel: int = Field(description="Kênh tiếp nhận: 1 trực tiếp, 2 trực tuyến, 3 bưu chính.")
    channel_label: str = Field(description="Tên kênh tiếp nhận.")
    procedure: str = Field(description="Tên thủ tục hành chính.")
    procedure_code: str = Field(description="Mã thủ tục trong Cơ sở dữ liệu quốc gia.")
    receiving_unit: str = Field(description="Đơn vị tiếp nhận hồ sơ.")
    submitted_at: dt.datetime | None = Field(description="Thời điểm nộp hồ sơ.")
    received_at: dt.datetime | None = Field(
        description="Thời điểm tiếp nhận (chưa có khi hồ sơ đang chờ kiểm tra)."
    )
    due_at: dt.datetime | None = Field(description="Ngày hẹn trả kết quả.")
    is_late: bool = Field(description="Hồ sơ đã quá hạn (hoặc phải bổ sung quá một lần).")
    history: list[PublicEventOut] = Field(description="Quá trình xử lý, cũ nhất trước.")


@router.get(
    "/{code}",
    auth=None,
    response={200: PublicDossierOut, 400: ErrorOut, 404: ErrorOut},
    summary="Tra cứu công khai một hồ sơ",
    description="Theo mã hồ sơ in trên phiếu tiếp nhận; không cần khóa API. Trả về trạng thái "
    "(mã quốc gia), ngày hẹn trả và quá trình xử lý, không có thông tin cá nhân. 400 nếu mã "
    "không đúng dạng, 404 nếu không có hồ sơ mang mã này.",
)
def public_dossier_read(request: HttpRequest, code: str) -> PublicDossier:
    if normalise_code(code) is None:
        raise ApiValidationError(
            _("Mã hồ sơ “%(code)s” không đúng dạng <mã cơ quan>-YYMMDD-XXXX.") % {"code": code},
            details=[("code", _("Mã hồ sơ không đúng dạng."))],
        )
    found = public_dossier(code)
    if found is None:
        raise ApiNotFound(_("Không tìm thấy hồ sơ mã “%(code)s”.") % {"code": code})
    return found
