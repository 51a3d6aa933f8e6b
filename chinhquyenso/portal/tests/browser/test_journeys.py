"""User journeys through the portal in Chromium, on a phone and on a desktop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Response, expect

from chinhquyenso.portal.tests.browser.browsing import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME_BUDGET_BYTES = 150 * 1024


@pytest.mark.parametrize("device", ["phone", "page"])
def test_home_in_vietnamese_is_light_and_accessible(request, device, live_server, province):
    tab: Page = request.getfixturevalue(device)
    responses: list[Response] = []
    tab.on("response", lambda response: responses.append(response))

    tab.goto("/")
    tab.wait_for_load_state("networkidle")

    expect(tab.locator("html")).to_have_attribute("lang", "vi")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Tỉnh Nghệ An")
    for name in ("Phản ánh kiến nghị", "Dịch vụ công trực tuyến"):
        expect(tab.get_by_role("main").get_by_role("link", name=name)).to_be_visible()
    expect(tab.get_by_label("Mã hồ sơ")).to_be_visible()
    expect(tab.get_by_role("main").get_by_role("link", name="Đăng nhập")).to_be_visible()
    for landmark in ("banner", "navigation", "main", "contentinfo"):
        expect(tab.get_by_role(landmark).first).to_be_attached()

    same_origin = [
        r
        for r in responses
        if r.url.startswith(live_server.url) and r.request.resource_type != "image"
    ]
    assert {r.request.resource_type for r in same_origin} >= {"document", "stylesheet"}
    assert all(r.status == 200 for r in same_origin), [(r.url, r.status) for r in same_origin]
    total = sum(len(r.body()) for r in same_origin)
    assert total <= HOME_BUDGET_BYTES, f"home page weighs {total} bytes"
    # Nothing is fetched from anywhere else: no CDN, no web fonts.
    assert all(r.url.startswith((live_server.url, "data:")) for r in responses)

    # No sideways scrolling on a small phone.
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(tab, f"home-vi-{device}")
    assert_accessible(tab)


def test_language_switch_to_english_and_back(page, province):
    page.goto("/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tỉnh Nghệ An")
    expect(page.get_by_role("link", name="Online public services")).to_be_visible()
    expect(page.get_by_label("Dossier code")).to_be_visible()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    screenshot(page, "home-en-page")
    assert_accessible(page)

    page.get_by_role("link", name="Track a dossier").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Track a dossier")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    # The switch brings the visitor back to the page they were on.
    expect(page).to_have_url(re.compile(r"/tra-cuu/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tra cứu hồ sơ")


def test_english_home_on_a_phone(phone, province):
    phone.goto("/")
    phone.get_by_role("button", name="English").click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    screenshot(phone, "home-en-phone")
    assert_accessible(phone)


@pytest.mark.parametrize(
    ("who", "username", "unit_line", "role"),
    [
        ("alice", "alice@example.vn", "Phường Thành Vinh — Tỉnh Nghệ An", "Chuyên viên"),
        ("bob", "bob@example.vn", "Xã Anh Sơn — Tỉnh Nghệ An", "Chuyên viên"),
        ("leader", "leader@example.vn", "Tỉnh Nghệ An", "Lãnh đạo đơn vị"),
        ("sysadmin", "quantri@example.vn", "Tỉnh Nghệ An", "Quản trị hệ thống"),
        ("ops_leader", "0987.654.321", "Tỉnh Nghệ An", "Lãnh đạo Trung tâm điều hành"),
    ],
)
def test_official_logs_in_to_their_workspace(request, page, who, username, unit_line, role):
    request.getfixturevalue("other_commune")
    request.getfixturevalue("commune")
    official = request.getfixturevalue(who)

    log_in(page, username)

    expect(page).to_have_url(re.compile(r"/can-bo/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Trang làm việc")
    main = page.get_by_role("main")
    expect(main).to_contain_text(official.full_name)
    expect(main.locator(".unit-chain")).to_have_text(unit_line)
    expect(main.locator(".tags")).to_contain_text(role)
    admin_link = main.get_by_role("link", name="Mở trang quản trị")
    expect(admin_link).to_have_count(1 if who == "sysadmin" else 0)
    if who in ("leader", "ops_leader", "sysadmin"):
        expect(main).to_contain_text("Bạn xem được dữ liệu của 3 đơn vị.")
        main.get_by_text("Danh sách đơn vị").click()
        expect(main.get_by_text("Xã Anh Sơn")).to_be_visible()
    else:
        expect(main).to_contain_text("Bạn xem được dữ liệu của 1 đơn vị.")
    screenshot(page, f"workspace-{who}-page")
    assert_accessible(page)


def test_workspace_on_a_phone(phone, leader, commune, other_commune):
    log_in(phone, "leader@example.vn")
    phone.get_by_text("Danh sách đơn vị").click()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "workspace-leader-phone")
    assert_accessible(phone)


def test_citizen_logs_in_by_phone_to_their_account_and_out(phone, charlie):
    log_in(phone, "0912 345 678")
    expect(phone).to_have_url(re.compile(r"/tai-khoan/$"))
    main = phone.get_by_role("main")
    expect(main).to_contain_text("Phạm Thị Chi")
    expect(main).to_contain_text("0912345678")
    screenshot(phone, "account-citizen-phone")
    assert_accessible(phone)

    phone.goto("/can-bo/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")

    phone.get_by_role("button", name="Đăng xuất").click()
    expect(phone).to_have_url(re.compile(r"/$"))
    expect(phone.get_by_role("navigation").get_by_role("link", name="Đăng nhập")).to_be_visible()


@pytest.mark.parametrize("device", ["phone", "page"])
def test_wrong_password_shows_the_vietnamese_error(request, device, alice):
    tab: Page = request.getfixturevalue(device)
    log_in(tab, "alice@example.vn", "mat-khau-sai")
    expect(tab.get_by_role("alert")).to_have_text("Thông tin đăng nhập không đúng.")
    expect(tab).to_have_url(re.compile(r"/dang-nhap/$"))
    screenshot(tab, f"login-error-{device}")
    assert_accessible(tab)


def test_login_page_is_accessible(page, db):
    page.goto("/dang-nhap/")
    expect(page.get_by_label("Thư điện tử hoặc số điện thoại")).to_be_visible()
    screenshot(page, "login-page")
    assert_accessible(page)


def test_anonymous_visitor_is_asked_to_log_in_then_sent_back(page, alice):
    page.goto("/can-bo/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill("alice@example.vn")
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-nghiem-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/can-bo/$"))


def test_keyboard_reaches_the_skip_link_first_and_focus_is_visible(page, province):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {
                text: el.textContent.trim(),
                href: el.getAttribute("href"),
                background: style.backgroundColor,
                boxShadow: style.boxShadow,
                inView: box.top >= 0 && box.bottom <= window.innerHeight && box.width > 0,
            };
        }"""
    )
    assert focused["text"] == "Bỏ qua, đến nội dung chính"
    assert focused["href"] == "#noi-dung"
    assert focused["inView"]
    assert focused["background"] == "rgb(255, 221, 0)"  # the yellow focus colour
    assert focused["boxShadow"] != "none"
    screenshot(page, "skip-link-focused")

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "noi-dung"

    # Tabbing on lands in the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    outline = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert outline == "rgb(255, 221, 0)"


