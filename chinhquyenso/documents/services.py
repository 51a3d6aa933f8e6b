"""Writes on documents. Every change of a document, its files, registers and deliveries goes
through a function here (or through the outgoing side's services, which use the shared helpers
of the first part).

Each write: ``@transaction.atomic``; locks the document (or the delivery) row; checks the move
against ``workflow.TRANSITIONS``, the actor's roles, unit and assignment
(:func:`document_transition`); writes; appends a :class:`DocumentEvent` (history), in-app
notices and an audit row in the same transaction. A change of a delivery's status also appends
a :class:`StatusMessage`, which is what the sending unit reads.

Numbers are taken inside the write's transaction (:func:`numbering.take_number`): a write that
fails rolls its number back too, so numbers have neither gaps nor duplicates.

Errors: :class:`DocumentError` (a ``ValidationError``) with a Vietnamese message and, where it
concerns one input, ``field``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chinhquyenso.accounts.models import AccountType, Role, User
from chinhquyenso.core import clock
from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.notify import notify_in_app
from chinhquyenso.core.search import searchable_text
from chinhquyenso.core.text import clean_text, fold, with_joined_words
from chinhquyenso.documents.errors import DocumentError
from chinhquyenso.documents.models import (
    Assignment,
    BusinessType,
    Comment,
    Delivery,
    DeliveryStatus,
    Direction,
    Document,
    DocumentEvent,
    DocumentFile,
    DocumentType,
    Register,
    Secrecy,
    Series,
    Status,
    StatusMessage,
    Urgency,
)
from chinhquyenso.documents.numbering import format_reference, take_number
from chinhquyenso.documents.selectors import (
    ARRIVAL_BUSINESS_TYPES,
    ARRIVAL_STATUSES,
    assignment_for,
    can_act,
    current_file,
    is_clerk_of,
    leads,
    supervises,
)
from chinhquyenso.documents.textextract import pdf_text
from chinhquyenso.documents.workflow import TRANSITIONS
from chinhquyenso.signing.errors import SigningError
from chinhquyenso.signing.pdf import open_pdf, page_count
from chinhquyenso.signing.verification import verify_pdf
from chinhquyenso.units.models import Unit

logger = logging.getLogger(__name__)

__all__ = [
    "ACTION_LABELS",
    "CheckedPdf",
    "DocumentError",
    "check_pdf",
    "delivery_set_status",
    "document_event",
    "document_file_add",
    "document_lock",
    "document_search_text",
    "document_transition",
    "incoming_add_opinion",
    "incoming_assign",
    "incoming_attach_result",
    "incoming_complete",
    "incoming_pass_on",
    "incoming_receive_delivery",
    "incoming_register",
    "incoming_reject",
    "incoming_reject_delivery",
    "register_for",
]

#: What each action is called in messages ("không thể <label>") and in the history.
ACTION_LABELS: dict[str, Any] = {
    "register": gettext_lazy("vào sổ văn bản đến"),
    "receive": gettext_lazy("tiếp nhận văn bản gửi qua hệ thống"),
    "refuse_delivery": gettext_lazy("từ chối nhận văn bản"),
    "assign": gettext_lazy("phân công xử lý"),
    "reject": gettext_lazy("trả lại văn bản"),
    "add_opinion": gettext_lazy("cho ý kiến"),
    "pass_on": gettext_lazy("chuyển cho người khác xử lý"),
    "attach_result": gettext_lazy("cập nhật kết quả xử lý"),
    "complete": gettext_lazy("hoàn thành xử lý"),
    "upload_version": gettext_lazy("tải lên phiên bản mới"),
    "comment": gettext_lazy("góp ý"),
    "submit_for_review": gettext_lazy("trình duyệt"),
    "return_draft": gettext_lazy("trả lại dự thảo"),
    "approve": gettext_lazy("duyệt"),
    "sign": gettext_lazy("ký số"),
    "give_number": gettext_lazy("cấp số"),
    "seal_and_issue": gettext_lazy("ký số cơ quan và ban hành"),
    "recall": gettext_lazy("thu hồi"),
    "replace": gettext_lazy("thay thế"),
}

MAX_TEXT = 10_000
MAX_SUBJECT = 2_000
#: Register names are stored data (shown in printed registers), in the language of the records.
REGISTER_NAMES = {
    (Direction.INCOMING, Series.NORMAL): "Sổ đăng ký văn bản đến",
    (Direction.INCOMING, Series.SECRET): "Sổ đăng ký văn bản đến mật",
    (Direction.INCOMING, Series.COPY): "Sổ đăng ký bản sao văn bản đến",
    (Direction.OUTGOING, Series.NORMAL): "Sổ đăng ký văn bản đi",
    (Direction.OUTGOING, Series.SECRET): "Sổ đăng ký văn bản đi mật",
    (Direction.OUTGOING, Series.COPY): "Sổ đăng ký bản sao văn bản",
}
#: Delivery statuses in the order a recipient moves through them: a status is only ever
#: replaced by a later one (a late "assigned" never hides "processing").
DELIVERY_PROGRESS = (
    DeliveryStatus.SENT,
    DeliveryStatus.ARRIVED,
    DeliveryStatus.ACCEPTED,
    DeliveryStatus.ASSIGNED,
    DeliveryStatus.PROCESSING,
    DeliveryStatus.COMPLETED,
)


# --- Shared helpers (both directions) ---------------------------------------------------------


def document_lock(document: Document) -> Document:
    """The document row, locked for the rest of the transaction, with what writes read."""
    try:
        return (
            Document.objects.select_for_update(of=("self",))
            .select_related("unit", "document_type", "register", "source_delivery")
            .get(pk=document.pk)
        )
    except Document.DoesNotExist as exc:
        raise DocumentError(_("Không tìm thấy văn bản.")) from exc


def document_transition(*, document: Document, action: str, by: Any) -> str:
    """Check *action* against ``workflow.TRANSITIONS`` (state, direction, role) and the actor's
    unit and assignment; apply its target state to *document* (not saved). Returns the state
    it was in. The only code that changes ``Document.status``."""
    move = TRANSITIONS[action]
    label = ACTION_LABELS.get(action, action)
    if move.direction != document.direction or document.status not in move.sources:
        raise DocumentError(
            _("Không thể %(action)s: văn bản đang ở trạng thái “%(status)s”.")
            % {"action": label, "status": Status(document.status).label},
            code="state",
        )
    if not can_act(by, document, action):
        raise DocumentError(
            _("Anh/chị không có quyền %(action)s văn bản này.") % {"action": label},
            code="forbidden",
        )
    before = document.status
    if move.target is not None:
        document.status = move.target
    return before


def document_event(
    document: Document,
    action: str,
    *,
    by: Any,
    at: dt.datetime,
    from_status: str = "",
    note: str = "",
) -> DocumentEvent:
    """Append one history row (who, when, what, from → to, why)."""
    return DocumentEvent.objects.create(
        document=document,
        at=at,
        action=action,
        actor=by if getattr(by, "is_authenticated", False) else None,
        from_status=from_status,
        to_status=document.status if from_status else "",
        note=note,
    )


def document_search_text(document: Document) -> str:
    """The folded text searched for *document* (``Document.search_text``): number and
    notation, type, subject, sender, signer, then the words of its PDF
    (:func:`with_pdf_words`), then the words with marks inside run together
    (``core.text.with_joined_words``: ``152/kh-syt`` → ``152khsyt``), which a search for a
    notation looks for first (``selectors.text_search``)."""
    reference = format_reference(document.number, document.notation)
    sender_unit = document.sender_unit.name if document.sender_unit is not None else ""
    head = searchable_text(
        reference,
        document.notation,
        document.document_type.name if document.document_type_id else "",
        document.subject,
        document.sender_name,
        sender_unit if sender_unit != document.sender_name else "",
        document.signer_name,
    )
    return with_joined_words(with_pdf_words(head, document.full_text))


def with_pdf_words(head: str, pdf_text: str) -> str:
    """The folded *head* (the document's own fields, whose phrases a sender is looked for in),
    then each word of *pdf_text* that is not already there, once, in the order it first comes.

    A search looks for each of its words on its own (``selectors.text_search``): a word a PDF
    says again, or one the fields already hold, adds nothing it could find, only text that each
    search reads and tests once more (a page of an official letter says most of its words
    several times)."""
    seen = set(head.split())
    words = [word for word in dict.fromkeys(fold(pdf_text).split()) if word not in seen]
    return " ".join([head, *words]) if head else " ".join(words)


@dataclass(frozen=True)
class CheckedPdf:
    """An upload that :func:`check_pdf` accepted."""

    data: bytes
    original_name: str
    page_count: int


def _file_name(upload: Any) -> str:
    name = clean_text(str(getattr(upload, "name", "") or "")).replace("\\", "/")
    return (name.rsplit("/", 1)[-1] or _("van-ban.pdf"))[:255]


def check_pdf(upload: Any, *, field: str = "file") -> CheckedPdf:
    """Read *upload* (a Django file or bytes) and accept it only if it is a PDF we can read:
    not encrypted, no JavaScript, within the size limit. ``DocumentError`` with the reason."""
    if isinstance(upload, bytes):
        data, name = upload, _("van-ban.pdf")
    else:
        upload.seek(0)
        data, name = upload.read(), _file_name(upload)
        upload.seek(0)
    if not data:
        raise DocumentError(_("Tệp “%(name)s” không có nội dung.") % {"name": name}, field=field)
    try:
        reader = open_pdf(data)
        pages = page_count(reader)
    except SigningError as exc:
        raise DocumentError(f"“{name}”: {exc.message}", field=field, code=exc.code) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise DocumentError(
            _("Tệp “%(name)s” bị hỏng, không đọc được.") % {"name": name}, field=field
        ) from exc
    return CheckedPdf(data=data, original_name=name, page_count=pages)


def verification_of(data: bytes) -> dict[str, Any]:
    """The signatures of *data* as checked now (``VerificationReport.as_dict()`` plus
    ``checked_at``), or ``{"error": ...}`` when they could not be checked."""
    checked_at = timezone.localtime().isoformat(timespec="seconds")
    try:
        report = verify_pdf(data)
    except SigningError as exc:
        return {"signatures": [], "error": exc.message, "checked_at": checked_at}
    except Exception:  # a malformed signature must not stop the registration of a document
        logger.exception("Signature check failed on a received document")
        return {
            "signatures": [],
            "error": _("Không kiểm tra được chữ ký số của tệp này."),
            "checked_at": checked_at,
        }
    return {**report.as_dict(), "checked_at": checked_at}


def document_file_add(
    *,
    document: Document,
    kind: str,
    data: bytes,
    original_name: str,
    by: Any,
    at: dt.datetime,
    note: str = "",
    verification: dict[str, Any] | None = None,
    approved: bool = False,
) -> DocumentFile:
    """Store a file of *document*. A new version of the document itself (any kind but an
    annex or a result) becomes the current one and the earlier versions stop being current;
    versions are numbered per kind. The caller holds the document's lock."""
    main = kind not in (DocumentFile.Kind.ATTACHMENT, DocumentFile.Kind.RESULT)
    if main:
        document.files.filter(is_current=True).exclude(
            kind__in=(DocumentFile.Kind.ATTACHMENT, DocumentFile.Kind.RESULT)
        ).update(is_current=False)
    version = document.files.filter(kind=kind).count() + 1
    stored = DocumentFile(
        document=document,
        kind=kind,
        version=version,
        original_name=clean_text(original_name)[:255] or _("van-ban.pdf"),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        is_current=True,
        approved=approved,
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
        uploaded_at=at,
        note=note,
        verification=verification,
    )
    stored.file.save(f"{secrets.token_hex(12)}.pdf", ContentFile(data), save=False)
    stored.save()
    return stored


def delivery_set_status(
    *, delivery: Delivery, status: str, by: Any, at: dt.datetime, description: str = ""
) -> StatusMessage:
    """Move *delivery* to *status* (an edXML status code) and append the status message the
    sender reads. The caller holds the delivery's (or its document's) lock."""
    delivery.status = status
    delivery.updated_at = at
    Delivery.objects.filter(pk=delivery.pk).update(status=status, updated_at=at)
    return StatusMessage.objects.create(
        delivery=delivery,
        status=status,
        at=at,
        by_name=_actor_name(by),
        description=description,
    )


def _advance_delivery(
    document: Document, status: str, *, by: Any, at: dt.datetime, description: str = ""
) -> None:
    """Tell the sender of *document* (received through the platform) how it progresses; only
    forward moves are sent."""
    delivery = document.source_delivery
    if delivery is None:
        return
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status not in DELIVERY_PROGRESS or status not in DELIVERY_PROGRESS:
        return
    if DELIVERY_PROGRESS.index(status) <= DELIVERY_PROGRESS.index(delivery.status):
        return
    delivery_set_status(delivery=delivery, status=status, by=by, at=at, description=description)


def _actor_name(by: Any) -> str:
    if not getattr(by, "is_authenticated", False):
        return ""
    unit = f" — {by.unit.name}" if getattr(by, "unit_id", None) else ""
    return f"{by.full_name}{unit}"[:255]


@transaction.atomic
def register_for(unit: Unit, direction: str, series: str = Series.NORMAL) -> Register:
    """The register of *unit* for *direction* in *series*, created on first use (a concurrent
    first use by someone else is found, not duplicated)."""
    name = REGISTER_NAMES[(Direction(direction), Series(series))]
    register, created = Register.objects.get_or_create(
        unit=unit, direction=direction, series=series, defaults={"name": name}
    )
    if created:
        audit_record(actor=None, action="documents.register.create", obj=register)
    return register


def notify_officials(
    users: Iterable[User], message: str, url: str, *, at: dt.datetime, by: Any = None
) -> None:
    """An in-app notice to each active official of *users* but the one acting (*by*)."""
    by_pk = getattr(by, "pk", None)
    notify_in_app((u.pk for u in users if u.is_active and u.pk != by_pk), message, url, at=at)


def officials_of(unit_ids: Iterable[int], roles: Sequence[str]) -> list[User]:
    """The active officials of the units holding any of *roles*."""
    return list(
        User.objects.filter(unit_id__in=list(unit_ids), is_active=True, roles__role__in=roles)
        .distinct()
        .order_by("pk")
    )


def _incoming_url(document: Document) -> str:
    return reverse("documents:incoming_detail", kwargs={"pk": document.pk})


def _leaders_of(unit: Unit) -> list[User]:
    """The leaders of *unit*, or of the nearest unit above it that has some: one query over
    the unit and its ancestors."""
    leaders = list(
        User.objects.filter(
            Q(unit=unit) | Q(unit__in=unit.get_ancestors()),
            is_active=True,
            roles__role=Role.UNIT_LEADER,
        )
        .annotate(unit_depth=F("unit__depth"))
        .distinct()
        .order_by("pk")
    )
    nearest = max((leader.unit_depth for leader in leaders), default=None)
    return [leader for leader in leaders if leader.unit_depth == nearest]


# --- Incoming: arrival ------------------------------------------------------------------------


def required_text(value: str | None, *, field: str, message: str, limit: int = MAX_TEXT) -> str:
    """*value* cleaned; *message* when it is empty, a length error when it is too long."""
    text = clean_text(value or "")
    if not text:
        raise DocumentError(message, field=field)
    if len(text) > limit:
        raise DocumentError(
            _("Nội dung dài quá %(limit)s ký tự.") % {"limit": f"{limit:,}".replace(",", ".")},
            field=field,
        )
    return text


def series_for(secrecy: str) -> str:
    """The register series of a document with the secrecy mark *secrecy*."""
    return Series.NORMAL if secrecy == Secrecy.NONE else Series.SECRET


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _check_choice(value: str, choices: Any, *, field: str, label: str) -> str:
    if value not in choices.values:
        raise DocumentError(_("%(label)s không hợp lệ.") % {"label": label}, field=field)
    return value


def _check_due(due_on: dt.date | None, *, today: dt.date, field: str = "due_on") -> None:
    if due_on is not None and due_on < today:
        raise DocumentError(_("Hạn xử lý không được trước hôm nay."), field=field)


def _check_clerk(by: Any, unit: Unit) -> None:
    if not is_clerk_of(by, unit):
        raise DocumentError(
            _("Chỉ văn thư của %(unit)s mới vào sổ văn bản đến của đơn vị.") % {"unit": unit.name},
            code="forbidden",
        )


def _new_incoming(
    *,
    unit: Unit,
    by: Any,
    now: dt.datetime,
    secrecy: str,
    fields: dict[str, Any],
) -> Document:
    """Create the incoming document with the next arrival number of its register."""
    register = register_for(unit, Direction.INCOMING, series_for(secrecy))
    year = _local_day(now).year
    document = Document(
        unit=unit,
        direction=Direction.INCOMING,
        status=Status.REGISTERED,
        register=register,
        year=year,
        arrival_number=take_number(register, year),
        arrived_at=now,
        secrecy=secrecy,
        created_at=now,
        **fields,
    )
    document.search_text = document_search_text(document)
    document.save()
    return document


def _arrival_note(document: Document) -> str:
    return _("Số đến %(number)s, %(register)s năm %(year)s.") % {
        "number": document.arrival_number,
        "register": document.register.name if document.register else "",
        "year": document.year,
    }


@transaction.atomic
def incoming_register(
    *,
    unit: Unit,
    by: Any,
    document_type: DocumentType,
    subject: str,
    sender_name: str = "",
    sender_unit: Unit | None = None,
    number: int | None = None,
    notation: str = "",
    issued_on: dt.date | None = None,
    signer_name: str = "",
    signer_title: str = "",
    urgency: str = Urgency.NORMAL,
    secrecy: str = Secrecy.NONE,
    due_on: dt.date | None = None,
    file: Any = None,
    attachments: Sequence[Any] = (),
    page_count: int | None = None,
    note: str = "",
) -> Document:
    """Register a document that arrived outside the platform (paper scan, e-mail, edXML) in
    *unit*'s incoming register: the clerk of *unit* gives it the next arrival number.

    *file* is the PDF (a scan of the paper, or the electronic document): required except for
    documents with a secrecy mark, which are not digitised. Its signatures are checked now and
    the result kept with the file; its text is extracted for search.
    """
    _check_clerk(by, unit)
    now = clock.now()
    subject = required_text(
        subject, field="subject", message=_("Cần nhập trích yếu nội dung."), limit=MAX_SUBJECT
    )
    sender_name = clean_text(sender_name or (sender_unit.name if sender_unit else ""))
    if not sender_name:
        raise DocumentError(_("Cần nhập cơ quan ban hành văn bản."), field="sender_name")
    if len(sender_name) > 255:
        raise DocumentError(_("Tên cơ quan ban hành dài quá 255 ký tự."), field="sender_name")
    notation = clean_text(notation).replace(" ", "")
    if len(notation) > 50:
        raise DocumentError(_("Ký hiệu dài quá 50 ký tự."), field="notation")
    if number is not None and not 0 < number < 10_000_000:
        raise DocumentError(_("Số văn bản không hợp lệ."), field="number")
    if issued_on is not None and issued_on > _local_day(now):
        raise DocumentError(_("Ngày ban hành không được sau hôm nay."), field="issued_on")
    _check_choice(urgency, Urgency, field="urgency", label=_("Độ khẩn"))
    _check_choice(secrecy, Secrecy, field="secrecy", label=_("Độ mật"))
    _check_due(due_on, today=_local_day(now))
    if file is None and secrecy == Secrecy.NONE:
        raise DocumentError(
            _("Cần tải lên bản PDF của văn bản (bản quét hoặc bản điện tử)."), field="file"
        )
    checked = check_pdf(file) if file is not None else None
    extra = [check_pdf(item, field="attachments") for item in attachments]
    # Slow reads of the file come before the number is taken: the register stays locked from
    # then until the write commits.
    full_text = pdf_text(checked.data) if checked is not None else ""
    verification = verification_of(checked.data) if checked is not None else None
    document = _new_incoming(
        unit=unit,
        by=by,
        now=now,
        secrecy=secrecy,
        fields={
            "document_type": document_type,
            "number": number,
            "notation": notation,
            "issued_on": issued_on,
            "sender_unit": sender_unit,
            "sender_name": sender_name,
            "subject": subject,
            "signer_name": clean_text(signer_name)[:255],
            "signer_title": clean_text(signer_title)[:255],
            "urgency": urgency,
            "due_on": due_on,
            "page_count": checked.page_count if checked is not None else page_count,
            "full_text": full_text,
        },
    )
    if checked is not None:
        document_file_add(
            document=document,
            kind=DocumentFile.Kind.SCAN,
            data=checked.data,
            original_name=checked.original_name,
            by=by,
            at=now,
            verification=verification,
        )
    for item in extra:
        document_file_add(
            document=document,
            kind=DocumentFile.Kind.ATTACHMENT,
            data=item.data,
            original_name=item.original_name,
            by=by,
            at=now,
        )
    document_event(
        document,
        "register",
        by=by,
        at=now,
        from_status=Status.REGISTERED,
        note=clean_text(note) or _arrival_note(document),
    )
    _notify_waiting(document, at=now)
    audit_record(
        actor=by,
        action="documents.incoming.register",
        obj=document,
        changes={"arrival_number": [None, document.arrival_number], "year": [None, document.year]},
    )
    return document


def _notify_waiting(document: Document, *, at: dt.datetime) -> None:
    message = _("Văn bản đến số %(number)s cần phân công xử lý: %(subject)s") % {
        "number": document.arrival_number,
        "subject": document.subject,
    }
    notify_officials(_leaders_of(document.unit), message, _incoming_url(document), at=at)


def _lock_arrival(delivery: Delivery, by: Any) -> Delivery:
    try:
        locked = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related(
                "recipient_unit", "document", "document__unit", "document__document_type"
            )
            .get(pk=delivery.pk)
        )
    except Delivery.DoesNotExist as exc:
        raise DocumentError(_("Không tìm thấy văn bản được gửi đến.")) from exc
    if locked.recipient_unit is None:
        raise DocumentError(_("Văn bản này gửi ra ngoài hệ thống, không vào sổ tại đây."))
    return locked


