"""Writes on outgoing documents (văn bản đi), Decree 30/2020/NĐ-CP Art. 10–18, QCVN 102:2016.

The chain, each step one function here:

1. a specialist (or a leader) drafts: type, subject, urgency, secrecy, recipients, the
   competent signer, and a PDF or DOCX (a DOCX is converted to PDF by LibreOffice and both are
   kept) — :func:`outgoing_create`; new versions and comments on them; :func:`outgoing_submit`;
2. a leader returns the draft with a comment (:func:`outgoing_return`) or approves the
   *current* version (:func:`outgoing_approve`, which marks that ``DocumentFile.approved``);
3. the competent person signs the approved version, and only that one
   (:func:`outgoing_sign`): first the PDF gets empty form fields for the number and the date
   (:func:`prepare_for_signing`), then a certification signature that allows filling them and
   reserves the seal's field;
4. the clerk gives the number and the date (:func:`outgoing_give_number`): the next number of
   the unit's outgoing register (the secret series for documents with a secrecy mark), the
   notation, both filled into the fields — an allowed change that leaves the signature valid;
5. the clerk signs for the organisation and issues it (:func:`outgoing_issue`): the seal over
   the left third of the signature, attachments stamped with the organisation's signature only
   (top right of page 1, number/notation and signing time), a :class:`Delivery` per recipient:
   units of the platform find it in their "arrived" queue (status 01); bodies outside get status
   00 and an edXML package (``edxml.document_package``) the clerk downloads and sends.

After issue: :func:`outgoing_recall` (business type 1: each recipient answers with
:func:`outgoing_recall_answer`, 15 accepted or 16 refused); a replacement or an update is a new
document drafted with :func:`outgoing_create` (``replaces=``, business type 3 or 2) that goes
through the same chain; when it is issued the earlier one becomes "replaced" (or records the
update).

Where the number and the date go (decided here): if the draft holds the text
``[[SO_KY_HIEU]]`` and ``[[NGAY_BAN_HANH]]`` (a template's placeholders), the fields cover them
(the marker text is painted over in white first); otherwise the number goes near the top left
of page 1 and the date near the top right, on one line about 40 mm from the top edge, where
Decree 30's layout (Appendix I) puts "Số: …" under the issuing agency and "Địa danh, ngày …"
under the motto. The signer's placeholder is ``[[CHU_KY]]``.

Slow work (DOCX conversion, signing with a time-stamp, which may go to a remote TSA) runs
before the write's transaction; the transaction then locks the document, checks that nothing
moved meanwhile (state, current version) and stores the result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.permissions import roles_of
from chinhquyenso.core import clock
from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.pdf import vietnamese_date
from chinhquyenso.core.text import clean_text
from chinhquyenso.documents import convert
from chinhquyenso.documents.errors import DocumentError
from chinhquyenso.documents.models import (
    BusinessType,
    Comment,
    Delivery,
    DeliveryStatus,
    Direction,
    Document,
    DocumentFile,
    DocumentType,
    Secrecy,
    Status,
    StatusMessage,
    Urgency,
)
from chinhquyenso.documents.numbering import format_reference, notation_for, take_number
from chinhquyenso.documents.selectors import current_file, is_clerk_of, supervises
from chinhquyenso.documents.services import (
    check_pdf,
    delivery_set_status,
    document_event,
    document_file_add,
    document_lock,
    document_search_text,
    document_transition,
    notify_officials,
    officials_of,
    register_for,
    required_text,
    series_for,
)
from chinhquyenso.documents.textextract import pdf_text
from chinhquyenso.documents.workflow import TRANSITIONS
from chinhquyenso.signing import pdf as signing_pdf
from chinhquyenso.signing.appearance import POINTS_PER_MM, Box, VisibleSignature
from chinhquyenso.signing.errors import SigningError
from chinhquyenso.signing.models import SigningCredential
from chinhquyenso.signing.services import sign_pdf
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS, Unit

__all__ = [
    "DATE_PLACEHOLDER",
    "NUMBER_PLACEHOLDER",
    "SIGNATURE_PLACEHOLDER",
    "ExternalRecipient",
    "PreparedUpload",
    "date_line",
    "organisation_credential",
    "outgoing_add_attachment",
    "outgoing_approve",
    "outgoing_comment",
    "outgoing_create",
    "outgoing_give_number",
    "outgoing_issue",
    "outgoing_recall",
    "outgoing_recall_answer",
    "outgoing_return",
    "outgoing_sign",
    "outgoing_submit",
    "outgoing_upload_version",
    "parse_external_recipients",
    "person_credential",
    "place_name",
    "prepare_for_signing",
    "prepare_upload",
]

#: Placeholders a template may hold for the fields filled after signing, and for the signature.
NUMBER_PLACEHOLDER = "[[SO_KY_HIEU]]"
DATE_PLACEHOLDER = "[[NGAY_BAN_HANH]]"
SIGNATURE_PLACEHOLDER = "[[CHU_KY]]"
#: Default boxes of the number and date fields on page 1, in millimetres from the page's top
#: left corner (left, top, right, bottom): the "Số:" line under the agency on the left, the
#: place and date under the motto on the right (Decree 30/2020, Appendix I, boxes 3 and 4).
DEFAULT_NUMBER_BOX_MM = (30.0, 37.0, 100.0, 45.0)
DEFAULT_DATE_BOX_MM = (100.0, 37.0, 195.0, 45.0)
#: Smallest widths of the fields made over placeholders: room for "Số: 125/QĐ-UBND" and for
#: "Thành Vinh, ngày 27 tháng 11 năm 2026" at 13 pt.
MIN_NUMBER_WIDTH_MM = 60.0
MIN_DATE_WIDTH_MM = 90.0
#: How far the white box over a placeholder reaches beyond its letters, in points (sides, below,
#: above): brackets and underscores reach below the line; above, the line before is close.
COVER_MARGINS = (2.0, 3.0, 0.5)
MAX_SUBJECT = 2_000
MAX_TEXT = 10_000
MAX_RECIPIENTS = 200
#: Place names of the date line drop the word naming the kind of unit (Appendix I, II.4).
_PLACE_PREFIXES = ("Phường ", "Xã ", "Đặc khu ", "Thị trấn ", "Tỉnh ", "Thành phố ")
#: "Sở Tài chính tỉnh Hà Tĩnh (000.00.12.H30)": a name, then the electronic agency ID.
_EXTERNAL_LINE = re.compile(
    r"^(?P<name>.+?)\s*\((?P<code>[0-9A-Za-z]{3}\.[0-9A-Za-z]{2}\.[0-9A-Za-z]{2}\.[0-9A-Za-z]{3})\)$"
)
#: States after which a document exists as issued (its deliveries can be recalled, etc.).
FOLLOW_UP_TYPES = (BusinessType.REPLACE, BusinessType.UPDATE)


# --- small reads the writes share ------------------------------------------------------------


def place_name(unit: Unit) -> str:
    """The place of the date line: "Thành Vinh" for Phường Thành Vinh; for a provincial body,
    the province ("Nghệ An")."""
    place_unit = unit if unit.kind in COMMUNE_LEVEL_KINDS else unit.get_root()
    name = place_unit.name
    for prefix in _PLACE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def date_line(unit: Unit, day: dt.date) -> str:
    """``"Thành Vinh, ngày 05 tháng 02 năm 2026"`` (Decree 30: leading zeros below 10 and for
    January and February)."""
    return _("%(place)s, %(date)s") % {"place": place_name(unit), "date": vietnamese_date(day)}


def _today() -> dt.date:
    return timezone.localtime(clock.now()).date()


def _read(stored: DocumentFile) -> bytes:
    with stored.file.open("rb") as handle:
        data: bytes = handle.read()
    return data


def _is_outgoing(document: Document) -> None:
    if document.direction != Direction.OUTGOING:
        raise DocumentError(_("Đây không phải văn bản đi."), code="state")


def _check_allowed(document: Document, action: str, by: User) -> None:
    """Fail fast, before slow work, with the messages ``document_transition`` gives; the
    write checks again under the lock."""
    try:
        fresh = Document.objects.select_related("unit").get(pk=document.pk)
    except Document.DoesNotExist as exc:
        raise DocumentError(_("Không tìm thấy văn bản.")) from exc
    _is_outgoing(fresh)
    document_transition(document=fresh, action=action, by=by)


def _detail_url(document: Document) -> str:
    return reverse("documents:outgoing_detail", kwargs={"pk": document.pk})


def _signing_error(exc: SigningError, *, field: str | None = None) -> DocumentError:
    return DocumentError(exc.message, field=field, code=exc.code)


# --- uploads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedUpload:
    """A draft file ready to store: the PDF, and the DOCX it was made from (if any)."""

    pdf: bytes
    original_name: str
    page_count: int
    source: bytes | None = None
    source_name: str = ""


def _upload_bytes(upload: Any) -> tuple[bytes, str]:
    if isinstance(upload, bytes):
        return upload, _("van-ban.pdf")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    name = clean_text(str(getattr(upload, "name", "") or "")).replace("\\", "/")
    return data, (name.rsplit("/", 1)[-1] or _("van-ban.pdf"))[:255]


def prepare_upload(upload: Any, *, field: str = "file") -> PreparedUpload:
    """Check an uploaded PDF or DOCX by its content; a DOCX is converted to PDF (slow: call
    outside any transaction). ``DocumentError`` with the reason otherwise."""
    data, name = _upload_bytes(upload)
    if not data:
        raise DocumentError(_("Tệp “%(name)s” không có nội dung.") % {"name": name}, field=field)
    if data.lstrip()[:5] == b"%PDF-":
        checked = check_pdf(upload, field=field)
        return PreparedUpload(
            pdf=checked.data, original_name=checked.original_name, page_count=checked.page_count
        )
    try:
        convert.check_docx(data, name)
        pdf = convert.docx_to_pdf(data, name=name)
    except DocumentError:
        raise
    except Exception as exc:
        messages = getattr(exc, "messages", None)
        if not messages:
            raise
        raise DocumentError(messages[0], field=field, code=getattr(exc, "code", None)) from exc
    stem = name.rsplit(".", 1)[0] if "." in name else name
    checked = check_pdf(pdf, field=field)
    return PreparedUpload(
        pdf=checked.data,
        original_name=f"{stem}.pdf"[:255],
        page_count=checked.page_count,
        source=data,
        source_name=name,
    )


def _store_draft(
    document: Document,
    prepared: PreparedUpload,
    *,
    kind: str,
    by: User,
    at: dt.datetime,
    note: str = "",
) -> DocumentFile:
    stored = document_file_add(
        document=document,
        kind=kind,
        data=prepared.pdf,
        original_name=prepared.original_name,
        by=by,
        at=at,
        note=note,
    )
    if prepared.source is not None:
        stored.source_file.save(
            f"{hashlib.sha256(prepared.source).hexdigest()[:24]}.docx",
            ContentFile(prepared.source),
            save=True,
        )
    return stored


# --- recipients ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExternalRecipient:
    """A body outside the platform: its name and, when known, its electronic agency ID."""

    name: str
    code: str = ""


def parse_external_recipients(text: str) -> list[ExternalRecipient]:
    """One recipient per line; an agency ID may follow in brackets:
    ``Sở Tài chính tỉnh Hà Tĩnh (000.00.12.H30)``."""
    found: list[ExternalRecipient] = []
    for raw in clean_text(text or "").splitlines():
        line = " ".join(raw.split()).lstrip("-–•+ ").rstrip(";,.")
        if not line:
            continue
        match = _EXTERNAL_LINE.match(line)
        name, code = (match["name"], match["code"].upper()) if match else (line, "")
        if len(name) > 255:
            raise DocumentError(
                _("Tên nơi nhận “%(name)s…” dài quá 255 ký tự.") % {"name": name[:40]},
                field="recipients_text",
            )
        found.append(ExternalRecipient(name=name, code=code))
    return found


def _check_recipients(
    *, unit: Unit, secrecy: str, recipient_units: Sequence[Unit], recipients_text: str
) -> list[Unit]:
    units = list({u.pk: u for u in recipient_units}.values())
    if any(u.pk == unit.pk for u in units):
        raise DocumentError(
            _("Đơn vị không gửi văn bản đi cho chính mình; bỏ %(unit)s khỏi nơi nhận.")
            % {"unit": unit.name},
            field="recipient_units",
        )
    if secrecy != Secrecy.NONE and units:
        raise DocumentError(
            _(
                "Văn bản có độ mật không được gửi qua hệ thống. Bỏ chọn đơn vị nhận và ghi nơi "
                "nhận vào ô nơi nhận khác để gửi bản giấy theo quy định bảo vệ bí mật nhà nước."
            ),
            field="recipient_units",
        )
    external = parse_external_recipients(recipients_text)
    if len(units) + len(external) > MAX_RECIPIENTS:
        raise DocumentError(
            _("Nhiều nhất %(limit)s nơi nhận.") % {"limit": MAX_RECIPIENTS},
            field="recipient_units",
        )
    if not units and not external:
        raise DocumentError(
            _("Cần chọn ít nhất một nơi nhận (đơn vị trong hệ thống hoặc nơi nhận khác)."),
            field="recipient_units",
        )
    return units


# --- drafting --------------------------------------------------------------------------------


def _check_drafter(by: User, unit: Unit) -> None:
    if not (roles_of(by) & TRANSITIONS["upload_version"].roles) or by.unit_id != unit.pk:
        raise DocumentError(
            _("Chỉ chuyên viên hoặc lãnh đạo của %(unit)s mới soạn thảo văn bản đi của đơn vị.")
            % {"unit": unit.name},
            code="forbidden",
        )


def _check_signer(signer: User | None, unit: Unit) -> User:
    if (
        signer is None
        or not signer.is_active
        or not signer.is_official
        or signer.unit_id != unit.pk
        or Role.UNIT_LEADER not in roles_of(signer)
    ):
        raise DocumentError(
            _("Người ký phải là lãnh đạo đang công tác tại %(unit)s.") % {"unit": unit.name},
            field="signer",
        )
    return signer


def _check_follow_up(replaces: Document | None, business_type: int, unit: Unit) -> None:
    if replaces is None:
        if business_type != BusinessType.NEW:
            raise DocumentError(
                _("Cần chọn văn bản được thay thế hoặc cập nhật."), field="replaces"
            )
        return
    if business_type not in FOLLOW_UP_TYPES:
        raise DocumentError(_("Loại nghiệp vụ không hợp lệ."), field="business_type")
    if (
        replaces.direction != Direction.OUTGOING
        or replaces.unit_id != unit.pk
        or replaces.status != Status.ISSUED
    ):
        raise DocumentError(
            _("Chỉ thay thế hoặc cập nhật được văn bản đã ban hành của chính đơn vị."),
            field="replaces",
        )


def outgoing_create(
    *,
    unit: Unit,
    by: User,
    document_type: DocumentType,
    subject: str,
    signer: User | None,
    upload: Any,
    urgency: str = Urgency.NORMAL,
    secrecy: str = Secrecy.NONE,
    recipient_units: Sequence[Unit] = (),
    recipients_text: str = "",
    drafting_unit_abbreviation: str = "",
    due_on: dt.date | None = None,
    replaces: Document | None = None,
    business_type: int = BusinessType.NEW,
    note: str = "",
) -> Document:
    """A specialist (or a leader) of *unit* drafts an outgoing document with its first version
    (*upload*: a PDF, or a DOCX that is converted). Returns the draft.

    *recipient_units* are units of the platform; *recipients_text* lists bodies outside it,
    one per line (see :func:`parse_external_recipients`). *replaces* with *business_type*
    ``REPLACE`` or ``UPDATE`` starts a replacement or an update of an issued document.
    """
    _check_drafter(by, unit)
    subject = required_text(
        subject, field="subject", message=_("Cần nhập trích yếu nội dung."), limit=MAX_SUBJECT
    )
    if urgency not in Urgency.values:
        raise DocumentError(_("Độ khẩn không hợp lệ."), field="urgency")
    if secrecy not in Secrecy.values:
        raise DocumentError(_("Độ mật không hợp lệ."), field="secrecy")
    signer = _check_signer(signer, unit)
    units = _check_recipients(
        unit=unit,
        secrecy=secrecy,
        recipient_units=recipient_units,
        recipients_text=recipients_text,
    )
    _check_follow_up(replaces, business_type, unit)
    if due_on is not None and due_on < _today():
        raise DocumentError(_("Hạn xử lý không được trước hôm nay."), field="due_on")
    drafting = clean_text(drafting_unit_abbreviation or "").replace(" ", "")
    # The notation must be possible before anyone works on the draft (unit abbreviation, …).
    notation_for(document_type, unit, drafting)
    prepared = prepare_upload(upload)
    return _create(
        unit=unit,
        by=by,
        fields={
            "document_type": document_type,
            "subject": subject,
            "signer": signer,
            "signer_name": signer.full_name,
            "signer_title": signer.job_title,
            "urgency": urgency,
            "secrecy": secrecy,
            "recipients_text": clean_text(recipients_text or ""),
            "drafting_unit_abbreviation": drafting,
            "due_on": due_on,
            "replaces": replaces,
            "business_type": business_type,
        },
        units=units,
        prepared=prepared,
        note=clean_text(note or ""),
    )


@transaction.atomic
def _create(
    *,
    unit: Unit,
    by: User,
    fields: dict[str, Any],
    units: list[Unit],
    prepared: PreparedUpload,
    note: str,
) -> Document:
    now = clock.now()
    replaces = fields["replaces"]
    if replaces is not None:
        replaces = document_lock(replaces)
        _check_follow_up(replaces, fields["business_type"], unit)
    document = Document(
        unit=unit,
        direction=Direction.OUTGOING,
        status=Status.DRAFT,
        drafted_by=by,
        created_at=now,
        page_count=prepared.page_count,
        full_text=pdf_text(prepared.pdf),
        **fields,
    )
    document.search_text = document_search_text(document)
    document.save()
    document.recipient_units.set(units)
    draft = _store_draft(document, prepared, kind=DocumentFile.Kind.DRAFT, by=by, at=now)
    summary = _("Dự thảo phiên bản %(version)s: %(name)s.") % {
        "version": draft.version,
        "name": prepared.source_name or prepared.original_name,
    }
    if replaces is not None:
        summary += " " + _("Thay thế/cập nhật văn bản %(reference)s.") % {
            "reference": replaces.reference
        }
    document_event(
        document,
        "create",
        by=by,
        at=now,
        from_status=Status.DRAFT,
        note="\n".join(p for p in (summary, note) if p),
    )
    audit_record(
        actor=by,
        action="documents.outgoing.create",
        obj=document,
        changes={
            "status": [None, document.status],
            "file": [None, draft.sha256],
            "replaces": [None, replaces.pk if replaces else None],
        },
    )
    return document


def outgoing_upload_version(
    *, document: Document, by: User, upload: Any, note: str = ""
) -> DocumentFile:
    """A new version of the draft (PDF or DOCX); it becomes the current one."""
    _check_allowed(document, "upload_version", by)
    prepared = prepare_upload(upload)
    return _store_version(document=document, by=by, prepared=prepared, note=note)


@transaction.atomic
def _store_version(
    *, document: Document, by: User, prepared: PreparedUpload, note: str
) -> DocumentFile:
    document = document_lock(document)
    before = document_transition(document=document, action="upload_version", by=by)
    now = clock.now()
    document.files.filter(approved=True).update(approved=False)
    stored = _store_draft(
        document, prepared, kind=DocumentFile.Kind.DRAFT, by=by, at=now, note=clean_text(note)
    )
    document.page_count = prepared.page_count
    document.full_text = pdf_text(prepared.pdf)
    document.search_text = document_search_text(document)
    document.save(update_fields=["page_count", "full_text", "search_text"])
    text = _("Phiên bản %(version)s: %(name)s.") % {
        "version": stored.version,
        "name": prepared.source_name or prepared.original_name,
    }
    document_event(
        document,
        "upload_version",
        by=by,
        at=now,
        note="\n".join(p for p in (text, clean_text(note)) if p),
    )
    audit_record(
        actor=by,
        action="documents.outgoing.upload_version",
        obj=document,
        changes={"version": [stored.version - 1, stored.version], "status": [before, before]},
    )
    return stored


def outgoing_add_attachment(
    *, document: Document, by: User, upload: Any, note: str = ""
) -> DocumentFile:
    """An annex or accompanying document (PDF or DOCX); the organisation signs it at issue."""
    _check_allowed(document, "upload_version", by)
    prepared = prepare_upload(upload)
    return _store_attachment(document=document, by=by, prepared=prepared, note=note)


@transaction.atomic
def _store_attachment(
    *, document: Document, by: User, prepared: PreparedUpload, note: str
) -> DocumentFile:
    document = document_lock(document)
    document_transition(document=document, action="upload_version", by=by)
    now = clock.now()
    stored = _store_draft(
        document, prepared, kind=DocumentFile.Kind.ATTACHMENT, by=by, at=now, note=note
    )
    document_event(
        document,
        "add_attachment",
        by=by,
        at=now,
        note=_("Tài liệu kèm theo: %(name)s.") % {"name": stored.original_name},
    )
    audit_record(
        actor=by,
        action="documents.outgoing.add_attachment",
        obj=document,
        changes={"attachment": [None, stored.sha256]},
    )
    return stored


def _version_of(document: Document, version: DocumentFile | None) -> DocumentFile | None:
    if version is None:
        return None
    if version.document_id != document.pk:
        raise DocumentError(_("Phiên bản không thuộc văn bản này."), field="version")
    return version


@transaction.atomic
def outgoing_comment(
    *, document: Document, by: User, text: str, version: DocumentFile | None = None
) -> Comment:
    """A comment on the draft, on *version* if given; comments are never edited."""
    text = required_text(text, field="text", message=_("Cần nhập nội dung góp ý."))
    document = document_lock(document)
    _is_outgoing(document)
    document_transition(document=document, action="comment", by=by)
    version = _version_of(document, version) or current_file(document)
    now = clock.now()
    comment = Comment.objects.create(document=document, file=version, author=by, text=text, at=now)
    document_event(document, "comment", by=by, at=now, note=text)
    if document.drafted_by_id and document.drafted_by_id != by.pk:
        notify_officials(
            User.objects.filter(pk=document.drafted_by_id),
            _("%(name)s góp ý dự thảo: %(subject)s")
            % {
                "name": by.full_name,
                "subject": document.subject,
            },
            _detail_url(document),
            at=now,
            by=by,
        )
    audit_record(
        actor=by,
        action="documents.outgoing.comment",
        obj=document,
        changes={"version": [None, version.version if version else None]},
    )
    return comment


@transaction.atomic
def outgoing_submit(*, document: Document, by: User, note: str = "") -> Document:
    """The drafter submits the current version for review to the unit's leaders."""
    document = document_lock(document)
    _is_outgoing(document)
    before = document_transition(document=document, action="submit_for_review", by=by)
    if current_file(document) is None:
        raise DocumentError(_("Dự thảo chưa có tệp văn bản."), field="file")
    now = clock.now()
    document.save(update_fields=["status"])
    document_event(document, "submit_for_review", by=by, at=now, from_status=before, note=note)
    reviewers = officials_of([document.unit_id], [Role.UNIT_LEADER])
    notify_officials(
        reviewers,
        _("Dự thảo chờ duyệt: %(subject)s") % {"subject": document.subject},
        _detail_url(document),
        at=now,
        by=by,
    )
    audit_record(
        actor=by,
        action="documents.outgoing.submit",
        obj=document,
        changes={"status": [before, document.status]},
    )
    return document


