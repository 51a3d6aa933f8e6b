"""Writes on feedback reports. Every change of a report goes through a function here.

Each function: ``@transaction.atomic``; locks the report row; checks the move against
``workflow.TRANSITIONS`` and the actor's side and roles (``report_transition``); writes; appends
an ``Event`` (history), the officials' in-app notices and an audit row in the same transaction;
sends what leaves the database (mail, webhooks) with ``transaction.on_commit``. Officials are
passed as ``by=``; reporters as ``reporter=`` (a :class:`Reporter` found by their private link);
the web and API layers never write the ORM.

Errors: :class:`FeedbackError` (a ``ValidationError`` subclass) with a Vietnamese message and, where
it concerns one input, ``field``; callers show it beside the field or in the API error shape.
"""

from __future__ import annotations

import datetime as dt
import functools
import mimetypes
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chinhquyenso.accounts.permissions import roles_of
from chinhquyenso.accounts.phone import normalise_phone
from chinhquyenso.core import clock
from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.models import Notification
from chinhquyenso.core.search import searchable_text
from chinhquyenso.core.text import clean_text
from chinhquyenso.feedback import notify
from chinhquyenso.feedback.codes import new_access_token, new_tracking_code
from chinhquyenso.feedback.deadlines import (
    accept_deadline,
    answer_deadline,
    current_deadline,
    extended_deadline,
    feedback_calendar,
    resumed_deadline,
    working_seconds_between,
)
from chinhquyenso.feedback.files import CheckedFile, check_upload, check_upload_count, public_copy
from chinhquyenso.feedback.models import (
    Attachment,
    Category,
    Event,
    EventKind,
    ExtensionRequest,
    Rating,
    RefusalReason,
    Report,
    Reporter,
    RoutingRule,
    Satisfaction,
    Status,
    Urgency,
)
from chinhquyenso.feedback.privacy import redact
from chinhquyenso.feedback.routing import handling_unit_for, receiving_unit_for
from chinhquyenso.feedback.selectors import (
    CATEGORIES,
    can_act,
    can_comment_as_front,
    reports_visible_to,
    supervises,
)
from chinhquyenso.feedback.workflow import FINAL_STATES, HANDLING_ROLES, OPEN_STATES, TRANSITIONS
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS, Unit


