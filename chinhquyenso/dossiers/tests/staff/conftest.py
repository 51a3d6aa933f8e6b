"""Dossiers at the stages an official meets them, built through the services with the clock set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from chinhquyenso.accounts.models import User
from chinhquyenso.core.clock import clock_at
from chinhquyenso.dossiers.models import Dossier
from chinhquyenso.dossiers.services import (
    dossier_accept,
    dossier_attach_result,
    dossier_forward,
)
from chinhquyenso.dossiers.tests.conftest import at, pdf_file


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def accepted(register: Callable[..., Dossier], counter_officer: User) -> Dossier:
    """Registered and accepted at the commune on Monday 02/11/2026; now at the department's
    specialist (step "Thẩm định")."""
    dossier = register("02/11/2026 08:00")
    with clock_at(at("02/11/2026 08:30")):
        return dossier_accept(dossier=dossier, by=counter_officer)


@pytest.fixture
def at_leader(accepted: Dossier, dept_specialist: User) -> Dossier:
    """Forwarded by the department's specialist to its leader for approval."""
    with clock_at(at("03/11/2026 10:00")):
        return dossier_forward(dossier=accepted, by=dept_specialist, note="Đủ điều kiện cấp phép")


@pytest.fixture
def processed(at_leader: Dossier, dept_leader: User) -> Dossier:
    """Approved with the result attached: back at the commune's counter, status 9."""
    with clock_at(at("04/11/2026 09:00")):
        dossier_attach_result(dossier=at_leader, by=dept_leader, upload=pdf_file("giay-phep.pdf"))
        return dossier_forward(dossier=at_leader, by=dept_leader)


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def post_action(client: Client, dossier: Dossier, action: str, **data: Any) -> Any:
    return client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/{action}/", data, follow=False)
