"""Payment services: creating, starting, cancelling, numbering receipts, handlers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from chinhquyenso.core.clock import clock_at
from chinhquyenso.core.models import AuditEntry
from chinhquyenso.payments import selectors, services
from chinhquyenso.payments.models import Payment, PaymentStatus
from chinhquyenso.payments.money import amount_in_words, format_vnd
from chinhquyenso.payments.providers import get_provider

pytestmark = pytest.mark.django_db


def test_create_records_a_pending_payment_and_an_audit_row(make_payment, charlie):
    payment = make_payment(payer=charlie, by=charlie)
    assert payment.status == PaymentStatus.PENDING
    assert payment.payer_name == "Phạm Thị Chi"
    assert len(payment.txn_ref) == 14 and payment.txn_ref.isalnum()
    entry = AuditEntry.objects.get(action="payment.create")
    assert entry.actor == charlie and entry.changes["amount"] == [None, 150_000]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": 10_000_000_000}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": "150000"}, "amount"),
        ({"purpose": "  "}, "purpose"),
        ({"reference": ""}, "reference"),
        ({"reference": "x" * 101}, "reference"),
        ({"order_info": ""}, "order_info"),
    ],
)
def test_create_refuses_bad_input(make_payment, changes, field):
    with pytest.raises(services.PaymentError) as refused:
        make_payment(**changes)
    assert refused.value.field == field
    assert not Payment.objects.exists()


def test_start_is_refused_once_the_payment_ended(make_payment, charlie):
    payment = make_payment(payer=charlie)
    services.payment_cancel(payment=payment, by=charlie, reason="Rút hồ sơ")
    with pytest.raises(services.PaymentError, match="đã kết thúc"):
        services.payment_start(
            payment=payment, return_url="http://x/r", client_ip=None, locale="vi", by=charlie
        )
    with pytest.raises(services.PaymentError):
        services.payment_cancel(payment=payment, by=charlie)
    assert AuditEntry.objects.filter(action="payment.cancel").count() == 1


def test_starting_twice_keeps_the_first_expiry(make_payment, settings):
    settings.PAYMENT_EXPIRE_MINUTES = 15
    payment = make_payment()
    args = {"return_url": "http://x/r", "client_ip": "1.2.3.4", "locale": "vi", "by": None}
    services.payment_start(payment=payment, **args)
    first = Payment.objects.get(pk=payment.pk).expires_at
    services.payment_start(payment=payment, **args)
    assert Payment.objects.get(pk=payment.pk).expires_at == first
    assert AuditEntry.objects.filter(action="payment.start").count() == 1


def test_receipt_numbers_follow_each_other_and_restart_each_year(make_payment, signed):
    numbers = []
    for year in (2026, 2026, 2027):
        with clock_at(dt.datetime(year, 12, 31, 16, 0, tzinfo=dt.UTC)):  # 23:00 in Vietnam
            payment = make_payment()
            get_provider().handle_ipn(signed(payment))
        numbers.append(Payment.objects.get(pk=payment.pk).receipt_number)
    assert numbers == ["BLTT-2026-0000001", "BLTT-2026-0000002", "BLTT-2027-0000001"]


def test_a_purpose_has_one_handler():
    def first(payment: Payment) -> None: ...

    def second(payment: Payment) -> None: ...

    try:
        services.register_payment_handler("test_purpose", first)
        services.register_payment_handler("test_purpose", first)  # again: harmless
        with pytest.raises(ImproperlyConfigured):
            services.register_payment_handler("test_purpose", second)
    finally:
        services.PAYMENT_HANDLERS.pop("test_purpose", None)


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("/ho-so/1/?tab=phi", "/ho-so/1/?tab=phi"),
        ("https://evil.example/", ""),
        ("//evil.example", ""),
        ("/\\evil.example", ""),
        ("ho-so/1/", ""),
        ("/" + "a" * 600, ""),
        ("", ""),
    ],
)
def test_next_url_is_a_local_path(url, kept):
    assert services.local_next_url(url) == kept


def test_selectors_for_other_apps(make_payment, signed):
    first = make_payment()
    second = make_payment()
    assert selectors.paid_payment_for(purpose="dossier_fee", reference=first.reference) is None
    get_provider().handle_ipn(signed(second))
    found = selectors.paid_payment_for(purpose="dossier_fee", reference=first.reference)
    assert found == second
    assert set(selectors.payments_for(purpose="dossier_fee", reference=first.reference)) == {
        first,
        second,
    }


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (105, "Một trăm linh năm đồng"),
        (1_005, "Một nghìn không trăm linh năm đồng"),
        (150_000, "Một trăm năm mươi nghìn đồng"),
        (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
        (2_000_000_005, "Hai tỷ không trăm linh năm đồng"),
    ],
)
def test_amounts_in_words(amount, words):
    assert amount_in_words(amount) == words


def test_amounts_in_figures():
    assert format_vnd(1_234_567) == "1.234.567 đ"
    assert format_vnd(500) == "500 đ"
