"""Writes of dossiers: drafting, sending, receipt, processing across units, results.

Every function here is one action of ``workflow.TRANSITIONS`` (or a draft edit): it locks the
dossier, checks the move and the actor, writes, appends a :class:`DossierEvent` and an audit
row, and tells the applicant and the officials concerned after the commit.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import mimetypes
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django_stubs_ext import StrOrPromise

from chinhquyenso.core import clock
from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.calendar import WorkingCalendar
from chinhquyenso.core.search import searchable_text
from chinhquyenso.core.text import nfc
from chinhquyenso.dossiers import deadlines, notify
from chinhquyenso.dossiers.codes import next_dossier_code
from chinhquyenso.dossiers.models import (
    AdditionalRequest,
    Apology,
    Channel,
    Dossier,
    DossierEvent,
    DossierFile,
    Feedback,
    FileKind,
    Handover,
    Rating,
    Status,
)
from chinhquyenso.dossiers.selectors import can_act, forward_target, is_applicant, step_unit
from chinhquyenso.dossiers.workflow import COUNTER_ON_BEHALF, TRANSITIONS
from chinhquyenso.procedures.models import (
    Component,
    OnlineLevel,
    ProcedureVersion,
    Step,
    StepActor,
)
from chinhquyenso.units.models import Unit

#: Longest free text (notes, reasons) accepted, in characters.
MAX_TEXT = 5000
_ID_NUMBER = re.compile(r"^\d{12}$")
_PHONE = re.compile(r"^(0|\+84)\d{9,10}$")

ACTION_LABELS: dict[str, StrOrPromise] = {
    "draft": _l("lưu bản nháp"),
    "submit": _l("nộp hồ sơ"),
    "register": _l("tiếp nhận hồ sơ tại quầy"),
    "accept": _l("tiếp nhận hồ sơ"),
    "refuse": _l("từ chối tiếp nhận"),
    "request_documents_at_receipt": _l("yêu cầu bổ sung hồ sơ"),
    "request_documents": _l("yêu cầu bổ sung hồ sơ"),
    "supply_documents_at_receipt": _l("bổ sung hồ sơ"),
    "supply_documents": _l("bổ sung hồ sơ"),
    "forward": _l("chuyển bước xử lý"),
    "send_back": _l("trả lại bước trước"),
    "attach_result": _l("đính kèm kết quả"),
    "request_financial": _l("yêu cầu thực hiện nghĩa vụ tài chính"),
    "confirm_financial": _l("xác nhận đã thực hiện nghĩa vụ tài chính"),
    "apologise": _l("xin lỗi và hẹn lại"),
    "stop": _l("dừng xử lý"),
    "finish": _l("hoàn thành xử lý"),
    "return_result": _l("trả kết quả"),
    "withdraw": _l("rút hồ sơ"),
    "rate": _l("đánh giá"),
    "pay": _l("nộp phí"),
}


class DossierError(ValidationError):
    """A refused write, with a Vietnamese message for the person who tried it.

    ``field`` names the input concerned (``"form.<key>"``, ``"files.<component code>"``,
    ``"applicant_id_number"``, …) or is ``None`` for the request as a whole. ``errors`` holds
    every field error at once when a whole form was checked.
    """

    def __init__(
        self,
        message: Any,
        *,
        field: str | None = None,
        errors: Mapping[str, list[str]] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.field = field
        self.errors = dict(errors or {})


@dataclass(frozen=True)
class ApplicantInput:
    """Who submits: typed at the counter, sent by a kiosk, or taken from the citizen's account."""

    name: str
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


# --- helpers --------------------------------------------------------------------------------


def _label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _lock(dossier: Dossier) -> Dossier:
    try:
        return (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("version", "receiving_unit", "handling_unit", "current_unit")
            .select_related("current_step")
            .get(pk=dossier.pk)
        )
    except Dossier.DoesNotExist as exc:
        raise DossierError(_("Không tìm thấy hồ sơ.")) from exc


def _text(value: str | None, *, field: str, required: str | None = None) -> str:
    text = nfc(value or "").strip()
    if required and not text:
        raise DossierError(required, field=field)
    if len(text) > MAX_TEXT:
        raise DossierError(
            _("Nội dung dài quá %(limit)s ký tự.") % {"limit": f"{MAX_TEXT:,}".replace(",", ".")},
            field=field,
        )
    return text


def dossier_transition(*, dossier: Dossier, action: str, by: Any) -> int:
    """Check *action* against ``workflow.TRANSITIONS`` and the actor, apply its target status
    to *dossier* (not saved) and return the status it was in. The only code that changes
    ``Dossier.status``; *by* ``None`` is the system (payment confirmation, scheduled work)."""
    move = TRANSITIONS[action]
    if dossier.status not in move.sources:
        raise DossierError(
            _("Không thể %(action)s: hồ sơ đang ở trạng thái “%(status)s”.")
            % {"action": _label(action), "status": Status(dossier.status).label}
        )
    if move.side == "system":
        allowed = by is None
    elif move.side == "applicant":
        allowed = is_applicant(by, dossier) or (
            action in COUNTER_ON_BEHALF and can_act(by, dossier, action)
        )
    else:
        allowed = can_act(by, dossier, action)
    if not allowed:
        raise DossierError(
            _("Anh/chị không có quyền %(action)s đối với hồ sơ này.") % {"action": _label(action)}
        )
    before = dossier.status
    if move.target is not None:
        dossier.status = move.target
    return before


