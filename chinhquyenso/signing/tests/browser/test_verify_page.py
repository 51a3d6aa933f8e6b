"""A visitor checks a signed decision on a phone, without logging in."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from chinhquyenso.accounts.models import User
from chinhquyenso.portal.tests.browser.browsing import assert_accessible, screenshot
from chinhquyenso.signing import services
from chinhquyenso.signing.appearance import VisibleSignature
from chinhquyenso.signing.models import SigningCredential
from chinhquyenso.signing.tests.conftest import SIGNATURE_BOX

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_uploads_a_signed_pdf_and_reads_the_result(
    phone: Page, draft: bytes, mayor: User, mayor_key: SigningCredential, tmp_path: Path
) -> None:
    signed = services.sign_pdf(
        pdf=draft,
        signer=mayor_key,
        by=mayor,
        appearance=VisibleSignature.person(page=2, box=SIGNATURE_BOX),
    )
    path = tmp_path / "quyet-dinh.pdf"
    path.write_bytes(signed)

    phone.goto("/ky-so/kiem-tra/")
    assert_accessible(phone)
    phone.get_by_label("Tệp PDF cần kiểm tra").set_input_files(str(path))
    phone.get_by_role("button", name="Kiểm tra", exact=True).click()

    result = phone.get_by_role("region", name="Kết quả kiểm tra")
    assert "Chữ ký số hợp lệ." in result.inner_text()
    assert "Nguyễn Văn Hùng" in result.inner_text()
    screenshot(phone, "signing-verify-result")
    assert_accessible(phone)

    not_pdf = tmp_path / "anh.pdf"
    not_pdf.write_bytes(b"khong phai pdf")
    phone.get_by_label("Tệp PDF cần kiểm tra").set_input_files(str(not_pdf))
    phone.get_by_role("button", name="Kiểm tra", exact=True).click()
    assert "Tệp gửi lên không phải tệp PDF." in phone.get_by_role("alert").inner_text()
    assert_accessible(phone)
