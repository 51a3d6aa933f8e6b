"""Every write on a report: what it changes, who is told, and what is refused (nothing written)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from chinhquyenso.accounts.models import User
from chinhquyenso.core.models import AuditEntry, Notification
from chinhquyenso.feedback import services
from chinhquyenso.feedback.models import (
    Attachment,
    Category,
    Event,
    EventKind,
    ExtensionRequest,
    Rating,
    Report,
    Reporter,
    RoutingRule,
    Status,
)
from chinhquyenso.feedback.services import FeedbackError, ReporterInput
from chinhquyenso.feedback.tests.conftest import REPORTER_EMAIL, REPORTER_NAME, REPORTER_PHONE
from chinhquyenso.units.models import Unit


@contextmanager
def nothing_written() -> Iterator[None]:
    """The block must leave reports, reporters, events and the audit log as they were."""
    before = (
        Report.objects.count(),
        Reporter.objects.count(),
        Event.objects.count(),
        AuditEntry.objects.count(),
        Attachment.objects.count(),
    )
    yield
    after = (
        Report.objects.count(),
        Reporter.objects.count(),
        Event.objects.count(),
        AuditEntry.objects.count(),
        Attachment.objects.count(),
    )
    assert after == before


def refused(call: Callable[[], Any], message: str) -> FeedbackError:
    """*call* is refused with a Vietnamese message containing *message*, writing nothing."""
    with nothing_written(), pytest.raises(FeedbackError) as caught:
        call()
    assert message in " ".join(caught.value.messages)
    return caught.value


def fresh(report: Report) -> Report:
    return Report.objects.get(pk=report.pk)


def png(name: str = "anh.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    """Set what ``timezone.now()`` returns."""

    def set_now(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


def at(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


# --- submitting ------------------------------------------------------------------------------


def test_submit_creates_the_report_and_tells_people(
    report_input, alice: User, commune: Unit, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report, reporter = services.report_submit(data=report_input())
    assert re.fullmatch(r"PA-[0-9A-Z]{4}-[0-9A-Z]{4}", report.tracking_code)
    assert report.status == Status.SUBMITTED
    assert report.receiving_unit == commune
    assert report.accept_due_at > report.submitted_at
    assert report.answers == {"since": "Một tuần"}
    assert (reporter.name, reporter.phone, reporter.is_original) == (
        REPORTER_NAME,
        REPORTER_PHONE,
        True,
    )
    assert len(reporter.access_token) >= 32
    assert report.events.get().kind == EventKind.SUBMITTED
    assert AuditEntry.objects.filter(action="feedback.submit", object_id=str(report.pk)).exists()
    # The screener is told in the app; the reporter gets a receipt with the private link.
    assert Notification.objects.get(recipient=alice).message.startswith("Phản ánh mới")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [REPORTER_EMAIL]
    assert report.tracking_code in mail.outbox[0].subject
    assert reporter.access_token in mail.outbox[0].body


def test_submit_anonymously_without_email_sends_no_mail(
    report_input, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _report, reporter = services.report_submit(data=report_input(reporter=ReporterInput()))
    assert (reporter.name, reporter.phone, reporter.email) == ("", "", "")
    assert mail.outbox == []


def test_submit_with_a_photo_keeps_a_public_copy(report_input) -> None:
    report, _reporter = services.report_submit(data=report_input(files=[png()]))
    attachment = report.attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "anh.png"
    assert attachment.public_file


@pytest.mark.parametrize(
    ("overrides", "message", "field"),
    [
        ({"text": "   "}, "nội dung phản ánh", "text"),
        ({"text": "a" * 10_001}, "10.000 ký tự", "text"),
        ({"answers": {}}, "Tình trạng kéo dài bao lâu?", "answers.since"),
        (
            {"latitude": Decimal("21.0285"), "longitude": Decimal("105.8542")},
            "ngoài địa bàn",
            "latitude",
        ),
        ({"longitude": None}, "cả vĩ độ và kinh độ", "latitude"),
        ({"reporter": ReporterInput(phone="12345")}, "Số điện thoại", "phone"),
        ({"reporter": ReporterInput(email="khong-phai-email")}, "thư điện tử", "email"),
    ],
)
def test_submit_refuses_bad_input(
    report_input, overrides: dict[str, Any], message: str, field: str
) -> None:
    data = report_input(**overrides)
    error = refused(lambda: services.report_submit(data=data), message)
    assert error.field == field


def test_submit_refuses_a_file_that_is_not_what_it_claims(report_input) -> None:
    fake = SimpleUploadedFile("anh.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    error = refused(lambda: services.report_submit(data=report_input(files=[fake])), "")
    assert error.field == "files"


def test_submit_refuses_an_inactive_category_or_a_non_commune(
    report_input, category: Category, province: Unit
) -> None:
    refused(lambda: services.report_submit(data=report_input(commune=province)), "xã, phường")
    category.is_active = False
    category.save()
    refused(lambda: services.report_submit(data=report_input()), "lĩnh vực")


@pytest.mark.parametrize(
    "outermost",
    [
        pytest.param(False, id="inside-a-transaction"),
        pytest.param(True, id="own-transaction", marks=pytest.mark.django_db(transaction=True)),
    ],
)
def test_a_tracking_code_already_taken_is_drawn_again(
    outermost: bool,
    report_input,
    submitted_report: Report,
    alice: User,
    monkeypatch,
    django_capture_on_commit_callbacks,
) -> None:
    """The insert fails on the unique code; the whole try is undone (to its savepoint inside a
    caller's transaction, entirely on its own) and made again with a new code: one report, one
    reporter, one event, one notice, one audit row, one receipt."""
    codes = iter([submitted_report.tracking_code, "PA-0000-0000"])
    monkeypatch.setattr(services, "new_tracking_code", lambda: next(codes))
    audit_before = AuditEntry.objects.count()
    notices_before = Notification.objects.filter(recipient=alice).count()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report, reporter = services.report_submit(data=report_input())
    assert report.tracking_code == "PA-0000-0000"
    assert Report.objects.count() == 2
    assert reporter.report_id == report.pk and Reporter.objects.filter(report=report).count() == 1
    assert report.events.count() == 1
    assert AuditEntry.objects.count() == audit_before + 1
    assert Notification.objects.filter(recipient=alice).count() == notices_before + 1
    assert len(mail.outbox) == 1


def test_submit_stores_a_media_url_and_refuses_a_bad_one(report_input) -> None:
    url = "https://anh.example.vn/bao-cao/123.jpg"
    report, _reporter = services.report_submit(data=report_input(media_url=url))
    assert Report.objects.get(pk=report.pk).media_url == url
    for bad in ("ftp://anh.example.vn/1.jpg", "khong phai duong dan", "https://x.vn/" + "a" * 500):
        error = refused(
            lambda bad=bad: services.report_submit(data=report_input(media_url=bad)), ""
        )
        assert error.field == "media_url"


@override_settings(FEEDBACK_SCREENING="operations_centre")
def test_operations_centre_screens_when_set(make_report, ops_centre: Unit, olga: User) -> None:
    report = make_report()
    assert report.receiving_unit == ops_centre
    services.report_accept(report=report, by=olga)
    assert fresh(report).handling_unit == report.commune


def test_confidential_category_makes_a_confidential_report(
    make_report, confidential_category: Category
) -> None:
    assert make_report(category=confidential_category, answers={}).is_confidential


# --- joining ---------------------------------------------------------------------------------


def test_join_adds_a_co_reporter(
    submitted_report: Report, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        follower = services.report_join(
            report=submitted_report,
            reporter=ReporterInput(name="Trần Thị Lan", email="lan@example.vn"),
        )
    assert not follower.is_original
    assert submitted_report.reporters.count() == 2
    assert mail.outbox[0].to == ["lan@example.vn"]
    refused(
        lambda: services.report_join(
            report=submitted_report, reporter=ReporterInput(phone="+84 912 000 111")
        ),
        "đã theo dõi",
    )


def test_join_refused_once_the_report_is_over(submitted_report: Report, alice: User) -> None:
    services.report_refuse(report=submitted_report, by=alice, reason="spam")
    refused(
        lambda: services.report_join(report=submitted_report, reporter=ReporterInput()),
        "không còn nhận",
    )


# --- screening -------------------------------------------------------------------------------


def test_accept_routes_and_sets_the_answer_deadline(
    make_report,
    roads: Category,
    routing_rule: RoutingRule,
    alice: User,
    department: Unit,
    dave: User,
    django_capture_on_commit_callbacks,
) -> None:
    report = make_report(category=roads, answers={})
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_accept(report=report, by=alice, urgency="urgent")
    assert report.status == Status.ACCEPTED
    assert report.handling_unit == department
    assert report.urgency == "urgent"
    assert report.answer_due_at is not None and report.accepted_at is not None
    event = report.events.get(kind=EventKind.ACCEPTED)
    assert (event.from_status, event.to_status, event.to_unit) == (
        "submitted",
        "accepted",
        department,
    )
    assert Notification.objects.filter(recipient=dave).count() == 1


def test_accept_manual_override(submitted_report: Report, alice: User, department: Unit) -> None:
    report = services.report_accept(report=submitted_report, by=alice, handling_unit=department)
    assert report.handling_unit == department


def test_accept_refused_to_another_unit_and_in_the_wrong_state(
    submitted_report: Report, alice: User, bob: User, leader: User, charlie: User
) -> None:
    for outsider in (bob, leader, charlie):
        refused(
            lambda who=outsider: services.report_accept(report=submitted_report, by=who),
            "không có quyền tiếp nhận",
        )
    services.report_accept(report=submitted_report, by=alice)
    refused(
        lambda: services.report_accept(report=submitted_report, by=alice),
        "đang ở trạng thái “Đã tiếp nhận”",
    )


def test_refuse_tells_the_reporter(
    submitted_report: Report, alice: User, django_capture_on_commit_callbacks
) -> None:
    refused(
        lambda: services.report_refuse(report=submitted_report, by=alice, reason="khong-ro"),
        "lý do từ chối",
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_refuse(
            report=submitted_report, by=alice, reason="not_competent", note="Thuộc EVN."
        )
    assert report.status == Status.REFUSED and report.closed_at
    assert "Thuộc EVN." in mail.outbox[0].body
    assert report.events.get(kind=EventKind.REFUSED).is_public


def test_hand_off_needs_guidance(submitted_report: Report, alice: User) -> None:
    refused(
        lambda: services.report_hand_off(report=submitted_report, by=alice, guidance=" "),
        "khiếu nại, tố cáo",
    )
    report = services.report_hand_off(
        report=submitted_report,
        by=alice,
        guidance="Gửi đơn khiếu nại đến Chủ tịch UBND phường theo Luật Khiếu nại 2011.",
    )
    assert report.status == Status.HANDED_OFF


def test_merge_keeps_every_reporter_and_tells_them(
    make_report, report_input, alice: User, django_capture_on_commit_callbacks
) -> None:
    target = make_report()  # by Nguyễn Văn Hùng
    duplicate, _ = services.report_submit(
        data=report_input(
            reporter=ReporterInput(name="Hùng", phone=REPORTER_PHONE, email="khac@example.vn")
        )
    )
    services.report_join(
        report=duplicate, reporter=ReporterInput(name="Lan", email="lan@example.vn")
    )
    with django_capture_on_commit_callbacks(execute=True):
        merged = services.report_merge(report=duplicate, into=target, by=alice)
    assert merged.status == Status.MERGED and merged.duplicate_of == target
    # The same person (same phone) is not added twice; Lan follows the target now.
    assert sorted(target.reporters.values_list("name", flat=True)) == ["Lan", REPORTER_NAME]
    assert [m.to for m in mail.outbox] == [["lan@example.vn"]]
    assert target.tracking_code in mail.outbox[0].body
    assert Reporter.objects.filter(report=duplicate).count() == 1  # the duplicate contact


def test_merge_refusals(
    make_report, confidential_report: Report, alice: User, bob: User, other_commune: Unit
) -> None:
    first, second = make_report(), make_report()
    refused(lambda: services.report_merge(report=first, into=first, by=alice), "chính nó")
    refused(lambda: services.report_merge(report=first, into=second, by=bob), "không có quyền")
    elsewhere = make_report(commune=other_commune)
    refused(lambda: services.report_merge(report=first, into=elsewhere, by=alice), "Không tìm thấy")


def test_classify_recomputes_the_deadline(accepted_report: Report, alice: User) -> None:
    before = accepted_report.answer_due_at
    report = services.report_classify(report=accepted_report, by=alice, urgency="urgent")
    assert report.answer_due_at is not None and before is not None
    assert report.answer_due_at < before
    refused(
        lambda: services.report_classify(report=report, by=alice, urgency="urgent"),
        "Chưa thay đổi",
    )


# --- routing between units -------------------------------------------------------------------


def test_transfer_and_return_are_timed(
    accepted_report: Report,
    alice: User,
    dave: User,
    department: Unit,
    commune: Unit,
    django_capture_on_commit_callbacks,
) -> None:
    refused(
        lambda: services.report_transfer(
            report=accepted_report, to_unit=department, by=alice, reason=""
        ),
        "lý do chuyển",
    )
    refused(
        lambda: services.report_transfer(
            report=accepted_report, to_unit=commune, by=alice, reason="x"
        ),
        "đơn vị khác",
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_transfer(
            report=accepted_report, to_unit=department, by=alice, reason="Thuộc ngành xây dựng"
        )
    assert report.handling_unit == department
    assert Notification.objects.filter(recipient=dave).exists()
    # Alice no longer handles it.
    refused(
        lambda: services.report_transfer(report=report, to_unit=commune, by=alice, reason="x"),
        "không có quyền",
    )
    report = services.report_return(report=report, by=dave, reason="Không thuộc Sở")
    assert report.handling_unit == commune
    hops = list(report.events.filter(kind__in=["transferred", "returned"]).order_by("pk"))
    assert [(e.from_unit, e.to_unit) for e in hops] == [
        (commune, department),
        (department, commune),
    ]
    assert all(e.working_seconds is not None for e in hops)
    refused(
        lambda: services.report_return(report=report, by=alice, reason="x"),
        "không do đơn vị khác chuyển đến",
    )


def test_assign_only_within_the_handling_unit(
    accepted_report: Report,
    alice: User,
    bob: User,
    django_capture_on_commit_callbacks,
    commune_leader: User,
) -> None:
    refused(
        lambda: services.report_assign(report=accepted_report, handler=bob, by=alice),
        "cán bộ của đơn vị xử lý",
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_assign(report=accepted_report, handler=alice, by=commune_leader)
    assert report.status == Status.IN_PROGRESS and report.handler == alice
    assert Notification.objects.filter(recipient=alice, message__contains="được giao").exists()


def test_notes_and_front_comments(
    accepted_report: Report, alice: User, bob: User, frank: User
) -> None:
    services.report_add_note(report=accepted_report, by=alice, note="Đã liên hệ tổ dân phố.")
    services.report_add_note(report=accepted_report, by=frank, note="MTTQ đề nghị xử lý sớm.")
    kinds = list(accepted_report.events.filter(note__contains=".").values_list("kind", "is_public"))
    assert (EventKind.NOTE, False) in kinds and (EventKind.FRONT_COMMENT, False) in kinds
    refused(
        lambda: services.report_add_note(report=accepted_report, by=bob, note="x"),
        "không có quyền",
    )
    refused(lambda: services.report_add_note(report=accepted_report, by=alice, note=""), "ghi chú")


def test_front_official_cannot_change_anything(accepted_report: Report, frank: User) -> None:
    refused(
        lambda: services.report_assign(report=accepted_report, handler=frank, by=frank),
        "không có quyền",
    )
    refused(
        lambda: services.report_request_info(report=accepted_report, by=frank, question="?"),
        "không có quyền",
    )


# --- the clock pauses while the reporter is asked ---------------------------------------------


def test_request_and_supply_info_pause_the_clock(
    in_progress_report: Report,
    alice: User,
    clock,
    make_report,
    django_capture_on_commit_callbacks,
) -> None:
    report = fresh(in_progress_report)
    Report.objects.filter(pk=report.pk).update(answer_due_at=at("2026-05-15 17:00"))
    clock(at("2026-05-06 09:00"))
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request_info(
            report=report, by=alice, question="Xin gửi ảnh vị trí đổ rác."
        )
    assert report.status == Status.INFO_REQUESTED
    assert "Xin gửi ảnh vị trí đổ rác." in mail.outbox[0].body
    reporter = report.reporters.get()
    clock(at("2026-05-07 09:00"))  # one working day later
    stranger = make_report().reporters.get()
    refused(
        lambda: services.report_supply_info(report=report, reporter=stranger, text="x"),
        "không có quyền",
    )
    report = services.report_supply_info(
        report=report, reporter=reporter, text="Đã gửi ảnh.", files=[png()]
    )
    assert report.status == Status.IN_PROGRESS and report.paused_since is None
    assert report.answer_due_at == at("2026-05-18 17:00")
    assert report.attachments.count() == 1


# --- answering -------------------------------------------------------------------------------


def test_draft_then_approve_then_reporters_are_asked_to_rate(
    in_progress_report: Report,
    alice: User,
    leader: User,
    django_capture_on_commit_callbacks,
    commune_leader: User,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_draft_answer(report=in_progress_report, by=alice, answer="Dự thảo")
    assert report.status == Status.AWAITING_APPROVAL
    assert Notification.objects.filter(recipient=commune_leader, message__contains="duyệt").exists()
    refused(lambda: services.report_approve_answer(report=report, by=alice), "không có quyền")
    report = services.report_return_draft(report=report, by=leader, reason="Bổ sung thời gian")
    assert report.status == Status.IN_PROGRESS
    report = services.report_draft_answer(report=report, by=alice, answer="Dự thảo 2")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_approve_answer(
            report=report, by=leader, answer="Đã thu gom rác ngày 05/5."
        )
    assert report.status == Status.ANSWERED and report.answered_at
    assert report.answer == "Đã thu gom rác ngày 05/5."
    answered = report.events.get(kind=EventKind.ANSWERED)
    assert answered.is_public and answered.working_seconds is not None
    answer_mail = mail.outbox[-1]
    assert "Đã thu gom rác ngày 05/5." in answer_mail.body and "đánh giá" in answer_mail.body


@override_settings(FEEDBACK_APPROVAL_REQUIRED=False)
def test_without_approval_the_answer_goes_out_at_once(
    in_progress_report: Report, alice: User
) -> None:
    report = services.report_draft_answer(report=in_progress_report, by=alice, answer="Xong.")
    assert report.status == Status.ANSWERED


def test_publish_removes_personal_data_and_never_publishes_confidential(
    answered_report: Report, alice: User, confidential_report: Report, leader: User
) -> None:
    Report.objects.filter(pk=answered_report.pk).update(
        text=f"Tôi là {REPORTER_NAME}, số {REPORTER_PHONE}, rác bốc mùi."
    )
    report = services.report_publish(report=answered_report, by=alice)
    assert report.is_published and report.published_at
    assert REPORTER_NAME not in report.public_text and REPORTER_PHONE not in report.public_text
    assert "rác bốc mùi" in report.public_text
    assert report.public_answer
    report = services.report_unpublish(report=report, by=alice)
    assert not report.is_published and report.public_text == ""
    refused(lambda: services.report_unpublish(report=report, by=alice), "chưa được công khai")
    refused(lambda: services.report_publish(report=confidential_report, by=leader), "xử lý kín")


def test_publish_refused_before_the_answer(accepted_report: Report, alice: User) -> None:
    refused(
        lambda: services.report_publish(report=accepted_report, by=alice), "Không thể công khai"
    )


# --- extensions ------------------------------------------------------------------------------


def test_extension_requested_and_decided(
    in_progress_report: Report, alice: User, leader: User, django_capture_on_commit_callbacks
) -> None:
    refused(
        lambda: services.report_request_extension(
            report=in_progress_report, by=alice, extra_working_days=0, reason="x"
        ),
        "Số ngày gia hạn",
    )
    extension = services.report_request_extension(
        report=in_progress_report, by=alice, extra_working_days=3, reason="Chờ kinh phí"
    )
    assert extension.decision == ExtensionRequest.Decision.PENDING
    refused(
        lambda: services.report_request_extension(
            report=in_progress_report, by=alice, extra_working_days=3, reason="Lần nữa"
        ),
        "đang chờ",
    )
    refused(
        lambda: services.report_decide_extension(extension=extension, by=alice, approve=True),
        "không có quyền",
    )
    before = fresh(in_progress_report).answer_due_at
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_decide_extension(extension=extension, by=leader, approve=True)
    assert report.answer_due_at is not None and before is not None
    assert report.answer_due_at > before
    assert Notification.objects.filter(recipient=alice, message__contains="đồng ý gia hạn").exists()
    refused(
        lambda: services.report_decide_extension(extension=extension, by=leader, approve=False),
        "đã được quyết định",
    )


# --- rating and reopening --------------------------------------------------------------------


def test_rate_and_reopen_up_to_the_limit(
    answered_report: Report,
    alice: User,
    leader: User,
    django_capture_on_commit_callbacks,
    commune_leader: User,
) -> None:
    reporter = answered_report.reporters.get()
    refused(
        lambda: services.report_rate(
            report=answered_report, reporter=reporter, value="satisfied", request_reopen=True
        ),
        "không hài lòng",
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_rate(
            report=answered_report,
            reporter=reporter,
            value="dissatisfied",
            comment="Rác vẫn còn.",
            request_reopen=True,
        )
    assert report.status == Status.REOPEN_REQUESTED
    assert Notification.objects.filter(recipient=commune_leader, message__contains="xử lý lại")
    refused(
        lambda: services.report_decide_reopen(report=report, by=alice, reopen=True, reason="x"),
        "không có quyền",
    )
    report = services.report_decide_reopen(
        report=report, by=leader, reopen=True, reason="Kiểm tra lại hiện trường"
    )
    assert report.status == Status.IN_PROGRESS and report.reopen_count == 1
    assert report.answered_at is None and report.answer_due_at

    def answer_again(report: Report) -> Report:
        report = services.report_draft_answer(report=report, by=alice, answer="Đã xử lý lại.")
        return services.report_approve_answer(report=report, by=leader)

    report = answer_again(report)
    report = services.report_rate(
        report=report, reporter=reporter, value="dissatisfied", request_reopen=True
    )
    report = services.report_decide_reopen(report=report, by=leader, reopen=True, reason="Lần 2")
    assert report.reopen_count == 2
    report = answer_again(report)
    refused(
        lambda: services.report_rate(
            report=report, reporter=reporter, value="dissatisfied", request_reopen=True
        ),
        "tối đa 2 lần",
    )
    services.report_rate(report=report, reporter=reporter, value="neutral")
    assert Rating.objects.filter(reporter=reporter).count() == 3
    refused(
        lambda: services.report_rate(report=report, reporter=reporter, value="satisfied"),
        "đã đánh giá",
    )


def test_refuse_reopen_returns_to_answered(
    answered_report: Report, leader: User, django_capture_on_commit_callbacks
) -> None:
    reporter = answered_report.reporters.get()
    report = services.report_rate(
        report=answered_report, reporter=reporter, value="dissatisfied", request_reopen=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_decide_reopen(
            report=report, by=leader, reopen=False, reason="Đã xử lý đúng quy định."
        )
    assert report.status == Status.ANSWERED and report.reopen_count == 0
    assert "Đã xử lý đúng quy định." in mail.outbox[-1].body


def test_rating_window_and_closing(answered_report: Report, clock) -> None:
    reporter = answered_report.reporters.get()
    assert answered_report.answered_at is not None
    later = answered_report.answered_at + dt.timedelta(days=15)
    assert services.report_close_expired(now=answered_report.answered_at) == 0
    clock(later)
    refused(
        lambda: services.report_rate(report=answered_report, reporter=reporter, value="neutral"),
        "hết thời hạn đánh giá",
    )
    assert services.report_close_expired(now=later) == 1
    report = fresh(answered_report)
    assert report.status == Status.CLOSED and report.closed_at == later
    assert services.report_close_expired(now=later) == 0


def test_reporter_of_another_report_cannot_rate(answered_report: Report, make_report) -> None:
    stranger = make_report().reporters.get()
    refused(
        lambda: services.report_rate(report=answered_report, reporter=stranger, value="neutral"),
        "không có quyền",
    )


# --- the confidential track ------------------------------------------------------------------


def test_confidential_report_goes_to_the_level_above_the_named_official(
    confidential_report: Report,
    province: Unit,
    alice: User,
    leader: User,
    commune_leader: User,
) -> None:
    assert confidential_report.is_confidential
    assert confidential_report.named_official == alice
    assert confidential_report.handling_unit == province
    refused(
        lambda: services.report_assign(report=confidential_report, handler=alice, by=leader),
        "lãnh đạo",
    )
    report = services.report_assign(report=confidential_report, handler=leader, by=leader)
    report = services.report_draft_answer(report=report, by=leader, answer="Đã nhắc nhở cán bộ.")
    report = services.report_approve_answer(report=report, by=leader)
    assert report.status == Status.ANSWERED
    assert not Notification.objects.filter(recipient=alice).exists()


def test_screener_cannot_name_themselves(
    make_report, confidential_category: Category, commune_leader: User
) -> None:
    report = make_report(category=confidential_category, answers={})
    refused(
        lambda: services.report_accept(
            report=report, by=commune_leader, named_official=commune_leader
        ),
        "chính mình",
    )


def test_confidential_report_without_named_official_stays_with_the_receiving_leaders(
    make_report,
    confidential_category: Category,
    commune_leader: User,
    commune: Unit,
    alice: User,
) -> None:
    report = make_report(category=confidential_category, answers={})
    refused(lambda: services.report_accept(report=report, by=alice), "không có quyền")
    report = services.report_accept(report=report, by=commune_leader)
    assert report.handling_unit == commune
    refused(lambda: services.report_add_note(report=report, by=alice, note="x"), "không có quyền")


# --- scheduled work --------------------------------------------------------------------------


def test_deadline_reminders_once_per_threshold(
    accepted_report: Report, make_report, alice: User, commune_leader: User, leader: User
) -> None:
    due = at("2026-05-15 17:00")
    Report.objects.filter(pk=accepted_report.pk).update(answer_due_at=due)
    new = make_report()
    Report.objects.filter(pk=new.pk).update(accept_due_at=at("2026-05-15 10:00"))
    soon = at("2026-05-15 08:00")
    sent = services.deadline_reminders_send(now=soon)
    # Alice (screener and handler) and the commune leader, for each of the two reports.
    assert sent == 4
    assert services.deadline_reminders_send(now=soon) == 0
    overdue = at("2026-05-15 17:30")
    assert services.deadline_reminders_send(now=overdue) == 4
    assert Notification.objects.filter(
        recipient=alice, message__contains="đã quá hạn trả lời"
    ).exists()
    assert services.deadline_reminders_send(now=at("2026-05-01 08:00")) == 0


def test_command_runs_both_tasks(answered_report: Report, clock) -> None:
    assert answered_report.answered_at is not None
    clock(answered_report.answered_at + dt.timedelta(days=20))
    out = io.StringIO()
    call_command("feedback-reminders", stdout=out)
    assert "đã kết thúc 1 phản ánh" in out.getvalue()
    assert fresh(answered_report).status == Status.CLOSED


def test_tasks_enqueue_with_the_immediate_backend(answered_report: Report, clock) -> None:
    from chinhquyenso.feedback.tasks import close_expired_reports, send_deadline_reminders

    assert answered_report.answered_at is not None
    clock(answered_report.answered_at + dt.timedelta(days=20))
    assert close_expired_reports.enqueue().return_value == 1
    assert send_deadline_reminders.enqueue().return_value == 0


# --- configuration ---------------------------------------------------------------------------


def test_category_questions_are_checked(db: None, leader: User) -> None:
    category = Category(
        code="dien",
        name="Điện",
        questions=[{"key": "cot", "label": "Số cột điện", "type": "number", "required": 1}],
    )
    services.config_save(obj=category, by=leader)
    assert category.questions[0]["required"] is True
    bad = Category(code="nuoc", name="Nước", questions=[{"key": "x", "label": "X", "type": "?"}])
    with pytest.raises(FeedbackError, match="loại không hợp lệ"):
        services.config_save(obj=bad, by=leader)
    services.config_delete(obj=category, by=leader)
    assert not Category.objects.filter(code="dien").exists()


def test_category_in_use_is_not_deleted(submitted_report: Report, leader: User) -> None:
    with pytest.raises(FeedbackError, match="đang dùng"):
        services.config_delete(obj=submitted_report.category, by=leader)


def test_extra_answers_are_typed(report_input, category: Category) -> None:
    category.questions = [
        {"key": "so_ho", "label": "Số hộ", "type": "number", "required": True},
        {"key": "muc", "label": "Mức độ", "type": "choice", "choices": ["Nhẹ", "Nặng"]},
        {"key": "lap_lai", "label": "Lặp lại?", "type": "yes_no"},
    ]
    category.save()
    report, _ = services.report_submit(
        data=report_input(answers={"so_ho": "12", "muc": "Nặng", "lap_lai": "yes", "la": "x"})
    )
    assert report.answers == {"so_ho": 12, "muc": "Nặng", "lap_lai": True}
    refused(lambda: services.report_submit(data=report_input(answers={"so_ho": "mười"})), "một số")
    refused(
        lambda: services.report_submit(data=report_input(answers={"so_ho": 1, "muc": "?"})),
        "phương án",
    )
