"""The officials' incoming documents pages under ``/can-bo/van-ban/den/``: queues, documents
arrived through the platform, registration of others, one document with its actions, the
follow-up list, and its files.

Views parse, authorise, call a service, render. Reads go through ``documents.selectors`` (a
document out of reach is "not found"); every write through ``documents.services``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_stubs_ext import StrOrPromise

from chinhquyenso.accounts.models import AccountType, Role, User
from chinhquyenso.accounts.permissions import has_role, role_required
from chinhquyenso.core import clock
from chinhquyenso.core.calendar import WorkingCalendar
from chinhquyenso.documents import edxml, edxml_status, services
from chinhquyenso.documents.forms import incoming as forms
from chinhquyenso.documents.models import (
    Assignment,
    Delivery,
    Document,
    DocumentFile,
    Secrecy,
    Status,
    Urgency,
)
from chinhquyenso.documents.selectors import (
    LIST_RELATED,
    allowed_incoming_actions,
    arrivals_for,
    assigned_to,
    assignment_for,
    current_file,
    documents_visible_to,
    due_soon,
    filter_documents,
    get_arrival_for_user,
    get_document_for_user,
    incoming_visible_to,
    late,
    waiting_assignment,
)
from chinhquyenso.units.models import Unit

PAGE_SIZE = 20
#: Open documents due within this many working days count as "due soon".
SOON_WORKING_DAYS = 2
#: What the page says after each action.
DONE: dict[str, StrOrPromise] = {
    "assign": gettext_lazy("Đã phân công xử lý văn bản."),
    "add_opinion": gettext_lazy("Đã ghi ý kiến."),
    "pass_on": gettext_lazy("Đã chuyển văn bản cho cán bộ được chọn."),
    "attach_result": gettext_lazy("Đã lưu kết quả xử lý."),
    "complete": gettext_lazy("Đã hoàn thành xử lý văn bản."),
    "reject": gettext_lazy("Đã trả lại văn bản."),
}
SERVICES: dict[str, Callable[..., Any]] = {
    "assign": services.incoming_assign,
    "add_opinion": services.incoming_add_opinion,
    "pass_on": services.incoming_pass_on,
    "attach_result": services.incoming_attach_result,
    "complete": services.incoming_complete,
    "reject": services.incoming_reject,
}
#: Actions shown open; the others are folded under their title.
PRIMARY = ("assign", "add_opinion", "attach_result", "complete")


def _official(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _is_clerk(user: User) -> bool:
    return user.unit_id is not None and has_role(user, Role.CLERK)


def _today() -> dt.date:
    return timezone.localtime(clock.now()).date()


def _soon_until() -> dt.date:
    calendar = WorkingCalendar.cached()
    end = calendar.add_working_days(clock.now(), SOON_WORKING_DAYS)
    return timezone.localtime(end).date()


# --- Where a document stands against its due date ---------------------------------------------


@dataclass(frozen=True)
class Due:
    """``state``: ``late``, ``soon``, ``ok``, ``done`` or ``none``; ``text`` says it in words
    (never colour alone)."""

    state: str
    text: str
    badge: str = ""


def due_of(document: Document, *, today: dt.date, soon_until: dt.date) -> Due:
    if document.completed_at is not None:
        return Due("done", _("Đã kết thúc"))
    if document.due_on is None:
        return Due("none", _("Không có hạn xử lý"))
    days = (document.due_on - today).days
    if days < 0:
        text = ngettext("quá hạn %(n)d ngày", "quá hạn %(n)d ngày", -days) % {"n": -days}
        return Due("late", text, _("Quá hạn"))
    if days == 0:
        return Due("soon", _("hạn là hôm nay"), _("Sắp đến hạn"))
    text = ngettext("còn %(n)d ngày", "còn %(n)d ngày", days) % {"n": days}
    if document.due_on <= soon_until:
        return Due("soon", text, _("Sắp đến hạn"))
    return Due("ok", text[:1].upper() + text[1:])


def _with_due(documents: Any) -> list[tuple[Document, Due]]:
    today, soon_until = _today(), _soon_until()
    return [(d, due_of(d, today=today, soon_until=soon_until)) for d in documents]


# --- Queues ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    slug: str
    title: StrOrPromise
    rows: Callable[[User], QuerySet[Document]]
    empty: StrOrPromise


QUEUES = {
    queue.slug: queue
    for queue in (
        Queue(
            "cho-phan-cong",
            gettext_lazy("Chờ phân công"),
            waiting_assignment,
            gettext_lazy("Không có văn bản đến nào chờ phân công."),
        ),
        Queue(
            "duoc-giao",
            gettext_lazy("Được giao cho tôi"),
            assigned_to,
            gettext_lazy("Không có văn bản nào đang giao cho anh/chị xử lý."),
        ),
        Queue(
            "tat-ca",
            gettext_lazy("Tất cả văn bản đến"),
            incoming_visible_to,
            gettext_lazy("Chưa có văn bản đến nào trong phạm vi theo dõi."),
        ),
    )
}
ARRIVALS_SLUG = "da-den"


def _nav(user: User) -> dict[str, Any]:
    """What the incoming pages' navigation shows to *user*."""
    clerk_or_leader = has_role(user, Role.CLERK, Role.UNIT_LEADER)
    return {
        "queues": QUEUES.values(),
        "show_arrivals": clerk_or_leader,
        "arrivals_count": arrivals_for(user).count() if clerk_or_leader else 0,
        "can_register": _is_clerk(user),
        "show_registers": clerk_or_leader,
    }


