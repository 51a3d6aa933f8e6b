"""Reads on payments: what other apps ask, who may see what, and the reconciliation figures.

Who reconciles (sees payments and the gateway's messages):
- a system administrator or an operations-centre leader: every payment of the province;
- a one-stop officer of the Public Administration Service Centre: every payment of the province
  (the centre receives dossiers for every agency);
- a unit leader: payments collected by their unit and the units below it (a leader of the
  province itself: every payment);
- a one-stop officer elsewhere: payments collected by their own unit.
A receipt is shown to its payer (their account, or the browser that paid), to officials of the
collecting unit and to those who reconcile it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from chinhquyenso.accounts.models import Role
from chinhquyenso.accounts.permissions import roles_of, units_visible_to
from chinhquyenso.core import clock
from chinhquyenso.payments.models import (
    EventOutcome,
    Payment,
    PaymentEvent,
    PaymentStatus,
    ProviderVerdict,
)
from chinhquyenso.units.models import Unit, UnitKind

RECONCILING_ROLES = frozenset(
    {Role.UNIT_LEADER, Role.OPERATIONS_LEADER, Role.SYSTEM_ADMIN, Role.ONE_STOP_OFFICER}
)
PROVINCE_WIDE_ROLES = frozenset({Role.OPERATIONS_LEADER, Role.SYSTEM_ADMIN})


# --- for other apps -------------------------------------------------------------------------


def payments_for(*, purpose: str, reference: str) -> QuerySet[Payment]:
    """Every payment made for *reference*, newest first."""
    return Payment.objects.filter(purpose=purpose, reference=reference)


def paid_payment_for(*, purpose: str, reference: str) -> Payment | None:
    """The confirmed payment for *reference*, if there is one."""
    return payments_for(purpose=purpose, reference=reference).filter(status="paid").first()


# --- who sees what --------------------------------------------------------------------------


def _is_official(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_official)


def _province_wide(user: Any) -> bool:
    """Reconciles every payment of the province, including those collected by no unit."""
    held = roles_of(user)
    unit = user.unit
    if held & PROVINCE_WIDE_ROLES:
        return True
    if Role.UNIT_LEADER in held and unit is not None and unit.is_root():
        return True
    return (
        Role.ONE_STOP_OFFICER in held and unit is not None and unit.kind == UnitKind.SERVICE_CENTRE
    )


def can_reconcile(user: Any) -> bool:
    if not _is_official(user):
        return False
    return bool(user.is_superuser or roles_of(user) & RECONCILING_ROLES)


def payments_visible_to(user: Any) -> QuerySet[Payment]:
    """Payments *user* reconciles (none for anyone else)."""
    if not can_reconcile(user):
        return Payment.objects.none()
    if user.unit_id is None:  # a superuser without a unit
        return Payment.objects.all()
    if _province_wide(user):
        root: Unit = user.unit.get_root()
        return Payment.objects.filter(Q(unit__isnull=True) | Q(unit__path__startswith=root.path))
    if Role.UNIT_LEADER in roles_of(user):
        return Payment.objects.filter(unit__in=units_visible_to(user))
    return Payment.objects.filter(unit_id=user.unit_id)


def get_payment_for_receipt(user: Any, txn_ref: str, owned_refs: Collection[str]) -> Payment:
    """The paid payment *txn_ref* if *user* may see its receipt; ``Http404`` otherwise.

    *owned_refs* are the payments started or returned to in this browser's session, so a payer
    without an account can print their receipt.
    """
    payment = (
        Payment.objects.select_related("unit", "payer")
        .filter(txn_ref=txn_ref, status=PaymentStatus.PAID)
        .first()
    )
    if payment is None:
        raise Http404
    authenticated = getattr(user, "is_authenticated", False)
    if txn_ref in owned_refs or (authenticated and payment.payer_id == user.pk):
        return payment
    if _is_official(user):
        if (
            payment.unit_id is not None
            and units_visible_to(user).filter(pk=payment.unit_id).exists()
        ):
            return payment
        if payments_visible_to(user).filter(pk=payment.pk).exists():
            return payment
    raise Http404


# --- reconciliation -------------------------------------------------------------------------


@dataclass(frozen=True)
class DayTotal:
    day: dt.date
    paid_count: int
    paid_amount: int


def _local_day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return since, until


def payments_in(
    payments: QuerySet[Payment], *, start: dt.date, end: dt.date, status: str = ""
) -> QuerySet[Payment]:
    """*payments* created between *start* and *end* (local days, inclusive), of *status*."""
    since, until = _local_day_bounds(start, end)
    rows = payments.filter(created_at__gte=since, created_at__lt=until)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("unit", "payer")


def day_totals(payments: QuerySet[Payment], *, start: dt.date, end: dt.date) -> list[DayTotal]:
    """Confirmed payments per local day of confirmation between *start* and *end*."""
    since, until = _local_day_bounds(start, end)
    rows = (
        payments.filter(status=PaymentStatus.PAID, paid_at__gte=since, paid_at__lt=until)
        .annotate(day=TruncDate("paid_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by("day")
    )
    return [DayTotal(row["day"], row["count"], row["total"] or 0) for row in rows]


def paid_at_gateway_not_here(payments: QuerySet[Payment]) -> QuerySet[Payment]:
    """Payments a gateway reported paid (signed) that are not confirmed here: to settle."""
    reported_paid = PaymentEvent.objects.filter(
        payment=OuterRef("pk"), signature_valid=True, provider_verdict=ProviderVerdict.SUCCESS
    )
    return (
        payments.exclude(status=PaymentStatus.PAID)
        .filter(Exists(reported_paid))
        .select_related("unit")
        .order_by("created_at")
    )


def overdue_pending(payments: QuerySet[Payment]) -> QuerySet[Payment]:
    """Pending payments past their expiry: the gateway's own records say how they ended."""
    return payments.filter(status=PaymentStatus.PENDING, expires_at__lt=clock.now()).order_by(
        "expires_at"
    )


def rejected_events(
    payments: QuerySet[Payment], *, start: dt.date, end: dt.date, everything: bool
) -> QuerySet[PaymentEvent]:
    """Rejected gateway messages received between *start* and *end*.

    Messages that name no payment of ours (forged or for another merchant) are shown only to
    those who see *everything* (province-wide reconcilers).
    """
    since, until = _local_day_bounds(start, end)
    rows = PaymentEvent.objects.filter(
        outcome=EventOutcome.REJECTED, received_at__gte=since, received_at__lt=until
    )
    mine = Q(payment__in=payments.values("pk"))
    rows = rows.filter(mine | Q(payment__isnull=True)) if everything else rows.filter(mine)
    return rows.select_related("payment")


def sees_everything(user: Any) -> bool:
    return can_reconcile(user) and (user.unit_id is None or _province_wide(user))


def totals(payments: QuerySet[Payment]) -> dict[str, int]:
    """Count and amount of *payments* confirmed paid."""
    paid = payments.filter(status=PaymentStatus.PAID).aggregate(
        count=Count("pk"), amount=Sum("amount")
    )
    return {"count": paid["count"] or 0, "amount": paid["amount"] or 0}
