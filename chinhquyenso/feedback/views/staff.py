"""The officials' pages: work queues, a report with the actions allowed now, notifications.

Views parse, authorise, call one service, render. Reads go through ``feedback.selectors``
(which also decides who sees what: a report out of reach is "not found"), writes through
``feedback.services``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_stubs_ext import StrOrPromise

from chinhquyenso.accounts.models import User
from chinhquyenso.accounts.permissions import has_role, role_required
from chinhquyenso.core.models import Notification
from chinhquyenso.core.search import search
from chinhquyenso.core.services import notification_mark_read, notifications_mark_all_read
from chinhquyenso.feedback.actions import ACTION_OF_MOVE, ACTIONS, pending_extension, perform
from chinhquyenso.feedback.forms import staff as forms
from chinhquyenso.feedback.models import EventKind, ExtensionRequest, Report, Status
from chinhquyenso.feedback.routing import handling_unit_for
from chinhquyenso.feedback.selectors import (
    allowed_actions_for,
    approval_queue,
    can_comment_as_front,
    get_report_for_user,
    handling_queue,
    is_front_official,
    overdue_reports,
    reporter_identity_visible,
    reports_visible_to,
    screening_queue,
)
from chinhquyenso.feedback.workflow import LEADER_ROLES, SCREENING_ROLES
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS
from chinhquyenso.units.selectors import units_active_on

PAGE_SIZE = 20
#: History steps taken by a reporter (shown as such; they have no official as actor).
REPORTER_EVENT_KINDS = frozenset(
    {
        EventKind.SUBMITTED,
        EventKind.JOINED,
        EventKind.INFO_SUPPLIED,
        EventKind.RATED,
        EventKind.REOPEN_REQUESTED,
    }
)
#: Report fields a queue's ``q`` searches, ignoring case and diacritics (``core.search``).
SEARCH_FIELDS = ("tracking_code", "text", "address")
_LIST_RELATED = ("category", "category__parent", "commune", "handling_unit", "handler")


def _official(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# --- Queues ------------------------------------------------------------------------------------


def _all_reports(user: User) -> QuerySet[Report]:
    return reports_visible_to(user).select_related(*_LIST_RELATED)


def _drafts(user: User) -> QuerySet[Report]:
    return approval_queue(user).filter(status=Status.AWAITING_APPROVAL)


def _decisions(user: User) -> QuerySet[Report]:
    """Reopen requests and pending extension requests waiting for *user*, a leader."""
    if not has_role(user, *LEADER_ROLES):
        return Report.objects.none()
    reopen = approval_queue(user).filter(status=Status.REOPEN_REQUESTED)
    extension = reports_visible_to(user).filter(
        extensions__decision=ExtensionRequest.Decision.PENDING
    )
    return (
        reports_visible_to(user)
        .filter(Q(pk__in=reopen.values("pk")) | Q(pk__in=extension.values("pk")))
        .select_related(*_LIST_RELATED)
        .order_by("answer_due_at", "pk")
    )


def _works_here(user: User) -> bool:
    return not is_front_official(user)


def _screens(user: User) -> bool:
    return _works_here(user) and has_role(user, *SCREENING_ROLES)


def _leads(user: User) -> bool:
    return has_role(user, *LEADER_ROLES)


@dataclass(frozen=True)
class Queue:
    slug: str
    title: StrOrPromise
    rows: Callable[[User], QuerySet[Report]]
    shown_to: Callable[[User], bool]
    empty: StrOrPromise


QUEUES = {
    queue.slug: queue
    for queue in (
        Queue(
            "tat-ca",
            gettext_lazy("Tất cả phản ánh"),
            _all_reports,
            lambda user: True,
            gettext_lazy("Không có phản ánh nào trong phạm vi theo dõi."),
        ),
        Queue(
            "cho-tiep-nhan",
            gettext_lazy("Chờ tiếp nhận"),
            screening_queue,
            _screens,
            gettext_lazy("Không có phản ánh mới chờ tiếp nhận."),
        ),
        Queue(
            "dang-xu-ly",
            gettext_lazy("Đang xử lý"),
            handling_queue,
            _works_here,
            gettext_lazy("Đơn vị không có phản ánh đang xử lý."),
        ),
        Queue(
            "qua-han",
            gettext_lazy("Quá hạn"),
            overdue_reports,
            _works_here,
            gettext_lazy("Không có phản ánh quá hạn."),
        ),
        Queue(
            "cho-duyet",
            gettext_lazy("Chờ duyệt"),
            _drafts,
            _leads,
            gettext_lazy("Không có dự thảo trả lời chờ duyệt."),
        ),
        Queue(
            "de-nghi",
            gettext_lazy("Đề nghị gia hạn / xử lý lại"),
            _decisions,
            _leads,
            gettext_lazy("Không có đề nghị gia hạn hoặc xử lý lại chờ quyết định."),
        ),
    )
}


def queues_for(user: User) -> list[Queue]:
    """The queues shown to *user*: screening for screeners, approvals for leaders, and so on."""
    return [queue for queue in QUEUES.values() if queue.shown_to(user)]


def _filtered(rows: QuerySet[Report], form: forms.QueueFilterForm) -> QuerySet[Report]:
    if not form.is_valid():
        return rows
    data = form.cleaned_data
    if data["category"]:
        rows = rows.filter(Q(category=data["category"]) | Q(category__parent=data["category"]))
    if data["commune"]:
        rows = rows.filter(commune=data["commune"])
    if data["status"]:
        rows = rows.filter(status=data["status"])
    return search(rows, data["q"], SEARCH_FIELDS)


@role_required()
@require_GET
def queue(request: HttpRequest, slug: str = "tat-ca") -> HttpResponse:
    user = _official(request)
    current = QUEUES.get(slug)
    if current is None or not current.shown_to(user):
        raise Http404
    communes = units_active_on().filter(kind__in=COMMUNE_LEVEL_KINDS)
    form = forms.QueueFilterForm(request.GET or None, communes=communes)
    rows = _filtered(current.rows(user), form)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "feedback/staff/queue.html",
        {
            "queue": current,
            "queues": queues_for(user),
            "form": form,
            "page": page,
            "filtered": form.is_bound and any(form.data.get(k) for k in form.fields),
        },
    )


# --- One report and its actions -----------------------------------------------------------------


def _was_transferred_here(report: Report) -> bool:
    """Whether another unit sent *report* to its handling unit (so it can be given back)."""
    return report.events.filter(
        kind=EventKind.TRANSFERRED, to_unit_id=report.handling_unit_id
    ).exists()


def actions_available(user: User, report: Report) -> list[str]:
    """The action forms to show *user* on *report* now, in workflow order."""
    names: list[str] = []
    for move in allowed_actions_for(user, report):
        name = ACTION_OF_MOVE.get(move, move)
        if name not in ACTIONS or name in names:
            continue
        if name == "publish" and report.is_published:
            continue
        if name == "unpublish" and not report.is_published:
            continue
        if name == "decide_extension" and pending_extension(report) is None:
            continue
        if name == "return" and not _was_transferred_here(report):
            continue
        names.append(name)
    if can_comment_as_front(user, report):
        names.append("front_comment")
    return names


def _action_form(
    name: str, report: Report, user: User, data: Any = None, files: Any = None
) -> forms.ActionForm:
    return ACTIONS[name].form(data, files, report=report, user=user, prefix=name)


def _render_report(
    request: HttpRequest,
    report: Report,
    *,
    failed: forms.ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _official(request)
    names = actions_available(user, report)
    action_forms = [
        (name, failed if failed is not None and failed.prefix == name else None) for name in names
    ]
    reporters = list(report.reporters.all())
    original = next((r for r in reporters if r.is_original), None)
    events = report.events.select_related("actor", "actor_unit", "from_unit", "to_unit")
    return render(
        request,
        "feedback/staff/report.html",
        {
            "report": report,
            "queues": queues_for(user),
            "forms": [
                (name, form or _action_form(name, report, user)) for name, form in action_forms
            ],
            "failed": failed,
            "original": original,
            "identity_visible": original is not None
            and reporter_identity_visible(user, report, original),
            "co_reporters": max(len(reporters) - 1, 0),
            "events": events,
            "attachments": report.attachments.all(),
            "extensions": report.extensions.select_related("requested_by", "decided_by"),
            "ratings": report.ratings.all(),
            "ruled_unit": handling_unit_for(category=report.category, commune=report.commune)
            if "accept" in names
            else None,
            "read_only": not names or names == ["front_comment"],
            "front_reader": is_front_official(user),
            "reporter_kinds": REPORTER_EVENT_KINDS,
        },
        status=status,
    )


@role_required()
@require_GET
def report_detail(request: HttpRequest, code: str = "", pk: int | None = None) -> HttpResponse:
    report = get_report_for_user(_official(request), code if pk is None else pk)
    if pk is not None:
        # Notifications link by primary key; the address people read and share has the code.
        return redirect("feedback:staff_report", code=report.tracking_code)
    return _render_report(request, report)


#: Service argument names that a form calls differently.
_FIELD_OF_ARGUMENT = {"into": "into_code"}


def _show_service_error(form: forms.ActionForm, exc: ValidationError) -> None:
    """Put the service's Vietnamese message beside the field it concerns, or atop the form."""
    errors: list[tuple[str | None, list[str]]] = (
        list(exc.message_dict.items())
        if hasattr(exc, "error_dict")
        else [(getattr(exc, "field", None), exc.messages)]
    )
    for argument, texts in errors:
        field = _FIELD_OF_ARGUMENT.get(argument or "", argument)
        form.add_error(field if field in form.fields else None, texts)