class FeedbackError(ValidationError):
    """A refused write, with a Vietnamese message meant for the person who tried it.

    ``field`` names the input it concerns (``"text"``, ``"phone"``, ``"answers.<key>"``, …) or
    is ``None`` for the request as a whole.
    """

    def __init__(self, message: Any, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


@dataclass(frozen=True)
class ReporterInput:
    """Contact details a reporter gives; all optional (anonymous reports are allowed)."""

    name: str = ""
    phone: str = ""
    email: str = ""
    identity_private: bool = False
    consent_given: bool = False
    user: Any = None  # the logged-in citizen account, if any


@dataclass(frozen=True)
class ReportInput:
    """What a citizen (or a connected system) sends to create a report."""

    text: str
    category: Category
    commune: Unit
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    named_official_text: str = ""
    files: Sequence[UploadedFile] = ()
    media_url: str = ""  # Open311: a photo kept by the sending system (stored, never fetched)
    reporter: ReporterInput = ReporterInput()
    channel: str = "web"
    submitted_by_client: Any = None  # ApiClient when sent through the API / Open311
    submitter_ip: str | None = None


# --- helpers ---------------------------------------------------------------------------------

#: What each action is called in messages ("không thể <label>").
ACTION_LABELS: dict[str, Any] = {
    "accept": gettext_lazy("tiếp nhận"),
    "refuse": gettext_lazy("từ chối"),
    "hand_off": gettext_lazy("chuyển hướng dẫn khiếu nại, tố cáo"),
    "merge": gettext_lazy("gộp"),
    "classify": gettext_lazy("phân loại"),
    "transfer": gettext_lazy("chuyển đơn vị khác"),
    "return": gettext_lazy("trả lại"),
    "assign": gettext_lazy("giao xử lý"),
    "note": gettext_lazy("ghi chú"),
    "request_info": gettext_lazy("đề nghị bổ sung thông tin"),
    "supply_info": gettext_lazy("bổ sung thông tin"),
    "draft_answer": gettext_lazy("dự thảo trả lời"),
    "answer": gettext_lazy("trả lời"),
    "approve_answer": gettext_lazy("duyệt trả lời"),
    "return_draft": gettext_lazy("trả lại dự thảo"),
    "request_extension": gettext_lazy("đề nghị gia hạn"),
    "decide_extension": gettext_lazy("quyết định gia hạn"),
    "publish": gettext_lazy("công khai"),
    "unpublish": gettext_lazy("thôi công khai"),
    "rate": gettext_lazy("đánh giá"),
    "request_reopen": gettext_lazy("đề nghị xử lý lại"),
    "reopen": gettext_lazy("quyết định xử lý lại"),
    "refuse_reopen": gettext_lazy("quyết định xử lý lại"),
    "close": gettext_lazy("kết thúc"),
}

MAX_TEXT = 10_000
MAX_EXTENSION_DAYS = 60
#: Events that hand a report to a (new) holder; each hop is timed from the last of them.
HAND_OVER_KINDS = (
    EventKind.ACCEPTED,
    EventKind.TRANSFERRED,
    EventKind.RETURNED,
    EventKind.REOPENED,
)


def _lock(report: Report) -> Report:
    """The report row, locked for the rest of the transaction, with the category and units
    every write reads (one query; only the report's row is locked)."""
    try:
        return (
            Report.objects.select_for_update(of=("self",))
            .select_related(
                "category", "category__parent", "commune", "receiving_unit", "handling_unit"
            )
            .get(pk=report.pk)
        )
    except Report.DoesNotExist as exc:
        raise FeedbackError(_("Không tìm thấy phản ánh.")) from exc


def _required(value: str | None, *, field: str, message: str, limit: int = MAX_TEXT) -> str:
    text = clean_text(value or "")
    if not text:
        raise FeedbackError(message, field=field)
    if len(text) > limit:
        raise FeedbackError(
            _("Nội dung dài quá %(limit)s ký tự.") % {"limit": f"{limit:,}".replace(",", ".")},
            field=field,
        )
    return text


def report_transition(
    *, report: Report, action: str, by: Any = None, reporter: Reporter | None = None
) -> str:
    """Check *action* against ``workflow.TRANSITIONS`` and the actor; apply its target state to
    *report* (not saved). Returns the state it was in. The only code that changes the status."""
    move = TRANSITIONS[action]
    label = ACTION_LABELS.get(action, action)
    if report.status not in move.sources:
        raise FeedbackError(
            _("Không thể %(action)s: phản ánh đang ở trạng thái “%(status)s”.")
            % {"action": label, "status": Status(report.status).label}
        )
    if move.side == "reporter":
        allowed = reporter is not None and reporter.report_id == report.pk
    elif move.side == "system":
        allowed = by is None and reporter is None
    else:
        allowed = can_act(by, report, action)
    if not allowed:
        raise FeedbackError(
            _("Anh/chị không có quyền %(action)s phản ánh này.") % {"action": label}
        )
    before = report.status
    if move.target is not None:
        report.status = move.target
    return before


def _reporter_actor(user: Any) -> Any:
    """Who a reporter's write is recorded as: their account, or an anonymous visitor."""
    return user if getattr(user, "is_authenticated", False) else AnonymousUser()


def _official_unit(by: Any) -> Unit | None:
    return by.unit if by is not None and getattr(by, "is_official", False) else None


def _event(
    report: Report,
    kind: str,
    *,
    by: Any = None,
    at: dt.datetime,
    from_status: str = "",
    note: str = "",
    is_public: bool = False,
    from_unit: Unit | None = None,
    to_unit: Unit | None = None,
    working_seconds: int | None = None,
) -> Event:
    return Event.objects.create(
        report=report,
        kind=kind,
        at=at,
        actor=by if getattr(by, "is_authenticated", False) else None,
        actor_unit=_official_unit(by),
        from_status=from_status,
        to_status=report.status if from_status else "",
        from_unit=from_unit,
        to_unit=to_unit,
        note=note,
        is_public=is_public,
        working_seconds=working_seconds,
    )


def _hop_seconds(report: Report, now: dt.datetime) -> int | None:
    """Working seconds since the report was last handed over (accepted, transferred, …)."""
    since = (
        Event.objects.filter(report=report, kind__in=HAND_OVER_KINDS)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    if since is None:
        return None
    return working_seconds_between(since, now)


def _search_text(report: Report) -> str:
    return searchable_text(report.tracking_code, report.text, report.address, report.answer)


def _public_search_text(report: Report) -> str:
    """The folded public document of a published report (``Report.public_search_text``):
    public text and answer (personal data already removed), category, group and commune
    names. Never anything private: the public search reads only this column."""
    category = report.category
    group = category.parent.name if category.parent_id and category.parent else ""
    return searchable_text(
        report.public_text, report.public_answer, category.name, group, report.commune.name
    )


def _after_commit(func: Callable[..., Any], *args: Any) -> None:
    transaction.on_commit(functools.partial(func, *args))


def _check_files(files: Sequence[UploadedFile]) -> list[CheckedFile]:
    """Check every upload before anything is written; a bad one refuses the whole write."""
    if not files:
        return []
    try:
        check_upload_count(files)
        return [check_upload(f) for f in files]
    except FeedbackError:
        raise
    except ValidationError as exc:
        raise FeedbackError(" ".join(exc.messages), field="files") from exc


def _save_files(
    report: Report, checked: Sequence[CheckedFile], *, now: dt.datetime, is_answer: bool = False
) -> None:
    for item in checked:
        extension = mimetypes.guess_extension(item.content_type) or ""
        name = f"{secrets.token_hex(12)}{extension}"
        attachment = Attachment(
            report=report,
            original_name=clean_text(item.original_name)[:255],
            content_type=item.content_type,
            size=item.size,
            uploaded_at=now,
            is_answer=is_answer,
        )
        item.file.seek(0)
        attachment.file.save(name, item.file, save=False)
        item.file.seek(0)
        public = public_copy(item.file, item.content_type)
        if public is not None:
            attachment.public_file.save(name, public, save=False)
        attachment.save()


def _clean_answers(category: Category, answers: dict[str, Any]) -> dict[str, Any]:
    """The extra answers for *category*'s questions, checked; unknown keys are dropped."""
    cleaned: dict[str, Any] = {}
    for question in category.questions or []:
        key, label = question.get("key"), question.get("label") or question.get("key")
        if not key:
            continue
        value = answers.get(key)
        if isinstance(value, str):
            value = clean_text(value)
        if value in (None, ""):
            if question.get("required"):
                raise FeedbackError(
                    _("Vui lòng trả lời câu hỏi “%(label)s”.") % {"label": label},
                    field=f"answers.{key}",
                )
            continue
        kind = question.get("type", "text")
        if kind == "number":
            try:
                number = Decimal(str(value).replace(",", "."))
                if not number.is_finite():
                    raise InvalidOperation
            except InvalidOperation as exc:
                raise FeedbackError(
                    _("Câu trả lời cho “%(label)s” phải là một số.") % {"label": label},
                    field=f"answers.{key}",
                ) from exc
            value = int(number) if number == number.to_integral_value() else float(number)
        elif kind == "choice":
            if value not in (question.get("choices") or []):
                raise FeedbackError(
                    _("Vui lòng chọn một trong các phương án của “%(label)s”.") % {"label": label},
                    field=f"answers.{key}",
                )
        elif kind == "yes_no":
            if isinstance(value, str):
                value = {"yes": True, "co": True, "có": True, "no": False, "khong": False}.get(
                    value.lower(), value
                )
            if not isinstance(value, bool):
                raise FeedbackError(
                    _("Vui lòng chọn Có hoặc Không cho “%(label)s”.") % {"label": label},
                    field=f"answers.{key}",
                )
        else:
            value = str(value)[:2000]
        cleaned[key] = value
    return cleaned


def province_bounds() -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """Setting ``FEEDBACK_BOUNDS`` as (south, west, north, east)."""
    try:
        south, west, north, east = (Decimal(p.strip()) for p in settings.FEEDBACK_BOUNDS.split(","))
    except (ValueError, InvalidOperation) as exc:
        raise ImproperlyConfigured(
            f"FEEDBACK_BOUNDS={settings.FEEDBACK_BOUNDS!r}: expected south,west,north,east."
        ) from exc
    return south, west, north, east


def _clean_position(
    latitude: Decimal | None, longitude: Decimal | None
) -> tuple[Decimal | None, Decimal | None]:
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        raise FeedbackError(_("Vị trí trên bản đồ cần có cả vĩ độ và kinh độ."), field="latitude")
    try:
        lat, lon = Decimal(str(latitude)), Decimal(str(longitude))
    except InvalidOperation as exc:
        raise FeedbackError(_("Vị trí trên bản đồ không hợp lệ."), field="latitude") from exc
    south, west, north, east = province_bounds()
    if not (lat.is_finite() and lon.is_finite() and south <= lat <= north and west <= lon <= east):
        raise FeedbackError(
            _("Vị trí đã chọn nằm ngoài địa bàn tỉnh. Vui lòng chọn lại trên bản đồ."),
            field="latitude",
        )
    quantum = Decimal("0.000001")
    return lat.quantize(quantum), lon.quantize(quantum)


MAX_MEDIA_URL = 500


def _clean_media_url(value: str) -> str:
    """An ``http(s)`` address of a photo the sending system keeps; kept as text, never fetched."""
    url = (value or "").strip()
    if not url:
        return ""
    if len(url) > MAX_MEDIA_URL:
        raise FeedbackError(
            _("Đường dẫn ảnh dài quá %(limit)s ký tự.") % {"limit": MAX_MEDIA_URL},
            field="media_url",
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise FeedbackError(
            _("Đường dẫn ảnh không hợp lệ (cần dạng http:// hoặc https://)."), field="media_url"
        ) from exc
    return url


@dataclass(frozen=True)
class _Contact:
    name: str
    phone: str
    email: str


def _clean_contact(reporter: ReporterInput) -> _Contact:
    user = reporter.user if getattr(reporter.user, "is_authenticated", False) else None
    name = clean_text(reporter.name or (user.full_name if user else ""))[:255]
    raw_phone = clean_text(reporter.phone or (user.phone or "" if user else ""))
    phone = ""
    if raw_phone:
        phone = normalise_phone(raw_phone) or ""
        if not phone:
            raise FeedbackError(_("Số điện thoại không hợp lệ."), field="phone")
    email = clean_text(reporter.email or (user.email or "" if user else "")).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise FeedbackError(_("Địa chỉ thư điện tử không hợp lệ."), field="email") from exc
    return _Contact(name=name, phone=phone, email=email)


def _new_reporter(
    report: Report, data: ReporterInput, contact: _Contact, *, now: dt.datetime, original: bool
) -> Reporter:
    user = data.user if getattr(data.user, "is_authenticated", False) else None
    return Reporter.objects.create(
        report=report,
        is_original=original,
        user=user,
        name=contact.name,
        phone=contact.phone,
        email=contact.email,
        identity_private=data.identity_private,
        consent_given=data.consent_given or bool(user and user.personal_data_consent_at),
        access_token=new_access_token(),
        joined_at=now,
    )


def _same_person(report: Report, contact: _Contact, user: Any) -> bool:
    match = Q()
    if contact.phone:
        match |= Q(phone=contact.phone)
    if contact.email:
        match |= Q(email__iexact=contact.email)
    if getattr(user, "is_authenticated", False):
        match |= Q(user=user)
    return bool(match) and Reporter.objects.filter(match, report=report).exists()


# --- creating --------------------------------------------------------------------------------


#: Tries at a fresh tracking code when the random one is already taken (32⁷ codes: a clash is
#: rare, two in a row practically never happen).
TRACKING_CODE_ATTEMPTS = 5


def report_submit(*, data: ReportInput) -> tuple[Report, Reporter]:
    """Create a report: validate (text ≤ 10,000 chars, NFC; required extra answers; coordinates
    inside the province; files by content type and size; EXIF location stripped from public
    copies), give it a tracking code, set the receiving unit (``FEEDBACK_SCREENING``) and the
    accept deadline, mark it confidential when the category is, notify the receiving unit's
    screeners, and e-mail the reporter a confirmation with the private link. Throttling of
    anonymous senders is done by the caller (view/API) before calling this.

    Returns the report and the original reporter (whose ``access_token`` makes the private link).

    Each try is one transaction (:func:`_report_submit_once`). A tracking code that another
    report took first fails the insert; the whole try is rolled back (to its savepoint when the
    caller holds a transaction) and made again with a new code. One transaction without an
    inner savepoint keeps a submission to as few round trips as possible: it is the busiest
    write of the platform.
    """
    for attempt in range(TRACKING_CODE_ATTEMPTS):
        code = new_tracking_code()
        try:
            return _report_submit_once(data=data, tracking_code=code)
        except IntegrityError:
            taken = Report.objects.filter(tracking_code=code).exists()
            if not taken or attempt == TRACKING_CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def _report_submit_once(*, data: ReportInput, tracking_code: str) -> tuple[Report, Reporter]:
    text = _required(data.text, field="text", message=_("Vui lòng cho biết nội dung phản ánh."))
    category = data.category
    if category is None or not category.is_active:
        raise FeedbackError(_("Vui lòng chọn lĩnh vực phản ánh."), field="category")
    commune = data.commune
    if commune is None or commune.kind not in COMMUNE_LEVEL_KINDS or not commune.is_active:
        raise FeedbackError(_("Vui lòng chọn xã, phường nơi xảy ra sự việc."), field="commune")
    answers = _clean_answers(category, dict(data.answers or {}))
    latitude, longitude = _clean_position(data.latitude, data.longitude)
    contact = _clean_contact(data.reporter)
    checked = _check_files(data.files)
    now = clock.now()
    report = Report(
        tracking_code=tracking_code,
        status=Status.SUBMITTED,
        category=category,
        urgency=category.default_urgency,
        text=text,
        answers=answers,
        commune=commune,
        address=clean_text(data.address)[:500],
        latitude=latitude,
        longitude=longitude,
        media_url=_clean_media_url(data.media_url),
        receiving_unit=receiving_unit_for(commune=commune),
        is_confidential=category.is_confidential,
        named_official_text=clean_text(data.named_official_text)[:255],
        submitted_at=now,
        accept_due_at=accept_deadline(now),
        channel=clean_text(data.channel)[:20] or "web",
        submitted_by_client=data.submitted_by_client,
        submitter_ip=data.submitter_ip or None,
    )
    report.search_text = _search_text(report)
    report.save(force_insert=True)
    reporter = _new_reporter(report, data.reporter, contact, now=now, original=True)
    _save_files(report, checked, now=now)
    _event(report, EventKind.SUBMITTED, at=now, is_public=True, to_unit=report.receiving_unit)
    notify.notify_new_report(report)
    # Last write: the audit chain's lock is held from here to the commit.
    audit_record(
        actor=_reporter_actor(data.reporter.user),
        action="feedback.submit",
        obj=report,
        changes={
            "status": [None, report.status],
            "category": [None, category.code],
            "commune": [None, commune.name],
            "channel": [None, report.channel],
        },
    )
    _after_commit(notify.mail_receipt, reporter)
    return report, reporter


#: States in which a person may still join a report as a co-reporter.
JOINABLE_STATES = frozenset(
    {
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.INFO_REQUESTED,
        Status.AWAITING_APPROVAL,
        Status.REOPEN_REQUESTED,
    }
)


@transaction.atomic
def report_join(*, report: Report, reporter: ReporterInput) -> Reporter:
    """Add a co-reporter to an open report (instead of sending a duplicate)."""
    report = _lock(report)
    if report.status not in JOINABLE_STATES:
        raise FeedbackError(
            _("Phản ánh này không còn nhận người cùng phản ánh (trạng thái “%(status)s”).")
            % {"status": Status(report.status).label}
        )
    if report.is_confidential:
        raise FeedbackError(_("Không thể cùng tham gia một phản ánh xử lý kín."))
    contact = _clean_contact(reporter)
    if _same_person(report, contact, reporter.user):
        raise FeedbackError(
            _("Ông/bà đã theo dõi phản ánh này; xin dùng đường dẫn riêng đã nhận trước đây.")
        )
    now = clock.now()
    follower = _new_reporter(report, reporter, contact, now=now, original=False)
    _event(report, EventKind.JOINED, at=now, is_public=True)
    audit_record(
        actor=_reporter_actor(reporter.user),
        action="feedback.join",
        obj=report,
        changes={"reporters": [None, follower.pk]},
    )
    _after_commit(notify.mail_receipt, follower)
    return follower


# --- screening -------------------------------------------------------------------------------


def _confidential_handling_unit(report: Report, named_official: Any) -> Unit:
    """The supervising level of a confidential report: the unit above the named official's."""
    if named_official is not None and named_official.unit_id:
        unit: Unit = named_official.unit
        return unit.get_parent() or unit
    return report.receiving_unit


@transaction.atomic
def report_accept(
    *,
    report: Report,
    by: Any,
    category: Category | None = None,
    urgency: str | None = None,
    handling_unit: Unit | None = None,
    named_official: Any = None,
) -> Report:
    """Screening: accept; set category/urgency; route by the rules (or *handling_unit*, a manual
    override); set the answer deadline by category and urgency.

    For a confidential report the screener may name the official it is about
    (*named_official*); it then goes to the unit above that official's unit, otherwise to the
    leaders of the receiving unit, and the named official never sees it.
    """
    report = _lock(report)
    before = report_transition(report=report, action="accept", by=by)
    if urgency is not None and urgency not in Urgency.values:
        raise FeedbackError(_("Mức độ không hợp lệ."), field="urgency")
    if category is not None:
        if not category.is_active:
            raise FeedbackError(_("Lĩnh vực này không còn được sử dụng."), field="category")
        report.category = category
        report.is_confidential = report.is_confidential or category.is_confidential
    if named_official is not None:
        if not getattr(named_official, "is_official", False):
            raise FeedbackError(
                _("Người bị phản ánh phải là cán bộ, công chức."), field="named_official"
            )
        if named_official.pk == by.pk:
            raise FeedbackError(_("Anh/chị không thể xử lý phản ánh về chính mình."))
        report.named_official = named_official
        report.is_confidential = True
    report.urgency = urgency or report.urgency
    if handling_unit is not None:
        report.handling_unit = handling_unit
    elif report.is_confidential:
        report.handling_unit = _confidential_handling_unit(report, named_official)
    else:
        report.handling_unit = handling_unit_for(category=report.category, commune=report.commune)
    now = clock.now()
    report.accepted_at = now
    report.answer_due_at = answer_deadline(
        category=report.category, urgency=report.urgency, start=now
    )
    report.search_text = _search_text(report)
    report.save()
    _event(
        report,
        EventKind.ACCEPTED,
        by=by,
        at=now,
        from_status=before,
        is_public=True,
        from_unit=report.receiving_unit,
        to_unit=report.handling_unit,
        working_seconds=working_seconds_between(report.submitted_at, now),
    )
    audit_record(
        actor=by,
        action="feedback.accept",
        obj=report,
        changes={
            "status": [before, report.status],
            "handling_unit": [None, report.handling_unit.name],
            "category": [None, report.category.code],
            "urgency": [None, report.urgency],
            "answer_due_at": [None, report.answer_due_at],
        },
    )
    if report.handling_unit_id != by.unit_id:
        notify.notify_unit_received(report)
    return report


def _close_with_message(
    report: Report,
    *,
    by: Any,
    action: str,
    kind: str,
    note: str,
    subject: str,
    changes: dict[str, Any],
) -> Report:
    before = report_transition(report=report, action=action, by=by)
    now = clock.now()
    report.closed_at = now
    report.save()
    _event(report, kind, by=by, at=now, from_status=before, note=note, is_public=True)
    audit_record(
        actor=by,
        action=f"feedback.{action}",
        obj=report,
        changes={"status": [before, report.status], **changes},
    )
    _after_commit(notify.mail_update, report, subject, [note])
    return report


@transaction.atomic
def report_refuse(*, report: Report, by: Any, reason: str, note: str = "") -> Report:
    """Screening: refuse (``RefusalReason``) with a note to the reporter."""
    report = _lock(report)
    if reason not in RefusalReason.values:
        raise FeedbackError(_("Vui lòng chọn lý do từ chối."), field="reason")
    note = clean_text(note)[:MAX_TEXT]
    message = str(RefusalReason(reason).label) + (f". {note}" if note else "")
    return _close_with_message(
        report,
        by=by,
        action="refuse",
        kind=EventKind.REFUSED,
        note=message,
        subject=_("Phản ánh không được tiếp nhận"),
        changes={"reason": [None, reason]},
    )


@transaction.atomic
def report_hand_off(*, report: Report, by: Any, guidance: str) -> Report:
    """A complaint or denunciation (khiếu nại, tố cáo): close it here with written guidance to
    the reporter on where and how to file it under the law on complaints/denunciations."""
    report = _lock(report)
    guidance = _required(
        guidance,
        field="guidance",
        message=_("Vui lòng hướng dẫn người phản ánh nơi và cách gửi khiếu nại, tố cáo."),
    )
    return _close_with_message(
        report,
        by=by,
        action="hand_off",
        kind=EventKind.HANDED_OFF,
        note=guidance,
        subject=_("Hướng dẫn gửi khiếu nại, tố cáo"),
        changes={},
    )


@transaction.atomic
def report_merge(*, report: Report, into: Report, by: Any, note: str = "") -> Report:
    """Merge a duplicate: *report* becomes MERGED, its reporters follow *into* and are notified.

    A reporter already following *into* (same phone, e-mail or account) is not added twice.
    """
    if report.pk == into.pk:
        raise FeedbackError(_("Không thể gộp phản ánh vào chính nó."), field="into")
    # Lock both rows in a fixed order so two opposite merges cannot deadlock.
    locked = {
        r.pk: r
        for r in Report.objects.select_for_update()
        .filter(pk__in=[report.pk, into.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise FeedbackError(_("Không tìm thấy phản ánh."))
    report, into = locked[report.pk], locked[into.pk]
    before = report_transition(report=report, action="merge", by=by)
    if not reports_visible_to(by).filter(pk=into.pk).exists():
        raise FeedbackError(_("Không tìm thấy phản ánh cần gộp vào."), field="into")
    if into.status in FINAL_STATES or into.status == Status.ANSWERED:
        raise FeedbackError(
            _("Phản ánh %(code)s đã kết thúc, không thể gộp vào.") % {"code": into.tracking_code},
            field="into",
        )
    if report.is_confidential or into.is_confidential:
        raise FeedbackError(_("Không gộp phản ánh xử lý kín."), field="into")
    now = clock.now()
    moved: list[Reporter] = []
    for follower in Reporter.objects.filter(report=report).order_by("joined_at", "pk"):
        contact = _Contact(name=follower.name, phone=follower.phone, email=follower.email)
        if _same_person(into, contact, follower.user):
            continue
        follower.report = into
        follower.is_original = False
        follower.save(update_fields=["report", "is_original"])
        moved.append(follower)
    report.duplicate_of = into
    report.closed_at = now
    report.save()
    note = clean_text(note)[:MAX_TEXT]
    message = _("Gộp vào phản ánh %(code)s.") % {"code": into.tracking_code}
    _event(
        report, EventKind.MERGED, by=by, at=now, from_status=before, note=message, is_public=True
    )
    _event(
        into,
        EventKind.MERGED,
        by=by,
        at=now,
        note=(_("Gộp phản ánh %(code)s vào đây.") % {"code": report.tracking_code})
        + (f" {note}" if note else ""),
    )
    audit_record(
        actor=by,
        action="feedback.merge",
        obj=report,
        changes={"status": [before, report.status], "duplicate_of": [None, into.tracking_code]},
    )
    lines = [
        _(
            "Phản ánh %(old)s của ông/bà trùng nội dung với phản ánh %(new)s nên đã được gộp "
            "vào phản ánh này. Ông/bà tiếp tục nhận thông tin và đánh giá kết quả xử lý."
        )
        % {"old": report.tracking_code, "new": into.tracking_code}
    ]
    for follower in moved:
        _after_commit(notify.mail_to, follower, _("Phản ánh đã được gộp"), lines)
    return report


@transaction.atomic
def report_classify(
    *, report: Report, by: Any, category: Category | None = None, urgency: str | None = None
) -> Report:
    """Change category and/or urgency (recomputes the answer deadline if accepted)."""
    report = _lock(report)
    before = report_transition(report=report, action="classify", by=by)
    if urgency is not None and urgency not in Urgency.values:
        raise FeedbackError(_("Mức độ không hợp lệ."), field="urgency")
    if category is not None and not category.is_active:
        raise FeedbackError(_("Lĩnh vực này không còn được sử dụng."), field="category")
    old_category, old_urgency = report.category, report.urgency
    report.category = category or report.category
    report.urgency = urgency or report.urgency
    if report.category_id == old_category.pk and report.urgency == old_urgency:
        raise FeedbackError(_("Chưa thay đổi lĩnh vực hoặc mức độ."))
    report.is_confidential = report.is_confidential or report.category.is_confidential
    old_due = report.answer_due_at
    if report.accepted_at is not None:
        report.answer_due_at = answer_deadline(
            category=report.category, urgency=report.urgency, start=report.accepted_at
        )
    if report.is_published:
        # A published (then reopened) report is found by its category's name: keep it current.
        report.public_search_text = _public_search_text(report)
    report.save()
    now = clock.now()
    note = _("Lĩnh vực: %(category)s; mức độ: %(urgency)s.") % {
        "category": report.category,
        "urgency": Urgency(report.urgency).label,
    }
    _event(report, EventKind.CLASSIFIED, by=by, at=now, note=note)
    audit_record(
        actor=by,
        action="feedback.classify",
        obj=report,
        changes={
            "status": [before, report.status],
            "category": [old_category.code, report.category.code],
            "urgency": [old_urgency, report.urgency],
            "answer_due_at": [old_due, report.answer_due_at],
        },
    )
    return report


# --- routing between units -------------------------------------------------------------------


def _hand_over(
    report: Report, *, by: Any, action: str, kind: str, to_unit: Unit, reason: str
) -> Report:
    before = report_transition(report=report, action=action, by=by)
    now = clock.now()
    from_unit = report.handling_unit
    seconds = _hop_seconds(report, now)
    report.handling_unit = to_unit
    report.handler = None
    report.save()
    _event(
        report,
        kind,
        by=by,
        at=now,
        from_status=before,
        note=reason,
        from_unit=from_unit,
        to_unit=to_unit,
        working_seconds=seconds,
    )
    audit_record(
        actor=by,
        action=f"feedback.{action}",
        obj=report,
        changes={
            "status": [before, report.status],
            "handling_unit": [from_unit.name if from_unit else None, to_unit.name],
            "reason": [None, reason],
        },
    )
    notify.notify_unit_received(report)
    return report


@transaction.atomic
def report_transfer(*, report: Report, to_unit: Unit, by: Any, reason: str) -> Report:
    """Send to another unit, with a reason; the hop is timed."""
    report = _lock(report)
    reason = _required(reason, field="reason", message=_("Vui lòng nêu lý do chuyển."))
    if to_unit is None or to_unit.pk == report.handling_unit_id:
        raise FeedbackError(_("Vui lòng chọn đơn vị khác để chuyển đến."), field="to_unit")
    if not to_unit.is_active:
        raise FeedbackError(_("Đơn vị này đã thôi hoạt động."), field="to_unit")
    return _hand_over(
        report, by=by, action="transfer", kind=EventKind.TRANSFERRED, to_unit=to_unit, reason=reason
    )


@transaction.atomic
def report_return(*, report: Report, by: Any, reason: str) -> Report:
    """Give it back to the unit that transferred it, with a reason."""
    report = _lock(report)
    reason = _required(reason, field="reason", message=_("Vui lòng nêu lý do trả lại."))
    last = (
        Event.objects.filter(
            report=report, kind=EventKind.TRANSFERRED, to_unit_id=report.handling_unit_id
        )
        .select_related("from_unit")
        .order_by("-at", "-pk")
        .first()
    )
    if last is None or last.from_unit is None:
        raise FeedbackError(_("Phản ánh không do đơn vị khác chuyển đến nên không thể trả lại."))
    return _hand_over(
        report,
        by=by,
        action="return",
        kind=EventKind.RETURNED,
        to_unit=last.from_unit,
        reason=reason,
    )


@transaction.atomic
def report_assign(*, report: Report, handler: Any, by: Any) -> Report:
    """Name the official of the handling unit who works on it (IN_PROGRESS)."""
    report = _lock(report)
    before = report_transition(report=report, action="assign", by=by)
    eligible = (
        handler is not None
        and getattr(handler, "is_official", False)
        and handler.is_active
        and handler.pk != report.named_official_id
        and bool(roles_of(handler) & HANDLING_ROLES)
        and (
            supervises(handler, report.handling_unit)
            if report.is_confidential
            else handler.unit_id == report.handling_unit_id
        )
    )
    if not eligible:
        raise FeedbackError(
            _("Chỉ giao cho cán bộ của đơn vị xử lý có vai trò chuyên viên hoặc lãnh đạo.")
            if not report.is_confidential
            else _("Phản ánh xử lý kín chỉ giao cho lãnh đạo của đơn vị xử lý hoặc cấp trên."),
            field="handler",
        )
    old = report.handler
    report.handler = handler
    report.save()
    _event(report, EventKind.ASSIGNED, by=by, at=clock.now(), from_status=before, note=str(handler))
    audit_record(
        actor=by,
        action="feedback.assign",
        obj=report,
        changes={
            "status": [before, report.status],
            "handler": [str(old) if old else None, str(handler)],
        },
    )
    if handler.pk != by.pk:
        notify.notify_assigned(report)
    return report


# --- processing ------------------------------------------------------------------------------


@transaction.atomic
def report_add_note(*, report: Report, by: Any, note: str) -> Report:
    """Internal note, never shown to reporters; Front committees may add comments too
    (recorded as a Front comment)."""
    report = _lock(report)
    note = _required(note, field="note", message=_("Vui lòng nhập nội dung ghi chú."))
    front = not can_act(by, report, "note") and can_comment_as_front(by, report)
    if not front:
        report_transition(report=report, action="note", by=by)  # checks state and permission
    kind = EventKind.FRONT_COMMENT if front else EventKind.NOTE
    _event(report, kind, by=by, at=clock.now(), note=note)
    audit_record(actor=by, action=f"feedback.{kind}", obj=report, changes={"note": [None, note]})
    return report


@transaction.atomic
def report_request_info(*, report: Report, by: Any, question: str) -> Report:
    """Ask the reporter for more information; the answer clock pauses until they reply."""
    report = _lock(report)
    question = _required(
        question, field="question", message=_("Vui lòng nêu thông tin cần bổ sung.")
    )
    before = report_transition(report=report, action="request_info", by=by)
    now = clock.now()
    report.paused_since = now
    report.save()
    _event(
        report,
        EventKind.INFO_REQUESTED,
        by=by,
        at=now,
        from_status=before,
        note=question,
        is_public=True,
    )
    audit_record(
        actor=by,
        action="feedback.request_info",
        obj=report,
        changes={"status": [before, report.status], "paused_since": [None, now]},
    )
    _after_commit(notify.mail_info_request, report, question)
    return report


@transaction.atomic
def report_supply_info(
    *, report: Report, reporter: Reporter, text: str, files: Sequence[UploadedFile] = ()
) -> Report:
    """The reporter replies; the clock resumes and the deadline moves by the paused time."""
    report = _lock(report)
    text = _required(text, field="text", message=_("Vui lòng nhập thông tin bổ sung."))
    before = report_transition(report=report, action="supply_info", reporter=reporter)
    checked = _check_files(files)
    now = clock.now()
    old_due = report.answer_due_at
    if report.paused_since is not None and report.answer_due_at is not None:
        report.answer_due_at = resumed_deadline(
            due_at=report.answer_due_at, paused_since=report.paused_since, resumed_at=now
        )
    report.paused_since = None
    report.save()
    _save_files(report, checked, now=now)
    _event(report, EventKind.INFO_SUPPLIED, at=now, from_status=before, note=text, is_public=True)
    audit_record(
        actor=_reporter_actor(reporter.user),
        action="feedback.supply_info",
        obj=report,
        changes={
            "status": [before, report.status],
            "answer_due_at": [old_due, report.answer_due_at],
        },
    )
    message = _("Người phản ánh đã bổ sung thông tin cho phản ánh %(code)s.") % {
        "code": report.tracking_code
    }
    if report.handler is not None:
        notify.notify_officials([report.handler], message, report)
    else:
        notify.notify_unit_received(report)
    return report


def _record_answer(report: Report, *, by: Any, answer: str, before: str, now: dt.datetime) -> None:
    report.answer = answer
    report.answered_at = now
    report.search_text = _search_text(report)
    report.save()
    _event(
        report,
        EventKind.ANSWERED,
        by=by,
        at=now,
        from_status=before,
        note=answer,
        is_public=True,
        working_seconds=_hop_seconds(report, now),
    )
    audit_record(
        actor=by,
        action="feedback.answer",
        obj=report,
        changes={"status": [before, report.status], "answered_at": [None, now]},
    )
    _after_commit(notify.mail_answer, report)


@transaction.atomic
def report_draft_answer(
    *, report: Report, by: Any, answer: str, files: Sequence[UploadedFile] = ()
) -> Report:
    """Save the answer; with ``FEEDBACK_APPROVAL_REQUIRED`` it waits for the leader, otherwise
    it is answered at once."""
    report = _lock(report)
    answer = _required(answer, field="answer", message=_("Vui lòng nhập nội dung trả lời."))
    approval = settings.FEEDBACK_APPROVAL_REQUIRED
    before = report_transition(
        report=report, action="draft_answer" if approval else "answer", by=by
    )
    checked = _check_files(files)
    now = clock.now()
    report.answer_draft = answer
    _save_files(report, checked, now=now, is_answer=True)
    if not approval:
        _record_answer(report, by=by, answer=answer, before=before, now=now)
        return report
    report.save()
    _event(report, EventKind.ANSWER_DRAFTED, by=by, at=now, from_status=before, note=answer)
    audit_record(
        actor=by,
        action="feedback.draft_answer",
        obj=report,
        changes={"status": [before, report.status]},
    )
    message = _("Dự thảo trả lời phản ánh %(code)s chờ lãnh đạo duyệt.") % {
        "code": report.tracking_code
    }
    notify.notify_leaders(report, message)
    return report


@transaction.atomic
def report_approve_answer(*, report: Report, by: Any, answer: str | None = None) -> Report:
    """The leader approves (optionally edits) the draft: the report is answered, reporters are
    e-mailed the answer and asked to rate it."""
    report = _lock(report)
    before = report_transition(report=report, action="approve_answer", by=by)
    text = _required(
        answer if answer is not None else report.answer_draft,
        field="answer",
        message=_("Vui lòng nhập nội dung trả lời."),
    )
    report.answer_draft = text
    _record_answer(report, by=by, answer=text, before=before, now=clock.now())
    return report


@transaction.atomic
def report_return_draft(*, report: Report, by: Any, reason: str) -> Report:
    """The leader sends the draft back to the handler."""
    report = _lock(report)
    reason = _required(reason, field="reason", message=_("Vui lòng nêu lý do trả lại dự thảo."))
    before = report_transition(report=report, action="return_draft", by=by)
    report.save()
    _event(
        report, EventKind.ANSWER_RETURNED, by=by, at=clock.now(), from_status=before, note=reason
    )
    audit_record(
        actor=by,
        action="feedback.return_draft",
        obj=report,
        changes={"status": [before, report.status], "reason": [None, reason]},
    )
    message = _("Lãnh đạo trả lại dự thảo trả lời phản ánh %(code)s: %(reason)s") % {
        "code": report.tracking_code,
        "reason": reason,
    }
    if report.handler is not None:
        notify.notify_officials([report.handler], message, report)
    return report


@transaction.atomic
def report_publish(*, report: Report, by: Any) -> Report:
    """Publish the answered report, personal data removed (``public_text``, ``public_answer``).
    Confidential reports are never published. Publishing again refreshes the public text."""
    report = _lock(report)
    if report.is_confidential:
        raise FeedbackError(_("Phản ánh xử lý kín không được công khai."))
    report_transition(report=report, action="publish", by=by)
    names = [n for n in Reporter.objects.filter(report=report).values_list("name", flat=True) if n]
    if report.named_official_text:
        names.append(report.named_official_text)
    now = clock.now()
    was_published = report.is_published
    report.public_text = redact(report.text, names=names)
    report.public_answer = redact(report.answer, names=names)
    report.is_published = True
    report.published_at = now
    report.public_search_text = _public_search_text(report)
    report.save()
    _event(report, EventKind.PUBLISHED, by=by, at=now)
    audit_record(
        actor=by,
        action="feedback.publish",
        obj=report,
        changes={"is_published": [was_published, True]},
    )
    return report


@transaction.atomic
def report_unpublish(*, report: Report, by: Any) -> Report:
    """Withdraw the report from the public pages."""
    report = _lock(report)
    report_transition(report=report, action="unpublish", by=by)
    if not report.is_published:
        raise FeedbackError(_("Phản ánh này chưa được công khai."))
    report.is_published = False
    report.public_text = report.public_answer = report.public_search_text = ""
    report.published_at = None
    report.save()
    _event(report, EventKind.UNPUBLISHED, by=by, at=clock.now())
    audit_record(
        actor=by, action="feedback.unpublish", obj=report, changes={"is_published": [True, False]}
    )
    return report


# --- deadlines -------------------------------------------------------------------------------


@transaction.atomic
def report_request_extension(
    *, report: Report, by: Any, extra_working_days: int, reason: str
) -> ExtensionRequest:
    """Ask the leader for more time (returns the ExtensionRequest)."""
    report = _lock(report)
    before = report_transition(report=report, action="request_extension", by=by)
    reason = _required(reason, field="reason", message=_("Vui lòng nêu lý do xin gia hạn."))
    if (
        isinstance(extra_working_days, bool)
        or not isinstance(extra_working_days, int)
        or not 1 <= extra_working_days <= MAX_EXTENSION_DAYS
    ):
        raise FeedbackError(
            _("Số ngày gia hạn phải từ 1 đến %(max)s ngày làm việc.") % {"max": MAX_EXTENSION_DAYS},
            field="extra_working_days",
        )
    if report.extensions.filter(decision=ExtensionRequest.Decision.PENDING).exists():
        raise FeedbackError(_("Đã có một đề nghị gia hạn đang chờ lãnh đạo duyệt."))
    now = clock.now()
    extension = ExtensionRequest.objects.create(
        report=report,
        requested_by=by,
        requested_at=now,
        reason=reason,
        extra_working_days=extra_working_days,
    )
    note = _("Xin thêm %(days)s ngày làm việc: %(reason)s") % {
        "days": extra_working_days,
        "reason": reason,
    }
    _event(report, EventKind.EXTENSION_REQUESTED, by=by, at=now, from_status=before, note=note)
    audit_record(
        actor=by,
        action="feedback.request_extension",
        obj=report,
        changes={"extra_working_days": [None, extra_working_days], "reason": [None, reason]},
    )
    message = _("Đề nghị gia hạn phản ánh %(code)s chờ lãnh đạo duyệt.") % {
        "code": report.tracking_code
    }
    notify.notify_leaders(report, message)
    return extension


@transaction.atomic
def report_decide_extension(*, extension: ExtensionRequest, by: Any, approve: bool) -> Report:
    """The leader approves (deadline moves) or refuses an extension."""
    report = _lock(extension.report)
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    report_transition(report=report, action="decide_extension", by=by)
    if extension.decision != ExtensionRequest.Decision.PENDING:
        raise FeedbackError(_("Đề nghị gia hạn này đã được quyết định."))
    now = clock.now()
    extension.decision = (
        ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REFUSED
    )
    extension.decided_by = by
    extension.decided_at = now
    extension.save()
    old_due = report.answer_due_at
    if approve and report.answer_due_at is not None:
        report.answer_due_at = extended_deadline(report.answer_due_at, extension.extra_working_days)
        report.save()
    kind = EventKind.EXTENDED if approve else EventKind.EXTENSION_REFUSED
    _event(report, kind, by=by, at=now, is_public=approve)
    audit_record(
        actor=by,
        action="feedback.decide_extension",
        obj=report,
        changes={
            "decision": [None, extension.decision],
            "answer_due_at": [old_due, report.answer_due_at],
        },
    )
    message = (
        _("Lãnh đạo đồng ý gia hạn phản ánh %(code)s.")
        if approve
        else _("Lãnh đạo không đồng ý gia hạn phản ánh %(code)s.")
    ) % {"code": report.tracking_code}
    notify.notify_officials([extension.requested_by], message, report)
    return report


# --- after the answer ------------------------------------------------------------------------


def rating_open(report: Report, *, now: dt.datetime | None = None) -> bool:
    """Whether reporters may still rate the current answer."""
    if report.answered_at is None:
        return False
    now = now or clock.now()
    return now <= report.answered_at + dt.timedelta(days=settings.FEEDBACK_RATING_DAYS)


@transaction.atomic
def report_rate(
    *,
    report: Report,
    reporter: Reporter,
    value: str,
    comment: str = "",
    request_reopen: bool = False,
) -> Report:
    """A reporter rates the answer within ``FEEDBACK_RATING_DAYS``; dissatisfied may ask to
    reopen (at most ``FEEDBACK_MAX_REOPENS`` times)."""
    report = _lock(report)
    before = report_transition(report=report, action="rate", reporter=reporter)
    if value not in Satisfaction.values:
        raise FeedbackError(_("Vui lòng chọn mức độ hài lòng."), field="value")
    now = clock.now()
    if not rating_open(report, now=now):
        raise FeedbackError(
            _("Đã hết thời hạn đánh giá (%(days)s ngày kể từ khi trả lời).")
            % {"days": settings.FEEDBACK_RATING_DAYS}
        )
    if Rating.objects.filter(reporter=reporter, round=report.reopen_count).exists():
        raise FeedbackError(_("Ông/bà đã đánh giá lần trả lời này."))
    if request_reopen:
        if value != Satisfaction.DISSATISFIED:
            raise FeedbackError(
                _("Chỉ đề nghị xử lý lại khi không hài lòng với kết quả."), field="request_reopen"
            )
        if report.reopen_count >= settings.FEEDBACK_MAX_REOPENS:
            raise FeedbackError(
                _("Phản ánh đã được xử lý lại tối đa %(max)s lần, không thể đề nghị thêm.")
                % {"max": settings.FEEDBACK_MAX_REOPENS},
                field="request_reopen",
            )
        report_transition(report=report, action="request_reopen", reporter=reporter)
    comment = clean_text(comment)[:MAX_TEXT]
    Rating.objects.create(
        report=report,
        reporter=reporter,
        round=report.reopen_count,
        value=value,
        comment=comment,
        reopen_requested=request_reopen,
        rated_at=now,
    )
    report.save()
    _event(report, EventKind.RATED, at=now, note=str(Satisfaction(value).label), is_public=True)
    if request_reopen:
        _event(
            report,
            EventKind.REOPEN_REQUESTED,
            at=now,
            from_status=before,
            note=comment,
            is_public=True,
        )
        message = _("Người phản ánh đề nghị xử lý lại phản ánh %(code)s.") % {
            "code": report.tracking_code
        }
        notify.notify_leaders(report, message)
    audit_record(
        actor=_reporter_actor(reporter.user),
        action="feedback.rate",
        obj=report,
        changes={"status": [before, report.status], "rating": [None, value]},
    )
    return report


@transaction.atomic
def report_decide_reopen(*, report: Report, by: Any, reopen: bool, reason: str) -> Report:
    """A leader reopens the report (back to IN_PROGRESS with a new deadline) or refuses."""
    report = _lock(report)
    reason = _required(reason, field="reason", message=_("Vui lòng nêu lý do."))
    before = report_transition(report=report, action="reopen" if reopen else "refuse_reopen", by=by)
    now = clock.now()
    changes: dict[str, Any] = {"status": [before, report.status], "reason": [None, reason]}
    if reopen:
        if report.reopen_count >= settings.FEEDBACK_MAX_REOPENS:
            raise FeedbackError(
                _("Phản ánh đã được xử lý lại tối đa %(max)s lần.")
                % {"max": settings.FEEDBACK_MAX_REOPENS}
            )
        report.reopen_count += 1
        report.answered_at = None
        report.closed_at = None
        report.answer_due_at = answer_deadline(
            category=report.category, urgency=report.urgency, start=now
        )
        changes["answer_due_at"] = [None, report.answer_due_at]
    report.save()
    kind = EventKind.REOPENED if reopen else EventKind.REOPEN_REFUSED
    _event(report, kind, by=by, at=now, from_status=before, note=reason, is_public=True)
    audit_record(
        actor=by,
        action=f"feedback.{'reopen' if reopen else 'refuse_reopen'}",
        obj=report,
        changes=changes,
    )
    subject = _("Phản ánh được xử lý lại") if reopen else _("Không chấp nhận xử lý lại")
    _after_commit(notify.mail_update, report, subject, [reason])
    if reopen:
        notify.notify_unit_received(report)
    return report


# --- scheduled work --------------------------------------------------------------------------


def report_close_expired(*, now: dt.datetime | None = None) -> int:
    """System: close answered reports whose rating window has ended; returns how many."""
    now = now or clock.now()
    cutoff = now - dt.timedelta(days=settings.FEEDBACK_RATING_DAYS)
    ids = list(
        Report.objects.filter(status=Status.ANSWERED, answered_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    closed = 0
    for pk in ids:
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=pk)
            if (
                report.status != Status.ANSWERED
                or not report.answered_at
                or report.answered_at >= cutoff
            ):
                continue
            before = report_transition(report=report, action="close")
            report.closed_at = now
            report.save()
            _event(report, EventKind.CLOSED, at=now, from_status=before, is_public=True)
            audit_record(
                actor=None,
                action="feedback.close",
                obj=report,
                changes={"status": [before, report.status]},
            )
            closed += 1
    return closed


def deadline_reminders_send(*, now: dt.datetime | None = None) -> int:
    """System task: notify handlers and leaders of reports due within the next working day and of
    overdue ones (once per report and threshold); returns the number of notifications sent.

    "Once" is kept by the notices themselves: a notice with the same text (which names the
    report, the threshold and the deadline) is not sent twice to the same official; a deadline
    that moves (extension, pause) gives a new text and so a new reminder.
    """
    now = now or clock.now()
    calendar = feedback_calendar()
    horizon = calendar.add_working_hours(now, calendar.schedule.day_length)
    candidates = (
        Report.objects.filter(
            Q(status=Status.SUBMITTED, accept_due_at__lte=horizon)
            | Q(status__in=OPEN_STATES, answer_due_at__lte=horizon)
        )
        .select_related("receiving_unit", "handling_unit", "handler")
        .order_by("pk")
    )
    sent = 0
    for report in candidates:
        deadline = current_deadline(report)
        if deadline is None:
            continue
        values = {
            "code": report.tracking_code,
            "due": timezone.localtime(deadline).strftime("%H:%M %d/%m/%Y"),
        }
        unit: Unit | None
        if report.status == Status.SUBMITTED:
            unit = report.receiving_unit
            message = (
                _("Phản ánh %(code)s đã quá hạn tiếp nhận (%(due)s).")
                if deadline < now
                else _("Phản ánh %(code)s sắp đến hạn tiếp nhận (%(due)s).")
            ) % values
            people: list[Any] = list(notify.screeners_of(report))
        else:
            unit = report.handling_unit
            message = (
                _("Phản ánh %(code)s đã quá hạn trả lời (%(due)s).")
                if deadline < now
                else _("Phản ánh %(code)s sắp đến hạn trả lời (%(due)s).")
            ) % values
            people = [report.handler] if report.handler else list(notify.handlers_of(report))
        people += notify.leaders_of(unit)
        already = set(
            Notification.objects.filter(message=message[:500], recipient__in=people).values_list(
                "recipient_id", flat=True
            )
        )
        with transaction.atomic():
            sent += notify.notify_officials(
                [p for p in people if p.pk not in already], message, report
            )
    return sent


# --- configuration (categories, routing rules) -----------------------------------------------

QUESTION_TYPES = ("text", "number", "choice", "yes_no")


def clean_questions(questions: Any) -> list[dict[str, Any]]:
    """Check a category's extra questions (see :class:`Category`); ``FeedbackError`` if bad."""
    if questions in (None, ""):
        return []
    if not isinstance(questions, list):
        raise FeedbackError(_("Câu hỏi thêm phải là một danh sách."), field="questions")
    cleaned: list[dict[str, Any]] = []
    keys: set[str] = set()
    for number, question in enumerate(questions, start=1):
        where = {"n": number}
        if not isinstance(question, dict):
            raise FeedbackError(_("Câu hỏi %(n)s không đúng dạng.") % where, field="questions")
        key = str(question.get("key") or "").strip()
        label = clean_text(str(question.get("label") or ""))
        kind = question.get("type", "text")
        if not key or not key.replace("_", "").replace("-", "").isalnum() or key in keys:
            raise FeedbackError(
                _("Câu hỏi %(n)s cần mã (key) riêng, chỉ gồm chữ, số, gạch ngang.") % where,
                field="questions",
            )
        if not label:
            raise FeedbackError(_("Câu hỏi %(n)s cần nội dung (label).") % where, field="questions")
        if kind not in QUESTION_TYPES:
            raise FeedbackError(
                _("Câu hỏi %(n)s có loại không hợp lệ (text, number, choice, yes_no).") % where,
                field="questions",
            )
        choices = [clean_text(str(c)) for c in question.get("choices") or []]
        if kind == "choice" and not choices:
            raise FeedbackError(
                _("Câu hỏi %(n)s loại lựa chọn cần danh sách phương án (choices).") % where,
                field="questions",
            )
        keys.add(key)
        item: dict[str, Any] = {
            "key": key,
            "label": label,
            "type": kind,
            "required": bool(question.get("required")),
        }
        if kind == "choice":
            item["choices"] = choices
        cleaned.append(item)
    return cleaned


@transaction.atomic
def config_save(*, obj: Category | RoutingRule, by: Any) -> Category | RoutingRule:
    """Save a category or a routing rule edited by an administrator, audited.

    A category whose name or group changed is part of its published reports' public search
    text (``Report.public_search_text``): once the edit commits, a task refreshes that text
    (:func:`reports_public_search_refresh`). Every process drops its copy of the categories
    (``selectors.CATEGORIES``).
    """
    creating = obj.pk is None
    renamed = False
    if isinstance(obj, Category):
        obj.questions = clean_questions(obj.questions)
        if obj.parent_id and obj.parent is not None and obj.parent.parent_id:
            raise FeedbackError(_("Lĩnh vực chỉ có hai cấp: nhóm và lĩnh vực."), field="parent")
        if not creating:
            before = Category.objects.filter(pk=obj.pk).values("name", "parent_id").first()
            renamed = before is not None and (
                before["name"] != obj.name or before["parent_id"] != obj.parent_id
            )
    obj.save()
    label = obj._meta.model_name
    audit_record(
        actor=by,
        action=f"feedback.{label}.{'create' if creating else 'update'}",
        obj=obj,
        changes={"value": [None, str(obj)]},
    )
    if isinstance(obj, Category):
        CATEGORIES.changed_on_commit()
        if renamed:
            _after_commit(_enqueue_public_search_refresh, "category", obj.pk)
    return obj


def _enqueue_public_search_refresh(kind: str, pk: int) -> None:
    from chinhquyenso.feedback.tasks import refresh_public_search_text

    refresh_public_search_text.enqueue(kind=kind, pk=pk)


def unit_renamed(*, unit_id: int) -> None:
    """The units app's hook after a unit's name changed (``units.services.unit_update``, on
    commit): refresh the public search text of the reports located in it, in the background."""
    _enqueue_public_search_refresh("commune", unit_id)


#: Reports whose public search text is recomputed per transaction by the refresh.
PUBLIC_SEARCH_BATCH = 500


def reports_public_search_refresh(
    *, category: Category | None = None, commune: Unit | None = None
) -> int:
    """System: recompute ``public_search_text`` of the published reports of *category* (or of
    its group's categories when it is a group) or located in *commune*, from today's names;
    returns how many reports were refreshed.

    A batch of :data:`PUBLIC_SEARCH_BATCH` reports per transaction (rows locked, so a publish
    at the same moment waits and is not overwritten with older text); one audit row at the end.
    Publishing computes the text itself, so reports published meanwhile are right already.
    """
    if (category is None) == (commune is None):
        raise TypeError("give either category or commune")
    published = Report.objects.filter(is_published=True)
    if category is not None:
        published = published.filter(Q(category=category) | Q(category__parent=category))
    else:
        published = published.filter(commune=commune)
    ids = list(published.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), PUBLIC_SEARCH_BATCH):
        with transaction.atomic():
            batch = list(
                Report.objects.select_for_update(of=("self",))
                .filter(pk__in=ids[start : start + PUBLIC_SEARCH_BATCH], is_published=True)
                .select_related("category", "category__parent", "commune")
                .order_by("pk")
            )
            changed = []
            for report in batch:
                text = _public_search_text(report)
                if text != report.public_search_text:
                    report.public_search_text = text
                    changed.append(report)
            Report.objects.bulk_update(changed, ["public_search_text"])
            done += len(changed)
    with transaction.atomic():
        audit_record(
            actor=None,
            action="feedback.public_search_refresh",
            obj=category or commune,
            changes={"reports": [None, done]},
        )
    return done


@transaction.atomic
def config_delete(*, obj: Category | RoutingRule, by: Any) -> None:
    """Delete a routing rule, or a category no report uses (those are deactivated instead)."""
    if isinstance(obj, Category) and (obj.reports.exists() or obj.children.exists()):
        raise FeedbackError(
            _("Lĩnh vực đã có phản ánh hoặc lĩnh vực con: hãy bỏ chọn “đang dùng” thay vì xoá.")
        )
    audit_record(actor=by, action=f"feedback.{obj._meta.model_name}.delete", obj=obj, changes={})
    obj.delete()
    if isinstance(obj, Category):
        CATEGORIES.changed_on_commit()