def _check_waiting(delivery: Delivery) -> None:
    if delivery.status not in ARRIVAL_STATUSES:
        raise DocumentError(
            _("Văn bản này đã được xử lý trước đó (trạng thái “%(status)s”).")
            % {"status": DeliveryStatus(delivery.status).label},
            code="state",
        )
    if delivery.business_type not in ARRIVAL_BUSINESS_TYPES:
        raise DocumentError(_("Yêu cầu thu hồi văn bản không vào sổ văn bản đến."), code="state")


def _replaced_incoming(delivery: Delivery) -> Document | None:
    """For a replacing or updating document: the recipient's own copy of the one it replaces."""
    source = delivery.document
    if delivery.business_type == BusinessType.NEW or source.replaces_id is None:
        return None
    return Document.objects.filter(
        source_delivery__document_id=source.replaces_id,
        source_delivery__recipient_unit_id=delivery.recipient_unit_id,
    ).first()


@transaction.atomic
def incoming_receive_delivery(*, delivery: Delivery, by: Any, note: str = "") -> Document:
    """Accept a document sent to *by*'s unit through the platform into its incoming register.

    The recipient gets its own incoming document (number, notation, subject, … copied from the
    issued one), with a copy of the issued PDF whose signatures are checked now, and the
    annexes; the sender sees status 03 (accepted).
    """
    delivery = _lock_arrival(delivery, by)
    unit = delivery.recipient_unit
    assert unit is not None  # checked by _lock_arrival
    _check_clerk(by, unit)
    _check_waiting(delivery)
    now = clock.now()
    source = delivery.document
    issued = current_file(source)
    if issued is None:
        raise DocumentError(_("Văn bản gửi đến chưa có tệp, chưa vào sổ được."), code="no_file")
    with issued.file.open("rb") as handle:
        data = handle.read()
    verification = verification_of(data)
    full_text = source.full_text or pdf_text(data)
    document = _new_incoming(
        unit=unit,
        by=by,
        now=now,
        secrecy=source.secrecy,
        fields={
            "document_type": source.document_type,
            "number": source.number,
            "notation": source.notation,
            "issued_on": source.issued_on,
            "sender_unit": source.unit,
            "sender_name": source.unit.name,
            "subject": source.subject,
            "signer_name": source.signer_name,
            "signer_title": source.signer_title,
            "urgency": source.urgency,
            "due_on": source.due_on,
            "page_count": source.page_count,
            "business_type": delivery.business_type,
            "replaces": _replaced_incoming(delivery),
            "source_delivery": delivery,
            "edxml_id": source.edxml_id,
            "full_text": full_text,
        },
    )
    document_file_add(
        document=document,
        kind=DocumentFile.Kind.RECEIVED,
        data=data,
        original_name=issued.original_name,
        by=by,
        at=now,
        verification=verification,
    )
    for annex in source.files.filter(kind=DocumentFile.Kind.ATTACHMENT, is_current=True):
        with annex.file.open("rb") as handle:
            document_file_add(
                document=document,
                kind=DocumentFile.Kind.ATTACHMENT,
                data=handle.read(),
                original_name=annex.original_name,
                by=by,
                at=now,
            )
    delivery_set_status(
        delivery=delivery,
        status=DeliveryStatus.ACCEPTED,
        by=by,
        at=now,
        description=_("Đã vào sổ văn bản đến, số đến %(number)s.")
        % {"number": document.arrival_number},
    )
    document_event(
        document,
        "receive",
        by=by,
        at=now,
        from_status=Status.REGISTERED,
        note=clean_text(note) or _arrival_note(document),
    )
    _notify_waiting(document, at=now)
    audit_record(
        actor=by,
        action="documents.incoming.receive",
        obj=document,
        changes={
            "delivery": [None, delivery.pk],
            "arrival_number": [None, document.arrival_number],
        },
    )
    return document


