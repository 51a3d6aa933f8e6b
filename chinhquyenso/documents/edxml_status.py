"""edXML status messages (QCVN 102:2016): how a recipient tells the issuer what became of a
document it sent.

A status message is an ``edXML`` envelope whose header holds one ``Status``::

    Status
      ResponseFor   the document: its issuer's organ ID, code (15/QĐ-UBND), date of issue,
                    DocumentId
      From          the recipient reporting; To (optional) the issuer
      StatusCode    01 arrived, 02 rejected, 03 accepted, 04 assigned, 05 processing,
                    06 completed, 13 taken back, 15 recall accepted, 16 recall refused
      Description   why (a refusal's reason, …)
      Timestamp     when, YYYY/MM/DD HH:MM:SS in Vietnam's time
      StaffInfo     who handled it: Department, Staff, Mobile, Email

:func:`status_message_for` writes the message a unit sends about a document it received;
:func:`status_apply` records a received message on the issuer's :class:`Delivery` (the sender's
view of that recipient) and moves the delivery's status, so the issuer sees the answer beside
the other recipients'. The same message applied twice is recorded once; a message older than
the newest one recorded is kept in the history without moving the status back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chinhquyenso.core import clock
from chinhquyenso.core.audit import audit_record
from chinhquyenso.documents.edxml import (
    DocumentRef,
    Organ,
    Staff,
    check_message,
    child,
    document_key,
    format_timestamp,
    new_message,
    organ_of,
    parse_timestamp,
    read_document_ref,
    read_organ,
    read_staff,
    read_xml,
    reject,
    serialise,
    staff_of,
    sub,
    value,
    write_document_ref,
    write_organ,
    write_staff,
)
from chinhquyenso.documents.errors import DocumentError
from chinhquyenso.documents.models import (
    BusinessType,
    Delivery,
    DeliveryStatus,
    Direction,
    Document,
    StatusMessage,
)
from chinhquyenso.documents.numbering import format_reference, parse_reference
from chinhquyenso.documents.services import DELIVERY_PROGRESS, document_event
from chinhquyenso.units.models import Unit

#: The codes a status message may carry (``00`` "sent" is the issuer's own, never received).
STATUS_CODES = tuple(code for code in DeliveryStatus.values if code != DeliveryStatus.SENT)
#: Answers that only make sense about a recall.
RECALL_ANSWERS = frozenset({DeliveryStatus.RECALL_ACCEPTED, DeliveryStatus.RECALL_REFUSED})


@dataclass(frozen=True)
class StatusNotice:
    """What a status message says."""

    document: DocumentRef
    sender: Organ  # the recipient that reports (From)
    status: str  # a DeliveryStatus code
    at: dt.datetime
    description: str = ""
    staff: Staff | None = None
    recipient: Organ | None = None  # the issuer (To), when given

    @property
    def status_label(self) -> str:
        return str(DeliveryStatus(self.status).label)


def build_status(notice: StatusNotice) -> bytes:
    """The XML of *notice*."""
    root, header = new_message()
    status = sub(header, "Status")
    write_document_ref(status, notice.document)
    write_organ(status, "From", notice.sender)
    if notice.recipient is not None:
        write_organ(status, "To", notice.recipient)
    sub(status, "StatusCode", notice.status)
    sub(status, "Description", notice.description)
    sub(status, "Timestamp", format_timestamp(notice.at))
    write_staff(status, notice.staff or Staff())
    sub(header.getparent(), "edXMLBody")
    return serialise(root)


def parse_status(data: bytes) -> StatusNotice:
    """Read and check a status message; raise ``PackageRejected`` with every reason."""
    root = read_xml(data)
    if child(root, "edXMLEnvelope", "edXMLHeader", "MessageHeader") is not None:
        raise reject(
            "package_not_status",
            _("tệp là gói văn bản, không phải thông điệp trạng thái"),
            line=root.sourceline,
        )
    check_message(root, "status")
    status = child(root, "edXMLEnvelope", "edXMLHeader", "Status")
    response_for = child(status, "ResponseFor")
    at = parse_timestamp(value(status, "Timestamp"))
    assert response_for is not None and at is not None  # checked by the rules
    to = child(status, "To")
    return StatusNotice(
        document=read_document_ref(response_for),
        sender=read_organ(child(status, "From")),
        recipient=read_organ(to) if to is not None else None,
        status=value(status, "StatusCode"),
        description=value(status, "Description"),
        at=at,
        staff=read_staff(child(status, "StaffInfo")),
    )


# --- A received document's answer --------------------------------------------------------------


def _issuer_id(document: Document) -> str:
    """The issuer's organ ID: the first part of the DocumentId it sent, else its unit's."""
    organ_id = document.edxml_id.partition(",")[0] if "," in document.edxml_id else ""
    if not organ_id and document.sender_unit is not None:
        organ_id = document.sender_unit.agency_code or ""
    if not organ_id:
        raise DocumentError(
            _(
                "Không biết mã định danh của cơ quan ban hành văn bản này, nên không lập được "
                "thông điệp trạng thái gửi cho họ."
            )
        )
    return organ_id


def status_message_for(
    document: Document,
    *,
    status: str,
    by: Any = None,
    description: str = "",
    at: dt.datetime | None = None,
) -> bytes:
    """The status message *document* (an incoming document of this platform) sends back to
    its issuer: *status* is a :class:`DeliveryStatus` code other than ``00``."""
    if document.direction != Direction.INCOMING:
        raise DocumentError(_("Chỉ văn bản đến mới gửi thông điệp trạng thái về nơi gửi."))
    if status not in STATUS_CODES:
        raise DocumentError(
            _("Mã trạng thái %(code)s không có trong QCVN 102:2016.") % {"code": status}
        )
    issuer_id = _issuer_id(document)
    code = format_reference(document.number, document.notation)
    promulgated_on = document.issued_on
    notice = StatusNotice(
        document=DocumentRef(
            organ_id=issuer_id,
            code=code,
            promulgated_on=promulgated_on,
            document_id=document.edxml_id
            or (document_key(issuer_id, promulgated_on, code) if promulgated_on else ""),
        ),
        sender=organ_of(document.unit),
        recipient=Organ(organ_id=issuer_id, name=document.sender_name or issuer_id),
        status=status,
        description=description,
        at=at or clock.now(),
        staff=staff_of(by, document.unit),
    )
    return build_status(notice)


# --- An answer about a document we issued ------------------------------------------------------


def _document_for(notice: StatusNotice) -> Document:
    ref = notice.document
    parsed = parse_reference(ref.code)
    not_found = reject(
        "unknown_document",
        _(
            "không có văn bản %(code)s của cơ quan %(organ)s trong hệ thống mà thông điệp trạng "
            "thái này trả lời"
        )
        % {"code": ref.code, "organ": ref.organ_id},
        element="edXMLEnvelope/edXMLHeader/Status/ResponseFor",
    )
    if parsed is None:
        raise not_found
    number, notation = parsed
    documents = Document.objects.filter(
        direction=Direction.OUTGOING,
        unit__agency_code=ref.organ_id,
        number=number,
        notation=notation,
        issued_on__isnull=False,
    )
    if ref.promulgated_on is not None:
        documents = documents.filter(issued_on=ref.promulgated_on)
    found = list(documents.select_related("unit").order_by("-issued_on", "-pk")[:2])
    if len(found) != 1:
        raise not_found
    return found[0]


def _delivery_for(document: Document, notice: StatusNotice) -> Delivery:
    sender = notice.sender.organ_id
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .filter(document=document)
        .filter(Q(recipient_code=sender) | Q(recipient_unit__agency_code=sender))
        .order_by("-sent_at", "-pk")
        .first()
    )
    if delivery is None:
        raise reject(
            "unknown_recipient",
            _("văn bản %(code)s không được gửi cho cơ quan %(organ)s (%(name)s)")
            % {
                "code": document.reference,
                "organ": sender,
                "name": notice.sender.name,
            },
            element="edXMLEnvelope/edXMLHeader/Status/From/OrganId",
        )
    if notice.status in RECALL_ANSWERS and delivery.business_type != BusinessType.RECALL:
        raise reject(
            "not_a_recall",
            _(
                "mã trạng thái %(code)s trả lời việc thu hồi, nhưng văn bản này chưa bị thu hồi "
                "với nơi nhận đó"
            )
            % {"code": notice.status},
            element="edXMLEnvelope/edXMLHeader/Status/StatusCode",
        )
    return delivery


@transaction.atomic
def status_apply(*, data: bytes, by: Any = None, unit: Unit | None = None) -> StatusMessage:
    """Record a received status message on the delivery it answers and move its status.

    *by* is the official who loaded the message (``None`` when it came from the exchange
    axis); *unit*, when given, must be the unit that issued the document (a clerk loads only
    the answers to their own unit's documents). Raises ``PackageRejected`` if the message is
    malformed or names no document and recipient of this platform (or of *unit*); nothing is
    written then."""
    notice = parse_status(data)
    document = _document_for(notice)
    if unit is not None and document.unit_id != unit.pk:
        raise reject(
            "unknown_document",
            _("văn bản %(code)s mà thông điệp trạng thái này trả lời không do %(unit)s ban hành")
            % {"code": notice.document.code, "unit": unit.name},
            element="edXMLEnvelope/edXMLHeader/Status/ResponseFor",
        )
    delivery = _delivery_for(document, notice)
    by_name = str(notice.staff) if notice.staff else notice.sender.name
    existing = delivery.messages.filter(status=notice.status, at=notice.at).first()
    if existing is not None:
        return existing
    message = StatusMessage.objects.create(
        delivery=delivery,
        status=notice.status,
        at=notice.at,
        by_name=by_name[:255],
        description=notice.description,
    )
    before = delivery.status
    # edXML times have whole seconds: a message recorded within the same second (the sending
    # itself, for a quick answer) is not newer; the order of the codes decides then.
    newest = not delivery.messages.filter(at__gte=notice.at + dt.timedelta(seconds=1)).exists()
    backwards = (
        before in DELIVERY_PROGRESS
        and notice.status in DELIVERY_PROGRESS
        and DELIVERY_PROGRESS.index(notice.status) <= DELIVERY_PROGRESS.index(before)
    )
    if newest and not backwards:
        delivery.status = notice.status
        delivery.updated_at = clock.now()
        delivery.save(update_fields=["status", "updated_at"])
    document_event(
        document,
        "delivery_status",
        by=by,
        at=clock.now(),
        note=_("%(recipient)s: %(status)s (thông điệp edXML lúc %(at)s)")
        % {
            "recipient": notice.sender.name,
            "status": notice.status_label,
            "at": format_timestamp(notice.at),
        },
    )
    audit_record(
        actor=by,
        action="documents.delivery_status",
        obj=delivery,
        changes={"status": [before, delivery.status], "edxml_status": notice.status},
    )
    return message
