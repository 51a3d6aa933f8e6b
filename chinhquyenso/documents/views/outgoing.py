"""The officials' outgoing documents pages under ``/can-bo/van-ban/di/``: queues, drafting, one
document with the actions allowed now and its recipients' status, the signing page with the
page preview, files, edXML packages for outside recipients, and recall requests received.

Views parse, authorise, call a service, render. Reads go through ``selectors`` and
``outgoing_selectors`` (a document out of reach is "not found"); every write through
``documents.outgoing``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_stubs_ext import StrOrPromise

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.permissions import has_role, role_required
from chinhquyenso.documents import convert, outgoing
from chinhquyenso.documents import outgoing_selectors as reads
from chinhquyenso.documents.errors import DocumentError
from chinhquyenso.documents.forms import outgoing as forms
from chinhquyenso.documents.models import Delivery, Document, Secrecy, Urgency
from chinhquyenso.documents.selectors import current_file
from chinhquyenso.documents.services import ACTION_LABELS
from chinhquyenso.documents.workflow import DRAFTERS
from chinhquyenso.signing import pdf as signing_pdf
from chinhquyenso.signing.appearance import POINTS_PER_MM, Box, VisibleSignature
from chinhquyenso.signing.errors import SigningError
from chinhquyenso.units.models import Unit

PAGE_SIZE = 20
#: Slugs of the actions in addresses, and back.
ACTION_SLUGS = {
    "upload_version": "tai-phien-ban",
    "add_attachment": "them-tep-kem",
    "comment": "gop-y",
    "submit_for_review": "trinh",
    "approve": "duyet",
    "return_draft": "tra-lai",
    "give_number": "cap-so",
    "seal_and_issue": "ban-hanh",
    "recall": "thu-hoi",
}
ACTION_OF_SLUG = {slug: name for name, slug in ACTION_SLUGS.items()}
DONE: dict[str, StrOrPromise] = {
    "upload_version": gettext_lazy("Đã tải lên phiên bản mới."),
    "add_attachment": gettext_lazy("Đã thêm tài liệu kèm theo."),
    "comment": gettext_lazy("Đã ghi góp ý."),
    "submit_for_review": gettext_lazy("Đã trình duyệt dự thảo."),
    "approve": gettext_lazy("Đã duyệt dự thảo; văn bản chờ người có thẩm quyền ký."),
    "return_draft": gettext_lazy("Đã trả lại dự thảo cho người soạn thảo."),
    "give_number": gettext_lazy("Đã cấp số và ngày ban hành."),
    "seal_and_issue": gettext_lazy("Đã ký số của cơ quan và ban hành văn bản."),
    "recall": gettext_lazy("Đã gửi đề nghị thu hồi đến các nơi nhận."),
}
SERVICES: dict[str, Callable[..., Any]] = {
    "upload_version": lambda *, file, note, **kw: outgoing.outgoing_upload_version(
        upload=file, note=note, **kw
    ),
    "add_attachment": lambda *, file, **kw: outgoing.outgoing_add_attachment(upload=file, **kw),
    "comment": outgoing.outgoing_comment,
    "submit_for_review": outgoing.outgoing_submit,
    "approve": outgoing.outgoing_approve,
    "return_draft": outgoing.outgoing_return,
    "give_number": outgoing.outgoing_give_number,
    "seal_and_issue": outgoing.outgoing_issue,
    "recall": outgoing.outgoing_recall,
}
#: Actions shown open; the others are folded under their title.
PRIMARY = ("submit_for_review", "approve", "give_number", "seal_and_issue")
#: History labels of the steps ``services.ACTION_LABELS`` does not name.
EVENT_LABELS: dict[str, StrOrPromise] = {
    "create": gettext_lazy("soạn thảo"),
    "add_attachment": gettext_lazy("thêm tài liệu kèm theo"),
    "recall_answer": gettext_lazy("trả lời thu hồi"),
    "update": gettext_lazy("cập nhật"),
    "delivery_status": gettext_lazy("trạng thái nơi nhận"),
}


def _official(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _nav(user: User) -> dict[str, Any]:
    return {
        "queues": reads.queues_for(user),
        "can_draft": bool(user.unit_id) and has_role(user, *DRAFTERS),
        "recalls_count": reads.open_recalls_for(user).count(),
        "shows_recalls": has_role(user, Role.CLERK, Role.UNIT_LEADER),
    }


def _event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action) or ACTION_LABELS.get(action, action))


# --- queues ----------------------------------------------------------------------------------


@role_required()
@require_GET
@never_cache
def queue(request: HttpRequest, slug: str = "tat-ca") -> HttpResponse:
    user = _official(request)
    current = reads.QUEUES.get(slug)
    if current is None or not current.shown_to(user):
        raise Http404
    page = Paginator(reads.queue_rows(current, user), PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "documents/outgoing/queue.html",
        {"queue": current, "page": page, **_nav(user)},
    )


# --- drafting --------------------------------------------------------------------------------


def _recipient_units(unit: Unit) -> Any:
    return Unit.objects.filter(valid_to__isnull=True).exclude(pk=unit.pk).order_by("path")


def _follow_up(request: HttpRequest, user: User) -> tuple[Document | None, int]:
    """The issued document a replacement (``?thay-the=``) or update (``?cap-nhat=``) is for."""
    for slug, kind in forms.FOLLOW_UP_SLUGS.items():
        value = request.GET.get(slug)
        if value:
            document = reads.get_outgoing_for_user(user, value)
            if not reads.can_follow_up(user, document):
                raise Http404
            return document, kind
    return None, 0


@role_required(*DRAFTERS)
@require_http_methods(["GET", "POST"])
@never_cache
def create(request: HttpRequest) -> HttpResponse:
    user = _official(request)
    if user.unit is None:
        raise Http404
    replaces, business_type = _follow_up(request, user)
    kwargs = {
        "signers": forms.signer_choices(user.unit),
        "recipient_units": _recipient_units(user.unit),
    }
    status = 200
    if request.method == "POST":
        form = forms.DraftForm(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            try:
                document = outgoing.outgoing_create(
                    unit=user.unit,
                    by=user,
                    replaces=replaces,
                    business_type=business_type,
                    **form.service_arguments(),
                )
            except ValidationError as exc:
                form.show_error(exc)
            else:
                messages.success(request, _("Đã tạo dự thảo văn bản."))
                return redirect("documents:outgoing_detail", pk=document.pk)
        status = 400
    else:
        initial = forms.initial_from(replaces) if replaces is not None else None
        form = forms.DraftForm(initial=initial, **kwargs)
    return render(
        request,
        "documents/outgoing/create.html",
        {
            "form": form,
            "replaces": replaces,
            "business_type": business_type,
            "current_slug": "soan-thao",
            **_nav(user),
        },
        status=status,
    )


# --- one document ----------------------------------------------------------------------------


def _action_form(
    name: str, document: Document, data: Any = None, files: Any = None
) -> forms.ActionForm:
    form = forms.ACTION_FORMS[name](data, files, document=document, prefix=name)
    if name == "approve" and data is None:
        current = current_file(document)
        form.initial["version"] = current.pk if current else None
    return form


def _render_document(
    request: HttpRequest,
    document: Document,
    *,
    failed: forms.ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _official(request)
    action_forms = [
        (
            name,
            failed
            if failed is not None and failed.prefix == name
            else _action_form(name, document),
            name in PRIMARY,
            ACTION_SLUGS[name],
        )
        for name in reads.actions_for(user, document)
    ]
    events = document.events.select_related("actor").order_by("at", "pk")
    deliveries = list(reads.deliveries_of(document))
    return render(
        request,
        "documents/outgoing/document.html",
        {
            "document": document,
            "main_file": current_file(document),
            "versions": reads.versions_of(document),
            "attachments": reads.attachments_of(document),
            "recipient_units": document.recipient_units.order_by("path"),
            "external_recipients": outgoing.parse_external_recipients(document.recipients_text),
            "deliveries": deliveries,
            "edxml_deliveries": any(d.recipient_code for d in deliveries)
            and document.secrecy == Secrecy.NONE,
            "events": [(e, _event_label(e.action)) for e in events],
            "forms": action_forms,
            "failed": failed,
            "can_sign": reads.can_sign(user, document),
            "can_follow_up": reads.can_follow_up(user, document),
            "is_sender_clerk": user.unit_id == document.unit_id and has_role(user, Role.CLERK),
            "urgent": document.urgency != Urgency.NORMAL,
            "secret": document.secrecy != Secrecy.NONE,
            **_nav(user),
        },
        status=status,
    )


@role_required()
@require_GET
@never_cache
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = reads.get_outgoing_for_user(_official(request), pk)
    return _render_document(request, document)


@role_required()
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take the action named by the slug *action*; back to the page (PRG), or the page with the
    error beside the form."""
    user = _official(request)
    document = reads.get_outgoing_for_user(user, pk)
    name = ACTION_OF_SLUG.get(action)
    if name is None:
        raise Http404
    page = reverse("documents:outgoing_detail", kwargs={"pk": document.pk})
    if name not in reads.actions_for(user, document):
        messages.error(request, _("Thao tác này không thực hiện được với văn bản ở bước hiện tại."))
        return redirect(page)
    form = _action_form(name, document, request.POST, request.FILES)
    if form.is_valid():
        try:
            arguments = _arguments(form)
            SERVICES[name](document=document, by=user, **arguments)
        except ValidationError as exc:
            form.show_error(exc)
        else:
            messages.success(request, str(DONE[name]))
            return redirect(page)
        document = reads.get_outgoing_for_user(user, document.pk)
    return _render_document(request, document, failed=form, status=400)


