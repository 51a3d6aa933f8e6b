"""Reads of dossiers, and who may see and act on them.

Officials see the dossiers received by, handled by or currently at a unit they may see
(:func:`~chinhquyenso.accounts.permissions.units_visible_to`: their own unit, plus the subtree
for leaders). An applicant sees their own dossiers. Everyone may look a dossier up by its code
on the public page, which shows no personal data.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet
from django.http import Http404

from chinhquyenso.accounts.models import Role
from chinhquyenso.accounts.permissions import roles_of, units_visible_to
from chinhquyenso.core import clock
from chinhquyenso.core.sql import column
from chinhquyenso.dossiers.codes import normalise_code
from chinhquyenso.dossiers.models import Dossier, DossierEvent, Status
from chinhquyenso.dossiers.workflow import LEADER_ROLES, OPEN, TRANSITIONS
from chinhquyenso.procedures.models import Step, StepActor
from chinhquyenso.units.models import Unit

_RELATED = (
    "version__procedure",
    "receiving_unit",
    "handling_unit",
    "current_unit",
    "current_step",
    "assignee",
)


def _is_official(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_official)


def dossiers_visible_to(user: Any) -> QuerySet[Dossier]:
    """The sent dossiers *user* may read as an official (none for others)."""
    if not _is_official(user):
        return Dossier.objects.none()
    sent = Dossier.objects.exclude(status=Status.DRAFT)
    if user.is_superuser and user.unit_id is None:
        return sent
    units = units_visible_to(user)
    return sent.filter(
        Q(receiving_unit__in=units) | Q(handling_unit__in=units) | Q(current_unit__in=units)
    )


def get_dossier_for_user(user: Any, code_or_pk: str | int) -> Dossier:
    """The dossier by code (or primary key) if *user* may see it as an official; ``Http404``
    whether it is missing or forbidden."""
    return _get(dossiers_visible_to(user), code_or_pk)


def dossiers_of_applicant(user: Any) -> QuerySet[Dossier]:
    """An applicant's own dossiers, drafts included, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    return Dossier.objects.filter(applicant=user).select_related(*_RELATED)


def get_own_dossier(user: Any, code_or_pk: str | int) -> Dossier:
    """The applicant's own dossier by code or primary key; ``Http404`` otherwise."""
    return _get(dossiers_of_applicant(user), code_or_pk)


def _get(queryset: QuerySet[Dossier], code_or_pk: str | int) -> Dossier:
    key = str(code_or_pk).strip()
    if key.isdigit():
        lookup = Q(pk=int(key))
    else:
        code = normalise_code(key)
        if code is None:
            raise Http404
        lookup = Q(code=code)
    try:
        return queryset.select_related(*_RELATED).get(lookup)
    except Dossier.DoesNotExist as exc:
        raise Http404 from exc


# The public look-up is the busiest read: anyone with a receipt slip may ask, over and over.
# Its two statements are written once here rather than built by the ORM at every request,
# which cost several times what the database spends answering them.
_PUBLIC_DOSSIER_SQL = (
    "SELECT d.{id}, d.{code}, d.{status}, d.{channel}, d.{submitted_at}, d.{received_at}, "
    "d.{due_at}, d.{is_late}, v.{version_name} AS version_name, "
    "p.{procedure_code} AS procedure_code, u.{unit_name} AS receiving_unit_name "
    "FROM {dossiers} d "
    "JOIN {versions} v ON v.{version_pk} = d.{version} "
    "JOIN {procedures} p ON p.{procedure_pk} = v.{procedure} "
    "JOIN {units} u ON u.{unit_pk} = d.{receiving_unit} "
    "WHERE d.{code} = %s AND d.{status} <> %s"
)
_PUBLIC_HISTORY_SQL = (
    "SELECT e.{id}, e.{at}, e.{action}, e.{to_status}, u.{unit_name} AS unit_name "
    "FROM {events} e LEFT JOIN {units} u ON u.{unit_pk} = e.{unit} "
    "WHERE e.{dossier} = %s ORDER BY e.{at}, e.{id}"
)


@functools.cache
def _public_sql() -> tuple[str, str]:
    from chinhquyenso.procedures.models import Procedure, ProcedureVersion

    dossier = {
        name: column(Dossier, name)
        for name in (
            "id",
            "code",
            "status",
            "channel",
            "submitted_at",
            "received_at",
            "due_at",
            "is_late",
            "version",
            "receiving_unit",
        )
    }
    shared = {
        "units": Unit._meta.db_table,
        "unit_pk": column(Unit, "id"),
        "unit_name": column(Unit, "name"),
    }
    dossier_sql = _PUBLIC_DOSSIER_SQL.format(
        **dossier,
        **shared,
        dossiers=Dossier._meta.db_table,
        versions=ProcedureVersion._meta.db_table,
        procedures=Procedure._meta.db_table,
        version_name=column(ProcedureVersion, "name"),
        version_pk=column(ProcedureVersion, "id"),
        procedure=column(ProcedureVersion, "procedure"),
        procedure_code=column(Procedure, "code"),
        procedure_pk=column(Procedure, "id"),
    )
    history_sql = _PUBLIC_HISTORY_SQL.format(
        **shared,
        events=DossierEvent._meta.db_table,
        **{
            name: column(DossierEvent, name)
            for name in ("id", "at", "action", "to_status", "unit", "dossier")
        },
    )
    return dossier_sql, history_sql


