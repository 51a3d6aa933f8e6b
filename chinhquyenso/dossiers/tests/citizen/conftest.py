"""The citizen's side of dossiers: charlie applies online; dana is another citizen; alice and bob
(officials of the standard cast) and the counter officer of ``dossiers/tests/conftest.py``.

Dossiers are built through the real services: ``draft`` opens charlie's online draft of the
inter-agency ``version`` (150.000 đ fee) at the commune, ``sent`` sends it with the required
document, ``received`` has the counter accept it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from chinhquyenso.accounts.models import User
from chinhquyenso.accounts.services import applicant_register
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.models import Dossier
from chinhquyenso.dossiers.tests.conftest import FORM_DATA, pdf_file
from chinhquyenso.procedures.models import ProcedureVersion
from chinhquyenso.units.models import Unit

#: What charlie types as the applicant: it must never reach the public look-up.
ID_NUMBER = "040090001234"
ADDRESS = "Số 12 đường Lê Lợi, phường Thành Vinh"


@pytest.fixture
def dana(db: None) -> User:
    """Another citizen."""
    return applicant_register(full_name="Vũ Thị Dung", email="dana@example.vn", password=PASSWORD)


def logged_in(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_charlie(charlie: User) -> Client:
    return logged_in(charlie)


@pytest.fixture
def open_draft(charlie: User, commune: Unit, version: ProcedureVersion) -> Callable[..., Dossier]:
    """Charlie's draft, saved through the service (with the application form by default)."""

    def make(
        *, form_data: dict[str, Any] | None = None, files: bool = True, **extra: Any
    ) -> Dossier:
        return services.dossier_draft_save(
            version=extra.pop("version", version),
            receiving_unit=extra.pop("receiving_unit", commune),
            applicant_info=services.ApplicantInput(
                name=charlie.full_name,
                id_number=ID_NUMBER,
                phone=charlie.phone or "",
                email="chi@example.vn",
                address=ADDRESS,
            ),
            form_data=dict(FORM_DATA) if form_data is None else form_data,
            by=charlie,
            files={"don": [pdf_file("don-de-nghi.pdf")]} if files else None,
            **extra,
        )

    return make


@pytest.fixture
def draft(open_draft: Callable[..., Dossier]) -> Dossier:
    return open_draft()


@pytest.fixture
def sent(draft: Dossier, charlie: User) -> Dossier:
    """Charlie's dossier, sent online (status 1)."""
    return services.dossier_submit(dossier=draft, by=charlie)


@pytest.fixture
def received(sent: Dossier, counter_officer: User) -> Dossier:
    """Accepted at the commune's counter (status 2): appointment set, fee 150.000 đ due."""
    return services.dossier_accept(dossier=sent, by=counter_officer)
