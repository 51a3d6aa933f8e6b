"""The issue's journey in Chromium, every step through the pages.

The ward (Phường Thành Vinh) issues a decision to the commune (Xã Anh Sơn); the commune's clerk
registers it; its chairman assigns it; a specialist drafts the reply in Word; the chairman
signs it, placing the signature on the page preview with the mouse; the clerk numbers it and
signs for the commune; it goes back; the ward sees it arrive and reads the commune's status of
its own decision; anyone checks the reply's PDF on the verification page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from chinhquyenso.accounts.models import User
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.documents.convert import render_page_png, soffice_path
from chinhquyenso.documents.models import DeliveryStatus, Document, DocumentType, Status
from chinhquyenso.documents.selectors import current_file
from chinhquyenso.documents.tests.outgoing.conftest import decision_pdf, reply_docx, write
from chinhquyenso.portal.tests.browser.browsing import (
    ARTIFACTS,
    assert_accessible,
    log_in,
    screenshot,
)
from chinhquyenso.portal.tests.browser.conftest import DESKTOP, browser
from chinhquyenso.signing.models import SigningCredential

__all__ = ["browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Đề nghị báo cáo kết quả chuyển đổi số quý IV năm 2026"
REPLY = "V/v báo cáo kết quả chuyển đổi số quý IV năm 2026"


@pytest.fixture
def tabs(browser: Browser, live_server: Any) -> Iterator[Any]:
    """One logged-in browser window per official (``tabs(user)``), closed at the end."""
    opened: list[Any] = []

    def open_for(user: User | None) -> Page:
        context = browser.new_context(base_url=live_server.url, locale="vi-VN", **DESKTOP)
        context.set_default_timeout(60_000)
        opened.append(context)
        tab = context.new_page()
        if user is not None:
            log_in(tab, user.email or "", PASSWORD)
            expect(tab.get_by_role("button", name="Đăng xuất")).to_be_visible()
        return tab

    yield open_for
    for context in opened:
        context.close()


#: Signing (time-stamp, revocation data) and filling in the number take seconds on a busy
#: machine; the pages that follow these steps get this long to appear, in milliseconds.
SIGNING_MS = 30_000


def _status(tab: Page) -> str:
    return tab.locator(".status-line strong").inner_text()


def _draft(
    tab: Page, *, kind: str, subject: str, signer: str, to: int, file: Path, drafting: str = ""
) -> None:
    tab.goto("/can-bo/van-ban/di/soan-thao/")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Soạn văn bản đi")
    assert_accessible(tab)
    tab.get_by_label("Loại văn bản").select_option(label=kind)
    tab.get_by_label("Trích yếu nội dung").fill(subject)
    if drafting:
        tab.get_by_label("Viết tắt đơn vị soạn thảo (cho công văn)").fill(drafting)
    tab.get_by_label("Người có thẩm quyền ký").select_option(label=signer)
    tab.get_by_label("Nơi nhận trong hệ thống").select_option(value=str(to))
    tab.get_by_label("Tệp dự thảo").set_input_files(str(file))
    tab.get_by_role("button", name="Tạo dự thảo").click()
    expect(tab.get_by_role("status").first).to_contain_text("Đã tạo dự thảo văn bản.")
    tab.get_by_role("button", name="Trình duyệt").click()
    expect(tab.locator(".status-line strong")).to_have_text("Đang trình duyệt")


def _approve(tab: Page, address: str) -> None:
    tab.goto(address)
    tab.get_by_role("button", name="Duyệt phiên bản này").click()
    expect(tab.locator(".status-line strong")).to_have_text("Đã duyệt, chờ ký")
    tab.get_by_role("link", name="Ký số văn bản").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Ký số văn bản")


def _number_and_issue(tab: Page, address: str) -> None:
    tab.goto(address)
    tab.get_by_role("button", name="Cấp số").click()
    expect(tab.locator(".status-line strong")).to_have_text(
        "Đã cấp số, chờ đóng dấu số", timeout=SIGNING_MS
    )
    tab.get_by_role("button", name="Ký số và ban hành").click()
    expect(tab.locator(".status-line strong")).to_have_text("Đã ban hành", timeout=SIGNING_MS)


def test_a_document_goes_to_another_unit_and_the_signed_reply_comes_back(
    tabs: Any,
    issuing: dict[str, Any],
    decision_type: DocumentType,
    other_clerk: User,
    other_chair: User,
    other_chair_key: SigningCredential,
    other_unit_key: SigningCredential,
    bob: User,
    tmp_path: Path,
) -> None:
    if soffice_path() is None:
        pytest.fail("LibreOffice is missing: run scripts/install-system-deps.sh")
    ward, commune = issuing["drafter"].unit, issuing["recipient"]

    # The ward issues a decision to the commune: drafted, approved, signed at the template's
    # placeholder, numbered and sealed, all through the pages.
    drafter = tabs(issuing["drafter"])
    _draft(
        drafter,
        kind="Quyết định (QĐ)",
        subject=SUBJECT,
        signer="Nguyễn Văn Hùng, Chủ tịch",
        to=commune.pk,
        file=write(tmp_path, "quyet-dinh.pdf", decision_pdf(subject=SUBJECT)),
    )
    decision_page = drafter.url
    chairman = tabs(issuing["signer"])
    _approve(chairman, decision_page)
    expect(
        chairman.get_by_label("Đúng chỗ đánh dấu [[CHU_KY]] trong văn bản (trang 1)")
    ).to_be_checked()
    chairman.get_by_role("button", name="Ký số").click()
    expect(chairman.locator(".status-line strong")).to_have_text(
        "Đã ký, chờ cấp số", timeout=SIGNING_MS
    )
    ward_clerk = tabs(issuing["clerk"])
    _number_and_issue(ward_clerk, decision_page)
    expect(ward_clerk.locator(".doc-title")).to_contain_text("01/QĐ-UBND")
    decision = Document.objects.get(subject=SUBJECT)

    # The commune's clerk finds it among the documents sent through the platform and registers it.
    clerk = tabs(other_clerk)
    clerk.goto("/can-bo/van-ban/den/")
    clerk.get_by_role("link", name="01/QĐ-UBND").click()
    clerk.get_by_role("button", name="Vào sổ").click()
    expect(clerk.get_by_role("status").first).to_contain_text("Đã vào sổ văn bản đến, số đến 1")
    incoming_page = clerk.url

    # The commune's chairman assigns it to a specialist.
    leader = tabs(other_chair)
    leader.goto(incoming_page)
    leader.get_by_label("Chủ trì xử lý").select_option(value=f"user-{bob.pk}")
    leader.get_by_role("button", name="Phân công").click()
    expect(leader.locator(".status-line strong")).to_have_text("Đã phân công")

    # The specialist drafts the reply in Word; it is converted to PDF, both kept.
    specialist = tabs(bob)
    _draft(
        specialist,
        kind="Công văn",
        subject=REPLY,
        signer="Phạm Văn Sơn, Chủ tịch",
        to=ward.pk,
        file=write(tmp_path, "tra-loi.docx", reply_docx(REPLY)),
        drafting="VP",
    )
    expect(specialist.get_by_role("link", name="Tải tệp Word gốc (.docx)")).to_be_visible()
    reply_page = specialist.url
    assert_accessible(specialist)

    # The chairman places the signature on the preview with the mouse and signs.
    _approve(leader, reply_page)
    assert_accessible(leader)
    image = leader.locator("[data-sign-stage] img")
    expect(image).to_be_visible()
    leader.wait_for_function("document.querySelector('[data-sign-stage] img').naturalWidth > 0")
    placed_left = float(leader.get_by_label("Cách mép trái (mm)").input_value())
    placed_top = float(leader.get_by_label("Cách mép trên (mm)").input_value())
    box = image.bounding_box()
    assert box is not None
    per_mm = box["width"] / 210
    start_x, start_y = box["x"] + (placed_left - 5) * per_mm, box["y"] + (placed_top - 2) * per_mm
    leader.mouse.move(start_x, start_y)
    leader.mouse.down()
    leader.mouse.move(start_x + 55 * per_mm, start_y + 24 * per_mm, steps=8)
    leader.mouse.up()
    expect(
        leader.get_by_label("Vị trí tự chọn trên hình trang (kéo chuột, chạm, hoặc nhập số đo)")
    ).to_be_checked()
    expect(leader.locator("[data-sign-box]")).to_be_visible()
    assert abs(float(leader.get_by_label("Rộng (mm)").input_value()) - 55) < 1.5
    assert (
        abs(float(leader.get_by_label("Cách mép trái (mm)").input_value()) - (placed_left - 5))
        < 1.5
    )
    screenshot(leader, "outgoing-sign-placement")
    leader.get_by_role("button", name="Ký số").click()
    expect(leader.get_by_role("status").first).to_contain_text(
        "Đã ký số văn bản", timeout=SIGNING_MS
    )
    reply = Document.objects.get(subject=REPLY)
    assert reply.status == Status.SIGNED

    # The commune's clerk numbers it and signs for the commune; it goes back to the ward.
    _number_and_issue(clerk, reply_page)
    expect(clerk.locator(".doc-title")).to_contain_text("01/UBND-VP")
    assert_accessible(clerk)
    screenshot(clerk, "outgoing-reply-issued")

    # The ward sees the reply arrive, and reads how its own decision stands at the commune.
    ward_clerk.goto("/can-bo/van-ban/den/")
    expect(ward_clerk.get_by_role("link", name="01/UBND-VP")).to_be_visible()
    ward_clerk.goto(decision_page)
    statuses = ward_clerk.get_by_role("region", name="Tình trạng ở nơi nhận", exact=True)
    expect(statuses.get_by_role("heading", name="Xã Anh Sơn")).to_be_visible()
    expect(statuses.locator(".delivery-status")).to_have_text("Đã phân công")
    statuses.get_by_text("Diễn biến tại Xã Anh Sơn").click()
    history = statuses.locator(".status-history li")
    expect(history).to_have_count(3)
    for line, status in zip(range(3), ("Đã đến", "Đã tiếp nhận", "Đã phân công"), strict=True):
        expect(history.nth(line)).to_contain_text(status)
    assert_accessible(ward_clerk)
    screenshot(ward_clerk, "outgoing-recipient-status")
    assert decision.deliveries.get().status == DeliveryStatus.ASSIGNED

    for address in ("/can-bo/van-ban/di/", "/can-bo/van-ban/di/thu-hoi/"):
        ward_clerk.goto(address)
        assert_accessible(ward_clerk)

    # Anyone checks the reply's PDF on the verification page.
    issued_file = current_file(reply)
    assert issued_file is not None
    pdf = clerk.request.get(f"/can-bo/van-ban/tep/{issued_file.pk}/").body()
    path = write(tmp_path, "tra-loi-da-ky.pdf", pdf)
    (ARTIFACTS / "outgoing-reply-page-1.png").write_bytes(render_page_png(pdf, 1))
    visitor = tabs(None)
    visitor.goto("/ky-so/kiem-tra/")
    visitor.get_by_label("Tệp PDF cần kiểm tra").set_input_files(str(path))
    visitor.get_by_role("button", name="Kiểm tra", exact=True).click()
    result = visitor.get_by_role("region", name="Kết quả kiểm tra")
    expect(result).to_contain_text("Văn bản có 2 chữ ký số.")
    expect(result.get_by_text("Chữ ký số hợp lệ.")).to_have_count(2)
    expect(result).to_contain_text("Phạm Văn Sơn")
    expect(result).to_contain_text("Ủy ban nhân dân xã Anh Sơn")
    expect(result).to_contain_text("thay đổi được phép")
    assert_accessible(visitor)
    screenshot(visitor, "outgoing-reply-verified")