@transaction.atomic
def incoming_reject_delivery(*, delivery: Delivery, by: Any, reason: str) -> Delivery:
    """Refuse a document sent to *by*'s unit (wrong recipient, incomplete, unreadable): no
    number is given, and the sender sees status 02 with the reason."""
    delivery = _lock_arrival(delivery, by)
    unit = delivery.recipient_unit
    assert unit is not None  # checked by _lock_arrival
    if not (is_clerk_of(by, unit) or supervises(by, unit)):
        raise DocumentError(
            _("Chỉ văn thư hoặc lãnh đạo của đơn vị nhận mới từ chối được văn bản."),
            code="forbidden",
        )
    _check_waiting(delivery)
    reason = required_text(reason, field="reason", message=_("Cần nêu lý do từ chối nhận."))
    now = clock.now()
    delivery_set_status(
        delivery=delivery, status=DeliveryStatus.REJECTED, by=by, at=now, description=reason
    )
    audit_record(
        actor=by,
        action="documents.incoming.refuse_delivery",
        obj=delivery,
        changes={"status": [DeliveryStatus.ARRIVED.value, DeliveryStatus.REJECTED.value]},
    )
    return delivery


@transaction.atomic
def incoming_reject(*, document: Document, by: Any, reason: str) -> Document:
    """Return a registered document that is not for this unit. Its arrival number stays used
    (numbers are never reused); a sender inside the platform sees status 02 with the reason."""
    document = document_lock(document)
    reason = required_text(reason, field="reason", message=_("Cần nêu lý do trả lại."))
    before = document_transition(document=document, action="reject", by=by)
    now = clock.now()
    document.completed_at = now
    document.save(update_fields=["status", "completed_at"])
    if document.source_delivery is not None:
        delivery = Delivery.objects.select_for_update().get(pk=document.source_delivery.pk)
        delivery_set_status(
            delivery=delivery, status=DeliveryStatus.REJECTED, by=by, at=now, description=reason
        )
    document_event(document, "reject", by=by, at=now, from_status=before, note=reason)
    audit_record(
        actor=by,
        action="documents.incoming.reject",
        obj=document,
        changes={"status": [before, document.status]},
    )
    return document