def _event(
    dossier: Dossier,
    action: str,
    *,
    by: Any,
    at: dt.datetime,
    before: int | None,
    note: str = "",
    unit: Unit | None = None,
) -> DossierEvent:
    official_unit = by.unit if getattr(by, "is_official", False) else None
    return DossierEvent.objects.create(
        dossier=dossier,
        at=at,
        action=action,
        actor=by if getattr(by, "is_authenticated", False) else None,
        unit=unit or official_unit or dossier.current_unit,
        from_status=before,
        to_status=dossier.status,
        note=note,
    )


def _audit(dossier: Dossier, action: str, *, by: Any, before: int | None, **extra: Any) -> None:
    changes: dict[str, Any] = {"status": [before, dossier.status]} if before is not None else {}
    changes.update(extra)
    audit_record(actor=by, action=f"dossier.{action}", obj=dossier, changes=changes)


def _after_commit(func: Callable[..., Any], *args: Any) -> None:
    transaction.on_commit(functools.partial(func, *args))


def _search_text(dossier: Dossier) -> str:
    return searchable_text(
        dossier.code,
        dossier.applicant_name,
        dossier.applicant_id_number,
        dossier.version.name,
        dossier.version.procedure.code,
    )


def _steps(version: ProcedureVersion) -> list[Step]:
    return list(version.steps.order_by("order"))


