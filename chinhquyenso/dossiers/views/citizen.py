"""Citizen pages of dossiers: online submission, the applicant's own dossiers and their slips,
results and fee. Only the applicant's account sees a dossier here (``get_own_dossier``: any
other account gets "not found"); the public look-up by code is the portal's ``/tra-cuu/``.

Every page works without JavaScript; the script only narrows the long list of communes.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chinhquyenso.accounts.models import AccountType, User
from chinhquyenso.core import clock
from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.forms.citizen import (
    ACCEPTED_FILES,
    MAX_FILES_PER_INPUT,
    ApplicantForm,
    RatingForm,
    ReceivingUnitForm,
    SupplyForm,
    WithdrawForm,
    applicant_initial,
    mark_required,
    show_errors,
    typed_form_data,
)
from chinhquyenso.dossiers.models import (
    Dossier,
    DossierFile,
    Feedback,
    FileKind,
    SlipKind,
    Status,
)
from chinhquyenso.dossiers.payments import can_pay_online, fee_payment_for, paid_fee_payment
from chinhquyenso.dossiers.selectors import dossiers_of_applicant, get_own_dossier
from chinhquyenso.dossiers.services import DossierError
from chinhquyenso.dossiers.slipdata import (
    dossier_slip_filename,
    render_dossier_slip,
    slips_available,
)
from chinhquyenso.dossiers.workflow import OPEN
from chinhquyenso.payments.services import PaymentError
from chinhquyenso.payments.views import redirect_to_gateway
from chinhquyenso.procedures import selectors as catalogue
from chinhquyenso.procedures.eforms import EForm, schema_to_form
from chinhquyenso.procedures.models import OnlineLevel, ProcedureVersion
from chinhquyenso.procedures.views import ORIGINAL_FORMS

PAGE_SIZE = 20
#: The e-form's fields are named ``tk-<key>`` so they never clash with the page's own.
EFORM_PREFIX = "tk"
#: Statuses in which the applicant receives the result, downloads it and may rate.
RESULT_STATUSES = frozenset({Status.PROCESSED, Status.RETURNED})
#: History rows whose note is written to the applicant (a reason, a request, an apology).
NOTES_FOR_APPLICANT = frozenset(
    {
        "refuse",
        "request_documents",
        "request_documents_at_receipt",
        "request_financial",
        "apologise",
        "stop",
        "withdraw",
        "supply_documents",
        "supply_documents_at_receipt",
    }
)
_SUBMISSION_KEY = re.compile(r"^web-[0-9a-f]{32}$")


def _file_input(code: str) -> str:
    return f"tep-{code}"


# --- starting ---------------------------------------------------------------------------------


def _online_version(code: str) -> ProcedureVersion:
    """The version in force of procedure *code*, if it can be submitted online; else 404."""
    procedure = catalogue.get_procedure_by_code(code)
    version = catalogue.version_in_force(procedure) if procedure and procedure.is_active else None
    if version is None or version.online_level == OnlineLevel.NONE:
        raise Http404("no procedure in force that can be submitted online")
    return catalogue.version_details(version)


def _account_applicant(user: User) -> services.ApplicantInput:
    """The applicant as the account knows them; the draft page lets them complete it."""
    business = user.account_type == AccountType.BUSINESS and user.organisation_name
    return services.ApplicantInput(
        name=user.organisation_name if business else user.full_name,
        phone=user.phone or "",
        email=user.email or "",
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, code: str) -> HttpResponse:
    """Step 1 of an online dossier: choose where to submit; a draft is opened there."""
    version = _online_version(code)
    user = request.user
    assert isinstance(user, User)
    form = ReceivingUnitForm(version, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dossier = services.dossier_draft_save(
                version=version,
                receiving_unit=form.cleaned_data["don_vi"],
                applicant_info=_account_applicant(user),
                form_data={},
                by=user,
            )
        except DossierError as exc:
            target = "don_vi" if exc.field == "receiving_unit" else None
            show_errors(form, {target: exc.messages})
        else:
            return redirect("dossiers:draft", pk=dossier.pk)
    drafts = dossiers_of_applicant(user).filter(
        status=Status.DRAFT, version__procedure=version.procedure
    )
    return render(
        request,
        "dossiers/citizen/start.html",
        {"version": version, "form": form, "drafts": list(drafts[:5])},
        status=400 if form.errors else 200,
    )


# --- the draft --------------------------------------------------------------------------------


@dataclass
class PageErrors:
    """A service's refusal sorted by where the page shows it."""

    headline: str = ""
    unit: dict[str | None, list[str]] = field(default_factory=dict)
    applicant: dict[str | None, list[str]] = field(default_factory=dict)
    eform: dict[str | None, list[str]] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    general: list[str] = field(default_factory=list)

    def add(self, name: str | None, texts: Sequence[str], eform: EForm) -> None:
        texts = [str(t) for t in texts]
        key = name or ""
        if key.startswith("form."):
            target = key.removeprefix("form.").split(".")[0]
            self.eform.setdefault(target if target in eform.fields else None, []).extend(texts)
        elif key.startswith("files."):
            self.files[key.removeprefix("files.")].extend(texts)
        elif key == "receiving_unit":
            self.unit.setdefault("don_vi", []).extend(texts)
        elif key in ApplicantForm.base_fields:
            self.applicant.setdefault(key, []).extend(texts)
        else:
            self.general.extend(texts)

    @classmethod
    def of(cls, exc: DossierError, eform: EForm) -> PageErrors:
        errors = cls()
        if exc.errors:
            errors.headline = exc.messages[0]
            for name, texts in exc.errors.items():
                errors.add(name, texts, eform)
        else:
            errors.add(exc.field, exc.messages, eform)
        return errors


