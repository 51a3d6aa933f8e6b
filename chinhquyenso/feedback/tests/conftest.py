"""Feedback cast and reports, on top of the project-wide cast (``chinhquyenso/conftest.py``).

Every report is made through the real services, so each fixture is a state a real report
reaches: ``submitted_report`` → ``accepted_report`` → ``in_progress_report`` →
``awaiting_approval_report`` → ``answered_report``; ``confidential_report`` names ``alice``.

Units: ``province`` › ``commune`` (alice), ``other_commune`` (bob), ``department`` (dave),
``ops_centre`` (olga, one-stop officer), ``front_committee`` (frank, Fatherland Front);
``commune_leader`` (cuong) leads the commune; ``leader`` leads the province.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.feedback import services
from chinhquyenso.feedback.models import Category, Report, Reporter, RoutingRule
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.services import unit_create

REPORTER_NAME = "Nguyễn Văn Hùng"
REPORTER_PHONE = "0912000111"
REPORTER_EMAIL = "hung@example.vn"


def _official(unit: Unit, name: str, email: str, *roles: str) -> User:
    return official_create(
        full_name=name, unit=unit, roles=list(roles), email=email, password=PASSWORD, by=None
    )


@pytest.fixture
def department(province: Unit) -> Unit:
    return unit_create(
        parent=province, kind=UnitKind.DEPARTMENT, name="Sở Xây dựng", code="SXD", by=None
    )


@pytest.fixture
def ops_centre(province: Unit) -> Unit:
    return unit_create(
        parent=province,
        kind=UnitKind.OPERATIONS_CENTRE,
        name="Trung tâm Thông tin, chỉ đạo, điều hành",
        code="IOC40",
        by=None,
    )


@pytest.fixture
def front_committee(province: Unit) -> Unit:
    return unit_create(
        parent=province,
        kind=UnitKind.FRONT_COMMITTEE,
        name="Ủy ban MTTQ Việt Nam tỉnh Nghệ An",
        code="MTTQ40",
        by=None,
    )


@pytest.fixture
def dave(department: Unit) -> User:
    """A specialist of the department."""
    return _official(department, "Võ Đức Dũng", "dave@example.vn", Role.SPECIALIST)


@pytest.fixture
def olga(ops_centre: Unit) -> User:
    """A one-stop officer of the operations centre."""
    return _official(ops_centre, "Đặng Thị Oanh", "olga@example.vn", Role.ONE_STOP_OFFICER)


@pytest.fixture
def frank(front_committee: Unit) -> User:
    """An official of the provincial Front committee: reads and comments, changes nothing."""
    return _official(front_committee, "Hồ Thị Phương", "frank@example.vn", Role.SPECIALIST)


@pytest.fixture
def commune_leader(commune: Unit) -> User:
    """The chair of the commune (leads alice)."""
    return _official(commune, "Phan Văn Cường", "cuong@example.vn", Role.UNIT_LEADER)


@pytest.fixture
def category_group(db: None) -> Category:
    return Category.objects.create(code="moi-truong", name="Môi trường")


@pytest.fixture
def category(category_group: Category) -> Category:
    """Waste, with one required extra question."""
    return Category.objects.create(
        code="rac-thai",
        name="Rác thải",
        parent=category_group,
        questions=[
            {
                "key": "since",
                "label": "Tình trạng kéo dài bao lâu?",
                "type": "text",
                "required": True,
            }
        ],
    )


@pytest.fixture
def roads(db: None) -> Category:
    return Category.objects.create(code="duong-hu-hong", name="Đường hư hỏng")


@pytest.fixture
def confidential_category(db: None) -> Category:
    return Category.objects.create(
        code="thai-do-can-bo", name="Thái độ cán bộ", is_confidential=True
    )


@pytest.fixture
def routing_rule(roads: Category, department: Unit) -> RoutingRule:
    """Damaged roads anywhere go to the department."""
    return RoutingRule.objects.create(category=roads, handling_unit=department)


@pytest.fixture
def report_input(category: Category, commune: Unit) -> Callable[..., services.ReportInput]:
    """Build a ``ReportInput``: a waste report in the commune by a named reporter."""

    def build(**overrides: Any) -> services.ReportInput:
        reporter = overrides.pop("reporter", None) or services.ReporterInput(
            name=REPORTER_NAME,
            phone=REPORTER_PHONE,
            email=REPORTER_EMAIL,
            consent_given=True,
        )
        values: dict[str, Any] = {
            "text": "Rác thải đổ trộm ở đầu ngõ 12 đường Lê Lợi, bốc mùi nhiều ngày.",
            "category": category,
            "commune": commune,
            "address": "Ngõ 12 Lê Lợi",
            "latitude": Decimal("18.679585"),
            "longitude": Decimal("105.681335"),
            "answers": {"since": "Một tuần"},
            "reporter": reporter,
        }
        values.update(overrides)
        return services.ReportInput(**values)

    return build


@pytest.fixture
def make_report(report_input: Callable[..., services.ReportInput]) -> Callable[..., Report]:
    """Submit a report through ``report_submit``; keyword arguments override the input."""

    def make(**overrides: Any) -> Report:
        report, _reporter = services.report_submit(data=report_input(**overrides))
        return report

    return make


@pytest.fixture
def submitted_report(make_report: Callable[..., Report]) -> Report:
    return make_report()


@pytest.fixture
def original_reporter(submitted_report: Report) -> Reporter:
    return submitted_report.reporters.get(is_original=True)


@pytest.fixture
def accepted_report(submitted_report: Report, alice: User) -> Report:
    """Accepted by alice; handled by the commune itself (no routing rule for waste)."""
    return services.report_accept(report=submitted_report, by=alice)


@pytest.fixture
def in_progress_report(accepted_report: Report, alice: User) -> Report:
    return services.report_assign(report=accepted_report, handler=alice, by=alice)


@pytest.fixture
def awaiting_approval_report(in_progress_report: Report, alice: User) -> Report:
    return services.report_draft_answer(
        report=in_progress_report, by=alice, answer="Đã thu gom rác và lắp biển cấm đổ rác."
    )


@pytest.fixture
def answered_report(awaiting_approval_report: Report, leader: User) -> Report:
    return services.report_approve_answer(report=awaiting_approval_report, by=leader)


@pytest.fixture
def confidential_report(
    make_report: Callable[..., Report],
    confidential_category: Category,
    commune_leader: User,
    alice: User,
) -> Report:
    """A complaint about alice's attitude, accepted by the commune leader naming alice: it goes
    to the level above the commune (the province)."""
    report = make_report(
        text="Cán bộ một cửa Nguyễn Thị An có thái độ hách dịch khi tôi nộp hồ sơ.",
        category=confidential_category,
        answers={},
        named_official_text="Nguyễn Thị An",
        reporter=services.ReporterInput(
            name="Lê Thị Mai", phone="0987000222", identity_private=True, consent_given=True
        ),
    )
    return services.report_accept(report=report, by=commune_leader, named_official=alice)
