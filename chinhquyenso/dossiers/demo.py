"""Demo data for dossiers: a few thousand dossiers of the demo procedures in every national status.

Idempotent like the rest of the demo (:mod:`chinhquyenso.core.demo`): every demo dossier carries
the submission key ``demo:<n>``, so a second run finds the ones already made and adds only the
missing numbers (none, normally). Officials and citizen accounts are looked up by their login
before any is created.

Dossiers are made through the real services (``dossiers/services.py``), one plan per dossier
drawn from a seeded random generator, so the same count always gives the same data. Each step
of a plan happens a number of working hours after the one before; :func:`_call` runs the
service at that moment (:func:`chinhquyenso.core.clock.clock_at`), so appointments, pauses,
hand-overs between the commune and the departments, late dossiers and apologies look real. A
step that would fall in the future is not taken: recent dossiers are still open.

What the demo shows: counter, postal and online dossiers (from citizen accounts and from the
national portal) across the Vinh wards and other communes, the provincial service centre and
two departments (land at Sở Nông nghiệp và Môi trường, enterprises at Sở Tài chính); some
refused, paused for additional documents (once, or twice and so late), waiting for a financial
obligation, withdrawn, stopped, late with an apology slip, paid online, with an electronic
result (a small PDF), rated. The demo citizen ``0900000001`` owns a few online dossiers in
different states, one with a fee still to pay through the payment simulator.

To stay quick, the PDFs are rendered once per load and reused (a scanned document and a
result), counter dossiers carry the scan of their first required document only, and the
applicants have no e-mail address, so no mail is queued.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhquyenso.accounts.models import AccountType, Role, User
from chinhquyenso.accounts.services import applicant_register, official_create
from chinhquyenso.core.calendar import WorkingCalendar, WorkingSchedule
from chinhquyenso.core.clock import clock_at
from chinhquyenso.core.pdf import Heading, PdfUnavailable, render_pdf
from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.models import Channel, Dossier, Rating, Status
from chinhquyenso.dossiers.services import ApplicantInput, DossierError
from chinhquyenso.dossiers.workflow import RUNNING
from chinhquyenso.procedures.models import (
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    ResultType,
    Step,
    StepActor,
)
from chinhquyenso.procedures.selectors import version_in_force
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS, Unit, UnitKind

#: A step of a plan: when it happens, and the service call (its arguments bound) made then.
Move = tuple[dt.datetime, Callable[[], Any]]
#: Characters of the payment references of online payments (as the payments app draws them).
TXN_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

#: Submission keys of the demo dossiers start with this (how a second run finds them).
DEMO_KEY_PREFIX = "demo:"
DEMO_SEED = 2027
#: How far back the demo dossiers go.
DEMO_DAYS_BACK = 92
#: Open dossiers are mostly recent: this share of them was sent in the last two weeks.
RECENT_SHARE = 0.85
RECENT_DAYS = 14
#: Communes that receive dossiers: the four Vinh wards first, then others of the list.
RECEIVING_COMMUNES = 20
VINH_WARDS = ("16681", "16690", "16702", "16708")
#: Demo citizen accounts (besides the demo citizen of core.demo) that submit online.
CITIZEN_ACCOUNTS = 60
DEMO_CITIZEN = "0900000001"
SERVICE_CENTRE = "40-TTPVHCC"

#: How often each procedure is asked for, by code (others: 1).
PROCEDURE_WEIGHTS = {
    "1.001193": 8,  # birth registration
    "2.000815": 8,  # certified copies
    "2.000884": 4,  # certified signatures (counter only)
    "1.000894": 3,  # marriage
    "1.004873": 4,  # marital status
    "2.000635": 3,  # copies of civil-status extracts
    "1.000656": 2,  # death registration
    "1.001612": 3,  # household business
    "1.013225": 3,  # building permit
    "1.012753": 3,  # land registration (handled by the department)
    "2.001610": 2,  # private enterprise (service centre, Sở Tài chính)
}

#: Officials of the demo logins (core.demo) who act for their unit, by (unit code, role).
KNOWN_STAFF: dict[tuple[str, str], str] = {
    ("16681", Role.ONE_STOP_OFFICER): "motcua.thanhvinh@demo.example",
    ("16681", Role.SPECIALIST): "chuyenvien.thanhvinh@demo.example",
    ("16681", Role.UNIT_LEADER): "chutich.thanhvinh@demo.example",
    (SERVICE_CENTRE, Role.ONE_STOP_OFFICER): "motcua.ttpvhcc@demo.example",
    ("40-SNNMT", Role.SPECIALIST): "chuyenvien.snnmt@demo.example",
    ("40-SNNMT", Role.UNIT_LEADER): "giamdoc.snnmt@demo.example",
    ("40-STC", Role.SPECIALIST): "chuyenvien.stc@demo.example",
    ("40-STC", Role.UNIT_LEADER): "giamdoc.stc@demo.example",
}
#: Login prefix of generated officials (no password), per role.
STAFF_PREFIX: dict[str, str] = {
    Role.ONE_STOP_OFFICER: "motcua",
    Role.SPECIALIST: "chuyenvien",
    Role.UNIT_LEADER: "lanhdao",
}
STAFF_TITLES: dict[str, str] = {
    Role.ONE_STOP_OFFICER: "Công chức tiếp nhận hồ sơ",
    Role.SPECIALIST: "Công chức",
    Role.UNIT_LEADER: "Lãnh đạo đơn vị",
}

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Hồ", "Ngô")
MIDDLE_NAMES = ("Văn", "Thị", "Minh", "Hữu", "Thị Thu", "Đức", "Thanh", "Quang", "Ngọc")
GIVEN_NAMES = (
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hương",
    "Khánh",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vinh",
    "Yến",
)
PLACES = ("khối 3", "khối 7", "xóm 2", "xóm 5", "xóm Mới", "thôn Đông", "thôn Trung", "bản Na")
REFUSALS = (
    "Thủ tục không thuộc thẩm quyền giải quyết của đơn vị; đề nghị nộp tại cơ quan có thẩm quyền.",
    "Người nộp không thuộc đối tượng được giải quyết theo quy định của thủ tục.",
    "Giấy tờ nộp kèm không phải bản chính hoặc bản sao có chứng thực theo yêu cầu.",
)
REQUEST_REASONS = (
    "Bản chụp mờ, không đọc được số và ngày cấp.",
    "Chưa có chữ ký của người đề nghị.",
    "Thông tin không khớp với Cơ sở dữ liệu quốc gia về dân cư.",
)
APOLOGIES = (
    "Cần lấy ý kiến của cơ quan phối hợp, đến nay chưa nhận được văn bản trả lời.",
    "Phải xác minh thực địa do có ý kiến khác nhau về ranh giới.",
    "Cán bộ thụ lý nghỉ ốm đột xuất, đơn vị đã phân công người khác tiếp tục giải quyết.",
)
STOPS = (
    "Cơ quan có thẩm quyền đang giải quyết tranh chấp liên quan; dừng xử lý theo quy định.",
    "Người nộp đã chết trong thời gian giải quyết; dừng xử lý theo quy định.",
)
WITHDRAWALS = (
    "Tôi đã nộp hồ sơ tại nơi khác, xin rút hồ sơ này.",
    "Gia đình thay đổi kế hoạch, xin rút hồ sơ.",
)


# --- Plans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathSpec:
    """A way a dossier goes. ``open``: it ends in a status that is not final, so it is mostly
    given to recent dossiers; ``slow``: processing ends after the first appointment."""

    name: str
    weight: int
    steps: tuple[str, ...]
    open: bool = False
    slow: bool = False


PATHS: tuple[PathSpec, ...] = (
    PathSpec("new", 4, (), open=True),
    PathSpec("refused", 4, ("refuse",)),
    PathSpec("asked_at_receipt", 3, ("ask",), open=True),
    PathSpec("supplied_at_receipt", 3, ("ask", "supply", "accept", "finish", "return")),
    PathSpec("accepted", 4, ("accept",), open=True),
    PathSpec("processing", 6, ("accept", "forward"), open=True),
    PathSpec("sent_back", 2, ("accept", "forward", "send_back"), open=True),
    PathSpec("paused", 4, ("accept", "ask"), open=True),
    PathSpec("supplied", 4, ("accept", "ask", "supply", "finish", "return")),
    PathSpec("asked_twice", 2, ("accept", "ask", "supply", "ask", "supply", "finish", "return")),
    PathSpec("financial", 2, ("accept", "forward", "financial"), open=True),
    PathSpec(
        "financial_done", 2, ("accept", "forward", "financial", "confirm", "finish", "return")
    ),
    PathSpec("withdrawn", 2, ("withdraw",)),
    PathSpec("withdrawn_later", 1, ("accept", "withdraw")),
    PathSpec("stopped", 2, ("accept", "stop")),
    PathSpec("processed", 5, ("accept", "finish"), open=True),
    PathSpec("returned", 30, ("accept", "finish", "return")),
    PathSpec("rated", 10, ("accept", "finish", "return", "rate")),
    PathSpec("late", 3, ("accept", "finish", "return"), slow=True),
    PathSpec("apologised", 4, ("accept", "apologise", "finish", "return"), slow=True),
    PathSpec("apologised_open", 2, ("accept", "apologise"), open=True, slow=True),
    PathSpec("overdue", 2, ("accept", "forward"), slow=True),
)
_PATHS = {path.name: path for path in PATHS}


@dataclass
class DossierPlan:
    index: int
    procedure_code: str
    unit_code: str
    channel: int
    citizen: str | None  # login of the account that submits online, if any
    applicant: ApplicantInput
    submitted_at: dt.datetime
    path: PathSpec
    form_data: dict[str, Any]
    pays_online: bool = False
    pays_at_counter: bool = False
    rating: str = Rating.SATISFIED
    seed: int = 0


def _person(rng: random.Random) -> str:
    middle = rng.choice(MIDDLE_NAMES)
    return f"{rng.choice(FAMILY_NAMES)} {middle} {rng.choice(GIVEN_NAMES)}"


def _id_number(rng: random.Random) -> str:
    # 040: Nghệ An's province code in personal ID numbers; then sex/century, year, serial.
    return f"040{rng.choice('0123')}{rng.randint(50, 99):02d}{rng.randint(0, 999_999):06d}"


def _phone(rng: random.Random) -> str:
    return f"09{rng.randint(10_000_000, 99_999_999)}"


#: Plain text for e-form fields, by field key (the demo procedures' forms).
_TEXTS: dict[str, tuple[str, ...]] = {
    "dan_toc": ("Kinh", "Thái", "Thổ"),
    "noi_sinh": ("Bệnh viện Sản Nhi Nghệ An", "Trạm y tế phường", "Bệnh viện Hữu nghị đa khoa"),
    "ly_do": ("Thông tin trên giấy tờ cũ bị ghi sai so với giấy tờ tùy thân.",),
    "ma_so_ho_kinh_doanh": ("29A8012345", "29E8004567"),
    "muc_dich": ("Đăng ký kết hôn", "Bổ sung hồ sơ vay vốn ngân hàng"),
    "nganh_nghe": ("Bán lẻ lương thực, thực phẩm", "Dịch vụ ăn uống", "Sửa chữa xe máy"),
    "noi_dung_cu": ("Họ tên ghi trong giấy khai sinh: Nguyen Van A",),
    "noi_dung_moi": ("Họ tên đúng: Nguyễn Văn An",),
    "so_giay_chung_nhan": ("CS 04512", "BĐ 771203"),
    "so_gpxd": ("125/GPXD", "37/GPXD-UBND"),
    "ten_doanh_nghiep": ("Doanh nghiệp tư nhân Minh An", "Doanh nghiệp tư nhân Hồng Lam"),
    "ten_ho_kinh_doanh": ("Hộ kinh doanh Tạp hóa Minh An", "Hộ kinh doanh Cơm quê Nghệ"),
    "ten_giay_to": ("Bằng tốt nghiệp trung học phổ thông", "Giấy khai sinh"),
    "ten_hop_dong": ("Hợp đồng mua bán nhà ở", "Hợp đồng tặng cho quyền sử dụng đất"),
    "thong_tin_moi": ("Địa điểm kinh doanh mới: số 12 đường Lê Lợi",),
}


def _value(key: str, spec: dict[str, Any], rng: random.Random, context: dict[str, str]) -> Any:
    """A valid value for e-form field *key* of the demo procedures' forms."""
    if spec.get("enum"):
        return rng.choice(spec["enum"])
    if "const" in spec:
        return spec["const"]
    kind = spec.get("type")
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        low = int(spec.get("minimum", spec.get("exclusiveMinimum", 0)) or 0) + 1
        high = int(spec.get("maximum", low + 50))
        number = rng.randint(low, min(high, low + 50))
        return number * 1_000_000 if key.startswith("von_") else number
    if spec.get("format") == "date":
        sent = dt.date.fromisoformat(context["day"])
        if key in ("ngay_sinh", "ngay_chet"):  # the event the registration is about: recent
            return (sent - dt.timedelta(days=rng.randint(3, 50))).isoformat()
        if key in ("tu_ngay", "ngay_cham_dut"):
            return (sent + dt.timedelta(days=rng.randint(5, 20))).isoformat()
        if key == "den_ngay":
            return (sent + dt.timedelta(days=rng.randint(60, 300))).isoformat()
        years = rng.randint(20, 70) if key.startswith("ngay_sinh") else rng.randint(1, 5)
        return (sent - dt.timedelta(days=365 * years + rng.randint(0, 364))).isoformat()
    pattern = spec.get("pattern", "")
    if key.startswith("so_dinh_danh"):
        return context["id_number"] if key.endswith("nguoi_yeu_cau") else _id_number(rng)
    if key == "dien_thoai" or pattern == "^0[0-9]{9}$":
        return context["phone"]
    if key.startswith(("ho_ten", "ten_chu")) or key == "chu_dau_tu":
        return context["name"] if key == "ho_ten_nguoi_yeu_cau" else _person(rng)
    if key in _TEXTS:
        text = rng.choice(_TEXTS[key])
    else:  # addresses, places of residence, home towns
        text = f"{rng.choice(PLACES).capitalize()}, {context['unit']}, tỉnh Nghệ An"
    return text[: int(spec.get("maxLength", len(text)))]


