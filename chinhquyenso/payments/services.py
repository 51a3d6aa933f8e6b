"""Writes on payments. Every change of a payment goes through a function here.

Other apps create a payment for what they charge (:func:`payment_create`), send the payer to the
gateway (:func:`payment_start`, or the ready-made page ``payments:pay``) and learn of the payment
through a handler registered for their purpose (:func:`register_payment_handler`), called inside
the transaction that confirms the payment: if the handler fails, nothing is confirmed and the
gateway is told to try again.

The gateway's messages (browser return and server notice) all go through
:func:`payment_apply_callback`: signature first, then the order, the amount and the state, and
only then a write. Every message is kept as a :class:`PaymentEvent`, accepted or not.

Errors: :class:`PaymentError` (a ``ValidationError``) with a Vietnamese message and, where it
concerns one input, ``field``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from chinhquyenso.core import clock
from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.text import clean_text
from chinhquyenso.payments import workflow
from chinhquyenso.payments.models import (
    CallbackResolution,
    Payment,
    PaymentEvent,
    PaymentStatus,
    ProviderVerdict,
    ReceiptSequence,
)
from chinhquyenso.payments.money import format_vnd
from chinhquyenso.payments.providers import CallbackOutcome, CallbackResult, get_provider
from chinhquyenso.units.models import Unit

logger = logging.getLogger(__name__)

#: The largest amount VNPAY's ``vnp_Amount`` (12 digits, amount × 100) can carry, in đồng.
MAX_AMOUNT = 9_999_999_999
#: Characters of a transaction reference after its date: no 0/O, 1/I to read it out on a phone.
TXN_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#: How much of a received message is kept: gateways send about 12 short fields.
MAX_KEPT_PARAMS = 40
MAX_KEPT_VALUE = 500

PaymentHandler = Callable[[Payment], None]
#: purpose → function called with the payment, inside the transaction that confirms it.
PAYMENT_HANDLERS: dict[str, PaymentHandler] = {}


class PaymentError(ValidationError):
    """A refused write, with a Vietnamese message meant for the person who tried it."""

    def __init__(self, message: Any, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


def register_payment_handler(purpose: str, handler: PaymentHandler) -> None:
    """Call *handler(payment)* when a payment for *purpose* is confirmed paid.

    Register once, from the app's ``AppConfig.ready()``. The handler runs inside the confirming
    transaction (so it may lock and update its own rows, and call its own services); an
    exception rolls the confirmation back and the gateway's notice is answered as an error, so
    the gateway sends it again.
    """
    existing = PAYMENT_HANDLERS.get(purpose)
    if existing is not None and existing != handler:
        raise ImproperlyConfigured(f"A payment handler for {purpose!r} is already registered.")
    PAYMENT_HANDLERS[purpose] = handler


def local_next_url(url: str) -> str:
    """*url* if it is a path on this site (``/…``), else ``""``: never an open redirect."""
    url = (url or "").strip()
    if (
        not url.startswith("/")
        or len(url) > 500
        or not url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    ):
        return ""
    return url


# --- creating and starting ------------------------------------------------------------------


def _new_txn_ref() -> str:
    day = timezone.localdate(clock.now()).strftime("%y%m%d")
    return day + "".join(secrets.choice(TXN_ALPHABET) for _ in range(8))


def _check_text(value: Any, *, field: str, limit: int, label: str) -> str:
    text = clean_text(str(value or ""))
    if not text:
        raise PaymentError(_("Thiếu %(label)s.") % {"label": label}, field=field)
    if len(text) > limit:
        raise PaymentError(
            _("%(label)s dài quá %(limit)s ký tự.") % {"label": label, "limit": limit},
            field=field,
        )
    return text


@transaction.atomic
def payment_create(
    *,
    purpose: str,
    reference: str,
    amount: int,
    order_info: str,
    payer: Any,
    by: Any,
    unit: Unit | None = None,
) -> Payment:
    """A pending payment of *amount* đồng for *reference* (e.g. a dossier code).

    *purpose* says what kind of thing is paid for (``"dossier_fee"``) and picks the handler
    called on success; *payer* is the account paying (``None`` for someone without one);
    *unit* is the agency collecting (named on the receipt, and whose leaders reconcile it).
    """
    purpose = _check_text(purpose, field="purpose", limit=50, label=_("mục đích thanh toán"))
    reference = _check_text(
        reference, field="reference", limit=100, label=_("đối tượng thanh toán")
    )
    order_info = _check_text(
        order_info, field="order_info", limit=255, label=_("nội dung thanh toán")
    )
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise PaymentError(_("Số tiền phải là số nguyên đồng."), field="amount")
    if not 0 < amount <= MAX_AMOUNT:
        raise PaymentError(
            _("Số tiền phải lớn hơn 0 và không quá %(max)s.") % {"max": format_vnd(MAX_AMOUNT)},
            field="amount",
        )
    if payer is not None and not getattr(payer, "is_authenticated", False):
        payer = None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    txn_ref=_new_txn_ref(),
                    purpose=purpose,
                    reference=reference,
                    amount=amount,
                    order_info=order_info,
                    payer=payer,
                    payer_name=payer.full_name if payer is not None else "",
                    unit=unit,
                    provider=settings.PAYMENT_PROVIDER,
                    created_at=clock.now(),
                )
            break
        except IntegrityError:
            continue
    else:  # five random references taken in a row: something else is wrong
        raise RuntimeError("could not draw a free transaction reference")
    audit_record(
        actor=by,
        action="payment.create",
        obj=payment,
        changes={
            "amount": [None, amount],
            "purpose": [None, purpose],
            "reference": [None, reference],
        },
    )
    return payment


@transaction.atomic
def payment_start(
    *,
    payment: Payment,
    return_url: str,
    client_ip: str | None,
    locale: str,
    next_url: str = "",
    by: Any,
) -> str:
    """The gateway URL to send the payer to, for a pending *payment*.

    *return_url* is the absolute URL of ``payments:return`` on this site (the gateway sends the
    browser there); *next_url*, a path on this site, is where the result page links back to.
    Starting again before the payment expires sends the payer to the same transaction again.
    """
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != PaymentStatus.PENDING:
        raise PaymentError(
            _("Giao dịch %(ref)s đã kết thúc (%(status)s).")
            % {"ref": payment.txn_ref, "status": payment.get_status_display()}
        )
    now = clock.now()
    if payment.expires_at is not None and payment.expires_at <= now:
        raise PaymentError(
            _("Giao dịch %(ref)s đã hết thời hạn thanh toán; hãy tạo giao dịch mới.")
            % {"ref": payment.txn_ref}
        )
    provider = get_provider()
    first_start = payment.started_at is None
    if first_start:
        payment.started_at = now
        payment.expires_at = now + dt.timedelta(minutes=settings.PAYMENT_EXPIRE_MINUTES)
    payment.provider = provider.name
    payment.next_url = local_next_url(next_url) or payment.next_url
    try:
        url = provider.start(
            payment, return_url=return_url, client_ip=client_ip or "", locale=locale or "vi"
        )
    except ImproperlyConfigured:
        logger.exception("Payment gateway %s is not configured", provider.name)
        raise PaymentError(
            _("Thanh toán trực tuyến đang tạm ngừng; vui lòng thử lại sau hoặc nộp tại quầy.")
        ) from None
    payment.save(update_fields=["started_at", "expires_at", "provider", "next_url"])
    if first_start:
        audit_record(
            actor=by,
            action="payment.start",
            obj=payment,
            changes={"provider": [None, provider.name], "expires_at": [None, payment.expires_at]},
        )
    return url


# --- ending ---------------------------------------------------------------------------------


def _next_receipt_number(moment: dt.datetime) -> str:
    """The next receipt number of the year of *moment*, taken under the year's row lock."""
    year = timezone.localdate(moment).year
    ReceiptSequence.objects.bulk_create([ReceiptSequence(year=year)], ignore_conflicts=True)
    sequence = ReceiptSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{settings.PAYMENT_RECEIPT_SERIES}-{year}-{sequence.last_number:07d}"