def _checked_uploads(
    request: HttpRequest, version: ProcedureVersion, errors: PageErrors
) -> dict[str, list[UploadedFile]]:
    """The files chosen for each component, each checked by its content at once; the refused
    ones are left out and their errors noted, so the rest of the draft still saves."""
    accepted: dict[str, list[UploadedFile]] = {}
    for component in version.components.all():
        uploads = request.FILES.getlist(_file_input(component.code))
        if len(uploads) > MAX_FILES_PER_INPUT:
            errors.files[component.code].append(
                _("Chỉ gửi được tối đa %(limit)s tệp một lần.") % {"limit": MAX_FILES_PER_INPUT}
            )
            continue
        good = []
        for upload in uploads:
            try:
                services.check_dossier_file(upload)
            except DossierError as exc:
                errors.files[component.code].extend(exc.messages)
            else:
                good.append(upload)
        if good and component.code not in errors.files:
            accepted[component.code] = good
    return accepted


def _new_submission_key() -> str:
    return f"web-{secrets.token_hex(16)}"


def _submission_key(request: HttpRequest, dossier: Dossier) -> str | None:
    """The page's key if well formed and not another dossier's (a replayed old page)."""
    key = request.POST.get("submission_key", "")
    if not _SUBMISSION_KEY.match(key):
        return None
    if Dossier.objects.filter(submission_key=key).exclude(pk=dossier.pk).exists():
        return None
    return key


def _error_summary(
    unit_form: ReceivingUnitForm,
    applicant_form: ApplicantForm,
    eform: EForm,
    errors: PageErrors,
    components: Sequence[Any],
) -> list[tuple[str, str]]:
    """(link target, message) for the list at the top of the page, in the page's order."""
    summary: list[tuple[str, str]] = [("", text) for text in errors.general]
    for form in (unit_form, applicant_form, eform):
        summary.extend(("", str(text)) for text in form.non_field_errors())
        for bound in form:
            summary.extend((f"#{bound.auto_id}", str(text)) for text in bound.errors)
    for component in components:
        for text in errors.files.get(component.code, []):
            summary.append((f"#{_file_input(component.code)}", f"{component.name}: {text}"))
    return summary


