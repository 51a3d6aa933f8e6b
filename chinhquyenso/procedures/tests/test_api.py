"""API v1 of the catalogue: public, searchable, one procedure as in force on a day."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import procedure_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(import_items, department):
    import_items(
        procedure_item(),
        procedure_item(
            "2.001610",
            name="Đăng ký thành lập doanh nghiệp tư nhân",
            field={"code": "doanh-nghiep", "name": "Doanh nghiệp"},
            unit_kinds=["service_centre"],
            handling_unit="000.00.11.H40",
            online_level="partial",
            counter_note="Nhận bản giấy tại Trung tâm.",
            fees=[{"name": "Phí công bố", "amount": 100000}],
        ),
        valid_from=dt.date(2025, 7, 1),
    )
    changed = procedure_item(fees=[{"name": "Lệ phí đăng ký khai sinh", "amount": 5000}])
    import_items(changed, valid_from=dt.date(2026, 1, 1))


def test_list_is_public_paginated_and_ignores_diacritics(client, catalogue):
    response = client.get("/api/v1/procedures/", {"q": "dang ky", "limit": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert len(body["items"]) == 1
    response = client.get("/api/v1/procedures/", {"q": "doanh nghiep"})
    assert response.json()["items"] == [
        {
            "code": "2.001610",
            "name": "Đăng ký thành lập doanh nghiệp tư nhân",
            "field": {"code": "doanh-nghiep", "name": "Doanh nghiệp"},
            "version": 1,
            "online_level": "partial",
            "processing_days": 1,
            "unit_kinds": ["service_centre"],
            "fee_total": 100000,
        }
    ]


def test_list_filters(client, catalogue, department, commune):
    def list_codes(**params):
        return [i["code"] for i in client.get("/api/v1/procedures/", params).json()["items"]]

    assert list_codes(field="ho-tich") == ["1.001193"]
    assert list_codes(online_level="partial") == ["2.001610"]
    assert list_codes(unit="000.00.11.H40") == ["2.001610"]
    assert list_codes(unit="16681") == ["1.001193"]
    assert list_codes(unit="ward") == ["1.001193"]


def test_list_shows_the_version_in_force_today(client, catalogue):
    item = next(
        i for i in client.get("/api/v1/procedures/").json()["items"] if i["code"] == "1.001193"
    )
    assert (item["version"], item["fee_total"]) == (2, 5000)


def test_bad_filters_get_the_error_shape(client, catalogue):
    response = client.get("/api/v1/procedures/", {"unit": "khong-co"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["details"][0]["field"] == "unit"
    response = client.get("/api/v1/procedures/", {"online_level": "level4"})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "online_level"


def test_detail_has_everything_a_dossier_needs(client, catalogue):
    response = client.get("/api/v1/procedures/1.001193")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2
    assert body["valid_from"] == "2026-01-01"
    assert body["processing_days"] == 1
    assert body["online_level"] == "full"
    assert body["fees"] == [{"name": "Lệ phí đăng ký khai sinh", "amount": 5000, "exemption": ""}]
    assert [c["code"] for c in body["components"]] == ["to-khai", "giay-chung-sinh"]
    assert body["components"][0]["template_url"] is None
    assert [(s["order"], s["actor"], s["role"]) for s in body["steps"]] == [
        (1, "receiving", "one_stop_officer"),
        (2, "handling", "specialist"),
        (3, "handling", "unit_leader"),
    ]
    assert body["form_schema"]["required"] == ["ho_ten_tre", "ngay_sinh", "so_dinh_danh_me"]
    assert body["legal_basis"] == ["Luật Hộ tịch số 60/2014/QH13", "Nghị định số 123/2015/NĐ-CP"]
    assert body["handling_unit"] is None


def test_detail_on_a_past_day_gives_the_version_then(client, catalogue):
    body = client.get("/api/v1/procedures/1.001193", {"on": "2025-12-31"}).json()
    assert (body["version"], body["valid_to"], body["fees"][0]["amount"]) == (1, "2025-12-31", 0)
    body = client.get("/api/v1/procedures/2.001610").json()
    assert body["handling_unit"] == {
        "code": "40-STP",
        "agency_code": "000.00.11.H40",
        "name": "Sở Tư pháp",
    }


def test_unknown_code_or_day_before_any_version_is_404_in_the_error_shape(client, catalogue):
    for url, params in (
        ("/api/v1/procedures/9.999999", {}),
        ("/api/v1/procedures/1.001193", {"on": "2020-01-01"}),
    ):
        response = client.get(url, params)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert "Không có thủ tục mã" in response.json()["error"]["message"]
    response = client.get("/api/v1/procedures/1.001193", {"on": "31/12/2025"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_openapi_documents_the_public_catalogue(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/procedures/{code}"]["get"]
    assert "không cần khóa API" in operation["description"]
    assert "security" not in operation
    assert "404" in operation["responses"]
    assert "/procedures/" in schema["info"]["description"]
