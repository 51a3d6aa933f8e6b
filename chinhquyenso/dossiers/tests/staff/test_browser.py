"""A counter dossier's journey in Chromium: the one-stop officer registers it and asks for the
missing documents once; the department's specialist and leader process it; the counter hands
the result over. Every page is checked with axe-core and photographed."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from chinhquyenso.dossiers.models import Dossier, Status
from chinhquyenso.dossiers.tests.conftest import pdf_file, png_file
from chinhquyenso.portal.tests.browser.browsing import assert_accessible, log_in, screenshot
from chinhquyenso.portal.tests.browser.conftest import browser, page, phone

__all__ = ["browser", "page", "phone"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def upload(name: str, content: Any, mime: str) -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": content.read()}


def a_pdf(name: str) -> dict[str, Any]:
    return upload(name, pdf_file(name), "application/pdf")


def a_png(name: str) -> dict[str, Any]:
    return upload(name, png_file(name), "image/png")


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()


def action(page: Page, name: str) -> Locator:
    return page.locator(f"#thao-tac-{name}")


def done(page: Page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def open_from_queue(page: Page, code: str) -> None:
    page.goto("/can-bo/")
    page.get_by_role("link", name="Hồ sơ cần xử lý").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ cần xử lý")
    card = page.get_by_role("listitem").filter(has_text=code)
    expect(card).to_contain_text("làm việc")
    card.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)


def no_sideways_scroll(page: Page) -> bool:
    """The page is no wider than the screen (a phone's layout viewport may widen to the
    content, so compare with the emulated screen, not with ``innerWidth``)."""
    size = page.viewport_size
    assert size is not None
    return bool(page.evaluate("document.documentElement.scrollWidth") <= size["width"])


def test_counter_registration_to_returned_result(
    page, phone, version, counter_officer, dept_specialist, dept_leader
) -> None:
    # The one-stop officer registers the dossier handed in at the counter.
    log_in(page, "motcua@example.vn")
    page.goto("/can-bo/")
    page.get_by_role("link", name="Hồ sơ cần xử lý").click()
    expect(page.get_by_text("Không có hồ sơ nào chờ bạn xử lý.")).to_be_visible()
    screenshot(page, "dossiers-staff-queue-empty")
    assert_accessible(page)
    page.get_by_role("link", name="Tiếp nhận hồ sơ tại quầy").click()
    page.get_by_label("Thủ tục hành chính").select_option(
        label=f"Cấp giấy phép xây dựng ({version.procedure.code})"
    )
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text("Nếu tiếp nhận bây giờ, hẹn trả")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Họ và tên người nộp").fill("Trần Thị Hoa")
    page.get_by_label("Số định danh cá nhân (số căn cước)").fill("040190001111")
    page.get_by_label("Số điện thoại").fill("0987 654 321")
    page.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Trần Minh An")
    page.get_by_label("Ngày sinh").fill("31/02/2026")
    page.get_by_label("Đơn đề nghị").set_input_files(a_pdf("don-de-nghi.pdf"))
    page.get_by_role("button", name="Đăng ký hồ sơ").click()
    # A wrong date is refused beside its box; what was typed stays.
    expect(page.get_by_role("alert")).to_contain_text("Chưa đăng ký được hồ sơ")
    expect(page.locator("#id_tk-ngay_sinh_error")).to_contain_text("ngày hợp lệ")
    expect(page.get_by_label("Họ và tên người nộp")).to_have_value("Trần Thị Hoa")
    screenshot(page, "dossiers-staff-register-error")
    assert_accessible(page)
    page.get_by_label("Ngày sinh").fill("02/11/2026")
    page.get_by_label("Đơn đề nghị").set_input_files(a_pdf("don-de-nghi.pdf"))
    page.get_by_role("button", name="Đăng ký hồ sơ").click()
    done(page, "Đã đăng ký hồ sơ")
    dossier = Dossier.objects.get()
    code = dossier.code
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    expect(page.locator(".component--missing")).to_have_count(0)
    expect(page.get_by_role("link", name="don-de-nghi.pdf")).to_be_visible()
    screenshot(page, "dossiers-staff-registered")
    assert_accessible(page)

    # The design drawing and the land certificate are missing: asked for at once.
    request = action(page, "request_documents")
    request.get_by_text("Yêu cầu bổ sung hồ sơ", exact=True).click()
    request.get_by_label("Giấy tờ 1", exact=True).fill("Bản vẽ thiết kế")
    request.get_by_label("Lý do (giấy tờ 1)").fill("Chưa có chữ ký của chủ đầu tư")
    request.get_by_label("Giấy tờ 2", exact=True).fill("Giấy chứng nhận quyền sử dụng đất")
    request.get_by_label("Lý do (giấy tờ 2)").fill("Cần bản sao có chứng thực")
    request.get_by_role("button", name="Gửi yêu cầu và in phiếu").click()
    done(page, "Đã gửi yêu cầu bổ sung hồ sơ")
    slip_link = page.get_by_role("link", name="Tải Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (PDF)")
    expect(slip_link).to_be_visible()
    slip = page.request.get(slip_link.get_attribute("href") or "")
    assert slip.ok and slip.headers["content-type"] == "application/pdf"
    expect(page.locator(".status-line")).to_contain_text("Yêu cầu bổ sung hồ sơ")
    screenshot(page, "dossiers-staff-documents-requested")
    assert_accessible(page)

    # The applicant brings them back; the officer records them and receives the dossier.
    supply = action(page, "supply_documents")
    supply.get_by_label("Bản vẽ thiết kế").set_input_files(a_png("ban-ve.png"))
    supply.get_by_label("Giấy tờ khác").set_input_files(a_pdf("giay-chung-nhan.pdf"))
    supply.get_by_role("button", name="Ghi nhận đã bổ sung").click()
    done(page, "Đã ghi nhận giấy tờ bổ sung.")
    action(page, "accept").get_by_role("button", name="Tiếp nhận và in phiếu hẹn").click()
    done(page, "Đã tiếp nhận hồ sơ.")
    receipt = page.get_by_role("link", name="Tải Phiếu tiếp nhận và hẹn trả kết quả (PDF)")
    expect(receipt).to_be_visible()
    assert page.request.get(receipt.get_attribute("href") or "").body().startswith(b"%PDF")
    expect(page.locator(".status-line")).to_contain_text("Đã tiếp nhận")
    expect(page.locator(".handovers")).to_contain_text("Thẩm định, Sở Xây dựng")
    screenshot(page, "dossiers-staff-accepted")
    assert_accessible(page)
    log_out(page)

    # The department's specialist finds it by its deadline and forwards it for approval.
    log_in(page, "chuyenvien.sxd@example.vn")
    open_from_queue(page, code)
    expect(page.locator('[aria-current="step"]')).to_contain_text("Thẩm định")
    forward = action(page, "forward")
    expect(forward).to_contain_text("Chuyển đến bước “Phê duyệt” tại Sở Xây dựng.")
    forward.get_by_label("Ý kiến xử lý").fill("Hồ sơ đủ điều kiện, trình lãnh đạo ký giấy phép.")
    screenshot(page, "dossiers-staff-specialist")
    assert_accessible(page)
    forward.get_by_role("button", name="Chuyển").click()
    done(page, "Đã chuyển hồ sơ sang bước tiếp theo.")
    log_out(page)

    # The leader attaches the signed permit and approves.
    log_in(page, "giamdoc.sxd@example.vn")
    open_from_queue(page, code)
    result = action(page, "attach_result")
    result.get_by_label("Tệp kết quả (PDF)").set_input_files(a_png("giay-phep.png"))
    result.get_by_role("button", name="Lưu kết quả").click()
    expect(action(page, "attach_result").locator(".field__error")).to_contain_text(
        "Kết quả điện tử phải là tệp PDF."
    )
    screenshot(page, "dossiers-staff-leader-error")
    assert_accessible(page)
    result = action(page, "attach_result")
    result.get_by_label("Tệp kết quả (PDF)").set_input_files(a_pdf("giay-phep.pdf"))
    result.get_by_label("Nội dung kết quả").fill("Giấy phép xây dựng số 12/GPXD")
    result.get_by_role("button", name="Lưu kết quả").click()
    done(page, "Đã lưu kết quả giải quyết.")
    approve = action(page, "forward")
    expect(approve).to_contain_text("Hoàn thành xử lý")
    approve.get_by_role("button", name="Chuyển").click()
    done(page, "Đã chuyển hồ sơ sang bước tiếp theo.")
    expect(page.locator(".status-line")).to_contain_text("Đã xử lý xong")
    screenshot(page, "dossiers-staff-processed")
    log_out(page)

    # Back at the counter, the result is handed to the applicant.
    log_in(page, "motcua@example.vn")
    open_from_queue(page, code)
    expect(page.get_by_role("link", name="giay-phep.pdf")).to_be_visible()
    action(page, "return_result").get_by_role("button", name="Xác nhận đã trả kết quả").click()
    done(page, "Đã trả kết quả cho người nộp.")
    expect(page.locator(".status-line")).to_contain_text("Đã trả kết quả")
    screenshot(page, "dossiers-staff-returned")
    assert_accessible(page)
    assert Dossier.objects.get().status == Status.RETURNED

    # The same page on a phone: readable, no sideways scrolling.
    log_in(phone, "motcua@example.vn")
    phone.goto(f"/can-bo/ho-so/{code}/")
    expect(phone.get_by_role("heading", level=1)).to_contain_text(code)
    assert no_sideways_scroll(phone)
    screenshot(phone, "dossiers-staff-dossier-phone")
    assert_accessible(phone)
    phone.goto("/can-bo/ho-so/hang-doi/tat-ca/")
    assert no_sideways_scroll(phone)
    screenshot(phone, "dossiers-staff-queue-phone")
    assert_accessible(phone)