def form_data_for(
    version: ProcedureVersion,
    *,
    rng: random.Random,
    applicant: ApplicantInput,
    unit: Unit,
    day: dt.date,
) -> dict[str, Any]:
    """The required fields of *version*'s e-form, filled in plausibly for *applicant*."""
    schema = version.form_schema or {}
    properties: dict[str, Any] = schema.get("properties", {})
    context = {
        "name": applicant.name,
        "id_number": applicant.id_number,
        "phone": applicant.phone,
        "unit": unit.name,
        "day": day.isoformat(),
    }
    return {
        key: _value(key, properties[key], rng, context)
        for key in schema.get("required", [])
        if key in properties
    }


@dataclass
class Catalogue:
    """What the plans are drawn from: versions in force, receiving units, citizen logins."""

    versions: dict[str, ProcedureVersion]
    weights: dict[str, int]
    communes: list[Unit]
    service_centre: Unit | None
    citizens: list[str]

    def receiving_units(self, version: ProcedureVersion) -> list[Unit]:
        if UnitKind.SERVICE_CENTRE in version.unit_kinds and self.service_centre is not None:
            return [self.service_centre]
        return self.communes


def _submitted_at(rng: random.Random, path: PathSpec, now: dt.datetime) -> dt.datetime:
    recent = path.open and rng.random() < RECENT_SHARE
    days = rng.uniform(0, RECENT_DAYS if recent else DEMO_DAYS_BACK)
    moment = timezone.localtime(now - dt.timedelta(days=days))
    moment = moment.replace(hour=rng.randint(7, 16), minute=rng.randint(0, 59), second=0)
    return min(moment, now - dt.timedelta(minutes=30))


