"""Payment pages: pay, the gateway's return and notice, the receipt, the simulator, reconciling.

Views parse, authorise, call a service, render. The gateway's two messages go through the
configured provider and ``services.payment_apply_callback``; the IPN endpoint answers in the
gateway's JSON and never with an error page.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from chinhquyenso.accounts.permissions import role_required
from chinhquyenso.payments import selectors, services, simulator
from chinhquyenso.payments.forms import ReconciliationForm, SimulatorForm
from chinhquyenso.payments.models import (
    CallbackResolution,
    EventKind,
    Payment,
    PaymentStatus,
    ProviderVerdict,
)
from chinhquyenso.payments.providers import get_provider

#: Session key listing the payments this browser started or came back from (for receipts).
SESSION_KEY = "payments_owned"
SESSION_LIMIT = 20
PAGE_SIZE = 50
#: Resolutions after which the return page shows the payment the message named.
SHOWN_RESOLUTIONS = frozenset(
    {
        CallbackResolution.APPLIED,
        CallbackResolution.ALREADY_DONE,
        CallbackResolution.WRONG_AMOUNT,
        CallbackResolution.BAD_MESSAGE,
        CallbackResolution.ERROR,
    }
)


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _remember(request: HttpRequest, payment: Payment) -> None:
    owned = [ref for ref in request.session.get(SESSION_KEY, []) if ref != payment.txn_ref]
    request.session[SESSION_KEY] = [*owned, payment.txn_ref][-SESSION_LIMIT:]


def _owned(request: HttpRequest) -> list[str]:
    owned = request.session.get(SESSION_KEY, [])
    return owned if isinstance(owned, list) else []


def _actor(request: HttpRequest) -> Any:
    return request.user if request.user.is_authenticated else None


def redirect_to_gateway(
    request: HttpRequest, payment: Payment, *, next_url: str = ""
) -> HttpResponseRedirect:
    """Start *payment* for the person making *request* and send them to the gateway.

    For other apps' views: ``return redirect_to_gateway(request, payment, next_url=...)``.
    Raises ``services.PaymentError`` when the payment cannot be started (ended or expired).
    """
    url = services.payment_start(
        payment=payment,
        return_url=request.build_absolute_uri(reverse("payments:return")),
        client_ip=_client_ip(request),
        locale=translation.get_language() or "vi",
        next_url=next_url,
        by=_actor(request),
    )
    _remember(request, payment)
    return HttpResponseRedirect(url)


# --- paying ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, txn_ref: str) -> HttpResponse:
    """The payment's summary and a button to pay it; only its payer, when it has one."""
    payment = get_object_or_404(Payment.objects.select_related("unit"), txn_ref=txn_ref)
    if payment.payer_id is not None:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.pk != payment.payer_id:
            raise Http404
    next_url = services.local_next_url(request.POST.get("next") or request.GET.get("next", ""))
    error = ""
    if request.method == "POST" and payment.status == PaymentStatus.PENDING:
        try:
            return redirect_to_gateway(request, payment, next_url=next_url)
        except services.PaymentError as exc:
            error = str(exc.message)
            payment.refresh_from_db()
    context = {
        "payment": payment,
        "next_url": next_url or payment.next_url,
        "error": error,
        "provider": get_provider(),
    }
    return render(request, "payments/pay.html", context, status=400 if error else 200)


# --- the gateway's messages -----------------------------------------------------------------


def ipn_answer(params: Mapping[str, str], *, client_ip: str | None) -> dict[str, str]:
    """Apply a gateway notice and return the answer; the IPN view and the simulator call it."""
    answer, _outcome = get_provider().handle_ipn(params, client_ip=client_ip)
    return answer


@csrf_exempt
@require_GET
def ipn(request: HttpRequest) -> JsonResponse:
    """The gateway's server-to-server notice (GET, as VNPAY sends it); answers in JSON."""
    return JsonResponse(ipn_answer(request.GET.dict(), client_ip=_client_ip(request)))


@require_GET
def payment_return(request: HttpRequest) -> HttpResponse:
    """Where the gateway sends the payer back: the result, checked and applied if still due.

    The IPN is the authority; this page shows what the payment is now, and confirms it from the
    (verified) return when the IPN has not arrived yet, as VNPAY recommends.
    """
    result = get_provider().verify_return(request.GET.dict())
    outcome = services.payment_apply_callback(
        result=result, kind=EventKind.RETURN, ip=_client_ip(request)
    )
    payment = outcome.payment
    if outcome.resolution not in SHOWN_RESOLUTIONS or payment is None:
        return render(
            request,
            "payments/return_invalid.html",
            {"resolution": outcome.resolution},
            status=400,
        )
    payment.refresh_from_db()
    _remember(request, payment)
    context = {
        "payment": payment,
        "resolution": outcome.resolution,
        "gateway_paid": result.verdict == ProviderVerdict.SUCCESS,
        "next_url": payment.next_url,
    }
    return render(request, "payments/return.html", context)