def _render_draft(
    request: HttpRequest,
    dossier: Dossier,
    version: ProcedureVersion,
    *,
    unit_form: ReceivingUnitForm | None = None,
    applicant_form: ApplicantForm | None = None,
    form_data: Mapping[str, Any] | None = None,
    errors: PageErrors | None = None,
    notice: str = "",
) -> HttpResponse:
    """The draft page, drawn from what is saved (or what was typed when it could not be),
    with the services' errors beside the fields they concern."""
    if unit_form is None:
        unit_form = ReceivingUnitForm(version, initial={"don_vi": str(dossier.receiving_unit_id)})
    if applicant_form is None:
        applicant_form = ApplicantForm(
            initial=applicant_initial(
                services.ApplicantInput(
                    name=dossier.applicant_name,
                    id_number=dossier.applicant_id_number,
                    phone=dossier.applicant_phone,
                    email=dossier.applicant_email,
                    address=dossier.applicant_address,
                )
            )
        )
    eform = schema_to_form(
        version.form_schema or {},
        initial=dossier.form_data if form_data is None else form_data,
        prefix=EFORM_PREFIX,
    )
    mark_required(unit_form, applicant_form, eform)
    errors = errors or PageErrors()
    for form, found in (
        (unit_form, errors.unit),
        (applicant_form, errors.applicant),
        (eform, errors.eform),
    ):
        if found:
            show_errors(form, found)
    components = list(version.components.all())
    stored = list(dossier.files.filter(kind=FileKind.COMPONENT))
    rows = [
        {
            "component": component,
            "input": _file_input(component.code),
            "files": [f for f in stored if f.component_id == component.pk],
            "errors": errors.files.get(component.code, []),
        }
        for component in components
    ]
    summary = _error_summary(unit_form, applicant_form, eform, errors, components)
    context = {
        "dossier": dossier,
        "version": version,
        "unit_form": unit_form,
        "applicant_form": applicant_form,
        "eform": eform,
        "rows": rows,
        "summary": summary,
        "headline": errors.headline,
        "notice": notice,
        "fees": list(version.fees.all()),
        "fee_total": version.fee_total,
        "appointment": services.appointment_preview(version),
        "partial": version.online_level == OnlineLevel.PARTIAL,
        "originals": [c for c in components if c.form in ORIGINAL_FORMS],
        "submission_key": _new_submission_key(),
        "accepted_files": ACCEPTED_FILES,
        "max_mb": settings.DOSSIER_MAX_FILE_MB,
    }
    return render(request, "dossiers/citizen/draft.html", context, status=400 if summary else 200)


