"""The citizen's pages: report a problem (no account needed), follow it, rate the answer.

Every page works without JavaScript; scripts only add a character counter, the category's
extra questions without a round trip, and the optional map pin.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import QuerySet, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chinhquyenso.feedback import services
from chinhquyenso.feedback.forms.citizen import (
    DRAFT_MAX_AGE,
    DRAFT_NONCE,
    AttachmentsForm,
    RatingForm,
    ReportForm,
    SectionForm,
    SupplyInfoForm,
    TrackingLookupForm,
    answers_from,
    draft_dumps,
    draft_loads,
)
from chinhquyenso.feedback.models import Attachment, Event, EventKind, Report, Reporter, Status
from chinhquyenso.feedback.privacy import redact
from chinhquyenso.feedback.selectors import report_for_token
from chinhquyenso.feedback.similar import similar_open_reports
from chinhquyenso.feedback.throttle import anonymous_report_allowed, seconds_until_next_window

#: States in which the answer is shown to the reporter.
ANSWERED_STATES = frozenset({Status.ANSWERED, Status.CLOSED, Status.REOPEN_REQUESTED})


def _error_messages(exc: ValidationError) -> dict[str | None, list[str]]:
    """A service's refusal as {field or None: messages}."""
    if hasattr(exc, "error_dict"):
        return {(k if k != "__all__" else None): v for k, v in exc.message_dict.items()}
    return {getattr(exc, "field", None): list(exc.messages)}


# --- Landing and look-up ---------------------------------------------------------------------


def _redacted_text(report: Report) -> str:
    """The report's own text with its reporters' names and any contact data removed, for
    showing an unpublished report to people other than its reporters."""
    return redact(report.text, names=[r.name for r in report.reporters.all() if r.name])


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "feedback/citizen/index.html",
        {
            "lookup_form": TrackingLookupForm(auto_id="pa_%s"),
            "accept_hours": settings.FEEDBACK_ACCEPT_HOURS,
            "normal_days": settings.FEEDBACK_NORMAL_DAYS,
            "urgent_hours": settings.FEEDBACK_URGENT_HOURS,
        },
    )


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """Anyone may look a report up by its code: status and public steps, no personal data."""
    form = TrackingLookupForm(request.GET or None)
    report = None
    if form.is_valid():
        report = (
            Report.objects.select_related("category", "category__parent", "commune")
            .filter(tracking_code=form.cleaned_data["ma"])
            .first()
        )
    public_text = ""
    if report is not None and not report.is_confidential:
        public_text = report.public_text if report.is_published else _redacted_text(report)
    return render(
        request,
        "feedback/citizen/lookup.html",
        {
            "form": form,
            "searched": form.is_valid(),
            "report": report,
            "public_text": public_text,
            "events": _public_events(report) if report else [],
        },
    )


# --- Sending a report ------------------------------------------------------------------------


def _category_sections(form: ReportForm) -> list[tuple[Any, SectionForm]]:
    """For the script: each category's extra fields, pre-rendered in ``<template>`` elements."""
    sections = [(category, SectionForm(category)) for category in form.categories.values()]
    return [(category, section) for category, section in sections if section.fields]


def _render_form(
    request: HttpRequest, form: ReportForm, *, notice: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "feedback/citizen/report_form.html",
        {
            "form": form,
            "section_fields": [form[name] for name in form.section_field_names],
            "category_sections": _category_sections(form),
            "notice": notice,
            "map_tile_url": settings.MAP_TILE_URL,
            "map_attribution": settings.MAP_TILE_ATTRIBUTION,
            "map_bounds": ",".join(str(v) for v in services.province_bounds()),
        },
        status=status,
    )


