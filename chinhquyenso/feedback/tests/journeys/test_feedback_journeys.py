"""The feedback feature end to end in Chromium, each step through the real pages.

1. A citizen on a phone reports a pothole with a photo → the commune screens it and the rules
   send it to Sở Xây dựng → its specialist drafts, its leader approves, the specialist publishes →
   the citizen reads the answer, is dissatisfied and asks to reopen → the leader reopens it.
2. The confidential track: a report about a named commune official's attitude.
3. Two citizens report the same problem; the screener merges the second into the first.

Only the cast, the categories and the routing rule are made through services (fixtures); every
report, decision and rating is made by clicking. axe-core checks every citizen page visited.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from chinhquyenso.feedback.tests.citizen.browser.test_citizen_journeys import fill_step_one
from chinhquyenso.feedback.tests.journeys.photos import gps_tags
from chinhquyenso.feedback.tests.staff.browser.test_journey import action, log_out, open_queue
from chinhquyenso.portal.tests.browser.browsing import assert_accessible, log_in, screenshot
from chinhquyenso.portal.tests.browser.conftest import PHONE, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRACKING_CODE = re.compile(r"^PA-[0-9A-Z]{4}-[0-9A-Z]{4}$")

CITIZEN_NAME = "Trần Thị Hoa"
CITIZEN_PHONE = "0987 654 321"
ROAD_TEXT = (
    "Ổ gà lớn giữa đường Nguyễn Du, trước nhà số 25, xe máy đi qua dễ ngã. "
    f"Tôi là {CITIZEN_NAME}, số điện thoại {CITIZEN_PHONE}, mong được sửa sớm."
)
#: The heading above the similar open reports a citizen is shown before sending.
SIMILAR = "Có thể việc này đã có người phản ánh"
ANSWER = "Sở Xây dựng đã giao đội duy tu vá ổ gà trước nhà số 25 đường Nguyễn Du trong tuần này."


@pytest.fixture
def second_phone(browser: Browser, live_server: Any) -> Iterator[Page]:
    """Another citizen's phone: a browser of its own, nothing shared with ``phone``."""
    yield from open_page(browser, live_server, PHONE)


def citizen_sees(tab: Page, name: str) -> None:
    """A citizen page: screenshot it (``test-artifacts/journey-<name>.png``), then axe-core."""
    screenshot(tab, f"journey-{name}")
    assert_accessible(tab)


def send_report(tab: Page, name: str) -> tuple[str, str]:
    """On the confirmation page: send, and read the tracking code and private link shown."""
    tab.get_by_role("button", name="Gửi phản ánh").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Đã gửi phản ánh")
    code = tab.locator(".tracking-code").inner_text().strip()
    assert TRACKING_CODE.match(code), code
    link = tab.locator(".private-link").get_attribute("href")
    assert link and "/phan-anh/theo-doi/" in link
    citizen_sees(tab, f"{name}-sent")
    return code, link


def open_card(page: Page, queue: str, code: str) -> None:
    """From a staff queue, open the report with *code*."""
    open_queue(page, queue)
    page.get_by_role("listitem").filter(has_text=code).get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)


def unfolded(page: Page, name: str):
    """The action form *name*, opened first when it is folded away under its title."""
    form = action(page, name)
    if form.evaluate("node => node.tagName === 'DETAILS' && !node.open"):
        form.locator("summary").click()
    return form


def status_line(tab: Page):
    return tab.locator(".status-line")


