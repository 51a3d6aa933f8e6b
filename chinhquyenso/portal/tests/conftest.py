"""Extra cast for the portal tests, on top of the project-wide one (chinhquyenso/conftest.py)."""

from __future__ import annotations

import pytest

from chinhquyenso.accounts.models import AccountType, Role, User
from chinhquyenso.accounts.services import applicant_register, official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.units.models import Unit


@pytest.fixture
def sysadmin(province: Unit) -> User:
    """A system administrator at the province."""
    return official_create(
        full_name="Đỗ Quản Trị",
        unit=province,
        roles=[Role.SYSTEM_ADMIN],
        email="quantri@example.vn",
        password=PASSWORD,
        by=None,
    )


@pytest.fixture
def ops_leader(province: Unit) -> User:
    """A leader of the operations centre, who sees the whole province."""
    return official_create(
        full_name="Hoàng Điều Hành",
        unit=province,
        roles=[Role.OPERATIONS_LEADER, Role.SPECIALIST],
        phone="0987 654 321",
        job_title="Phó Giám đốc",
        password=PASSWORD,
        by=None,
    )


@pytest.fixture
def business(db: None) -> User:
    """A business with an account."""
    return applicant_register(
        full_name="Vũ Văn Doanh",
        email="doanh@congty.vn",
        account_type=AccountType.BUSINESS,
        organisation_name="Công ty TNHH Sen Vàng",
        tax_code="2901234567",
        password=PASSWORD,
    )