def _end(payment: Payment, action: str, *, by: Any, reason: str = "") -> None:
    """Move the locked *payment* by *action* (see ``workflow``), then audit the move."""
    if not workflow.can(action, payment.status):
        raise PaymentError(
            _("Giao dịch %(ref)s đã kết thúc (%(status)s).")
            % {"ref": payment.txn_ref, "status": payment.get_status_display()}
        )
    before = payment.status
    now = clock.now()
    payment.status = workflow.target(action)
    payment.closed_at = now
    changes: dict[str, Any] = {"status": [before, payment.status]}
    if payment.status == PaymentStatus.PAID:
        payment.paid_at = now
        payment.receipt_number = _next_receipt_number(now)
        changes["receipt_number"] = [None, payment.receipt_number]
    else:
        payment.failure_reason = reason[:255]
        changes["failure_reason"] = ["", payment.failure_reason]
    payment.save()
    if payment.status == PaymentStatus.PAID:
        handler = PAYMENT_HANDLERS.get(payment.purpose)
        if handler is not None:
            handler(payment)
    audit_record(actor=by, action=f"payment.{action}", obj=payment, changes=changes)


@transaction.atomic
def payment_cancel(*, payment: Payment, by: Any, reason: str = "") -> Payment:
    """Cancel a pending payment (the charge was withdrawn, or the payer gave up).

    A success the gateway reports later for it is answered "already confirmed" and shows on the
    reconciliation page as paid at the gateway but not here.
    """
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    _end(payment, "cancel", by=by, reason=clean_text(reason) or _("Hủy theo yêu cầu."))
    return payment


# --- the gateway's messages -----------------------------------------------------------------


