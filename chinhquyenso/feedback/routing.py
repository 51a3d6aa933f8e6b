"""Where a report goes: the unit that screens it and the unit that handles it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from chinhquyenso.feedback.models import Category, RoutingRule
from chinhquyenso.units.models import Unit, UnitKind


def receiving_unit_for(*, commune: Unit) -> Unit:
    """The unit that screens a new report located in *commune* (setting ``FEEDBACK_SCREENING``):
    ``commune``: the commune itself; ``operations_centre``: the province's operations centre
    (the commune if the province has none yet)."""
    mode = settings.FEEDBACK_SCREENING
    if mode == "commune":
        return commune
    if mode == "operations_centre":
        root_path = commune.path[: Unit.steplen]
        centre = (
            Unit.objects.filter(path__startswith=root_path, kind=UnitKind.OPERATIONS_CENTRE)
            .order_by("depth", "path")
            .first()
        )
        return centre or commune
    raise ImproperlyConfigured(
        f"FEEDBACK_SCREENING={mode!r}: expected 'commune' or 'operations_centre'."
    )


def matching_rule(*, category: Category, commune: Unit) -> RoutingRule | None:
    """The most specific rule for *category* (or, failing that, its group) in *commune*'s area:
    the deepest area containing the commune wins (a rule without area matches everywhere), then
    the lowest priority number."""
    categories = [category.pk] + ([category.parent_id] if category.parent_id else [])
    rules = RoutingRule.objects.filter(category_id__in=categories).select_related(
        "area", "handling_unit"
    )
    best: tuple[tuple[int, int, int, int], RoutingRule] | None = None
    for rule in rules:
        if rule.area is not None and not commune.path.startswith(rule.area.path):
            continue
        key = (
            0 if rule.category_id == category.pk else 1,
            -(rule.area.depth if rule.area is not None else 0),
            rule.priority,
            rule.pk,
        )
        if best is None or key < best[0]:
            best = (key, rule)
    return best[1] if best else None


def handling_unit_for(*, category: Category, commune: Unit) -> Unit:
    """The unit that handles a report of *category* located in *commune*: the matching rule's
    unit, or the commune itself."""
    rule = matching_rule(category=category, commune=commune)
    if rule is not None and rule.handling_unit is not None:
        return rule.handling_unit
    return commune
