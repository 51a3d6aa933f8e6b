"""The officials' feedback pages: who sees what, who may do what, what the forms do."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from chinhquyenso.core.models import Notification
from chinhquyenso.feedback import notify, services
from chinhquyenso.feedback.models import Report, Status
from chinhquyenso.feedback.templatetags.feedback_staff import describe_due
from chinhquyenso.feedback.tests.staff.conftest import submit
from chinhquyenso.feedback.views import staff as staff_views

pytestmark = pytest.mark.django_db

QUEUE = reverse("feedback:staff_queue")
NOTIFICATIONS = reverse("feedback:staff_notifications")


def queue_url(slug: str) -> str:
    return reverse("feedback:staff_queue", kwargs={"slug": slug})


def detail_url(report: Report) -> str:
    return reverse("feedback:staff_report", kwargs={"code": report.tracking_code})


def act_url(report: Report, action: str) -> str:
    return reverse("feedback:staff_act", kwargs={"code": report.tracking_code, "action": action})


def refreshed(report: Report) -> Report:
    return Report.objects.get(pk=report.pk)


def accept(report: Report, by, **changes) -> Report:
    return services.report_accept(report=report, by=by, **changes)


def page_text(response) -> str:
    return response.content.decode()


# --- Who gets in --------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, report):
    for url in (QUEUE, queue_url("cho-tiep-nhan"), detail_url(report), NOTIFICATIONS):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("portal:login"))
    response = client.post(act_url(report, "accept"), {"accept-urgency": "normal"})
    assert response.status_code == 302
    assert refreshed(report).status == Status.SUBMITTED


def test_citizens_find_nothing(client, charlie, report):
    client.force_login(charlie)
    for url in (QUEUE, queue_url("cho-tiep-nhan"), detail_url(report), NOTIFICATIONS):
        assert client.get(url).status_code == 404
    assert client.post(act_url(report, "refuse"), {"refuse-reason": "spam"}).status_code == 404
    assert refreshed(report).status == Status.SUBMITTED


def test_an_official_of_another_unit_neither_sees_nor_touches_the_report(client, bob, report):
    client.force_login(bob)
    assert client.get(detail_url(report)).status_code == 404
    assert client.get(reverse("feedback:staff_report", kwargs={"pk": report.pk})).status_code == 404
    response = client.post(act_url(report, "refuse"), {"refuse-reason": "spam"})
    assert response.status_code == 404
    assert refreshed(report).status == Status.SUBMITTED
    for url in (QUEUE, queue_url("cho-tiep-nhan"), queue_url("qua-han")):
        response = client.get(url)
        assert response.status_code == 200
        assert report.tracking_code not in page_text(response)


def test_the_screener_sees_everything_about_the_report_and_the_accept_form(client, alice, report):
    client.force_login(alice)
    response = client.get(detail_url(report))
    assert response.status_code == 200
    text = page_text(response)
    for expected in (
        report.tracking_code,
        "Rác thải đổ trộm ở đầu ngõ 12",
        "Môi trường › Rác thải",
        "Ngõ 12 đường Lê Lợi, Phường Thành Vinh",
        "Toạ độ: 18.679000, 105.681000",
        "Phạm Văn Dân",
        "0912000111",
        "0 người cùng phản ánh",
        "Gửi phản ánh",  # the first step of the history
        "Hạn tiếp nhận",
        "Theo quy tắc phân công, đơn vị xử lý là: <strong>Phường Thành Vinh</strong>",
        "Tiếp nhận phản ánh",
        "Từ chối",
        "Chuyển và hướng dẫn",
        "Gộp phản ánh",
    ):
        assert expected in text, expected
    # Moves that belong to later steps are not offered yet.
    assert "Lưu và trình duyệt" not in text
    assert "Duyệt và gửi trả lời" not in text


def test_a_notification_link_by_number_leads_to_the_report_page(client, alice, report):
    client.force_login(alice)
    response = client.get(reverse("feedback:staff_report", kwargs={"pk": report.pk}))
    assert response.status_code == 302
    assert response["Location"] == detail_url(report)


def test_the_screening_queue_lists_the_new_report_with_its_deadline_in_words(client, alice, report):
    client.force_login(alice)
    response = client.get(queue_url("cho-tiep-nhan"))
    assert response.status_code == 200
    text = page_text(response)
    assert report.tracking_code in text
    assert "Còn " in text or "Quá hạn " in text
    assert "1 phản ánh" in text


def test_attachments_open_only_for_those_who_see_the_report(
    client, alice, bob, categories, commune, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="PNG")
    photo = SimpleUploadedFile("ảnh rác.png", buffer.getvalue(), content_type="image/png")
    report = submit(categories["waste"], commune, files=[photo])
    attachment = report.attachments.get()
    url = reverse(
        "feedback:staff_attachment", kwargs={"code": report.tracking_code, "pk": attachment.pk}
    )
    client.force_login(alice)
    assert url in page_text(client.get(detail_url(report)))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    client.force_login(bob)
    assert client.get(url).status_code == 404


# --- Acting ---------------------------------------------------------------------------------------


def test_accepting_routes_the_report_to_the_unit_the_rules_pick(client, alice, dave, road_report):
    client.force_login(alice)
    page = page_text(client.get(detail_url(road_report)))
    assert "Theo quy tắc phân công, đơn vị xử lý là: <strong>Sở Xây dựng</strong>" in page

    response = client.post(
        act_url(road_report, "accept"),
        {"accept-category": road_report.category_id, "accept-urgency": "normal"},
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(road_report)
    road_report = refreshed(road_report)
    assert road_report.status == Status.ACCEPTED
    assert road_report.handling_unit is not None
    assert road_report.handling_unit.name == "Sở Xây dựng"
    assert road_report.answer_due_at is not None
    page = page_text(client.get(detail_url(road_report)))
    assert "Đã tiếp nhận phản ánh và chuyển đơn vị xử lý." in page

    client.force_login(dave)
    queue = page_text(client.get(queue_url("dang-xu-ly")))
    assert road_report.tracking_code in queue
    assert "Còn " in queue


def test_a_manual_handling_unit_overrides_the_rules(client, alice, department, report):
    client.force_login(alice)
    response = client.post(
        act_url(report, "accept"),
        {
            "accept-category": report.category_id,
            "accept-urgency": "urgent",
            "accept-handling_unit": department.pk,
        },
    )
    assert response.status_code == 302
    report = refreshed(report)
    assert report.handling_unit == department
    assert report.urgency == "urgent"


def test_refusing_needs_a_reason_and_then_closes_the_report(client, alice, report):
    client.force_login(alice)
    response = client.post(act_url(report, "refuse"), {"refuse-note": "Không rõ"})
    assert response.status_code == 400
    assert "Trường này là bắt buộc." in page_text(response)
    assert refreshed(report).status == Status.SUBMITTED

    response = client.post(
        act_url(report, "refuse"), {"refuse-reason": "spam", "refuse-note": "Quảng cáo"}
    )
    assert response.status_code == 302
    assert refreshed(report).status == Status.REFUSED


def test_merging_into_an_unknown_report_shows_the_message_beside_the_form(
    client, alice, report, categories, commune
):
    client.force_login(alice)
    response = client.post(act_url(report, "merge"), {"merge-into_code": "không phải mã"})
    assert response.status_code == 400
    assert "Mã phản ánh không đúng" in page_text(response)

    other = submit(categories["waste"], commune, text="Rác đổ ở đầu ngõ 12 Lê Lợi lâu ngày.")
    response = client.post(
        act_url(report, "merge"), {"merge-into_code": other.tracking_code.lower()}
    )
    assert response.status_code == 302
    assert refreshed(report).status == Status.MERGED
    assert refreshed(report).duplicate_of == other


def test_a_service_refusal_is_shown_in_vietnamese_and_nothing_changes(client, alice, report):
    """Merging a report into itself is refused by the service: the message appears on the page."""
    client.force_login(alice)
    response = client.post(act_url(report, "merge"), {"merge-into_code": report.tracking_code})
    assert response.status_code == 400
    text = page_text(response)
    assert "Chưa thực hiện được “Gộp vào phản ánh khác”" in text
    assert 'class="field__error"' in text
    assert refreshed(report).status == Status.SUBMITTED


def test_an_action_not_allowed_now_is_refused_with_a_message(client, alice, report):
    client.force_login(alice)
    response = client.post(
        act_url(report, "approve_answer"), {"approve_answer-answer": "x"}, follow=True
    )
    assert "Thao tác này không thực hiện được" in page_text(response)
    assert refreshed(report).status == Status.SUBMITTED
    assert client.post(act_url(report, "no_such_thing")).status_code == 404


def test_the_handler_drafts_and_the_leader_approves(client, alice, dave, leader, road_report):
    accept(road_report, alice)
    client.force_login(dave)
    text = page_text(client.get(detail_url(road_report)))
    assert "Lưu và trình duyệt" in text
    assert "Giao xử lý" in text
    response = client.post(
        act_url(road_report, "draft_answer"),
        {"draft_answer-answer": "Sở đã cho vá ổ gà trong ngày 20/11."},
    )
    assert response.status_code == 302
    assert refreshed(road_report).status == Status.AWAITING_APPROVAL
    # The handler cannot approve their own draft.
    assert "Duyệt và gửi trả lời" not in page_text(client.get(detail_url(road_report)))
    assert client.get(queue_url("cho-duyet")).status_code == 404

    client.force_login(leader)
    queue = page_text(client.get(queue_url("cho-duyet")))
    assert road_report.tracking_code in queue
    text = page_text(client.get(detail_url(road_report)))
    assert "Duyệt và gửi trả lời" in text
    assert "Trả lại dự thảo" in text
    response = client.post(
        act_url(road_report, "approve_answer"),
        {"approve_answer-answer": "Sở đã cho vá ổ gà trong ngày 20/11/2026."},
    )
    assert response.status_code == 302
    road_report = refreshed(road_report)
    assert road_report.status == Status.ANSWERED
    assert road_report.answer == "Sở đã cho vá ổ gà trong ngày 20/11/2026."


def test_notes_and_history_show_each_hop_with_its_time(client, alice, dave, road_report):
    accept(road_report, alice)
    client.force_login(dave)
    response = client.post(
        act_url(road_report, "note"), {"note-note": "Đã liên hệ đội duy tu số 3."}
    )
    assert response.status_code == 302
    text = page_text(client.get(detail_url(road_report)))
    assert "Ghi chú nội bộ" in text
    assert "Đã liên hệ đội duy tu số 3." in text
    assert "Nội bộ" in text
    assert "Nguyễn Thị An, Phường Thành Vinh" in text  # who accepted, and for which unit
    assert "Phường Thành Vinh → Sở Xây dựng" in text or "→ Sở Xây dựng" in text


# --- Leaders, confidential reports, the Front ----------------------------------------------


def test_the_leader_sees_the_decision_queues_others_do_not(client, alice, leader):
    client.force_login(alice)
    text = page_text(client.get(QUEUE))
    assert f'href="{queue_url("cho-tiep-nhan")}">Chờ tiếp nhận</a>' in text
    assert queue_url("cho-duyet") not in text
    assert client.get(queue_url("de-nghi")).status_code == 404
    client.force_login(leader)
    text = page_text(client.get(QUEUE))
    assert f'href="{queue_url("cho-duyet")}">Chờ duyệt</a>' in text
    assert f'href="{queue_url("de-nghi")}">Đề nghị gia hạn / xử lý lại</a>' in text
    assert f'href="{queue_url("qua-han")}">Quá hạn</a>' in text
    for slug in ("tat-ca", "dang-xu-ly", "qua-han", "cho-duyet", "de-nghi"):
        assert client.get(queue_url(slug)).status_code == 200


def test_an_extension_request_reaches_the_leader(client, alice, dave, leader, road_report):
    accept(road_report, alice)
    client.force_login(dave)
    response = client.post(
        act_url(road_report, "request_extension"),
        {
            "request_extension-extra_working_days": "3",
            "request_extension-reason": "Chờ nhà thầu.",
        },
    )
    assert response.status_code == 302
    client.force_login(leader)
    assert road_report.tracking_code in page_text(client.get(queue_url("de-nghi")))
    due_before = refreshed(road_report).answer_due_at
    response = client.post(
        act_url(road_report, "decide_extension"), {"decide_extension-approve": "1"}
    )
    assert response.status_code == 302
    assert refreshed(road_report).answer_due_at > due_before


def test_overdue_reports_say_how_late_in_words(client, alice, leader, report):
    Report.objects.filter(pk=report.pk).update(
        accept_due_at=timezone.now() - dt.timedelta(days=2, hours=1)
    )
    client.force_login(leader)
    text = page_text(client.get(queue_url("qua-han")))
    assert report.tracking_code in text
    assert "Quá hạn 2 ngày" in text


def test_a_private_reporter_stays_hidden_from_the_screener_not_from_the_leader(
    client, alice, leader, categories, commune
):
    report = submit(categories["waste"], commune, name="Lê Thị Kín", identity_private=True)
    client.force_login(alice)
    text = page_text(client.get(detail_url(report)))
    assert "Người phản ánh đề nghị giữ kín danh tính." in text
    assert "Lê Thị Kín" not in text
    assert "0912000111" not in text
    client.force_login(leader)
    assert "Lê Thị Kín" in page_text(client.get(detail_url(report)))


def test_the_official_named_in_a_confidential_report_never_finds_it(
    client, alice, chairman, leader, categories, commune
):
    report = submit(
        categories["attitude"], commune, text="Chủ tịch phường Đặng Văn Chủ không tiếp dân."
    )
    # Confidential: the commune's specialists never see it; its leader screens it.
    client.force_login(alice)
    assert client.get(detail_url(report)).status_code == 404
    client.force_login(leader)
    text = page_text(client.get(detail_url(report)))
    assert "Xử lý kín" in text
    assert "Cán bộ bị phản ánh" in text
    response = client.post(
        act_url(report, "accept"),
        {
            "accept-category": report.category_id,
            "accept-urgency": "normal",
            "accept-named_official": chairman.pk,
        },
    )
    assert response.status_code == 302
    assert refreshed(report).named_official == chairman

    # The commune's leader would see the commune's confidential reports, but not this one.
    client.force_login(chairman)
    assert client.get(detail_url(report)).status_code == 404
    assert client.post(act_url(report, "note"), {"note-note": "x"}).status_code == 404
    for url in (QUEUE, queue_url("dang-xu-ly"), queue_url("qua-han")):
        assert report.tracking_code not in page_text(client.get(url))
    client.force_login(leader)
    assert client.get(detail_url(report)).status_code == 200


def test_the_front_reads_and_comments_but_changes_nothing(client, frank, report):
    client.force_login(frank)
    response = client.get(detail_url(report))
    assert response.status_code == 200
    text = page_text(response)
    assert report.tracking_code in text
    assert "Gửi ý kiến" in text
    for button in ("Tiếp nhận phản ánh", "Từ chối", "Gộp phản ánh", "Lưu ghi chú"):
        assert button not in text
    assert queue_url("cho-tiep-nhan") not in page_text(client.get(QUEUE))

    response = client.post(
        act_url(report, "front_comment"), {"front_comment-note": "Đề nghị phường xử lý sớm."}
    )
    assert response.status_code == 302
    assert report.events.filter(note="Đề nghị phường xử lý sớm.").exists()

    response = client.post(
        act_url(report, "accept"),
        {"accept-category": report.category_id, "accept-urgency": "normal"},
    )
    assert response.status_code == 302
    assert refreshed(report).status == Status.SUBMITTED


# --- Queues: filters, search, pages, queries -----------------------------------------------


def test_search_ignores_diacritics_and_filters_narrow_the_list(
    client, alice, report, road_report, categories
):
    client.force_login(alice)
    text = page_text(client.get(QUEUE, {"q": "o ga"}))
    assert road_report.tracking_code in text
    assert report.tracking_code not in text
    environment = categories["waste"].parent
    text = page_text(client.get(QUEUE, {"category": environment.pk}))
    assert report.tracking_code in text
    assert road_report.tracking_code not in text
    text = page_text(client.get(QUEUE, {"status": "answered"}))
    assert "Không có phản ánh nào khớp với bộ lọc." in text


def test_queues_are_paginated(client, alice, report, road_report, monkeypatch):
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 1)
    client.force_login(alice)
    first = page_text(client.get(QUEUE))
    assert "Trang 1/2" in first
    second = page_text(client.get(QUEUE, {"trang": 2}))
    assert "Trang 2/2" in second
    codes = {report.tracking_code, road_report.tracking_code}
    assert {c for c in codes if c in first} != {c for c in codes if c in second}


@pytest.mark.parametrize("slug", ["tat-ca", "cho-tiep-nhan", "qua-han"])
def test_queue_pages_use_a_fixed_number_of_queries(client, alice, categories, commune, slug):
    client.force_login(alice)
    Report.objects.all().delete()
    for n in range(2):
        submit(categories["waste"], commune, text=f"Rác thải số {n} ở ngõ 12.")
    Report.objects.update(accept_due_at=timezone.now() - dt.timedelta(hours=3))
    with CaptureQueriesContext(connection) as few:
        assert client.get(queue_url(slug)).status_code == 200
    for n in range(2, 8):
        submit(categories["waste"], commune, text=f"Rác thải số {n} ở ngõ 12.")
    Report.objects.update(accept_due_at=timezone.now() - dt.timedelta(hours=3))
    with CaptureQueriesContext(connection) as many:
        response = client.get(queue_url(slug))
    assert page_text(response).count("Quá hạn 3 giờ") == 8
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 10, len(many)


def drafted(categories, commune, alice, dave, n: int) -> None:
    for i in range(n):
        report = submit(categories["roads"], commune, text=f"Ổ gà số {i} trên đường Nguyễn Du.")
        services.report_accept(report=report, by=alice)
        services.report_draft_answer(report=refreshed(report), by=dave, answer="Đã vá.")


@pytest.mark.parametrize("slug", ["cho-duyet", "dang-xu-ly", "de-nghi"])
def test_leader_and_handler_queues_use_a_fixed_number_of_queries(
    client, alice, dave, leader, categories, commune, slug
):
    viewer = dave if slug == "dang-xu-ly" else leader
    client.force_login(viewer)
    drafted(categories, commune, alice, dave, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(queue_url(slug)).status_code == 200
    drafted(categories, commune, alice, dave, 5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(queue_url(slug))
    if slug != "de-nghi":
        assert page_text(response).count("Còn ") == 6
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 10, len(many)


# --- Deadlines in words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (dt.timedelta(days=-2, hours=-3), ("Quá hạn 2 ngày", True)),
        (dt.timedelta(hours=-5, minutes=-10), ("Quá hạn 5 giờ", True)),
        (dt.timedelta(minutes=-7), ("Quá hạn 7 phút", True)),
        (dt.timedelta(hours=3, minutes=20), ("Còn 3 giờ", False)),
        (dt.timedelta(days=4, hours=2), ("Còn 4 ngày", False)),
        (dt.timedelta(seconds=20), ("Còn 1 phút", False)),
    ],
)
def test_lateness_is_said_in_words(offset, expected):
    now = timezone.now()
    assert describe_due(now + offset, now) == expected


# --- Notifications ------------------------------------------------------------------------------


def test_notifications_list_and_mark_as_read(client, alice, bob, report):
    # Start from an empty list: submitting the report already told alice about it.
    Notification.objects.filter(recipient=alice).delete()
    notify.notify_officials([alice], "Phản ánh mới chờ tiếp nhận.", report)
    notify.notify_officials([alice], "Phản ánh sắp đến hạn.", report)
    client.force_login(alice)
    workspace = page_text(client.get(reverse("portal:workspace")))
    assert "Thông báo: 2 chưa đọc" in workspace
    assert "Chờ tiếp nhận" in workspace
    text = page_text(client.get(NOTIFICATIONS))
    assert "2 thông báo chưa đọc." in text
    assert "Phản ánh mới chờ tiếp nhận." in text

    first = Notification.objects.filter(recipient=alice).order_by("pk").first()
    assert first is not None
    url = reverse("feedback:staff_notification_read", kwargs={"pk": first.pk})
    client.force_login(bob)
    assert client.post(url).status_code == 404
    client.force_login(alice)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    assert "1 thông báo chưa đọc." in page_text(client.get(NOTIFICATIONS))

    response = client.post(reverse("feedback:staff_notifications_read_all"), follow=True)
    assert "0 thông báo chưa đọc." in page_text(response)
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()


def test_bad_filters_and_addresses_never_break_the_pages(client, alice, report):
    client.force_login(alice)
    response = client.get(QUEUE, {"category": "abc", "commune": "999999", "trang": "x"})
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ." in page_text(response)
    assert client.get("/can-bo/phan-anh/khong-co/").status_code == 404
    assert client.get(queue_url("khong-co")).status_code == 404
    assert client.get(reverse("feedback:staff_report", kwargs={"pk": 10**12})).status_code == 404
