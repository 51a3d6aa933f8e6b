"""Fixtures of the interface tests: the demo categories, connected systems, a few reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.api.models import ApiClient, ApiScope
from chinhquyenso.api.services import api_client_create
from chinhquyenso.feedback import services
from chinhquyenso.feedback.demo import feedback_demo_load
from chinhquyenso.feedback.models import Category, Report
from chinhquyenso.units.models import Unit

MakeClient = Callable[..., tuple[ApiClient, str]]
ALL_FEEDBACK = [
    ApiScope.FEEDBACK_READ,
    ApiScope.FEEDBACK_WRITE,
    ApiScope.FEEDBACK_PROCESS,
]


@pytest.fixture
def categories(province: Unit) -> dict[str, Category]:
    feedback_demo_load(reports=0)
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def make_api_client(db: None) -> MakeClient:
    counter = iter(range(1, 1000))

    def make(**kwargs: Any) -> tuple[ApiClient, str]:
        kwargs.setdefault("name", f"Hệ thống thử {next(counter)}")
        kwargs.setdefault("scopes", ALL_FEEDBACK)
        kwargs.setdefault("by", None)
        return api_client_create(**kwargs)

    return make


@pytest.fixture
def commune_leader(commune: Unit) -> User:
    return official_create(
        full_name="Hồ Văn Trưởng",
        unit=commune,
        roles=[Role.UNIT_LEADER],
        email="truong@example.vn",
        password=None,
        by=None,
    )


def submit(
    category: Category,
    commune: Unit,
    text: str = "Rác thải tồn đọng ở đường Lê Lợi nhiều ngày.",
    **kwargs: Any,
) -> Report:
    reporter = kwargs.pop("reporter", services.ReporterInput())
    report, _reporter = services.report_submit(
        data=services.ReportInput(
            text=text, category=category, commune=commune, reporter=reporter, **kwargs
        )
    )
    return report


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
