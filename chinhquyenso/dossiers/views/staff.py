"""The officials' dossier pages: queues by deadline, registration at the counter, one dossier
with the actions allowed now, its files and its slips.

Views parse, authorise, call a service, render. Reads go through ``dossiers.selectors`` (a
dossier out of reach is "not found"); every action goes through the one table of
``dossiers.actions``, which the API serves too.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_stubs_ext import StrOrPromise

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.permissions import has_role, role_required
from chinhquyenso.core import clock
from chinhquyenso.core.calendar import WorkingCalendar
from chinhquyenso.core.search import search
from chinhquyenso.dossiers import actions, services
from chinhquyenso.dossiers.forms import staff as forms
from chinhquyenso.dossiers.models import (
    Channel,
    Dossier,
    DossierFile,
    FileKind,
    SlipKind,
    Status,
)
from chinhquyenso.dossiers.selectors import (
    dossiers_visible_to,
    due_soon,
    forward_target,
    get_dossier_for_user,
    overdue,
    queue_for,
)
from chinhquyenso.dossiers.slipdata import (
    SlipUnavailable,
    dossier_slip_filename,
    render_dossier_slip,
    slips_available,
)
from chinhquyenso.dossiers.workflow import COUNTER_ROLES, FINAL, WAITING
from chinhquyenso.procedures.eforms import EForm, field_choices, ordered_fields, schema_to_form
from chinhquyenso.procedures.models import Procedure, ProcedureVersion
from chinhquyenso.procedures.selectors import procedures_for_unit, version_in_force
from chinhquyenso.units.models import Unit

PAGE_SIZE = 20
#: Dossier fields the queue's search box looks in, ignoring case and diacritics.
SEARCH_FIELDS = ("code", "applicant_name", "applicant_id_number")
#: The e-form's prefix on the registration page, apart from the applicant's fields.
EFORM_PREFIX = "tk"
#: Actions that hand the applicant a slip at once, and which.
SLIP_OF_ACTION = {
    "accept": SlipKind.RECEIPT,
    "request_documents": SlipKind.ADDITIONAL,
    "refuse": SlipKind.REFUSAL,
    "apologise": SlipKind.APOLOGY,
}
#: The actions a dossier waits for, shown open; the others are folded under their title.
PRIMARY = ("accept", "supply_documents", "confirm_financial", "forward", "return_result")
_LIST_RELATED = (
    "version__procedure",
    "receiving_unit",
    "current_unit",
    "current_step",
    "assignee",
)


def _official(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# --- Deadlines in working time ------------------------------------------------------------------


@dataclass(frozen=True)
class Lateness:
    """Where a dossier stands against its running deadline, in words (never colour alone).

    ``state``: ``late``, ``soon`` (within a working day), ``ok``, ``paused`` or ``none``.
    """

    state: str
    text: str
    due: dt.datetime | None = None
    #: The short flag printed before the text: "Quá hạn", "Sắp đến hạn".
    badge: str = ""


def working_amount(delta: dt.timedelta, day_length: dt.timedelta) -> str:
    """Working time as "1 ngày 3 giờ", "5 giờ 20 phút", "45 phút" (a day is a working day)."""
    seconds = max(int(delta.total_seconds()), 0)
    day = max(int(day_length.total_seconds()), 1)
    days, rest = divmod(seconds, day)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(ngettext("%(n)d ngày", "%(n)d ngày", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d giờ", "%(n)d giờ", hours) % {"n": hours})
    if minutes and not days:
        parts.append(ngettext("%(n)d phút", "%(n)d phút", minutes) % {"n": minutes})
    return " ".join(parts) or _("dưới 1 phút")


def lateness(dossier: Dossier, *, now: dt.datetime, calendar: WorkingCalendar) -> Lateness:
    """The running deadline of *dossier*: its step's, else its appointment."""
    if dossier.status in FINAL:
        return Lateness("none", _("Đã kết thúc"))
    if dossier.status in WAITING or dossier.paused_at is not None:
        if dossier.status == Status.FINANCIAL_REQUESTED:
            return Lateness("paused", _("Tạm dừng, chờ người nộp thực hiện nghĩa vụ tài chính"))
        return Lateness("paused", _("Tạm dừng, chờ người nộp bổ sung hồ sơ"))
    due = dossier.step_due_at or dossier.due_at
    if due is None:
        return Lateness("none", _("Chờ tiếp nhận"))
    day = calendar.schedule.day_length
    if now > due:
        late_by = working_amount(calendar.working_time_between(due, now), day)
        text = _("trễ %(time)s làm việc") % {"time": late_by}
        return Lateness("late", text, due, badge=_("Quá hạn"))
    left = calendar.working_time_between(now, due)
    amount = working_amount(left, day)
    if left <= day:
        text = _("còn %(time)s làm việc") % {"time": amount}
        return Lateness("soon", text, due, badge=_("Sắp đến hạn"))
    return Lateness("ok", _("Còn %(time)s làm việc") % {"time": amount}, due)


