"""End-to-end feedback journeys: the portal's Chromium fixtures, the feedback cast of
``feedback/tests/conftest.py`` plus the department's leader, and a photo with a GPS position."""

from __future__ import annotations

from pathlib import Path

import pytest

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.feedback.tests.citizen.browser.test_citizen_journeys import fresh_cache
from chinhquyenso.feedback.tests.journeys.photos import gps_tags, save_photo_with_position
from chinhquyenso.portal.tests.browser.conftest import browser, page, phone
from chinhquyenso.units.models import Unit

__all__ = ["browser", "fresh_cache", "page", "phone"]


@pytest.fixture
def department_leader(department: Unit) -> User:
    """The director of the department (Sở Xây dựng): approves its answers, decides reopenings."""
    return official_create(
        full_name="Hoàng Minh Đức",
        unit=department,
        roles=[Role.UNIT_LEADER],
        email="duc@example.vn",
        password=PASSWORD,
        by=None,
    )


@pytest.fixture
def gps_photo(tmp_path: Path) -> Path:
    """A phone photo of the pothole, its position in the EXIF."""
    path = save_photo_with_position(tmp_path / "o-ga-nguyen-du.jpg")
    assert gps_tags(path.read_bytes())  # the test photo really carries a position
    return path
