"""The whole journey of issue-level scope in Chromium. A citizen, on a phone, finds the
procedure in the catalogue, logs in, chooses where to submit, fills the e-form (one mistake
first), uploads the application, sends, pays the fee through the gateway simulator and follows
the dossier on the public look-up page. At the ward's counter an officer registers a paper
dossier and asks for the missing documents once, then receives the citizen's dossier; the
department's specialist and leader process it; the counter delivers the result; the citizen
downloads it and rates the service. axe-core checks every citizen page on the way.

Two shorter journeys follow: the list of units narrowing while typing, and additional documents
supplied online.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from chinhquyenso.core.search import searchable_text
from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.models import Dossier, Status
from chinhquyenso.dossiers.tests.conftest import pdf_file
from chinhquyenso.portal.tests.browser.browsing import assert_accessible, log_in, screenshot
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


def test_online_and_counter_dossiers_from_catalogue_to_rated_result(
    phone: Page,
    page: Page,
    live_server,
    catalogued,
    commune,
    charlie,
    application,
    counter_officer,
    dept_specialist,
    dept_leader,
    tmp_path: Path,
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

    # At the ward's counter: a paper dossier handed in, registered with its scan and asked
    # for everything missing at once.
    log_in(page, counter_officer.email)
    page.goto("/can-bo/")
    page.get_by_role("link", name="Hồ sơ cần xử lý").click()
    page.get_by_role("link", name="Tiếp nhận hồ sơ tại quầy").click()
    page.get_by_label("Thủ tục hành chính").select_option(
        label=f"Cấp giấy phép xây dựng ({catalogued.procedure.code})"
    )
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label("Họ và tên người nộp").fill("Trần Thị Hoa")
    page.get_by_label("Số định danh cá nhân (số căn cước)").fill("040190001111")
    page.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Trần Minh An")
    page.get_by_label("Ngày sinh").fill("02/11/2026")
    page.get_by_label("Đơn đề nghị").set_input_files(application)
    page.get_by_role("button", name="Đăng ký hồ sơ").click()
    expect(page.locator(".messages")).to_contain_text("Đã đăng ký hồ sơ")
    paper = Dossier.objects.exclude(pk=dossier.pk).get()
    assert paper.channel == 1 and paper.status == Status.NEW
    request = page.locator("#thao-tac-request_documents")
    request.get_by_text("Yêu cầu bổ sung hồ sơ", exact=True).click()
    request.get_by_label("Giấy tờ 1", exact=True).fill("Bản vẽ thiết kế")
    request.get_by_label("Lý do (giấy tờ 1)").fill("Chưa có chữ ký của chủ đầu tư")
    request.get_by_label("Giấy tờ 2", exact=True).fill("Giấy chứng nhận quyền sử dụng đất")
    request.get_by_role("button", name="Gửi yêu cầu và in phiếu").click()
    expect(page.locator(".messages")).to_contain_text("Đã gửi yêu cầu bổ sung hồ sơ")
    paper.refresh_from_db()
    assert paper.status == Status.ADDITIONAL_REQUESTED
    assert [r.items for r in paper.requests.all()] == [
        [
            {"name": "Bản vẽ thiết kế", "reason": "Chưa có chữ ký của chủ đầu tư"},
            {"name": "Giấy chứng nhận quyền sử dụng đất", "reason": ""},
        ]
    ]

    # The citizen's online dossier, already paid, is received from the queue.
    _open_from_queue(page, dossier.code)
    expect(page.get_by_text("Đã nộp lúc")).to_be_visible()
    page.locator("#thao-tac-accept").get_by_role("button", name="Tiếp nhận và in phiếu hẹn").click()
    expect(page.locator(".messages")).to_contain_text("Đã tiếp nhận hồ sơ.")
    _log_out(page)

    # The department's specialist forwards it; its leader attaches the permit and approves.
    log_in(page, dept_specialist.email)
    _open_from_queue(page, dossier.code)
    forward = page.locator("#thao-tac-forward")
    forward.get_by_label("Ý kiến xử lý").fill("Đủ điều kiện, trình lãnh đạo ký giấy phép.")
    forward.get_by_role("button", name="Chuyển").click()
    expect(page.locator(".messages")).to_contain_text("Đã chuyển hồ sơ sang bước tiếp theo.")
    _log_out(page)
    log_in(page, dept_leader.email)
    _open_from_queue(page, dossier.code)
    permit = tmp_path / "giay-phep.pdf"
    permit.write_bytes(pdf_file("giay-phep.pdf").read())
    attach = page.locator("#thao-tac-attach_result")
    attach.get_by_label("Tệp kết quả (PDF)").set_input_files(permit)
    attach.get_by_label("Nội dung kết quả").fill("Giấy phép xây dựng số 12/GPXD")
    attach.get_by_role("button", name="Lưu kết quả").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu kết quả giải quyết.")
    page.locator("#thao-tac-forward").get_by_role("button", name="Chuyển").click()
    expect(page.locator(".status-line")).to_contain_text("Đã xử lý xong")
    _log_out(page)

    # Back at the counter the result is delivered.
    log_in(page, counter_officer.email)
    _open_from_queue(page, dossier.code)
    page.locator("#thao-tac-return_result").get_by_role(
        "button", name="Xác nhận đã trả kết quả"
    ).click()
    expect(page.locator(".status-line")).to_contain_text("Đã trả kết quả")

    # The citizen downloads the electronic result and rates the service.
    log_in(phone, "0912345678")
    phone.goto(f"/tai-khoan/ho-so/{dossier.code}/")
    expect(phone.locator(".status-line")).to_have_text("Đã trả kết quả (mã 10)")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Tải kết quả điện tử: giay-phep.pdf").click()
    assert download.value.suggested_filename == "giay-phep.pdf"
    checked(phone, "10-result")
    phone.get_by_label("Hài lòng", exact=True).check()
    phone.get_by_label("Ý kiến của bạn").fill("Nộp trực tuyến nhanh, cán bộ xử lý đúng hẹn.")
    phone.get_by_role("button", name="Gửi đánh giá").click()
    expect(phone.get_by_text("Bạn đã đánh giá: Hài lòng")).to_be_visible()
    checked(phone, "11-rated")
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED


def _open_from_queue(page: Page, code: str) -> None:
    page.goto("/can-bo/ho-so/hang-doi/tat-ca/")
    page.get_by_role("listitem").filter(has_text=code).get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)


def _log_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()


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
    checked(page, "supply-1")
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
    checked(page, "supply-2-rating-error")
    page.get_by_label("Hài lòng", exact=True).check()
    page.get_by_label("Ý kiến của bạn").fill("Cán bộ hướng dẫn rõ ràng.")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_text("Bạn đã đánh giá: Hài lòng")).to_be_visible()
    checked(page, "supply-3-rated")
