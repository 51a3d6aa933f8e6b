"""The standard cast every app's tests use: officials of two communes, their leader, a citizen."""

from __future__ import annotations

import pytest

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import applicant_register, official_create
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.services import unit_create

PASSWORD = "mat-khau-thu-nghiem-2026"


@pytest.fixture(autouse=True)
def _fresh_process_copies() -> None:
    """Each test's database is rolled back: no row an earlier test read is kept by the process
    (API clients, feedback categories, calendar overrides: ``core/process_copies.py``)."""
    from chinhquyenso.core.process_copies import forget_every_copy

    forget_every_copy()


@pytest.fixture
def province(db: None) -> Unit:
    return unit_create(parent=None, kind=UnitKind.PROVINCE, name="Tỉnh Nghệ An", code="40", by=None)


@pytest.fixture
def commune(province: Unit) -> Unit:
    return unit_create(
        parent=province,
        kind=UnitKind.WARD,
        name="Phường Thành Vinh",
        short_name="UBND",
        code="16681",
        agency_code="000.00.01.H40",
        by=None,
    )


@pytest.fixture
def other_commune(province: Unit) -> Unit:
    return unit_create(
        parent=province, kind=UnitKind.COMMUNE, name="Xã Anh Sơn", code="17329", by=None
    )


@pytest.fixture
def alice(commune: Unit) -> User:
    """A specialist of the owning unit."""
    return official_create(
        full_name="Nguyễn Thị An",
        unit=commune,
        roles=[Role.SPECIALIST],
        email="alice@example.vn",
        password=PASSWORD,
        by=None,
    )


@pytest.fixture
def bob(other_commune: Unit) -> User:
    """A specialist of another unit."""
    return official_create(
        full_name="Trần Văn Bình",
        unit=other_commune,
        roles=[Role.SPECIALIST],
        email="bob@example.vn",
        password=PASSWORD,
        by=None,
    )


@pytest.fixture
def leader(province: Unit) -> User:
    """A leader of the province, above both communes."""
    return official_create(
        full_name="Lê Văn Lãnh",
        unit=province,
        roles=[Role.UNIT_LEADER],
        email="leader@example.vn",
        password=PASSWORD,
        by=None,
    )


@pytest.fixture
def charlie(db: None) -> User:
    """A citizen with an account."""
    return applicant_register(full_name="Phạm Thị Chi", phone="0912 345 678", password=PASSWORD)
