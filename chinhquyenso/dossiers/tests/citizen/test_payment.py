"""Paying a dossier's fee online through the local gateway simulator, with the test client:
from the dossier page to the gateway and back, a replayed confirmation, who may pay."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.models import Dossier
from chinhquyenso.dossiers.payments import PURPOSE, fee_paid
from chinhquyenso.dossiers.tests.citizen.conftest import logged_in
from chinhquyenso.dossiers.tests.conftest import build_version
from chinhquyenso.payments import services as payment_services
from chinhquyenso.payments.models import Payment, PaymentStatus
from chinhquyenso.payments.tests.conftest import gateway_message
from chinhquyenso.payments.views import ipn_answer
from chinhquyenso.portal.tests.test_pages import text_of
from chinhquyenso.procedures.models import OnlineLevel

pytestmark = pytest.mark.django_db


def page_url(dossier: Dossier, name: str = "my_dossier") -> str:
    return reverse(f"dossiers:{name}", kwargs={"code": dossier.code})


def fields_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def pay_through_simulator(client, dossier: Dossier, outcome: str = "success") -> str:
    """Press "Nộp phí trực tuyến", choose *outcome* on the simulator; the return URL."""
    to_gateway = client.post(page_url(dossier, "pay"))
    assert to_gateway.status_code == 302
    gateway_url = to_gateway["Location"]
    assert urlsplit(gateway_url).path == reverse("payments:simulator")
    simulator = client.get(gateway_url)
    assert simulator.status_code == 200
    assert "150.000" in text_of(simulator)
    back = client.post(
        reverse("payments:simulator"), {**fields_of(gateway_url), "ket_qua": outcome}
    )
    assert back.status_code == 302
    return back["Location"]


def test_the_handler_for_dossier_fees_is_registered() -> None:
    assert payment_services.PAYMENT_HANDLERS[PURPOSE] is fee_paid


def test_applicant_pays_the_fee_online_and_gets_a_receipt(as_charlie, received):
    page = text_of(as_charlie.get(page_url(received)))
    assert "Số tiền cần nộp: 150.000 đồng" in page
    assert "Nộp phí trực tuyến" in page

    return_url = pay_through_simulator(as_charlie, received)
    result = as_charlie.get(return_url)
    assert "Thanh toán thành công" in text_of(result)
    assert f'href="{page_url(received)}"' in result.content.decode()  # "Quay lại hồ sơ"

    received.refresh_from_db()
    payment = Payment.objects.get(purpose=PURPOSE, reference=received.code)
    assert payment.status == PaymentStatus.PAID
    assert received.paid_at is not None and received.paid_online
    assert received.payment_reference == payment.txn_ref
    assert received.fee_amount == 150_000
    assert services.fee_due(received) == 0

    back = as_charlie.get(page_url(received))
    text = text_of(back)
    assert "Đã nộp phí : 150.000 đồng" in text
    assert "(trực tuyến)" in text
    assert "Nộp phí trực tuyến" not in text
    receipt = reverse("payments:receipt", kwargs={"txn_ref": payment.txn_ref})
    assert f'href="{receipt}"' in back.content.decode()
    assert as_charlie.get(receipt).status_code == 200
    # The public history shows the payment step, with no amount or name.
    assert received.events.filter(action="pay").count() == 1


def test_a_replayed_confirmation_does_not_pay_twice(as_charlie, received):
    return_url = pay_through_simulator(as_charlie, received)
    as_charlie.get(return_url)
    received.refresh_from_db()
    paid_at = received.paid_at

    replay = as_charlie.get(reverse("payments:ipn"), fields_of(return_url))
    assert replay.json()["RspCode"] == "02"  # already confirmed
    as_charlie.get(return_url)  # the browser reloads the result page
    received.refresh_from_db()
    assert received.paid_at == paid_at
    assert received.events.filter(action="pay").count() == 1
    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == 1


def test_a_tampered_confirmation_pays_nothing(as_charlie, received):
    return_url = pay_through_simulator(as_charlie, received, outcome="cancel")
    fields = fields_of(return_url)
    fields.update(vnp_ResponseCode="00", vnp_TransactionStatus="00")  # signature now wrong
    answer = as_charlie.get(reverse("payments:ipn"), fields)
    assert answer.json()["RspCode"] == "97"
    received.refresh_from_db()
    assert received.paid_at is None


def test_a_cancelled_payment_can_be_tried_again(as_charlie, received):
    as_charlie.get(pay_through_simulator(as_charlie, received, outcome="cancel"))
    received.refresh_from_db()
    assert received.paid_at is None
    assert "Nộp phí trực tuyến" in text_of(as_charlie.get(page_url(received)))
    as_charlie.get(pay_through_simulator(as_charlie, received))
    received.refresh_from_db()
    assert received.paid_at is not None
    assert Payment.objects.filter(reference=received.code).count() == 2


def test_pressing_pay_twice_reuses_the_pending_payment(as_charlie, received):
    first = as_charlie.post(page_url(received, "pay"))
    second = as_charlie.post(page_url(received, "pay"))
    assert first.status_code == second.status_code == 302
    payment = Payment.objects.get(reference=received.code)
    assert payment.txn_ref in fields_of(second["Location"])["vnp_TxnRef"]


def test_only_the_applicant_pays(received, dana, alice):
    for user in (dana, alice):
        assert logged_in(user).post(page_url(received, "pay")).status_code == 404
    assert not Payment.objects.exists()


def test_no_online_payment_without_fee_or_for_a_partial_procedure(
    as_charlie, open_draft, charlie, counter_officer, department
):
    partial = build_version(
        code="1.000003.H40", handling_unit=department, online_level=OnlineLevel.PARTIAL, fee=20_000
    )
    dossier = services.dossier_submit(dossier=open_draft(version=partial), by=charlie)
    services.dossier_accept(dossier=dossier, by=counter_officer)
    text = text_of(as_charlie.get(page_url(dossier)))
    assert "Số tiền cần nộp: 20.000 đồng , nộp tại bộ phận một cửa." in text
    assert "Nộp phí trực tuyến" not in text
    refused = as_charlie.post(page_url(dossier, "pay"))
    assert refused["Location"] == page_url(dossier)
    assert "không có khoản phí cần nộp trực tuyến" in text_of(as_charlie.get(page_url(dossier)))
    assert not Payment.objects.exists()


def test_a_confirmation_for_an_unknown_dossier_is_not_confirmed(charlie, commune):
    payment = payment_services.payment_create(
        purpose=PURPOSE,
        reference="000.00.01.H40-260101-0999",
        amount=150_000,
        order_info="Lệ phí",
        payer=charlie,
        by=charlie,
        unit=commune,
    )
    payment_services.payment_start(
        payment=payment, return_url="http://testserver/", client_ip=None, locale="vi", by=charlie
    )
    answer = ipn_answer(gateway_message(payment), client_ip=None)
    assert answer["RspCode"] == "99"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