def dossier_plan(*, index: int, catalogue: Catalogue, now: dt.datetime) -> DossierPlan:
    """The demo dossier number *index*: always the same for the same index and catalogue."""
    rng = random.Random(DEMO_SEED * 100_003 + index)  # noqa: S311  # repeatable demo data
    codes = sorted(catalogue.versions)
    code = rng.choices(codes, weights=[catalogue.weights.get(c, 1) for c in codes])[0]
    version = catalogue.versions[code]
    units = catalogue.receiving_units(version)
    # Four in ten dossiers at Phường Thành Vinh (the demo logins' ward), the rest spread.
    unit = units[0] if rng.random() < 0.4 else rng.choice(units)
    path = rng.choices(PATHS, weights=[p.weight for p in PATHS])[0]
    online = version.online_level != OnlineLevel.NONE and rng.random() < 0.55
    citizen = rng.choice(catalogue.citizens) if online and rng.random() < 0.8 else None
    channel = (
        Channel.ONLINE if online else (Channel.POST if rng.random() < 0.08 else Channel.COUNTER)
    )
    name = _person(rng)
    applicant = ApplicantInput(name=name, id_number=_id_number(rng), phone=_phone(rng))
    submitted_at = _submitted_at(rng, path, now)
    fee = version.fee_total
    return DossierPlan(
        index=index,
        procedure_code=code,
        unit_code=unit.code or "",
        channel=channel,
        citizen=citizen,
        applicant=applicant,
        submitted_at=submitted_at,
        path=path,
        form_data=form_data_for(
            version, rng=rng, applicant=applicant, unit=unit, day=submitted_at.date()
        ),
        pays_online=bool(fee) and citizen is not None and rng.random() < 0.75,
        pays_at_counter=bool(fee) and citizen is None,
        rating=rng.choices(
            [Rating.SATISFIED, Rating.NEUTRAL, Rating.DISSATISFIED], weights=[75, 18, 7]
        )[0],
        seed=rng.randint(0, 2**31),
    )


