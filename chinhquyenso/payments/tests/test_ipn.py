"""The gateway's server notice (IPN): verified before anything is written, idempotent, logged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chinhquyenso.core.models import AuditEntry
from chinhquyenso.payments import selectors, services
from chinhquyenso.payments.models import (
    CallbackResolution,
    EventKind,
    EventOutcome,
    Payment,
    PaymentEvent,
    PaymentStatus,
    ProviderVerdict,
    ReceiptSequence,
)

pytestmark = pytest.mark.django_db

IPN = reverse("payments:ipn")


def notify(client, params, **extra):
    response = client.get(IPN, params, REMOTE_ADDR="113.160.92.202", **extra)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def fresh(payment: Payment) -> Payment:
    return Payment.objects.get(pk=payment.pk)


def snapshot(payment: Payment) -> dict:
    values = Payment.objects.filter(pk=payment.pk).values().get()
    return {**values, "audit_rows": AuditEntry.objects.count()}


def test_a_signed_success_confirms_the_payment_once(client, payment, signed, paid_handler):
    answer = notify(client, signed(payment))
    assert answer == {"RspCode": "00", "Message": "Confirm Success"}
    paid = fresh(payment)
    assert paid.status == PaymentStatus.PAID
    assert paid.receipt_number.startswith("BLTT-")
    assert paid.receipt_number.endswith("-0000001")
    assert paid.provider_transaction_no == "14226112"
    assert paid.bank_code == "NCB"
    assert paid.paid_at is not None
    assert paid_handler == [paid]
    event = PaymentEvent.objects.get()
    assert (event.kind, event.outcome, event.payment) == (
        EventKind.IPN,
        EventOutcome.ACCEPTED,
        paid,
    )
    assert event.ip_address == "113.160.92.202"
    assert event.params["vnp_TxnRef"] == payment.txn_ref
    assert AuditEntry.objects.filter(action="payment.confirm", object_id=str(paid.pk)).exists()


def test_a_replayed_notice_is_answered_02_and_changes_nothing(
    client, payment, signed, paid_handler
):
    message = signed(payment)
    notify(client, message)
    before = snapshot(payment)
    for _attempt in range(2):
        assert notify(client, message) == {"RspCode": "02", "Message": "Order already confirmed"}
    assert snapshot(payment) == before
    assert len(paid_handler) == 1
    assert ReceiptSequence.objects.get().last_number == 1
    outcomes = list(PaymentEvent.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == [EventOutcome.ACCEPTED, EventOutcome.DUPLICATE, EventOutcome.DUPLICATE]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda p: {**p, "vnp_Amount": "100"}, id="amount"),
        pytest.param(
            lambda p: {**p, "vnp_ResponseCode": "00", "vnp_TransactionStatus": "00"},
            id="failure-turned-into-success",
        ),
        pytest.param(lambda p: {**p, "vnp_SecureHash": "ab" * 64}, id="signature"),
        pytest.param(
            lambda p: {k: v for k, v in p.items() if k != "vnp_SecureHash"}, id="unsigned"
        ),
    ],
)
def test_a_tampered_notice_is_answered_97_and_only_logged(client, payment, signed, tamper):
    message = signed(payment, response_code="51", status="02")
    forged = tamper(message)
    before = snapshot(payment)
    assert notify(client, forged) == {"RspCode": "97", "Message": "Invalid signature"}
    assert snapshot(payment) == before
    event = PaymentEvent.objects.get()
    assert event.outcome == EventOutcome.REJECTED
    assert event.resolution == CallbackResolution.BAD_SIGNATURE
    assert not event.signature_valid
    assert event.provider_verdict == ProviderVerdict.UNKNOWN  # an unsigned claim is not believed
    assert event.payment == payment  # linked to what it claims, for the reconciliation page


def test_a_forged_success_with_an_edited_amount_does_not_pay(client, payment, signed):
    message = signed(payment, amount=1_000)  # paid 1.000 đ at the gateway…
    message["vnp_Amount"] = str(payment.amount * 100)  # …then claims the full fee
    assert notify(client, message)["RspCode"] == "97"
    assert fresh(payment).status == PaymentStatus.PENDING


def test_a_signed_notice_with_the_wrong_amount_is_answered_04(client, payment, signed):
    before = snapshot(payment)
    answer = notify(client, signed(payment, amount=payment.amount - 1_000))
    assert answer == {"RspCode": "04", "Message": "invalid amount"}
    assert snapshot(payment) == before
    event = PaymentEvent.objects.get()
    assert event.resolution == CallbackResolution.WRONG_AMOUNT
    assert event.signature_valid and event.amount == 149_000
    assert "149.000 đ" in event.reason and "150.000 đ" in event.reason


def test_an_unknown_order_is_answered_01(client, payment, signed):
    message = signed(payment)
    payment.txn_ref = "260310ZZZZZZZZ"
    answer = notify(client, signed(payment))
    assert answer == {"RspCode": "01", "Message": "Order not found"}
    event = PaymentEvent.objects.get()
    assert event.payment is None and event.txn_ref == "260310ZZZZZZZZ"
    assert fresh(Payment.objects.get(txn_ref=message["vnp_TxnRef"])).status == "pending"


def test_a_notice_for_another_merchant_is_refused(client, payment, signed):
    assert notify(client, signed(payment, tmn_code="KHAC0001"))["RspCode"] == "99"
    assert fresh(payment).status == PaymentStatus.PENDING
    assert PaymentEvent.objects.get().resolution == CallbackResolution.WRONG_MERCHANT


@pytest.mark.parametrize(
    ("response_code", "status", "state"),
    [("24", "02", PaymentStatus.CANCELLED), ("51", "02", PaymentStatus.FAILED)],
)
def test_unsuccessful_payments_end_without_a_receipt(
    client, payment, signed, paid_handler, response_code, status, state
):
    answer = notify(client, signed(payment, response_code=response_code, status=status))
    assert answer["RspCode"] == "00"
    ended = fresh(payment)
    assert ended.status == state
    assert ended.receipt_number is None and ended.paid_at is None
    assert ended.failure_reason
    assert paid_handler == []
    # A success arriving after the end is not applied; the reconciliation page shows it.
    assert notify(client, signed(payment))["RspCode"] == "02"
    assert fresh(payment).status == state
    assert list(selectors.paid_at_gateway_not_here(Payment.objects.all())) == [ended]


def test_a_failing_handler_rolls_the_confirmation_back(client, payment, signed, monkeypatch):
    def broken(paid: Payment) -> None:
        raise RuntimeError("dossier locked")

    monkeypatch.setitem(services.PAYMENT_HANDLERS, "dossier_fee", broken)
    assert notify(client, signed(payment)) == {"RspCode": "99", "Message": "Unknown error"}
    assert fresh(payment).status == PaymentStatus.PENDING
    assert not ReceiptSequence.objects.exists()
    event = PaymentEvent.objects.get()
    assert event.resolution == CallbackResolution.ERROR and "dossier locked" in event.reason

    # The gateway retries; once the handler works, the retry confirms.
    calls: list[Payment] = []
    monkeypatch.setitem(services.PAYMENT_HANDLERS, "dossier_fee", calls.append)
    assert notify(client, signed(payment))["RspCode"] == "00"
    assert fresh(payment).receipt_number.endswith("-0000001")
    assert len(calls) == 1


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"vnp_TxnRef": "x"},
        {"vnp_Amount": "abc", "vnp_SecureHash": "zz"},
        {"vnp_TxnRef": "a\x00b", "vnp_SecureHash": "\x00"},
        {"vnp_TxnRef": "Đ" * 5000, "vnp_PayDate": "99999999999999"},
        {f"vnp_{n}": str(n) for n in range(200)},
    ],
)
def test_garbage_is_answered_not_crashed_on(client, query):
    assert notify(client, query)["RspCode"] == "97"
    assert PaymentEvent.objects.get().outcome == EventOutcome.REJECTED


def test_only_get_is_accepted(client, payment, signed):
    assert client.post(IPN, signed(payment)).status_code == 405
    assert fresh(payment).status == PaymentStatus.PENDING
