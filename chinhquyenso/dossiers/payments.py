"""Online payment of a dossier's fee, through the payments app.

The dossier's code is the payment's ``reference`` and ``"dossier_fee"`` its purpose. The
applicant starts a payment from their dossier page (:func:`fee_payment_for`); when the gateway
confirms it, :func:`fee_paid` — registered in ``apps.DossiersConfig.ready`` — records the fee on
the dossier inside the same transaction, so a confirmation the dossier cannot take is not
confirmed either. A repeated confirmation changes nothing (``dossier_fee_paid`` is idempotent,
and the payments app answers a replay "already confirmed" before calling the handler).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chinhquyenso.core import clock
from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.models import Dossier, Status
from chinhquyenso.dossiers.selectors import is_applicant
from chinhquyenso.dossiers.workflow import OPEN
from chinhquyenso.payments import selectors as payment_selectors
from chinhquyenso.payments import services as payment_services
from chinhquyenso.payments.models import Payment, PaymentStatus
from chinhquyenso.procedures.models import OnlineLevel

PURPOSE = "dossier_fee"
#: Statuses in which the fee can be paid online: sent and not closed without a result.
PAYABLE = OPEN | {Status.PROCESSED, Status.RETURNED}


def can_pay_online(dossier: Dossier) -> bool:
    """Whether the applicant may pay *dossier*'s fee online now: a full-online procedure, a fee
    still due, a dossier sent and not refused, withdrawn or stopped."""
    return (
        dossier.applicant_id is not None
        and dossier.version.online_level == OnlineLevel.FULL
        and dossier.status in PAYABLE
        and services.fee_due(dossier) > 0
    )


def paid_fee_payment(dossier: Dossier) -> Payment | None:
    """The confirmed online payment of *dossier*'s fee (for its receipt), if any."""
    if not dossier.code:
        return None
    return payment_selectors.paid_payment_for(purpose=PURPOSE, reference=dossier.code)


@transaction.atomic
def fee_payment_for(*, dossier: Dossier, by: Any) -> Payment:
    """The payment *by* (the applicant) should pay now: their pending, unexpired payment of the
    amount due, else a new one. One pending payment at a time, so the fee is not paid twice
    from two browser tabs."""
    dossier = Dossier.objects.select_for_update().select_related("version").get(pk=dossier.pk)
    if not is_applicant(by, dossier) or not can_pay_online(dossier):
        raise payment_services.PaymentError(_("Hồ sơ này không có khoản phí cần nộp trực tuyến."))
    amount = services.fee_due(dossier)
    now = clock.now()
    pending = (
        payment_selectors.payments_for(purpose=PURPOSE, reference=dossier.code or "")
        .filter(status=PaymentStatus.PENDING, payer=by, amount=amount)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if pending is not None:
        return pending
    return payment_services.payment_create(
        purpose=PURPOSE,
        reference=dossier.code or "",
        amount=amount,
        order_info=_("Phí, lệ phí hồ sơ %(code)s: %(procedure)s")
        % {"code": dossier.code, "procedure": dossier.version.name},
        payer=by,
        by=by,
        unit=dossier.receiving_unit,
    )


def fee_paid(payment: Payment) -> None:
    """The payment handler of ``"dossier_fee"``: the gateway confirmed *payment*."""
    dossier = Dossier.objects.filter(code=payment.reference).first()
    if dossier is None:
        raise LookupError(f"no dossier {payment.reference!r} for payment {payment.txn_ref}")
    services.dossier_fee_paid(
        dossier=dossier,
        reference=payment.txn_ref,
        paid_at=payment.paid_at or clock.now(),
        online=True,
        by=None,
    )
