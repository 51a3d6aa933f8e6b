"""Demo data for incoming documents: registers of several units with documents in every state.

Three units keep incoming registers in the demo: Phường Thành Vinh, Sở Xây dựng and Sở Nông
nghiệp và Môi trường. Each clerk registers paper documents over the last three weeks; the
leader assigns most of them; handlers give opinions, attach results and complete some. So the
registers hold documents registered and waiting, assigned, in progress, completed, returned,
and late (open past their due date), some urgent or secret. Documents another unit issued to
these units through the platform (the outgoing demo) are partly accepted into the registers
and handled, partly left in the "arrived" queue.

Everything goes through the real services at the moment it happens (``clock_at``). Clerks
missing from the demo units are created through the accounts services with the demo password.
Idempotent: a unit whose incoming register already holds documents is left as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.core.calendar import WorkingCalendar
from chinhquyenso.core.clock import clock_at
from chinhquyenso.core.pdf import Heading, PdfUnavailable, render_pdf
from chinhquyenso.documents import services
from chinhquyenso.documents.errors import DocumentError
from chinhquyenso.documents.models import (
    Delivery,
    Direction,
    Document,
    DocumentType,
    Secrecy,
    Urgency,
)
from chinhquyenso.documents.selectors import arrivals_for
from chinhquyenso.units.models import Unit

#: The demo units with incoming registers, and their demo logins by role.
DEMO_UNITS: dict[str, dict[str, str]] = {
    "16681": {
        Role.CLERK: "vanthu.thanhvinh@demo.example",
        Role.UNIT_LEADER: "chutich.thanhvinh@demo.example",
        Role.SPECIALIST: "chuyenvien.thanhvinh@demo.example",
    },
    "40-SXD": {
        Role.CLERK: "vanthu.sxd@demo.example",
        Role.UNIT_LEADER: "giamdoc.sxd@demo.example",
        Role.SPECIALIST: "chuyenvien.sxd@demo.example",
    },
    "40-SNNMT": {
        Role.CLERK: "vanthu.snnmt@demo.example",
        Role.UNIT_LEADER: "giamdoc.snnmt@demo.example",
        Role.SPECIALIST: "chuyenvien.snnmt@demo.example",
    },
}
#: Clerks the demo units may lack (core.demo has the ward's and Sở Xây dựng's).


@dataclass(frozen=True)
class Plan:
    """One demo incoming document and how far it goes.

    ``stage``: registered, rejected, assigned, in_progress, completed; ``days_ago``: when it
    arrived; ``due_in``: its due date, in days after it arrived (``None``: no due date).
    """

    type_code: str
    reference: tuple[int, str]
    sender: str
    subject: str
    text: str
    stage: str
    days_ago: int
    due_in: int | None = None
    urgency: str = Urgency.NORMAL
    secrecy: str = Secrecy.NONE


PLANS = (
    Plan(
        "cong-van",
        (2841, "UBND-KT"),
        "Ủy ban nhân dân tỉnh Nghệ An",
        "Triển khai kế hoạch chuyển đổi số năm 2027",
        "Yêu cầu các đơn vị xây dựng kế hoạch chuyển đổi số năm 2027, gửi trước ngày 15/12.",
        "completed",
        20,
        10,
    ),
    Plan(
        "ke-hoach",
        (152, "KH-SVHTTDL"),
        "Sở Văn hóa, Thể thao và Du lịch",
        "Tổ chức các hoạt động văn hóa, thể thao chào mừng năm mới",
        "Kế hoạch tổ chức giải chạy việt dã và các hoạt động văn nghệ quần chúng.",
        "in_progress",
        12,
        8,
    ),
    Plan(
        "cong-dien",
        (5, "CĐ-UBND"),
        "Ủy ban nhân dân tỉnh Nghệ An",
        "Chủ động ứng phó mưa lớn, lũ quét và sạt lở đất",
        "Công điện yêu cầu kiểm tra các khu dân cư ven sông, sẵn sàng sơ tán người dân.",
        "in_progress",
        9,
        3,
        Urgency.FLASH,
    ),
    Plan(
        "bao-cao",
        (318, "BC-SNV"),
        "Sở Nội vụ",
        "Đề nghị báo cáo số lượng cán bộ, công chức cấp xã",
        "Đề nghị báo cáo số lượng, trình độ cán bộ, công chức cấp xã theo biểu mẫu kèm theo.",
        "assigned",
        10,
        5,
    ),
    Plan(
        "thong-bao",
        (77, "TB-STC"),
        "Sở Tài chính",
        "Thông báo dự toán ngân sách năm 2027",
        "Thông báo số kiểm tra dự toán chi ngân sách năm 2027 của đơn vị.",
        "assigned",
        4,
        6,
        Urgency.URGENT,
    ),
    Plan(
        "huong-dan",
        (41, "HD-SYT"),
        "Sở Y tế",
        "Hướng dẫn phòng chống sốt xuất huyết mùa mưa",
        "Hướng dẫn phun hóa chất diệt muỗi và xử lý ổ bọ gậy tại các khu dân cư.",
        "completed",
        15,
        7,
    ),
    Plan(
        "giay-moi",
        (96, "GM-SKHCN"),
        "Sở Khoa học và Công nghệ",
        "Mời dự hội nghị tập huấn ký số văn bản điện tử",
        "Kính mời đại diện lãnh đạo và văn thư đơn vị dự hội nghị tập huấn ký số.",
        "registered",
        1,
        2,
    ),
    Plan(
        "quyet-dinh",
        (2210, "QĐ-UBND"),
        "Ủy ban nhân dân tỉnh Nghệ An",
        "Phê duyệt danh mục dự án đầu tư công năm 2027",
        "Điều 1. Phê duyệt danh mục dự án đầu tư công năm 2027 kèm theo Quyết định này.",
        "registered",
        0,
        None,
    ),
    Plan(
        "cong-van",
        (1204, "SXD-QLN"),
        "Sở Xây dựng",
        "Đề nghị rà soát quỹ đất phát triển nhà ở xã hội",
        "Đề nghị rà soát, cung cấp thông tin quỹ đất dành cho phát triển nhà ở xã hội.",
        "rejected",
        6,
        None,
    ),
    Plan(
        "chi-thi",
        (12, "CT-UBND"),
        "Ủy ban nhân dân tỉnh Nghệ An",
        "Tăng cường công tác bảo vệ bí mật nhà nước",
        "",
        "assigned",
        7,
        14,
        Urgency.NORMAL,
        Secrecy.CONFIDENTIAL,
    ),
)


@dataclass
class DocumentsDemoResult:
    incoming_created: int = 0
    arrivals_accepted: int = 0


class _Cast:
    """The demo officials of a unit, by role."""

    def __init__(self, unit: Unit, logins: dict[str, str]) -> None:
        self.unit = unit
        self.people = {
            role: User.objects.filter(email__iexact=login, is_active=True).first()
            for role, login in logins.items()
        }

    def __getitem__(self, role: str) -> User | None:
        return self.people.get(role)


class _Samples:
    """One rendered PDF per demo plan, reused by every unit (rendering takes a moment)."""

    def __init__(self) -> None:
        self._cache: dict[int, bytes] = {}

    def pdf(self, plan: Plan) -> bytes | None:
        key = PLANS.index(plan)
        if key not in self._cache:
            heading = Heading(
                agency=plan.sender,
                issued_on=timezone.localdate(),
                number=f"{plan.reference[0]:02d}/{plan.reference[1]}",
            )
            try:
                self._cache[key] = render_pdf(
                    "documents/demo/incoming.html",
                    {
                        "heading": heading,
                        "title": DocumentType.objects.get(code=plan.type_code).name,
                        "subject": plan.subject,
                        "paragraphs": [plan.text],
                        "signer": plan.sender,
                    },
                )
            except PdfUnavailable:
                return None
        return self._cache[key]


def _at(now: dt.datetime, days_ago: int, hour: int) -> dt.datetime:
    """*days_ago* days before *now*, at *hour* o'clock of a working day, never after *now*."""
    calendar = WorkingCalendar.cached()
    day = timezone.localtime(now).date() - dt.timedelta(days=days_ago)
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
    return min(moment, now - dt.timedelta(minutes=10))


