"""From the workspace, the chairman replaces his signature image and the clerk the ward's seal,
on a phone; a wrong file first each time. axe-core checks every page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from chinhquyenso.accounts.models import User
from chinhquyenso.portal.tests.browser.browsing import assert_accessible, log_in, screenshot
from chinhquyenso.signing.images import draw_demo_seal, draw_demo_signature, png_bytes
from chinhquyenso.signing.models import SealImage, SigningCredential

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page: Page) -> bool:
    size = page.viewport_size
    assert size is not None
    return bool(page.evaluate("document.documentElement.scrollWidth") <= size["width"])


def test_signature_and_seal_images_from_the_workspace(
    phone: Page, mayor: User, mayor_key: SigningCredential, clerk: User, tmp_path: Path
) -> None:
    signature = tmp_path / "chu-ky.png"
    signature.write_bytes(png_bytes(draw_demo_signature("Hùng, lần hai")))
    seal = tmp_path / "con-dau.png"
    seal.write_bytes(png_bytes(draw_demo_seal("UBND")))
    not_png = tmp_path / "chu-ky.pdf"
    not_png.write_bytes(b"%PDF-1.7\n%%EOF\n")

    log_in(phone, mayor.email)
    phone.goto("/can-bo/")
    phone.get_by_role("link", name="Chữ ký của tôi").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Chữ ký của tôi")
    expect(phone.get_by_role("img", name="Ảnh chữ ký của anh/chị")).to_be_visible()
    expect(phone.get_by_role("table")).to_contain_text(mayor_key.subject_name)
    assert_accessible(phone)
    assert no_sideways_scroll(phone)
    screenshot(phone, "signing-my-signature")

    phone.get_by_label("Ảnh chữ ký (PNG nền trong suốt)").set_input_files(not_png)
    phone.get_by_role("button", name="Lưu ảnh chữ ký").click()
    expect(phone.get_by_role("alert")).to_contain_text("PNG nền trong suốt")
    assert_accessible(phone)
    phone.get_by_label("Ảnh chữ ký (PNG nền trong suốt)").set_input_files(signature)
    phone.get_by_role("button", name="Lưu ảnh chữ ký").click()
    expect(phone.locator(".messages")).to_contain_text("Đã lưu ảnh chữ ký mới.")
    mayor.refresh_from_db()
    assert mayor.signature_image.image.open("rb").read() == signature.read_bytes()

    phone.get_by_role("button", name="Đăng xuất").click()
    log_in(phone, clerk.email)
    phone.goto("/can-bo/")
    phone.get_by_role("link", name="Con dấu của đơn vị").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Con dấu của Phường Thành Vinh")
    expect(phone.get_by_text("Chưa có ảnh con dấu.")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_label("Ảnh con dấu (PNG nền trong suốt)").set_input_files(seal)
    phone.get_by_label("Đường kính thật của con dấu (mm)").fill("70")
    phone.get_by_role("button", name="Lưu ảnh con dấu").click()
    expect(phone.get_by_role("alert")).to_contain_text("Đường kính con dấu phải từ 20 đến 60 mm.")
    assert_accessible(phone)
    phone.get_by_label("Ảnh con dấu (PNG nền trong suốt)").set_input_files(seal)
    phone.get_by_label("Đường kính thật của con dấu (mm)").fill("36")
    phone.get_by_role("button", name="Lưu ảnh con dấu").click()
    expect(phone.locator(".messages")).to_contain_text("Đã lưu ảnh con dấu của Phường Thành Vinh.")
    expect(phone.get_by_role("img", name="Ảnh con dấu của Phường Thành Vinh")).to_be_visible()
    assert_accessible(phone)
    assert no_sideways_scroll(phone)
    screenshot(phone, "signing-seal")
    assert SealImage.objects.get(unit=clerk.unit).diameter_mm == 36