def test_pothole_reported_routed_answered_published_rated_and_reopened(
    phone: Page,
    page: Page,
    gps_photo: Path,
    routing_rule,
    commune,
    alice,
    dave,
    department_leader,
):
    # --- The citizen reports on a phone, without an account. ---
    phone.goto("/phan-anh/")
    citizen_sees(phone, "1-index")
    phone.get_by_role("link", name="Gửi phản ánh").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Gửi phản ánh")
    phone.get_by_label("Nội dung phản ánh").fill(ROAD_TEXT)
    phone.get_by_label("Lĩnh vực").select_option(label="Đường hư hỏng")
    phone.get_by_label("Xã, phường nơi xảy ra sự việc").select_option(label="Phường Thành Vinh")
    phone.get_by_label("Địa chỉ, địa điểm cụ thể").fill("Trước nhà số 25 đường Nguyễn Du")
    phone.get_by_label("Họ và tên").fill(CITIZEN_NAME)
    phone.get_by_label("Số điện thoại", exact=True).fill(CITIZEN_PHONE)
    phone.get_by_role("checkbox", name=re.compile("Tôi đồng ý")).check()
    citizen_sees(phone, "1-form")
    phone.get_by_role("button", name="Tiếp tục").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Kiểm tra và gửi phản ánh")
    expect(phone.get_by_role("main")).to_contain_text("Đường hư hỏng")
    expect(phone.get_by_role("main")).to_contain_text(CITIZEN_NAME)
    phone.get_by_label("Ảnh, tệp đính kèm").set_input_files(str(gps_photo))
    citizen_sees(phone, "1-confirm")
    code, private_link = send_report(phone, "1")

    phone.get_by_role("link", name="Mở trang theo dõi").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Phản ánh {code}")
    expect(status_line(phone)).to_contain_text("Chờ tiếp nhận")
    expect(phone.get_by_role("link", name=gps_photo.name)).to_be_visible()
    citizen_sees(phone, "1-follow-new")

    # --- The commune's screener accepts it; the rule routes it to the department. ---
    log_in(page, "alice@example.vn")
    open_card(page, "Chờ tiếp nhận", code)
    expect(page.get_by_role("main")).to_contain_text("Ổ gà lớn giữa đường Nguyễn Du")
    accept = action(page, "accept")
    expect(accept).to_contain_text("Theo quy tắc phân công, đơn vị xử lý là: Sở Xây dựng")
    accept.get_by_role("button", name="Tiếp nhận phản ánh").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Đã tiếp nhận phản ánh và chuyển đơn vị xử lý."
    )
    expect(status_line(page)).to_contain_text("Đã tiếp nhận")
    expect(page.locator(".history")).to_contain_text("Phường Thành Vinh → Sở Xây dựng")
    log_out(page)

    # --- The department's specialist drafts the answer. ---
    log_in(page, "dave@example.vn")
    open_card(page, "Đang xử lý", code)
    # The original photo, for the officials, still has its position.
    original = page.get_by_role("link", name=gps_photo.name).get_attribute("href")
    assert original
    assert gps_tags(page.request.get(original).body())
    draft = action(page, "draft_answer")
    draft.get_by_label("Nội dung trả lời").fill(ANSWER)
    draft.get_by_role("button", name="Lưu và trình duyệt").click()
    expect(status_line(page)).to_contain_text("Chờ lãnh đạo duyệt trả lời")
    log_out(page)

    # Meanwhile the citizen sees it is being handled by Sở Xây dựng, no answer yet.
    phone.goto(private_link)
    expect(status_line(phone)).to_contain_text("Chờ lãnh đạo duyệt trả lời")
    expect(phone.get_by_role("main")).to_contain_text("Sở Xây dựng")
    expect(phone.get_by_role("main")).not_to_contain_text(ANSWER)
    citizen_sees(phone, "1-follow-handling")

    # --- The department's leader approves. ---
    log_in(page, "duc@example.vn")
    open_card(page, "Chờ duyệt", code)
    approve = action(page, "approve_answer")
    expect(approve.get_by_label("Nội dung trả lời (có thể sửa trước khi duyệt)")).to_have_value(
        ANSWER
    )
    approve.get_by_role("button", name="Duyệt và gửi trả lời").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã duyệt và gửi trả lời")
    expect(status_line(page)).to_contain_text("Đã trả lời")
    log_out(page)

    # --- The specialist publishes it on the portal. ---
    log_in(page, "dave@example.vn")
    page.goto(f"/can-bo/phan-anh/{code}/")
    unfolded(page, "publish").get_by_role("button", name="Công khai trên cổng").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã công khai phản ánh trên cổng.")
    log_out(page)

    # --- Anyone reads the published report: no name, no phone, no position in the photo. ---
    phone.goto(f"/phan-anh/cong-khai/{code}/")
    main = phone.get_by_role("main")
    expect(main).to_contain_text("Ổ gà lớn giữa đường Nguyễn Du")
    expect(main).to_contain_text(ANSWER)
    public_html = phone.content()
    for private in (CITIZEN_NAME, CITIZEN_PHONE, CITIZEN_PHONE.replace(" ", "")):
        assert private not in public_html, private
    citizen_sees(phone, "1-public")
    photo_link = main.get_by_role("link").filter(has=phone.get_by_role("img")).first
    photo = phone.request.get(str(photo_link.get_attribute("href")))
    assert photo.ok and photo.headers["content-type"] == "image/jpeg"
    assert gps_tags(photo.body()) == {}

    # --- The citizen reads the answer, is dissatisfied and asks to reopen. ---
    phone.goto(private_link)
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Phản ánh {code}")
    expect(status_line(phone)).to_contain_text("Đã trả lời")
    expect(phone.get_by_role("heading", name="Câu trả lời")).to_be_visible()
    expect(phone.locator(".answer")).to_contain_text(ANSWER)
    citizen_sees(phone, "1-follow-answered")
    phone.get_by_label("Không hài lòng").check()
    phone.get_by_label("Ý kiến của bạn (không bắt buộc)").fill(
        "Mới đổ đá tạm, trời mưa là ổ gà lại xuất hiện."
    )
    phone.get_by_label("Tôi đề nghị xử lý lại phản ánh này").check()
    phone.get_by_role("button", name="Gửi đánh giá").click()
    expect(phone.get_by_role("status").first).to_contain_text("đề nghị xử lý lại")
    expect(status_line(phone)).to_contain_text("Đề nghị xử lý lại")
    expect(phone.get_by_role("main")).to_contain_text(
        "Đề nghị xử lý lại của bạn đang chờ lãnh đạo xem xét."
    )
    expect(phone.get_by_role("main")).to_contain_text("Không hài lòng")
    citizen_sees(phone, "1-follow-reopen-requested")

    # --- The leader reopens it. ---
    log_in(page, "duc@example.vn")
    open_card(page, "Đề nghị gia hạn / xử lý lại", code)
    expect(page.get_by_role("main")).to_contain_text("Mới đổ đá tạm")
    decide = action(page, "decide_reopen")
    decide.get_by_label("Xử lý lại", exact=True).check()
    decide.get_by_label("Lý do").fill("Đề nghị đội duy tu thảm lại mặt đường, không đổ đá tạm.")
    decide.get_by_role("button", name="Ghi quyết định").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Đã ghi quyết định về đề nghị xử lý lại."
    )
    expect(status_line(page)).to_contain_text("Đang xử lý")
    log_out(page)

    # --- Back in the handler's queue; the citizen sees it is being handled again. ---
    log_in(page, "dave@example.vn")
    open_queue(page, "Đang xử lý")
    card = page.get_by_role("listitem").filter(has_text=code)
    expect(card).to_contain_text("Đang xử lý")
    screenshot(page, "journey-1-handler-queue-reopened")
    phone.goto(private_link)
    expect(status_line(phone)).to_contain_text("Đang xử lý")
    citizen_sees(phone, "1-follow-reopened")


