"""Who sees receipts and the reconciliation page, and what the reconciliation shows."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chinhquyenso.core.clock import clock_at
from chinhquyenso.payments import services
from chinhquyenso.payments.models import EventKind, Payment
from chinhquyenso.payments.providers import get_provider

pytestmark = pytest.mark.django_db

RECONCILIATION = reverse("payments:reconciliation")
CSV = reverse("payments:reconciliation_csv")


def pay(payment: Payment, signed, **changes) -> Payment:
    """The gateway's notice for *payment* (success unless *changes* say otherwise)."""
    get_provider().handle_ipn(signed(payment, **changes), client_ip="113.160.92.202")
    return Payment.objects.get(pk=payment.pk)


@pytest.fixture
def paid(payment, signed) -> Payment:
    return pay(payment, signed)


@pytest.fixture
def elsewhere(make_payment, other_commune, dana, signed) -> Payment:
    """A fee dana paid to the other commune."""
    return pay(
        make_payment(payer=dana, unit=other_commune, reference="17329-260310-0002", amount=50_000),
        signed,
    )


# --- receipts -------------------------------------------------------------------------------


def receipt_status(client, user, payment: Payment) -> int:
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("payments:receipt", kwargs={"txn_ref": payment.txn_ref})).status_code


def test_receipt_is_shown_to_the_payer_and_the_collecting_unit(
    client, paid, charlie, alice, counter_officer, leader, centre_officer, bob, dana
):
    assert receipt_status(client, charlie, paid) == 200  # the payer
    assert receipt_status(client, alice, paid) == 200  # an official of the collecting commune
    assert receipt_status(client, counter_officer, paid) == 200
    assert receipt_status(client, leader, paid) == 200  # leads the province
    assert receipt_status(client, centre_officer, paid) == 200  # reconciles the province
    assert receipt_status(client, bob, paid) == 404  # another commune
    assert receipt_status(client, dana, paid) == 404  # another citizen
    assert receipt_status(client, None, paid) == 404  # anonymous


def test_an_unpaid_payment_has_no_receipt(client, payment, charlie):
    assert receipt_status(client, charlie, payment) == 404
    client.force_login(charlie)
    missing = reverse("payments:receipt", kwargs={"txn_ref": "KHONGCO"})
    assert client.get(missing).status_code == 404


# --- reconciliation: who --------------------------------------------------------------------


def test_reconciliation_needs_a_reconciling_role(client, paid, charlie, alice, bob):
    response = client.get(RECONCILIATION)
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]
    assert client.get(CSV).status_code == 302
    for user in (charlie, alice, bob):  # a citizen, specialists
        client.force_login(user)
        assert client.get(RECONCILIATION).status_code == 404
        assert client.get(CSV).status_code == 404


def listed(client, user) -> str:
    client.force_login(user)
    response = client.get(RECONCILIATION)
    assert response.status_code == 200
    return response.content.decode()


def test_each_reconciler_sees_their_scope(
    client, paid, elsewhere, leader, centre_officer, counter_officer
):
    for province_wide in (leader, centre_officer):
        page = listed(client, province_wide)
        assert paid.txn_ref in page and elsewhere.txn_ref in page
        assert "200.000 đ" in page  # 150.000 + 50.000
    page = listed(client, counter_officer)  # the commune's own counter
    assert paid.txn_ref in page and elsewhere.txn_ref not in page
    assert "150.000 đ" in page


# --- reconciliation: what -------------------------------------------------------------------


def test_totals_per_day_and_filters(client, make_payment, signed, leader, charlie):
    tz = timezone.get_current_timezone()
    for day, amount in ((3, 100_000), (3, 20_000), (4, 5_000)):
        with clock_at(dt.datetime(2026, 3, day, 9, 0, tzinfo=tz)):
            pay(make_payment(amount=amount, payer=charlie), signed)
    with clock_at(dt.datetime(2026, 3, 4, 10, 0, tzinfo=tz)):
        make_payment(amount=7_000, reference="CHUA-TRA")
    client.force_login(leader)
    query = {"tu_ngay": "2026-03-01", "den_ngay": "2026-03-31"}
    page = client.get(RECONCILIATION, query).content.decode()
    assert "03/03/2026" in page and "120.000 đ" in page
    assert "04/03/2026" in page and "5.000 đ" in page
    assert "125.000 đ" in page  # the month's total
    assert "CHUA-TRA" in page
    only_pending = client.get(RECONCILIATION, {**query, "trang_thai": "pending"}).content.decode()
    assert "CHUA-TRA" in only_pending and "100.000 đ" not in only_pending.split('id="giao-dich"')[1]
    april = client.get(RECONCILIATION, {"tu_ngay": "2026-04-01", "den_ngay": "2026-04-30"})
    assert "Không có giao dịch nào khớp với bộ lọc." in april.content.decode()