def dossier_by_code(code: str) -> Dossier | None:
    """The sent dossier with *code*, for the public look-up (no permission: show only what the
    public page shows). Only the columns the look-up shows are read; the procedure's name and
    code and the receiving unit's name come as ``version_name``, ``procedure_code`` and
    ``receiving_unit_name``."""
    normal = normalise_code(code)
    if normal is None:
        return None
    dossier_sql, _history_sql = _public_sql()
    found = list(Dossier.objects.raw(dossier_sql, [normal, Status.DRAFT]))
    return found[0] if found else None


def public_history(dossier: Dossier) -> list[Any]:
    """History rows for the public look-up, oldest first: when, what, which status and, as
    ``unit_name``, which unit; no person."""
    _dossier_sql, history_sql = _public_sql()
    return list(DossierEvent.objects.raw(history_sql, [dossier.pk]))


def supervises(user: Any, unit: Unit | None) -> bool:
    """Whether *user* leads *unit* or a unit above it."""
    if unit is None or not _is_official(user) or not roles_of(user) & LEADER_ROLES:
        return False
    if Role.OPERATIONS_LEADER in roles_of(user):
        return unit.path.startswith(user.unit.get_root().path)
    return bool(user.unit_id) and unit.path.startswith(user.unit.path)


def can_act(user: Any, dossier: Dossier, action: str) -> bool:
    """Whether *user*, an official, may take *action* on *dossier* now (applicant actions are
    checked by :func:`is_applicant`; officials of the receiving counter may record them on the
    applicant's behalf)."""
    from chinhquyenso.dossiers.workflow import COUNTER_ON_BEHALF, COUNTER_ROLES

    move = TRANSITIONS.get(action)
    if move is None or dossier.status not in move.sources or not _is_official(user):
        return False
    held = roles_of(user)
    if move.side == "receiving" or (move.side == "applicant" and action in COUNTER_ON_BEHALF):
        return user.unit_id == dossier.receiving_unit_id and bool(held & COUNTER_ROLES)
    if move.side == "current":
        if user.unit_id != dossier.current_unit_id:
            return False
        step = dossier.current_step
        needed = {step.role} if step is not None else set(move.roles)
        return bool(held & (needed | {Role.UNIT_LEADER}))
    if move.side == "leader":
        return bool(held & move.roles) and (
            supervises(user, dossier.current_unit) or supervises(user, dossier.handling_unit)
        )
    return False


def is_applicant(user: Any, dossier: Dossier) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and dossier.applicant_id == user.pk


def actions_for(user: Any, dossier: Dossier) -> list[str]:
    """The actions *user* may take on *dossier* now, in table order."""
    return [name for name in TRANSITIONS if can_act(user, dossier, name)]


def queue_for(user: Any) -> QuerySet[Dossier]:
    """What an official has to act on: open dossiers at their unit whose current step is for
    one of their roles, or waiting at their counter; soonest deadline first."""
    if not _is_official(user) or user.unit_id is None:
        return Dossier.objects.none()
    held = roles_of(user)
    at_unit = Q(current_unit_id=user.unit_id, status__in=OPEN | {Status.PROCESSED})
    if Role.UNIT_LEADER not in held:
        at_unit &= Q(current_step__role__in=held) | Q(current_step__isnull=True)
    return (
        Dossier.objects.filter(at_unit)
        .select_related(*_RELATED)
        .order_by("step_due_at", "due_at", "pk")
    )


def due_soon(queryset: QuerySet[Dossier], *, within: dt.timedelta) -> QuerySet[Dossier]:
    """Open dossiers whose appointment falls within *within* from now (not yet late)."""
    now = clock.now()
    return queryset.filter(
        status__in=OPEN, paused_at__isnull=True, due_at__gt=now, due_at__lte=now + within
    )


def overdue(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Open dossiers past their appointment."""
    return queryset.filter(status__in=OPEN, paused_at__isnull=True, due_at__lt=clock.now())


def step_unit(dossier: Dossier, step: Step | None) -> Unit:
    """The unit that acts in *step* of *dossier* (the handling unit when there is no step)."""
    if step is None or step.actor == StepActor.HANDLING:
        return dossier.handling_unit
    return dossier.receiving_unit


class ForwardTarget(NamedTuple):
    """Where "forward" takes a dossier: the next step, its unit, and whether that finishes
    processing (only the return at the counter is left, or no step at all)."""

    step: Step | None
    unit: Unit
    finishing: bool


def forward_target(dossier: Dossier, steps: Sequence[Step] | None = None) -> ForwardTarget:
    """Where forwarding *dossier* now leads; *steps* are its version's steps, if already read."""
    if steps is None:
        steps = list(dossier.version.steps.order_by("order"))
    current = dossier.current_step
    later = [s for s in steps if current is not None and s.order > current.order]
    if not later:
        return ForwardTarget(None, dossier.receiving_unit, True)
    following = later[0]
    finishing = following.actor == StepActor.RECEIVING and len(later) == 1
    return ForwardTarget(following, step_unit(dossier, following), finishing)
