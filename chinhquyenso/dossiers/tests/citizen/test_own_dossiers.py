"""The applicant's own dossiers: the list, the dossier page, slips, additional documents,
withdrawal, the electronic result and the rating — and nobody else sees any of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chinhquyenso.core.clock import clock_at
from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.models import Dossier, Feedback, FileKind, Rating, Status
from chinhquyenso.dossiers.tests.citizen.conftest import logged_in
from chinhquyenso.dossiers.tests.conftest import pdf_file, png_file
from chinhquyenso.portal.tests.test_pages import text_of

pytestmark = pytest.mark.django_db


def page_url(dossier: Dossier, name: str = "my_dossier", **kwargs) -> str:
    return reverse(f"dossiers:{name}", kwargs={"code": dossier.code, **kwargs})


@pytest.fixture
def processed(received, dept_specialist, dept_leader) -> Dossier:
    """Processed at the department, the result PDF attached (status 9)."""
    services.dossier_forward(dossier=received, by=dept_specialist)
    services.dossier_attach_result(
        dossier=received, by=dept_leader, upload=pdf_file("giay-phep-xay-dung.pdf")
    )
    return services.dossier_forward(dossier=received, by=dept_leader)


# --- the list ----------------------------------------------------------------------------------


def test_account_page_links_to_my_dossiers(as_charlie) -> None:
    page = as_charlie.get(reverse("portal:account")).content.decode()
    assert f'href="{reverse("dossiers:my_dossiers")}"' in page


def test_list_shows_drafts_and_sent_dossiers_with_status_code_and_appointment(
    as_charlie, open_draft, received, dana
):
    later = open_draft(form_data={}, files=False)
    text = text_of(as_charlie.get(reverse("dossiers:my_dossiers")))
    assert "Bản nháp" in text
    assert "Đã tiếp nhận (mã 2)" in text
    assert received.code in text
    assert f"Ngày hẹn trả {timezone.localtime(received.due_at):%d/%m/%Y}" in text
    html = as_charlie.get(reverse("dossiers:my_dossiers")).content.decode()
    assert reverse("dossiers:draft", kwargs={"pk": later.pk}) in html
    assert page_url(received) in html
    # Another citizen's list does not show charlie's dossiers.
    assert received.code not in text_of(logged_in(dana).get(reverse("dossiers:my_dossiers")))


def test_a_dossier_past_its_appointment_is_marked_late(as_charlie, received):
    with clock_at(received.due_at + dt.timedelta(days=1)):
        text = text_of(as_charlie.get(reverse("dossiers:my_dossiers")))
        page = text_of(as_charlie.get(page_url(received)))
    assert "Đã tiếp nhận (mã 2) Quá hạn" in text
    assert "Quá hạn" in page


# --- who sees a dossier ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dana", "alice", "counter_officer", "leader"])
def test_only_the_applicant_sees_and_acts_on_the_dossier(request, received, who):
    other = logged_in(request.getfixturevalue(who))
    stored = received.files.get()
    for url in (
        page_url(received),
        page_url(received, "my_slip", kind="receipt"),
        reverse("dossiers:my_file", kwargs={"pk": stored.pk}),
    ):
        assert other.get(url).status_code == 404, url
    for name, data in (
        ("withdraw", {"ly_do": "Không cần nữa"}),
        ("pay", {}),
        ("rate", {"muc_do": "satisfied"}),
        ("supply", {"ghi_chu": "x"}),
    ):
        assert other.post(page_url(received, name), data).status_code == 404, name
    received.refresh_from_db()
    assert received.status == Status.ACCEPTED and received.paid_at is None


def test_anonymous_visitor_is_sent_to_log_in(client, received):
    for url in (page_url(received), page_url(received, "my_slip", kind="receipt")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("portal:login"))
    assert client.post(page_url(received, "withdraw"), {"ly_do": "x"}).status_code == 302
    received.refresh_from_db()
    assert received.status == Status.ACCEPTED


def test_unknown_or_malformed_code_is_not_found(as_charlie):
    assert as_charlie.get("/tai-khoan/ho-so/000.00.01.H40-260101-9999/").status_code == 404
    assert as_charlie.get("/tai-khoan/ho-so/khong-phai-ma/").status_code == 404


# --- the dossier page --------------------------------------------------------------------------


def test_dossier_page_shows_status_history_appointment_and_receipt_slip(as_charlie, received):
    text = text_of(as_charlie.get(page_url(received)))
    assert "Đã tiếp nhận (mã 2)" in text
    assert f"Ngày hẹn trả kết quả {timezone.localtime(received.due_at):%d/%m/%Y}" in text
    assert "Nộp hồ sơ — Mới đăng ký" in text
    assert "Tiếp nhận hồ sơ — Đã tiếp nhận" in text
    assert "Phiếu tiếp nhận và hẹn trả kết quả" in text
    assert "Phiếu kiểm soát" not in text
    slip = as_charlie.get(page_url(received, "my_slip", kind="receipt"))
    assert slip.status_code == 200
    assert slip["Content-Type"] == "application/pdf"
    assert slip.content.startswith(b"%PDF")
    assert received.code in slip["Content-Disposition"]
    # Slips the dossier does not have are not found.
    assert as_charlie.get(page_url(received, "my_slip", kind="apology")).status_code == 404
    assert as_charlie.get(page_url(received, "my_slip", kind="process_control")).status_code == 404


def test_applicant_supplies_the_requested_documents(as_charlie, sent, counter_officer):
    services.dossier_request_documents(
        dossier=sent,
        by=counter_officer,
        items=[{"name": "Bản vẽ mặt bằng", "reason": "Thiếu chữ ký của chủ hộ"}],
        note="Nộp trong 10 ngày.",
    )
    page = as_charlie.get(page_url(sent))
    text = text_of(page)
    assert "Yêu cầu bổ sung hồ sơ (mã 5)" in text
    assert "Bản vẽ mặt bằng : Thiếu chữ ký của chủ hộ" in text
    assert "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ" in text
    empty = as_charlie.post(page_url(sent, "supply"), {"ghi_chu": ""})
    assert empty.status_code == 400
    assert "Xin tải lên giấy tờ bổ sung hoặc ghi chú." in text_of(empty)
    response = as_charlie.post(
        page_url(sent, "supply"),
        {"tep": [png_file("ban-ve-mat-bang.png")], "ghi_chu": "Đã ký bổ sung."},
    )
    assert response["Location"] == page_url(sent)
    sent.refresh_from_db()
    assert sent.status == Status.NEW
    assert sent.files.filter(kind=FileKind.ADDITIONAL).count() == 1
    assert "ban-ve-mat-bang.png (bổ sung)" in text_of(as_charlie.get(page_url(sent)))


def test_supplying_a_wrong_file_type_is_refused(as_charlie, sent, counter_officer):
    services.dossier_request_documents(
        dossier=sent, by=counter_officer, items=[{"name": "Bản vẽ", "reason": "Mờ"}]
    )
    bad = SimpleUploadedFile("ban-ve.png", b"plain text, not an image", "image/png")
    response = as_charlie.post(page_url(sent, "supply"), {"tep": [bad]})
    assert response.status_code == 400
    assert "“ban-ve.png”" in text_of(response)
    sent.refresh_from_db()
    assert sent.status == Status.ADDITIONAL_REQUESTED


def test_applicant_withdraws_with_a_reason(as_charlie, received):
    empty = as_charlie.post(page_url(received, "withdraw"), {"ly_do": " "})
    assert empty.status_code == 400
    assert "Xin ghi lý do rút hồ sơ." in text_of(empty)
    response = as_charlie.post(page_url(received, "withdraw"), {"ly_do": "Đã đổi ý"})
    assert response["Location"] == page_url(received)
    received.refresh_from_db()
    assert received.status == Status.WITHDRAWN
    text = text_of(as_charlie.get(page_url(received)))
    assert "Công dân rút hồ sơ (mã 7)" in text and "Lý do: Đã đổi ý" in text
    assert "Rút hồ sơ Hồ sơ đã rút" not in text  # no second withdrawal form
    again = as_charlie.post(page_url(received, "withdraw"), {"ly_do": "Lần nữa"})
    assert again.status_code == 400


def test_result_is_downloadable_only_once_processed(
    as_charlie, received, dept_specialist, dept_leader
):
    services.dossier_forward(dossier=received, by=dept_specialist)
    services.dossier_attach_result(dossier=received, by=dept_leader, upload=pdf_file("kq.pdf"))
    result = received.files.get(kind=FileKind.RESULT)
    url = reverse("dossiers:my_file", kwargs={"pk": result.pk})
    assert as_charlie.get(url).status_code == 404  # still being approved
    assert "kq.pdf" not in text_of(as_charlie.get(page_url(received)))
    services.dossier_forward(dossier=received, by=dept_leader)
    text = text_of(as_charlie.get(page_url(received)))
    assert "Đã xử lý xong (mã 9)" in text
    assert "Tải kết quả điện tử: kq.pdf" in text
    download = as_charlie.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert 'filename="kq.pdf"' in download["Content-Disposition"]


def test_applicant_rates_once_after_the_result(as_charlie, processed):
    page = as_charlie.get(page_url(processed))
    assert "Đánh giá mức độ hài lòng" in text_of(page)
    assert 'type="radio" name="muc_do" value="dissatisfied"' in page.content.decode()
    missing = as_charlie.post(page_url(processed, "rate"), {"y_kien": "Chậm"})
    assert missing.status_code == 400
    assert "Xin chọn mức độ hài lòng." in text_of(missing)
    as_charlie.post(page_url(processed, "rate"), {"muc_do": "neutral", "y_kien": "Được"})
    feedback = Feedback.objects.get(dossier=processed)
    assert (feedback.rating, feedback.comment) == (Rating.NEUTRAL, "Được")
    text = text_of(as_charlie.get(page_url(processed)))
    assert "Bạn đã đánh giá: Bình thường" in text
    again = as_charlie.post(page_url(processed, "rate"), {"muc_do": "satisfied"})
    assert again.status_code == 400
    assert Feedback.objects.get(dossier=processed).rating == Rating.NEUTRAL


def test_rating_is_not_offered_before_the_result(as_charlie, received):
    assert "Đánh giá mức độ hài lòng" not in text_of(as_charlie.get(page_url(received)))
    response = as_charlie.post(page_url(received, "rate"), {"muc_do": "satisfied"})
    assert response.status_code == 400
    assert not Feedback.objects.exists()