# --- Incoming: handling -----------------------------------------------------------------------


Handler = Unit | User


def _check_handler(target: Any, document: Document, *, field: str) -> Handler:
    """A unit of the document's unit tree, or an active official working in it."""
    if isinstance(target, Unit):
        if not target.path.startswith(document.unit.path):
            raise DocumentError(
                _("“%(name)s” không thuộc %(unit)s.")
                % {"name": target.name, "unit": document.unit.name},
                field=field,
            )
        return target
    if isinstance(target, User):
        if (
            not target.is_active
            or not target.is_official
            or target.unit is None
            or not target.unit.path.startswith(document.unit.path)
        ):
            raise DocumentError(
                _("“%(name)s” không phải cán bộ của %(unit)s.")
                % {"name": target.full_name, "unit": document.unit.name},
                field=field,
            )
        if document.secrecy != Secrecy.NONE and target.unit_id != document.unit_id:
            raise DocumentError(_("Văn bản mật chỉ giao cho cán bộ của đơn vị."), field=field)
        return target
    raise DocumentError(_("Cần chọn đơn vị hoặc cán bộ chủ trì."), field=field)


def _key(target: Handler) -> tuple[str, int]:
    return ("unit" if isinstance(target, Unit) else "user", target.pk)


def _handler_name(target: Handler) -> str:
    return target.name if isinstance(target, Unit) else target.full_name


