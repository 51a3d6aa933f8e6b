"""The states of a report and the allowed moves between them, in one table.

Each action names the states it starts from, the state it leads to (``None``: the state stays),
which side may take it and, for officials, which roles. ``report_transition`` in ``services.py``
is the only code that changes ``Report.status``; it checks the move here first.

Sides:
- ``receiving``: officials of the unit that screens the report (``Report.receiving_unit``);
- ``handling``: officials of the unit that handles it (``Report.handling_unit``);
- ``supervising``: leaders of the handling unit or of a unit above it;
- ``reporter``: a person following the report through their private link or account;
- ``system``: scheduled work (closing after the rating window).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chinhquyenso.accounts.models import Role
from chinhquyenso.feedback.models import Status

S = Status

SCREENING_ROLES = frozenset({Role.ONE_STOP_OFFICER, Role.SPECIALIST, Role.UNIT_LEADER})
HANDLING_ROLES = frozenset({Role.SPECIALIST, Role.UNIT_LEADER})
LEADER_ROLES = frozenset({Role.UNIT_LEADER, Role.OPERATIONS_LEADER})

#: States in which a report is being handled by the government (its answer clock runs).
OPEN_STATES = frozenset({S.ACCEPTED, S.IN_PROGRESS, S.AWAITING_APPROVAL})
#: States a report never leaves.
FINAL_STATES = frozenset({S.CLOSED, S.REFUSED, S.HANDED_OFF, S.MERGED})
#: States whose reports may be published (they have an answer).
PUBLISHABLE_STATES = frozenset({S.ANSWERED, S.CLOSED, S.REOPEN_REQUESTED})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None
    side: str
    roles: frozenset[str] = frozenset()


def _t(
    sources: Iterable[str], target: str | None, side: str, roles: frozenset[str] = frozenset()
) -> Transition:
    return Transition(frozenset(sources), target, side, roles)


TRANSITIONS: dict[str, Transition] = {
    # Screening at the receiving unit.
    "accept": _t({S.SUBMITTED}, S.ACCEPTED, "receiving", SCREENING_ROLES),
    "refuse": _t({S.SUBMITTED}, S.REFUSED, "receiving", SCREENING_ROLES),
    "hand_off": _t(
        {S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS}, S.HANDED_OFF, "receiving", SCREENING_ROLES
    ),
    "merge": _t({S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS}, S.MERGED, "receiving", SCREENING_ROLES),
    "classify": _t({S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS}, None, "receiving", SCREENING_ROLES),
    # Routing between units.
    "transfer": _t({S.ACCEPTED, S.IN_PROGRESS}, S.ACCEPTED, "handling", HANDLING_ROLES),
    "return": _t({S.ACCEPTED, S.IN_PROGRESS}, S.ACCEPTED, "handling", HANDLING_ROLES),
    "assign": _t({S.ACCEPTED, S.IN_PROGRESS}, S.IN_PROGRESS, "handling", HANDLING_ROLES),
    # Processing.
    "note": _t(
        OPEN_STATES | {S.SUBMITTED, S.INFO_REQUESTED, S.REOPEN_REQUESTED},
        None,
        "handling",
        HANDLING_ROLES,
    ),
    "request_info": _t({S.ACCEPTED, S.IN_PROGRESS}, S.INFO_REQUESTED, "handling", HANDLING_ROLES),
    "supply_info": _t({S.INFO_REQUESTED}, S.IN_PROGRESS, "reporter"),
    "draft_answer": _t(
        {S.ACCEPTED, S.IN_PROGRESS}, S.AWAITING_APPROVAL, "handling", HANDLING_ROLES
    ),
    "answer": _t({S.ACCEPTED, S.IN_PROGRESS}, S.ANSWERED, "handling", HANDLING_ROLES),
    "approve_answer": _t({S.AWAITING_APPROVAL}, S.ANSWERED, "supervising", LEADER_ROLES),
    "return_draft": _t({S.AWAITING_APPROVAL}, S.IN_PROGRESS, "supervising", LEADER_ROLES),
    "request_extension": _t({S.ACCEPTED, S.IN_PROGRESS}, None, "handling", HANDLING_ROLES),
    "decide_extension": _t(OPEN_STATES | {S.INFO_REQUESTED}, None, "supervising", LEADER_ROLES),
    "publish": _t(PUBLISHABLE_STATES, None, "handling", HANDLING_ROLES),
    "unpublish": _t(PUBLISHABLE_STATES, None, "handling", HANDLING_ROLES),
    # After the answer.
    "rate": _t({S.ANSWERED, S.CLOSED}, None, "reporter"),
    "request_reopen": _t({S.ANSWERED, S.CLOSED}, S.REOPEN_REQUESTED, "reporter"),
    "reopen": _t({S.REOPEN_REQUESTED}, S.IN_PROGRESS, "supervising", LEADER_ROLES),
    "refuse_reopen": _t({S.REOPEN_REQUESTED}, S.ANSWERED, "supervising", LEADER_ROLES),
    "close": _t({S.ANSWERED}, S.CLOSED, "system"),
}


def allowed_actions(status: str) -> list[str]:
    """Actions whose source states include *status*, in table order."""
    return [name for name, move in TRANSITIONS.items() if status in move.sources]
