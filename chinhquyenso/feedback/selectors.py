"""Reads on feedback reports: who may see which report, who may act on it, and work queues.

Visibility (:func:`reports_visible_to`):

- officials see reports whose receiving or handling unit is among the units they may see
  (``accounts.permissions.units_visible_to``: their own unit, the subtree for leaders);
- officials of a Fatherland Front committee (unit kind ``front_committee``) read the reports
  located in the subtree of the committee's parent unit (the level it supervises), read-only;
- confidential reports (``is_confidential``) are seen only by leaders of the receiving or
  handling unit or of a unit above it (the supervising level);
- the official named in a report (``named_official``) never sees it, whatever their role;
- citizens see nothing here: they follow their reports through :func:`report_for_token`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import Http404

from chinhquyenso.accounts.models import Role
from chinhquyenso.accounts.permissions import roles_of, units_visible_to
from chinhquyenso.core import clock
from chinhquyenso.core.process_copies import ProcessCopies
from chinhquyenso.feedback.codes import normalise_tracking_code
from chinhquyenso.feedback.models import Category, Report, Reporter, Status
from chinhquyenso.feedback.workflow import (
    LEADER_ROLES,
    OPEN_STATES,
    SCREENING_ROLES,
    TRANSITIONS,
    allowed_actions,
)
from chinhquyenso.units.models import Unit, UnitKind

#: States shown in a handling unit's queue.
HANDLING_QUEUE_STATES = OPEN_STATES | {Status.INFO_REQUESTED, Status.REOPEN_REQUESTED}

_LIST_RELATED = ("category", "category__parent", "commune", "receiving_unit", "handling_unit")


def _is_official(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_official)


def _unit_of(user: Any) -> Unit | None:
    return user.unit if _is_official(user) and user.unit_id else None


def _supervised_prefix(user: Any) -> str | None:
    """The tree path under which *user* is a leader (the supervising level), or ``None``.

    A unit leader supervises their unit and everything below it; an operations-centre leader
    supervises the whole province (the root of their unit's tree).
    """
    unit = _unit_of(user)
    if unit is None:
        return None
    held = roles_of(user)
    if Role.OPERATIONS_LEADER in held:
        return unit.path[: Unit.steplen]
    if held & LEADER_ROLES:
        return unit.path
    return None


def _front_area_prefix(user: Any) -> str | None:
    """For an official of a Front committee, the tree path of the area the committee follows."""
    unit = _unit_of(user)
    if unit is None or unit.kind != UnitKind.FRONT_COMMITTEE:
        return None
    # The committee sits under the unit whose area it supervises (the province, a commune).
    return unit.path[: -Unit.steplen] or unit.path


def supervises(user: Any, unit: Unit | None) -> bool:
    """Whether *user* is a leader of *unit* or of a unit above it."""
    prefix = _supervised_prefix(user)
    return prefix is not None and unit is not None and unit.path.startswith(prefix)


def is_front_official(user: Any) -> bool:
    unit = _unit_of(user)
    return unit is not None and unit.kind == UnitKind.FRONT_COMMITTEE


def reports_visible_to(user: Any) -> QuerySet[Report]:
    """The reports *user* may read (see the module docstring); none for non-officials."""
    if not _is_official(user):
        return Report.objects.none()
    if user.is_superuser and user.unit_id is None:
        return Report.objects.exclude(named_official=user)
    visible_units = units_visible_to(user)
    ordinary = Q(receiving_unit__in=visible_units) | Q(handling_unit__in=visible_units)
    front_prefix = _front_area_prefix(user)
    if front_prefix is not None:
        ordinary |= Q(commune__path__startswith=front_prefix)
    condition = Q(is_confidential=False) & ordinary
    prefix = _supervised_prefix(user)
    if prefix is not None:
        condition |= Q(is_confidential=True) & (
            Q(receiving_unit__path__startswith=prefix) | Q(handling_unit__path__startswith=prefix)
        )
    return Report.objects.filter(condition).exclude(named_official=user)


def get_report_for_user(user: Any, pk_or_code: int | str) -> Report:
    """The report by primary key or tracking code if *user* may see it; ``Http404`` otherwise
    (whether it is missing or forbidden)."""
    reports = reports_visible_to(user).select_related(*_LIST_RELATED, "handler")
    key = str(pk_or_code).strip()
    if key.isdigit():
        lookup = Q(pk=int(key))
    else:
        code = normalise_tracking_code(key)
        if code is None:
            raise Http404
        lookup = Q(tracking_code=code)
    try:
        return reports.get(lookup)
    except (Report.DoesNotExist, ValueError, OverflowError) as exc:
        raise Http404 from exc


def report_for_token(token: str | None) -> Reporter | None:
    """The reporter whose private link carries *token* (with their report), or ``None``."""
    if not token or len(token) > 64:
        return None
    return (
        Reporter.objects.select_related("report", "report__category", "report__commune")
        .filter(access_token=token)
        .first()
    )


def can_act(user: Any, report: Report, action: str) -> bool:
    """Whether *user* may take *action* (a key of ``workflow.TRANSITIONS``) on *report* now.

    Receiving side: officials of ``receiving_unit`` holding the action's roles; handling side:
    officials of ``handling_unit`` holding them; supervising side: leaders of the handling unit
    or above. On a confidential report only leaders of the unit concerned or above act, and the
    named official never does. Reporter and system actions are never taken by an official.
    """
    move = TRANSITIONS.get(action)
    if move is None or report.status not in move.sources or not _is_official(user):
        return False
    if report.named_official_id is not None and report.named_official_id == user.pk:
        return False
    held = roles_of(user)
    if move.side in ("receiving", "handling"):
        unit_id = report.receiving_unit_id if move.side == "receiving" else report.handling_unit_id
        if unit_id is None or not held & move.roles:
            return False
        if report.is_confidential:
            unit = report.receiving_unit if move.side == "receiving" else report.handling_unit
            return supervises(user, unit)
        return user.unit_id == unit_id
    if move.side == "supervising":
        return bool(held & move.roles) and supervises(
            user, report.handling_unit or report.receiving_unit
        )
    return False


def can_comment_as_front(user: Any, report: Report) -> bool:
    """Whether *user*, an official of a Front committee, may add a Front comment to *report*
    (a non-confidential report located in the area the committee follows)."""
    prefix = _front_area_prefix(user)
    return (
        prefix is not None
        and not report.is_confidential
        and report.commune.path.startswith(prefix)
        and report.named_official_id != user.pk
    )


def allowed_actions_for(user: Any, report: Report) -> list[str]:
    """The actions *user* may take on *report* now, in ``workflow.TRANSITIONS`` order."""
    return [name for name in allowed_actions(report.status) if can_act(user, report, name)]


def screening_queue(user: Any) -> QuerySet[Report]:
    """New reports waiting for *user*'s unit to accept or refuse them, oldest deadline first."""
    if not roles_of(user) & SCREENING_ROLES or not user.unit_id:
        return Report.objects.none()
    return (
        reports_visible_to(user)
        .filter(status=Status.SUBMITTED, receiving_unit_id=user.unit_id)
        .select_related(*_LIST_RELATED)
        .order_by("accept_due_at", "pk")
    )


def handling_queue(user: Any) -> QuerySet[Report]:
    """Reports *user*'s unit is handling, by answer deadline (paused ones last)."""
    if not _is_official(user) or not user.unit_id:
        return Report.objects.none()
    return (
        reports_visible_to(user)
        .filter(status__in=HANDLING_QUEUE_STATES, handling_unit_id=user.unit_id)
        .select_related(*_LIST_RELATED, "handler")
        .order_by(F("answer_due_at").asc(nulls_last=True), "pk")
    )


def approval_queue(user: Any) -> QuerySet[Report]:
    """For leaders: drafts awaiting approval and reopen requests in the units they supervise."""
    prefix = _supervised_prefix(user)
    if prefix is None:
        return Report.objects.none()
    return (
        reports_visible_to(user)
        .filter(
            status__in=(Status.AWAITING_APPROVAL, Status.REOPEN_REQUESTED),
            handling_unit__path__startswith=prefix,
        )
        .select_related(*_LIST_RELATED, "handler")
        .order_by(F("answer_due_at").asc(nulls_last=True), "pk")
    )


def overdue_reports(user: Any, *, now: dt.datetime | None = None) -> QuerySet[Report]:
    """Reports *user* may see that are past their deadline: not accepted in time, or being
    handled past the answer deadline (a paused clock is never overdue)."""
    now = now or clock.now()
    late = Q(status=Status.SUBMITTED, accept_due_at__lt=now) | Q(
        status__in=OPEN_STATES, answer_due_at__lt=now
    )
    return (
        reports_visible_to(user)
        .filter(late)
        .select_related(*_LIST_RELATED, "handler")
        .order_by(F("answer_due_at").asc(nulls_first=True), "accept_due_at", "pk")
    )


def reporter_identity_visible(user: Any, report: Report, reporter: Reporter | None = None) -> bool:
    """Whether *user* may see who *reporter* (default: the original reporter) is.

    A reporter who asked to keep their identity private is hidden from handlers; leaders of the
    supervising level (the handling or receiving unit or above) still see it, never the named
    official. On the confidential track the handlers are those leaders, so there the identity
    is shown only to a reporter who consented and did not ask for privacy.
    Front committee officials supervise how reports are handled, not who sent them: they never
    see reporters' identities (Decree 13/2023: only those who must process the data see it).
    """
    if report.named_official_id is not None and report.named_official_id == user.pk:
        return False
    if is_front_official(user):
        return False
    if reporter is None:
        reporter = report.reporters.filter(is_original=True).first()
        if reporter is None:
            return True
    if report.is_confidential:
        # Reports about an official's conduct: whoever handles them sees the reporter only
        # when the reporter agreed to be known (consented and did not ask for privacy).
        return reporter.consent_given and not reporter.identity_private
    if not reporter.identity_private:
        return True
    return supervises(user, report.handling_unit) or supervises(user, report.receiving_unit)


# --- Categories by code, for the submit endpoints --------------------------------------------


@dataclass(frozen=True)
class _ActiveCategories:
    by_code: dict[str, Category]
    groups: frozenset[int]  # categories with active children (not reported in directly)


def _read_active_categories() -> _ActiveCategories:
    active = list(Category.objects.filter(is_active=True).select_related("parent"))
    groups = frozenset(c.parent_id for c in active if c.parent_id)
    return _ActiveCategories({c.code: c for c in active}, groups)


#: Each process's copy of the active categories (``core/process_copies.py``), announced changed
#: by ``config_save``/``config_delete``.
CATEGORIES = ProcessCopies[None, _ActiveCategories]("feedback:categories-token", max_age=300.0)


def active_category(code: str, *, leaf: bool = False) -> Category | None:
    """The active category with *code*, its group loaded, or ``None``; with *leaf*, ``None``
    also for a group that has active categories under it (Open311's services are the leaves).

    Every submitted report looks its category up by code, from this process's copy of the
    active categories (one query, at most 5 minutes old, renewed at the next report after an
    administrator's edit when the cache is shared). A code missing from the copy is looked up in
    the database (a category just added). The objects are shared: never change them.
    """
    if not code:
        return None
    copy = CATEGORIES.get(None, _read_active_categories)
    found = copy.by_code.get(code)
    if found is None:
        found = Category.objects.filter(code=code, is_active=True).select_related("parent").first()
        if found is not None and leaf and found.children.filter(is_active=True).exists():
            return None
        return found
    return None if leaf and found.pk in copy.groups else found
