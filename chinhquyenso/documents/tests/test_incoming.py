"""Incoming documents through the services: registration, documents sent through the platform
(accepted or refused, with the sender told), assignment, opinions, passing on, results,
completion, who may do and see what, and the follow-up list."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pytest
from django.http import Http404

from chinhquyenso.accounts.models import User
from chinhquyenso.core.clock import clock_at
from chinhquyenso.core.models import AuditEntry, Notification
from chinhquyenso.documents import services
from chinhquyenso.documents.errors import DocumentError
from chinhquyenso.documents.models import (
    Assignment,
    Channel,
    Delivery,
    DeliveryStatus,
    Document,
    DocumentFile,
    Secrecy,
    Status,
    Urgency,
)
from chinhquyenso.documents.registers_print import printed_register
from chinhquyenso.documents.selectors import (
    arrivals_for,
    assigned_to,
    documents_visible_to,
    due_soon,
    get_document_for_user,
    late,
)
from chinhquyenso.documents.tests.conftest import Register, client_for, doc_type, local, upload
from chinhquyenso.signing.tests.test_signing import encrypted_pdf, pdf_with_javascript
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.services import unit_create

pytestmark = pytest.mark.django_db


def statuses(delivery: Delivery) -> list[str]:
    return list(delivery.messages.order_by("at", "pk").values_list("status", flat=True))


def fresh(document: Document) -> Document:
    return Document.objects.get(pk=document.pk)


# --- registration ----------------------------------------------------------------------------


def test_the_clerk_registers_a_paper_document_with_the_next_arrival_number(
    register_incoming: Register, clerk: User, chairman: User
) -> None:
    with clock_at(local("27/11/2026 09:15")):
        first = register_incoming(urgency=Urgency.URGENT)
        second = register_incoming(number=153)
    assert (first.arrival_number, second.arrival_number) == (1, 2)
    assert first.status == Status.REGISTERED and first.year == 2026
    assert first.reference == "152/KH-SVHTTDL"
    assert first.register is not None and first.register.name == "Sổ đăng ký văn bản đến"
    assert first.page_count == 1
    # The text of the PDF is kept and searched, without diacritics.
    assert "Tết Trung thu" in first.full_text
    assert "tet trung thu" in first.search_text and "152/kh-svhttdl" in first.search_text
    scan = first.files.get()
    assert scan.kind == DocumentFile.Kind.SCAN and scan.is_current
    assert scan.verification is not None and scan.verification["signatures"] == []
    assert first.events.get().action == "register"
    assert AuditEntry.objects.filter(action="documents.incoming.register").count() == 2
    # The ward's chairman is told a document waits for him.
    assert Notification.objects.filter(recipient=chairman, message__contains="số 1").exists()


def test_only_the_units_clerk_registers(
    register_incoming: Register, alice: User, other_clerk: User
) -> None:
    for user in (alice, other_clerk):
        with pytest.raises(DocumentError) as refused:
            register_incoming(by=user)
        assert "văn thư" in refused.value.messages[0]
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda pdf: b"Day khong phai tep PDF", "không phải tệp PDF"),
        (encrypted_pdf, "mã hóa"),
        (pdf_with_javascript, "JavaScript"),
    ],
)
def test_bad_files_are_refused_and_burn_no_number(
    register_incoming: Register, plan_pdf: bytes, make, expected: str
) -> None:
    with pytest.raises(DocumentError) as refused:
        register_incoming(file=upload(make(plan_pdf), "cong-van.pdf"))
    assert refused.value.field == "file"
    assert expected in refused.value.messages[0]
    assert "cong-van.pdf" in refused.value.messages[0]
    assert not Document.objects.exists()
    assert register_incoming().arrival_number == 1


def test_registration_checks_what_the_clerk_typed(register_incoming: Register) -> None:
    cases = [
        ({"subject": "  "}, "subject"),
        ({"sender_name": ""}, "sender_name"),
        ({"file": None}, "file"),
        ({"issued_on": dt.date(2099, 1, 1)}, "issued_on"),
        ({"due_on": dt.date(2000, 1, 1)}, "due_on"),
        ({"urgency": "rat-khan"}, "urgency"),
    ]
    for kwargs, field in cases:
        with pytest.raises(DocumentError) as refused:
            register_incoming(**kwargs)
        assert refused.value.field == field, kwargs
    assert not Document.objects.exists()


# --- documents sent through the platform -----------------------------------------------------


def test_the_clerk_accepts_a_document_sent_through_the_platform(
    arrived: Delivery, clerk: User, commune: Unit, sender: Unit
) -> None:
    assert list(arrivals_for(clerk)) == [arrived]
    document = services.incoming_receive_delivery(delivery=arrived, by=clerk)
    assert document.unit == commune and document.sender_unit == sender
    assert (document.number, document.notation) == (45, "UBND-VP")
    assert document.sender_name == sender.name
    assert document.arrival_number == 1
    assert document.source_delivery == arrived and document.channel == Channel.PLATFORM
    shown = client_for(clerk).get(f"/can-bo/van-ban/den/{document.pk}/").content.decode()
    assert "Hệ thống (văn bản điện tử liên thông)" in shown and "Vào sổ tại đơn vị" not in shown
    assert document.register is not None
    (row,) = printed_register(document.register, document.year).rows
    assert row[-1] == "Nhận qua hệ thống"
    received = document.files.get()
    assert received.kind == DocumentFile.Kind.RECEIVED
    assert received.sha256 == arrived.document.files.get().sha256
    arrived.refresh_from_db()
    assert arrived.status == DeliveryStatus.ACCEPTED
    message = arrived.messages.get()
    assert message.status == DeliveryStatus.ACCEPTED and "số đến 1" in message.description
    assert clerk.full_name in message.by_name
    assert list(arrivals_for(clerk)) == []
    with pytest.raises(DocumentError) as again:
        services.incoming_receive_delivery(delivery=arrived, by=clerk)
    assert "đã được xử lý" in again.value.messages[0]


def test_a_document_sent_through_the_platform_can_be_refused_with_a_reason(
    arrived: Delivery, clerk: User, alice: User, other_clerk: User
) -> None:
    with pytest.raises(DocumentError):
        services.incoming_reject_delivery(delivery=arrived, by=clerk, reason=" ")
    for outsider in (alice, other_clerk):
        with pytest.raises(DocumentError):
            services.incoming_reject_delivery(delivery=arrived, by=outsider, reason="Gửi nhầm")
    services.incoming_reject_delivery(
        delivery=arrived, by=clerk, reason="Văn bản gửi nhầm đơn vị, đề nghị gửi Sở Y tế."
    )
    arrived.refresh_from_db()
    assert arrived.status == DeliveryStatus.REJECTED
    assert "Sở Y tế" in arrived.messages.get().description
    assert not Document.objects.filter(direction="incoming").exists()
    with pytest.raises(DocumentError):
        services.incoming_receive_delivery(delivery=arrived, by=clerk)


def test_only_the_recipients_clerk_accepts(
    arrived: Delivery, other_clerk: User, alice: User
) -> None:
    for user in (other_clerk, alice):
        with pytest.raises(DocumentError):
            services.incoming_receive_delivery(delivery=arrived, by=user)
    assert list(arrivals_for(other_clerk)) == [] and list(arrivals_for(alice)) == []


# --- handling --------------------------------------------------------------------------------


@pytest.fixture
def department(commune: Unit) -> Unit:
    """The ward's culture and society office, under it."""
    return unit_create(parent=commune, kind=UnitKind.OTHER, name="Phòng Văn hóa - Xã hội", by=None)


