"""Reads for the portal pages."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from chinhquyenso.units.models import Unit, UnitKind


def site_province() -> Unit | None:
    """The province this installation serves: the root unit whose code is ``PROVINCE_CODE``."""
    return Unit.objects.filter(depth=1, kind=UnitKind.PROVINCE, code=settings.PROVINCE_CODE).first()


def unit_chain(unit: Unit) -> list[Unit]:
    """*unit* followed by its parents up to the root, e.g. ward, then province."""
    return [unit, *reversed(list(unit.get_ancestors()))]


def units_in_tree_order(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """*units* in tree order, with only the columns a list needs."""
    return units.only("name", "kind", "path", "depth").order_by("path")