def _people_of(target: Handler) -> list[User]:
    if isinstance(target, User):
        return [target]
    return _leaders_of(target) if target.officials.exists() else []


def _assignment(
    document: Document, role: str, target: Handler, *, by: Any, at: dt.datetime, due_on: Any
) -> Assignment:
    return Assignment(
        document=document,
        role=role,
        unit=target if isinstance(target, Unit) else None,
        user=target if isinstance(target, User) else None,
        due_on=due_on,
        assigned_by=by,
        assigned_at=at,
    )


@transaction.atomic
def incoming_assign(
    *,
    document: Document,
    by: Any,
    lead: Handler,
    cooperating: Sequence[Handler] = (),
    inform: Sequence[Handler] = (),
    due_on: dt.date | None = None,
    note: str = "",
) -> Document:
    """A leader of the document's unit assigns it: one lead (a unit below or an official) and
    cooperating units or officials, with a due date. Assigning again replaces the open
    assignments (those already finished stay in the record). The sender sees status 04."""
    document = document_lock(document)
    before = document_transition(document=document, action="assign", by=by)
    now = clock.now()
    today = _local_day(now)
    lead = _check_handler(lead, document, field="lead")
    _check_due(due_on, today=today)
    seen = {_key(lead)}
    helpers: list[tuple[str, Handler]] = []
    for role, targets, field in (
        (Assignment.Role.COOPERATE, cooperating, "cooperating"),
        (Assignment.Role.INFORM, inform, "inform"),
    ):
        for target in targets:
            checked = _check_handler(target, document, field=field)
            if _key(checked) in seen:
                continue
            seen.add(_key(checked))
            helpers.append((role, checked))
    replaced = list(document.assignments.filter(completed_at__isnull=True))
    document.assignments.filter(pk__in=[a.pk for a in replaced]).delete()
    Assignment.objects.bulk_create(
        [
            _assignment(document, Assignment.Role.LEAD, lead, by=by, at=now, due_on=due_on),
            *(
                _assignment(document, role, target, by=by, at=now, due_on=due_on)
                for role, target in helpers
            ),
        ]
    )
    document.due_on = due_on
    document.signer = by
    document.save(update_fields=["status", "due_on", "signer"])
    summary = _("Chủ trì: %(lead)s.") % {"lead": _handler_name(lead)}
    cooperating_names = [_handler_name(t) for r, t in helpers if r == Assignment.Role.COOPERATE]
    if cooperating_names:
        summary += " " + _("Phối hợp: %(names)s.") % {"names": ", ".join(cooperating_names)}
    if due_on is not None:
        summary += " " + _("Hạn xử lý: %(date)s.") % {"date": due_on.strftime("%d/%m/%Y")}
    if clean_text(note):
        summary += "\n" + clean_text(note)
    document_event(document, "assign", by=by, at=now, from_status=before, note=summary)
    _advance_delivery(document, DeliveryStatus.ASSIGNED, by=by, at=now, description=summary)
    message = _("Anh/chị được giao xử lý văn bản đến số %(number)s: %(subject)s") % {
        "number": document.arrival_number,
        "subject": document.subject,
    }
    people = _people_of(lead) + [p for _role, t in helpers for p in _people_of(t)]
    notify_officials(people, message, _incoming_url(document), at=now, by=by)
    audit_record(
        actor=by,
        action="documents.incoming.assign",
        obj=document,
        changes={
            "status": [before, document.status],
            "lead": [None, _handler_name(lead)],
            "due_on": [None, due_on],
            "replaced_assignments": [len(replaced), None],
        },
    )
    return document


