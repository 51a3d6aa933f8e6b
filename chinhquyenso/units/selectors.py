"""Reads on the unit tree."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from chinhquyenso.core.search import search
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS, Unit

#: Fields searched by :func:`unit_search` (and folded into ``search_text`` by the services).
SEARCH_FIELDS = ("name", "short_name", "code")


def active_on_filter(day: dt.date) -> Q:
    """Units in force on *day*; both ends of the validity period are inclusive."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def units_active_on(
    day: dt.date | None = None, *, queryset: QuerySet[Unit] | None = None
) -> QuerySet[Unit]:
    """Units in force on *day* (today by default), in tree order."""
    units = Unit.objects.all() if queryset is None else queryset
    return units.filter(active_on_filter(day or timezone.localdate())).order_by("path")


def unit_descendants(unit: Unit, *, include_self: bool = False) -> QuerySet[Unit]:
    """Every unit below *unit*, at any depth, in tree order."""
    units = Unit.objects.filter(path__startswith=unit.path)
    if not include_self:
        units = units.exclude(pk=unit.pk)
    return units.order_by("path")


def commune_level_units(province: Unit, *, day: dt.date | None = None) -> QuerySet[Unit]:
    """Communes, wards and special zones of *province* in force on *day* (today by default)."""
    units = unit_descendants(province).filter(kind__in=COMMUNE_LEVEL_KINDS)
    return units_active_on(day, queryset=units)


def unit_by_code(code: str) -> Unit | None:
    """The unit with the official or internal *code*, active or not; ``None`` if there is none."""
    code = code.strip()
    if not code:
        return None
    return Unit.objects.filter(code=code).first()


def unit_by_agency_code(agency_code: str) -> Unit | None:
    """The unit with electronic agency ID *agency_code* (QCVN 102:2016), or ``None``."""
    agency_code = agency_code.strip()
    if not agency_code:
        return None
    return Unit.objects.filter(agency_code=agency_code).first()


def unit_search(query: str, *, queryset: QuerySet[Unit] | None = None) -> QuerySet[Unit]:
    """Units whose name, short name or code contain every word of *query*, ignoring diacritics."""
    units = Unit.objects.all() if queryset is None else queryset
    return search(units, query, SEARCH_FIELDS).order_by("path")
