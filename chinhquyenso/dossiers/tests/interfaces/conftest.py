"""Fixtures of the dossier interface tests: connected systems with dossier scopes, files kept in
a temporary folder, and requests in the API's formats."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chinhquyenso.api.models import ApiClient, ApiScope
from chinhquyenso.api.services import api_client_create

MakeClient = Callable[..., tuple[ApiClient, str]]
URL = "/api/v1/dossiers/"
ALL_DOSSIERS = [ApiScope.DOSSIERS_READ, ApiScope.DOSSIERS_WRITE, ApiScope.DOSSIERS_PROCESS]


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def make_api_client(db: None) -> MakeClient:
    """Register a connected system through the service; returns (client, key)."""
    counter = iter(range(1, 1000))

    def make(**kwargs: Any) -> tuple[ApiClient, str]:
        kwargs.setdefault("name", f"Cổng dịch vụ công thử {next(counter)}")
        kwargs.setdefault("scopes", ALL_DOSSIERS)
        kwargs.setdefault("by", None)
        return api_client_create(**kwargs)

    return make


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def submission(**overrides: Any) -> dict[str, Any]:
    """The JSON part of an online submission of the test procedure at the test ward."""
    payload: dict[str, Any] = {
        "procedure": "1.009994.000.00.00.H40",
        "receiving_unit": "16681",
        "channel": 2,
        "applicant": {
            "name": "Lê Văn Tám",
            "id_number": "040090001234",
            "phone": "0912345678",
            "email": "tam@example.vn",
        },
        "form_data": {"ho_ten_tre": "Nguyễn Minh Khang", "ngay_sinh": "2026-11-02"},
    }
    payload.update(overrides)
    return payload


def multipart(payload: dict[str, Any], **files: Any) -> dict[str, Any]:
    """Form data of a multipart submission: the JSON part and ``component.<code>`` files."""
    return {"dossier": json.dumps(payload), **{f"component.{k}": v for k, v in files.items()}}


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    return error


def fields_of(error: dict[str, Any]) -> set[str]:
    return {detail["field"] for detail in error["details"]}
