"""Sending a report through the citizen pages, without JavaScript: step 1, step 2, bad input."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from chinhquyenso.feedback.forms.citizen import draft_dumps
from chinhquyenso.feedback.models import Category, Report, Reporter
from chinhquyenso.portal.tests.test_pages import text_of

pytestmark = pytest.mark.django_db

NEW = "/phan-anh/gui/"
CONFIRM = "/phan-anh/gui/xac-nhan/"


def jpeg(name: str = "anh.jpg", size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def step1(category: Category, commune: Any) -> dict[str, str]:
    """A complete step 1 for the waste category, its extra question already shown."""
    return {
        "text": "Rác thải đổ trộm ở đầu ngõ 12 đường Lê Lợi, bốc mùi nhiều ngày.",
        "category": str(category.pk),
        "section": str(category.pk),
        "q_since": "Một tuần",
        "commune": str(commune.pk),
        "address": "Ngõ 12 Lê Lợi",
        "latitude": "",
        "longitude": "",
        "name": "",
        "phone": "",
        "email": "",
    }


def error_of(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field__error" id="{field_id}_error">(.*?)</p>', html, re.S)
    assert match, f"no error shown for {field_id}"
    return match.group(1).strip()


def send(client: Client, step1: dict[str, str], **extra: Any):
    return client.post(CONFIRM, {"draft": draft_dumps(step1), **extra})


# --- Step 1 ----------------------------------------------------------------------------------


def test_form_lists_categories_in_groups_and_the_communes_of_the_province(
    client, category, roads, commune, other_commune
):
    html = client.get(NEW).content.decode()
    assert '<optgroup label="Môi trường">' in html
    assert f'<option value="{category.pk}">Rác thải</option>' in html
    assert f'<option value="{roads.pk}">Đường hư hỏng</option>' in html
    assert "Phường Thành Vinh" in html and "Xã Anh Sơn" in html
    assert 'id="muc-them"' in html
    # The extra questions are ready for the script, outside the form.
    assert f'<template id="muc-them-{category.pk}">' in html
    assert 'name="latitude"' in html and 'type="hidden"' in html
    assert "leaflet" not in html  # no map without a tile server


def test_without_javascript_the_extra_questions_come_after_a_first_continue(
    client, step1, category
):
    first = {k: v for k, v in step1.items() if k not in ("section", "q_since")}
    response = client.post(NEW, first)
    html = response.content.decode()
    assert "Lĩnh vực bạn chọn cần thêm vài thông tin" in text_of(response)
    assert "Tình trạng kéo dài bao lâu?" in html
    assert 'id="id_q_since_error"' not in html  # asked, not yet blamed
    assert f'name="section" value="{category.pk}"' in html
    assert "Rác thải đổ trộm" in html  # nothing typed is lost

    # Continuing without answering the required question: a message beside it.
    second = {**first, "section": str(category.pk), "q_since": ""}
    html = client.post(NEW, second).content.decode()
    assert error_of(html, "id_q_since") == "Mời bạn trả lời câu hỏi này."
    assert 'href="#id_q_since"' in html  # listed in the summary, linked to the field

    confirm = client.post(NEW, {**second, "q_since": "Hai tuần"})
    assert "Kiểm tra và gửi phản ánh" in text_of(confirm)
    assert "Hai tuần" in text_of(confirm)


def test_too_long_text_is_refused_with_its_length(client, step1):
    html = client.post(NEW, {**step1, "text": "a" * 10_001}).content.decode()
    assert error_of(html, "id_text") == (
        "Nội dung dài 10001 ký tự, vượt quá 10000 ký tự. Mời bạn rút gọn."
    )
    assert Report.objects.count() == 0


def test_missing_text_category_and_commune(client):
    html = client.post(NEW, {"text": " "}).content.decode()
    assert error_of(html, "id_text") == "Mời bạn viết nội dung phản ánh."
    assert error_of(html, "id_category") == "Mời bạn chọn lĩnh vực."
    assert error_of(html, "id_commune") == "Mời bạn chọn xã, phường."
    assert 'role="alert"' in html


def test_contact_details_need_consent_explained(client, step1):
    html = client.post(NEW, {**step1, "phone": "0912 000 111"}).content.decode()
    assert "cần đồng ý để chúng tôi dùng thông tin đó" in error_of(html, "id_consent")
    html = client.post(NEW, {**step1, "phone": "12345"}).content.decode()
    assert error_of(html, "id_phone").startswith("Số điện thoại không hợp lệ")


def test_confidential_category_asks_for_the_official_concerned(
    client, step1, confidential_category
):
    data = {**step1, "category": str(confidential_category.pk), "section": ""}
    html = client.post(NEW, data).content.decode()
    assert "Cán bộ bị phản ánh" in html
    html = client.post(NEW, {**data, "section": str(confidential_category.pk)}).content.decode()
    assert error_of(html, "id_named_official") == "Mời cho biết cán bộ nào (họ tên hoặc chức vụ)."


# --- Step 2 and sending ----------------------------------------------------------------------


def test_anonymous_report_with_a_photo_is_sent_and_gets_a_code(client, step1, mailoutbox):
    response = send(client, step1, photos=[jpeg()])
    assert response.status_code == 302
    report = Report.objects.get()
    reporter = report.reporters.get()
    assert response["Location"] == f"/phan-anh/da-gui/{reporter.access_token}/"
    assert report.answers == {"since": "Một tuần"}
    assert report.attachments.count() == 1
    assert reporter.name == "" and not reporter.consent_given

    page = client.get(response["Location"])
    text = text_of(page)
    assert report.tracking_code in text
    assert f"/phan-anh/theo-doi/{reporter.access_token}/" in page.content.decode()
    assert "chậm nhất lúc" in text


def test_named_report_keeps_contact_and_privacy_choice(client, step1, mailoutbox):
    data = {
        **step1,
        "name": "Trần Thị Lan",
        "phone": "0912 000 111",
        "email": "lan@example.vn",
        "identity_private": "on",
        "consent": "on",
    }
    assert send(client, data).status_code == 302
    reporter = Reporter.objects.get()
    assert (reporter.name, reporter.phone, reporter.email) == (
        "Trần Thị Lan",
        "0912000111",
        "lan@example.vn",
    )
    assert reporter.identity_private and reporter.consent_given


def test_wrong_file_type_is_refused_and_nothing_is_stored(client, step1):
    fake = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
    response = send(client, step1, photos=[fake])
    assert response.status_code == 200
    html = response.content.decode()
    assert "id_photos_error" in html
    assert "Kiểm tra và gửi phản ánh" in text_of(response)
    assert Report.objects.count() == 0


def test_oversize_file_is_refused(client, settings, step1):
    settings.FEEDBACK_MAX_FILE_MB = 1
    big = SimpleUploadedFile("to.jpg", b"\xff\xd8\xff" + b"0" * (1024 * 1024 + 1))
    html = send(client, step1, photos=[big]).content.decode()
    assert "lớn hơn 1 MB" in error_of(html, "id_photos")
    assert Report.objects.count() == 0


def test_more_than_five_files_are_refused(client, step1):
    html = send(client, step1, photos=[jpeg(f"{i}.jpg") for i in range(6)]).content.decode()
    assert "tối đa 5 tệp" in error_of(html, "id_photos")
    assert Report.objects.count() == 0


def test_coordinates_outside_the_province_go_back_to_step_one(client, step1):
    data = {**step1, "latitude": "21.028511", "longitude": "105.804817"}  # Hà Nội
    response = send(client, data)
    html = response.content.decode()
    assert "Gửi phản ánh" in text_of(response)
    assert "nằm ngoài địa bàn tỉnh" in html
    assert 'href="#vi-tri"' in html
    assert Report.objects.count() == 0


def test_edit_goes_back_to_step_one_with_everything_filled(client, step1):
    html = send(client, step1, action="edit").content.decode()
    assert "Bước 1 trên 2" in html
    assert "Rác thải đổ trộm ở đầu ngõ 12" in html
    assert 'value="Một tuần"' in html
    assert Report.objects.count() == 0


def test_forged_or_expired_draft_is_explained(client, step1):
    response = client.post(CONFIRM, {"draft": "gia-mao"})
    assert response.status_code == 400
    assert "Không đọc được phản ánh đã nhập" in text_of(response)
    assert Report.objects.count() == 0


def test_missing_csrf_token_gets_the_expired_form_page(step1):
    client = Client(enforce_csrf_checks=True)
    response = client.post(CONFIRM, {"draft": draft_dumps(step1)})
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in text_of(response)
    assert Report.objects.count() == 0


def test_logged_in_citizen_finds_their_contact_filled_in(client, charlie, category, commune):
    client.force_login(charlie)
    html = client.get(NEW).content.decode()
    assert 'value="Phạm Thị Chi"' in html
    assert 'value="0912345678"' in html


def test_form_page_is_light_and_loads_the_map_only_with_a_tile_server(
    client, settings, category, commune
):
    html = client.get(NEW).content.decode()
    assert len(html.encode()) < 40_000
    assert re.findall(r'<script src="([^"]+)"', html) == ["/static/feedback/citizen.js"]
    settings.MAP_TILE_URL = "https://tiles.example.vn/{z}/{x}/{y}.png"
    html = client.get(NEW).content.decode()
    assert '<script src="/static/leaflet/leaflet.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/static/leaflet/leaflet.css">' in html
    assert 'data-tiles="https://tiles.example.vn/{z}/{x}/{y}.png"' in html
    assert 'data-bounds="18.50,103.80,20.10,105.90"' in html


def test_photo_is_served_to_the_reporter_as_its_public_copy(client, step1):
    response = send(client, step1, photos=[jpeg()])
    reporter = Reporter.objects.get()
    attachment = reporter.report.attachments.get()
    url = f"/phan-anh/theo-doi/{reporter.access_token}/tep/{attachment.pk}/"
    assert url in client.get(f"/phan-anh/theo-doi/{reporter.access_token}/").content.decode()
    served = client.get(url)
    assert response.status_code == 302 and served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    with attachment.public_file.open("rb") as public:
        assert b"".join(served.streaming_content) == public.read()
    assert client.get(f"/phan-anh/theo-doi/khong-dung/tep/{attachment.pk}/").status_code == 404


def test_sending_the_same_draft_twice_sends_one_report(client, step1):
    draft = draft_dumps(step1)
    first = client.post(CONFIRM, {"draft": draft})
    again = client.post(CONFIRM, {"draft": draft})
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert Report.objects.count() == 1


def test_confidential_report_keeps_the_official_concerned(client, step1, confidential_category):
    data = {
        **step1,
        "category": str(confidential_category.pk),
        "section": str(confidential_category.pk),
        "named_official": "Cán bộ địa chính phường",
    }
    assert send(client, data).status_code == 302
    report = Report.objects.get()
    assert report.is_confidential
    assert report.named_official_text == "Cán bộ địa chính phường"
    assert report.answers == {}