def _one_working_day(now: dt.datetime, calendar: WorkingCalendar) -> dt.timedelta:
    return calendar.add_working_hours(now, calendar.schedule.day_length) - now


# --- Queues ---------------------------------------------------------------------------------------


def _by_deadline(rows: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return rows.select_related(*_LIST_RELATED).order_by(
        F("step_due_at").asc(nulls_last=True), F("due_at").asc(nulls_last=True), "pk"
    )


def _overdue(user: User) -> QuerySet[Dossier]:
    return overdue(dossiers_visible_to(user))


def _due_soon(user: User) -> QuerySet[Dossier]:
    now = clock.now()
    within = _one_working_day(now, WorkingCalendar.cached())
    return due_soon(dossiers_visible_to(user), within=within)


@dataclass(frozen=True)
class Queue:
    slug: str
    title: StrOrPromise
    rows: Callable[[User], QuerySet[Dossier]]
    empty: StrOrPromise


QUEUES = {
    queue.slug: queue
    for queue in (
        Queue(
            "can-xu-ly",
            gettext_lazy("Hồ sơ cần xử lý"),
            queue_for,
            gettext_lazy("Không có hồ sơ nào chờ bạn xử lý."),
        ),
        Queue(
            "sap-den-han",
            gettext_lazy("Sắp đến hạn"),
            _due_soon,
            gettext_lazy("Không có hồ sơ nào đến hạn trả trong một ngày làm việc tới."),
        ),
        Queue(
            "qua-han",
            gettext_lazy("Quá hạn"),
            _overdue,
            gettext_lazy("Không có hồ sơ quá hạn."),
        ),
        Queue(
            "tat-ca",
            gettext_lazy("Tất cả hồ sơ"),
            dossiers_visible_to,
            gettext_lazy("Chưa có hồ sơ nào trong phạm vi theo dõi."),
        ),
    )
}
DEFAULT_QUEUE = "can-xu-ly"


def _filter_procedures(user: User) -> QuerySet[Procedure]:
    if user.unit is None or has_role(user, Role.UNIT_LEADER, Role.OPERATIONS_LEADER):
        return Procedure.objects.filter(is_active=True).order_by("name", "code")
    return procedures_for_unit(user.unit)


def _filtered(rows: QuerySet[Dossier], form: forms.QueueFilterForm) -> QuerySet[Dossier]:
    if not form.is_valid():
        return rows
    data = form.cleaned_data
    if data["status"] is not None:
        rows = rows.filter(status=data["status"])
    if data["procedure"] is not None:
        rows = rows.filter(version__procedure=data["procedure"])
    if data["channel"] is not None:
        rows = rows.filter(channel=data["channel"])
    return search(rows, data["q"], SEARCH_FIELDS)


def _counts_as_counter(user: User) -> bool:
    return user.unit is not None and has_role(user, *COUNTER_ROLES)


@role_required()
@require_GET
@never_cache
def queue(request: HttpRequest, slug: str = DEFAULT_QUEUE) -> HttpResponse:
    user = _official(request)
    current = QUEUES.get(slug)
    if current is None:
        raise Http404
    form = forms.QueueFilterForm(request.GET or None, procedures=_filter_procedures(user))
    rows = _by_deadline(_filtered(current.rows(user), form))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    now = clock.now()
    calendar = WorkingCalendar.cached()
    entries = [(dossier, lateness(dossier, now=now, calendar=calendar)) for dossier in page]
    return render(
        request,
        "dossiers/staff/queue.html",
        {
            "queue": current,
            "queues": QUEUES.values(),
            "form": form,
            "page": page,
            "entries": entries,
            "filtered": form.is_bound and any(form.data.get(k) for k in form.fields),
            "can_register": _counts_as_counter(user),
        },
    )


# --- Registration at the counter ------------------------------------------------------------------


def _new_submission_key(user: User) -> str:
    return f"counter-{user.pk}-{uuid.uuid4().hex}"


def _own_submission_key(user: User, key: str) -> bool:
    return key.startswith(f"counter-{user.pk}-") and len(key) <= 80


def _eform(version: ProcedureVersion, data: Any = None) -> EForm:
    return schema_to_form(version.form_schema or {}, data, prefix=EFORM_PREFIX)


def _show_registration_error(
    exc: services.DossierError, form: forms.RegistrationForm, eform: EForm
) -> None:
    errors = dict(exc.errors) or {exc.field or "": list(exc.messages)}
    for name, texts in errors.items():
        if name.startswith("form."):
            key = name[len("form.") :].split(".")[0]
            eform.add_error(key if key in eform.fields else None, texts)
        elif name.startswith("files."):
            field = f"component.{name[len('files.') :]}"
            form.add_error(field if field in form.fields else None, texts)
        else:
            form.add_error(name if name in form.fields else None, texts)


@role_required(*COUNTER_ROLES)
@require_http_methods(["GET", "POST"])
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """Register a dossier handed in at the counter (channel 1): procedure, applicant, e-form,
    scans; then the dossier page, where the officer checks and accepts, asks for more or
    refuses."""
    user = _official(request)
    unit = user.unit
    if unit is None:
        raise Http404
    procedures = procedures_for_unit(unit)
    pick = forms.ProcedurePickForm(
        request.GET if "thu_tuc" in request.GET else None, procedures=procedures
    )
    version = None
    if pick.is_bound and pick.is_valid():
        version = version_in_force(pick.cleaned_data["thu_tuc"])
    if version is None:
        if request.method == "POST":
            raise Http404
        return render(
            request,
            "dossiers/staff/register_pick.html",
            {"pick": pick, "unit": unit, "queues": QUEUES.values(), "can_register": True},
        )
    components = list(version.components.order_by("order"))
    if request.method == "POST":
        form = forms.RegistrationForm(request.POST, request.FILES, components=components)
        eform = _eform(version, request.POST)
        if form.is_valid() and eform.is_valid():
            key = form.cleaned_data["submission_key"]
            if not _own_submission_key(user, key):
                key = _new_submission_key(user)
            dossier = _create(request, form, eform, version=version, unit=unit, key=key)
            if dossier is not None:
                return redirect("dossiers:staff_dossier", code=dossier.code)
        status = 400
    else:
        form = forms.RegistrationForm(
            initial={"submission_key": _new_submission_key(user)}, components=components
        )
        eform = _eform(version)
        status = 200
    return render(
        request,
        "dossiers/staff/register.html",
        {
            "version": version,
            "procedure": version.procedure,
            "unit": unit,
            "form": form,
            "eform": eform,
            "failed": status == 400,
            "appointment": services.appointment_preview(version),
            "queues": QUEUES.values(),
            "can_register": True,
        },
        status=status,
    )


def _create(
    request: HttpRequest,
    form: forms.RegistrationForm,
    eform: EForm,
    *,
    version: ProcedureVersion,
    unit: Unit,
    key: str,
) -> Dossier | None:
    """The dossier registered from the form (or the one a first sending of it registered);
    ``None`` with the errors put on the forms."""
    user = _official(request)
    try:
        dossier = services.dossier_create(
            version=version,
            receiving_unit=unit,
            channel=Channel.COUNTER,
            applicant_info=form.applicant(),
            form_data=eform.form_data(),
            files=form.component_files(),
            by=user,
            submission_key=key,
        )
    except services.DossierError as exc:
        first = Dossier.objects.filter(submission_key=key).first()
        if exc.code == "duplicate" and first is not None:
            return first
        _show_registration_error(exc, form, eform)
        return None
    messages.success(
        request,
        _(
            "Đã đăng ký hồ sơ %(code)s. Kiểm tra thành phần hồ sơ rồi tiếp nhận, yêu cầu bổ "
            "sung hoặc từ chối."
        )
        % {"code": dossier.code},
    )
    return dossier


# --- One dossier ----------------------------------------------------------------------------------


def _form_answers(version: ProcedureVersion, data: dict[str, Any]) -> list[tuple[str, str]]:
    """The e-form's answers as (label, value) in the form's order, typed values as people
    read them."""
    properties = ordered_fields(version.form_schema or {})
    answers = []
    for name, spec in properties.items():
        if name not in data:
            continue
        value = data[name]
        labels = dict(field_choices(spec)) if isinstance(spec, dict) else {}
        if isinstance(value, bool):
            shown = _("Có") if value else _("Không")
        elif value in labels:
            shown = labels[value]
        elif isinstance(spec, dict) and spec.get("format") == "date" and isinstance(value, str):
            try:
                shown = dt.date.fromisoformat(value).strftime("%d/%m/%Y")
            except ValueError:
                shown = value
        else:
            shown = str(value)
        title = spec.get("title") if isinstance(spec, dict) else None
        answers.append((str(title or name), shown))
    answers += [(str(k), str(v)) for k, v in data.items() if k not in properties]
    return answers


def _action_form(
    name: str, dossier: Dossier, user: User, data: Any = None, files: Any = None
) -> forms.ActionForm:
    form_class = forms.ACTION_FORMS[name]
    kwargs: dict[str, Any] = {
        "dossier": dossier,
        "user": user,
        "final": actions.ACTIONS[name].final,
        "prefix": name,
    }
    if name == "forward":
        following, unit, finishing = forward_target(dossier, list(dossier.version.steps.all()))
        if following is not None and not finishing and unit.pk == dossier.current_unit_id:
            kwargs["assignees"] = forms.officials_for_assignment(unit.pk, following.role)
    return form_class(data, files, **kwargs)


def _ordered_actions(names: list[str], *, finishing: bool, has_result: bool) -> list[str]:
    """The actions the dossier waits for first; before the last approval, attaching the
    result (which that approval needs) comes first of all."""
    primary = [n for n in names if n in PRIMARY]
    if "attach_result" in names and finishing and not has_result:
        primary.insert(0, "attach_result")
    return primary + [n for n in names if n not in primary]


def _render_dossier(
    request: HttpRequest,
    dossier: Dossier,
    *,
    failed: forms.ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _official(request)
    version = dossier.version
    steps = list(version.steps.order_by("order"))
    components = list(version.components.order_by("order"))
    files = list(dossier.files.select_related("component", "uploaded_by"))
    following, next_unit, finishing = forward_target(dossier, steps)
    result_files = [f for f in files if f.kind == FileKind.RESULT]
    names = _ordered_actions(
        actions.available(user, dossier),
        finishing=finishing,
        has_result=bool(dossier.result_note or result_files),
    )
    primary = set(PRIMARY) | ({"attach_result"} if finishing else set())
    action_forms = [
        (
            name,
            failed if failed is not None and failed.prefix == name else None,
            name in primary,
        )
        for name in names
    ]
    now = clock.now()
    calendar = WorkingCalendar.cached()
    handovers = list(
        dossier.handovers.select_related("step", "unit", "handed_by", "done_by").order_by(
            "handed_at", "pk"
        )
    )
    events = dossier.events.select_related("actor", "unit").order_by("at", "pk")
    slips = slips_available(dossier)
    asked_slip = request.GET.get("phieu", "")
    return render(
        request,
        "dossiers/staff/dossier.html",
        {
            "dossier": dossier,
            "version": version,
            "queues": QUEUES.values(),
            "can_register": _counts_as_counter(user),
            "lateness": lateness(dossier, now=now, calendar=calendar),
            "answers": _form_answers(version, dossier.form_data or {}),
            "components": [
                (c, [f for f in files if f.component_id == c.pk and f.kind == FileKind.COMPONENT])
                for c in components
            ],
            "additional_files": [f for f in files if f.kind == FileKind.ADDITIONAL],
            "result_files": result_files,
            "steps": steps,
            "handovers": [
                (h, lateness_of_handover(h, now=now, calendar=calendar)) for h in handovers
            ],
            "events": [
                (e, capfirst(str(services.ACTION_LABELS.get(e.action, e.action)))) for e in events
            ],
            "requests": dossier.requests.select_related("requested_by").order_by("requested_at"),
            "apologies": dossier.apologies.select_related("by").order_by("at"),
            "fee_due": services.fee_due(dossier),
            "slips": [(kind, SlipKind(kind).label) for kind in slips],
            "asked_slip": (asked_slip, SlipKind(asked_slip).label) if asked_slip in slips else None,
            "forms": [
                (name, form or _action_form(name, dossier, user), open_)
                for name, form, open_ in action_forms
            ],
            "failed": failed,
            "forward_to": (following, next_unit, finishing),
        },
        status=status,
    )


def lateness_of_handover(handover: Any, *, now: dt.datetime, calendar: WorkingCalendar) -> str:
    """ "Đúng hạn" / "Quá hạn" for a closed hand-over; the time left or late for an open one."""
    if handover.done_at is not None:
        return _("Đúng hạn") if handover.done_at <= handover.due_at else _("Quá hạn")
    day = calendar.schedule.day_length
    if now > handover.due_at:
        late_by = working_amount(calendar.working_time_between(handover.due_at, now), day)
        return _("Đang xử lý, quá hạn %(time)s") % {"time": late_by}
    left = working_amount(calendar.working_time_between(now, handover.due_at), day)
    return _("Đang xử lý, còn %(time)s") % {"time": left}


@role_required()
@require_GET
@never_cache
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = get_dossier_for_user(_official(request), code)
    if dossier.code != code:
        return redirect("dossiers:staff_dossier", code=dossier.code)
    return _render_dossier(request, dossier)


@role_required()
@require_POST
def dossier_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Take *action* on the dossier through the action table; back to the page (PRG)."""
    user = _official(request)
    dossier = get_dossier_for_user(user, code)
    detail = reverse("dossiers:staff_dossier", kwargs={"code": dossier.code})
    if action not in forms.ACTION_FORMS:
        raise Http404
    if action not in actions.available(user, dossier):
        messages.error(request, _("Thao tác này không thực hiện được với hồ sơ ở bước hiện tại."))
        return redirect(detail)
    form = _action_form(action, dossier, user, request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.perform(
                dossier=dossier,
                action=action,
                by=user,
                data=form.action_data(),
                files=form.action_files(),
            )
        except ValidationError as exc:
            form.show_error(exc)
        else:
            messages.success(request, str(form.done_message))
            if not dossiers_visible_to(user).filter(pk=dossier.pk).exists():
                return redirect("dossiers:staff_queue")
            slip = SLIP_OF_ACTION.get(action)
            if slip is not None:
                return redirect(f"{detail}?{urlencode({'phieu': slip.value})}#phieu")
            return redirect(detail)
        # The failed service left the dossier unchanged; show it afresh beside the form.
        dossier = get_dossier_for_user(user, dossier.pk)
        form.dossier = dossier
    return _render_dossier(request, dossier, failed=form, status=400)


@role_required()
@require_GET
def dossier_file(request: HttpRequest, code: str, pk: int) -> Any:  # a FileResponse
    """A file of the dossier, only to officials who may see the dossier (never a public URL)."""
    dossier = get_dossier_for_user(_official(request), code)
    found: DossierFile = get_object_or_404(dossier.files.all(), pk=pk)
    try:
        handle = found.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=found.content_type,
        as_attachment=found.content_type != "application/pdf"
        and not found.content_type.startswith("image/"),
        filename=found.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@role_required()
@require_GET
def dossier_slip(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """One of the dossier's slips as PDF, printed from its records now."""
    dossier = get_dossier_for_user(_official(request), code)
    if kind not in slips_available(dossier):
        raise Http404
    try:
        pdf = render_dossier_slip(dossier, kind)
        name = dossier_slip_filename(dossier, kind)
    except SlipUnavailable as exc:
        raise Http404 from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