def _arguments(form: forms.ActionForm) -> dict[str, Any]:
    service_arguments = getattr(form, "service_arguments", None)
    if service_arguments is not None:
        result: dict[str, Any] = service_arguments()
        return result
    return dict(form.cleaned_data)


# --- the signing page ------------------------------------------------------------------------


def _pages(data: bytes) -> list[Box]:
    reader = signing_pdf.open_pdf(data)
    return [
        signing_pdf.page_box(reader, page) for page in range(1, signing_pdf.page_count(reader) + 1)
    ]


def _mm(box: Box, page: Box) -> dict[str, float]:
    """*box* (PDF points) as millimetres from the top left of *page*."""
    x1, y1, x2, y2 = box
    return {
        "left_mm": round((x1 - page[0]) / POINTS_PER_MM, 1),
        "top_mm": round((page[3] - y2) / POINTS_PER_MM, 1),
        "width_mm": round((x2 - x1) / POINTS_PER_MM, 1),
        "height_mm": round((y2 - y1) / POINTS_PER_MM, 1),
    }


def _requested_page(request: HttpRequest, pages: int, default: int) -> int:
    try:
        page = int(request.POST.get("page") or request.GET.get("trang") or default)
    except ValueError:
        page = default
    return min(max(page, 1), pages)


