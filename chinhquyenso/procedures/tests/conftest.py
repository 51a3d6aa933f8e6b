"""Fixtures of the catalogue tests: procedures made through the import service."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.procedures.services import ImportReport, procedures_import
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.services import unit_create

BIRTH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["ho_ten_tre", "ngay_sinh", "so_dinh_danh_me"],
    "properties": {
        "ho_ten_tre": {"type": "string", "title": "Họ, chữ đệm, tên của trẻ", "minLength": 2},
        "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
        "so_dinh_danh_me": {
            "type": "string",
            "title": "Số định danh cá nhân của mẹ",
            "pattern": "^[0-9]{12}$",
            "x-message": "Số định danh cá nhân gồm đúng 12 chữ số.",
        },
    },
    "additionalProperties": False,
}

STEPS_ONE_DAY = [
    {"name": "Tiếp nhận", "actor": "receiving", "role": "one_stop_officer", "days": 0.25},
    {"name": "Thẩm tra", "actor": "handling", "role": "specialist", "days": 0.5},
    {"name": "Ký", "actor": "handling", "role": "unit_leader", "days": 0.25},
]


def procedure_item(code: str = "1.001193", **changes: Any) -> dict[str, Any]:
    """One procedure in the JSON import format; *changes* replace its keys."""
    item: dict[str, Any] = {
        "code": code,
        "name": "Đăng ký khai sinh",
        "field": {"code": "ho-tich", "name": "Hộ tịch"},
        "online_level": "full",
        "unit_kinds": ["commune", "ward"],
        "processing_days": 1,
        "result_type": "both",
        "result_name": "Giấy khai sinh",
        "legal_basis": ["Luật Hộ tịch số 60/2014/QH13", "Nghị định số 123/2015/NĐ-CP"],
        "source": "Cơ sở dữ liệu quốc gia về thủ tục hành chính",
        "fees": [{"name": "Lệ phí đăng ký khai sinh", "amount": 0, "exemption": "Miễn lệ phí"}],
        "components": [
            {"code": "to-khai", "name": "Tờ khai đăng ký khai sinh", "form": "original"},
            {"code": "giay-chung-sinh", "name": "Giấy chứng sinh", "form": "original"},
        ],
        "steps": copy.deepcopy(STEPS_ONE_DAY),
        "form_schema": copy.deepcopy(BIRTH_SCHEMA),
    }
    item.update(changes)
    return item


def as_json(*items: dict[str, Any]) -> str:
    return json.dumps({"procedures": list(items)}, ensure_ascii=False, indent=2)


ImportItems = Callable[..., ImportReport]


@pytest.fixture
def import_items(db: None) -> ImportItems:
    """Import the given items as a JSON file; raise if the import reports problems."""

    def run(
        *items: dict[str, Any], valid_from: dt.date | None = None, by: Any = None
    ) -> ImportReport:
        report = procedures_import(source=as_json(*items), fmt="json", by=by, valid_from=valid_from)
        assert report.ok, report.errors
        return report

    return run


@pytest.fixture
def department(province: Unit) -> Unit:
    return unit_create(
        parent=province,
        kind=UnitKind.DEPARTMENT,
        name="Sở Tư pháp",
        code="40-STP",
        agency_code="000.00.11.H40",
        by=None,
    )


@pytest.fixture
def sysadmin(province: Unit) -> User:
    return official_create(
        full_name="Đỗ Quản Trị",
        unit=province,
        roles=[Role.SYSTEM_ADMIN],
        email="quantri@example.vn",
        password=PASSWORD,
        by=None,
    )
