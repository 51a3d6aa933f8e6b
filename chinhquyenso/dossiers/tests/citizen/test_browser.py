"""A citizen's online dossier end to end in Chromium, on a phone: find the procedure in the
catalogue, log in, choose where to submit, fill the e-form (one mistake first), upload the
application, send, pay the fee through the gateway simulator, then follow the dossier on the
public look-up page without logging in. axe-core checks every page on the way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from chinhquyenso.core.search import searchable_text
from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.models import Dossier, Status
from chinhquyenso.dossiers.tests.conftest import pdf_file
from chinhquyenso.portal.tests.browser.browsing import assert_accessible, screenshot
from chinhquyenso.portal.tests.browser.conftest import browser, page, phone
from chinhquyenso.procedures.models import ProcedureVersion
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.services import unit_create

__all__ = ["browser", "page", "phone"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


COMMUNES = [
    "Xã Anh Sơn Đông",
    "Xã Bích Hào",
    "Xã Cát Ngạn",
    "Xã Con Cuông",
    "Xã Diễn Châu",
    "Xã Đô Lương",
    "Xã Đông Hiếu",
    "Xã Hạnh Lâm",
    "Xã Hưng Nguyên",
    "Xã Kim Liên",
    "Xã Lương Sơn",
    "Xã Mường Xén",
    "Xã Nam Đàn",
    "Xã Nghi Lộc",
    "Xã Quỳnh Lưu",
    "Xã Tân Kỳ",
]


def checked(tab: Page, name: str) -> None:
    assert_accessible(tab)
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    screenshot(tab, f"dossiers-citizen-{name}")


@pytest.fixture
def catalogued(version: ProcedureVersion) -> ProcedureVersion:
    """The shared fixture builds the procedure row directly; make the search find it."""
    procedure = version.procedure
    procedure.search_text = searchable_text(procedure.code, procedure.name, procedure.field.name)
    procedure.save(update_fields=["search_text"])
    return version


@pytest.fixture
def application(tmp_path: Path) -> Path:
    path = tmp_path / "don-de-nghi-cap-phep.pdf"
    path.write_bytes(pdf_file().read())
    return path


def test_submit_pay_and_track_a_dossier_on_a_phone(
    phone: Page, live_server, catalogued, commune, charlie, application
) -> None:
    phone.goto("/dich-vu-cong/")
    phone.get_by_label("Tên hoặc mã thủ tục").fill("giay phep xay dung")
    phone.get_by_role("button", name="Tìm").click()
    checked(phone, "1-catalogue")
    phone.get_by_role("link", name="Cấp giấy phép xây dựng").click()
    phone.get_by_role("link", name="Nộp trực tuyến").click()

    # Not logged in yet: the login page brings the citizen back to the submission.
    expect(phone).to_have_url(re.compile(r"/dang-nhap/\?next="))
    phone.get_by_label("Thư điện tử hoặc số điện thoại").fill("0912345678")
    phone.get_by_label("Mật khẩu").fill("mat-khau-thu-nghiem-2026")
    phone.get_by_role("button", name="Đăng nhập").click()

    expect(phone.get_by_role("heading", name="Nộp hồ sơ trực tuyến")).to_be_visible()
    checked(phone, "2-start")
    phone.get_by_label("Nơi nộp hồ sơ").select_option(label="Phường Thành Vinh")
    phone.get_by_role("button", name="Tiếp tục").click()

    expect(phone.get_by_text("Bước 2 trên 2")).to_be_visible()
    expect(phone.get_by_label("Họ và tên người nộp")).to_have_value("Phạm Thị Chi")
    checked(phone, "3-draft")
    # A first try with the date typed wrong and no document.
    phone.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Nguyễn Minh Khang")
    phone.get_by_label("Ngày sinh").fill("31/02/2026")
    phone.get_by_role("button", name="Nộp hồ sơ").click()
    summary = phone.get_by_role("alert")
    expect(summary).to_contain_text("“Ngày sinh” phải là ngày hợp lệ")
    expect(summary).to_contain_text("Đơn đề nghị: Xin tải lên giấy tờ này.")
    checked(phone, "4-draft-errors")
    summary.get_by_role("link", name=re.compile("Ngày sinh")).click()
    expect(phone.get_by_label("Ngày sinh")).to_have_value("31/02/2026")

    phone.get_by_label("Ngày sinh").fill("02/11/2026")
    phone.get_by_label("Đơn đề nghị").set_input_files(application)
    phone.get_by_role("button", name="Nộp hồ sơ").click()

    dossier = Dossier.objects.get(applicant=charlie)
    assert dossier.status == Status.NEW
    expect(phone.get_by_text(f"Mã hồ sơ của bạn là {dossier.code}")).to_be_visible()
    expect(phone.locator(".status-line")).to_have_text("Mới đăng ký (mã 1)")
    checked(phone, "5-sent")

    phone.get_by_role("button", name="Nộp phí trực tuyến").click()
    expect(phone.get_by_text("Cổng thanh toán mô phỏng")).to_be_visible()
    expect(phone.get_by_text("150.000 đ")).to_be_visible()
    phone.get_by_label("Thanh toán thành công").check()
    phone.get_by_role("button", name="Xác nhận").click()
    expect(phone.get_by_role("heading", name="Thanh toán thành công")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("link", name="Quay lại hồ sơ").click()

    expect(phone.get_by_text("Đã nộp phí")).to_be_visible()
    expect(phone.get_by_role("link", name="Xem biên lai")).to_be_visible()
    expect(phone.get_by_role("button", name="Nộp phí trực tuyến")).to_have_count(0)
    checked(phone, "6-paid")
    dossier.refresh_from_db()
    assert dossier.paid_online and dossier.paid_at is not None

    phone.get_by_role("link", name="‹ Hồ sơ của tôi").click()
    expect(phone.get_by_role("heading", name="Hồ sơ của tôi")).to_be_visible()
    expect(phone.locator(".dossier-card__status")).to_have_text("Mới đăng ký (mã 1)")
    checked(phone, "7-my-dossiers")

    # Anyone with the code follows it, without logging in.
    phone.get_by_role("button", name="Đăng xuất").click()
    phone.goto("/tra-cuu/")
    phone.get_by_label("Mã hồ sơ").fill("không phải mã")
    phone.get_by_role("button", name="Tra cứu").click()
    expect(phone.get_by_text("Mã hồ sơ không đúng dạng.")).to_be_visible()
    checked(phone, "8-lookup-malformed")
    phone.get_by_label("Mã hồ sơ").fill(dossier.code)
    phone.get_by_role("button", name="Tra cứu").click()
    result = phone.get_by_role("region", name=f"Hồ sơ {dossier.code}")
    expect(result).to_contain_text("Mới đăng ký (mã 1)")
    expect(result).to_contain_text("Phường Thành Vinh")
    expect(result).not_to_contain_text("Phạm Thị Chi")
    checked(phone, "9-lookup")


def test_the_list_of_units_narrows_while_typing(page: Page, live_server, version, charlie) -> None:
    province = Unit.objects.get(kind=UnitKind.PROVINCE)
    for number, name in enumerate(COMMUNES, start=1):
        unit_create(
            parent=province,
            kind=UnitKind.COMMUNE,
            name=name,
            code=f"175{number:02d}",
            agency_code=f"000.00.{number + 20:02d}.H40",
            by=None,
        )
    page.goto("/dang-nhap/")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill("0912345678")
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-nghiem-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/dich-vu-cong/thu-tuc/{version.procedure.code}/nop-ho-so/")
    units = page.get_by_label("Nơi nộp hồ sơ")
    assert units.locator("option").count() == len(COMMUNES) + 2  # the prompt, the department
    page.get_by_label("Tìm nhanh nơi nộp").fill("do luong")
    assert units.locator("option").all_inner_texts() == ["— Chọn nơi nộp hồ sơ —", "Xã Đô Lương"]
    assert_accessible(page)
    units.select_option(label="Xã Đô Lương")
    page.get_by_label("Tìm nhanh nơi nộp").fill("")
    assert units.locator("option").count() == len(COMMUNES) + 2
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_label("Nơi nộp hồ sơ")).to_have_value(
        str(Unit.objects.get(name="Xã Đô Lương").pk)
    )


def test_supply_documents_then_download_the_result_and_rate(
    page: Page,
    live_server,
    sent,
    counter_officer,
    dept_specialist,
    dept_leader,
    tmp_path: Path,
) -> None:
    services.dossier_request_documents(
        dossier=sent,
        by=counter_officer,
        items=[{"name": "Bản vẽ mặt bằng", "reason": "Thiếu chữ ký của chủ hộ"}],
        note="Xin ký đủ các trang.",
    )
    page.goto("/dang-nhap/")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill("0912345678")
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-nghiem-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/tai-khoan/ho-so/{sent.code}/")
    panel = page.get_by_role("region", name="Cần bổ sung hồ sơ")
    expect(panel).to_contain_text("Bản vẽ mặt bằng: Thiếu chữ ký của chủ hộ")
    page.get_by_text("Rút hồ sơ", exact=True).first.click()  # open the withdrawal form too
    checked(page, "10-supply")
    drawing = tmp_path / "ban-ve-mat-bang.pdf"
    drawing.write_bytes(pdf_file().read())
    panel.get_by_label("Giấy tờ bổ sung").set_input_files(drawing)
    panel.get_by_role("button", name="Gửi giấy tờ bổ sung").click()
    expect(page.get_by_text("Đã gửi giấy tờ bổ sung.")).to_be_visible()
    expect(page.locator(".status-line")).to_have_text("Mới đăng ký (mã 1)")

    dossier = services.dossier_accept(dossier=sent, by=counter_officer)
    services.dossier_forward(dossier=dossier, by=dept_specialist)
    services.dossier_attach_result(
        dossier=dossier, by=dept_leader, upload=pdf_file("giay-phep.pdf")
    )
    services.dossier_forward(dossier=dossier, by=dept_leader)
    page.reload()
    expect(page.locator(".status-line")).to_have_text("Đã xử lý xong (mã 9)")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải kết quả điện tử: giay-phep.pdf").click()
    assert download.value.suggested_filename == "giay-phep.pdf"
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_text("Xin chọn mức độ hài lòng.").first).to_be_visible()
    checked(page, "11-result-rating-error")
    page.get_by_label("Hài lòng", exact=True).check()
    page.get_by_label("Ý kiến của bạn").fill("Cán bộ hướng dẫn rõ ràng.")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_text("Bạn đã đánh giá: Hài lòng")).to_be_visible()
    checked(page, "12-rated")