def _default_queue(user: User) -> str:
    if _is_clerk(user):
        return ARRIVALS_SLUG
    if has_role(user, Role.UNIT_LEADER):
        return "cho-phan-cong"
    return "duoc-giao"


def _lead_assignments() -> Prefetch:
    """The lead of each listed document, as ``document.leads``."""
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(role=Assignment.Role.LEAD).select_related(
            "unit", "user"
        ),
        to_attr="leads",
    )


def _ordered(rows: QuerySet[Document]) -> QuerySet[Document]:
    """The nearest due date first, then the newest arrival."""
    return (
        rows.select_related(*LIST_RELATED)
        .prefetch_related(_lead_assignments())
        .order_by(F("due_on").asc(nulls_last=True), "-arrived_at", "-pk")
    )


@role_required()
@require_GET
@never_cache
def queue(request: HttpRequest, slug: str = "") -> HttpResponse:
    user = _official(request)
    slug = slug or _default_queue(user)
    if slug == ARRIVALS_SLUG:
        return arrivals(request)
    current = QUEUES.get(slug)
    if current is None:
        raise Http404
    form = forms.QueueFilterForm(request.GET or None)
    rows = _ordered(filter_documents(current.rows(user), form.filters()))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "documents/incoming/queue.html",
        {
            "queue": current,
            "form": form,
            "page": page,
            "entries": _with_due(page),
            "filtered": form.is_bound and any(form.data.get(k) for k in form.fields),
            **_nav(user),
        },
    )


def arrivals(request: HttpRequest) -> HttpResponse:
    """Documents sent to the unit through the platform, waiting to be registered or refused."""
    user = _official(request)
    if not has_role(user, Role.CLERK, Role.UNIT_LEADER):
        raise Http404
    page = Paginator(arrivals_for(user), PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "documents/incoming/arrivals.html",
        {"page": page, "current_slug": ARRIVALS_SLUG, **_nav(user)},
    )


# --- Registration of a document that arrived outside the platform ----------------------------


@role_required(Role.CLERK)
@require_http_methods(["GET", "POST"])
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    user = _official(request)
    if user.unit is None:
        raise Http404
    status = 200
    if request.method == "POST":
        form = forms.RegistrationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = services.incoming_register(
                    unit=user.unit, by=user, **form.service_arguments()
                )
            except ValidationError as exc:
                form.show_error(exc)
            else:
                messages.success(
                    request,
                    _("Đã vào sổ văn bản đến, số đến %(number)s.")
                    % {"number": document.arrival_number},
                )
                return redirect("documents:incoming_detail", pk=document.pk)
        status = 400
    else:
        form = forms.RegistrationForm()
    return _render_register(request, form=form, status=status)