def test_dossier_lookup_from_home(phone, province):
    phone.goto("/")
    phone.get_by_label("Mã hồ sơ").fill("000.00.01.H40-260105-0001")
    phone.get_by_role("button", name="Tra cứu").click()
    expect(phone).to_have_url(re.compile(r"/tra-cuu/\?ma=000\.00\.01\.H40-260105-0001$"))
    expect(phone.locator(".notice")).to_contain_text("000.00.01.H40-260105-0001")
    expect(phone.locator(".notice")).to_contain_text("Không tìm thấy hồ sơ")
    screenshot(phone, "lookup-phone")
    assert_accessible(phone)


def test_citizen_registers_from_the_login_page_on_a_phone(phone, province):
    phone.goto("/dang-nhap/")
    phone.get_by_role("link", name="Đăng ký").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Đăng ký tài khoản")
    assert_accessible(phone)

    # A first try without consent and with mismatched passwords is explained, not lost.
    phone.get_by_label("Họ và tên").fill("Hồ Thị Mai")
    phone.get_by_role("textbox", name="Số điện thoại").fill("0912 000 111")
    phone.get_by_label("Mật khẩu", exact=True).fill("mua-xuan-2026")
    phone.get_by_label("Nhập lại mật khẩu").fill("mua-dong-2026")
    phone.get_by_role("button", name="Đăng ký").click()
    summary = phone.get_by_role("alert")
    expect(summary).to_contain_text("Hai mật khẩu không khớp.")
    expect(summary).to_contain_text("Cần đồng ý để mở tài khoản.")
    expect(phone.get_by_label("Họ và tên")).to_have_value("Hồ Thị Mai")
    screenshot(phone, "register-errors-phone")
    assert_accessible(phone)

    phone.get_by_label("Mật khẩu", exact=True).fill("mua-xuan-2026")
    phone.get_by_label("Nhập lại mật khẩu").fill("mua-xuan-2026")
    phone.get_by_role("checkbox").check()
    phone.get_by_role("button", name="Đăng ký").click()
    expect(phone).to_have_url(re.compile(r"/tai-khoan/$"))
    expect(phone.get_by_role("main")).to_contain_text("Hồ Thị Mai")
    screenshot(phone, "register-done-phone")
