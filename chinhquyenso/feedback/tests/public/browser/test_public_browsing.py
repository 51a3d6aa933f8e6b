"""The public pages in Chromium on a phone: axe-core clean, no sideways scrolling, the map."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from chinhquyenso.feedback.models import Status
from chinhquyenso.portal.tests.browser.browsing import assert_accessible, screenshot

from ..conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(tab: Page) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def reports(seed_report, road_category, other_commune):
    return [
        seed_report(
            category=road_category,
            public_text="Đường Hồng Bàng bị sụt lún, nhiều ổ gà sâu gây nguy hiểm. " * 4,
        ),
        seed_report(commune=other_commune, status=Status.CLOSED, submitted_at=at("2026-04-02")),
    ]


def test_public_pages_on_a_phone(phone: Page, reports, settings):
    settings.MAP_TILE_URL = ""
    phone.goto("/phan-anh/cong-khai/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Phản ánh đã được trả lời")
    assert_accessible(phone)
    no_sideways_scroll(phone)

    phone.get_by_label("Tìm theo nội dung").fill("duong hong bang")
    phone.get_by_role("button", name="Tìm").click()
    expect(phone.locator(".report-card")).to_have_count(1)
    assert_accessible(phone)
    screenshot(phone, "feedback-public-search-phone")

    phone.locator(".report-card a").click()
    expect(phone.get_by_role("heading", name="Trả lời của cơ quan có thẩm quyền")).to_be_visible()
    assert_accessible(phone)
    no_sideways_scroll(phone)

    phone.goto("/phan-anh/cong-khai/?tu_ngay=31/02/2026")
    expect(phone.get_by_role("alert")).to_contain_text("Ngày không hợp lệ")
    assert_accessible(phone)

    phone.goto("/phan-anh/ban-do/")
    expect(phone.get_by_text("Bản đồ chưa được bật")).to_be_visible()
    assert_accessible(phone)

    phone.goto("/phan-anh/thong-ke/?tu_ngay=01/01/2026&den_ngay=31/12/2026")
    expect(phone.get_by_role("table")).to_be_visible()
    assert_accessible(phone)
    no_sideways_scroll(phone)
    screenshot(phone, "feedback-public-stats-phone")
    phone.get_by_role("link", name="Đơn vị", exact=True).click()
    expect(phone.locator('th[aria-sort="ascending"]')).to_contain_text("Đơn vị")


def test_map_shows_markers_from_the_packaged_leaflet(page: Page, reports, settings, live_server):
    # Tiles from the live server itself (missing tiles are fine); nothing from the internet.
    settings.MAP_TILE_URL = f"{live_server.url}/khong-co-o-ban-do/{{z}}/{{x}}/{{y}}.png"
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(live_server.url) and not request.url.startswith("data:")
            else None
        ),
    )
    page.goto("/phan-anh/ban-do/")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(2)
    assert_accessible(page)
    screenshot(page, "feedback-public-map")
    assert outside == []