def test_confidential_report_never_reaches_the_official_it_names(
    phone: Page, page: Page, confidential_category, commune, alice, commune_leader, leader
):
    # --- A citizen reports an official's attitude, asking to keep their identity private. ---
    phone.goto("/phan-anh/gui/")
    phone.get_by_label("Nội dung phản ánh").fill(
        "Cán bộ một cửa Nguyễn Thị An quát tháo, không hướng dẫn khi tôi nộp hồ sơ sáng 24/11."
    )
    phone.get_by_label("Lĩnh vực").select_option(label="Thái độ cán bộ")
    phone.get_by_label("Cán bộ bị phản ánh").fill("Nguyễn Thị An, bộ phận một cửa")
    phone.get_by_label("Xã, phường nơi xảy ra sự việc").select_option(label="Phường Thành Vinh")
    phone.get_by_label("Họ và tên").fill("Lê Thị Mai")
    phone.get_by_label("Số điện thoại", exact=True).fill("0987 000 222")
    phone.get_by_label("Giữ kín danh tính của tôi").check()
    phone.get_by_role("checkbox", name=re.compile("Tôi đồng ý")).check()
    citizen_sees(phone, "2-form")
    phone.get_by_role("button", name="Tiếp tục").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Kiểm tra và gửi phản ánh")
    expect(phone.get_by_role("main")).to_contain_text("giữ kín danh tính")
    citizen_sees(phone, "2-confirm")
    code, private_link = send_report(phone, "2")

    # --- The commune's leader screens it and names the official. ---
    log_in(page, "cuong@example.vn")
    open_card(page, "Chờ tiếp nhận", code)
    accept = action(page, "accept")
    accept.get_by_label("Cán bộ bị phản ánh").select_option(label="Nguyễn Thị An")
    accept.get_by_role("button", name="Tiếp nhận phản ánh").click()
    expect(status_line(page)).to_contain_text("Đã tiếp nhận")
    expect(page.locator(".history")).to_contain_text("Tỉnh Nghệ An")
    log_out(page)

    # --- The named official sees it nowhere, and its address is "not found". ---
    log_in(page, "alice@example.vn")
    for queue in ("Tất cả phản ánh", "Chờ tiếp nhận", "Đang xử lý"):
        open_queue(page, queue)
        expect(page.get_by_role("main")).not_to_contain_text(code)
    response = page.goto(f"/can-bo/phan-anh/{code}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")
    expect(page.get_by_role("main")).not_to_contain_text("quát tháo")
    screenshot(page, "journey-2-named-official-404")
    log_out(page)

    # --- The supervising leader (the province) handles it; the reporter asked for privacy. ---
    log_in(page, "leader@example.vn")
    open_card(page, "Đang xử lý", code)
    main = page.get_by_role("main")
    expect(main).to_contain_text("quát tháo, không hướng dẫn")
    expect(main).to_contain_text("Người phản ánh đề nghị giữ kín danh tính")
    screenshot(page, "journey-2-supervising-leader")

    # The citizen follows it like any other report.
    phone.goto(private_link)
    expect(status_line(phone)).to_contain_text("Đã tiếp nhận")
    expect(phone.get_by_role("main")).to_contain_text("Tỉnh Nghệ An")
    citizen_sees(phone, "2-follow")


