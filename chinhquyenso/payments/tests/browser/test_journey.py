"""A citizen pays a fee on a phone through the gateway simulator, then prints the receipt."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from chinhquyenso.payments.models import Payment, PaymentStatus
from chinhquyenso.payments.providers import get_provider
from chinhquyenso.portal.tests.browser.browsing import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pay_a_fee_and_print_the_receipt(phone: Page, make_payment, charlie) -> None:
    payment = make_payment(payer=charlie, by=charlie)
    log_in(phone, "0912345678")
    phone.goto(f"/thanh-toan/giao-dich/{payment.txn_ref}/?next=/tai-khoan/")
    expect(phone.get_by_role("heading", name="Thanh toán phí, lệ phí")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("button", name="Thanh toán 150.000 đ").click()

    expect(phone.get_by_text("Cổng thanh toán mô phỏng")).to_be_visible()
    expect(phone.get_by_text("150.000 đ")).to_be_visible()
    assert_accessible(phone)
    screenshot(phone, "payments-simulator")
    phone.get_by_label("Thanh toán thành công").check()
    phone.get_by_role("button", name="Xác nhận").click()

    expect(phone.get_by_role("heading", name="Thanh toán thành công")).to_be_visible()
    assert_accessible(phone)
    paid = Payment.objects.get(pk=payment.pk)
    assert paid.status == PaymentStatus.PAID
    expect(phone.get_by_text(paid.receipt_number)).to_be_visible()
    expect(phone.get_by_role("link", name="Quay lại hồ sơ")).to_have_attribute(
        "href", "/tai-khoan/"
    )

    phone.get_by_role("link", name="Xem và in biên lai").click()
    expect(phone.get_by_role("heading", name="BIÊN LAI THU PHÍ, LỆ PHÍ")).to_be_visible()
    expect(phone.get_by_text("Một trăm năm mươi nghìn đồng")).to_be_visible()
    assert_accessible(phone)
    screenshot(phone, "payments-receipt")


def test_a_leader_reconciles_the_day(page: Page, make_payment, signed, leader) -> None:
    for amount in (150_000, 50_000):
        get_provider().handle_ipn(signed(make_payment(amount=amount)))
    get_provider().handle_ipn({"vnp_TxnRef": "GIA-MAO-1", "vnp_SecureHash": "00"})
    log_in(page, "leader@example.vn")
    page.goto("/can-bo/thanh-toan/")
    expect(page.get_by_role("heading", name="Đối soát thanh toán trực tuyến")).to_be_visible()
    expect(page.get_by_text("2 giao dịch đã thanh toán, tổng 200.000 đ.")).to_be_visible()
    expect(page.get_by_role("cell", name="GIA-MAO-1")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "payments-reconciliation")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp CSV").click()
    assert download.value.suggested_filename.startswith("doi-soat-thanh-toan-")
