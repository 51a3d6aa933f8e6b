"""Every action form on the report page calls its service and shows the result."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from chinhquyenso.feedback import services
from chinhquyenso.feedback.models import EventKind, Report, Status

pytestmark = pytest.mark.django_db


def act(client, report: Report, action: str, data: dict[str, object]):
    url = reverse("feedback:staff_act", kwargs={"code": report.tracking_code, "action": action})
    return client.post(url, {f"{action}-{key}": value for key, value in data.items()})


def page(client, report: Report) -> str:
    url = reverse("feedback:staff_report", kwargs={"code": report.tracking_code})
    return client.get(url).content.decode()


def fresh(report: Report) -> Report:
    return Report.objects.get(pk=report.pk)


def test_hand_off_as_a_complaint_closes_it_with_guidance(client, alice, report):
    client.force_login(alice)
    response = act(client, report, "hand_off", {"guidance": "Nộp đơn tại Ban Tiếp công dân."})
    assert response.status_code == 302
    assert fresh(report).status == Status.HANDED_OFF
    assert "Nộp đơn tại Ban Tiếp công dân." in page(client, report)


def test_classify_changes_category_and_urgency(client, alice, report, categories):
    client.force_login(alice)
    response = act(
        client, report, "classify", {"category": categories["roads"].pk, "urgency": "urgent"}
    )
    assert response.status_code == 302
    report = fresh(report)
    assert report.category == categories["roads"]
    assert report.urgency == "urgent"


def test_transfer_then_return_each_with_a_reason(client, alice, dave, road_report, other_commune):
    services.report_accept(report=road_report, by=alice)
    client.force_login(dave)
    assert "Trả lại đơn vị chuyển đến" not in page(client, road_report)
    response = act(client, road_report, "transfer", {"to_unit": other_commune.pk, "reason": ""})
    assert response.status_code == 400
    assert "Trường này là bắt buộc." in response.content.decode()
    response = act(
        client,
        road_report,
        "transfer",
        {"to_unit": other_commune.pk, "reason": "Đoạn đường thuộc xã Anh Sơn quản lý."},
    )
    assert response.status_code == 302
    assert fresh(road_report).handling_unit == other_commune
    # The commune that received it follows each hop.
    client.force_login(alice)
    assert "Sở Xây dựng → Xã Anh Sơn" in page(client, road_report)


def test_a_transferred_report_can_be_given_back(
    client, alice, bob, dave, road_report, other_commune
):
    services.report_accept(report=road_report, by=alice)
    services.report_transfer(
        report=fresh(road_report), to_unit=other_commune, by=dave, reason="Không thuộc Sở."
    )
    client.force_login(bob)
    assert "Trả lại đơn vị chuyển đến" in page(client, road_report)
    response = act(client, road_report, "return", {"reason": "Đường tỉnh, không phải đường xã."})
    assert response.status_code == 302
    road_report = fresh(road_report)
    assert road_report.handling_unit is not None
    assert road_report.handling_unit.name == "Sở Xây dựng"
    assert road_report.events.filter(kind=EventKind.RETURNED).exists()


def test_assign_names_a_handler_of_the_unit(client, alice, dave, road_report):
    services.report_accept(report=road_report, by=alice)
    client.force_login(dave)
    response = act(client, road_report, "assign", {"handler": dave.pk})
    assert response.status_code == 302
    road_report = fresh(road_report)
    assert road_report.handler == dave
    assert road_report.status == Status.IN_PROGRESS
    # An official of another unit is not in the list and is refused.
    response = act(client, road_report, "assign", {"handler": alice.pk})
    assert response.status_code == 400


def test_request_info_pauses_the_clock(client, alice, dave, road_report):
    services.report_accept(report=road_report, by=alice)
    client.force_login(dave)
    response = act(client, road_report, "request_info", {"question": "Ổ gà ở số nhà nào?"})
    assert response.status_code == 302
    assert fresh(road_report).status == Status.INFO_REQUESTED
    assert "Tạm dừng, chờ người phản ánh bổ sung" in page(client, road_report)


def test_the_leader_returns_a_draft(client, alice, dave, leader, road_report):
    services.report_accept(report=road_report, by=alice)
    services.report_draft_answer(report=fresh(road_report), by=dave, answer="Đã vá.")
    client.force_login(leader)
    response = act(client, road_report, "return_draft", {"reason": "Nêu rõ ngày vá."})
    assert response.status_code == 302
    assert fresh(road_report).status == Status.IN_PROGRESS


def answered(alice, dave, leader, road_report) -> Report:
    services.report_accept(report=road_report, by=alice)
    services.report_draft_answer(report=fresh(road_report), by=dave, answer="Đã vá ổ gà.")
    services.report_approve_answer(report=fresh(road_report), by=leader)
    return fresh(road_report)


def test_publish_and_unpublish(client, alice, dave, leader, road_report):
    report = answered(alice, dave, leader, road_report)
    client.force_login(dave)
    assert "Công khai trên cổng" in page(client, report)
    assert act(client, report, "publish", {}).status_code == 302
    assert fresh(report).is_published
    text = page(client, report)
    assert "Đã công khai" in text
    assert "Công khai trên cổng" not in text
    assert act(client, report, "unpublish", {}).status_code == 302
    assert not fresh(report).is_published


def test_the_leader_decides_a_reopen_request(client, alice, dave, leader, road_report):
    report = answered(alice, dave, leader, road_report)
    reporter = report.reporters.get(is_original=True)
    services.report_rate(
        report=report, reporter=reporter, value="dissatisfied", request_reopen=True
    )
    assert fresh(report).status == Status.REOPEN_REQUESTED
    client.force_login(leader)
    queue = client.get(reverse("feedback:staff_queue", kwargs={"slug": "de-nghi"}))
    assert report.tracking_code in queue.content.decode()
    response = act(client, report, "decide_reopen", {"reopen": "1", "reason": ""})
    assert response.status_code == 400
    response = act(
        client, report, "decide_reopen", {"reopen": "1", "reason": "Chưa vá hết đoạn đường."}
    )
    assert response.status_code == 302
    report = fresh(report)
    assert report.status == Status.IN_PROGRESS
    assert report.reopen_count == 1


def png(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_an_answer_carries_files_the_reporter_sees_once_approved(
    client, alice, dave, leader, road_report
):
    services.report_accept(report=road_report, by=alice)
    client.force_login(dave)
    response = act(
        client,
        road_report,
        "draft_answer",
        {
            "answer": "Đã vá ổ gà, ảnh chụp sau khi vá kèm theo.",
            "attachments": [png("sau-khi-va.png")],
        },
    )
    assert response.status_code == 302
    answer_file = fresh(road_report).attachments.get()
    assert (answer_file.is_answer, answer_file.original_name) == (True, "sau-khi-va.png")
    assert "sau-khi-va.png" in page(client, road_report)
    follow = reverse("feedback:follow", args=[road_report.reporters.get().access_token])
    # A draft's files wait for the leader, like the draft itself.
    client.logout()
    assert "sau-khi-va.png" not in client.get(follow).content.decode()
    services.report_approve_answer(report=fresh(road_report), by=leader)
    text = client.get(follow).content.decode()
    assert "sau-khi-va.png" in text
    link = reverse(
        "feedback:follow_attachment",
        args=[road_report.reporters.get().access_token, answer_file.pk],
    )
    assert link in text
    assert client.get(link)["Content-Type"] == "image/png"


def test_a_bad_answer_file_is_refused_beside_the_field(client, alice, dave, road_report):
    services.report_accept(report=road_report, by=alice)
    client.force_login(dave)
    fake = SimpleUploadedFile("bien-ban.pdf", b"not a pdf", content_type="application/pdf")
    response = act(client, road_report, "draft_answer", {"answer": "Đã vá.", "attachments": [fake]})
    assert response.status_code == 400
    assert 'id="id_draft_answer-attachments_error"' in response.content.decode()
    assert fresh(road_report).status == Status.ACCEPTED
    assert not fresh(road_report).attachments.exists()
