"""The dossier cast on top of the standard one: a commune counter, a provincial department
that handles an inter-agency procedure, and helpers to build dossiers through the services."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.core.clock import clock_at
from chinhquyenso.dossiers.models import Channel, Dossier
from chinhquyenso.dossiers.services import ApplicantInput, dossier_create
from chinhquyenso.procedures.models import (
    Component,
    ComponentForm,
    Fee,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    ResultType,
    Step,
    StepActor,
)
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.services import unit_create

VN = ZoneInfo("Asia/Ho_Chi_Minh")

FORM_SCHEMA = {
    "type": "object",
    "properties": {
        "ho_ten_tre": {"type": "string", "title": "Họ, chữ đệm, tên của trẻ", "minLength": 2},
        "ngay_sinh": {"type": "string", "title": "Ngày sinh", "format": "date"},
    },
    "required": ["ho_ten_tre", "ngay_sinh"],
}
FORM_DATA = {"ho_ten_tre": "Nguyễn Minh Khang", "ngay_sinh": "2026-11-02"}


def at(text: str) -> dt.datetime:
    """A local instant from ``"DD/MM/YYYY HH:MM"``."""
    return dt.datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=VN)


def pdf_file(name: str = "to-khai.pdf", size: int = 0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n" + b"0" * size + b"\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png_file(name: str = "anh.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def department(province: Unit) -> Unit:
    return unit_create(
        parent=province,
        kind=UnitKind.DEPARTMENT,
        name="Sở Xây dựng",
        short_name="SXD",
        code="40-SXD",
        agency_code="000.00.05.H40",
        by=None,
    )


def _official(unit: Unit, name: str, email: str, *roles: str) -> User:
    return official_create(
        full_name=name, unit=unit, roles=list(roles), email=email, password=PASSWORD, by=None
    )


@pytest.fixture
def counter_officer(commune: Unit) -> User:
    """The one-stop officer of the commune (the receiving counter)."""
    return _official(commune, "Hồ Thị Mai", "motcua@example.vn", Role.ONE_STOP_OFFICER)


@pytest.fixture
def commune_leader(commune: Unit) -> User:
    return _official(commune, "Đặng Văn Hùng", "chutich@example.vn", Role.UNIT_LEADER)


@pytest.fixture
def dept_specialist(department: Unit) -> User:
    return _official(department, "Võ Văn Sơn", "chuyenvien.sxd@example.vn", Role.SPECIALIST)


@pytest.fixture
def dept_leader(department: Unit) -> User:
    return _official(department, "Trần Thị Giám", "giamdoc.sxd@example.vn", Role.UNIT_LEADER)


def build_version(
    *,
    code: str,
    handling_unit: Unit | None,
    processing_days: int = 5,
    fee: int = 0,
    online_level: str = OnlineLevel.FULL,
    valid_from: dt.date = dt.date(2025, 7, 1),
) -> ProcedureVersion:
    field, _ = Field.objects.get_or_create(code="xay-dung", defaults={"name": "Xây dựng"})
    procedure = Procedure.objects.create(code=code, name="Cấp giấy phép xây dựng", field=field)
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        valid_from=valid_from,
        name=procedure.name,
        online_level=online_level,
        unit_kinds=[UnitKind.COMMUNE, UnitKind.WARD],
        handling_unit=handling_unit,
        processing_days=processing_days,
        result_type=ResultType.BOTH,
        form_schema=FORM_SCHEMA,
    )
    Component.objects.create(
        version=version, order=1, code="don", name="Đơn đề nghị", form=ComponentForm.ORIGINAL
    )
    Component.objects.create(
        version=version, order=2, code="ban-ve", name="Bản vẽ thiết kế", is_required=False
    )
    if fee:
        Fee.objects.create(version=version, name="Lệ phí", amount=fee)
    days = Decimal(processing_days)
    steps = [
        ("Tiếp nhận hồ sơ", StepActor.RECEIVING, Role.ONE_STOP_OFFICER, Decimal("0.5")),
        ("Thẩm định", StepActor.HANDLING, Role.SPECIALIST, days - 2),
        ("Phê duyệt", StepActor.HANDLING, Role.UNIT_LEADER, Decimal(1)),
        ("Trả kết quả", StepActor.RECEIVING, Role.ONE_STOP_OFFICER, Decimal("0.5")),
    ]
    for order, (name, actor, role, share) in enumerate(steps, start=1):
        Step.objects.create(
            version=version, order=order, name=name, actor=actor, role=role, days=share
        )
    return version


@pytest.fixture
def version(department: Unit) -> ProcedureVersion:
    """An inter-agency procedure: received at the commune, handled by the department."""
    return build_version(code="1.009994.000.00.00.H40", handling_unit=department, fee=150_000)


@pytest.fixture
def register(
    commune: Unit, version: ProcedureVersion, counter_officer: User
) -> Callable[..., Dossier]:
    """Register a counter dossier (status 1), optionally at a given local instant."""

    def make(when: str | None = None, **overrides: Any) -> Dossier:
        kwargs: dict[str, Any] = {
            "version": version,
            "receiving_unit": commune,
            "channel": Channel.COUNTER,
            "applicant_info": ApplicantInput(
                name="Lê Văn Tám", id_number="040090001234", phone="0912345678"
            ),
            "form_data": dict(FORM_DATA),
            "files": {"don": [pdf_file()]},
            "by": counter_officer,
        }
        kwargs.update(overrides)
        if when is None:
            return dossier_create(**kwargs)
        with clock_at(at(when)):
            return dossier_create(**kwargs)

    return make