def _render_confirm(
    request: HttpRequest,
    form: ReportForm,
    attachments: AttachmentsForm,
    *,
    draft: str,
    error: str = "",
) -> HttpResponse:
    data = form.cleaned_data
    # similar_open_reports never returns confidential reports.
    similar = similar_open_reports(
        commune=data["commune"],
        text=data["text"],
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        category=data["category"],
    )
    prefetch_related_objects(similar, "reporters")
    return render(
        request,
        "feedback/citizen/report_confirm.html",
        {
            "form": form,
            "data": data,
            "answers": [
                (form.fields[name].label, form[name])
                for name in form.section_field_names
                if name != "named_official" and data.get(name) not in (None, "")
            ],
            "attachments": attachments,
            "draft": draft,
            "similar": [(r, _redacted_text(r)[:400]) for r in similar],
            "error": error,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """Step 1: the report form. A valid POST shows the confirmation page (step 2)."""
    if request.method == "GET":
        return _render_form(request, ReportForm(initial=_account_contact(request.user)))
    form = ReportForm(request.POST)
    if form.is_valid() and not form.section_pending:
        return _render_confirm(request, form, AttachmentsForm(), draft=draft_dumps(request.POST))
    notice = ""
    if form.section_pending:
        notice = _("Lĩnh vực bạn chọn cần thêm vài thông tin. Mời bạn điền rồi bấm “Tiếp tục”.")
    return _render_form(request, form, notice=notice)


def _account_contact(user: Any) -> dict[str, str]:
    """A logged-in citizen's contact details, offered (not forced) on a new report."""
    if not user.is_authenticated or user.is_official:
        return {}
    return {"name": user.full_name, "phone": user.phone or "", "email": user.email or ""}


def _throttled(request: HttpRequest) -> HttpResponse:
    wait = seconds_until_next_window()
    response = render(
        request,
        "feedback/citizen/throttled.html",
        {"limit": settings.FEEDBACK_ANONYMOUS_PER_HOUR, "minutes": max(1, (wait + 59) // 60)},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def _put_errors(form: Any, errors: dict[str | None, list[str]]) -> dict[str | None, list[str]]:
    """Add the errors about *form*'s fields to it; return the others."""
    rest: dict[str | None, list[str]] = {}
    for field, texts in errors.items():
        name = field
        if field and field.startswith("answers."):
            name = "q_" + field.removeprefix("answers.")
        elif field == "named_official_text":
            name = "named_official"
        if name and name in form.fields:
            form.add_error(name, texts)
        else:
            rest[field] = texts
    return rest


@never_cache
@require_POST
def report_confirm(request: HttpRequest) -> HttpResponse:
    """Step 2: send the report (with files), join a similar one instead, or go back to edit."""
    draft = request.POST.get("draft", "")
    try:
        data = draft_loads(draft)
    except signing.SignatureExpired:
        return _render_form(
            request,
            ReportForm(),
            notice=_("Biểu mẫu đã mở quá lâu nên không gửi được. Mời bạn nhập lại phản ánh."),
        )
    except signing.BadSignature:
        return _render_form(
            request,
            ReportForm(),
            notice=_("Không đọc được phản ánh đã nhập. Mời bạn nhập lại."),
            status=400,
        )
    form = ReportForm(data)
    if not form.is_valid() or form.section_pending or request.POST.get("action") == "edit":
        return _render_form(request, form)
    # Sent already (a second click, the back button): show the receipt again, send nothing.
    sent_key = f"feedback:draft-sent:{data.get(DRAFT_NONCE, '')}"
    if token := cache.get(sent_key):
        return redirect("feedback:report_sent", token=token)

    join_code = request.POST.get("join", "")
    if join_code:
        return _join(request, form, join_code, draft, sent_key=sent_key)

    attachments = AttachmentsForm(request.POST, request.FILES)
    if not attachments.is_valid():
        return _render_confirm(request, form, attachments, draft=draft)
    if not anonymous_report_allowed(request):
        return _throttled(request)
    cleaned = form.cleaned_data
    try:
        _report, reporter = services.report_submit(
            data=services.ReportInput(
                text=cleaned["text"],
                category=cleaned["category"],
                commune=cleaned["commune"],
                address=cleaned["address"].strip(),
                latitude=cleaned["latitude"],
                longitude=cleaned["longitude"],
                answers=answers_from(cleaned),
                named_official_text=cleaned.get("named_official", "").strip(),
                files=attachments.cleaned_data["photos"],
                reporter=form.reporter_input(request.user),
                channel="web",
                submitter_ip=request.META.get("REMOTE_ADDR") or None,
            )
        )
    except services.FeedbackError as exc:
        errors = _error_messages(exc)
        file_errors = errors.pop("files", None)
        rest = _put_errors(form, errors)
        if form.errors:
            # Something on step 1 (e.g. a location outside the province): back to it.
            for texts in rest.values():
                form.add_error(None, texts)
            return _render_form(request, form)
        if file_errors:
            attachments.add_error("photos", file_errors)
        message = " ".join(t for texts in rest.values() for t in texts)
        return _render_confirm(request, form, attachments, draft=draft, error=message)
    cache.set(sent_key, reporter.access_token, DRAFT_MAX_AGE)
    return redirect("feedback:report_sent", token=reporter.access_token)


def _join(
    request: HttpRequest, form: ReportForm, code: str, draft: str, *, sent_key: str
) -> HttpResponse:
    report = Report.objects.filter(tracking_code=code, is_confidential=False).first()
    if report is None:
        raise Http404
    if not anonymous_report_allowed(request):
        return _throttled(request)
    try:
        reporter = services.report_join(report=report, reporter=form.reporter_input(request.user))
    except services.FeedbackError as exc:
        message = " ".join(t for texts in _error_messages(exc).values() for t in texts)
        return _render_confirm(request, form, AttachmentsForm(), draft=draft, error=message)
    cache.set(sent_key, reporter.access_token, DRAFT_MAX_AGE)
    return redirect("feedback:report_sent", token=reporter.access_token)


def _reporter_or_404(token: str) -> Reporter:
    reporter = report_for_token(token)
    if reporter is None:
        raise Http404
    return reporter


@never_cache
@require_GET
def report_sent(request: HttpRequest, token: str) -> HttpResponse:
    """Right after sending: the code to write down, the private link, what happens next."""
    reporter = _reporter_or_404(token)
    return render(
        request,
        "feedback/citizen/report_sent.html",
        {
            "reporter": reporter,
            "report": reporter.report,
            "follow_url": request.build_absolute_uri(reverse("feedback:follow", args=[token])),
        },
    )


# --- Following a report ----------------------------------------------------------------------


def _public_events(report: Report) -> QuerySet[Event]:
    return report.events.filter(is_public=True).select_related("actor_unit").order_by("at", "pk")


def _public_attachments(report: Report) -> QuerySet[Attachment]:
    """The copies without location data of the report's files; the answer's files only once
    the answer is given (a draft's files wait for the leader's approval)."""
    files = report.attachments.exclude(public_file="")
    if not _answer_given(report):
        files = files.exclude(is_answer=True)
    return files.order_by("is_answer", "pk")


def _answer_given(report: Report) -> bool:
    return report.status in ANSWERED_STATES and bool(report.answer)


@dataclass(frozen=True)
class RatingState:
    """Whether this reporter may rate the answer now, and ask to reopen; why not, if not."""

    can_rate: bool
    can_reopen: bool
    window_ends: dt.datetime | None
    previous: Any
    reason: str


def _rating_state(report: Report, reporter: Reporter) -> RatingState:
    window_ends = (
        report.answered_at + dt.timedelta(days=settings.FEEDBACK_RATING_DAYS)
        if report.answered_at
        else None
    )
    previous = reporter.ratings.filter(round=report.reopen_count).first()
    reopen_left = report.reopen_count < settings.FEEDBACK_MAX_REOPENS
    if report.status not in (Status.ANSWERED, Status.CLOSED) or window_ends is None:
        return RatingState(False, False, window_ends, previous, "")
    if previous is not None:
        return RatingState(False, False, window_ends, previous, "")
    if not services.rating_open(report):
        reason = _(
            "Thời hạn đánh giá đã hết: chỉ đánh giá được trong %(days)d ngày kể từ khi có câu "
            "trả lời."
        ) % {"days": settings.FEEDBACK_RATING_DAYS}
        return RatingState(False, False, window_ends, previous, reason)
    reason = ""
    if not reopen_left:
        reason = _(
            "Phản ánh này đã được xử lý lại %(count)d lần, là số lần tối đa, nên không thể đề "
            "nghị xử lý lại nữa. Bạn vẫn đánh giá được câu trả lời."
        ) % {"count": report.reopen_count}
    return RatingState(True, reopen_left, window_ends, previous, reason)


def _render_follow(
    request: HttpRequest,
    reporter: Reporter,
    *,
    supply_form: SupplyInfoForm | None = None,
    rating_form: RatingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    report = reporter.report
    events = list(_public_events(report))
    question = next((e.note for e in reversed(events) if e.kind == EventKind.INFO_REQUESTED), "")
    rating = _rating_state(report, reporter)
    files = list(_public_attachments(report))
    return render(
        request,
        "feedback/citizen/follow.html",
        {
            "reporter": reporter,
            "report": report,
            "events": events,
            "attachments": [f for f in files if not f.is_answer],
            "answer_files": [f for f in files if f.is_answer],
            "show_answer": _answer_given(report),
            "info_question": question if report.status == Status.INFO_REQUESTED else "",
            "supply_form": supply_form or SupplyInfoForm(auto_id="bs_%s"),
            "rating": rating,
            "rating_form": rating_form or RatingForm(auto_id="dg_%s"),
            # A duplicate's reporters now follow this report: tell them why its code changed.
            "merged_codes": list(
                report.duplicates.order_by("submitted_at", "pk").values_list(
                    "tracking_code", flat=True
                )
            ),
        },
        status=status,
    )


@never_cache
@require_GET
def follow(request: HttpRequest, token: str) -> HttpResponse:
    """The reporter's private page, reached by the link they got (no account needed)."""
    return _render_follow(request, _reporter_or_404(token))


@require_GET
def follow_attachment(request: HttpRequest, token: str, attachment_id: int) -> FileResponse:
    """A photo or file of the reporter's report: the public copy, never the original."""
    reporter = _reporter_or_404(token)
    item = _public_attachments(reporter.report).filter(pk=attachment_id).first()
    if item is None:
        raise Http404
    response = FileResponse(
        item.public_file.open("rb"),
        content_type=item.content_type,
        as_attachment=not item.content_type.startswith("image/"),
        filename=item.original_name,
    )
    patch_cache_control(response, private=True, max_age=3600)
    return response


@never_cache
@require_POST
def follow_supply_info(request: HttpRequest, token: str) -> HttpResponse:
    reporter = _reporter_or_404(token)
    form = SupplyInfoForm(request.POST, request.FILES, auto_id="bs_%s")
    if form.is_valid():
        try:
            services.report_supply_info(
                report=reporter.report,
                reporter=reporter,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["photos"],
            )
        except services.FeedbackError as exc:
            for field, texts in _error_messages(exc).items():
                name = "photos" if field == "files" else field
                form.add_error(name if name in form.fields else None, texts)
        else:
            messages.success(request, _("Đã gửi thông tin bổ sung. Cảm ơn bạn."))
            return redirect("feedback:follow", token=token)
    return _render_follow(request, reporter, supply_form=form)


@never_cache
@require_POST
def follow_rate(request: HttpRequest, token: str) -> HttpResponse:
    reporter = _reporter_or_404(token)
    form = RatingForm(request.POST, auto_id="dg_%s")
    if form.is_valid():
        try:
            services.report_rate(
                report=reporter.report,
                reporter=reporter,
                value=form.cleaned_data["value"],
                comment=form.cleaned_data["comment"],
                request_reopen=form.cleaned_data["request_reopen"],
            )
        except services.FeedbackError as exc:
            for field, texts in _error_messages(exc).items():
                form.add_error(field if field in form.fields else None, texts)
        else:
            if form.cleaned_data["request_reopen"]:
                text = _("Đã ghi nhận đánh giá và đề nghị xử lý lại. Lãnh đạo sẽ xem xét.")
            else:
                text = _("Cảm ơn bạn đã đánh giá.")
            messages.success(request, text)
            return redirect("feedback:follow", token=token)
    return _render_follow(request, reporter, rating_form=form)
