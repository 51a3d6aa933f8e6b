"""Categories and reports for the officials' pages, on top of the feedback cast
(``feedback/tests/conftest.py``: department, dave, frank, …).

Reports are made through the real services (``report_submit`` and the staff moves), so the
pages are tested on the states a real report goes through.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import UploadedFile

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.feedback import services
from chinhquyenso.feedback.models import Category, Report, RoutingRule
from chinhquyenso.units.models import Unit


@pytest.fixture
def categories(db: None, department: Unit) -> dict[str, Category]:
    """Waste (handled by the commune), roads (routed to the department), officials' attitude."""
    environment = Category.objects.create(code="moi-truong", name="Môi trường")
    transport = Category.objects.create(code="giao-thong", name="Giao thông")
    found = {
        "waste": Category.objects.create(code="rac-thai", name="Rác thải", parent=environment),
        "roads": Category.objects.create(
            code="duong-hu-hong", name="Đường hư hỏng", parent=transport
        ),
        "attitude": Category.objects.create(
            code="thai-do-can-bo", name="Thái độ cán bộ", is_confidential=True
        ),
    }
    RoutingRule.objects.create(category=found["roads"], handling_unit=department)
    return found


def submit(
    category: Category,
    commune: Unit,
    text: str = "Rác thải đổ trộm ở đầu ngõ 12 đường Lê Lợi, bốc mùi.",
    files: Sequence[UploadedFile] = (),
    **reporter: object,
) -> Report:
    """A citizen's report through the real service."""
    data = services.ReportInput(
        text=text,
        category=category,
        commune=commune,
        address="Ngõ 12 đường Lê Lợi",
        latitude=Decimal("18.679000"),
        longitude=Decimal("105.681000"),
        files=files,
        reporter=services.ReporterInput(
            name=str(reporter.get("name", "Phạm Văn Dân")),
            phone=str(reporter.get("phone", "0912000111")),
            email=str(reporter.get("email", "dan@example.vn")),
            identity_private=bool(reporter.get("identity_private", False)),
            consent_given=True,
        ),
    )
    report, _reporter = services.report_submit(data=data)
    return report


@pytest.fixture
def report(categories: dict[str, Category], commune: Unit) -> Report:
    """A new waste report in alice's commune, waiting to be screened."""
    return submit(categories["waste"], commune)


@pytest.fixture
def road_report(categories: dict[str, Category], commune: Unit) -> Report:
    """A new road report in alice's commune; the rules route it to the department."""
    return submit(
        categories["roads"], commune, text="Ổ gà lớn giữa đường Nguyễn Du, xe máy dễ ngã."
    )


@pytest.fixture
def chairman(commune: Unit) -> User:
    """The leader of alice's commune."""
    return official_create(
        full_name="Đặng Văn Chủ",
        unit=commune,
        roles=[Role.UNIT_LEADER],
        email="chairman@example.vn",
        password=PASSWORD,
        by=None,
    )