def test_the_whole_handling_reaches_the_sender_step_by_step(
    arrived: Delivery,
    clerk: User,
    chairman: User,
    alice: User,
    colleague: User,
    department: Unit,
) -> None:
    with clock_at(local("27/11/2026 08:30")):
        document = services.incoming_receive_delivery(delivery=arrived, by=clerk)
    with clock_at(local("27/11/2026 10:00")):
        services.incoming_assign(
            document=document,
            by=chairman,
            lead=alice,
            cooperating=[department, colleague],
            due_on=dt.date(2026, 12, 4),
            note="Khẩn trương tham mưu văn bản trả lời.",
        )
    document = fresh(document)
    assert document.status == Status.ASSIGNED and document.due_on == dt.date(2026, 12, 4)
    roles = sorted(document.assignments.values_list("role", flat=True))
    assert roles == ["cooperate", "cooperate", "lead"]
    assert Notification.objects.filter(recipient=alice, message__contains="được giao").exists()
    assert list(assigned_to(alice)) == [document]
    assert list(assigned_to(colleague)) == [document]

    with clock_at(local("30/11/2026 09:00")):
        services.incoming_add_opinion(
            document=document, by=colleague, text="Đề nghị bổ sung số liệu."
        )
        services.incoming_attach_result(
            document=document, by=alice, note="Đã dự thảo công văn trả lời số 61/UBND-VX."
        )
    with clock_at(local("01/12/2026 15:00")):
        services.incoming_complete(document=document, by=alice, note="Đã trả lời.")
    document = fresh(document)
    assert document.status == Status.COMPLETED and document.completed_at is not None
    assert not document.assignments.filter(completed_at__isnull=True).exists()
    arrived.refresh_from_db()
    assert arrived.status == DeliveryStatus.COMPLETED
    assert statuses(arrived) == ["03", "04", "05", "06"]
    assert Notification.objects.filter(recipient=chairman, message__contains="xử lý xong").exists()
    actions = list(document.events.values_list("action", flat=True))
    assert actions == ["receive", "assign", "add_opinion", "attach_result", "complete"]