#: The demo citizen's own dossiers, so "Hồ sơ của tôi" shows each state: (procedure, path,
#: days ago sent, pays online). The one still to pay lets a visitor try the payment simulator.
CITIZEN_PLANS: tuple[tuple[str, str, float, bool], ...] = (
    ("1.004873", "returned", 12, True),
    ("2.000635", "rated", 20, True),
    ("1.001612", "processed", 6, True),
    ("1.001193", "paused", 3, False),
    ("1.013227", "processing", 4, False),
    ("1.004859", "new", 0.1, False),
    ("1.000656", "refused", 9, False),
)


def citizen_plans(catalogue: Catalogue, now: dt.datetime) -> list[DossierPlan]:
    """Plans of the demo citizen's dossiers (numbers 0, 1, …), at Phường Thành Vinh."""
    plans = []
    for index, (code, path_name, days_ago, pays) in enumerate(CITIZEN_PLANS):
        version = catalogue.versions.get(code)
        if version is None or not catalogue.communes:
            continue
        unit = catalogue.communes[0]
        applicant = ApplicantInput(
            name="Trần Thị Dân", id_number="040190000001", phone=DEMO_CITIZEN
        )
        sent = timezone.localtime(now - dt.timedelta(days=days_ago))
        if days_ago >= 1:
            sent = sent.replace(hour=9, minute=15, second=0)
        seed = DEMO_SEED * 100_003 + index
        rng = random.Random(seed)  # noqa: S311  # repeatable demo data
        plans.append(
            DossierPlan(
                index=index,
                procedure_code=code,
                unit_code=unit.code or "",
                channel=Channel.ONLINE,
                citizen=DEMO_CITIZEN,
                applicant=applicant,
                submitted_at=min(sent, now - dt.timedelta(minutes=30)),
                path=_PATHS[path_name],
                form_data=form_data_for(
                    version, rng=rng, applicant=applicant, unit=unit, day=sent.date()
                ),
                pays_online=pays and bool(version.fee_total),
                seed=seed,
            )
        )
    return plans


# --- Carrying plans out ----------------------------------------------------------------------


def _call(service: Callable[..., Any], at: dt.datetime, **kwargs: Any) -> Any:
    """Call *service* as if the time were *at*."""
    with clock_at(at):
        return service(**kwargs)