def _sent_already(dossier: Dossier) -> Dossier | None:
    dossier.refresh_from_db(fields=["status", "code"])
    return dossier if dossier.status != Status.DRAFT else None


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: the e-form, the documents, the appointment and fee; save or send.

    "Lưu bản nháp" keeps everything typed, even incomplete; "Nộp hồ sơ" saves, then sends,
    and shows every problem at once beside its field. Sending twice (a double click, a page
    sent again) leads to the one dossier sent.
    """
    user = request.user
    assert isinstance(user, User)
    dossier = get_own_dossier(user, pk)
    if dossier.status != Status.DRAFT:
        return redirect("dossiers:my_dossier", code=dossier.code)
    version = catalogue.version_details(dossier.version)
    if request.method == "GET":
        return _render_draft(request, dossier, version)

    unit_form = ReceivingUnitForm(version, request.POST)
    applicant_form = ApplicantForm(request.POST)
    eform = schema_to_form(version.form_schema or {}, request.POST, prefix=EFORM_PREFIX)
    form_data = typed_form_data(eform)
    errors = PageErrors()
    uploads = _checked_uploads(request, version, errors)
    if not (unit_form.is_valid() and applicant_form.is_valid()):
        return _render_draft(
            request,
            dossier,
            version,
            unit_form=unit_form,
            applicant_form=applicant_form,
            form_data=form_data,
            errors=errors,
        )
    try:
        dossier = services.dossier_draft_save(
            version=version,
            receiving_unit=unit_form.cleaned_data["don_vi"],
            applicant_info=applicant_form.applicant(),
            form_data=form_data,
            by=user,
            dossier=dossier,
            files=uploads,
        )
    except DossierError as exc:
        if sent := _sent_already(dossier):
            return redirect("dossiers:my_dossier", code=sent.code)
        refused = PageErrors.of(exc, eform)
        refused.files.update(errors.files)
        return _render_draft(
            request,
            dossier,
            version,
            unit_form=unit_form,
            applicant_form=applicant_form,
            form_data=form_data,
            errors=refused,
        )
    removed = request.POST.getlist("xoa_tep")
    for record in dossier.files.filter(kind=FileKind.COMPONENT, pk__in=_ids(removed)):
        services.dossier_file_remove(file=record, by=user)
    if errors.files:
        return _render_draft(
            request,
            dossier,
            version,
            errors=errors,
            notice=_("Đã lưu bản nháp, trừ các tệp bị từ chối dưới đây. Xin chọn lại các tệp đó."),
        )
    if request.POST.get("action") != "submit":
        messages.success(
            request,
            _(
                "Đã lưu bản nháp. Bạn có thể quay lại hoàn thiện và nộp sau, "
                "trong mục “Hồ sơ của tôi”."
            ),
        )
        return redirect("dossiers:draft", pk=dossier.pk)
    try:
        sent = services.dossier_submit(
            dossier=dossier, by=user, submission_key=_submission_key(request, dossier)
        )
    except DossierError as exc:
        return _render_draft(request, dossier, version, errors=PageErrors.of(exc, eform))
    messages.success(
        request,
        _("Đã nộp hồ sơ. Mã hồ sơ của bạn là %(code)s; dùng mã này để tra cứu.")
        % {"code": sent.code},
    )
    return redirect("dossiers:my_dossier", code=sent.code)


def _ids(values: Sequence[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


# --- the applicant's dossiers -----------------------------------------------------------------


def _is_late(dossier: Dossier) -> bool:
    if dossier.is_late:
        return True
    overdue_open = dossier.status in OPEN and dossier.paused_at is None
    return bool(overdue_open and dossier.due_at and dossier.due_at < clock.now())


@login_required
@never_cache
@require_GET
def my_dossiers(request: HttpRequest) -> HttpResponse:
    """ "Hồ sơ của tôi": drafts and sent dossiers, newest first."""
    dossiers = dossiers_of_applicant(request.user).order_by("-created_at", "-pk")
    page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("trang"))
    rows = [(dossier, _is_late(dossier)) for dossier in page.object_list]
    return render(request, "dossiers/citizen/my_dossiers.html", {"page": page, "rows": rows})


#: The slips an applicant downloads; the process-control slip is the agencies' own record.
APPLICANT_SLIPS = (SlipKind.RECEIPT, SlipKind.REFUSAL, SlipKind.ADDITIONAL, SlipKind.APOLOGY)


def _slips(dossier: Dossier) -> list[tuple[str, str]]:
    """(kind, title) of the slips the applicant may download now."""
    present = set(slips_available(dossier))
    return [(kind.value, str(kind.label)) for kind in APPLICANT_SLIPS if kind.value in present]


def _history(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "at": event.at,
            "action": str(services.ACTION_LABELS.get(event.action, event.action)),
            "status": Status(event.to_status),
            "unit": event.unit.name if event.unit else "",
            "note": event.note if event.action in NOTES_FOR_APPLICANT else "",
        }
        for event in dossier.events.select_related("unit").order_by("at", "pk")
    ]


def _render_dossier(
    request: HttpRequest,
    dossier: Dossier,
    *,
    supply_form: SupplyForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    rating_form: RatingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    version = catalogue.version_details(dossier.version)
    rating = Feedback.objects.filter(dossier=dossier).first()
    has_result = dossier.status in RESULT_STATUSES
    files = list(dossier.files.select_related("component"))
    context = {
        "dossier": dossier,
        "version": version,
        "status": Status(dossier.status),
        "late": _is_late(dossier),
        "history": _history(dossier),
        "slips": _slips(dossier),
        "open_request": dossier.requests.filter(resolved_at__isnull=True).last(),
        "submitted_files": [f for f in files if f.kind != FileKind.RESULT],
        "result_files": [f for f in files if f.kind == FileKind.RESULT] if has_result else [],
        "has_result": has_result,
        "fee_due": services.fee_due(dossier),
        "can_pay": can_pay_online(dossier),
        "fee_payment": paid_fee_payment(dossier) if dossier.paid_at else None,
        "partial": version.online_level == OnlineLevel.PARTIAL,
        "originals": [c for c in version.components.all() if c.form in ORIGINAL_FORMS],
        "can_supply": dossier.status == Status.ADDITIONAL_REQUESTED,
        "can_withdraw": dossier.status in OPEN,
        "can_rate": has_result and rating is None,
        "rating": rating,
        "supply_form": supply_form or SupplyForm(auto_id="bs_%s"),
        "withdraw_form": withdraw_form or WithdrawForm(auto_id="rut_%s"),
        "rating_form": rating_form or RatingForm(auto_id="dg_%s"),
    }
    return render(request, "dossiers/citizen/dossier.html", context, status=status)


def _own_sent_dossier(request: HttpRequest, code: str) -> Dossier:
    dossier = get_own_dossier(request.user, code)
    if dossier.status == Status.DRAFT:
        raise Http404
    return dossier


@login_required
@never_cache
@require_GET
def my_dossier(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant's own dossier: where it stands, its history, slips, result and fee."""
    dossier = get_own_dossier(request.user, code)
    if dossier.status == Status.DRAFT:
        return redirect("dossiers:draft", pk=dossier.pk)
    return _render_dossier(request, dossier)