@transaction.atomic
def outgoing_return(*, document: Document, by: User, comment: str) -> Document:
    """A leader returns the draft to its drafter with a comment (the approval, if any, is
    withdrawn)."""
    comment = required_text(comment, field="comment", message=_("Cần ghi ý kiến khi trả lại."))
    document = document_lock(document)
    _is_outgoing(document)
    before = document_transition(document=document, action="return_draft", by=by)
    now = clock.now()
    version = current_file(document)
    document.files.filter(approved=True).update(approved=False)
    Comment.objects.create(document=document, file=version, author=by, text=comment, at=now)
    document.save(update_fields=["status"])
    document_event(document, "return_draft", by=by, at=now, from_status=before, note=comment)
    if document.drafted_by_id:
        notify_officials(
            User.objects.filter(pk=document.drafted_by_id),
            _("Dự thảo bị trả lại: %(subject)s") % {"subject": document.subject},
            _detail_url(document),
            at=now,
            by=by,
        )
    audit_record(
        actor=by,
        action="documents.outgoing.return",
        obj=document,
        changes={"status": [before, document.status]},
    )
    return document


@transaction.atomic
def outgoing_approve(
    *, document: Document, version: DocumentFile, by: User, comment: str = ""
) -> DocumentFile:
    """A leader approves *version*, which must be the current version of the draft (the one
    they read: a newer upload in the meantime must be read first)."""
    document = document_lock(document)
    _is_outgoing(document)
    before = document_transition(document=document, action="approve", by=by)
    current = current_file(document)
    chosen = _version_of(document, version) or current
    if current is None or chosen is None or chosen.pk != current.pk:
        raise DocumentError(
            _(
                "Đã có phiên bản mới hơn (phiên bản %(version)s) từ lúc anh/chị mở văn bản; xin "
                "xem phiên bản đó trước khi duyệt."
            )
            % {"version": current.version if current else "?"},
            field="version",
            code="stale_version",
        )
    version = current
    now = clock.now()
    document.files.filter(approved=True).update(approved=False)
    DocumentFile.objects.filter(pk=version.pk).update(approved=True)
    version.approved = True
    comment = clean_text(comment or "")
    if comment:
        Comment.objects.create(document=document, file=version, author=by, text=comment, at=now)
    document.save(update_fields=["status"])
    document_event(
        document,
        "approve",
        by=by,
        at=now,
        from_status=before,
        note="\n".join(
            p for p in (_("Duyệt phiên bản %(v)s.") % {"v": version.version}, comment) if p
        ),
    )
    if document.signer is not None:
        notify_officials(
            [document.signer],
            _("Văn bản chờ anh/chị ký số: %(subject)s") % {"subject": document.subject},
            reverse("documents:outgoing_sign", kwargs={"pk": document.pk}),
            at=now,
            by=by,
        )
    audit_record(
        actor=by,
        action="documents.outgoing.approve",
        obj=document,
        changes={"status": [before, document.status], "approved_version": [None, version.pk]},
    )
    return version


