"""After issue: the sender reads each recipient's status; recall with the recipients' answers;
replacement and update by a new document linked to the first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chinhquyenso.accounts.models import User
from chinhquyenso.documents import outgoing, services
from chinhquyenso.documents.models import (
    BusinessType,
    Delivery,
    DeliveryStatus,
    Document,
    DocumentType,
    Status,
)
from chinhquyenso.documents.outgoing_selectors import deliveries_of, open_recalls_for
from chinhquyenso.documents.selectors import arrivals_for, current_file
from chinhquyenso.documents.tests.outgoing.conftest import (
    OTHER_AGENCY_CODE,
    approved,
    assert_pdfsig_all_valid,
    draft,
    file_bytes,
    issued,
    signed,
)

pytestmark = pytest.mark.django_db


def _received(delivery: Delivery, clerk: User) -> Document:
    return services.incoming_receive_delivery(delivery=delivery, by=clerk)


def test_the_sender_follows_each_recipient(
    issuing: dict[str, Any],
    decision_type: DocumentType,
    other_clerk: User,
    other_chair: User,
    bob: User,
) -> None:
    document = issued(
        issuing,
        decision_type,
        recipients_text="Sở Tài chính tỉnh Hà Tĩnh (000.00.12.H30)\nBáo Nghệ An",
    )
    rows = {
        d.recipient_unit.name if d.recipient_unit else d.recipient_name: d
        for d in deliveries_of(document)
    }
    assert set(rows) == {"Xã Anh Sơn", "Sở Tài chính tỉnh Hà Tĩnh", "Báo Nghệ An"}
    assert rows["Sở Tài chính tỉnh Hà Tĩnh"].recipient_code == "000.00.12.H30"
    assert rows["Sở Tài chính tỉnh Hà Tĩnh"].status == DeliveryStatus.SENT
    assert rows["Báo Nghệ An"].note == "Gửi bản giấy."

    incoming = _received(rows["Xã Anh Sơn"], other_clerk)
    services.incoming_assign(document=incoming, by=other_chair, lead=bob)
    delivery = Delivery.objects.get(pk=rows["Xã Anh Sơn"].pk)
    assert delivery.status == DeliveryStatus.ASSIGNED
    history = [m.status for m in delivery.messages.order_by("at", "pk")]
    assert history == [DeliveryStatus.ARRIVED, DeliveryStatus.ACCEPTED, DeliveryStatus.ASSIGNED]


def test_recall_asks_every_recipient_who_answers(
    issuing: dict[str, Any],
    decision_type: DocumentType,
    other_clerk: User,
    bob: User,
    clerk: User,
) -> None:
    document = issued(issuing, decision_type)
    [delivery] = document.deliveries.all()
    _received(delivery, other_clerk)

    with pytest.raises(outgoing.DocumentError):
        outgoing.outgoing_recall(document=document, by=issuing["drafter"], reason="Nhầm")
    outgoing.outgoing_recall(document=document, by=clerk, reason="Sai tên đơn vị nhận.")
    document.refresh_from_db()
    assert document.status == Status.RECALLED and document.business_type == BusinessType.RECALL
    delivery.refresh_from_db()
    assert delivery.business_type == BusinessType.RECALL
    assert list(open_recalls_for(other_clerk)) == [delivery]
    assert list(open_recalls_for(bob)) == []  # a specialist does not answer for the unit
    assert not arrivals_for(other_clerk).exists()

    for intruder in (bob, clerk):
        with pytest.raises(outgoing.DocumentError):
            outgoing.outgoing_recall_answer(delivery=delivery, by=intruder, accept=True)
    with pytest.raises(outgoing.DocumentError) as refused:
        outgoing.outgoing_recall_answer(delivery=delivery, by=other_clerk, accept=False)
    assert refused.value.messages == ["Cần nêu lý do từ chối thu hồi."]

    outgoing.outgoing_recall_answer(
        delivery=delivery, by=other_clerk, accept=False, note="Văn bản đã được triển khai."
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RECALL_REFUSED
    assert delivery.messages.last().description == "Văn bản đã được triển khai."  # type: ignore[union-attr]
    assert not open_recalls_for(other_clerk).exists()
    with pytest.raises(outgoing.DocumentError) as twice:
        outgoing.outgoing_recall_answer(delivery=delivery, by=other_clerk, accept=True)
    assert "đã được trả lời" in twice.value.messages[0]
    answers = document.events.filter(action="recall_answer").values_list("note", flat=True)
    assert list(answers) == ["Xã Anh Sơn từ chối thu hồi.\nVăn bản đã được triển khai."]


def test_recall_accepted_before_the_recipient_registers_it(
    issuing: dict[str, Any], decision_type: DocumentType, other_clerk: User, clerk: User
) -> None:
    document = issued(issuing, decision_type)
    [delivery] = document.deliveries.all()
    outgoing.outgoing_recall(document=document, by=clerk, reason="Ban hành nhầm.")
    with pytest.raises(services.DocumentError):
        _received(delivery, other_clerk)  # a recalled document is no longer registered
    outgoing.outgoing_recall_answer(delivery=delivery, by=other_clerk, accept=True)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RECALL_ACCEPTED


@pytest.mark.parametrize(
    ("business_type", "earlier_status"),
    [(BusinessType.REPLACE, Status.REPLACED), (BusinessType.UPDATE, Status.ISSUED)],
)
def test_replacement_and_update_are_new_documents_linked_to_the_first(
    issuing: dict[str, Any],
    decision_type: DocumentType,
    other_clerk: User,
    business_type: int,
    earlier_status: str,
    tmp_path: Path,
) -> None:
    first = issued(issuing, decision_type)
    _received(first.deliveries.get(), other_clerk)

    with pytest.raises(outgoing.DocumentError):
        draft(issuing, decision_type, business_type=business_type)  # names no document
    second = draft(issuing, decision_type, replaces=first, business_type=business_type)
    first.refresh_from_db()
    assert first.status == Status.ISSUED  # until the new one is issued
    signed(issuing, second, approved(issuing, second))
    outgoing.outgoing_give_number(document=second, by=issuing["clerk"])
    outgoing.outgoing_issue(document=second, by=issuing["clerk"])
    assert_pdfsig_all_valid(file_bytes(current_file(second)), tmp_path, 2)  # type: ignore[arg-type]

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == earlier_status
    assert second.reference == "02/QĐ-UBND" and second.replaces == first
    [delivery] = second.deliveries.all()
    assert delivery.business_type == business_type
    assert list(arrivals_for(other_clerk)) == [delivery]
    received = _received(delivery, other_clerk)
    assert received.replaces is not None
    assert received.replaces.source_delivery.document == first  # type: ignore[union-attr]
    note = first.events.get(action="replace" if business_type == 3 else "update").note
    assert "02/QĐ-UBND" in note


def test_external_recipients_get_an_edxml_package(
    issuing: dict[str, Any], decision_type: DocumentType
) -> None:
    from chinhquyenso.documents import edxml

    document = issued(
        issuing, decision_type, recipients_text="Sở Tài chính tỉnh Hà Tĩnh (000.00.12.H30)"
    )
    external = document.deliveries.get(recipient_unit__isnull=True)
    package = edxml.document_package(
        document,
        recipients=[edxml.Organ(organ_id=external.recipient_code, name=external.recipient_name)],
    )
    parsed = edxml.parse_package(package)
    assert parsed.number == 1 and parsed.notation == "QĐ-UBND"
    assert [r.organ_id for r in parsed.recipients] == ["000.00.12.H30"]
    assert OTHER_AGENCY_CODE not in [r.organ_id for r in parsed.recipients]


def test_a_replacement_of_a_recalled_document_is_not_issued(
    issuing: dict[str, Any], decision_type: DocumentType, clerk: User
) -> None:
    first = issued(issuing, decision_type)
    second = draft(issuing, decision_type, replaces=first, business_type=BusinessType.REPLACE)
    signed(issuing, second, approved(issuing, second))
    outgoing.outgoing_give_number(document=second, by=clerk)
    outgoing.outgoing_recall(document=first, by=clerk, reason="Thu hồi trước khi thay thế.")
    with pytest.raises(outgoing.DocumentError) as refused:
        outgoing.outgoing_issue(document=second, by=clerk)
    assert "đang ở trạng thái “Đã thu hồi” nên không thay thế" in refused.value.messages[0]
    second.refresh_from_db()
    assert second.status == Status.NUMBERED and not second.deliveries.exists()