def _clean_applicant(applicant: ApplicantInput) -> ApplicantInput:
    name = nfc(applicant.name).strip()
    if not name:
        raise DossierError(_("Xin nhập họ và tên người nộp hồ sơ."), field="applicant_name")
    id_number = re.sub(r"\s+", "", applicant.id_number or "")
    if id_number and not _ID_NUMBER.match(id_number):
        raise DossierError(
            _("Số định danh cá nhân gồm đúng 12 chữ số."), field="applicant_id_number"
        )
    phone = re.sub(r"[\s.-]+", "", applicant.phone or "")
    if phone and not _PHONE.match(phone):
        raise DossierError(_("Số điện thoại không đúng."), field="applicant_phone")
    email = (applicant.email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DossierError(
                _("Địa chỉ thư điện tử không đúng."), field="applicant_email"
            ) from exc
    return ApplicantInput(
        name=name[:255],
        id_number=id_number,
        phone=phone,
        email=email,
        address=nfc(applicant.address or "").strip()[:500],
    )


def _check_receiving_unit(version: ProcedureVersion, unit: Unit) -> None:
    wrong_kind = bool(version.unit_kinds) and unit.kind not in version.unit_kinds
    if wrong_kind and version.handling_unit_id != unit.pk:
        raise DossierError(
            _("%(unit)s không tiếp nhận thủ tục này.") % {"unit": unit.name},
            field="receiving_unit",
        )
    if not unit.agency_code:
        raise DossierError(
            _("%(unit)s chưa có mã định danh điện tử nên chưa tiếp nhận được hồ sơ.")
            % {"unit": unit.name},
            field="receiving_unit",
        )


def _check_version_in_force(version: ProcedureVersion, day: dt.date) -> None:
    if version.valid_from > day or (version.valid_to is not None and version.valid_to < day):
        raise DossierError(
            _("Thủ tục này đã thay đổi; xin nộp theo quy định đang có hiệu lực."),
            field="procedure",
        )


def _validate_form(version: ProcedureVersion, data: Mapping[str, Any]) -> dict[str, Any]:
    from chinhquyenso.procedures.eforms import validate_form_data

    if not isinstance(data, Mapping):
        raise DossierError(_("Tờ khai phải là một đối tượng JSON."), field="form")
    clean = {str(k): (nfc(v) if isinstance(v, str) else v) for k, v in data.items()}
    errors = validate_form_data(version.form_schema or {}, clean)
    if errors:
        raise DossierError(
            _("Tờ khai còn %(count)s lỗi, xin kiểm tra các ô được đánh dấu.")
            % {"count": sum(len(v) for v in errors.values())},
            field="form",
            errors={f"form.{key}": messages for key, messages in errors.items()},
        )
    return clean


# --- files ----------------------------------------------------------------------------------

_DOSSIER_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


def check_dossier_file(upload: UploadedFile) -> tuple[str, str, int]:
    """Check a dossier file by its content: PDF, JPEG or PNG within ``DOSSIER_MAX_FILE_MB``.

    Returns (clean name, content type, size); raises :class:`DossierError` otherwise.
    """
    from chinhquyenso.feedback.files import check_upload

    name = (upload.name or "").rsplit("/", 1)[-1]
    limit_mb = settings.DOSSIER_MAX_FILE_MB
    if (upload.size or 0) > limit_mb * 1024 * 1024:
        raise DossierError(
            _("Tệp “%(name)s” lớn hơn %(limit)s MB.") % {"name": name, "limit": limit_mb},
            field="files",
        )
    try:
        checked = check_upload(upload)
    except ValidationError as exc:
        raise DossierError(" ".join(exc.messages), field="files") from exc
    if checked.content_type not in _DOSSIER_TYPES:
        raise DossierError(
            _("Tệp “%(name)s” phải là PDF, JPEG hoặc PNG.") % {"name": checked.original_name},
            field="files",
        )
    return checked.original_name, checked.content_type, checked.size


def _store_file(
    dossier: Dossier,
    upload: UploadedFile,
    *,
    kind: str,
    by: Any,
    at: dt.datetime,
    component: Component | None = None,
) -> DossierFile:
    name, content_type, size = check_dossier_file(upload)
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    extension = mimetypes.guess_extension(content_type) or ""
    record = DossierFile(
        dossier=dossier,
        kind=kind,
        component=component,
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
        uploaded_at=at,
    )
    record.file.save(f"{digest.hexdigest()[:20]}{extension}", upload, save=False)
    record.save()
    return record


def _components_by_code(version: ProcedureVersion) -> dict[str, Component]:
    return {c.code: c for c in version.components.all()}


def _store_components(
    dossier: Dossier,
    files: Mapping[str, Sequence[UploadedFile]],
    *,
    by: Any,
    at: dt.datetime,
    kind: str = FileKind.COMPONENT,
) -> list[DossierFile]:
    components = _components_by_code(dossier.version)
    unknown = [code for code in files if code not in components]
    if unknown:
        raise DossierError(
            _("Thủ tục không có thành phần hồ sơ “%(code)s”.") % {"code": unknown[0]},
            field=f"files.{unknown[0]}",
        )
    # Check every file before storing any, so a bad one leaves nothing behind.
    for code, uploads in files.items():
        for upload in uploads:
            try:
                check_dossier_file(upload)
            except DossierError as exc:
                exc.field = f"files.{code}"
                raise
    stored = []
    for code, uploads in files.items():
        for upload in uploads:
            stored.append(
                _store_file(dossier, upload, kind=kind, by=by, at=at, component=components[code])
            )
    return stored


def _missing_components(dossier: Dossier) -> list[Component]:
    have = set(dossier.files.filter(kind=FileKind.COMPONENT).values_list("component_id", flat=True))
    return [c for c in dossier.version.components.all() if c.is_required and c.pk not in have]


# --- online drafts and sending --------------------------------------------------------------


@transaction.atomic
def dossier_draft_save(
    *,
    version: ProcedureVersion,
    receiving_unit: Unit,
    applicant_info: ApplicantInput,
    form_data: Mapping[str, Any],
    by: Any,
    dossier: Dossier | None = None,
    files: Mapping[str, Sequence[UploadedFile]] | None = None,
) -> Dossier:
    """Create or update a citizen's online draft (status 0). The e-form is kept as typed,
    even incomplete; it is checked when the draft is sent. Files are checked at once."""
    if not getattr(by, "is_authenticated", False):
        raise DossierError(_("Xin đăng nhập để nộp hồ sơ trực tuyến."))
    if version.online_level == OnlineLevel.NONE:
        raise DossierError(_("Thủ tục này chưa nộp trực tuyến được; xin nộp tại bộ phận một cửa."))
    _check_receiving_unit(version, receiving_unit)
    applicant = _clean_applicant(applicant_info)
    now = clock.now()
    if dossier is None:
        dossier = Dossier(
            status=Status.DRAFT,
            channel=Channel.ONLINE,
            version=version,
            applicant=by,
            created_at=now,
        )
    else:
        dossier = _lock(dossier)
        if dossier.applicant_id != by.pk or dossier.status != Status.DRAFT:
            raise DossierError(_("Hồ sơ này đã gửi, không sửa bản nháp được nữa."))
    dossier.receiving_unit = receiving_unit
    dossier.handling_unit = version.handling_unit or receiving_unit
    dossier.current_unit = receiving_unit
    dossier.applicant_name = applicant.name
    dossier.applicant_id_number = applicant.id_number
    dossier.applicant_phone = applicant.phone
    dossier.applicant_email = applicant.email
    dossier.applicant_address = applicant.address
    dossier.form_data = {
        str(k): (nfc(v) if isinstance(v, str) else v) for k, v in form_data.items()
    }
    dossier.search_text = _search_text(dossier)
    dossier.save()
    if files:
        replaced = [code for code, uploads in files.items() if uploads]
        components = _components_by_code(version)
        dossier.files.filter(
            kind=FileKind.COMPONENT,
            component__in=[components[c] for c in replaced if c in components],
        ).delete()
        _store_components(dossier, files, by=by, at=now)
    audit_record(actor=by, action="dossier.draft", obj=dossier)
    return dossier


@transaction.atomic
def dossier_file_remove(*, file: DossierFile, by: Any) -> None:
    """Remove a file from the applicant's own draft."""
    dossier = _lock(file.dossier)
    if dossier.status != Status.DRAFT or not is_applicant(by, dossier):
        raise DossierError(_("Không xóa được tệp của hồ sơ đã gửi."))
    file.delete()
    audit_record(actor=by, action="dossier.file_remove", obj=dossier)


def appointment_preview(version: ProcedureVersion, *, at: dt.datetime | None = None) -> dt.datetime:
    """The appointment date the dossier would get if received at *at* (now by default)."""
    return deadlines.appointment(at or clock.now(), version.processing_days)


def _assign_code(dossier: Dossier, now: dt.datetime) -> None:
    agency = dossier.receiving_unit.agency_code or ""
    dossier.code = next_dossier_code(agency, timezone.localdate(now))


def _open_first_step(dossier: Dossier) -> None:
    steps = _steps(dossier.version)
    dossier.current_step = steps[0] if steps else None
    dossier.current_unit = dossier.receiving_unit
    dossier.step_due_at = None


@transaction.atomic
def dossier_submit(*, dossier: Dossier, by: Any, submission_key: str | None = None) -> Dossier:
    """Send an online draft: check the e-form and the required components, give the code.

    Sending again (a double click, a resent form) returns the dossier already sent."""
    dossier = _lock(dossier)
    if dossier.status != Status.DRAFT and is_applicant(by, dossier):
        return dossier
    _check_version_in_force(dossier.version, timezone.localdate(clock.now()))
    missing = _missing_components(dossier)
    missing_errors = {f"files.{c.code}": [_("Xin tải lên giấy tờ này.")] for c in missing}
    try:
        dossier.form_data = _validate_form(dossier.version, dossier.form_data)
    except DossierError as exc:
        # Everything to fix at once: the e-form's errors and the missing documents.
        exc.errors.update(missing_errors)
        raise
    if missing:
        raise DossierError(
            _("Còn thiếu giấy tờ bắt buộc: %(names)s.")
            % {"names": "; ".join(c.name for c in missing)},
            field="files",
            errors=missing_errors,
        )
    before = dossier_transition(dossier=dossier, action="submit", by=by)
    now = clock.now()
    _assign_code(dossier, now)
    dossier.submitted_at = now
    dossier.submission_key = submission_key
    _open_first_step(dossier)
    dossier.search_text = _search_text(dossier)
    dossier.save()
    _event(dossier, "submit", by=by, at=now, before=before)
    _audit(dossier, "submit", by=by, before=before)
    _after_commit(notify.dossier_sent, dossier.pk)
    return dossier


@transaction.atomic
def dossier_create(
    *,
    version: ProcedureVersion,
    receiving_unit: Unit,
    channel: int,
    applicant_info: ApplicantInput,
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[UploadedFile]],
    by: Any,
    applicant: Any = None,
    submission_key: str | None = None,
) -> Dossier:
    """Register a whole dossier at once (status 1): at the counter by a one-stop officer
    (channel 1, with the scans), by post (channel 3), or from a kiosk or the national portal
    through the API (channel 2). A repeated *submission_key* returns the first dossier."""
    if submission_key:
        existing = Dossier.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    if channel not in Channel.values:
        raise DossierError(_("Kênh nộp hồ sơ không đúng."), field="channel")
    now = clock.now()
    _check_version_in_force(version, timezone.localdate(now))
    _check_receiving_unit(version, receiving_unit)
    person = _clean_applicant(applicant_info)
    clean_form = _validate_form(version, form_data)
    # Written first as a draft without a code while its files are checked and stored; the code
    # comes last, so the agency's day sequence stays locked only for the rest of the
    # transaction, not while megabytes are hashed and written.
    dossier = Dossier(
        status=Status.DRAFT,
        channel=channel,
        version=version,
        receiving_unit=receiving_unit,
        handling_unit=version.handling_unit or receiving_unit,
        current_unit=receiving_unit,
        applicant=applicant,
        applicant_name=person.name,
        applicant_id_number=person.id_number,
        applicant_phone=person.phone,
        applicant_email=person.email,
        applicant_address=person.address,
        form_data=clean_form,
        registered_by=by if getattr(by, "is_official", False) else None,
        created_at=now,
        submitted_at=now,
        submission_key=submission_key,
    )
    _open_first_step(dossier)
    try:
        with transaction.atomic():
            dossier.save()
    except IntegrityError as exc:
        if submission_key and Dossier.objects.filter(submission_key=submission_key).exists():
            raise DossierError(_("Hồ sơ này đã được gửi."), code="duplicate") from exc
        raise
    _store_components(dossier, files, by=by, at=now)
    dossier.status = Status.NEW
    _assign_code(dossier, now)
    dossier.search_text = _search_text(dossier)
    dossier.save(update_fields=["status", "code", "search_text"])
    action = "register" if channel == Channel.COUNTER else "submit"
    _event(dossier, action, by=by, at=now, before=None)
    _audit(dossier, action, by=by, before=None, channel=channel)
    _after_commit(notify.dossier_sent, dossier.pk)
    return dossier


