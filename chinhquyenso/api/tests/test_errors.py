"""Every kind of failure answers in the one error shape, in Vietnamese."""

import logging

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.testing import TestClient

from chinhquyenso.api.errors import ApiConflict, ApiError, ErrorOut, install_error_handlers

api = NinjaAPI(urls_namespace="test-errors")
install_error_handlers(api)


class PayloadIn(Schema):
    name: str
    count: int


@api.post("/payload", response={200: dict, 400: ErrorOut})
def payload(request, data: PayloadIn):
    return {"name": data.name}


@api.get("/raise/{kind}")
def raise_(request, kind: str):
    errors = {
        "conflict": ApiConflict("Hồ sơ đã được tiếp nhận."),
        "custom": ApiError("Sai", status=422, code="unprocessable", details=[("a", "b")]),
        "http404": Http404("secret"),
        "does_not_exist": ObjectDoesNotExist("secret"),
        "django_field": ValidationError({"code": "Mã đơn vị 40 đã có."}),
        "django_plain": ValidationError("Không thể thu hồi."),
        "permission": PermissionDenied(),
        "integrity": IntegrityError("duplicate key value violates unique constraint"),
        "boom": RuntimeError("database password is hunter2"),
    }
    raise errors[kind]


ninja_client = TestClient(api)


def error_of(response, status):
    assert response.status_code == status
    body = response.json()
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


@pytest.mark.parametrize(
    ("kind", "status", "code", "message", "details"),
    [
        ("conflict", 409, "conflict", "Hồ sơ đã được tiếp nhận.", []),
        ("custom", 422, "unprocessable", "Sai", [{"field": "a", "message": "b"}]),
        ("http404", 404, "not_found", "Không tìm thấy.", []),
        ("does_not_exist", 404, "not_found", "Không tìm thấy.", []),
        (
            "django_field",
            400,
            "validation_error",
            "Mã đơn vị 40 đã có.",
            [{"field": "code", "message": "Mã đơn vị 40 đã có."}],
        ),
        ("django_plain", 400, "validation_error", "Không thể thu hồi.", []),
        ("permission", 403, "forbidden", "Khóa API không có quyền thực hiện thao tác này.", []),
        ("integrity", 409, "conflict", "Dữ liệu xung đột với trạng thái hiện tại.", []),
    ],
)
def test_errors_map_to_status_code_and_message(kind, status, code, message, details):
    error = error_of(ninja_client.get(f"/raise/{kind}"), status)
    assert error == {"code": code, "message": message, "details": details}


def test_unexpected_error_is_500_logged_without_leaking(caplog):
    with caplog.at_level(logging.ERROR, logger="chinhquyenso.api"):
        response = ninja_client.get("/raise/boom")
    error = error_of(response, 500)
    assert error["code"] == "internal_error"
    assert error["message"] == "Lỗi hệ thống, vui lòng thử lại sau."
    assert b"hunter2" not in response.content
    assert b"Traceback" not in response.content
    assert "hunter2" in caplog.text  # the operator sees it in the log


def test_body_validation_names_each_field_in_vietnamese():
    error = error_of(ninja_client.post("/payload", json={"count": "nhiều"}), 400)
    assert error["code"] == "validation_error"
    assert error["message"] == "Dữ liệu gửi lên không hợp lệ."
    assert error["details"] == [
        {"field": "name", "message": "Trường này là bắt buộc."},
        {"field": "count", "message": "Phải là số nguyên."},
    ]


def test_unparseable_json_body_is_400():
    response = ninja_client.post("/payload", data="{not json", content_type="application/json")
    error = error_of(response, 400)
    assert error["code"] == "validation_error"
    assert "JSON" in error["message"]


def test_openapi_documents_the_error_shape(client_api_schema):
    schemas = client_api_schema["components"]["schemas"]
    assert set(schemas["ErrorOut"]["properties"]) == {"error"}
    assert set(schemas["ErrorBodyOut"]["properties"]) == {"code", "message", "details"}
    units_get = client_api_schema["paths"]["/api/v1/units/"]["get"]["responses"]
    assert units_get["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }


@pytest.fixture
def client_api_schema(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()