def test_mismatches_are_listed(client, make_payment, signed, leader, charlie):
    cancelled_here = make_payment(payer=charlie, reference="HUY-TAI-HE-THONG")
    services.payment_cancel(payment=cancelled_here, by=charlie, reason="Rút hồ sơ")
    pay(cancelled_here, signed)  # …but the payer had paid at the gateway
    forged = make_payment(payer=charlie, reference="BI-GIA-MAO")
    get_provider().handle_ipn({**signed(forged), "vnp_Amount": "100"}, client_ip="198.51.100.9")
    short = make_payment(payer=charlie, reference="THIEU-TIEN")
    pay(short, signed, amount=1_000)
    client.force_login(leader)
    page = client.get(RECONCILIATION).content.decode()
    unsettled = page.split('id="chua-ghi-nhan"')[1].split('id="qua-han"')[0]
    assert cancelled_here.txn_ref in unsettled and "Rút hồ sơ" in unsettled
    rejected = page.split('id="bi-tu-choi"')[1].split('id="giao-dich"')[0]
    assert forged.txn_ref in rejected and "Chữ ký không hợp lệ" in rejected
    assert "198.51.100.9" in rejected
    assert short.txn_ref in rejected and "Số tiền không khớp" in rejected


def test_a_forged_message_naming_no_payment_is_shown_province_wide_only(
    client, paid, signed, leader, counter_officer
):
    get_provider().handle_ipn({"vnp_TxnRef": "GIA-MAO-999", "vnp_SecureHash": "0"})
    assert "GIA-MAO-999" in listed(client, leader)
    assert "GIA-MAO-999" not in listed(client, counter_officer)


def test_overdue_pending_payments_are_listed(client, make_payment, leader):
    stale = make_payment(reference="QUA-HAN")
    Payment.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    page = listed(client, leader)
    assert "QUA-HAN" in page.split('id="qua-han"')[1].split('id="bi-tu-choi"')[0]


@pytest.mark.parametrize(
    "query",
    [
        {"tu_ngay": "hôm qua"},
        {"tu_ngay": "2026-03-31", "den_ngay": "2026-03-01"},
        {"tu_ngay": "2020-01-01", "den_ngay": "2026-01-01"},
        {"trang_thai": "stolen"},
        {"den_ngay": "99999-99-99"},
    ],
)
def test_bad_filters_are_explained_not_crashed_on(client, leader, query):
    client.force_login(leader)
    response = client.get(RECONCILIATION, query)
    assert response.status_code == 400
    assert "field__error" in response.content.decode()
    assert client.get(CSV, query).status_code == 400


def test_paging_with_a_bad_page_number(client, paid, leader):
    client.force_login(leader)
    assert client.get(RECONCILIATION, {"trang": "abc"}).status_code == 200
    assert client.get(RECONCILIATION, {"trang": "999"}).status_code == 200


def test_csv_export(client, paid, elsewhere, make_payment, counter_officer, leader):
    make_payment(reference='=HYPERLINK("http://x")', amount=1_000)
    client.force_login(leader)
    response = client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:4] == ["Mã giao dịch", "Số biên lai", "Mục đích", "Đối tượng thanh toán"]
    by_ref = {row[0]: row for row in rows[1:]}
    assert by_ref[paid.txn_ref][1] == paid.receipt_number
    assert by_ref[paid.txn_ref][7] == "150000"
    assert by_ref[paid.txn_ref][8] == "Đã thanh toán"
    assert any(row[3] == '\'=HYPERLINK("http://x")' for row in rows[1:])  # not a formula
    client.force_login(counter_officer)
    own = client.get(CSV).content.decode("utf-8")
    assert paid.txn_ref in own and elsewhere.txn_ref not in own


def test_return_events_are_logged_with_their_kind(client, payment, signed):
    client.get(reverse("payments:return"), signed(payment), REMOTE_ADDR="203.0.113.7")
    event = payment.events.get()
    assert event.kind == EventKind.RETURN and event.ip_address == "203.0.113.7"


def test_the_page_costs_the_same_queries_for_more_payments(client, make_payment, leader, signed):
    client.force_login(leader)
    pay(make_payment(), signed)
    client.get(RECONCILIATION)  # warm the session and role caches
    with CaptureQueriesContext(connection) as few:
        client.get(RECONCILIATION)
    for _n in range(8):
        pay(make_payment(), signed)
        make_payment()
    with CaptureQueriesContext(connection) as many:
        client.get(RECONCILIATION)
    assert len(many) == len(few)