# --- signing by the competent person -----------------------------------------------------------


def _mm_box(page: Box, box_mm: tuple[float, float, float, float]) -> Box:
    """A box given in millimetres from the top left of *page*, in PDF points, kept inside it."""
    left, top, right, bottom = (v * POINTS_PER_MM for v in box_mm)
    x0, _y0, x1, y1 = page
    right = min(x0 + right, x1 - 5)
    left = min(x0 + left, right - 20)
    return (left, y1 - bottom, right, y1 - top)


def _over_placeholder(page: Box, found: Box, min_width_mm: float) -> Box:
    """A field box over a placeholder's text, wide enough for the value that replaces it."""
    x1, y1, x2, y2 = found
    width = max(x2 - x1, min_width_mm * POINTS_PER_MM)
    right = min(x1 + width, page[2] - 5)
    left = max(page[0] + 5, right - width)
    return (left - 1, y1 - 3, right, y2 + 3)


def _cover(pdf: bytes, boxes: Sequence[tuple[int, Box]]) -> bytes:
    """Paint *boxes* white (the placeholder texts), in an incremental update before signing.

    The page's own content is wrapped in q … Q first, so a transformation it leaves behind
    does not move the white boxes."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    by_page: dict[int, list[Box]] = {}
    for page, box in boxes:
        by_page.setdefault(page, []).append(box)
    side, below, above = COVER_MARGINS
    for page, page_boxes in by_page.items():
        paint = (
            b"Q q 1 1 1 rg "
            + b" ".join(
                b"%.2f %.2f %.2f %.2f re"
                % (x1 - side, y1 - below, x2 - x1 + 2 * side, y2 - y1 + below + above)
                for x1, y1, x2, y2 in page_boxes
            )
            + b" f Q\n"
        )
        writer.add_stream_to_page(
            page - 1, writer.add_object(generic.StreamObject(stream_data=b"q\n")), prepend=True
        )
        writer.add_stream_to_page(
            page - 1, writer.add_object(generic.StreamObject(stream_data=paint))
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def prepare_for_signing(pdf: bytes) -> bytes:
    """*pdf* with the empty number and date fields the clerk fills after the signature: over
    the template's placeholders when it has them, else at the default places on page 1 (see
    the module docstring). Placeholder texts are painted white."""
    reader = signing_pdf.open_pdf(pdf)
    number_at = signing_pdf.find_placeholder(pdf, NUMBER_PLACEHOLDER)
    date_at = signing_pdf.find_placeholder(pdf, DATE_PLACEHOLDER)
    first_page = signing_pdf.page_box(reader, 1)
    fields: list[signing_pdf.TextFieldSpec] = []
    for name, found, default, width in (
        (signing_pdf.NUMBER_FIELD, number_at, DEFAULT_NUMBER_BOX_MM, MIN_NUMBER_WIDTH_MM),
        (signing_pdf.DATE_FIELD, date_at, DEFAULT_DATE_BOX_MM, MIN_DATE_WIDTH_MM),
    ):
        if found is not None:
            page, box = found
            page_box = signing_pdf.page_box(reader, page)
            fields.append(
                signing_pdf.TextFieldSpec(name, page, _over_placeholder(page_box, box, width))
            )
        else:
            fields.append(signing_pdf.TextFieldSpec(name, 1, _mm_box(first_page, default)))
    # The signer's placeholder stays in the text (signing finds it there) but not on the page.
    signature_at = signing_pdf.find_placeholder(pdf, SIGNATURE_PLACEHOLDER)
    covered = [found for found in (number_at, date_at, signature_at) if found is not None]
    if covered:
        pdf = _cover(pdf, covered)
    return signing_pdf.prepare_fields(pdf, text_fields=fields)


def person_credential(official: User) -> SigningCredential | None:
    """The newest active personal credential of *official*."""
    return (
        SigningCredential.objects.filter(official=official, is_active=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def organisation_credential(unit: Unit) -> SigningCredential | None:
    """The newest active organisation credential of *unit*."""
    return (
        SigningCredential.objects.filter(unit=unit, is_active=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def _check_approved(document: Document, version: DocumentFile) -> None:
    approved = document.files.filter(approved=True, kind=DocumentFile.Kind.DRAFT).first()
    fresh = DocumentFile.objects.filter(pk=version.pk).first()
    if (
        fresh is None
        or fresh.document_id != document.pk
        or fresh.kind != DocumentFile.Kind.DRAFT
        or not fresh.approved
        or not fresh.is_current
    ):
        if approved is not None:
            message = _(
                "Chỉ ký được phiên bản đã được duyệt. Phiên bản %(version)s chưa được duyệt; "
                "phiên bản được duyệt là phiên bản %(approved)s."
            ) % {"version": version.version, "approved": approved.version}
        else:
            message = _(
                "Chỉ ký được phiên bản đã được duyệt. Phiên bản %(version)s chưa được duyệt; "
                "văn bản cần được trình và duyệt lại."
            ) % {"version": version.version}
        raise DocumentError(message, field="version", code="not_approved")


def outgoing_sign(
    *,
    document: Document,
    version: DocumentFile,
    by: User,
    appearance: VisibleSignature,
    credential: SigningCredential | None = None,
    secret: str | None = None,
) -> DocumentFile:
    """The competent person signs the approved *version* with their own certificate.

    *appearance* is :meth:`VisibleSignature.person` with the box chosen on the page preview, or
    with the ``[[CHU_KY]]`` placeholder. The signature certifies the document and allows form
    filling, so the clerk can add the number and date; the seal's field is reserved.
    Refused with a Vietnamese message: not the approved version, not the chosen signer, no
    credential, expired or revoked certificate (the signing app's message), …"""
    _check_allowed(document, "sign", by)
    if document.signer_id is not None and document.signer_id != by.pk:
        raise DocumentError(
            _("Văn bản này do %(name)s ký; anh/chị không ký thay được.")
            % {"name": document.signer_name or document.signer},
            code="forbidden",
        )
    _check_approved(document, version)
    credential = credential or person_credential(by)
    if credential is None or credential.official_id != by.pk:
        raise DocumentError(
            _(
                "Anh/chị chưa có chứng thư số cá nhân trên hệ thống. Xin liên hệ quản trị hệ "
                "thống để đăng ký chứng thư số và ảnh chữ ký."
            ),
            field="credential",
            code="no_credential",
        )
    data = _read(version)
    try:
        prepared = prepare_for_signing(data)
        signed = sign_pdf(
            pdf=prepared,
            signer=credential,
            by=by,
            appearance=appearance,
            certify=True,
            reserve_seal_for=document.unit,
            reason=_("Ký ban hành văn bản"),
            location=place_name(document.unit),
            secret=secret,
        )
    except SigningError as exc:
        raise _signing_error(exc, field="signature") from exc
    return _store_signature(document=document, version=version, by=by, signed=signed)


@transaction.atomic
def _store_signature(
    *, document: Document, version: DocumentFile, by: User, signed: bytes
) -> DocumentFile:
    document = document_lock(document)
    before = document_transition(document=document, action="sign", by=by)
    _check_approved(document, version)
    now = clock.now()
    stored = document_file_add(
        document=document,
        kind=DocumentFile.Kind.SIGNED,
        data=signed,
        original_name=version.original_name,
        by=by,
        at=now,
        note=_("Ký số phiên bản %(version)s đã duyệt.") % {"version": version.version},
    )
    document.signer_name = by.full_name
    document.signer_title = by.job_title or document.signer_title
    document.save(update_fields=["status", "signer_name", "signer_title"])
    document_event(
        document,
        "sign",
        by=by,
        at=now,
        from_status=before,
        note=_("Ký số phiên bản %(version)s.") % {"version": version.version},
    )
    notify_officials(
        officials_of([document.unit_id], [Role.CLERK]),
        _("Văn bản đã ký, chờ cấp số: %(subject)s") % {"subject": document.subject},
        _detail_url(document),
        at=now,
        by=by,
    )
    audit_record(
        actor=by,
        action="documents.outgoing.sign",
        obj=document,
        changes={
            "status": [before, document.status],
            "signed_file": [version.sha256, stored.sha256],
        },
    )
    return stored


# --- number and date, by the clerk -------------------------------------------------------------


@transaction.atomic
def outgoing_give_number(
    *, document: Document, by: User, issued_on: dt.date | None = None
) -> Document:
    """The clerk gives the next number of the unit's outgoing register (secret series for a
    document with a secrecy mark) and the date of issue, and fills both into the signed PDF.

    The number is taken under the register's lock inside this transaction: two clerks at the
    same instant get consecutive numbers, and a failure gives the number back."""
    document = document_lock(document)
    _is_outgoing(document)
    before = document_transition(document=document, action="give_number", by=by)
    today = _today()
    issued_on = issued_on or today
    signed_file = current_file(document)
    if signed_file is None or signed_file.kind != DocumentFile.Kind.SIGNED:
        raise DocumentError(_("Văn bản chưa có bản đã ký số."), code="state")
    signed_on = timezone.localtime(signed_file.uploaded_at).date()
    if issued_on > today or issued_on < signed_on:
        raise DocumentError(
            _("Ngày ban hành phải từ ngày ký (%(signed)s) đến hôm nay.")
            % {"signed": signed_on.strftime("%d/%m/%Y")},
            field="issued_on",
        )
    register = register_for(document.unit, Direction.OUTGOING, series_for(document.secrecy))
    notation = notation_for(
        document.document_type, document.unit, document.drafting_unit_abbreviation
    )
    number = take_number(register, issued_on.year)
    reference = format_reference(number, notation)
    try:
        filled = signing_pdf.fill_fields(
            _read(signed_file),
            {
                signing_pdf.NUMBER_FIELD: _("Số: %(reference)s") % {"reference": reference},
                signing_pdf.DATE_FIELD: date_line(document.unit, issued_on),
            },
        )
    except SigningError as exc:
        raise _signing_error(exc) from exc
    now = clock.now()
    document.register = register
    document.number = number
    document.notation = notation
    document.year = issued_on.year
    document.issued_on = issued_on
    document.search_text = document_search_text(document)
    document.save(
        update_fields=[
            "status",
            "register",
            "number",
            "notation",
            "year",
            "issued_on",
            "search_text",
        ]
    )
    document_file_add(
        document=document,
        kind=DocumentFile.Kind.SIGNED,
        data=filled,
        original_name=signed_file.original_name,
        by=by,
        at=now,
        note=_("Đã điền số, ký hiệu %(reference)s và ngày ban hành.") % {"reference": reference},
    )
    document_event(
        document,
        "give_number",
        by=by,
        at=now,
        from_status=before,
        note=_("Số %(reference)s, ngày %(date)s, %(register)s.")
        % {
            "reference": reference,
            "date": issued_on.strftime("%d/%m/%Y"),
            "register": register.name,
        },
    )
    audit_record(
        actor=by,
        action="documents.outgoing.give_number",
        obj=document,
        changes={
            "status": [before, document.status],
            "number": [None, number],
            "notation": [None, notation],
            "issued_on": [None, issued_on],
        },
    )
    return document


# --- the organisation's signature and issue ----------------------------------------------------


def outgoing_issue(*, document: Document, by: User, secret: str | None = None) -> Document:
    """The clerk signs for the organisation (the seal over the signer's image; annexes get the
    text stamp) and issues the document to its recipients."""
    _check_allowed(document, "seal_and_issue", by)
    document = Document.objects.select_related("unit").get(pk=document.pk)
    credential = organisation_credential(document.unit)
    if credential is None:
        raise DocumentError(
            _(
                "%(unit)s chưa có chứng thư số của cơ quan trên hệ thống. Xin liên hệ quản trị "
                "hệ thống để đăng ký chứng thư số và ảnh con dấu."
            )
            % {"unit": document.unit.name},
            code="no_credential",
        )
    main = current_file(document)
    if main is None or main.kind != DocumentFile.Kind.SIGNED:
        raise DocumentError(_("Văn bản chưa có bản đã ký số và cấp số."), code="state")
    annexes = list(document.files.filter(kind=DocumentFile.Kind.ATTACHMENT, is_current=True))
    location = place_name(document.unit)
    try:
        sealed = sign_pdf(
            pdf=_read(main),
            signer=credential,
            by=by,
            appearance=VisibleSignature.seal(),
            reason=_("Ban hành văn bản"),
            location=location,
            secret=secret,
        )
        stamped = [
            (
                annex,
                sign_pdf(
                    pdf=_read(annex),
                    signer=credential,
                    by=by,
                    appearance=VisibleSignature.copy_stamp(document_number=document.reference),
                    reason=_("Tài liệu kèm theo văn bản %(reference)s")
                    % {"reference": document.reference},
                    location=location,
                    secret=secret,
                ),
            )
            for annex in annexes
        ]
    except SigningError as exc:
        raise _signing_error(exc, field="signature") from exc
    return _store_issue(document=document, by=by, main=main, sealed=sealed, stamped=stamped)


@transaction.atomic
def _store_issue(
    *,
    document: Document,
    by: User,
    main: DocumentFile,
    sealed: bytes,
    stamped: list[tuple[DocumentFile, bytes]],
) -> Document:
    document = document_lock(document)
    before = document_transition(document=document, action="seal_and_issue", by=by)
    current = current_file(document)
    if current is None or current.pk != main.pk:
        raise DocumentError(
            _("Văn bản vừa thay đổi trong lúc ký; xin tải lại trang và thực hiện lại."),
            code="stale_version",
        )
    now = clock.now()
    issued = document_file_add(
        document=document,
        kind=DocumentFile.Kind.ISSUED,
        data=sealed,
        original_name=main.original_name,
        by=by,
        at=now,
        note=_("Bản ban hành: đã ký số của cơ quan, tổ chức."),
    )
    for annex, data in stamped:
        DocumentFile.objects.filter(pk=annex.pk).update(is_current=False)
        document_file_add(
            document=document,
            kind=DocumentFile.Kind.ATTACHMENT,
            data=data,
            original_name=annex.original_name,
            by=by,
            at=now,
            note=_("Đã ký số của cơ quan, tổ chức (bản điện tử kèm theo)."),
        )
    document.completed_at = now
    document.save(update_fields=["status", "completed_at"])
    deliveries = _deliver(document, by=by, at=now)
    if document.replaces_id is not None:
        _supersede(document, by=by, at=now)
    names = [d.recipient_unit.name if d.recipient_unit else d.recipient_name for d in deliveries]
    note = _("Ban hành %(reference)s. Gửi: %(recipients)s.") % {
        "reference": document.reference,
        "recipients": ", ".join(names) or _("không gửi qua hệ thống"),
    }
    if document.secrecy != Secrecy.NONE:
        note += " " + _("Văn bản mật: gửi bản giấy theo quy định bảo vệ bí mật nhà nước.")
    document_event(document, "seal_and_issue", by=by, at=now, from_status=before, note=note)
    audit_record(
        actor=by,
        action="documents.outgoing.issue",
        obj=document,
        changes={
            "status": [before, document.status],
            "issued_file": [main.sha256, issued.sha256],
            "deliveries": [0, len(deliveries)],
        },
    )
    return document


def _deliver(document: Document, *, by: User, at: dt.datetime) -> list[Delivery]:
    """One delivery per recipient: units of the platform find it in their arrived queue (01);
    outside bodies are marked sent (00), to be sent as an edXML package or on paper."""
    made: list[Delivery] = []
    units = list(document.recipient_units.order_by("path"))
    if document.secrecy != Secrecy.NONE:
        units = []
    for unit in units:
        delivery = Delivery.objects.create(
            document=document,
            recipient_unit=unit,
            business_type=document.business_type,
            status=DeliveryStatus.SENT,
            sent_at=at,
            updated_at=at,
        )
        delivery_set_status(
            delivery=delivery,
            status=DeliveryStatus.ARRIVED,
            by=by,
            at=at,
            description=_("Gửi qua hệ thống."),
        )
        made.append(delivery)
    for recipient in parse_external_recipients(document.recipients_text):
        paper = document.secrecy != Secrecy.NONE or not recipient.code
        delivery = Delivery.objects.create(
            document=document,
            recipient_name=recipient.name,
            recipient_code=recipient.code,
            business_type=document.business_type,
            status=DeliveryStatus.SENT,
            sent_at=at,
            updated_at=at,
            note=_("Gửi bản giấy.") if paper else _("Gửi gói edXML qua trục liên thông."),
        )
        StatusMessage.objects.create(
            delivery=delivery,
            status=DeliveryStatus.SENT,
            at=at,
            by_name=by.full_name[:255],
            description=delivery.note,
        )
        made.append(delivery)
    if units:
        notify_officials(
            officials_of([u.pk for u in units], [Role.CLERK]),
            _("Văn bản mới đến từ %(unit)s: %(reference)s — %(subject)s")
            % {
                "unit": document.unit.name,
                "reference": document.reference,
                "subject": document.subject,
            },
            _arrivals_url(),
            at=at,
            by=by,
        )
    return made


def _arrivals_url() -> str:
    """Where a recipient's clerk finds documents that arrived (the incoming pages)."""
    return reverse("documents:incoming_queue_slug", kwargs={"slug": "da-den"})


def _supersede(document: Document, *, by: User, at: dt.datetime) -> None:
    """When a replacement (or an update) is issued, the earlier document is replaced (or
    records the update)."""
    assert document.replaces is not None
    earlier = document_lock(document.replaces)
    replacing = document.business_type == BusinessType.REPLACE
    if earlier.status != Status.ISSUED:
        raise DocumentError(
            _(
                "Văn bản %(reference)s đang ở trạng thái “%(status)s” nên không thay thế hoặc "
                "cập nhật được nữa."
            )
            % {"reference": earlier.reference, "status": Status(earlier.status).label},
            field="replaces",
            code="state",
        )
    before = document_transition(
        document=earlier, action="replace" if replacing else "update", by=by
    )
    earlier.save(update_fields=["status"])
    note = (
        _("Được thay thế bởi văn bản %(reference)s.")
        if replacing
        else _("Được cập nhật bởi văn bản %(reference)s.")
    ) % {"reference": document.reference}
    document_event(
        earlier,
        "replace" if replacing else "update",
        by=by,
        at=at,
        from_status=before if replacing else "",
        note=note,
    )
    audit_record(
        actor=by,
        action="documents.outgoing.replace" if replacing else "documents.outgoing.update",
        obj=earlier,
        changes={"status": [before, earlier.status], "by_document": [None, document.pk]},
    )


# --- recall ----------------------------------------------------------------------------------


@transaction.atomic
def outgoing_recall(*, document: Document, by: User, reason: str) -> Document:
    """Recall an issued document (business type 1): every recipient that did not refuse it
    is asked to give it back and answers 15 (accepted) or 16 (refused)."""
    reason = required_text(reason, field="reason", message=_("Cần nêu lý do thu hồi."))
    document = document_lock(document)
    _is_outgoing(document)
    before = document_transition(document=document, action="recall", by=by)
    now = clock.now()
    asked = list(
        document.deliveries.select_for_update(of=("self",))
        .exclude(status=DeliveryStatus.REJECTED)
        .select_related("recipient_unit")
    )
    for delivery in asked:
        delivery.business_type = BusinessType.RECALL
        delivery.note = reason
        delivery.updated_at = now
        delivery.save(update_fields=["business_type", "note", "updated_at"])
    document.business_type = BusinessType.RECALL
    document.save(update_fields=["status", "business_type"])
    document_event(document, "recall", by=by, at=now, from_status=before, note=reason)
    units = [d.recipient_unit_id for d in asked if d.recipient_unit_id is not None]
    notify_officials(
        officials_of(units, [Role.CLERK]),
        _("%(unit)s đề nghị thu hồi văn bản %(reference)s: %(reason)s")
        % {"unit": document.unit.name, "reference": document.reference, "reason": reason},
        reverse("documents:outgoing_recalls"),
        at=now,
        by=by,
    )
    audit_record(
        actor=by,
        action="documents.outgoing.recall",
        obj=document,
        changes={"status": [before, document.status], "deliveries": [None, len(asked)]},
    )
    return document


@transaction.atomic
def outgoing_recall_answer(
    *, delivery: Delivery, by: User, accept: bool, note: str = ""
) -> Delivery:
    """The recipient's clerk (or leader) answers a recall: 15 accepted or 16 refused (a refusal
    says why). The sender sees the answer beside the other recipients'."""
    try:
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("document", "document__unit", "recipient_unit")
            .get(pk=delivery.pk)
        )
    except Delivery.DoesNotExist as exc:
        raise DocumentError(_("Không tìm thấy văn bản được gửi đến.")) from exc
    unit = delivery.recipient_unit
    if unit is None or not (is_clerk_of(by, unit) or supervises(by, unit)):
        raise DocumentError(
            _("Chỉ văn thư hoặc lãnh đạo của đơn vị nhận mới trả lời được yêu cầu thu hồi."),
            code="forbidden",
        )
    if delivery.business_type != BusinessType.RECALL:
        raise DocumentError(_("Văn bản này không bị thu hồi."), code="state")
    if delivery.status in (DeliveryStatus.RECALL_ACCEPTED, DeliveryStatus.RECALL_REFUSED):
        raise DocumentError(
            _("Yêu cầu thu hồi này đã được trả lời (“%(status)s”).")
            % {"status": DeliveryStatus(delivery.status).label},
            code="state",
        )
    note = clean_text(note or "")
    if not accept and not note:
        raise DocumentError(_("Cần nêu lý do từ chối thu hồi."), field="note")
    now = clock.now()
    status = DeliveryStatus.RECALL_ACCEPTED if accept else DeliveryStatus.RECALL_REFUSED
    before = delivery.status
    delivery_set_status(delivery=delivery, status=status, by=by, at=now, description=note)
    answer = (_("%(unit)s đồng ý thu hồi.") if accept else _("%(unit)s từ chối thu hồi.")) % {
        "unit": unit.name
    }
    text = "\n".join(p for p in (answer, note) if p)
    document_event(delivery.document, "recall_answer", by=by, at=now, note=text)
    received = Document.objects.filter(source_delivery=delivery).first()
    if received is not None:
        document_event(
            received,
            "recall_accepted" if accept else "recall_refused",
            by=by,
            at=now,
            note=text,
        )
    sender = delivery.document
    notify_officials(
        officials_of([sender.unit_id], [Role.CLERK])
        + list(User.objects.filter(pk__in=[sender.drafted_by_id, sender.signer_id])),
        _("Trả lời thu hồi văn bản %(reference)s: %(answer)s")
        % {"reference": sender.reference, "answer": answer},
        _detail_url(sender),
        at=now,
        by=by,
    )
    audit_record(
        actor=by,
        action="documents.outgoing.recall_answer",
        obj=delivery,
        changes={"status": [before, status]},
    )
    return delivery