def test_duplicate_report_is_merged_and_its_citizen_follows_the_first(
    phone: Page, second_phone: Page, page: Page, category, commune, alice
):
    # --- The first citizen reports piled-up rubbish. ---
    phone.goto("/phan-anh/gui/")
    citizen_sees(phone, "3-first-form")
    fill_step_one(phone)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Kiểm tra và gửi phản ánh")
    expect(phone.get_by_role("heading", name=SIMILAR)).to_have_count(0)
    citizen_sees(phone, "3-first-confirm")
    first_code, first_link = send_report(phone, "3-first")

    # --- A neighbour reports the same; they are shown the first report and send theirs. ---
    second_phone.goto("/phan-anh/gui/")
    fill_step_one(second_phone)
    similar = second_phone.get_by_role("region", name=SIMILAR)
    expect(similar).to_contain_text(f"Mã {first_code}")
    expect(similar.get_by_role("button", name=f"Tham gia phản ánh {first_code}")).to_be_visible()
    citizen_sees(second_phone, "3-second-similar")
    second_code, second_link = send_report(second_phone, "3-second")
    assert second_code != first_code

    # --- The screener merges the second into the first, by its tracking code. ---
    log_in(page, "alice@example.vn")
    open_queue(page, "Chờ tiếp nhận")
    expect(page.get_by_role("listitem").filter(has_text=first_code)).to_be_visible()
    open_card(page, "Chờ tiếp nhận", second_code)
    merge = unfolded(page, "merge")
    merge.get_by_label("Mã phản ánh gộp vào").fill(first_code.lower())
    merge.get_by_role("button", name="Gộp phản ánh").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã gộp phản ánh.")
    expect(status_line(page)).to_contain_text("Đã gộp vào phản ánh khác")
    screenshot(page, "journey-3-merged-staff")
    open_queue(page, "Chờ tiếp nhận")
    expect(page.get_by_role("listitem").filter(has_text=second_code)).to_have_count(0)
    expect(page.get_by_role("listitem").filter(has_text=first_code)).to_be_visible()

    # --- The second citizen's link now shows the first report, and says why. ---
    second_phone.goto(second_link)
    expect(second_phone.get_by_role("heading", level=1)).to_have_text(f"Phản ánh {first_code}")
    merged_notice = f"Phản ánh {second_code} trùng nội dung đã được gộp vào phản ánh này."
    expect(second_phone.get_by_role("main")).to_contain_text(merged_notice)
    expect(status_line(second_phone)).to_contain_text("Chờ tiếp nhận")
    citizen_sees(second_phone, "3-second-follow-merged")

    # The first citizen follows the same report and sees the same.
    phone.goto(first_link)
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Phản ánh {first_code}")
    expect(phone.get_by_role("main")).to_contain_text(merged_notice)
    citizen_sees(phone, "3-first-follow")