def test_only_a_leader_of_the_unit_assigns(
    register_incoming: Register, alice: User, clerk: User, leader: User, bob: User
) -> None:
    document = register_incoming()
    for user in (alice, clerk, bob):
        with pytest.raises(DocumentError):
            services.incoming_assign(document=document, by=user, lead=alice)
    # The province's leader is above the ward.
    services.incoming_assign(document=document, by=leader, lead=alice)
    assert fresh(document).status == Status.ASSIGNED


def test_assignment_checks_who_and_when(
    register_incoming: Register, chairman: User, alice: User, bob: User, other_commune: Unit
) -> None:
    document = register_incoming()
    with pytest.raises(DocumentError) as outside:
        services.incoming_assign(document=document, by=chairman, lead=bob)
    assert outside.value.field == "lead"
    with pytest.raises(DocumentError):
        services.incoming_assign(document=document, by=chairman, lead=other_commune)
    with pytest.raises(DocumentError) as past:
        services.incoming_assign(
            document=document, by=chairman, lead=alice, due_on=dt.date(2000, 1, 1)
        )
    assert past.value.field == "due_on"
    assert fresh(document).status == Status.REGISTERED


def test_assigning_again_replaces_the_open_assignments(
    register_incoming: Register, chairman: User, alice: User, colleague: User
) -> None:
    document = register_incoming()
    services.incoming_assign(document=document, by=chairman, lead=alice)
    services.incoming_assign(document=document, by=chairman, lead=colleague)
    lead = Assignment.objects.get(document=document)
    assert lead.user == colleague and lead.role == Assignment.Role.LEAD
    assert list(assigned_to(alice)) == []


def test_handlers_pass_their_part_to_a_colleague_only(
    register_incoming: Register, chairman: User, alice: User, colleague: User, bob: User
) -> None:
    document = register_incoming()
    services.incoming_assign(document=document, by=chairman, lead=alice)
    with pytest.raises(DocumentError):
        services.incoming_pass_on(document=document, by=alice, to=bob)
    with pytest.raises(DocumentError):
        services.incoming_pass_on(document=document, by=colleague, to=alice)  # not assigned
    services.incoming_pass_on(document=document, by=alice, to=colleague, note="Chị Lan nắm rõ hơn.")
    assert list(assigned_to(alice)) == []
    assert list(assigned_to(colleague)) == [fresh(document)]
    services.incoming_complete(document=document, by=colleague, note="Đã xong.")
    assert fresh(document).status == Status.COMPLETED


def test_only_the_lead_completes_and_only_with_a_result(
    register_incoming: Register,
    chairman: User,
    alice: User,
    colleague: User,
    plan_pdf: bytes,
) -> None:
    document = register_incoming()
    services.incoming_assign(document=document, by=chairman, lead=alice, cooperating=[colleague])
    with pytest.raises(DocumentError) as cooperating:
        services.incoming_complete(document=document, by=colleague, note="Xong")
    assert "chủ trì" in cooperating.value.messages[0]
    with pytest.raises(DocumentError) as empty:
        services.incoming_complete(document=document, by=alice)
    assert empty.value.field == "note"
    services.incoming_attach_result(
        document=document, by=alice, file=upload(plan_pdf, "tra-loi.pdf")
    )
    services.incoming_complete(document=document, by=alice)
    document = fresh(document)
    assert document.status == Status.COMPLETED
    assert document.files.filter(kind=DocumentFile.Kind.RESULT).count() == 1
    # The result does not replace the document itself.
    assert document.files.get(kind=DocumentFile.Kind.SCAN).is_current


def test_people_not_assigned_cannot_handle(
    register_incoming: Register, chairman: User, alice: User, colleague: User
) -> None:
    document = register_incoming()
    with pytest.raises(DocumentError):
        services.incoming_add_opinion(document=document, by=alice, text="Chưa được giao")
    services.incoming_assign(document=document, by=chairman, lead=alice)
    with pytest.raises(DocumentError):
        services.incoming_add_opinion(document=document, by=colleague, text="Không được giao")
    # A leader of the unit may always give an opinion.
    services.incoming_add_opinion(document=document, by=chairman, text="Ưu tiên xử lý.")
    assert fresh(document).status == Status.IN_PROGRESS