def _handling_step(document: Document, action: str, by: Any) -> tuple[Document, str, dt.datetime]:
    document = document_lock(document)
    before = document_transition(document=document, action=action, by=by)
    return document, before, clock.now()


@transaction.atomic
def incoming_add_opinion(*, document: Document, by: Any, text: str) -> Comment:
    """A handler (or a leader) writes an opinion on the document; the sender sees status 05."""
    text = required_text(text, field="text", message=_("Cần nhập nội dung ý kiến."))
    document, before, now = _handling_step(document, "add_opinion", by)
    comment = Comment.objects.create(document=document, author=by, text=text, at=now)
    document.save(update_fields=["status"])
    document_event(document, "add_opinion", by=by, at=now, from_status=before, note=text)
    _advance_delivery(document, DeliveryStatus.PROCESSING, by=by, at=now)
    audit_record(
        actor=by,
        action="documents.incoming.add_opinion",
        obj=document,
        changes={"status": [before, document.status]},
    )
    return comment


@transaction.atomic
def incoming_pass_on(*, document: Document, by: Any, to: User, note: str = "") -> Assignment:
    """A handler passes their part of the work to a colleague of the same unit, with the same
    role and due date; their own assignment by name is closed."""
    document, before, now = _handling_step(document, "pass_on", by)
    own = assignment_for(by, document)
    if own is None:
        raise DocumentError(_("Anh/chị chưa được giao xử lý văn bản này."), code="forbidden")
    if (
        not isinstance(to, User)
        or to.pk == by.pk
        or to.unit_id != by.unit_id
        or not to.is_active
        or not to.is_official
    ):
        raise DocumentError(_("Chỉ chuyển được cho một cán bộ khác cùng đơn vị."), field="to")
    _check_handler(to, document, field="to")
    passed = Assignment.objects.create(
        document=document,
        role=own.role,
        user=to,
        due_on=own.due_on,
        assigned_by=by,
        assigned_at=now,
    )
    text = _("Chuyển cho %(name)s.") % {"name": to.full_name}
    if clean_text(note):
        text += "\n" + clean_text(note)
    if own.user_id == by.pk:
        own.completed_at = now
        own.result_note = text
        own.save(update_fields=["completed_at", "result_note"])
    document_event(document, "pass_on", by=by, at=now, from_status="", note=text)
    message = _("%(name)s chuyển cho anh/chị xử lý văn bản đến số %(number)s: %(subject)s") % {
        "name": by.full_name,
        "number": document.arrival_number,
        "subject": document.subject,
    }
    notify_officials([to], message, _incoming_url(document), at=now)
    audit_record(
        actor=by,
        action="documents.incoming.pass_on",
        obj=document,
        changes={"to": [by.full_name, to.full_name], "status": [before, document.status]},
    )
    return passed


