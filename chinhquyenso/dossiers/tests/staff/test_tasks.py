"""Deadline reminders: dossiers due within a working day and overdue ones are flagged to the
officials holding them and their leaders, once per dossier and appointment."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from chinhquyenso.core.clock import clock_at
from chinhquyenso.core.models import Notification
from chinhquyenso.dossiers.services import dossier_apologise, dossier_request_documents
from chinhquyenso.dossiers.tasks import deadline_reminders_send, send_deadline_reminders
from chinhquyenso.dossiers.tests.conftest import at

pytestmark = pytest.mark.django_db


def notices() -> list[tuple[str, str, str]]:
    return sorted(Notification.objects.values_list("recipient__full_name", "message", "url"))


def test_nothing_is_flagged_while_the_appointment_is_far(accepted, dept_specialist) -> None:
    # Appointment: Monday 09/11/2026 17:00.
    assert deadline_reminders_send(now=at("05/11/2026 10:00")) == 0
    assert not Notification.objects.exists()


def test_due_within_a_working_day_then_overdue(
    accepted, dept_specialist, dept_leader, counter_officer, alice
) -> None:
    # Friday 17:00: the next working day ends on Monday 17:00, the appointment. The
    # specialist at whose step the dossier is and the department's leader are told.
    sent = deadline_reminders_send(now=at("06/11/2026 17:00"))
    assert sent == 2
    message = f"Hồ sơ {accepted.code} sắp đến hạn trả kết quả (hẹn 17:00 09/11/2026)."
    url = f"/can-bo/ho-so/{accepted.code}/"
    assert notices() == [
        ("Trần Thị Giám", message, url),
        ("Võ Văn Sơn", message, url),
    ]
    # Run again: nobody is told twice.
    assert deadline_reminders_send(now=at("09/11/2026 08:00")) == 0

    # Past the appointment: a new notice, once.
    assert deadline_reminders_send(now=at("10/11/2026 08:00")) == 2
    assert deadline_reminders_send(now=at("10/11/2026 09:00")) == 0
    late = f"Hồ sơ {accepted.code} đã quá hạn trả kết quả (hẹn 17:00 09/11/2026)."
    assert Notification.objects.filter(message=late).count() == 2
    # Neither the counter nor another unit's staff are told about the department's work.
    assert not Notification.objects.filter(recipient__in=[counter_officer, alice]).exists()


def test_a_new_appointment_gives_a_new_notice(accepted, dept_leader, dept_specialist) -> None:
    deadline_reminders_send(now=at("10/11/2026 08:00"))
    with clock_at(at("10/11/2026 09:00")):
        dossier_apologise(
            dossier=accepted,
            by=dept_leader,
            reason="Chờ xác minh",
            new_due_at=at("12/11/2026 17:00"),
        )
    assert deadline_reminders_send(now=at("10/11/2026 10:00")) == 0  # 12/11 is two days away
    assert deadline_reminders_send(now=at("11/11/2026 17:00")) == 2
    assert Notification.objects.filter(message__contains="hẹn 17:00 12/11/2026").count() == 2


def test_a_paused_dossier_is_not_flagged(accepted, dept_specialist) -> None:
    with clock_at(at("09/11/2026 09:00")):
        dossier_request_documents(
            dossier=accepted, by=dept_specialist, items=[{"name": "Bản vẽ", "reason": "Mờ"}]
        )
    assert deadline_reminders_send(now=at("10/11/2026 08:00")) == 0


def test_the_task_and_the_command(accepted, dept_specialist, dept_leader) -> None:
    with clock_at(at("10/11/2026 08:00")):
        assert send_deadline_reminders.enqueue().return_value == 2
        out = io.StringIO()
        call_command("dossier-reminders", stdout=out)
    assert "Đã gửi 0 thông báo nhắc hạn hồ sơ." in out.getvalue()