# --- receipt at the one-stop counter --------------------------------------------------------


def _open_handover(
    dossier: Dossier,
    step: Step | None,
    *,
    by: Any,
    at: dt.datetime,
    calendar: WorkingCalendar,
) -> Handover:
    unit = step_unit(dossier, step)
    days = step.days if step is not None else Decimal(dossier.version.processing_days)
    due = deadlines.step_due(at, days, appointment_at=dossier.due_at, calendar=calendar)
    dossier.current_step = step
    dossier.current_unit = unit
    dossier.step_due_at = due
    dossier.assignee = None
    return Handover.objects.create(
        dossier=dossier,
        step=step,
        unit=unit,
        handed_by=by if getattr(by, "is_authenticated", False) else None,
        handed_at=at,
        due_at=due,
    )


def _close_handover(dossier: Dossier, *, by: Any, at: dt.datetime, note: str = "") -> None:
    Handover.objects.filter(dossier=dossier, done_at__isnull=True).update(
        done_at=at, done_by=by if getattr(by, "is_authenticated", False) else None, note=note
    )


@transaction.atomic
def dossier_accept(*, dossier: Dossier, by: Any, fee_exempt_reason: str = "") -> Dossier:
    """Receive a complete dossier: the clock starts, the appointment date is set (receipt and
    appointment slip) and the dossier goes to its first processing step."""
    dossier = _lock(dossier)
    before = dossier_transition(dossier=dossier, action="accept", by=by)
    now = clock.now()
    calendar = WorkingCalendar.from_database()
    dossier.received_at = now
    dossier.due_at = deadlines.appointment(now, dossier.version.processing_days, calendar=calendar)
    dossier.original_due_at = dossier.due_at
    exempt = _text(fee_exempt_reason, field="fee_exempt_reason")[:255]
    dossier.fee_exempt_reason = exempt
    if dossier.paid_at is None:
        dossier.fee_amount = 0 if exempt else dossier.version.fee_total
    steps = _steps(dossier.version)
    receipt_step = steps[0] if steps and steps[0].actor == StepActor.RECEIVING else None
    if receipt_step is not None:
        Handover.objects.create(
            dossier=dossier,
            step=receipt_step,
            unit=dossier.receiving_unit,
            handed_at=dossier.submitted_at or now,
            due_at=now,
            done_at=now,
            done_by=by,
        )
        steps = steps[1:]
    _open_handover(dossier, steps[0] if steps else None, by=by, at=now, calendar=calendar)
    dossier.save()
    _event(dossier, "accept", by=by, at=now, before=before, unit=dossier.receiving_unit)
    _audit(dossier, "accept", by=by, before=before, due_at=dossier.due_at)
    _after_commit(notify.dossier_accepted, dossier.pk)
    return dossier