def _render_register(
    request: HttpRequest,
    *,
    form: forms.RegistrationForm | None = None,
    edxml_form: forms.EdxmlForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _official(request)
    return render(
        request,
        "documents/incoming/register.html",
        {
            "form": form or forms.RegistrationForm(),
            "edxml_form": edxml_form or forms.EdxmlForm(),
            "unit": user.unit,
            "failed": status == 400,
            **_nav(user),
        },
        status=status,
    )


@role_required(Role.CLERK)
@require_POST
def register_edxml(request: HttpRequest) -> HttpResponse:
    """The clerk loads a received edXML file: a package is registered in the unit's incoming
    register, a status message updates a document the unit issued."""
    user = _official(request)
    if user.unit is None:
        raise Http404
    form = forms.EdxmlForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["package"]
        limit = edxml.max_package_bytes()
        try:
            if upload.size > limit:
                raise edxml.reject(
                    "too_large", _("tệp lớn hơn %(limit)s MB") % {"limit": limit // 1024**2}
                )
            data = upload.read()
            if edxml.is_status_message(data):
                message = edxml_status.status_apply(data=data, by=user, unit=user.unit)
                delivery = message.delivery
                messages.success(
                    request,
                    _("Đã ghi trạng thái “%(status)s” của %(recipient)s cho văn bản %(ref)s.")
                    % {
                        "status": message.get_status_display(),
                        "recipient": delivery.recipient_name or delivery.recipient_unit,
                        "ref": delivery.document.reference,
                    },
                )
                return redirect("documents:outgoing_detail", pk=delivery.document_id)
            document = edxml.package_import(data=data, unit=user.unit, by=user)
        except ValidationError as exc:
            form.add_error("package", exc.messages)
        else:
            messages.success(
                request,
                _("Đã vào sổ văn bản đến, số đến %(number)s.")
                % {"number": document.arrival_number},
            )
            return redirect("documents:incoming_detail", pk=document.pk)
    return _render_register(request, edxml_form=form, status=400)


# --- A document sent through the platform, before it is registered ---------------------------


def _render_arrival(
    request: HttpRequest, delivery: Delivery, form: forms.ReasonForm | None = None
) -> HttpResponse:
    user = _official(request)
    source = delivery.document
    return render(
        request,
        "documents/incoming/arrival.html",
        {
            "delivery": delivery,
            "source": source,
            "source_file": current_file(source),
            "annexes": source.files.filter(kind=DocumentFile.Kind.ATTACHMENT, is_current=True),
            "refuse_form": form or forms.ReasonForm(prefix="tu-choi"),
            "can_accept": _is_clerk(user) and user.unit_id == delivery.recipient_unit_id,
            "current_slug": ARRIVALS_SLUG,
            **_nav(user),
        },
        status=400 if form is not None else 200,
    )


@role_required(Role.CLERK, Role.UNIT_LEADER)
@require_GET
@never_cache
def arrival_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_arrival(request, get_arrival_for_user(_official(request), pk))


@role_required(Role.CLERK, Role.UNIT_LEADER)
@require_GET
def arrival_file(request: HttpRequest, pk: int, file_pk: int) -> Any:
    """A file of a document waiting in the arrival queue, to read before registering it."""
    delivery = get_arrival_for_user(_official(request), pk)
    found = get_object_or_404(
        delivery.document.files.filter(is_current=True).exclude(kind=DocumentFile.Kind.RESULT),
        pk=file_pk,
    )
    return _pdf_response(found)


@role_required(Role.CLERK)
@require_POST
def arrival_accept(request: HttpRequest, pk: int) -> HttpResponse:
    user = _official(request)
    delivery = get_arrival_for_user(user, pk)
    try:
        document = services.incoming_receive_delivery(delivery=delivery, by=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("documents:incoming_queue_slug", slug=ARRIVALS_SLUG)
    messages.success(
        request,
        _("Đã vào sổ văn bản đến, số đến %(number)s. Nơi gửi đã được báo “Đã tiếp nhận”.")
        % {"number": document.arrival_number},
    )
    return redirect("documents:incoming_detail", pk=document.pk)


@role_required(Role.CLERK, Role.UNIT_LEADER)
@require_POST
def arrival_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    user = _official(request)
    delivery = get_arrival_for_user(user, pk)
    form = forms.ReasonForm(request.POST, prefix="tu-choi")
    if form.is_valid():
        try:
            services.incoming_reject_delivery(
                delivery=delivery, by=user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            forms.show_error(form, exc)
        else:
            messages.success(request, _("Đã từ chối nhận văn bản; nơi gửi được báo kèm lý do."))
            return redirect("documents:incoming_queue_slug", slug=ARRIVALS_SLUG)
    return _render_arrival(request, delivery, form)


# --- One incoming document -----------------------------------------------------------------------


def _units_below(document: Document) -> list[Unit]:
    units = Unit.objects.filter(path__startswith=document.unit.path).order_by("path")
    if document.secrecy != Secrecy.NONE:
        units = units.filter(pk=document.unit_id)
    return list(units)


def _colleagues(user: User) -> list[User]:
    if user.unit is None:
        return []
    return list(
        User.objects.filter(unit=user.unit, is_active=True, account_type=AccountType.OFFICIAL)
        .exclude(pk=user.pk)
        .order_by("full_name")
    )


def _action_form(
    name: str, document: Document, user: User, data: Any = None, files: Any = None
) -> forms.ActionForm:
    form_class = forms.ACTION_FORMS[name]
    kwargs: dict[str, Any] = {"prefix": name}
    if name == "assign":
        kwargs["units"] = _units_below(document)
        kwargs["officials"] = services.officials_for_handling(document)
    elif name == "pass_on":
        kwargs["colleagues"] = _colleagues(user)
    return form_class(data, files, **kwargs)


def _signatures(found: DocumentFile | None) -> dict[str, Any] | None:
    if found is None or found.verification is None:
        return None
    return found.verification


def _render_document(
    request: HttpRequest,
    document: Document,
    *,
    failed: forms.ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _official(request)
    names = [n for n in forms.ACTION_FORMS if n in allowed_incoming_actions(user, document)]
    action_forms = [
        (
            name,
            failed
            if failed is not None and failed.prefix == name
            else _action_form(name, document, user),
            name in PRIMARY and (name != "assign" or document.status == Status.REGISTERED),
        )
        for name in names
    ]
    files = list(document.files.select_related("uploaded_by").order_by("uploaded_at", "pk"))
    main = current_file(document)
    assignments = document.assignments.select_related("unit", "user", "assigned_by").order_by(
        "assigned_at", "role", "pk"
    )
    events = document.events.select_related("actor").order_by("at", "pk")
    today, soon_until = _today(), _soon_until()
    return render(
        request,
        "documents/incoming/document.html",
        {
            "document": document,
            "due": due_of(document, today=today, soon_until=soon_until),
            "main_file": main,
            "signatures": _signatures(main),
            "other_files": [f for f in files if main is None or f.pk != main.pk],
            "assignments": list(assignments),
            "my_assignment": assignment_for(user, document),
            "opinions": document.comments.select_related("author").order_by("at", "pk"),
            "events": [(e, str(services.ACTION_LABELS.get(e.action, e.action))) for e in events],
            "delivery": document.source_delivery,
            "forms": action_forms,
            "failed": failed,
            "urgent": document.urgency != Urgency.NORMAL,
            "secret": document.secrecy != Secrecy.NONE,
            **_nav(user),
        },
        status=status,
    )


@role_required()
@require_GET
@never_cache
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(_official(request), pk)
    if document.direction != "incoming":
        raise Http404
    return _render_document(request, document)


@role_required()
@require_POST
def document_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take *action* on the document; back to its page (PRG), or the page with the error."""
    user = _official(request)
    document = get_document_for_user(user, pk)
    if document.direction != "incoming" or action not in forms.ACTION_FORMS:
        raise Http404
    detail = reverse("documents:incoming_detail", kwargs={"pk": document.pk})
    if action not in allowed_incoming_actions(user, document):
        messages.error(request, _("Thao tác này không thực hiện được với văn bản ở bước hiện tại."))
        return redirect(detail)
    form = _action_form(action, document, user, request.POST, request.FILES)
    if form.is_valid():
        try:
            SERVICES[action](document=document, by=user, **form.service_arguments())
        except ValidationError as exc:
            form.show_error(exc)
        else:
            messages.success(request, str(DONE[action]))
            if not documents_visible_to(user).filter(pk=document.pk).exists():
                return redirect("documents:incoming_queue")
            return redirect(detail)
        document = get_document_for_user(user, document.pk)
    return _render_document(request, document, failed=form, status=400)


def _pdf_response(found: DocumentFile) -> Any:
    try:
        handle = found.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=False, filename=found.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@role_required()
@require_GET
def document_file(request: HttpRequest, pk: int) -> Any:
    """A file of a document the official may see (never a public URL)."""
    found = get_object_or_404(DocumentFile.objects.select_related("document"), pk=pk)
    get_document_for_user(_official(request), found.document_id)
    return _pdf_response(found)


# --- Follow-up --------------------------------------------------------------------------------


@role_required()
@require_GET
@never_cache
def follow_up(request: HttpRequest) -> HttpResponse:
    """Open incoming documents that are late or due within two working days."""
    user = _official(request)
    visible = incoming_visible_to(user)
    if request.GET.get("cua-toi"):
        visible = assigned_to(user)
    today, soon_until = _today(), _soon_until()
    related = _lead_assignments()
    late_rows = (
        late(visible, today=today)
        .select_related(*LIST_RELATED)
        .prefetch_related(related)
        .order_by("due_on", "pk")
    )
    soon_rows = (
        due_soon(visible, today=today, until=soon_until)
        .select_related(*LIST_RELATED)
        .prefetch_related(related)
        .order_by("due_on", "pk")
    )
    return render(
        request,
        "documents/incoming/follow_up.html",
        {
            "late": _with_due(late_rows[:200]),
            "late_count": late_rows.count(),
            "soon": _with_due(soon_rows[:200]),
            "soon_count": soon_rows.count(),
            "soon_until": soon_until,
            "mine": bool(request.GET.get("cua-toi")),
            "current_slug": "theo-doi",
            **_nav(user),
        },
    )