def _call(service: Callable[..., Any], at: dt.datetime, **kwargs: Any) -> Any:
    with clock_at(at):
        return service(**kwargs)


def _handle(
    document: Document, plan: Plan, cast: _Cast, now: dt.datetime, arrived: dt.datetime
) -> None:
    """Take *document* as far as *plan*'s stage, a few hours or days after it arrived."""
    leader, specialist, clerk = cast[Role.UNIT_LEADER], cast[Role.SPECIALIST], cast[Role.CLERK]
    if plan.stage == "rejected" and clerk is not None:
        _call(
            services.incoming_reject,
            arrived + dt.timedelta(hours=1),
            document=document,
            by=clerk,
            reason="Văn bản không thuộc thẩm quyền giải quyết của đơn vị.",
        )
        return
    if plan.stage == "registered" or leader is None or specialist is None:
        return
    due = timezone.localtime(arrived).date() + dt.timedelta(days=plan.due_in or 10)
    assigned_at = min(arrived + dt.timedelta(hours=2), now)
    with clock_at(assigned_at):
        services.incoming_assign(
            document=document,
            by=leader,
            lead=specialist,
            due_on=due if due >= timezone.localtime(assigned_at).date() else None,
            note="Đề nghị tham mưu xử lý, báo cáo kết quả đúng hạn.",
        )
    if plan.stage == "assigned":
        return
    worked_at = min(arrived + dt.timedelta(days=1, hours=3), now)
    _call(
        services.incoming_add_opinion,
        worked_at,
        document=document,
        by=specialist,
        text="Đã làm việc với các bộ phận liên quan, đang tổng hợp số liệu.",
    )
    if plan.stage == "in_progress":
        return
    done_at = min(arrived + dt.timedelta(days=2, hours=5), now)
    _call(
        services.incoming_attach_result,
        done_at,
        document=document,
        by=specialist,
        note="Đã tham mưu văn bản trả lời và gửi cơ quan ban hành.",
    )
    _call(
        services.incoming_complete,
        done_at,
        document=document,
        by=specialist,
        note="Hoàn thành.",
    )


