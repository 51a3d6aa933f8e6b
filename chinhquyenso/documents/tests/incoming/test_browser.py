"""Incoming documents in Chromium: the clerk registers what arrived through the platform and a
paper document; the chairman assigns; the specialist records the result and completes; the
follow-up list and the registers. Every page is checked with axe-core and photographed."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from chinhquyenso.accounts.models import User
from chinhquyenso.documents.models import Delivery, DeliveryStatus, Document, Status
from chinhquyenso.documents.tests.conftest import PLAN_TEXT
from chinhquyenso.portal.tests.browser.browsing import assert_accessible, log_in, screenshot
from chinhquyenso.portal.tests.browser.conftest import browser, page, phone

__all__ = ["browser", "page", "phone"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()


def check(page: Page, name: str) -> None:
    screenshot(page, f"documents-incoming-{name}")
    assert_accessible(page)


def done(page: Page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def test_incoming_documents_from_arrival_to_completion(
    page: Page,
    phone: Page,
    arrived: Delivery,
    clerk: User,
    chairman: User,
    alice: User,
    plan_pdf: bytes,
) -> None:
    # The clerk finds the document another commune sent, reads it and registers it.
    log_in(page, "vanthu@example.vn")
    page.goto("/can-bo/van-ban/den/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Văn bản gửi đến qua hệ thống")
    check(page, "arrivals")
    page.get_by_role("link", name="45/UBND-VP — Xã Anh Sơn").click()
    expect(page.get_by_text("Đề nghị phối hợp kiểm tra an toàn thực phẩm")).to_be_visible()
    check(page, "arrival")
    page.get_by_role("button", name="Vào sổ", exact=True).click()
    done(page, "Đã vào sổ văn bản đến, số đến 1.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Văn bản đến số 1")
    check(page, "received")
    arrived.refresh_from_db()
    assert arrived.status == DeliveryStatus.ACCEPTED

    # Then a paper document, scanned, with a mistake first.
    page.get_by_role("link", name="Vào sổ văn bản đến").click()
    page.get_by_label("Loại văn bản").select_option(label="Kế hoạch (KH)")
    page.get_by_label("Số, ký hiệu văn bản").fill("152/KH-SVHTTDL")
    page.get_by_label("Cơ quan ban hành (tác giả)").fill("Sở Văn hóa, Thể thao và Du lịch")
    page.get_by_label("Độ khẩn").select_option(label="Hỏa tốc")
    page.get_by_role("button", name="Vào sổ và cấp số đến").click()
    expect(page.locator(".error-summary")).to_contain_text("Cần nhập trích yếu nội dung.")
    check(page, "register-errors")
    page.get_by_label("Trích yếu nội dung").fill("Tổ chức Tết Trung thu năm 2026 cho thiếu nhi")
    page.get_by_label("Tệp văn bản (PDF)").set_input_files(
        {"name": "ke-hoach.pdf", "mimeType": "application/pdf", "buffer": plan_pdf}
    )
    page.get_by_role("button", name="Vào sổ và cấp số đến").click()
    done(page, "Đã vào sổ văn bản đến, số đến 2.")
    expect(page.locator(".status-line")).to_contain_text("Hỏa tốc")
    expect(page.get_by_text("Tệp không có chữ ký số")).to_be_visible()
    paper = Document.objects.get(arrival_number=2)
    log_out(page)

    # The chairman assigns it to the specialist, with a deadline.
    log_in(page, "chutich@example.vn")
    page.goto("/can-bo/van-ban/den/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chờ phân công")
    check(page, "waiting")
    page.get_by_role("link", name="Số đến 2 — 152/KH-SVHTTDL").click()
    form = page.locator("#thao-tac-assign")
    form.get_by_label("Chủ trì xử lý").select_option(label=f"{alice.full_name} — {alice.unit}")
    form.get_by_label("Hạn xử lý").fill((dt.date.today() + dt.timedelta(days=1)).isoformat())
    form.get_by_label("Ý kiến chỉ đạo").fill("Tham mưu tổ chức chu đáo.")
    form.get_by_role("button", name="Phân công").click()
    done(page, "Đã phân công xử lý văn bản.")
    expect(page.locator(".assignments")).to_contain_text(alice.full_name)
    check(page, "assigned")
    log_out(page)

    # The specialist sees it due soon, records the result and completes it.
    log_in(page, "alice@example.vn")
    page.goto("/can-bo/van-ban/theo-doi/")
    expect(page.get_by_text("Sắp đến hạn", exact=False).first).to_be_visible()
    check(page, "follow-up")
    page.goto("/can-bo/van-ban/den/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Được giao cho tôi")
    page.get_by_role("link", name="Số đến 2 — 152/KH-SVHTTDL").click()
    result = page.locator("#thao-tac-attach_result")
    result.get_by_label("Kết quả xử lý").fill("Đã tổ chức vui Tết Trung thu cho 300 em.")
    result.get_by_role("button", name="Lưu kết quả").click()
    done(page, "Đã lưu kết quả xử lý.")
    page.locator("#thao-tac-complete").get_by_role("button", name="Hoàn thành").click()
    done(page, "Đã hoàn thành xử lý văn bản.")
    expect(page.locator(".status-line")).to_contain_text("Đã hoàn thành")
    check(page, "completed")
    paper.refresh_from_db()
    assert paper.status == Status.COMPLETED
    assert PLAN_TEXT in paper.full_text

    # On a phone, the document page reads without sideways scrolling.
    log_in(phone, "alice@example.vn")
    phone.goto(f"/can-bo/van-ban/den/{paper.pk}/")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Văn bản đến số 2")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "documents-incoming-phone")
    assert_accessible(phone)
    log_out(page)

    # The clerk prints the register.
    log_in(page, "vanthu@example.vn")
    page.goto("/can-bo/van-ban/so/")
    expect(page.get_by_text("đến số 2")).to_be_visible()
    check(page, "registers")
