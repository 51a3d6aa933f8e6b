"""Demo data for feedback: categories in two levels, routing rules, and reports in every state.

Idempotent like the rest of the demo (:mod:`chinhquyenso.core.demo`): categories and rules are
looked up by their code before anything is written, and reports carry the channel ``demo`` so a
second run counts them and adds only what is missing (nothing, normally).

Reports are made through the real services (``feedback/services.py``), one plan per report
drawn from a seeded random generator, so the same count always gives the same data. Each step
of a plan has a moment in the past; :func:`_call` runs the service at that moment
(:func:`chinhquyenso.core.clock.clock_at`), so the history, deadlines and late reports look real.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.clock import clock_at
from chinhquyenso.core.services import notifications_mark_all_read
from chinhquyenso.feedback import services
from chinhquyenso.feedback.models import (
    Category,
    RefusalReason,
    Report,
    Reporter,
    RoutingRule,
    Satisfaction,
    Status,
    Urgency,
)
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS, Unit

#: Channel that marks the reports made by the demo (how a second run finds them).
DEMO_CHANNEL = "demo"
#: Reports in the full demo: a few thousand across the communes, in every state, enough to fill
#: lists, maps and per-unit tables (setting ``FEEDBACK_DEMO_REPORTS``).
DEMO_REPORT_COUNT = 3000
DEMO_SEED = 2026
#: How far back the demo reports go.
DEMO_DAYS_BACK = 150
#: Officials have read their in-app notices up to this long before the demo's "now": only the
#: notices of the last days wait unread, as on a desk that is kept up to date.
DEMO_NOTICES_UNREAD_FOR = dt.timedelta(days=2)


# --- Categories ------------------------------------------------------------------------------


def _q(
    key: str, label: str, kind: str, *, required: bool = False, choices: tuple[str, ...] = ()
) -> dict[str, Any]:
    question: dict[str, Any] = {"key": key, "label": label, "type": kind, "required": required}
    if choices:
        question["choices"] = list(choices)
    return question


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    description: str = ""
    questions: tuple[dict[str, Any], ...] = ()
    is_confidential: bool = False
    default_urgency: str = Urgency.NORMAL
    children: tuple[CategorySpec, ...] = ()


TRAFFIC_QUESTION = _q("anh_huong_giao_thong", "Có ảnh hưởng đến giao thông không?", "yes_no")

CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "moi-truong",
        "Môi trường",
        "Rác thải, ô nhiễm không khí, nước thải, tiếng ồn.",
        children=(
            CategorySpec(
                "moi-truong-rac-thai",
                "Rác thải",
                "Rác tồn đọng, đổ rác không đúng nơi quy định.",
                questions=(
                    _q("so_ngay_ton_dong", "Rác tồn đọng bao nhiêu ngày?", "number"),
                    TRAFFIC_QUESTION,
                ),
            ),
            CategorySpec(
                "moi-truong-khong-khi",
                "Ô nhiễm không khí",
                "Khói, bụi, mùi hôi từ cơ sở sản xuất, đốt rác.",
                questions=(
                    _q(
                        "thoi_diem",
                        "Thường xảy ra vào lúc nào?",
                        "choice",
                        choices=("Buổi sáng", "Buổi chiều", "Ban đêm", "Cả ngày"),
                    ),
                ),
            ),
            CategorySpec(
                "moi-truong-nuoc-thai",
                "Nước thải",
                "Nước thải chảy ra đường, sông, kênh mương.",
                questions=(_q("nguon_thai", "Nguồn xả thải (nếu biết)", "text"),),
            ),
        ),
    ),
    CategorySpec(
        "giao-thong",
        "Giao thông",
        "Đường sá, đèn tín hiệu, an toàn giao thông.",
        children=(
            CategorySpec(
                "giao-thong-mat-duong",
                "Hư hỏng mặt đường",
                "Ổ gà, sụt lún, nứt vỡ mặt đường.",
                questions=(
                    _q(
                        "muc_do",
                        "Mức độ hư hỏng",
                        "choice",
                        required=True,
                        choices=("Nhẹ", "Trung bình", "Nghiêm trọng, nguy hiểm"),
                    ),
                ),
            ),
            CategorySpec(
                "giao-thong-den-tin-hieu",
                "Đèn tín hiệu",
                "Đèn giao thông hỏng, sai pha, bị che khuất.",
                default_urgency=Urgency.URGENT,
                questions=(TRAFFIC_QUESTION,),
            ),
            CategorySpec(
                "giao-thong-lan-chiem",
                "Lấn chiếm lòng đường",
                "Họp chợ, để vật liệu, đỗ xe chiếm lòng đường.",
                questions=(TRAFFIC_QUESTION,),
            ),
        ),
    ),
    CategorySpec(
        "dat-dai",
        "Đất đai",
        "Ranh giới, xây dựng, sử dụng đất.",
        children=(
            CategorySpec(
                "dat-dai-ranh-gioi",
                "Tranh chấp ranh giới",
                "Tranh chấp mốc giới, lối đi chung giữa các hộ.",
                default_urgency=Urgency.COMPLEX,
            ),
            CategorySpec(
                "dat-dai-xay-dung-trai-phep",
                "Xây dựng trái phép",
                "Công trình không phép, sai phép, xây trên đất nông nghiệp.",
                questions=(_q("dang_thi_cong", "Công trình có đang thi công không?", "yes_no"),),
            ),
        ),
    ),
    CategorySpec(
        "trat-tu-do-thi",
        "Trật tự đô thị",
        "Vỉa hè, quảng cáo, mỹ quan đô thị.",
        children=(
            CategorySpec(
                "do-thi-via-he",
                "Lấn chiếm vỉa hè",
                "Kinh doanh, để xe, dựng mái che trên vỉa hè.",
            ),
            CategorySpec(
                "do-thi-quang-cao",
                "Quảng cáo sai quy định",
                "Biển quảng cáo, tờ rơi, rao vặt dán sai nơi quy định.",
            ),
        ),
    ),
    CategorySpec(
        "dien",
        "Điện",
        "Cấp điện, an toàn lưới điện.",
        children=(
            CategorySpec(
                "dien-mat-dien",
                "Mất điện",
                "Mất điện kéo dài, điện chập chờn.",
                default_urgency=Urgency.URGENT,
                questions=(_q("so_gio_mat_dien", "Mất điện bao nhiêu giờ?", "number"),),
            ),
            CategorySpec(
                "dien-cot-nguy-hiem",
                "Cột điện nguy hiểm",
                "Cột điện nghiêng, dây điện võng thấp, đứt dây.",
                default_urgency=Urgency.URGENT,
                questions=(TRAFFIC_QUESTION,),
            ),
        ),
    ),
    CategorySpec(
        "nuoc",
        "Nước",
        "Nước sinh hoạt.",
        children=(
            CategorySpec(
                "nuoc-mat-nuoc",
                "Mất nước sinh hoạt",
                "Mất nước, nước yếu, nước đục.",
                questions=(_q("so_ngay_mat_nuoc", "Mất nước bao nhiêu ngày?", "number"),),
            ),
        ),
    ),
    CategorySpec("y-te", "Y tế", "Cơ sở khám chữa bệnh, an toàn thực phẩm, dịch bệnh."),
    CategorySpec("giao-duc", "Giáo dục", "Trường lớp, thu chi, dạy thêm."),
    CategorySpec(
        "thai-do-can-bo",
        "Thái độ, trách nhiệm cán bộ",
        "Thái độ, tinh thần trách nhiệm của cán bộ, công chức khi giải quyết công việc.",
        is_confidential=True,
        questions=(_q("noi_lam_viec", "Nơi cán bộ làm việc (bộ phận, đơn vị)", "text"),),
    ),
    CategorySpec("an-ninh-trat-tu", "An ninh trật tự", "Gây rối, tụ tập, tiếng ồn ban đêm."),
    CategorySpec("khac", "Khác", "Những phản ánh, kiến nghị không thuộc các lĩnh vực trên."),
)


@dataclass(frozen=True)
class RuleSpec:
    """``handling`` ``None``: the commune where it happened handles it."""

    category: str
    handling: str | None
    area: str | None = None
    priority: int = 100


ROUTING_RULES: tuple[RuleSpec, ...] = (
    # The power company is not a unit of the platform: Sở Công Thương receives and forwards.
    RuleSpec("dien-mat-dien", "40-SCT"),
    RuleSpec("dien-cot-nguy-hiem", "40-SCT"),
    # Boundary disputes in the Vinh wards go to the department; elsewhere the commune mediates.
    RuleSpec("dat-dai-ranh-gioi", "40-SNNMT", area="16681", priority=10),
    RuleSpec("dat-dai-ranh-gioi", "40-SNNMT", area="16690", priority=10),
    RuleSpec("dat-dai-ranh-gioi", None),
    RuleSpec("dat-dai-xay-dung-trai-phep", None),
    RuleSpec("moi-truong-khong-khi", "40-SNNMT"),
    RuleSpec("y-te", "40-SYT"),
    RuleSpec("giao-duc", None),
)


def _all_specs() -> list[tuple[CategorySpec, str | None, int]]:
    """(spec, parent code, sort order) for every category, parents first."""
    rows: list[tuple[CategorySpec, str | None, int]] = []
    for order, spec in enumerate(CATEGORIES, start=1):
        rows.append((spec, None, order * 10))
        rows.extend((child, spec.code, n) for n, child in enumerate(spec.children, start=1))
    return rows


@transaction.atomic
def _category_write(*, spec: CategorySpec, parent: Category | None, sort_order: int) -> bool:
    """Create or bring back one demo category; ``True`` if anything was written."""
    values: dict[str, Any] = {
        "parent": parent,
        "name": spec.name,
        "description": spec.description,
        "questions": list(spec.questions),
        "is_confidential": spec.is_confidential,
        "default_urgency": spec.default_urgency,
        "sort_order": sort_order,
        "is_active": True,
    }
    category = Category.objects.select_for_update().filter(code=spec.code).first()
    if category is None:
        category = Category.objects.create(code=spec.code, **values)
        audit_record(actor=None, action="feedback.category.create", obj=category)
        return True
    changes = {
        key: [str(getattr(category, key)), str(value)]
        for key, value in values.items()
        if getattr(category, key) != value
    }
    if not changes:
        return False
    for key in changes:
        setattr(category, key, values[key])
    category.save(update_fields=list(changes))
    audit_record(actor=None, action="feedback.category.update", obj=category, changes=changes)
    return True


@transaction.atomic
def _rule_write(*, spec: RuleSpec, units: dict[str, Unit]) -> bool:
    category = Category.objects.get(code=spec.category)
    area = units.get(spec.area) if spec.area else None
    handling = units.get(spec.handling) if spec.handling else None
    if (spec.area and area is None) or (spec.handling and handling is None):
        return False  # a unit the installation does not have
    if RoutingRule.objects.filter(category=category, area=area, handling_unit=handling).exists():
        return False
    rule = RoutingRule.objects.create(
        category=category, area=area, handling_unit=handling, priority=spec.priority
    )
    audit_record(actor=None, action="feedback.routing_rule.create", obj=rule)
    return True


# --- Reports ---------------------------------------------------------------------------------

STREETS = (
    "đường Lê Lợi",
    "đường Nguyễn Du",
    "đường Quang Trung",
    "đường Trần Phú",
    "đường Phan Đình Phùng",
    "đường Lê Duẩn",
    "đường Nguyễn Văn Cừ",
    "đường Hồ Tùng Mậu",
    "đường Mai Hắc Đế",
    "đường Hà Huy Tập",
)
PLACES = ("khối 3", "khối 5", "xóm 2", "xóm 7", "thôn Đông", "thôn Trung", "bản Na", "xóm Mới")
NAMES = (
    "Nguyễn Văn Hải",
    "Trần Thị Hương",
    "Lê Văn Thắng",
    "Phạm Thị Ngọc",
    "Hoàng Văn Tuấn",
    "Võ Thị Thủy",
    "Đặng Văn Long",
    "Bùi Thị Yến",
    "Hồ Văn Sơn",
    "Ngô Thị Lan",
)

#: Text templates per leaf category; ``{place}`` is filled with a street or hamlet.
TEXTS: dict[str, tuple[str, ...]] = {
    "moi-truong-rac-thai": (
        "Rác thải sinh hoạt tồn đọng nhiều ngày tại {place}, bốc mùi hôi thối, ruồi nhặng nhiều.",
        "Điểm tập kết rác tại {place} không được thu gom, rác tràn ra lòng đường.",
        "Có người đổ trộm phế thải xây dựng ven {place} vào ban đêm.",
    ),
    "moi-truong-khong-khi": (
        "Cơ sở sản xuất gạch gần {place} xả khói đen, bụi nhiều, người dân khó thở.",
        "Tình trạng đốt rác, đốt rơm rạ tại {place} gây khói mù cả khu dân cư.",
    ),
    "moi-truong-nuoc-thai": (
        "Nước thải từ khu chăn nuôi chảy ra mương tại {place}, bốc mùi nặng.",
        "Cống thoát nước tại {place} bị tắc, nước thải tràn lên mặt đường.",
    ),
    "giao-thong-mat-duong": (
        "Mặt đường tại {place} có nhiều ổ gà lớn, trời mưa đọng nước rất nguy hiểm.",
        "Đoạn {place} bị sụt lún sau mưa lớn, xe máy đã ngã nhiều lần.",
    ),
    "giao-thong-den-tin-hieu": (
        "Đèn tín hiệu giao thông tại ngã tư {place} bị hỏng, chỉ nháy vàng.",
        "Đèn đỏ tại nút giao {place} bị cây che khuất, người đi đường không nhìn thấy.",
    ),
    "giao-thong-lan-chiem": (
        "Chợ tạm họp tràn ra lòng đường {place} vào buổi sáng, gây ùn tắc.",
        "Vật liệu xây dựng đổ chiếm nửa lòng đường tại {place} nhiều tuần nay.",
    ),
    "dat-dai-ranh-gioi": (
        "Hộ liền kề xây tường rào lấn sang đất nhà tôi tại {place}, đề nghị xác minh mốc giới.",
        "Tranh chấp lối đi chung giữa các hộ tại {place} chưa được giải quyết.",
    ),
    "dat-dai-xay-dung-trai-phep": (
        "Công trình nhà ở tại {place} xây dựng không có giấy phép, lấn ra hành lang đường.",
        "Có hộ san lấp, xây dựng nhà trên đất nông nghiệp tại {place}.",
    ),
    "do-thi-via-he": (
        "Quán ăn tại {place} bày bàn ghế kín vỉa hè, người đi bộ phải xuống lòng đường.",
        "Các hộ kinh doanh trên {place} dựng mái che, để xe chiếm hết vỉa hè.",
    ),
    "do-thi-quang-cao": (
        "Tờ rơi quảng cáo khoan cắt bê tông, cho vay dán khắp cột điện tại {place}.",
        "Biển quảng cáo lớn tại {place} dựng sai vị trí, che khuất tầm nhìn.",
    ),
    "dien-mat-dien": (
        "Khu vực {place} mất điện từ sáng đến chiều không có thông báo trước.",
        "Điện tại {place} chập chờn, điện áp yếu, thiết bị trong nhà hỏng nhiều.",
    ),
    "dien-cot-nguy-hiem": (
        "Cột điện tại {place} bị nghiêng sau bão, có nguy cơ đổ vào nhà dân.",
        "Dây điện võng thấp ngang {place}, xe tải đi qua rất nguy hiểm.",
    ),
    "nuoc-mat-nuoc": (
        "Khu dân cư {place} mất nước sinh hoạt nhiều ngày, chưa có lịch cấp lại.",
        "Nước máy tại {place} đục, có mùi lạ, đề nghị kiểm tra chất lượng nước.",
    ),
    "y-te": (
        "Trạm y tế tại {place} thường xuyên đóng cửa vào giờ hành chính.",
        "Cơ sở bán đồ ăn trước cổng trường tại {place} không đảm bảo vệ sinh an toàn thực phẩm.",
    ),
    "giao-duc": (
        "Phòng học của điểm trường tại {place} xuống cấp, mái dột khi trời mưa.",
        "Phụ huynh phản ánh các khoản thu đầu năm tại trường gần {place} chưa công khai.",
    ),
    "thai-do-can-bo": (
        "Cán bộ bộ phận một cửa có thái độ thiếu tôn trọng khi tôi đến nộp hồ sơ.",
        "Hồ sơ của tôi bị hẹn đi hẹn lại nhiều lần mà không được giải thích lý do.",
    ),
    "an-ninh-trat-tu": (
        "Nhóm thanh niên tụ tập, hát karaoke ồn ào sau 23 giờ tại {place}.",
        "Thường xuyên có người đua xe, nẹt pô vào ban đêm trên {place}.",
    ),
    "khac": (
        "Đề nghị lắp thêm đèn chiếu sáng công cộng tại {place}, buổi tối rất tối.",
        "Cây xanh tại {place} gãy cành, có nguy cơ rơi xuống người đi đường.",
    ),
}

ANSWERS = (
    "UBND đã chỉ đạo kiểm tra thực tế và xử lý dứt điểm; kết quả đã được thông báo tới khu dân cư.",
    "Đơn vị đã phối hợp với các bên liên quan khắc phục xong trong tuần. "
    "Cảm ơn ông/bà đã phản ánh.",
    "Qua kiểm tra, nội dung phản ánh là đúng. Đơn vị đã lập biên bản và yêu cầu khắc phục.",
    "Đơn vị đã tiếp thu và đưa vào kế hoạch sửa chữa trong quý tới; sẽ thông báo khi thực hiện.",
)

#: The states the demo aims for, with their weights; each is a path of steps from submission.
#: Recent reports stop early on their path (a step never happens in the future).
PATHS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (6, ()),
    (5, ("refuse",)),
    (2, ("hand_off",)),
    (3, ("merge",)),
    (7, ("accept",)),
    (6, ("accept", "transfer")),
    (10, ("accept", "assign")),
    (3, ("accept", "assign", "request_info")),
    (6, ("accept", "assign", "draft")),
    (10, ("accept", "assign", "draft", "approve")),
    (14, ("accept", "assign", "draft", "approve", "publish")),
    (17, ("accept", "assign", "draft", "approve", "publish", "rate_good")),
    (5, ("accept", "assign", "draft", "approve", "rate_bad")),
    (3, ("accept", "assign", "draft", "approve", "rate_reopen")),
    (3, ("accept", "assign", "draft", "approve", "rate_reopen", "reopen")),
)
#: Working hours between one step and the next, as (low, high).
STEP_HOURS = (1, 40)


@dataclass
class ReportPlan:
    index: int
    commune_code: str
    category_code: str
    text: str
    address: str
    submitted_at: dt.datetime
    path: tuple[str, ...]
    reporter_name: str
    reporter_phone: str
    identity_private: bool
    answers: dict[str, Any]
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    urgency: str | None = None
    step_gaps: list[float] = field(default_factory=list)


def _answer_for(question: dict[str, Any], rng: random.Random) -> Any:
    kind = question.get("type")
    if kind == "number":
        return rng.randint(1, 10)
    if kind == "yes_no":
        return rng.random() < 0.4
    if kind == "choice":
        return rng.choice(question.get("choices") or [""])
    return (
        rng.choice(("Gần chợ", "Cạnh trường học", "Bộ phận một cửa")) if rng.random() < 0.5 else ""
    )


def report_plan(
    *, index: int, communes: list[str], leaves: dict[str, Category], now: dt.datetime
) -> ReportPlan:
    """The demo report number *index*: always the same for the same index."""
    rng = random.Random(DEMO_SEED * 100_003 + index)  # noqa: S311  # repeatable demo data
    # A third of the reports in the four Vinh wards (the city), the rest across the province.
    commune_code = rng.choice(communes[:4]) if rng.random() < 0.33 else rng.choice(communes)
    category_code = rng.choice(sorted(leaves))
    category = leaves[category_code]
    place = rng.choice(STREETS) if rng.random() < 0.6 else rng.choice(PLACES)
    text = rng.choice(TEXTS[category_code]).format(place=place)
    day = now - dt.timedelta(days=rng.uniform(0, DEMO_DAYS_BACK))
    submitted_at = day.replace(hour=rng.randint(6, 21), minute=rng.randint(0, 59), second=0)
    submitted_at = min(submitted_at, now - dt.timedelta(minutes=5))
    path = rng.choices([p for _w, p in PATHS], weights=[w for w, _p in PATHS])[0]
    anonymous = rng.random() < 0.3
    plan = ReportPlan(
        index=index,
        commune_code=commune_code,
        category_code=category_code,
        text=text,
        address=place[0].upper() + place[1:],
        submitted_at=submitted_at,
        path=path,
        reporter_name="" if anonymous else rng.choice(NAMES),
        reporter_phone="" if anonymous else f"09{rng.randint(10_000_000, 99_999_999)}",
        identity_private=not anonymous and rng.random() < 0.15,
        answers={q["key"]: _answer_for(q, rng) for q in category.questions if q.get("key")},
    )
    if commune_code in communes[:4] and rng.random() < 0.7:
        plan.latitude = Decimal(f"{18.66 + rng.uniform(0, 0.05):.6f}")
        plan.longitude = Decimal(f"{105.65 + rng.uniform(0, 0.06):.6f}")
    if rng.random() < 0.15:
        plan.urgency = rng.choice([Urgency.URGENT, Urgency.COMPLEX])
    plan.step_gaps = [rng.uniform(*STEP_HOURS) for _ in path]
    return plan


def _call(service: Callable[..., Any], at: dt.datetime, **kwargs: Any) -> Any:
    """Call *service* as if the time were *at*."""
    with clock_at(at):
        return service(**kwargs)


@dataclass
class Staff:
    """Who acts in the demo: a screener/handler and a leader per unit."""

    handlers: dict[int, User] = field(default_factory=dict)
    leaders: dict[int, User] = field(default_factory=dict)


#: Units whose demo logins (from core.demo) act for them instead of generated officials.
KNOWN_LOGINS = {
    "16681": ("chuyenvien.thanhvinh@demo.example", "chutich.thanhvinh@demo.example"),
    "40-SXD": ("chuyenvien.sxd@demo.example", "giamdoc.sxd@demo.example"),
}
#: The department a commune transfers a report to, by category group.
TRANSFER_TO = {
    "moi-truong": "40-SNNMT",
    "dat-dai": "40-SNNMT",
    "giao-thong": "40-SXD",
    "trat-tu-do-thi": "40-SXD",
    "nuoc": "40-SXD",
    "dien": "40-SCT",
    "y-te": "40-SYT",
    "giao-duc": "40-SGDDT",
}
DEPARTMENTS = ("40-SCT", "40-SNNMT", "40-SYT", "40-SXD", "40-SGDDT")


def _staff_member(unit: Unit, login: str, name: str, role: str, job: str) -> User:
    user = User.objects.filter(email=login).first()
    if user is None:
        user = official_create(
            full_name=name,
            unit=unit,
            roles=[role],
            password=None,
            email=login,
            job_title=job,
            by=None,
        )
    return user


def _staff(units: list[Unit]) -> Staff:
    """One handler and one leader per unit that acts in the demo (created once, no password)."""
    staff = Staff()
    for unit in units:
        key = unit.code or str(unit.pk)
        handler_login, leader_login = KNOWN_LOGINS.get(
            key, (f"phananh.{key.lower()}@demo.example", f"lanhdao.{key.lower()}@demo.example")
        )
        staff.handlers[unit.pk] = _staff_member(
            unit,
            handler_login,
            f"Cán bộ tiếp nhận phản ánh ({unit.name})",
            Role.SPECIALIST,
            "Công chức",
        )
        staff.leaders[unit.pk] = _staff_member(
            unit, leader_login, f"Lãnh đạo {unit.name}", Role.UNIT_LEADER, "Lãnh đạo đơn vị"
        )
    return staff


class _Runner:
    """Carries out plans through the services, keeping what later plans need (merge targets)."""

    def __init__(
        self, *, staff: Staff, units: dict[str, Unit], leaves: dict[str, Category], now: dt.datetime
    ) -> None:
        self.staff = staff
        self.units = units
        self.leaves = leaves
        self.now = now
        self.open_by_commune: dict[int, list[Report]] = {}
        self.refused_steps = 0

    def _handler(self, report: Report) -> User:
        if report.is_confidential:  # only the supervising level handles these
            return self._leader(report)
        unit_id = report.handling_unit_id or report.receiving_unit_id
        return self.staff.handlers.get(unit_id) or self.staff.handlers[report.commune_id]

    def _leader(self, report: Report) -> User:
        unit_id = report.handling_unit_id or report.receiving_unit_id
        return self.staff.leaders.get(unit_id) or self.staff.leaders[report.commune_id]

    def _screener(self, report: Report) -> User:
        if report.is_confidential:
            return self.staff.leaders.get(report.receiving_unit_id) or self._leader(report)
        return (
            self.staff.handlers.get(report.receiving_unit_id)
            or self.staff.handlers[report.commune_id]
        )

    def run(self, plan: ReportPlan) -> Report:
        commune = self.units[plan.commune_code]
        data = services.ReportInput(
            text=plan.text,
            category=self.leaves[plan.category_code],
            commune=commune,
            address=plan.address,  # pages show it followed by the commune's name
            latitude=plan.latitude,
            longitude=plan.longitude,
            answers=plan.answers,
            reporter=services.ReporterInput(
                name=plan.reporter_name,
                phone=plan.reporter_phone,
                identity_private=plan.identity_private,
                consent_given=bool(plan.reporter_name),
            ),
            channel=DEMO_CHANNEL,
        )
        report, reporter = _call(services.report_submit, plan.submitted_at, data=data)
        at = plan.submitted_at
        for step, gap in zip(plan.path, plan.step_gaps, strict=True):
            at = at + dt.timedelta(hours=gap)
            if at >= self.now:
                break
            try:
                report = self._step(step, report, reporter, plan, at)
            except services.FeedbackError:
                # A move the rules refuse here (e.g. rating window over): the path ends.
                self.refused_steps += 1
                break
        if report.status in (Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS):
            self.open_by_commune.setdefault(report.commune_id, []).append(report)
        return report

    def _step(
        self, step: str, report: Report, reporter: Reporter, plan: ReportPlan, at: dt.datetime
    ) -> Report:
        rng = random.Random(plan.index)  # noqa: S311  # repeatable demo data
        answer = rng.choice(ANSWERS)
        if step == "accept":
            return _call(
                services.report_accept,
                at,
                report=report,
                by=self._screener(report),
                urgency=plan.urgency,
            )
        if step == "refuse":
            return _call(
                services.report_refuse,
                at,
                report=report,
                by=self._screener(report),
                reason=rng.choice(
                    [RefusalReason.SPAM, RefusalReason.NOT_COMPETENT, RefusalReason.UNCLEAR]
                ),
                note=_("Nội dung không đủ điều kiện tiếp nhận theo quy chế."),
            )
        if step == "hand_off":
            return _call(
                services.report_hand_off,
                at,
                report=report,
                by=self._screener(report),
                guidance=_(
                    "Nội dung là khiếu nại quyết định hành chính. Đề nghị ông/bà gửi đơn khiếu nại "
                    "tới người đã ra quyết định theo Luật Khiếu nại."
                ),
            )
        if step == "merge":
            candidates = [
                r
                for r in self.open_by_commune.get(report.commune_id, [])
                if r.category_id == report.category_id and r.pk != report.pk
            ]
            if not candidates:
                return report
            into = candidates[-1]
            into.refresh_from_db()
            if into.status not in (Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS):
                return report
            return _call(
                services.report_merge,
                at,
                report=report,
                into=into,
                by=self._screener(report),
                note=_("Trùng nội dung với phản ánh %(code)s.") % {"code": into.tracking_code},
            )
        if step == "transfer":
            # A commune sends it up to the department of the field; a department sends it back.
            group = report.category.parent.code if report.category.parent else ""
            department = self.units.get(TRANSFER_TO.get(group or report.category.code, ""))
            target = department if report.handling_unit_id == report.commune_id else report.commune
            if target is None or target.pk == report.handling_unit_id:
                return report
            return _call(
                services.report_transfer,
                at,
                report=report,
                to_unit=target,
                by=self._handler(report),
                reason=_("Nội dung thuộc thẩm quyền quản lý của đơn vị nhận."),
            )
        if step == "assign":
            return _call(
                services.report_assign,
                at,
                report=report,
                handler=self._handler(report),
                by=self._leader(report),
            )
        if step == "request_info":
            return _call(
                services.report_request_info,
                at,
                report=report,
                by=self._handler(report),
                question=_("Đề nghị ông/bà cho biết vị trí cụ thể (số nhà, mốc gần nhất)."),
            )
        if step == "draft":
            return _call(
                services.report_draft_answer,
                at,
                report=report,
                by=self._handler(report),
                answer=answer,
            )
        if step == "approve":
            if report.status != Status.AWAITING_APPROVAL:
                return report
            return _call(services.report_approve_answer, at, report=report, by=self._leader(report))
        if step == "publish":
            return _call(services.report_publish, at, report=report, by=self._handler(report))
        if step in ("rate_good", "rate_bad", "rate_reopen"):
            value = {
                "rate_good": rng.choice([Satisfaction.SATISFIED] * 4 + [Satisfaction.NEUTRAL]),
                "rate_bad": Satisfaction.DISSATISFIED,
                "rate_reopen": Satisfaction.DISSATISFIED,
            }[step]
            comment = (
                ""
                if value != Satisfaction.DISSATISFIED
                else _("Sự việc vẫn chưa được khắc phục như trả lời.")
            )
            return _call(
                services.report_rate,
                at,
                report=report,
                reporter=reporter,
                value=value,
                comment=comment,
                request_reopen=step == "rate_reopen",
            )
        if step == "reopen":
            return _call(
                services.report_decide_reopen,
                at,
                report=report,
                by=self._leader(report),
                reopen=True,
                reason=_("Đề nghị xử lý lại có căn cứ, giao đơn vị kiểm tra lại."),
            )
        raise ValueError(step)


def _notices_read() -> None:
    """Every official reads the in-app notices they have (each an audited service call)."""
    readers = User.objects.filter(notifications__read_at__isnull=True).distinct().order_by("pk")
    for official in readers:
        notifications_mark_all_read(by=official)


@dataclass
class FeedbackDemoResult:
    categories_written: int = 0
    rules_created: int = 0
    reports_created: int = 0


def _leaf_categories() -> dict[str, Category]:
    return {
        c.code: c for c in Category.objects.filter(code__in=list(TEXTS)).select_related("parent")
    }


def feedback_demo_load(*, reports: int = DEMO_REPORT_COUNT) -> FeedbackDemoResult:
    """Categories, routing rules and, up to *reports* in total, demo reports; idempotent.

    Needs the unit tree of province 40 (loaded first by :func:`chinhquyenso.core.demo.demo_load`).
    """
    result = FeedbackDemoResult()
    codes: dict[str, Category] = {}
    for spec, parent_code, order in _all_specs():
        parent = codes.get(parent_code) if parent_code else None
        result.categories_written += _category_write(spec=spec, parent=parent, sort_order=order)
        codes[spec.code] = Category.objects.get(code=spec.code)
    units = {u.code: u for u in Unit.objects.filter(code__isnull=False) if u.code}
    result.rules_created = sum(_rule_write(spec=rule, units=units) for rule in ROUTING_RULES)
    existing = Report.objects.filter(channel=DEMO_CHANNEL).count()
    if reports <= existing:
        return result
    communes = [
        code
        for code in Unit.objects.filter(kind__in=COMMUNE_LEVEL_KINDS).values_list("code", flat=True)
        if code
    ]
    if not communes:
        return result
    # The Vinh wards first: they get a third of the reports and the map pins.
    communes.sort(key=lambda code: (code not in ("16681", "16690", "16702", "16708"), code))
    acting = [units[c] for c in communes] + [units[c] for c in DEPARTMENTS if c in units]
    now = timezone.now()
    runner = _Runner(staff=_staff(acting), units=units, leaves=_leaf_categories(), now=now)
    plans = [
        report_plan(index=index, communes=communes, leaves=runner.leaves, now=now)
        for index in range(existing, reports)
    ]
    # In the order they were sent, so a duplicate is merged into an older report.
    read_until: dt.datetime | None = now - DEMO_NOTICES_UNREAD_FOR
    for plan in sorted(plans, key=lambda p: p.submitted_at):
        if read_until is not None and plan.submitted_at >= read_until:
            _notices_read()
            read_until = None
        runner.run(plan)
        result.reports_created += 1
    if read_until is not None:
        _notices_read()
    # Answered reports whose rating window is over are closed, as the daily task does.
    services.report_close_expired(now=now)
    return result