@contextmanager
def _without_notices() -> Iterator[None]:
    """Drop the after-commit work the services queue inside the block: the e-mails and in-app
    notices of moves made weeks ago are not news, would arrive all at once when the demo
    commits, and cost as much time as the moves themselves. Needs an open transaction (the
    callbacks wait in ``run_on_commit`` until it commits)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("_without_notices() needs a transaction")
    mark = len(connection.run_on_commit)
    try:
        yield
    finally:
        del connection.run_on_commit[mark:]


@dataclass(frozen=True)
class Samples:
    """The PDFs the demo attaches: a scanned document and an electronic result."""

    scan: bytes
    result: bytes | None  # None: no PDF renderer here, results are described in words

    def scan_file(self, name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, self.scan, content_type="application/pdf")

    def result_file(self, name: str) -> SimpleUploadedFile | None:
        if self.result is None:
            return None
        return SimpleUploadedFile(name, self.result, content_type="application/pdf")


#: A valid, empty one-page PDF for the scans when WeasyPrint is missing.
_BLANK_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def render_samples() -> Samples:
    """Render the two demo PDFs once (about a second each); blank scans without WeasyPrint."""
    heading = Heading(
        agency=_("Bộ phận Một cửa"), parent_agency=_("Dữ liệu mẫu"), issued_on=timezone.localdate()
    )
    try:
        scan = render_pdf(
            "dossiers/demo/sample.html",
            {
                "heading": heading,
                "title": _("Bản chụp giấy tờ"),
                "paragraphs": [_("Bản chụp giấy tờ kèm theo hồ sơ.")],
            },
        )
        result = render_pdf(
            "dossiers/demo/sample.html",
            {
                "heading": heading,
                "title": _("Kết quả giải quyết thủ tục hành chính"),
                "paragraphs": [
                    _("Bản điện tử của kết quả giải quyết hồ sơ, trả cho người nộp trực tuyến."),
                    _("Mã hồ sơ, tên thủ tục và người nhận: xem trên trang tra cứu hồ sơ."),
                ],
            },
        )
    except PdfUnavailable:
        return Samples(scan=_BLANK_PDF, result=None)
    return Samples(scan=scan, result=result)


class Staff:
    """The official of a unit who acts in a given role: a demo login where there is one (see
    :data:`KNOWN_STAFF`), else an official made for the demo, without a password."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, str], User] = {}

    def get(self, unit: Unit, role: str) -> User:
        key = (unit.pk, role)
        user = self._cache.get(key)
        if user is None:
            user = self._cache[key] = self._find_or_create(unit, role)
        return user

    @staticmethod
    def _find_or_create(unit: Unit, role: str) -> User:
        code = unit.code or str(unit.pk)
        login = KNOWN_STAFF.get((code, role)) or f"{STAFF_PREFIX[role]}.{code.lower()}@demo.example"
        user = User.objects.filter(email__iexact=login).first()
        if user is None:
            user = official_create(
                full_name=f"{STAFF_TITLES[role]} ({unit.name})",
                unit=unit,
                roles=[role],
                password=None,
                email=login,
                job_title=STAFF_TITLES[role],
                by=None,
            )
        return user