@transaction.atomic
def incoming_attach_result(
    *, document: Document, by: Any, note: str = "", file: Any = None
) -> Document:
    """A handler records the outcome of their part: a note, a PDF (a reply, minutes, …), or
    both. The sender sees status 05."""
    checked = check_pdf(file) if file is not None else None
    note = clean_text(note or "")
    if checked is None and not note:
        raise DocumentError(_("Cần ghi kết quả hoặc tải lên tệp kết quả."), field="note")
    if len(note) > MAX_TEXT:
        raise DocumentError(
            _("Nội dung dài quá %(limit)s ký tự.") % {"limit": "10.000"}, field="note"
        )
    document, before, now = _handling_step(document, "attach_result", by)
    if checked is not None:
        document_file_add(
            document=document,
            kind=DocumentFile.Kind.RESULT,
            data=checked.data,
            original_name=checked.original_name,
            by=by,
            at=now,
            note=note,
        )
    own = assignment_for(by, document)
    if own is not None and note:
        own.result_note = "\n".join(p for p in (own.result_note, note) if p)
        own.save(update_fields=["result_note"])
    document.save(update_fields=["status"])
    shown = note or _("Đã tải lên tệp kết quả “%(name)s”.") % {
        "name": checked.original_name if checked else ""
    }
    document_event(document, "attach_result", by=by, at=now, from_status=before, note=shown)
    _advance_delivery(document, DeliveryStatus.PROCESSING, by=by, at=now)
    audit_record(
        actor=by,
        action="documents.incoming.attach_result",
        obj=document,
        changes={"status": [before, document.status], "file": [None, bool(checked)]},
    )
    return document


