"""An official's day with a report, in Chromium: screen and route, draft, approve."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from chinhquyenso.feedback.models import Report, Status
from chinhquyenso.portal.tests.browser.browsing import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()


def open_queue(page: Page, name: str) -> None:
    page.goto("/can-bo/")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def action(page: Page, name: str):
    return page.locator(f"#thao-tac-{name}")


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_screen_route_draft_and_approve(page, phone, alice, dave, leader, frank, road_report):
    code = road_report.tracking_code

    # The commune's screener finds the new report in their queue and routes it.
    log_in(page, "alice@example.vn")
    open_queue(page, "Chờ tiếp nhận")
    card = page.get_by_role("listitem").filter(has_text=code)
    expect(card).to_contain_text("Còn ")
    screenshot(page, "feedback-staff-screening-queue")
    assert_accessible(page)

    card.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    expect(page.get_by_text("Ổ gà lớn giữa đường Nguyễn Du")).to_be_visible()
    accept = action(page, "accept")
    expect(accept).to_contain_text("Theo quy tắc phân công, đơn vị xử lý là: Sở Xây dựng")
    screenshot(page, "feedback-staff-report-screener")
    assert_accessible(page)

    accept.get_by_label("Mức độ").select_option(label="Phức tạp")
    accept.get_by_role("button", name="Tiếp nhận phản ánh").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Đã tiếp nhận phản ánh và chuyển đơn vị xử lý."
    )
    expect(page.locator(".status-line")).to_contain_text("Đã tiếp nhận")
    expect(page.locator(".history")).to_contain_text("Phường Thành Vinh → Sở Xây dựng")
    log_out(page)

    # The department's specialist is told, finds it by deadline and drafts the answer.
    log_in(page, "dave@example.vn")
    expect(page.get_by_role("link", name="Thông báo: 1 chưa đọc")).to_be_visible()
    open_queue(page, "Đang xử lý")
    card = page.get_by_role("listitem").filter(has_text=code)
    expect(card).to_contain_text("Còn ")
    screenshot(page, "feedback-staff-handling-queue")
    assert_accessible(page)
    card.get_by_role("link").click()
    draft = action(page, "draft_answer")
    # An empty answer is refused beside the form, nothing changes.
    draft.get_by_role("button", name="Lưu và trình duyệt").click()
    expect(page.get_by_role("alert").first).to_contain_text("Chưa thực hiện được")
    expect(action(page, "draft_answer").locator(".field__error")).to_be_visible()
    screenshot(page, "feedback-staff-report-error")
    assert_accessible(page)
    draft = action(page, "draft_answer")
    draft.get_by_label("Nội dung trả lời").fill(
        "Sở Xây dựng đã giao đội duy tu vá ổ gà đường Nguyễn Du trong tuần này."
    )
    draft.get_by_role("button", name="Lưu và trình duyệt").click()
    expect(page.locator(".status-line")).to_contain_text("Chờ lãnh đạo duyệt trả lời")
    screenshot(page, "feedback-staff-report-handler")
    assert_accessible(page)
    log_out(page)

    # The leader approves the draft; the report is answered.
    log_in(page, "leader@example.vn")
    open_queue(page, "Chờ duyệt")
    screenshot(page, "feedback-staff-approval-queue")
    assert_accessible(page)
    page.get_by_role("listitem").filter(has_text=code).get_by_role("link").click()
    approve = action(page, "approve_answer")
    expect(approve.get_by_label("Nội dung trả lời (có thể sửa trước khi duyệt)")).to_have_value(
        "Sở Xây dựng đã giao đội duy tu vá ổ gà đường Nguyễn Du trong tuần này."
    )
    approve.get_by_role("button", name="Duyệt và gửi trả lời").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã duyệt và gửi trả lời")
    expect(page.locator(".status-line")).to_contain_text("Đã trả lời")
    screenshot(page, "feedback-staff-report-answered")
    assert_accessible(page)
    assert Report.objects.get(pk=road_report.pk).status == Status.ANSWERED
    log_out(page)

    # The Front committee follows it: reads everything, may only comment.
    log_in(page, "frank@example.vn")
    page.goto(f"/can-bo/phan-anh/{code}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    expect(page.get_by_role("button", name="Công khai trên cổng")).to_have_count(0)
    comment = action(page, "front_comment")
    comment.get_by_label("Nội dung ý kiến").fill("Đề nghị Sở kiểm tra lại chất lượng vá đường.")
    comment.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã gửi ý kiến của Mặt trận.")
    expect(page.locator(".history")).to_contain_text("Ý kiến của Mặt trận")
    screenshot(page, "feedback-staff-report-front")
    assert_accessible(page)

    # The same report page on a small phone: readable, no sideways scrolling.
    log_in(phone, "leader@example.vn")
    phone.goto(f"/can-bo/phan-anh/{code}/")
    expect(phone.get_by_role("heading", level=1)).to_contain_text(code)
    assert no_sideways_scroll(phone)
    screenshot(phone, "feedback-staff-report-phone")
    assert_accessible(phone)
    phone.goto("/can-bo/phan-anh/hang-doi/qua-han/")
    assert no_sideways_scroll(phone)
    screenshot(phone, "feedback-staff-overdue-phone")
    assert_accessible(phone)
