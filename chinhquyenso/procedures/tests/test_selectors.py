"""Reads: diacritic-insensitive search (SQLite folded text, PostgreSQL unaccent), filters."""

from __future__ import annotations

import datetime as dt

import pytest

from chinhquyenso.procedures.models import Procedure
from chinhquyenso.procedures.selectors import (
    get_procedure_by_code,
    procedure_search,
    procedures_for_unit,
    receiving_units,
)
from chinhquyenso.procedures.services import procedure_update

from .conftest import procedure_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(import_items, department):
    import_items(
        procedure_item(),
        procedure_item(
            "1.000894",
            name="Đăng ký kết hôn",
            online_level="partial",
            counter_note="Hai bên có mặt.",
        ),
        procedure_item(
            "2.000884",
            name="Chứng thực chữ ký",
            field={"code": "chung-thuc", "name": "Chứng thực"},
            online_level="none",
            form_schema={},
        ),
        procedure_item(
            "2.001610",
            name="Đăng ký thành lập doanh nghiệp tư nhân",
            field={"code": "doanh-nghiep", "name": "Thành lập và hoạt động doanh nghiệp"},
            unit_kinds=["service_centre"],
            handling_unit="000.00.11.H40",
        ),
        valid_from=dt.date(2025, 7, 1),
    )


def codes(procedures):
    return [p.code for p in procedures]


@pytest.mark.parametrize(
    "query",
    [
        "Đăng ký khai sinh",
        "khai sinh",
        "dang ky khai sinh",
        "KHAI SINH",
        "đăng  ký   khai sinh",
        "1.001193",
    ],
)
def test_search_ignores_case_and_diacritics(catalogue, query):
    assert codes(procedure_search(q=query)) == ["1.001193"]


def test_search_finds_by_field_name_too(catalogue):
    assert codes(procedure_search(q="chung thuc")) == ["2.000884"]
    assert set(codes(procedure_search(q="ho tich dang ky"))) == {"1.000894", "1.001193"}


def test_filters_by_field_unit_and_online_level(catalogue, commune, department, province):
    assert codes(procedure_search(field="chung-thuc")) == ["2.000884"]
    assert codes(procedure_search(online_level="partial")) == ["1.000894"]
    assert set(codes(procedure_search(unit=commune))) == {"1.001193", "1.000894", "2.000884"}
    assert codes(procedure_search(unit=department)) == ["2.001610"]
    assert codes(procedure_search(unit="service_centre")) == ["2.001610"]
    assert codes(procedure_search(unit=province)) == []
    assert codes(procedures_for_unit(department)) == ["2.001610"]


def test_stopped_procedures_and_future_versions_are_not_offered(catalogue):
    procedure_update(procedure=Procedure.objects.get(code="1.001193"), is_active=False, by=None)
    assert "1.001193" not in codes(procedure_search())
    assert codes(procedure_search(day=dt.date(2025, 6, 30))) == []
    assert get_procedure_by_code(" 1.001193 ").code == "1.001193"
    assert get_procedure_by_code("") is None
    assert get_procedure_by_code("9.999999") is None


def test_receiving_units_are_those_of_the_listed_kinds_and_handling_units(
    catalogue, commune, other_commune, department, province
):
    assert set(receiving_units()) == {commune, other_commune, department}
