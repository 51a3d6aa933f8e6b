"""Data for the public-page tests.

``seed_report`` writes rows through the ORM, for read-side tests only: the figures of the
per-unit table, periods and paging need exact times and states that the services take from the
clock. ``test_through_services.py`` makes its reports through the real services (submit →
accept → answer → approve → publish), with the fixtures of ``feedback/tests/conftest.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from chinhquyenso.feedback.codes import new_access_token, new_tracking_code
from chinhquyenso.feedback.models import Category, Rating, Report, Reporter, Status
from chinhquyenso.feedback.services import _public_search_text
from chinhquyenso.units.models import Unit

#: What a reporter wrote about themselves: must never reach a public page.
PRIVATE_NAME = "Nguyễn Văn Hùng"
PRIVATE_PHONE = "0912345678"
PRIVATE_EMAIL = "hung.nguyen@example.vn"


def at(day: str, hour: int = 9) -> dt.datetime:
    """An aware local datetime from ``"2026-03-02"``."""
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def traffic(db: None) -> Category:
    return Category.objects.create(code="giao-thong", name="Giao thông", sort_order=1)


@pytest.fixture
def road_category(traffic: Category) -> Category:
    return Category.objects.create(code="duong-giao-thong", name="Đường giao thông", parent=traffic)


@pytest.fixture
def waste_category(db: None) -> Category:
    return Category.objects.create(code="ve-sinh-moi-truong", name="Môi trường", sort_order=2)


@pytest.fixture
def attitude(db: None) -> Category:
    return Category.objects.create(
        code="thai-do-phuc-vu", name="Thái độ cán bộ", is_confidential=True, sort_order=3
    )


ReportFactory = Callable[..., Report]


@pytest.fixture
def seed_report(commune: Unit, waste_category: Category) -> ReportFactory:
    """A published, answered report unless told otherwise (ORM rows, read-side tests only)."""

    def make(**fields: Any) -> Report:
        submitted = fields.pop("submitted_at", at("2026-03-02"))
        published = fields.pop("published", True)
        answered_at = fields.pop("answered_at", submitted + dt.timedelta(days=2))
        values: dict[str, Any] = {
            "tracking_code": new_tracking_code(),
            "status": Status.ANSWERED,
            "category": waste_category,
            "text": f"Rác thải ứ đọng, liên hệ {PRIVATE_NAME} số {PRIVATE_PHONE}.",
            "commune": commune,
            "receiving_unit": commune,
            "handling_unit": commune,
            "address": "Số 5 ngõ 7 đường Lê Lợi",
            "submitted_at": submitted,
            "accept_due_at": submitted + dt.timedelta(hours=8),
            "accepted_at": submitted + dt.timedelta(hours=1),
            "answer_due_at": submitted + dt.timedelta(days=14),
            "answered_at": answered_at,
            "answer": f"Đã xử lý, đã gọi cho ông {PRIVATE_NAME} ({PRIVATE_PHONE}).",
            "is_published": published,
            "public_text": "Rác thải ứ đọng, liên hệ [đã ẩn] số [đã ẩn].",
            "public_answer": "Đã xử lý, đã gọi cho người phản ánh.",
            "published_at": (answered_at or submitted) + dt.timedelta(hours=1)
            if published
            else None,
            "latitude": Decimal("18.679312"),
            "longitude": Decimal("105.681234"),
        }
        values.update(fields)
        report = Report(**values)
        if published and "public_search_text" not in fields:
            # What report_publish stores for the public search.
            report.public_search_text = _public_search_text(report)
        report.save()
        Reporter.objects.create(
            report=report,
            is_original=True,
            name=PRIVATE_NAME,
            phone=PRIVATE_PHONE,
            email=PRIVATE_EMAIL,
            access_token=new_access_token(),
            joined_at=submitted,
        )
        return report

    return make


def rate(report: Report, *values: str) -> None:
    """Ratings on *report*, one per (new) co-reporter."""
    for value in values:
        reporter = Reporter.objects.create(
            report=report, access_token=new_access_token(), joined_at=report.submitted_at
        )
        Rating.objects.create(
            report=report, reporter=reporter, value=value, rated_at=timezone.now()
        )
