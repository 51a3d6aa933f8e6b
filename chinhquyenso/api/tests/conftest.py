from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chinhquyenso.api.models import ApiClient, ApiScope
from chinhquyenso.api.services import api_client_create

MakeClient = Callable[..., tuple[ApiClient, str]]


@pytest.fixture
def make_api_client(db: None) -> MakeClient:
    """Register a connected system through the service; returns (client, key)."""
    counter = iter(range(1, 1000))

    def make(**kwargs: Any) -> tuple[ApiClient, str]:
        kwargs.setdefault("name", f"Hệ thống thử {next(counter)}")
        kwargs.setdefault("scopes", [ApiScope.UNITS_READ])
        kwargs.setdefault("by", None)
        return api_client_create(**kwargs)

    return make


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
