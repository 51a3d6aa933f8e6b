"""Public API of the core app: the working calendar."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import WithJsonSchema

from chinhquyenso.api.errors import ApiValidationError, ErrorOut
from chinhquyenso.core.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarRangeError,
    add_working_days,
)

router = Router(tags=["calendar"])

MAX_WORKING_DAYS = 365

#: Read as text and parsed here (see :func:`parse_received_at`), documented as a date-time.
IsoDateTimeText = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class DueDateQuery(Schema):
    received_at: IsoDateTimeText = Field(
        description="Thời điểm tiếp nhận, ISO 8601; không có múi giờ thì hiểu là giờ Việt Nam.",
        examples=["2026-02-13T16:00:00+07:00"],
    )
    working_days: int = Field(
        ge=0,
        le=MAX_WORKING_DAYS,
        description="Số ngày làm việc của thời hạn (0–365).",
        examples=[1],
    )


class DueDateOut(Schema):
    received_at: datetime = Field(
        description="Thời điểm tiếp nhận, theo giờ Việt Nam (+07:00).",
        examples=["2026-02-13T16:00:00+07:00"],
    )
    working_days: int = Field(description="Số ngày làm việc của thời hạn.", examples=[1])
    due_at: datetime = Field(
        description=(
            "Hạn trả kết quả: hết giờ làm việc (17:00) của ngày làm việc thứ n, tính từ ngày "
            "sau ngày tiếp nhận (Bộ luật Dân sự 2015, Điều 147, 148)."
        ),
        examples=["2026-02-23T17:00:00+07:00"],
    )


def parse_received_at(value: str) -> datetime:
    """An ISO 8601 date-time; without an offset it is local time (Asia/Ho_Chi_Minh).

    A query string decodes an unescaped ``+`` as a space, so ``…T16:00:00 07:00`` is read as
    ``…T16:00:00+07:00``.
    """
    text = value.strip()
    if "T" in text and " " in text:
        text = text.replace(" ", "+")
    error = ApiValidationError(
        _("Thời điểm tiếp nhận không hợp lệ."),
        details=[
            (
                "received_at",
                _("Cần ngày giờ dạng ISO 8601, ví dụ 2026-02-13T16:00:00+07:00."),
            )
        ],
    )
    if len(text) < len("YYYY-MM-DDTHH:MM"):  # a date alone has no time of receipt
        raise error
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise error from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _out_of_range() -> ApiValidationError:
    return ApiValidationError(
        _("Ngày nằm ngoài khoảng lịch hỗ trợ."),
        details=[
            (
                "received_at",
                _("Chỉ tính được hạn cho các năm từ %(first)s đến %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        ],
    )


@router.get(
    "/due-date",
    response={200: DueDateOut, 400: ErrorOut},
    auth=None,
    summary="Tính hạn trả kết quả theo ngày làm việc",
    description=(
        "Hạn của một thời hạn *n* ngày làm việc tính từ thời điểm tiếp nhận: thời hạn bắt đầu "
        "từ ngày sau ngày tiếp nhận (Điều 147 Bộ luật Dân sự 2015), chỉ đếm ngày làm việc (bỏ "
        "thứ Bảy, Chủ nhật, ngày lễ, Tết và các ngày nghỉ/làm bù do Chính phủ quyết định), và "
        "kết thúc lúc hết giờ làm việc (17:00) của ngày làm việc thứ *n*. Với *n* = 0: hết giờ "
        "làm việc của chính ngày tiếp nhận nếu là ngày làm việc và còn trong giờ, nếu không thì "
        "của ngày làm việc kế tiếp. `received_at` không có múi giờ được hiểu là giờ Việt Nam "
        "(+07:00); trong URL hãy mã hóa dấu `+` thành `%2B`."
    ),
    operation_id="calendar_due_date",
)
def due_date(request: HttpRequest, query: Query[DueDateQuery]) -> DueDateOut:
    moment = parse_received_at(query.received_at)
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise _out_of_range()
    try:
        due_at = add_working_days(moment, query.working_days)
    except CalendarRangeError:
        raise _out_of_range() from None
    return DueDateOut(
        received_at=timezone.localtime(moment, timezone.get_default_timezone()),
        working_days=query.working_days,
        due_at=due_at,
    )
