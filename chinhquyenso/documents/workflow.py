"""The states of a document and the allowed moves between them, in one table.

Each action names the states it starts from, the state it leads to (``None``: the state stays),
the direction it applies to and the roles that may take it; officials act only on documents of
their own unit (leaders also of the units below). ``document_transition`` in ``services.py`` is
the only code that changes ``Document.status``.

Outgoing (Decree 30/2020/NĐ-CP Art. 10–18): a specialist drafts and submits; a leader reviews
(returns or approves the current version); the competent person signs that version; the clerk
gives the number and date; the clerk signs for the organisation and issues it. Incoming (Art.
20–24): the clerk registers it with an arrival number; the leader assigns a lead and cooperating
handlers with a deadline; handlers work and the lead completes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chinhquyenso.accounts.models import Role
from chinhquyenso.documents.models import Direction, Status

S = Status
IN = Direction.INCOMING
OUT = Direction.OUTGOING

CLERK = frozenset({Role.CLERK})
LEADERS = frozenset({Role.UNIT_LEADER})
STAFF = frozenset({Role.SPECIALIST, Role.UNIT_LEADER, Role.CLERK})
DRAFTERS = frozenset({Role.SPECIALIST, Role.UNIT_LEADER})

#: Incoming documents still to be handled.
INCOMING_OPEN = frozenset({S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS})
#: Outgoing documents not issued yet.
OUTGOING_OPEN = frozenset({S.DRAFT, S.IN_REVIEW, S.APPROVED, S.SIGNED, S.NUMBERED})


@dataclass(frozen=True)
class Transition:
    direction: str
    sources: frozenset[str]
    target: str | None
    roles: frozenset[str]


def _t(
    direction: str, sources: Iterable[str], target: str | None, roles: frozenset[str]
) -> Transition:
    return Transition(direction, frozenset(sources), target, roles)


TRANSITIONS: dict[str, Transition] = {
    # Outgoing.
    "upload_version": _t(OUT, {S.DRAFT, S.IN_REVIEW}, None, DRAFTERS),
    "comment": _t(OUT, OUTGOING_OPEN, None, STAFF),
    "submit_for_review": _t(OUT, {S.DRAFT}, S.IN_REVIEW, DRAFTERS),
    "return_draft": _t(OUT, {S.IN_REVIEW, S.APPROVED}, S.DRAFT, LEADERS),
    "approve": _t(OUT, {S.IN_REVIEW}, S.APPROVED, LEADERS),
    "sign": _t(OUT, {S.APPROVED}, S.SIGNED, LEADERS),
    "give_number": _t(OUT, {S.SIGNED}, S.NUMBERED, CLERK),
    "seal_and_issue": _t(OUT, {S.NUMBERED}, S.ISSUED, CLERK),
    "recall": _t(OUT, {S.ISSUED}, S.RECALLED, CLERK | LEADERS),
    "replace": _t(OUT, {S.ISSUED}, S.REPLACED, CLERK | LEADERS),
    "update": _t(OUT, {S.ISSUED}, None, CLERK | LEADERS),
    # Incoming.
    "assign": _t(IN, {S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS}, S.ASSIGNED, LEADERS),
    "reject": _t(IN, {S.REGISTERED}, S.REJECTED, CLERK | LEADERS),
    "add_opinion": _t(IN, {S.ASSIGNED, S.IN_PROGRESS}, S.IN_PROGRESS, STAFF),
    "pass_on": _t(IN, {S.ASSIGNED, S.IN_PROGRESS}, None, STAFF),
    "attach_result": _t(IN, {S.ASSIGNED, S.IN_PROGRESS}, S.IN_PROGRESS, STAFF),
    "complete": _t(IN, {S.ASSIGNED, S.IN_PROGRESS}, S.COMPLETED, STAFF),
}


def allowed_actions(direction: str, status: str) -> list[str]:
    """Actions of *direction* whose source states include *status*, in table order."""
    return [
        name
        for name, move in TRANSITIONS.items()
        if move.direction == direction and status in move.sources
    ]