def _back(dossier: Dossier, anchor: str = "") -> HttpResponse:
    return redirect(reverse("dossiers:my_dossier", kwargs={"code": dossier.code}) + anchor)


@login_required
@require_POST
def supply(request: HttpRequest, code: str) -> HttpResponse:
    """Send the documents an additional-documents request asked for."""
    dossier = _own_sent_dossier(request, code)
    form = SupplyForm(request.POST, request.FILES, auto_id="bs_%s")
    if form.is_valid():
        try:
            services.dossier_supply_documents(
                dossier=dossier,
                by=request.user,
                extra_files=form.cleaned_data["tep"],
                note=form.cleaned_data["ghi_chu"],
            )
        except DossierError as exc:
            target = {"files": "tep", "note": "ghi_chu"}.get(exc.field or "")
            show_errors(form, {target: exc.messages})
        else:
            messages.success(request, _("Đã gửi giấy tờ bổ sung. Hồ sơ được xử lý tiếp."))
            return _back(dossier)
    return _render_dossier(request, dossier, supply_form=form, status=400)


@login_required
@require_POST
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _own_sent_dossier(request, code)
    form = WithdrawForm(request.POST, auto_id="rut_%s")
    if form.is_valid():
        try:
            services.dossier_withdraw(
                dossier=dossier, by=request.user, reason=form.cleaned_data["ly_do"]
            )
        except DossierError as exc:
            show_errors(form, {"ly_do" if exc.field == "reason" else None: exc.messages})
        else:
            messages.success(request, _("Đã rút hồ sơ."))
            return _back(dossier)
    return _render_dossier(request, dossier, withdraw_form=form, status=400)


@login_required
@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _own_sent_dossier(request, code)
    form = RatingForm(request.POST, auto_id="dg_%s")
    if form.is_valid():
        try:
            services.dossier_rate(
                dossier=dossier,
                by=request.user,
                rating=form.cleaned_data["muc_do"],
                comment=form.cleaned_data["y_kien"],
            )
        except DossierError as exc:
            target = {"rating": "muc_do", "comment": "y_kien"}.get(exc.field or "")
            show_errors(form, {target: exc.messages})
        else:
            messages.success(request, _("Cảm ơn bạn đã đánh giá."))
            return _back(dossier)
    return _render_dossier(request, dossier, rating_form=form, status=400)


@login_required
@require_POST
def pay(request: HttpRequest, code: str) -> HttpResponse:
    """Pay the fee online: to the gateway (or the simulator), back to this dossier after."""
    dossier = _own_sent_dossier(request, code)
    try:
        payment = fee_payment_for(dossier=dossier, by=request.user)
        next_url = reverse("dossiers:my_dossier", kwargs={"code": dossier.code})
        return redirect_to_gateway(request, payment, next_url=next_url)
    except PaymentError as exc:
        messages.error(request, exc.messages[0])
        return _back(dossier)


@login_required
@require_GET
def slip(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """A slip of the dossier as PDF: receipt, refusal, additional-documents request, apology."""
    dossier = _own_sent_dossier(request, code)
    if kind not in dict(_slips(dossier)):
        raise Http404
    response = HttpResponse(render_dossier_slip(dossier, kind), content_type="application/pdf")
    filename = dossier_slip_filename(dossier, kind)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_GET
def dossier_file(request: HttpRequest, pk: int) -> FileResponse:
    """A file of the applicant's own dossier; the result only once processing is finished."""
    record = (
        DossierFile.objects.select_related("dossier")
        .filter(pk=pk, dossier__in=dossiers_of_applicant(request.user))
        .first()
    )
    if record is None or (
        record.kind == FileKind.RESULT and record.dossier.status not in RESULT_STATUSES
    ):
        raise Http404
    response = FileResponse(
        record.file.open("rb"),
        content_type=record.content_type,
        as_attachment=True,
        filename=record.original_name,
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response
