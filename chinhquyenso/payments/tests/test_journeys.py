"""A payer's journey through the local gateway simulator, with the Django test client."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from chinhquyenso.payments import services
from chinhquyenso.payments.models import (
    CallbackResolution,
    EventKind,
    EventOutcome,
    Payment,
    PaymentEvent,
    PaymentStatus,
)

pytestmark = pytest.mark.django_db

NEXT = "/ho-so/000.00.01.H40-260310-0001/"


def fresh(payment: Payment) -> Payment:
    return Payment.objects.get(pk=payment.pk)


def to_gateway(client, payment: Payment, next_url: str = NEXT) -> str:
    """Press "pay" on the payment page; the URL of the gateway page it redirects to."""
    url = reverse("payments:pay", kwargs={"txn_ref": payment.txn_ref})
    page = client.get(url, {"next": next_url})
    assert page.status_code == 200
    assert "150.000 đ" in page.content.decode()
    response = client.post(url, {"next": next_url})
    assert response.status_code == 302
    return response["Location"]


def choose(client, gateway_url: str, outcome: str, *, lose_ipn: bool = False):
    """Open the simulator page and choose how the payment ends; the redirect response."""
    page = client.get(gateway_url)
    assert page.status_code == 200
    fields = {key: values[0] for key, values in parse_qs(urlsplit(gateway_url).query).items()}
    data = {**fields, "ket_qua": outcome}
    if lose_ipn:
        data["khong_gui_ipn"] = "on"
    response = client.post(reverse("payments:simulator"), data)
    assert response.status_code == 302
    return response


@pytest.fixture
def pending(make_payment, charlie) -> Payment:
    return make_payment(payer=charlie, by=charlie)


def test_paying_a_fee_end_to_end(client, charlie, pending, paid_handler):
    client.force_login(charlie)
    gateway_url = to_gateway(client, pending)
    assert urlsplit(gateway_url).path == reverse("payments:simulator")

    page = client.get(gateway_url).content.decode()
    assert "Cổng thanh toán mô phỏng" in page
    assert "150.000 đ" in page
    assert "Le phi ho so 000.00.01.H40-260310-0001: cap giay phep xay dung" in page
    assert "MOPHONG1" in page

    redirect = choose(client, gateway_url, "success")
    # The gateway's notice arrived before the browser comes back.
    paid = fresh(pending)
    assert paid.status == PaymentStatus.PAID
    assert paid_handler == [paid]
    assert redirect["Location"].startswith("http://testserver" + reverse("payments:return"))

    result = client.get(redirect["Location"])
    text = result.content.decode()
    assert result.status_code == 200
    assert "Thanh toán thành công" in text
    assert paid.receipt_number in text
    assert f'href="{NEXT}"' in text
    assert [e.outcome for e in PaymentEvent.objects.order_by("pk")] == [
        EventOutcome.ACCEPTED,  # IPN
        EventOutcome.DUPLICATE,  # return: already confirmed by the IPN
    ]

    receipt = client.get(reverse("payments:receipt", kwargs={"txn_ref": paid.txn_ref}))
    text = receipt.content.decode()
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in text
    assert "Một trăm năm mươi nghìn đồng" in text
    assert "Phạm Thị Chi" in text
    assert "Phường Thành Vinh" in text


def test_the_return_confirms_when_the_notice_is_lost(client, charlie, pending, paid_handler):
    client.force_login(charlie)
    redirect = choose(client, to_gateway(client, pending), "success", lose_ipn=True)
    assert fresh(pending).status == PaymentStatus.PENDING

    result = client.get(redirect["Location"])
    assert "Thanh toán thành công" in result.content.decode()
    paid = fresh(pending)
    assert paid.status == PaymentStatus.PAID
    assert len(paid_handler) == 1
    event = PaymentEvent.objects.get()
    assert (event.kind, event.outcome) == (EventKind.RETURN, EventOutcome.ACCEPTED)

    # The gateway's late notice with the same fields is answered "already confirmed".
    late = {
        key: values[0] for key, values in parse_qs(urlsplit(redirect["Location"]).query).items()
    }
    assert client.get(reverse("payments:ipn"), late).json()["RspCode"] == "02"
    assert len(paid_handler) == 1
    assert fresh(pending).receipt_number == paid.receipt_number

    # Reloading the result page changes nothing either.
    assert "Thanh toán thành công" in client.get(redirect["Location"]).content.decode()
    assert fresh(pending).receipt_number == paid.receipt_number


@pytest.mark.parametrize(
    ("choice", "state", "words"),
    [
        ("cancel", PaymentStatus.CANCELLED, "Giao dịch đã bị hủy."),
        ("insufficient", PaymentStatus.FAILED, "không đủ số dư"),
    ],
)
def test_an_unsuccessful_payment(client, charlie, pending, paid_handler, choice, state, words):
    client.force_login(charlie)
    redirect = choose(client, to_gateway(client, pending), choice)
    result = client.get(redirect["Location"])
    text = result.content.decode()
    assert "Thanh toán không thành công" in text
    assert words in text
    assert fresh(pending).status == state
    assert paid_handler == []
    receipt = reverse("payments:receipt", kwargs={"txn_ref": pending.txn_ref})
    assert client.get(receipt).status_code == 404
    # The ended payment cannot be started again.
    again = client.post(reverse("payments:pay", kwargs={"txn_ref": pending.txn_ref}))
    assert again.status_code == 200
    assert "đã kết thúc" in again.content.decode()


def test_the_simulator_refuses_a_tampered_redirect(client, charlie, pending):
    client.force_login(charlie)
    gateway_url = to_gateway(client, pending)
    cheaper = gateway_url.replace("vnp_Amount=15000000", "vnp_Amount=100")
    assert cheaper != gateway_url
    page = client.get(cheaper)
    assert page.status_code == 400
    assert "Sai chữ ký" in page.content.decode()
    fields = {key: values[0] for key, values in parse_qs(urlsplit(cheaper).query).items()}
    posted = client.post(reverse("payments:simulator"), {**fields, "ket_qua": "success"})
    assert posted.status_code == 400
    assert fresh(pending).status == PaymentStatus.PENDING
    assert not PaymentEvent.objects.exists()


def test_the_simulator_refuses_an_unknown_merchant_and_missing_fields(client):
    page = client.get(reverse("payments:simulator"), {"vnp_TmnCode": "X"})
    assert page.status_code == 400
    assert "thiếu" in page.content.decode()


def test_a_tampered_return_is_refused_and_logged(client, charlie, pending):
    client.force_login(charlie)
    redirect = choose(client, to_gateway(client, pending), "cancel", lose_ipn=True)
    forged = redirect["Location"].replace("vnp_ResponseCode=24", "vnp_ResponseCode=00")
    forged = forged.replace("vnp_TransactionStatus=02", "vnp_TransactionStatus=00")
    assert forged != redirect["Location"]
    result = client.get(forged)
    assert result.status_code == 400
    assert "không hợp lệ" in result.content.decode()
    assert fresh(pending).status == PaymentStatus.PENDING
    event = PaymentEvent.objects.get()
    assert event.resolution == CallbackResolution.BAD_SIGNATURE
    assert event.kind == EventKind.RETURN


def test_the_simulator_is_off_unless_enabled(client, settings):
    settings.PAYMENT_SIMULATOR = False
    assert client.get(reverse("payments:simulator")).status_code == 404


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_only_local_pages_are_linked_back_to(client, charlie, pending, next_url):
    client.force_login(charlie)
    redirect = choose(client, to_gateway(client, pending, next_url=next_url), "success")
    text = client.get(redirect["Location"]).content.decode()
    assert "evil" not in text and "javascript" not in text
    assert f'href="{reverse("portal:home")}"' in text
    assert fresh(pending).next_url == ""


def test_only_the_payer_opens_the_payment_page(client, pending, dana, alice):
    url = reverse("payments:pay", kwargs={"txn_ref": pending.txn_ref})
    response = client.get(url)
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]
    for other in (dana, alice):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert fresh(pending).started_at is None


def test_a_payer_without_an_account_pays_and_prints_the_receipt(client, make_payment):
    payment = make_payment()
    redirect = choose(client, to_gateway(client, payment), "success")
    client.get(redirect["Location"])
    receipt = reverse("payments:receipt", kwargs={"txn_ref": payment.txn_ref})
    assert client.get(receipt).status_code == 200
    client.logout()  # another browser: no session
    assert client.get(receipt).status_code == 404


def test_an_expired_payment_cannot_be_started(client, charlie, pending):
    Payment.objects.filter(pk=pending.pk).update(
        started_at="2026-01-01T00:00:00Z", expires_at="2026-01-01T00:15:00Z"
    )
    client.force_login(charlie)
    response = client.post(reverse("payments:pay", kwargs={"txn_ref": pending.txn_ref}))
    assert response.status_code == 400
    assert "hết thời hạn" in response.content.decode()


def test_the_simulator_refuses_an_expired_order(client, charlie, pending, settings):
    client.force_login(charlie)
    settings.PAYMENT_EXPIRE_MINUTES = -1
    gateway_url = to_gateway(client, pending)
    page = client.get(gateway_url)
    assert page.status_code == 400
    assert "hết hạn" in page.content.decode()
    assert fresh(pending).status == PaymentStatus.PENDING


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"vnp_TxnRef": "nope", "vnp_SecureHash": "x"},
        {"vnp_Amount": "\x00", "vnp_TxnRef": "\x00"},
    ],
)
def test_the_return_page_never_fails_on_bad_input(client, query):
    response = client.get(reverse("payments:return"), query)
    assert response.status_code == 400
    assert PaymentEvent.objects.get().outcome == EventOutcome.REJECTED


def test_a_payment_cancelled_here_but_paid_at_the_gateway_is_explained(
    client, charlie, pending, paid_handler
):
    client.force_login(charlie)
    gateway_url = to_gateway(client, pending)
    services.payment_cancel(payment=pending, by=None, reason="Hồ sơ đã được rút")
    redirect = choose(client, gateway_url, "success")
    text = client.get(redirect["Location"]).content.decode()
    assert "Cổng thanh toán báo đã trừ tiền" in text
    assert fresh(pending).status == PaymentStatus.CANCELLED
    assert paid_handler == []
