"""The catalogue in Chromium on a phone: find a procedure without diacritics, read it; axe-core
clean, light, no sideways scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Response, expect

from chinhquyenso.core.demo import DemoResult, _load_units
from chinhquyenso.portal.tests.browser.browsing import assert_accessible, screenshot
from chinhquyenso.procedures.demo import procedures_demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_BUDGET_BYTES = 120 * 1024


@pytest.fixture
def catalogue(db):
    _load_units(DemoResult())
    procedures_demo_load()


def no_sideways_scroll(tab: Page) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_find_and_read_a_procedure_on_a_phone(phone: Page, live_server, catalogue):
    responses: list[Response] = []
    phone.on("response", lambda response: responses.append(response))
    phone.goto("/")
    phone.get_by_role("main").get_by_role("link", name="Dịch vụ công trực tuyến").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Dịch vụ công trực tuyến")
    assert_accessible(phone)
    no_sideways_scroll(phone)

    phone.get_by_label("Tên hoặc mã thủ tục").fill("dang ky khai sinh")
    phone.get_by_label("Nơi nộp hồ sơ").select_option(label="Phường Thành Vinh")
    phone.get_by_role("button", name="Tìm").click()
    expect(phone.get_by_role("link", name="Đăng ký khai sinh", exact=True)).to_be_visible()
    expect(phone.get_by_role("link", name="Đăng ký kết hôn")).to_have_count(0)
    assert_accessible(phone)
    screenshot(phone, "procedures-search-phone")

    responses.clear()
    phone.get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    phone.wait_for_load_state("networkidle")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    for name in ("Cần chuẩn bị", "Mất bao lâu", "Phí, lệ phí", "Nộp ở đâu"):
        expect(phone.get_by_role("heading", name=name)).to_be_visible()
    expect(phone.get_by_role("link", name="Nộp trực tuyến")).to_be_visible()
    assert_accessible(phone)
    no_sideways_scroll(phone)
    screenshot(phone, "procedures-detail-phone")
    same_origin = [r for r in responses if r.url.startswith(live_server.url)]
    assert sum(len(r.body()) for r in same_origin) <= PAGE_BUDGET_BYTES
    assert all(r.url.startswith((live_server.url, "data:")) for r in responses)


@pytest.mark.parametrize("code", ["1.000894", "2.000884", "1.012753"])
def test_partial_counter_and_inter_agency_procedures_are_accessible(page: Page, catalogue, code):
    page.goto(f"/dich-vu-cong/thu-tuc/{code}/")
    expect(page.get_by_role("heading", name="Cách nộp hồ sơ")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"procedures-detail-{code}")


def test_a_wrong_filter_is_announced(page: Page, catalogue):
    page.goto("/dich-vu-cong/?muc_do=level4")
    expect(page.get_by_role("alert")).to_contain_text("Hình thức nộp")
    assert_accessible(page)