@transaction.atomic
def incoming_complete(*, document: Document, by: Any, note: str = "") -> Document:
    """The lead handler (or a leader of the unit) closes the document once its outcome is
    recorded; the open assignments close with it and the sender sees status 06."""
    document = document_lock(document)
    if not leads(by, document):
        raise DocumentError(
            _("Chỉ người chủ trì xử lý hoặc lãnh đạo đơn vị mới hoàn thành được văn bản."),
            code="forbidden",
        )
    note = clean_text(note or "")
    has_result = (
        document.files.filter(kind=DocumentFile.Kind.RESULT).exists()
        or document.assignments.exclude(result_note="")
        .exclude(result_note__startswith=_("Chuyển cho"))
        .exists()
    )
    if not note and not has_result:
        raise DocumentError(_("Cần ghi kết quả xử lý trước khi hoàn thành văn bản."), field="note")
    before = document_transition(document=document, action="complete", by=by)
    now = clock.now()
    document.completed_at = now
    document.save(update_fields=["status", "completed_at"])
    own = assignment_for(by, document)
    if own is not None and note:
        own.result_note = "\n".join(p for p in (own.result_note, note) if p)
        own.save(update_fields=["result_note"])
    document.assignments.filter(completed_at__isnull=True).update(completed_at=now)
    document_event(document, "complete", by=by, at=now, from_status=before, note=note)
    _advance_delivery(document, DeliveryStatus.COMPLETED, by=by, at=now, description=note)
    if document.signer_id and document.signer_id != by.pk:
        message = _("Văn bản đến số %(number)s đã được xử lý xong: %(subject)s") % {
            "number": document.arrival_number,
            "subject": document.subject,
        }
        notify_officials(
            User.objects.filter(pk=document.signer_id), message, _incoming_url(document), at=now
        )
    audit_record(
        actor=by,
        action="documents.incoming.complete",
        obj=document,
        changes={"status": [before, document.status]},
    )
    return document


def officials_for_handling(document: Document) -> list[User]:
    """Active officials of the document's unit and the units below, by name (the choices of
    the assignment form)."""
    users = User.objects.filter(
        is_active=True,
        unit__path__startswith=document.unit.path,
        account_type=AccountType.OFFICIAL,
    ).select_related("unit")
    if document.secrecy != Secrecy.NONE:
        users = users.filter(unit=document.unit)
    return list(users.order_by("unit__path", "full_name"))


# --- Administration ---------------------------------------------------------------------------


@transaction.atomic
def document_type_save(*, document_type: DocumentType, by: Any) -> DocumentType:
    """Save a document type edited by an administrator (the Decree 30 table), audited.

    The abbreviation goes into notations (``QĐ-UBND``), so it may hold no dash, slash or
    space; empty means none (a công văn)."""
    creating = document_type.pk is None
    document_type.name = clean_text(document_type.name)
    abbreviation = clean_text(document_type.abbreviation).replace(" ", "")
    if abbreviation and ("-" in abbreviation or "/" in abbreviation):
        raise DocumentError(
            _("Chữ viết tắt không được có dấu gạch ngang hay dấu gạch chéo."),
            field="abbreviation",
        )
    document_type.abbreviation = abbreviation
    before = (
        None
        if creating
        else DocumentType.objects.filter(pk=document_type.pk).values("name", "abbreviation").first()
    )
    document_type.save()
    audit_record(
        actor=by,
        action=f"documents.document_type.{'create' if creating else 'update'}",
        obj=document_type,
        changes={"value": [before, f"{document_type.name} ({document_type.abbreviation})"]},
    )
    return document_type
