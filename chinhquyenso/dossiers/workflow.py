"""The statuses of a dossier and the allowed moves between them, in one table.

Each action names the statuses it starts from, the status it leads to (``None``: the status
stays) and who may take it. ``dossier_transition`` in ``services.py`` is the only code that
changes ``Dossier.status``; it checks the move here first.

Sides:
- ``receiving``: officials of the receiving unit's one-stop counter (``Dossier.receiving_unit``);
- ``current``: officials of the unit the dossier is at (``Dossier.current_unit``) holding the
  role of the current step (a leader of that unit may always act for its staff);
- ``leader``: leaders of the current or the handling unit, or of a unit above them;
- ``applicant``: the account that owns the dossier;
- ``system``: scheduled work and the payment provider's confirmation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chinhquyenso.accounts.models import Role
from chinhquyenso.dossiers.models import Status

S = Status

COUNTER_ROLES = frozenset({Role.ONE_STOP_OFFICER, Role.UNIT_LEADER})
LEADER_ROLES = frozenset({Role.UNIT_LEADER, Role.OPERATIONS_LEADER})
STAFF_ROLES = frozenset({Role.ONE_STOP_OFFICER, Role.SPECIALIST, Role.UNIT_LEADER})

#: Statuses in which the government holds the dossier and its clock runs.
RUNNING = frozenset({S.ACCEPTED, S.PROCESSING})
#: Statuses in which the clock is paused, waiting for the applicant.
WAITING = frozenset({S.ADDITIONAL_REQUESTED, S.FINANCIAL_REQUESTED})
#: Statuses a dossier never leaves.
FINAL = frozenset({S.NOT_ACCEPTED, S.WITHDRAWN, S.STOPPED, S.RETURNED})
#: Statuses in which a dossier is open: sent, not finished.
OPEN = frozenset({S.NEW}) | RUNNING | WAITING


@dataclass(frozen=True)
class Transition:
    sources: frozenset[int]
    target: int | None
    side: str
    roles: frozenset[str] = frozenset()


def _t(
    sources: Iterable[int], target: int | None, side: str, roles: frozenset[str] = frozenset()
) -> Transition:
    return Transition(frozenset(sources), target, side, roles)


TRANSITIONS: dict[str, Transition] = {
    # Sending and receipt at the one-stop counter.
    "submit": _t({S.DRAFT}, S.NEW, "applicant"),
    "accept": _t({S.NEW}, S.ACCEPTED, "receiving", COUNTER_ROLES),
    "refuse": _t({S.NEW}, S.NOT_ACCEPTED, "receiving", COUNTER_ROLES),
    "request_documents_at_receipt": _t({S.NEW}, S.ADDITIONAL_REQUESTED, "receiving", COUNTER_ROLES),
    # Processing, step by step, possibly across units.
    "forward": _t(RUNNING, S.PROCESSING, "current", STAFF_ROLES),
    "send_back": _t({S.PROCESSING}, S.PROCESSING, "current", STAFF_ROLES),
    "attach_result": _t(RUNNING, None, "current", STAFF_ROLES),
    "request_documents": _t(RUNNING, S.ADDITIONAL_REQUESTED, "current", STAFF_ROLES),
    "request_financial": _t(RUNNING, S.FINANCIAL_REQUESTED, "current", STAFF_ROLES),
    "apologise": _t(RUNNING | WAITING, None, "leader", LEADER_ROLES),
    "stop": _t(RUNNING | WAITING, S.STOPPED, "leader", LEADER_ROLES),
    "finish": _t(RUNNING, S.PROCESSED, "current", STAFF_ROLES),
    "return_result": _t({S.PROCESSED}, S.RETURNED, "receiving", COUNTER_ROLES),
    # Fees and charges paid in cash at the counter, against a receipt (the status stays).
    "collect_fee": _t(OPEN | {S.PROCESSED}, None, "receiving", COUNTER_ROLES),
    # The applicant's side (an official at the counter may act on a paper request too).
    "supply_documents_at_receipt": _t({S.ADDITIONAL_REQUESTED}, S.NEW, "applicant"),
    "supply_documents": _t({S.ADDITIONAL_REQUESTED}, S.PROCESSING, "applicant"),
    "confirm_financial": _t({S.FINANCIAL_REQUESTED}, S.PROCESSING, "applicant"),
    "withdraw": _t(OPEN, S.WITHDRAWN, "applicant"),
    "rate": _t({S.PROCESSED, S.RETURNED}, None, "applicant"),
}

#: Applicant actions an official of the receiving counter may record on the applicant's
#: behalf (documents brought to the counter, a written withdrawal request, fees paid in cash).
COUNTER_ON_BEHALF = frozenset(
    {"supply_documents_at_receipt", "supply_documents", "confirm_financial", "withdraw"}
)


def allowed_actions(status: int) -> list[str]:
    """Actions whose source statuses include *status*, in table order."""
    return [name for name, move in TRANSITIONS.items() if status in move.sources]