@role_required()
@require_POST
def report_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    user = _official(request)
    report = get_report_for_user(user, code)
    detail = reverse("feedback:staff_report", kwargs={"code": report.tracking_code})
    if action not in ACTIONS:
        raise Http404
    if action not in actions_available(user, report):
        messages.error(
            request, _("Thao tác này không thực hiện được với phản ánh ở bước hiện tại.")
        )
        return redirect(detail)
    form = _action_form(action, report, user, request.POST, request.FILES)
    if form.is_valid():
        try:
            perform(report=report, action=action, by=user, data=form.cleaned_data)
        except ValidationError as exc:
            _show_service_error(form, exc)
        else:
            messages.success(request, str(ACTIONS[action].done))
            if reports_visible_to(user).filter(pk=report.pk).exists():
                return redirect(detail)
            return redirect("feedback:staff_queue")
        # The failed service left the report unchanged; show it afresh beside the form.
        report = get_report_for_user(user, report.pk)
    return _render_report(request, report, failed=form, status=400)


@role_required()
@require_GET
def attachment(request: HttpRequest, code: str, pk: int) -> Any:  # a FileResponse
    """The original file sent with a report (with its metadata), only to those who see it."""
    report = get_report_for_user(_official(request), code)
    found = get_object_or_404(report.attachments.all(), pk=pk)
    try:
        handle = found.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=found.content_type,
        as_attachment=not found.content_type.startswith("image/"),
        filename=found.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Notifications ------------------------------------------------------------------------------


@role_required()
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    user = _official(request)
    rows = Notification.objects.filter(recipient=user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    unread = rows.filter(read_at__isnull=True).count()
    return render(
        request,
        "feedback/staff/notifications.html",
        {"page": page, "unread": unread, "queues": queues_for(user)},
    )


@role_required()
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    user = _official(request)
    notification = get_object_or_404(Notification, pk=pk, recipient=user)
    notification_mark_read(notification=notification, by=user)
    return redirect("feedback:staff_notifications")


@role_required()
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    user = _official(request)
    count = notifications_mark_all_read(by=user)
    if count:
        messages.success(request, _("Đã đánh dấu tất cả thông báo là đã đọc."))
    return redirect("feedback:staff_notifications")