class _Runner:
    """Carries out plans through the services, each step at its moment in the past.

    ``self.dossier`` is the dossier of the plan being carried out, as the last service left it
    (most services return it; the others are followed by one read).
    """

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        staff: Staff,
        citizens: dict[str, User],
        samples: Samples,
        now: dt.datetime,
    ) -> None:
        self.catalogue = catalogue
        self.staff = staff
        self.citizens = citizens
        self.samples = samples
        self.now = now
        self.calendar = WorkingCalendar.from_database()
        self.day = WorkingSchedule.from_settings().day_length
        units = [*catalogue.communes, catalogue.service_centre]
        self.units = {u.code: u for u in units if u is not None and u.code}
        self.steps = {
            v.pk: sorted(v.steps.all(), key=lambda s: s.order) for v in catalogue.versions.values()
        }
        self.refused_steps = 0
        self.dossier = Dossier()

    # Time and people ----------------------------------------------------------------------------

    def later(self, at: dt.datetime, low: float, high: float, rng: random.Random) -> dt.datetime:
        """*at* plus between *low* and *high* working hours."""
        return self.calendar.add_working_hours(at, dt.timedelta(hours=rng.uniform(low, high)))

    def step_time(self, at: dt.datetime, rng: random.Random) -> dt.datetime:
        """When the current step is done: a part of its share of the time limit after *at*."""
        step = self.dossier.current_step
        share = float(step.days) if step is not None else 1.0
        return self.calendar.add_working_hours(at, self.day * share * rng.uniform(0.15, 0.8))

    def counter(self) -> User:
        return self.staff.get(self.dossier.receiving_unit, Role.ONE_STOP_OFFICER)

    def current(self) -> User:
        step = self.dossier.current_step
        return self.staff.get(self.dossier.current_unit, step.role if step else Role.UNIT_LEADER)

    def leader(self) -> User:
        return self.staff.get(self.dossier.handling_unit, Role.UNIT_LEADER)

    def applicant(self, plan: DossierPlan) -> User:
        """The citizen for their own actions, else the counter on their behalf."""
        return self.citizens[plan.citizen] if plan.citizen is not None else self.counter()

    def _later_steps(self) -> list[Step]:
        current = self.dossier.current_step
        steps = self.steps[self.dossier.version_id]
        return [s for s in steps if current is not None and s.order > current.order]

    def finishing(self) -> bool:
        """Whether forwarding the dossier now finishes processing (as ``dossier_forward`` says)."""
        later = self._later_steps()
        return not later or (later[0].actor == StepActor.RECEIVING and len(later) == 1)

    # Plans --------------------------------------------------------------------------------------

    def submit(self, plan: DossierPlan) -> Dossier:
        version = self.catalogue.versions[plan.procedure_code]
        unit = self.units[plan.unit_code]
        key = f"{DEMO_KEY_PREFIX}{plan.index}"
        required = [c for c in version.components.all() if c.is_required]
        if plan.citizen is None and plan.channel != Channel.ONLINE:
            required = required[:1]  # at the counter or by post: the scan of the application
        files = {c.code: [self.samples.scan_file(f"{c.code}.pdf")] for c in required}
        at = plan.submitted_at
        if plan.citizen is not None:
            citizen = self.citizens[plan.citizen]
            draft = _call(
                services.dossier_draft_save,
                at - dt.timedelta(minutes=20),
                version=version,
                receiving_unit=unit,
                applicant_info=plan.applicant,
                form_data=plan.form_data,
                files=files,
                by=citizen,
            )
            return _call(services.dossier_submit, at, dossier=draft, by=citizen, submission_key=key)
        # Online from the national portal (no account here), at the counter, or by post.
        by = None if plan.channel == Channel.ONLINE else self.staff.get(unit, Role.ONE_STOP_OFFICER)
        return _call(
            services.dossier_create,
            at,
            version=version,
            receiving_unit=unit,
            channel=plan.channel,
            applicant_info=plan.applicant,
            form_data=plan.form_data,
            files=files,
            by=by,
            submission_key=key,
        )

    def run(self, plan: DossierPlan) -> Dossier:
        with _without_notices():
            self.dossier = self.submit(plan)
            self._follow(plan)
        return self.dossier

    def _follow(self, plan: DossierPlan) -> None:
        rng = random.Random(plan.seed)  # noqa: S311  # repeatable demo data
        at = plan.submitted_at
        steps: tuple[str, ...] = plan.path.steps
        if plan.pays_online and steps[:1] not in (("refuse",), ("withdraw",)):
            steps = ("pay", *steps)
        try:
            for name in steps:
                moves: Iterator[Move] = getattr(self, f"_{name}")(plan, at, rng)
                for moment, service in moves:
                    if moment >= self.now:
                        return  # the rest has not happened yet
                    done = _call(service, moment)
                    at = moment
                    if isinstance(done, Dossier):
                        self.dossier = done
                    else:
                        self.dossier = _reread(self.dossier)
        except DossierError:
            # A move the rules refuse here (counted for the tests): the path ends.
            self.refused_steps += 1

    # Steps: each yields (moment, service call) pairs, looking at the dossier as it is. -------

    def _pay(self, plan: DossierPlan, at: dt.datetime, rng: random.Random) -> Iterator[Move]:
        moment = self.later(at, 0.2, 6, rng)
        reference = moment.strftime("%y%m%d") + "".join(rng.choices(TXN_ALPHABET, k=8))
        yield (
            moment,
            partial(
                services.dossier_fee_paid,
                dossier=self.dossier,
                reference=reference,
                paid_at=moment,
                online=True,
                by=None,
            ),
        )

    def _accept(self, plan: DossierPlan, at: dt.datetime, rng: random.Random) -> Iterator[Move]:
        counter = self.counter()
        at_counter = plan.channel == Channel.COUNTER
        moment = self.later(at, 0.05, 0.3, rng) if at_counter else self.later(at, 1, 10, rng)
        yield moment, partial(services.dossier_accept, dossier=self.dossier, by=counter)
        if plan.pays_at_counter:  # in cash, at the counter, when the dossier is received
            paid = moment + dt.timedelta(minutes=5)
            yield (
                paid,
                partial(
                    services.dossier_fee_paid,
                    dossier=self.dossier,
                    reference=f"BL{plan.index:07d}",
                    paid_at=paid,
                    online=False,
                    by=counter,
                ),
            )

    def _refuse(self, plan: DossierPlan, at: dt.datetime, rng: random.Random) -> Iterator[Move]:
        yield (
            self.later(at, 0.2, 6, rng),
            partial(
                services.dossier_refuse,
                dossier=self.dossier,
                by=self.counter(),
                reason=rng.choice(REFUSALS),
            ),
        )

    def _ask(self, plan: DossierPlan, at: dt.datetime, rng: random.Random) -> Iterator[Move]:
        at_receipt = self.dossier.status == Status.NEW
        by = self.counter() if at_receipt else self.current()
        names = [c.name for c in self.catalogue.versions[plan.procedure_code].components.all()]
        items = [
            {"name": name, "reason": rng.choice(REQUEST_REASONS)}
            for name in rng.sample(names, k=min(len(names), rng.randint(1, 2)))
        ]
        moment = self.later(at, 0.2, 4, rng) if at_receipt else self.later(at, 2, 12, rng)
        yield (
            moment,
            partial(
                services.dossier_request_documents,
                dossier=self.dossier,
                by=by,
                items=items,
                note=_("Đề nghị bổ sung một lần đầy đủ các giấy tờ trên."),
            ),
        )

    def _supply(self, plan: DossierPlan, at: dt.datetime, rng: random.Random) -> Iterator[Move]:
        yield (
            self.later(at, 4, 30, rng),
            partial(
                services.dossier_supply_documents,
                dossier=self.dossier,
                by=self.applicant(plan),
                extra_files=[self.samples.scan_file("giay-to-bo-sung.pdf")],
                note=_("Đã bổ sung giấy tờ theo yêu cầu."),
            ),
        )

    def _forward(self, plan: DossierPlan, at: dt.datetime, rng: random.Random) -> Iterator[Move]:
        if self.dossier.status not in RUNNING or self.finishing():
            return
        yield (
            self.step_time(at, rng),
            partial(
                services.dossier_forward,
                dossier=self.dossier,
                by=self.current(),
                note=_("Hồ sơ đủ điều kiện, chuyển bước tiếp theo."),
            ),
        )

    def _send_back(self, plan: DossierPlan, at: dt.datetime, rng: random.Random) -> Iterator[Move]:
        current = self.dossier.current_step
        earlier = [
            s
            for s in self.steps[self.dossier.version_id]
            if current is not None and s.order < current.order and s.actor == StepActor.HANDLING
        ]
        if self.dossier.status not in RUNNING or not earlier:
            return  # nothing before this step to send it back to
        yield (
            self.later(at, 1, 6, rng),
            partial(
                services.dossier_send_back,
                dossier=self.dossier,
                by=self.current(),
                reason=_("Đề nghị thẩm định lại, làm rõ căn cứ đề xuất."),
            ),
        )

    def _finish(self, plan: DossierPlan, at: dt.datetime, rng: random.Random) -> Iterator[Move]:
        """Every remaining processing step, the result attached before the last one."""
        version = self.catalogue.versions[plan.procedure_code]
        while self.dossier.status in RUNNING and not self.finishing():
            at = self.step_time(at, rng)
            yield (
                at,
                partial(
                    services.dossier_forward,
                    dossier=self.dossier,
                    by=self.current(),
                    note=_("Hồ sơ đủ điều kiện, chuyển bước tiếp theo."),
                ),
            )
        if self.dossier.status not in RUNNING:
            return
        moment = self.step_time(at, rng)
        due = self.dossier.original_due_at
        if plan.path.slow and due is not None:  # after the first appointment: late
            moment = max(moment, self.later(due, 1, 16, rng))
        electronic = version.result_type in (ResultType.ELECTRONIC, ResultType.BOTH)
        by = self.current()
        yield (
            moment,
            partial(
                services.dossier_attach_result,
                dossier=self.dossier,
                by=by,
                upload=self.samples.result_file("ket-qua.pdf") if electronic else None,
                note=version.result_name or _("Kết quả giải quyết thủ tục hành chính."),
            ),
        )
        yield (
            moment + dt.timedelta(minutes=10),
            partial(
                services.dossier_forward,
                dossier=self.dossier,
                by=by,
                note=_("Đã ký kết quả, chuyển bộ phận một cửa trả kết quả."),
            ),
        )

    def _financial(self, plan: DossierPlan, at: dt.datetime, rng: random.Random) -> Iterator[Move]:
        if self.dossier.status not in RUNNING:
            return
        yield (
            self.later(at, 2, 10, rng),
            partial(
                services.dossier_request_financial,
                dossier=self.dossier,
                by=self.current(),
                amount=rng.choice((450_000, 1_200_000, 3_600_000)),
                note=_("Nộp tiền theo thông báo của cơ quan thuế."),
            ),
        )

    def _confirm(self, plan: DossierPlan, at: dt.datetime, rng: random.Random) -> Iterator[Move]:
        yield (
            self.later(at, 8, 30, rng),
            partial(
                services.dossier_confirm_financial,
                dossier=self.dossier,
                by=self.applicant(plan),
                note=_("Đã nộp tiền vào ngân sách nhà nước."),
            ),
        )

    def _apologise(self, plan: DossierPlan, at: dt.datetime, rng: random.Random) -> Iterator[Move]:
        due = self.dossier.due_at
        if due is None:
            return
        # Shortly before the appointment it cannot keep, with a new date a few days later.
        moment = max(self.later(at, 0.25, 1, rng), due - dt.timedelta(hours=rng.uniform(2, 20)))
        yield (
            moment,
            partial(
                services.dossier_apologise,
                dossier=self.dossier,
                by=self.leader(),
                reason=rng.choice(APOLOGIES),
                new_due_at=self.calendar.add_working_days(due, rng.randint(2, 5)),
            ),
        )

    def _return(self, plan: DossierPlan, at: dt.datetime, rng: random.Random) -> Iterator[Move]:
        version = self.catalogue.versions[plan.procedure_code]
        online = plan.channel == Channel.ONLINE and version.online_level == OnlineLevel.FULL
        moment = self.later(at, 0.1, 2, rng) if online else self.later(at, 1, 16, rng)
        yield (
            moment,
            partial(services.dossier_return_result, dossier=self.dossier, by=self.counter()),
        )

    def _rate(self, plan: DossierPlan, at: dt.datetime, rng: random.Random) -> Iterator[Move]:
        if plan.citizen is None:
            return
        comment = _("Phải đi lại nhiều lần.") if plan.rating == Rating.DISSATISFIED else ""
        yield (
            self.later(at, 1, 40, rng),
            partial(
                services.dossier_rate,
                dossier=self.dossier,
                by=self.citizens[plan.citizen],
                rating=plan.rating,
                comment=comment,
            ),
        )

    def _withdraw(self, plan: DossierPlan, at: dt.datetime, rng: random.Random) -> Iterator[Move]:
        yield (
            self.later(at, 4, 40, rng),
            partial(
                services.dossier_withdraw,
                dossier=self.dossier,
                by=self.applicant(plan),
                reason=rng.choice(WITHDRAWALS),
            ),
        )

    def _stop(self, plan: DossierPlan, at: dt.datetime, rng: random.Random) -> Iterator[Move]:
        yield (
            self.later(at, 4, 30, rng),
            partial(
                services.dossier_stop,
                dossier=self.dossier,
                by=self.leader(),
                reason=rng.choice(STOPS),
            ),
        )