# --- receipts -------------------------------------------------------------------------------


@require_GET
def receipt(request: HttpRequest, txn_ref: str) -> HttpResponse:
    """The printable receipt (biên lai) of a paid payment: its payer and officials only."""
    payment = selectors.get_payment_for_receipt(request.user, txn_ref, _owned(request))
    return render(request, "payments/receipt.html", {"payment": payment})


# --- the simulator --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def simulator_page(request: HttpRequest) -> HttpResponse:
    """The local stand-in for the gateway's payment page (see ``simulator.py``)."""
    if not settings.PAYMENT_SIMULATOR:
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    try:
        order = simulator.check_request(data.dict())
    except simulator.SimulatorError as exc:
        failure = {"code": exc.code, "message": exc.message}
        return render(request, "payments/simulator_error.html", failure, status=400)
    form = SimulatorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        answer = simulator.gateway_answer(order, form.cleaned_data["ket_qua"])
        if not form.cleaned_data["khong_gui_ipn"]:
            ipn_answer(answer, client_ip=None)
        return HttpResponseRedirect(simulator.return_redirect(order, answer))
    context: dict[str, Any] = {"order": order, "form": form, "merchant_name": settings.SITE_NAME}
    return render(request, "payments/simulator.html", context, status=400 if form.is_bound else 200)


# --- reconciliation -------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[ReconciliationForm, dt.date, dt.date, str]:
    """The filters asked for; by default this month so far (shown filled in the form)."""
    today = timezone.localdate()
    default_start = today.replace(day=1)
    data = request.GET.copy()
    data.setdefault("tu_ngay", default_start.isoformat())
    data.setdefault("den_ngay", today.isoformat())
    form = ReconciliationForm(data)
    if form.is_valid():
        cleaned = form.cleaned_data
        return form, cleaned["tu_ngay"], cleaned["den_ngay"], cleaned["trang_thai"]
    return form, default_start, today, ""


@role_required(*selectors.RECONCILING_ROLES)
@require_GET
def reconciliation(request: HttpRequest) -> HttpResponse:
    """Payments by date and state, totals per day, and what does not match the gateway."""
    form, start, end, status = _filtered(request)
    visible = selectors.payments_visible_to(request.user)
    rows = selectors.payments_in(visible, start=start, end=end, status=status)
    in_range = selectors.payments_in(visible, start=start, end=end)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    context = {
        "form": form,
        "start": start,
        "end": end,
        "page": page,
        "totals": selectors.totals(in_range),
        "days": selectors.day_totals(visible, start=start, end=end),
        "unsettled": selectors.paid_at_gateway_not_here(visible)[:PAGE_SIZE],
        "overdue": selectors.overdue_pending(in_range)[:PAGE_SIZE],
        "rejected": selectors.rejected_events(
            visible, start=start, end=end, everything=selectors.sees_everything(request.user)
        )[:PAGE_SIZE],
    }
    return render(
        request, "payments/reconciliation.html", context, status=200 if form.is_valid() else 400
    )


def _cell(value: Any) -> str:
    """Text for a spreadsheet cell; a leading = + - @ would make it a formula, so it is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M:%S") if moment else ""


@role_required(*selectors.RECONCILING_ROLES)
@require_GET
def reconciliation_csv(request: HttpRequest) -> HttpResponse:
    """The filtered payments as CSV (UTF-8 with BOM, so spreadsheet programs read the marks)."""
    form, start, end, status = _filtered(request)
    if not form.is_valid():
        return HttpResponse(
            " ".join(str(error) for errors in form.errors.values() for error in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    rows = selectors.payments_in(
        selectors.payments_visible_to(request.user), start=start, end=end, status=status
    ).order_by("created_at", "pk")
    header = [
        _("Mã giao dịch"),
        _("Số biên lai"),
        _("Mục đích"),
        _("Đối tượng thanh toán"),
        _("Nội dung"),
        _("Đơn vị thu"),
        _("Người nộp"),
        _("Số tiền (đồng)"),
        _("Trạng thái"),
        _("Cổng thanh toán"),
        _("Mã giao dịch tại cổng"),
        _("Ngân hàng"),
        _("Thời điểm tạo"),
        _("Thời điểm xác nhận"),
    ]

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    for payment in rows.iterator(chunk_size=500):
        writer.writerow(
            [
                _cell(payment.txn_ref),
                _cell(payment.receipt_number),
                _cell(payment.purpose),
                _cell(payment.reference),
                _cell(payment.order_info),
                _cell(payment.unit.name if payment.unit else ""),
                _cell(payment.payer_name),
                payment.amount,
                _cell(payment.get_status_display()),
                _cell(payment.provider),
                _cell(payment.provider_transaction_no),
                _cell(payment.bank_code),
                _local(payment.created_at),
                _local(payment.paid_at),
            ]
        )
    filename = f"doi-soat-thanh-toan-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