def test_a_registered_document_can_be_returned_and_its_sender_is_told(
    arrived: Delivery, clerk: User
) -> None:
    document = services.incoming_receive_delivery(delivery=arrived, by=clerk)
    services.incoming_reject(document=document, by=clerk, reason="Không thuộc thẩm quyền.")
    assert fresh(document).status == Status.REJECTED
    arrived.refresh_from_db()
    assert statuses(arrived) == ["03", "02"]
    # Its arrival number stays used.
    assert arrived.messages.last().description == "Không thuộc thẩm quyền."  # type: ignore[union-attr]


# --- who sees what -------------------------------------------------------------------------


def test_visibility_of_ordinary_and_secret_documents(
    register_incoming: Register,
    clerk: User,
    chairman: User,
    alice: User,
    colleague: User,
    bob: User,
    leader: User,
    charlie: User,
) -> None:
    ordinary = register_incoming()
    secret = register_incoming(secrecy=Secrecy.SECRET, file=None)
    for user in (clerk, chairman, alice, leader):
        assert get_document_for_user(user, ordinary.pk) == ordinary
    for user in (bob, charlie):
        with pytest.raises(Http404):
            get_document_for_user(user, ordinary.pk)
    # The secret one: the unit's leaders and clerk, and whoever is assigned to it by name.
    assert set(documents_visible_to(alice)) == {ordinary}
    assert secret in documents_visible_to(clerk) and secret in documents_visible_to(chairman)
    assert secret in documents_visible_to(leader)
    services.incoming_assign(document=secret, by=chairman, lead=alice)
    assert secret in documents_visible_to(alice)
    assert secret not in documents_visible_to(colleague)
    with pytest.raises(Http404):
        get_document_for_user(alice, 999_999)


def test_a_lead_unit_sees_the_document_it_was_given(
    register_incoming: Register, chairman: User, department: Unit
) -> None:
    from chinhquyenso.accounts.services import official_create
    from chinhquyenso.conftest import PASSWORD

    head = official_create(
        full_name="Phan Thị Hà",
        unit=department,
        roles=["specialist"],
        email="ha@example.vn",
        password=PASSWORD,
        by=None,
    )
    document = register_incoming()
    assert document not in documents_visible_to(head)
    services.incoming_assign(document=document, by=chairman, lead=department)
    assert document in documents_visible_to(head)
    assert list(assigned_to(head)) == [fresh(document)]


def test_a_document_registered_where_no_leader_works_waits_for_the_nearest_leaders_above(
    commune: Unit,
    department: Unit,
    chairman: User,
    plan_pdf: bytes,
    django_assert_num_queries: Any,
) -> None:
    from chinhquyenso.accounts.services import official_create
    from chinhquyenso.conftest import PASSWORD

    def official(unit: Unit, email: str, role: str) -> User:
        return official_create(
            full_name=email, unit=unit, roles=[role], email=email, password=PASSWORD, by=None
        )

    province_leader = official(commune.get_parent(), "chutich.tinh@example.vn", "unit_leader")
    office_clerk = official(department, "vanthu.phong@example.vn", "clerk")
    # The office's leaders are the ward's (the nearest above with any), read in one query.
    with django_assert_num_queries(1):
        assert services._leaders_of(department) == [chairman]
    document = services.incoming_register(
        unit=department,
        by=office_clerk,
        document_type=doc_type("ke-hoach"),
        subject="Kế hoạch tuyên truyền",
        sender_name="Sở Văn hóa, Thể thao và Du lịch",
        file=upload(plan_pdf),
    )
    waiting = Notification.objects.filter(message__contains=f"số {document.arrival_number}")
    assert list(waiting.values_list("recipient", flat=True)) == [chairman.pk]
    assert province_leader.pk not in waiting.values_list("recipient", flat=True)


# --- follow-up -------------------------------------------------------------------------------


def test_the_follow_up_finds_late_and_soon_due_documents(
    register_incoming: Register, chairman: User, alice: User
) -> None:
    register = functools.partial(register_incoming, issued_on=dt.date(2026, 11, 10))
    with clock_at(local("16/11/2026 08:00")):
        overdue = register()
        services.incoming_assign(
            document=overdue, by=chairman, lead=alice, due_on=dt.date(2026, 11, 20)
        )
        soon = register()
        services.incoming_assign(
            document=soon, by=chairman, lead=alice, due_on=dt.date(2026, 11, 30)
        )
        done = register()
        services.incoming_assign(
            document=done, by=chairman, lead=alice, due_on=dt.date(2026, 11, 19)
        )
        services.incoming_complete(document=done, by=alice, note="Xong")
    visible = documents_visible_to(chairman)
    today = dt.date(2026, 11, 27)
    assert list(late(visible, today=today)) == [overdue]
    assert list(due_soon(visible, today=today, until=dt.date(2026, 12, 1))) == [soon]
