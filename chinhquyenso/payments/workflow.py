"""The states of a payment and the allowed moves, in one table.

A payment is made pending; it ends paid, failed or cancelled and never moves again. A provider's
later message about an ended payment is answered "already confirmed" and changes nothing
(``services.payment_apply_callback``); a success reported for a payment ended otherwise shows on
the reconciliation page as a mismatch, to be refunded or settled by hand.
"""

from __future__ import annotations

from chinhquyenso.payments.models import PaymentStatus

S = PaymentStatus

#: action → (states it starts from, the state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "confirm": (frozenset({S.PENDING}), S.PAID),
    "fail": (frozenset({S.PENDING}), S.FAILED),
    "cancel": (frozenset({S.PENDING}), S.CANCELLED),
}

FINAL_STATES = frozenset({S.PAID, S.FAILED, S.CANCELLED})


def can(action: str, status: str) -> bool:
    sources, _target = TRANSITIONS[action]
    return status in sources


def target(action: str) -> str:
    return TRANSITIONS[action][1]