@transaction.atomic
def dossier_refuse(*, dossier: Dossier, by: Any, reason: str) -> Dossier:
    """Refuse to receive a dossier (refusal slip with the reason)."""
    dossier = _lock(dossier)
    reason = _text(reason, field="reason", required=_("Xin ghi rõ lý do từ chối."))
    before = dossier_transition(dossier=dossier, action="refuse", by=by)
    now = clock.now()
    dossier.stop_reason = reason
    dossier.closed_at = now
    dossier.current_step = None
    dossier.save()
    _event(dossier, "refuse", by=by, at=now, before=before, note=reason)
    _audit(dossier, "refuse", by=by, before=before)
    _after_commit(notify.dossier_refused, dossier.pk)
    return dossier


def _clean_items(items: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    clean = []
    for item in items or []:
        name = nfc(str(item.get("name", ""))).strip()
        reason = nfc(str(item.get("reason", ""))).strip()
        if name:
            clean.append({"name": name[:500], "reason": reason[:1000]})
    if not clean:
        raise DossierError(
            _("Xin liệt kê đầy đủ một lần tất cả giấy tờ cần bổ sung."), field="items"
        )
    return clean


@transaction.atomic
def dossier_request_documents(
    *, dossier: Dossier, by: Any, items: Sequence[Mapping[str, str]], note: str = ""
) -> AdditionalRequest:
    """Ask the applicant, once and in writing, for everything still missing.

    At receipt (status 1) the dossier is simply not received yet. During processing the clock
    pauses until the documents arrive, and a second request counts the dossier as late."""
    dossier = _lock(dossier)
    clean = _clean_items(items)
    note = _text(note, field="note")
    at_receipt = dossier.status == Status.NEW
    action = "request_documents_at_receipt" if at_receipt else "request_documents"
    before = dossier_transition(dossier=dossier, action=action, by=by)
    now = clock.now()
    if not at_receipt:
        dossier.paused_at = now
        dossier.additional_requests += 1
        if dossier.additional_requests > 1:
            dossier.is_late = True
    dossier.save()
    request = AdditionalRequest.objects.create(
        dossier=dossier, items=clean, note=note, requested_by=by, requested_at=now
    )
    _event(dossier, action, by=by, at=now, before=before, note=note)
    _audit(dossier, action, by=by, before=before, items=len(clean))
    _after_commit(notify.documents_requested, dossier.pk)
    return request


def _resume(dossier: Dossier, *, now: dt.datetime) -> None:
    """Restart the clock: appointment and open step move later by the time waited."""
    if dossier.paused_at is None:
        return
    calendar = WorkingCalendar.from_database()
    waited = deadlines.paused_time(dossier.paused_at, now, calendar=calendar)
    dossier.due_at = deadlines.shift(dossier.due_at, waited, calendar=calendar)
    dossier.step_due_at = deadlines.shift(dossier.step_due_at, waited, calendar=calendar)
    for handover in Handover.objects.filter(dossier=dossier, done_at__isnull=True):
        handover.due_at = deadlines.shift(handover.due_at, waited, calendar=calendar) or now
        handover.save(update_fields=["due_at"])
    dossier.paused_at = None


@transaction.atomic
def dossier_supply_documents(
    *,
    dossier: Dossier,
    by: Any,
    files: Mapping[str, Sequence[UploadedFile]] | None = None,
    extra_files: Sequence[UploadedFile] = (),
    note: str = "",
) -> Dossier:
    """The applicant (or the counter on their behalf) supplies the requested documents."""
    dossier = _lock(dossier)
    note = _text(note, field="note")
    if not files and not extra_files and not note:
        raise DossierError(_("Xin tải lên giấy tờ bổ sung hoặc ghi chú."), field="files")
    action = "supply_documents" if dossier.received_at else "supply_documents_at_receipt"
    before = dossier_transition(dossier=dossier, action=action, by=by)
    now = clock.now()
    for upload in extra_files:
        check_dossier_file(upload)
    if files:
        _store_components(dossier, files, by=by, at=now, kind=FileKind.ADDITIONAL)
    for upload in extra_files:
        _store_file(dossier, upload, kind=FileKind.ADDITIONAL, by=by, at=now)
    _resume(dossier, now=now)
    dossier.save()
    AdditionalRequest.objects.filter(dossier=dossier, resolved_at__isnull=True).update(
        resolved_at=now
    )
    _event(dossier, action, by=by, at=now, before=before, note=note)
    _audit(dossier, action, by=by, before=before)
    _after_commit(notify.documents_supplied, dossier.pk)
    return dossier


# --- processing -----------------------------------------------------------------------------


def _has_result(dossier: Dossier) -> bool:
    return bool(dossier.result_note) or dossier.files.filter(kind=FileKind.RESULT).exists()


@transaction.atomic
def dossier_forward(*, dossier: Dossier, by: Any, note: str = "", assignee: Any = None) -> Dossier:
    """Finish the current step and hand the dossier to the next one (possibly another unit).

    Handing it to the last step, the return of the result at the receiving counter, finishes
    processing (status 9): that needs the result attached first."""
    dossier = _lock(dossier)
    note = _text(note, field="note")
    following, _unit, finishing = forward_target(dossier, _steps(dossier.version))
    action = "finish" if finishing else "forward"
    if finishing and not _has_result(dossier):
        raise DossierError(
            _("Xin đính kèm kết quả giải quyết trước khi hoàn thành xử lý."), field="result"
        )
    before = dossier_transition(dossier=dossier, action=action, by=by)
    now = clock.now()
    calendar = WorkingCalendar.from_database()
    _close_handover(dossier, by=by, at=now, note=note)
    if finishing:
        dossier.processed_at = now
        if dossier.due_at is not None and now > dossier.due_at:
            dossier.is_late = True
        if following is not None:
            _open_handover(dossier, following, by=by, at=now, calendar=calendar)
        else:
            dossier.current_step = None
            dossier.current_unit = dossier.receiving_unit
            dossier.step_due_at = None
    else:
        _open_handover(dossier, following, by=by, at=now, calendar=calendar)
        if assignee is not None:
            if getattr(assignee, "unit_id", None) != dossier.current_unit_id:
                raise DossierError(
                    _("Cán bộ được giao phải thuộc đơn vị nhận hồ sơ."), field="assignee"
                )
            dossier.assignee = assignee
    dossier.save()
    _event(dossier, action, by=by, at=now, before=before, note=note)
    _audit(dossier, action, by=by, before=before, to_unit=dossier.current_unit_id)
    _after_commit(notify.dossier_moved, dossier.pk, action)
    return dossier


@transaction.atomic
def dossier_send_back(*, dossier: Dossier, by: Any, reason: str) -> Dossier:
    """Return the dossier to the previous processing step, with the reason (e.g. a leader
    sends a draft result back to the specialist)."""
    dossier = _lock(dossier)
    reason = _text(reason, field="reason", required=_("Xin ghi rõ lý do trả lại."))
    current = dossier.current_step
    steps = _steps(dossier.version)
    earlier = [s for s in steps if current is not None and s.order < current.order]
    if earlier and earlier[0] == steps[0] and earlier[0].actor == StepActor.RECEIVING:
        earlier = earlier[1:]  # the receipt at the counter is not processing to redo
    if not earlier:
        raise DossierError(_("Đây là bước xử lý đầu tiên, không có bước trước để trả lại."))
    before = dossier_transition(dossier=dossier, action="send_back", by=by)
    now = clock.now()
    _close_handover(dossier, by=by, at=now, note=reason)
    _open_handover(dossier, earlier[-1], by=by, at=now, calendar=WorkingCalendar.from_database())
    dossier.save()
    _event(dossier, "send_back", by=by, at=now, before=before, note=reason)
    _audit(dossier, "send_back", by=by, before=before, to_unit=dossier.current_unit_id)
    _after_commit(notify.dossier_moved, dossier.pk, "send_back")
    return dossier


@transaction.atomic
def dossier_attach_result(
    *, dossier: Dossier, by: Any, upload: UploadedFile | None = None, note: str = ""
) -> Dossier:
    """Attach the result (a PDF) and/or its description."""
    dossier = _lock(dossier)
    note = _text(note, field="result_note")
    if upload is None and not note:
        raise DossierError(_("Xin đính kèm tệp kết quả hoặc ghi nội dung kết quả."), field="result")
    before = dossier_transition(dossier=dossier, action="attach_result", by=by)
    now = clock.now()
    if upload is not None:
        _name, content_type, _size = check_dossier_file(upload)
        if content_type != "application/pdf":
            raise DossierError(_("Kết quả điện tử phải là tệp PDF."), field="result")
        dossier.files.filter(kind=FileKind.RESULT).delete()
        _store_file(dossier, upload, kind=FileKind.RESULT, by=by, at=now)
    if note:
        dossier.result_note = note
    dossier.save()
    _event(dossier, "attach_result", by=by, at=now, before=before)
    _audit(dossier, "attach_result", by=by, before=before)
    return dossier


@transaction.atomic
def dossier_return_result(*, dossier: Dossier, by: Any) -> Dossier:
    """Hand the result to the applicant at the counter, by post or online (status 10)."""
    dossier = _lock(dossier)
    before = dossier_transition(dossier=dossier, action="return_result", by=by)
    now = clock.now()
    _close_handover(dossier, by=by, at=now)
    dossier.returned_at = now
    dossier.closed_at = now
    dossier.current_step = None
    dossier.step_due_at = None
    dossier.save()
    _event(dossier, "return_result", by=by, at=now, before=before)
    _audit(dossier, "return_result", by=by, before=before)
    _after_commit(notify.result_returned, dossier.pk)
    return dossier


@transaction.atomic
def dossier_apologise(
    *, dossier: Dossier, by: Any, reason: str, new_due_at: dt.datetime
) -> Apology:
    """A dossier that will be late: an apology slip with the reason and a new date."""
    dossier = _lock(dossier)
    reason = _text(reason, field="reason", required=_("Xin ghi rõ lý do chậm trả kết quả."))
    if timezone.is_naive(new_due_at):
        raise DossierError(_("Ngày hẹn mới không đúng."), field="new_due_at")
    now = clock.now()
    if new_due_at <= now or (dossier.due_at is not None and new_due_at <= dossier.due_at):
        raise DossierError(
            _("Ngày hẹn mới phải sau ngày hẹn hiện tại và sau thời điểm này."), field="new_due_at"
        )
    before = dossier_transition(dossier=dossier, action="apologise", by=by)
    apology = Apology.objects.create(
        dossier=dossier,
        reason=reason,
        old_due_at=dossier.due_at or now,
        new_due_at=new_due_at,
        by=by,
        at=now,
    )
    dossier.due_at = new_due_at
    dossier.is_late = True
    dossier.save()
    _event(dossier, "apologise", by=by, at=now, before=before, note=reason)
    _audit(dossier, "apologise", by=by, before=before, new_due_at=new_due_at)
    _after_commit(notify.apologised, dossier.pk)
    return apology


@transaction.atomic
def dossier_request_financial(*, dossier: Dossier, by: Any, amount: int, note: str) -> Dossier:
    """Ask the applicant to fulfil a financial obligation (e.g. land-use levy); the clock
    pauses until it is confirmed."""
    dossier = _lock(dossier)
    note = _text(note, field="note", required=_("Xin ghi rõ khoản nghĩa vụ tài chính."))
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise DossierError(_("Số tiền phải là số nguyên dương (đồng)."), field="amount")
    before = dossier_transition(dossier=dossier, action="request_financial", by=by)
    now = clock.now()
    dossier.paused_at = now
    dossier.save()
    _event(dossier, "request_financial", by=by, at=now, before=before, note=f"{amount:,} đ. {note}")
    _audit(dossier, "request_financial", by=by, before=before, amount=amount)
    _after_commit(notify.financial_requested, dossier.pk)
    return dossier


@transaction.atomic
def dossier_confirm_financial(*, dossier: Dossier, by: Any, note: str = "") -> Dossier:
    """The obligation is fulfilled: processing and the clock resume."""
    dossier = _lock(dossier)
    note = _text(note, field="note")
    before = dossier_transition(dossier=dossier, action="confirm_financial", by=by)
    now = clock.now()
    _resume(dossier, now=now)
    dossier.save()
    _event(dossier, "confirm_financial", by=by, at=now, before=before, note=note)
    _audit(dossier, "confirm_financial", by=by, before=before)
    return dossier


def _close(dossier: Dossier, action: str, *, by: Any, reason: str, required: str) -> Dossier:
    dossier = _lock(dossier)
    reason = _text(reason, field="reason", required=required)
    before = dossier_transition(dossier=dossier, action=action, by=by)
    now = clock.now()
    _close_handover(dossier, by=by, at=now, note=reason)
    dossier.stop_reason = reason
    dossier.closed_at = now
    dossier.paused_at = None
    dossier.step_due_at = None
    dossier.save()
    _event(dossier, action, by=by, at=now, before=before, note=reason)
    _audit(dossier, action, by=by, before=before)
    _after_commit(notify.dossier_closed, dossier.pk, action)
    return dossier


@transaction.atomic
def dossier_withdraw(*, dossier: Dossier, by: Any, reason: str) -> Dossier:
    """The applicant withdraws the dossier (status 7)."""
    return _close(dossier, "withdraw", by=by, reason=reason, required=_("Xin ghi lý do rút hồ sơ."))


@transaction.atomic
def dossier_stop(*, dossier: Dossier, by: Any, reason: str) -> Dossier:
    """A leader stops processing (status 8), with the legal reason."""
    return _close(dossier, "stop", by=by, reason=reason, required=_("Xin ghi rõ lý do dừng xử lý."))


@transaction.atomic
def dossier_rate(*, dossier: Dossier, by: Any, rating: str, comment: str = "") -> Feedback:
    """The applicant rates how the dossier was handled, once, after the result."""
    dossier = _lock(dossier)
    if rating not in Rating.values:
        raise DossierError(_("Xin chọn mức độ hài lòng."), field="rating")
    comment = _text(comment, field="comment")
    before = dossier_transition(dossier=dossier, action="rate", by=by)
    if Feedback.objects.filter(dossier=dossier).exists():
        raise DossierError(_("Hồ sơ này đã được đánh giá."), field="rating")
    now = clock.now()
    feedback = Feedback.objects.create(dossier=dossier, rating=rating, comment=comment, at=now)
    _event(dossier, "rate", by=by, at=now, before=before)
    _audit(dossier, "rate", by=by, before=before, rating=rating)
    return feedback


@transaction.atomic
def dossier_fee_paid(
    *, dossier: Dossier, reference: str, paid_at: dt.datetime, online: bool, by: Any = None
) -> Dossier:
    """Record the fee as paid (the payment provider's confirmation, or cash at the counter).
    Idempotent: a second confirmation of the same payment changes nothing."""
    dossier = _lock(dossier)
    if dossier.paid_at is not None:
        return dossier
    if dossier.status in (Status.DRAFT, Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.STOPPED):
        raise DossierError(_("Hồ sơ không ở trạng thái nộp phí."))
    return _record_payment(dossier, reference=reference, paid_at=paid_at, online=online, by=by)


@transaction.atomic
def dossier_collect_fee(*, dossier: Dossier, by: Any, receipt_number: str) -> Dossier:
    """An official of the receiving counter records the fee paid in cash, with the number of
    the receipt handed to the applicant."""
    dossier = _lock(dossier)
    if dossier.paid_at is not None:
        raise DossierError(_("Hồ sơ đã nộp phí, lệ phí rồi."))
    if not fee_due(dossier):
        raise DossierError(_("Hồ sơ không phải nộp phí, lệ phí."))
    receipt = _text(
        receipt_number,
        field="receipt_number",
        required=_("Xin nhập số biên lai thu phí, lệ phí đã giao cho người nộp."),
    )
    if len(receipt) > 64:
        raise DossierError(_("Số biên lai dài quá 64 ký tự."), field="receipt_number")
    dossier_transition(dossier=dossier, action="collect_fee", by=by)
    return _record_payment(dossier, reference=receipt, paid_at=clock.now(), online=False, by=by)


def _record_payment(
    dossier: Dossier, *, reference: str, paid_at: dt.datetime, online: bool, by: Any
) -> Dossier:
    dossier.paid_at = paid_at
    dossier.paid_online = online
    dossier.payment_reference = reference[:64]
    if not dossier.fee_amount:
        dossier.fee_amount = dossier.version.fee_total
    dossier.save()
    _event(dossier, "pay", by=by, at=clock.now(), before=dossier.status, note=reference)
    audit_record(actor=by, action="dossier.pay", obj=dossier, changes={"reference": reference})
    return dossier


def fee_due(dossier: Dossier) -> int:
    """What the applicant still has to pay, in đồng."""
    if dossier.paid_at is not None or dossier.fee_exempt_reason:
        return 0
    return dossier.fee_amount or dossier.version.fee_total
