"""Fees paid in cash at the counter: the receiving counter records the receipt number, once;
the dossier then shows it paid to the official and to the applicant, in the history and the
API; nobody else may record it, and a dossier with nothing to pay offers no such action."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from chinhquyenso.accounts.models import User
from chinhquyenso.api.models import ApiScope
from chinhquyenso.api.services import api_client_create
from chinhquyenso.core.audit import AuditEntry
from chinhquyenso.dossiers.models import Dossier, DossierEvent, Status
from chinhquyenso.dossiers.services import dossier_accept, fee_due
from chinhquyenso.dossiers.tests.conftest import build_version
from chinhquyenso.dossiers.tests.staff.conftest import client_for, fresh, post_action
from chinhquyenso.units.models import Unit

pytestmark = pytest.mark.django_db


def test_the_counter_records_a_cash_payment_with_its_receipt(
    register: Callable[..., Dossier], counter_officer: User
) -> None:
    dossier = register()
    assert fee_due(dossier) == 150_000
    counter = client_for(counter_officer)
    page = counter.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Thu phí, lệ phí tại quầy" in page and "Chưa nộp: còn 150.000" in page

    missing = post_action(counter, dossier, "collect_fee", **{"collect_fee-receipt_number": ""})
    assert missing.status_code == 400
    assert "Xin nhập số biên lai" in missing.content.decode()
    assert fresh(dossier).paid_at is None

    done = post_action(counter, dossier, "collect_fee", **{"collect_fee-receipt_number": "0001234"})
    assert done.status_code == 302
    paid = fresh(dossier)
    assert paid.paid_at is not None and not paid.paid_online
    assert (paid.payment_reference, paid.fee_amount, fee_due(paid)) == ("0001234", 150_000, 0)
    assert paid.status == Status.NEW  # paying moves no status
    event = DossierEvent.objects.get(dossier=dossier, action="pay")
    assert event.actor == counter_officer and event.note == "0001234"
    assert AuditEntry.objects.filter(action="dossier.pay", object_id=str(dossier.pk)).exists()
    page = counter.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "tại quầy, biên lai số 0001234" in page
    assert "Thu phí, lệ phí tại quầy" not in page  # nothing left to collect

    again = post_action(
        counter, dossier, "collect_fee", **{"collect_fee-receipt_number": "0001235"}
    )
    assert again.status_code == 302
    shown = counter.get(again["Location"]).content.decode()
    assert "Thao tác này không thực hiện được" in shown
    assert fresh(dossier).payment_reference == "0001234"


def test_only_the_receiving_counter_collects(
    register: Callable[..., Dossier], counter_officer: User, dept_specialist: User, bob: User
) -> None:
    dossier = register()
    with_counter_accept = dossier_accept(dossier=dossier, by=counter_officer)
    for outsider in (dept_specialist, bob):
        answer = post_action(
            client_for(outsider),
            with_counter_accept,
            "collect_fee",
            **{"collect_fee-receipt_number": "0009999"},
        )
        assert answer.status_code in (302, 404)  # refused, or not even visible
    assert fresh(dossier).paid_at is None


def test_a_dossier_without_fee_offers_no_collection(
    register: Callable[..., Dossier], counter_officer: User, department: Unit
) -> None:
    free = build_version(code="2.000001.000.00.00.H40", handling_unit=department)
    dossier = register(version=free)
    counter = client_for(counter_officer)
    assert (
        "Thu phí, lệ phí tại quầy"
        not in counter.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    )
    answer = post_action(counter, dossier, "collect_fee", **{"collect_fee-receipt_number": "01"})
    assert answer.status_code == 302
    assert fresh(dossier).paid_at is None


def test_the_api_records_a_cash_payment(
    client: Client, register: Callable[..., Dossier], counter_officer: User, commune: Unit
) -> None:
    dossier = register()
    _api, key = api_client_create(
        name="Quầy một cửa", scopes=[ApiScope.DOSSIERS_PROCESS], units=[commune], by=None
    )
    url = f"/api/v1/dossiers/{dossier.code}/actions/collect_fee"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = {"official": counter_officer.email, "receipt_number": ""}
    refused = client.post(url, body, content_type="application/json", **headers)
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "receipt_number"
    body["receipt_number"] = "BL-0042"
    answer = client.post(url, body, content_type="application/json", **headers)
    assert answer.status_code == 200, answer.content
    assert fresh(dossier).payment_reference == "BL-0042"


def test_every_action_has_its_form_and_its_message() -> None:
    from chinhquyenso.dossiers.actions import ACTIONS
    from chinhquyenso.dossiers.forms.staff import ACTION_FORMS

    assert set(ACTIONS) == set(ACTION_FORMS)
    assert all(str(form.done_message).startswith("Đã ") for form in ACTION_FORMS.values())
