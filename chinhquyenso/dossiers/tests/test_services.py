"""Dossier services: codes, receipt, deadlines across holidays, pauses, hand-overs, results."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chinhquyenso.core.clock import clock_at
from chinhquyenso.dossiers.models import Dossier, FileKind, Handover, Status
from chinhquyenso.dossiers.services import (
    DossierError,
    dossier_accept,
    dossier_apologise,
    dossier_attach_result,
    dossier_forward,
    dossier_rate,
    dossier_refuse,
    dossier_request_documents,
    dossier_return_result,
    dossier_send_back,
    dossier_supply_documents,
    dossier_withdraw,
)
from chinhquyenso.dossiers.tests.conftest import at, pdf_file, png_file

pytestmark = pytest.mark.django_db


def _accept(dossier: Dossier, by, when: str) -> Dossier:
    with clock_at(at(when)):
        return dossier_accept(dossier=dossier, by=by)


def test_counter_dossier_gets_agency_date_sequence_code(register) -> None:
    first = register("27/11/2026 08:00")
    second = register("27/11/2026 09:00")
    next_day = register("30/11/2026 08:00")
    assert first.code == "000.00.01.H40-261127-0001"
    assert second.code == "000.00.01.H40-261127-0002"
    assert next_day.code == "000.00.01.H40-261130-0001"
    assert first.status == Status.NEW
    assert first.files.filter(kind=FileKind.COMPONENT).count() == 1


def test_appointment_skips_tet(register, counter_officer) -> None:
    # Tết 2026: days off from Saturday 14/02 to Sunday 22/02.
    dossier = _accept(register("13/02/2026 16:00"), counter_officer, "13/02/2026 16:00")
    assert dossier.status == Status.ACCEPTED
    # 5 working days after Friday 13/02: 23, 24, 25, 26, 27/02.
    assert dossier.due_at == at("27/02/2026 17:00")
    assert dossier.current_unit.name == "Sở Xây dựng"
    assert dossier.current_step.name == "Thẩm định"


def test_appointment_skips_30_april_and_1_may(register, counter_officer) -> None:
    dossier = _accept(register("29/04/2026 10:00"), counter_officer, "29/04/2026 10:00")
    # 30/04 and 01/05 are days off, then the weekend: 4, 5, 6, 7, 8/05.
    assert dossier.due_at == at("08/05/2026 17:00")


def test_pause_for_additional_documents_moves_the_appointment(
    register, counter_officer, dept_specialist
) -> None:
    dossier = _accept(register("02/11/2026 08:00"), counter_officer, "02/11/2026 08:00")
    assert dossier.due_at == at("09/11/2026 17:00")
    with clock_at(at("03/11/2026 08:00")):
        dossier_request_documents(
            dossier=dossier,
            by=dept_specialist,
            items=[{"name": "Bản vẽ mặt bằng", "reason": "Thiếu chữ ký"}],
        )
    dossier.refresh_from_db()
    assert dossier.status == Status.ADDITIONAL_REQUESTED
    assert dossier.is_paused and not dossier.is_late
    # The applicant answers two working days later (Thursday 05/11 08:00).
    with clock_at(at("05/11/2026 08:00")):
        dossier_supply_documents(dossier=dossier, by=counter_officer, extra_files=[png_file()])
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert not dossier.is_paused
    assert dossier.due_at == at("11/11/2026 17:00")


def test_second_request_counts_the_dossier_late(register, counter_officer, dept_specialist) -> None:
    dossier = _accept(register("02/11/2026 08:00"), counter_officer, "02/11/2026 08:00")
    for day in ("03/11/2026 08:00", "05/11/2026 08:00"):
        with clock_at(at(day)):
            dossier_request_documents(
                dossier=dossier, by=dept_specialist, items=[{"name": "Giấy tờ", "reason": "x"}]
            )
            dossier_supply_documents(dossier=dossier, by=counter_officer, note="Đã nộp tại quầy")
    dossier.refresh_from_db()
    assert dossier.additional_requests == 2
    assert dossier.is_late


def test_request_at_receipt_does_not_start_the_clock(register, counter_officer) -> None:
    dossier = register("02/11/2026 08:00")
    with clock_at(at("02/11/2026 08:10")):
        request = dossier_request_documents(
            dossier=dossier,
            by=counter_officer,
            items=[
                {"name": "Bản sao sổ đỏ", "reason": "Chưa có"},
                {"name": "Bản vẽ", "reason": "Mờ"},
            ],
        )
    assert len(request.items) == 2
    dossier.refresh_from_db()
    assert dossier.received_at is None and dossier.additional_requests == 0
    with clock_at(at("04/11/2026 09:00")):
        dossier_supply_documents(dossier=dossier, by=counter_officer, extra_files=[pdf_file()])
    dossier.refresh_from_db()
    assert dossier.status == Status.NEW


def test_inter_agency_processing_and_process_control(
    register, counter_officer, dept_specialist, dept_leader, charlie
) -> None:
    dossier = _accept(register("02/11/2026 08:00"), counter_officer, "02/11/2026 08:00")
    with clock_at(at("03/11/2026 09:00")):
        dossier_forward(dossier=dossier, by=dept_specialist, note="Đủ điều kiện")
    dossier.refresh_from_db()
    assert dossier.current_step.name == "Phê duyệt"
    with clock_at(at("03/11/2026 10:00")):
        dossier_send_back(dossier=dossier, by=dept_leader, reason="Bổ sung ý kiến thẩm định")
    dossier.refresh_from_db()
    assert dossier.current_step.name == "Thẩm định"
    with clock_at(at("03/11/2026 14:00")):
        dossier_forward(dossier=dossier, by=dept_specialist)
    # The leader cannot finish before the result is attached.
    with clock_at(at("04/11/2026 08:00")), pytest.raises(DossierError, match="kết quả"):
        dossier_forward(dossier=dossier, by=dept_leader)
    with clock_at(at("04/11/2026 08:05")):
        dossier_attach_result(dossier=dossier, by=dept_leader, upload=pdf_file("giay-phep.pdf"))
        dossier_forward(dossier=dossier, by=dept_leader)
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSED
    assert dossier.current_unit == dossier.receiving_unit
    with clock_at(at("04/11/2026 10:00")):
        dossier_return_result(dossier=dossier, by=counter_officer)
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and not dossier.is_late
    handovers = list(Handover.objects.filter(dossier=dossier).order_by("handed_at", "pk"))
    assert [h.unit.name for h in handovers] == [
        "Phường Thành Vinh",
        "Sở Xây dựng",
        "Sở Xây dựng",
        "Sở Xây dựng",
        "Sở Xây dựng",
        "Phường Thành Vinh",
    ]
    assert all(h.on_time for h in handovers)


def test_only_the_step_unit_and_role_act(register, counter_officer, bob, alice, dept_specialist):
    dossier = register()
    with pytest.raises(DossierError, match="quyền"):
        dossier_accept(dossier=dossier, by=bob)
    with pytest.raises(DossierError, match="quyền"):
        dossier_accept(dossier=dossier, by=alice)  # a specialist, not the counter
    dossier = dossier_accept(dossier=dossier, by=counter_officer)
    with pytest.raises(DossierError, match="quyền"):
        dossier_forward(dossier=dossier, by=counter_officer)  # the department's step
    dossier_forward(dossier=dossier, by=dept_specialist)


def test_refusal_needs_a_reason_and_ends_the_dossier(register, counter_officer) -> None:
    dossier = register()
    with pytest.raises(DossierError, match="lý do"):
        dossier_refuse(dossier=dossier, by=counter_officer, reason="  ")
    dossier = dossier_refuse(dossier=dossier, by=counter_officer, reason="Không thuộc thẩm quyền")
    assert dossier.status == Status.NOT_ACCEPTED
    with pytest.raises(DossierError):
        dossier_accept(dossier=dossier, by=counter_officer)


def test_apology_sets_a_new_date_and_counts_late(register, counter_officer, dept_leader) -> None:
    dossier = _accept(register("02/11/2026 08:00"), counter_officer, "02/11/2026 08:00")
    with clock_at(at("09/11/2026 15:00")):
        apology = dossier_apologise(
            dossier=dossier,
            by=dept_leader,
            reason="Chờ ý kiến của cơ quan phối hợp",
            new_due_at=at("13/11/2026 17:00"),
        )
    dossier.refresh_from_db()
    assert apology.old_due_at == at("09/11/2026 17:00")
    assert dossier.due_at == at("13/11/2026 17:00") and dossier.is_late


def test_withdraw_by_counter_on_request_and_rating_by_owner(register, counter_officer, charlie):
    dossier = register(applicant=charlie)
    dossier_withdraw(dossier=dossier, by=counter_officer, reason="Công dân có đơn xin rút")
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN
    with pytest.raises(DossierError):
        dossier_rate(dossier=dossier, by=charlie, rating="satisfied")


def test_submission_key_makes_a_repeat_return_the_same_dossier(register) -> None:
    first = register(submission_key="kiosk-42")
    again = register(submission_key="kiosk-42")
    assert first.pk == again.pk
    assert Dossier.objects.count() == 1


def test_bad_input_leaves_nothing_behind(register) -> None:
    with pytest.raises(DossierError) as info:
        register(form_data={"ho_ten_tre": "", "ngay_sinh": "31/02/2026"})
    assert info.value.errors
    html = SimpleUploadedFile("trang.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(DossierError, match=r"trang\.pdf"):
        register(files={"don": [html]})
    assert Dossier.objects.count() == 0


def test_code_is_well_formed(register) -> None:
    dossier = register()
    assert re.fullmatch(r"000\.00\.01\.H40-\d{6}-\d{4}", dossier.code)
    assert dossier.created_at.date() <= dt.date.today() + dt.timedelta(days=1)
