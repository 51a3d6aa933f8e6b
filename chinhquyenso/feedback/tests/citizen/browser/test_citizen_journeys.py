"""Citizen journeys in Chromium: report with a photo on a phone, follow, rate and ask to reopen;
the same without JavaScript; the map pin; axe-core on every citizen page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from chinhquyenso.feedback.models import Report, Status
from chinhquyenso.portal.tests.browser.browsing import assert_accessible, screenshot
from chinhquyenso.portal.tests.browser.conftest import PHONE, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "rac-thai.jpg"
    Image.new("RGB", (64, 48), (90, 140, 60)).save(path, "JPEG")
    return path


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def no_sideways_scroll(tab: Page) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def follow_link(report: Report) -> str:
    return f"/phan-anh/theo-doi/{report.reporters.get(is_original=True).access_token}/"


def test_anonymous_citizen_reports_with_a_photo_on_a_phone(phone, category, commune, photo):
    phone.goto("/")
    phone.get_by_role("main").get_by_role("link", name="Phản ánh kiến nghị").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Phản ánh kiến nghị")
    screenshot(phone, "feedback-index-phone")
    assert_accessible(phone)

    phone.get_by_role("link", name="Gửi phản ánh").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Gửi phản ánh")
    text = phone.get_by_label("Nội dung phản ánh")
    text.fill("Rác thải đổ trộm ở đầu ngõ 12 đường Lê Lợi, bốc mùi nhiều ngày.")
    expect(phone.locator("#id_text_counter")).to_contain_text("Còn 9.9")
    phone.get_by_label("Lĩnh vực").select_option(label="Rác thải")
    # The category's extra question appears at once with the script on.
    phone.get_by_label("Tình trạng kéo dài bao lâu?").fill("Một tuần")
    phone.get_by_label("Xã, phường nơi xảy ra sự việc").select_option(label="Phường Thành Vinh")
    phone.get_by_label("Địa chỉ, địa điểm cụ thể").fill("Ngõ 12 Lê Lợi")
    no_sideways_scroll(phone)
    screenshot(phone, "feedback-form-phone")
    assert_accessible(phone)
    phone.get_by_role("button", name="Tiếp tục").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Kiểm tra và gửi phản ánh")
    expect(phone.get_by_role("main")).to_contain_text("Một tuần")
    expect(phone.get_by_role("main")).to_contain_text("Ẩn danh")
    phone.get_by_label("Ảnh, tệp đính kèm").set_input_files(str(photo))
    screenshot(phone, "feedback-confirm-phone")
    assert_accessible(phone)
    phone.get_by_role("button", name="Gửi phản ánh").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Đã gửi phản ánh")
    report = Report.objects.get()
    expect(phone.locator(".tracking-code")).to_have_text(report.tracking_code)
    assert report.attachments.count() == 1
    assert report.answers == {"since": "Một tuần"}
    no_sideways_scroll(phone)
    screenshot(phone, "feedback-sent-phone")
    assert_accessible(phone)

    phone.get_by_role("link", name="Mở trang theo dõi").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Phản ánh {report.tracking_code}")
    expect(phone.get_by_role("main")).to_contain_text("Chờ tiếp nhận")
    expect(phone.get_by_role("link", name="rac-thai.jpg")).to_be_visible()
    screenshot(phone, "feedback-follow-new-phone")
    assert_accessible(phone)


def test_the_same_report_without_javascript(
    browser: Browser, live_server: Any, category, commune, photo
):
    tab = next(open_page(browser, live_server, {**PHONE, "java_script_enabled": False}))
    tab.goto("/phan-anh/gui/")
    tab.get_by_label("Nội dung phản ánh").fill("Đèn đường hỏng cả tháng nay ở khối 5.")
    tab.get_by_label("Lĩnh vực").select_option(label="Rác thải")
    tab.get_by_label("Xã, phường nơi xảy ra sự việc").select_option(label="Phường Thành Vinh")
    tab.get_by_label("Số điện thoại", exact=True).fill("0912 000 111")
    tab.get_by_role("button", name="Tiếp tục").click()

    # First "Tiếp tục": the category's question, and the consent the phone number needs.
    expect(tab.get_by_role("alert")).to_contain_text("cần đồng ý")
    expect(tab.get_by_label("Tình trạng kéo dài bao lâu?")).to_be_visible()
    expect(tab.get_by_label("Nội dung phản ánh")).to_have_value(
        "Đèn đường hỏng cả tháng nay ở khối 5."
    )
    screenshot(tab, "feedback-form-nojs-errors-phone")
    assert not tab.locator("#id_text_counter").is_visible()
    tab.get_by_label("Tình trạng kéo dài bao lâu?").fill("Một tháng")
    tab.get_by_role("checkbox", name=re.compile("Tôi đồng ý")).check()
    tab.get_by_role("button", name="Tiếp tục").click()

    expect(tab.get_by_role("heading", level=1)).to_have_text("Kiểm tra và gửi phản ánh")
    tab.get_by_label("Ảnh, tệp đính kèm").set_input_files(str(photo))
    tab.get_by_role("button", name="Gửi phản ánh").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Đã gửi phản ánh")
    report = Report.objects.get()
    assert report.attachments.count() == 1
    assert report.reporters.get().phone == "0912000111"
    tab.context.close()


def test_map_pin_from_the_local_leaflet(page, settings, live_server, category, commune):
    settings.MAP_TILE_URL = live_server.url + "/static/tiles/{z}/{x}/{y}.png"  # no tiles: grey
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/phan-anh/gui/")
    page.wait_for_function("window.L !== undefined")
    box = page.locator("#ban-do")
    expect(box).to_be_visible()
    box.click(position={"x": 5, "y": 5})  # the corner of the box is outside the province
    expect(page.locator("#pin-state")).to_contain_text("nằm ngoài địa bàn tỉnh")
    assert page.locator("#id_latitude").input_value() == ""
    box.click()  # the centre
    lat = float(page.locator("#id_latitude").input_value())
    lon = float(page.locator("#id_longitude").input_value())
    assert 18.5 <= lat <= 20.1 and 103.8 <= lon <= 105.9
    expect(page.locator("#pin-state")).to_contain_text("Đã đánh dấu vị trí")
    page.get_by_role("button", name="Xóa vị trí đã chọn").click()
    assert page.locator("#id_latitude").input_value() == ""
    page.get_by_role("button", name="Ghim vào giữa bản đồ").click()
    assert page.locator("#id_longitude").input_value() != ""
    assert all(url.startswith((live_server.url, "data:")) for url in requests)
    screenshot(page, "feedback-form-map-page")
    assert_accessible(page)


def test_citizen_rates_dissatisfied_and_asks_to_reopen(phone, answered_report):
    phone.goto(follow_link(answered_report))
    expect(phone.get_by_role("heading", name="Câu trả lời")).to_be_visible()
    expect(phone.get_by_role("main")).to_contain_text("Đã thu gom rác và lắp biển cấm đổ rác.")
    screenshot(phone, "feedback-follow-answered-phone")
    assert_accessible(phone)

    # Asking to reopen while satisfied is explained, nothing is recorded.
    phone.get_by_label("Hài lòng", exact=True).check()
    phone.get_by_label("Tôi đề nghị xử lý lại phản ánh này").check()
    phone.get_by_role("button", name="Gửi đánh giá").click()
    expect(phone.get_by_role("alert")).to_contain_text("Chỉ đề nghị xử lý lại được khi")
    assert_accessible(phone)

    phone.get_by_label("Không hài lòng").check()
    phone.get_by_label("Ý kiến của bạn (không bắt buộc)").fill("Rác vẫn còn ở đầu ngõ.")
    phone.get_by_label("Tôi đề nghị xử lý lại phản ánh này").check()
    phone.get_by_role("button", name="Gửi đánh giá").click()
    expect(phone.get_by_role("status").first).to_contain_text("đề nghị xử lý lại")
    expect(phone.get_by_role("main")).to_contain_text(
        "Đề nghị xử lý lại của bạn đang chờ lãnh đạo xem xét."
    )
    answered_report.refresh_from_db()
    assert answered_report.status == Status.REOPEN_REQUESTED
    screenshot(phone, "feedback-follow-reopen-phone")
    assert_accessible(phone)


def test_information_request_page_and_lookup_are_accessible(phone, in_progress_report, alice):
    from chinhquyenso.feedback import services

    services.report_request_info(report=in_progress_report, by=alice, question="Số nhà cụ thể?")
    phone.goto(follow_link(in_progress_report))
    expect(
        phone.get_by_role("heading", name="Cơ quan xử lý cần bạn bổ sung thông tin")
    ).to_be_visible()
    phone.get_by_role("button", name="Gửi thông tin bổ sung").click()
    expect(phone.get_by_role("alert")).to_contain_text("Mời bạn viết thông tin bổ sung.")
    screenshot(phone, "feedback-follow-info-phone")
    assert_accessible(phone)
    phone.get_by_label("Thông tin bổ sung").fill("Số nhà 14, ngõ 12.")
    phone.get_by_role("button", name="Gửi thông tin bổ sung").click()
    expect(phone.get_by_role("status").first).to_contain_text("Đã gửi thông tin bổ sung")

    phone.goto("/phan-anh/")
    phone.get_by_label("Mã phản ánh").fill(in_progress_report.tracking_code.lower())
    phone.get_by_role("button", name="Tra cứu").click()
    expect(
        phone.get_by_role("heading", level=2, name=f"Phản ánh {in_progress_report.tracking_code}")
    ).to_be_visible()
    screenshot(phone, "feedback-lookup-phone")
    assert_accessible(phone)


def fill_step_one(tab: Page) -> None:
    tab.get_by_label("Nội dung phản ánh").fill("Rác thải đổ trộm ở đầu ngõ 12 đường Lê Lợi.")
    tab.get_by_label("Lĩnh vực").select_option(label="Rác thải")
    tab.get_by_label("Tình trạng kéo dài bao lâu?").fill("Lâu rồi")
    tab.get_by_label("Xã, phường nơi xảy ra sự việc").select_option(label="Phường Thành Vinh")
    tab.get_by_role("button", name="Tiếp tục").click()


def test_form_errors_similar_reports_and_flood_page_are_accessible(
    page, settings, submitted_report
):
    page.goto("/phan-anh/gui/")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("alert")).to_contain_text("Mời bạn viết nội dung phản ánh.")
    screenshot(page, "feedback-form-errors-page")
    assert_accessible(page)

    fill_step_one(page)
    expect(page.get_by_role("heading", name="Có thể việc này đã có người phản ánh")).to_be_visible()
    screenshot(page, "feedback-confirm-similar-page")
    assert_accessible(page)

    settings.FEEDBACK_ANONYMOUS_PER_HOUR = 1  # the limit counts from here
    cache.clear()
    page.get_by_role("button", name=f"Tham gia phản ánh {submitted_report.tracking_code}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bạn đã tham gia phản ánh")

    page.goto("/phan-anh/gui/")
    fill_step_one(page)
    page.get_by_role("button", name="Gửi phản ánh").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tạm thời chưa gửi được")
    assert Report.objects.count() == 1
    screenshot(page, "feedback-throttled-page")
    assert_accessible(page)


def test_commune_list_filters_without_diacritics(phone, province, commune):
    from chinhquyenso.units.models import UnitKind
    from chinhquyenso.units.services import unit_create

    for name in (
        "Quỳnh Lưu", "Diễn Châu", "Yên Thành", "Đô Lương", "Nghi Lộc", "Hưng Nguyên", "Nam Đàn",
        "Thanh Chương", "Con Cuông", "Tương Dương", "Kỳ Sơn", "Quế Phong", "Quỳ Châu", "Quỳ Hợp",
    ):  # fmt: skip
        unit_create(parent=province, kind=UnitKind.COMMUNE, name=f"Xã {name}", by=None)
    phone.goto("/phan-anh/gui/")
    phone.get_by_label("Tìm nhanh xã, phường").fill("do luong")
    options = phone.locator("#id_commune option")
    expect(options).to_have_count(2)
    expect(options.nth(1)).to_have_text("Xã Đô Lương")
    phone.get_by_label("Xã, phường nơi xảy ra sự việc").select_option(label="Xã Đô Lương")
    phone.get_by_label("Tìm nhanh xã, phường").fill("")
    expect(options).to_have_count(16)
    assert phone.locator("#id_commune").input_value() != ""
    screenshot(phone, "feedback-form-commune-filter-phone")
    assert_accessible(phone)