def _register_paper(
    cast: _Cast, samples: _Samples, now: dt.datetime, result: DocumentsDemoResult
) -> None:
    clerk = cast[Role.CLERK]
    if clerk is None:
        return
    for plan in sorted(PLANS, key=lambda p: -p.days_ago):
        arrived = _at(now, plan.days_ago, 8 + PLANS.index(plan) % 8)
        data = samples.pdf(plan) if plan.secrecy == Secrecy.NONE else None
        if data is None and plan.secrecy == Secrecy.NONE:
            continue
        number, notation = plan.reference
        upload = SimpleUploadedFile(f"{plan.type_code}-{number}.pdf", data) if data else None
        with clock_at(arrived):
            document = services.incoming_register(
                unit=cast.unit,
                by=clerk,
                document_type=DocumentType.objects.get(code=plan.type_code),
                number=number,
                notation=notation,
                issued_on=timezone.localtime(arrived).date() - dt.timedelta(days=2),
                sender_name=plan.sender,
                subject=plan.subject,
                urgency=plan.urgency,
                secrecy=plan.secrecy,
                file=upload,
            )
        result.incoming_created += 1
        _handle(document, plan, cast, now, arrived)


def _accept_arrivals(cast: _Cast, now: dt.datetime, result: DocumentsDemoResult) -> None:
    """Accept half of what other units issued to this one through the platform (the older
    half) and assign them; the newer half stays in the "arrived" queue."""
    clerk, leader, specialist = cast[Role.CLERK], cast[Role.UNIT_LEADER], cast[Role.SPECIALIST]
    if clerk is None:
        return
    waiting: list[Delivery] = list(arrivals_for(clerk))
    for delivery in waiting[: len(waiting) // 2]:
        try:
            document = _call(services.incoming_receive_delivery, now, delivery=delivery, by=clerk)
        except DocumentError:
            continue
        result.arrivals_accepted += 1
        if leader is not None and specialist is not None:
            _call(services.incoming_assign, now, document=document, by=leader, lead=specialist)


@transaction.atomic
def documents_demo_load() -> DocumentsDemoResult:
    """Load the incoming documents demo (see the module docstring); idempotent.

    Needs the units and demo logins, which :func:`chinhquyenso.core.demo.demo_load` loads
    first.
    """
    result = DocumentsDemoResult()
    now = timezone.now()
    samples = _Samples()
    for code, logins in DEMO_UNITS.items():
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            continue
        cast = _Cast(unit, logins)
        if Document.objects.filter(unit=unit, direction=Direction.INCOMING).exists():
            continue
        _register_paper(cast, samples, now, result)
        _accept_arrivals(cast, now, result)
    return result