def _kept(params: Mapping[str, str]) -> dict[str, str]:
    """A bounded copy of a received message that every database stores as is."""
    kept: dict[str, str] = {}
    for key in list(params)[:MAX_KEPT_PARAMS]:
        value = str(params[key])
        kept[str(key)[:100].replace("\x00", "")] = value[:MAX_KEPT_VALUE].replace("\x00", "")
    return kept


def _log(
    result: CallbackResult,
    *,
    kind: str,
    ip: str | None,
    resolution: CallbackResolution,
    payment: Payment | None,
    reason: str = "",
) -> None:
    PaymentEvent.objects.create(
        payment=payment,
        kind=kind,
        provider=result.provider,
        txn_ref=result.txn_ref[:100],
        params=_kept(result.params),
        signature_valid=result.signature_valid,
        provider_verdict=result.verdict if result.signature_valid else ProviderVerdict.UNKNOWN,
        amount=result.amount if result.amount is not None and result.amount >= 0 else None,
        outcome=resolution.outcome,
        resolution=resolution,
        reason=(reason or str(resolution.label))[:255],
        ip_address=_clean_ip(ip),
        received_at=timezone.now(),
    )


def _clean_ip(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((ip or "").split("%", 1)[0].strip()))
    except ValueError:
        return None


def _resolve(result: CallbackResult) -> tuple[CallbackResolution, Payment | None, str]:
    """Check a message in VNPAY's order (signature, order, amount, state); lock the payment."""
    if not result.signature_valid:
        # The reference is unverified; it only links the rejected message to what it claims.
        claimed = Payment.objects.filter(txn_ref=result.txn_ref).first() if result.txn_ref else None
        return CallbackResolution.BAD_SIGNATURE, claimed, ""
    if not result.merchant_ok:
        return CallbackResolution.WRONG_MERCHANT, None, ""
    payment = Payment.objects.select_for_update().filter(txn_ref=result.txn_ref).first()
    if payment is None:
        return CallbackResolution.NOT_FOUND, None, ""
    if result.amount != payment.amount:
        reason = _("Số tiền nhận được %(got)s, số tiền của giao dịch %(want)s.") % {
            "got": "?" if result.amount is None else format_vnd(result.amount),
            "want": format_vnd(payment.amount),
        }
        return CallbackResolution.WRONG_AMOUNT, payment, reason
    if payment.status != PaymentStatus.PENDING:
        return CallbackResolution.ALREADY_DONE, payment, ""
    if result.verdict == ProviderVerdict.UNKNOWN:
        return CallbackResolution.BAD_MESSAGE, payment, ""
    return CallbackResolution.APPLIED, payment, ""


@transaction.atomic
def _apply(result: CallbackResult, *, kind: str, ip: str | None) -> CallbackOutcome:
    resolution, payment, reason = _resolve(result)
    if resolution == CallbackResolution.APPLIED:
        assert payment is not None
        payment.provider_transaction_no = result.transaction_no
        payment.response_code = result.response_code
        payment.bank_code = result.bank_code
        payment.bank_transaction_no = result.bank_transaction_no
        payment.card_type = result.card_type
        payment.pay_date = result.pay_date
        action = {
            ProviderVerdict.SUCCESS: "confirm",
            ProviderVerdict.CANCELLED: "cancel",
            ProviderVerdict.FAILED: "fail",
        }[ProviderVerdict(result.verdict)]
        # The event goes first: audit_record, inside _end, must be the transaction's last write.
        _log(result, kind=kind, ip=ip, resolution=resolution, payment=payment, reason=reason)
        _end(payment, action, by=None, reason=result.message)
    else:
        _log(result, kind=kind, ip=ip, resolution=resolution, payment=payment, reason=reason)
    return CallbackOutcome(result=result, resolution=resolution, payment=payment)


def payment_apply_callback(*, result: CallbackResult, kind: str, ip: str | None) -> CallbackOutcome:
    """Apply a gateway's message (*kind*: ``EventKind.RETURN`` or ``IPN``) and log it.

    Nothing about the payment is written unless the signature is valid, the message is for this
    merchant, the payment exists, the amount matches and the payment is still pending; a repeat
    of a message already applied changes nothing (``ALREADY_DONE``). Failures of the confirming
    transaction (a purpose handler raising, the database) roll it back and answer ``ERROR``;
    the message is still logged.
    """
    try:
        return _apply(result, kind=kind, ip=ip)
    except Exception as exc:
        logger.exception("Payment message %s for %r could not be applied", kind, result.txn_ref)
        claimed = Payment.objects.filter(txn_ref=result.txn_ref).first() if result.txn_ref else None
        with transaction.atomic():
            _log(
                result,
                kind=kind,
                ip=ip,
                resolution=CallbackResolution.ERROR,
                payment=claimed,
                reason=f"{type(exc).__name__}: {exc}",
            )
        return CallbackOutcome(result=result, resolution=CallbackResolution.ERROR, payment=claimed)