def _reread(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_related(
        "version", "receiving_unit", "handling_unit", "current_unit", "current_step"
    ).get(pk=dossier.pk)


# --- Loading -------------------------------------------------------------------------------


@dataclass
class DossiersDemoResult:
    dossiers_created: int = 0
    citizens_created: int = 0
    refused_steps: int = 0


def _catalogue(citizens: list[str]) -> Catalogue | None:
    """The demo procedures in force and the units receiving them; ``None`` without either."""
    day = timezone.localdate()
    in_force = [version_in_force(p, day) for p in Procedure.objects.filter(is_active=True)]
    versions = (
        ProcedureVersion.objects.filter(pk__in=[v.pk for v in in_force if v is not None])
        .select_related("procedure", "handling_unit")
        .prefetch_related("components", "steps", "fees")
    )
    communes = sorted(
        Unit.objects.filter(kind__in=COMMUNE_LEVEL_KINDS, agency_code__isnull=False),
        key=lambda u: (
            u.code not in VINH_WARDS,
            VINH_WARDS.index(u.code) if u.code in VINH_WARDS else 0,
            u.code or "",
        ),
    )[:RECEIVING_COMMUNES]
    if not versions or not communes:
        return None
    return Catalogue(
        versions={v.procedure.code: v for v in versions},
        weights=PROCEDURE_WEIGHTS,
        communes=communes,
        service_centre=Unit.objects.filter(code=SERVICE_CENTRE, agency_code__isnull=False).first(),
        citizens=citizens,
    )


def _citizens(result: DossiersDemoResult) -> dict[str, User]:
    """The demo citizen and the generated citizen accounts (no password), by phone."""
    rng = random.Random(DEMO_SEED)  # noqa: S311  # repeatable demo data
    wanted = {DEMO_CITIZEN: "Trần Thị Dân"}
    wanted.update({f"0901{n:06d}": _person(rng) for n in range(1, CITIZEN_ACCOUNTS + 1)})
    found = {u.phone or "": u for u in User.objects.filter(phone__in=list(wanted))}
    for phone, name in wanted.items():
        if phone not in found:
            found[phone] = applicant_register(
                full_name=name,
                password=None,
                phone=phone,
                account_type=AccountType.CITIZEN,
                consent_given=True,
                by=None,
            )
            result.citizens_created += 1
    return found


@transaction.atomic
def dossiers_demo_load(*, dossiers: int | None = None) -> DossiersDemoResult:
    """Up to *dossiers* demo dossiers in all (default ``DOSSIER_DEMO_COUNT``); idempotent.

    Needs the units and the demo catalogue, which :func:`chinhquyenso.core.demo.demo_load`
    loads first.
    """
    result = DossiersDemoResult()
    count = settings.DOSSIER_DEMO_COUNT if dossiers is None else dossiers
    keys = Dossier.objects.filter(submission_key__startswith=DEMO_KEY_PREFIX)
    existing = set(keys.values_list("submission_key", flat=True))
    wanted = [i for i in range(count) if f"{DEMO_KEY_PREFIX}{i}" not in existing]
    if not wanted:
        return result
    citizens = _citizens(result)
    catalogue = _catalogue(sorted(phone for phone in citizens if phone != DEMO_CITIZEN))
    if catalogue is None:
        return result
    now = timezone.now()
    fixed = {plan.index: plan for plan in citizen_plans(catalogue, now)}
    plans = [
        fixed.get(index) or dossier_plan(index=index, catalogue=catalogue, now=now)
        for index in wanted
    ]
    runner = _Runner(
        catalogue=catalogue, staff=Staff(), citizens=citizens, samples=render_samples(), now=now
    )
    # In the order they were sent, so each day's codes follow the order of receipt.
    for plan in sorted(plans, key=lambda p: (p.submitted_at, p.index)):
        runner.run(plan)
        result.dossiers_created += 1
    result.refused_steps = runner.refused_steps
    return result