@role_required(Role.UNIT_LEADER)
@require_http_methods(["GET", "POST"])
@never_cache
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The competent person places the signature on a preview of the approved version and
    signs with their certificate."""
    user = _official(request)
    document = reads.get_outgoing_for_user(user, pk)
    if not reads.can_sign(user, document):
        messages.error(request, _("Văn bản không ở bước chờ anh/chị ký số."))
        return redirect("documents:outgoing_detail", pk=document.pk)
    version = reads.approved_version(document)
    if version is None:
        messages.error(request, _("Văn bản chưa có phiên bản được duyệt."))
        return redirect("documents:outgoing_detail", pk=document.pk)
    with version.file.open("rb") as handle:
        data = handle.read()
    pages = _pages(data)
    placeholder = signing_pdf.find_placeholder(data, outgoing.SIGNATURE_PLACEHOLDER)
    placeholder_page = placeholder[0] if placeholder else None
    default_page = placeholder_page or len(pages)
    shown = _requested_page(request, len(pages), default_page)
    form_kwargs: dict[str, Any] = {"pages": pages, "placeholder_page": placeholder_page}
    status = 200
    if request.method == "POST":
        form = forms.SignForm(request.POST, **form_kwargs)
        if form.is_valid():
            chosen = document.files.filter(pk=form.cleaned_data["version"]).first()
            try:
                if chosen is None:
                    raise DocumentError(_("Phiên bản không thuộc văn bản này."), field="version")
                box = form.box()
                title, name = (
                    (user.job_title, user.full_name) if form.cleaned_data["with_name"] else ("", "")
                )
                appearance = (
                    VisibleSignature.person(
                        placeholder=outgoing.SIGNATURE_PLACEHOLDER, title=title, name=name
                    )
                    if box is None
                    else VisibleSignature.person(
                        page=form.cleaned_data["page"], box=box, title=title, name=name
                    )
                )
                outgoing.outgoing_sign(
                    document=document,
                    version=chosen,
                    by=user,
                    appearance=appearance,
                    secret=form.cleaned_data["secret"] or None,
                )
            except ValidationError as exc:
                form.show_error(exc)
            else:
                messages.success(request, _("Đã ký số văn bản; văn bản chờ văn thư cấp số."))
                return redirect("documents:outgoing_detail", pk=document.pk)
        status = 400
    else:
        initial: dict[str, Any] = {
            "version": version.pk,
            "page": shown,
            "placement": "placeholder" if placeholder else "box",
            "preset": "phai-duoi",
        }
        if placeholder is not None and placeholder[0] == shown:
            from chinhquyenso.signing.appearance import placeholder_box

            initial.update(_mm(placeholder_box(placeholder[1]), pages[shown - 1]))
        form = forms.SignForm(initial=initial, **form_kwargs)
    page_box = pages[shown - 1]
    return render(
        request,
        "documents/outgoing/sign.html",
        {
            "document": document,
            "version": version,
            "form": form,
            "shown_page": shown,
            "page_numbers": range(1, len(pages) + 1),
            "page_width_mm": round((page_box[2] - page_box[0]) / POINTS_PER_MM, 1),
            "page_height_mm": round((page_box[3] - page_box[1]) / POINTS_PER_MM, 1),
            "presets": forms.PRESETS,
            "credential": outgoing.person_credential(user),
            "placeholder_page": placeholder_page,
            **_nav(user),
        },
        status=status,
    )


# --- files -----------------------------------------------------------------------------------


@role_required()
@require_GET
def preview(request: HttpRequest, pk: int, file_pk: int, page: int) -> HttpResponse:
    """Page *page* of a file of the document, as a PNG (for placing the signature)."""
    found = reads.get_file_for_user(_official(request), pk, file_pk)
    with found.file.open("rb") as handle:
        data = handle.read()
    try:
        pages = signing_pdf.page_count(signing_pdf.open_pdf(data))
        if not 1 <= page <= pages:
            raise Http404
        png = convert.render_page_png(data, page)
    except (SigningError, ValidationError) as exc:
        raise Http404 from exc
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required()
@require_GET
def source(request: HttpRequest, pk: int, file_pk: int) -> Any:
    """The DOCX a draft version was converted from."""
    found = reads.get_file_for_user(_official(request), pk, file_pk)
    if not found.source_file:
        raise Http404
    try:
        handle = found.source_file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    stem = found.original_name.rsplit(".", 1)[0] or "van-ban"
    response = FileResponse(
        handle,
        content_type=convert.DOCX_CONTENT_TYPE,
        as_attachment=True,
        filename=f"{stem}.docx",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(Role.CLERK)
@require_GET
def edxml_package(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    """The edXML package (QCVN 102:2016) of an issued document for one outside recipient, for
    the clerk to send over the exchange axis."""
    from chinhquyenso.documents import edxml

    user = _official(request)
    document = reads.get_outgoing_for_user(user, pk)
    if user.unit_id != document.unit_id:
        raise Http404
    delivery = Delivery.objects.filter(document=document, pk=delivery_pk).first()
    if delivery is None or not delivery.recipient_code:
        raise Http404
    organ = edxml.Organ(organ_id=delivery.recipient_code, name=delivery.recipient_name)
    try:
        package = edxml.document_package(
            document,
            recipients=[organ],
            business_type=delivery.business_type,
            by=user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("documents:outgoing_detail", pk=document.pk)
    response = HttpResponse(package, content_type="application/xml")
    name = f"{document.reference or document.pk}-{delivery.recipient_code}.edxml"
    response["Content-Disposition"] = f'attachment; filename="{_safe_name(name)}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _safe_name(name: str) -> str:
    from chinhquyenso.core.text import fold

    return "".join(c if c.isalnum() or c in ".-" else "-" for c in fold(name))


# --- recall requests received ------------------------------------------------------------------


@role_required(Role.CLERK, Role.UNIT_LEADER)
@require_GET
@never_cache
def recalls(request: HttpRequest) -> HttpResponse:
    user = _official(request)
    rows = list(reads.open_recalls_for(user))
    return render(
        request,
        "documents/outgoing/recalls.html",
        {
            "rows": [(d, forms.RecallAnswerForm(prefix=f"thu-hoi-{d.pk}")) for d in rows],
            "current_slug": "thu-hoi",
            **_nav(user),
        },
    )


@role_required(Role.CLERK, Role.UNIT_LEADER)
@require_POST
def recall_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = _official(request)
    delivery = reads.get_recall_for_user(user, pk)
    form = forms.RecallAnswerForm(request.POST, prefix=f"thu-hoi-{delivery.pk}")
    if form.is_valid():
        try:
            outgoing.outgoing_recall_answer(
                delivery=delivery,
                by=user,
                accept=form.cleaned_data["answer"] == "dong-y",
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error("note" if getattr(exc, "field", None) == "note" else None, exc.messages)
        else:
            messages.success(request, _("Đã gửi trả lời đề nghị thu hồi."))
            return redirect("documents:outgoing_recalls")
    rows = [
        (d, form if d.pk == delivery.pk else forms.RecallAnswerForm(prefix=f"thu-hoi-{d.pk}"))
        for d in reads.open_recalls_for(user)
    ]
    return render(
        request,
        "documents/outgoing/recalls.html",
        {"rows": rows, "failed": form, "current_slug": "thu-hoi", **_nav(user)},
        status=400,
    )


__all__ = [
    "act",
    "create",
    "detail",
    "edxml_package",
    "preview",
    "queue",
    "recall_answer",
    "recalls",
    "sign",
    "source",
]
