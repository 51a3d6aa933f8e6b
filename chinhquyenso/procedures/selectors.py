"""Reads on the catalogue of procedures: the version in force, search, per-unit lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from chinhquyenso.core import clock
from chinhquyenso.core.search import search
from chinhquyenso.procedures.models import (
    ComponentForm,
    Field,
    Procedure,
    ProcedureVersion,
)
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.selectors import active_on_filter

#: Fields searched by :func:`procedure_search` (and folded into ``search_text`` by the services).
SEARCH_FIELDS = ("code", "name", "field__name")


def today() -> dt.date:
    """Today in local time (Asia/Ho_Chi_Minh), as business rules see it."""
    return timezone.localdate(clock.now())


def in_force_filter(day: dt.date, prefix: str = "") -> Q:
    """Versions in force on *day*: ``valid_from`` ≤ *day* ≤ ``valid_to`` (open end: no end)."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def version_in_force(procedure: Procedure, day: dt.date | None = None) -> ProcedureVersion | None:
    """The version of *procedure* in force on *day* (today, local time, by default)."""
    versions = ProcedureVersion.objects.filter(procedure=procedure)
    return (
        versions.filter(in_force_filter(day or today()))
        .select_related("handling_unit")
        .order_by("-number")
        .first()
    )


def latest_version(procedure: Procedure) -> ProcedureVersion | None:
    """The newest version of *procedure*, whatever its dates."""
    return ProcedureVersion.objects.filter(procedure=procedure).order_by("-number").first()


def version_details(version: ProcedureVersion) -> ProcedureVersion:
    """*version* again with its fees, components, steps and units loaded in few queries."""
    return (
        ProcedureVersion.objects.select_related("procedure__field", "handling_unit")
        .prefetch_related("fees", "components", "steps")
        .get(pk=version.pk)
    )


def get_procedure_by_code(code: str) -> Procedure | None:
    """The procedure with national *code* (active or not), or ``None``."""
    code = (code or "").strip()
    if not code:
        return None
    return Procedure.objects.select_related("field").filter(code=code).first()


def _versions_with_kind(kind: str) -> Q:
    # unit_kinds is a JSON list of slugs; as text it holds each one quoted, on both databases
    # (JSONField "contains" is not available on SQLite).
    return Q(kinds_text__contains=f'"{kind}"')


def _versions_in_force(day: dt.date) -> QuerySet[ProcedureVersion]:
    return ProcedureVersion.objects.filter(in_force_filter(day)).annotate(
        kinds_text=Cast("unit_kinds", TextField())
    )


def _catalogue(day: dt.date, versions: QuerySet[ProcedureVersion]) -> QuerySet[Procedure]:
    """Active procedures having a version in force on *day* among *versions*."""
    matching = versions.filter(procedure=OuterRef("pk"))
    return (
        Procedure.objects.filter(is_active=True)
        .filter(Exists(matching))
        .select_related("field")
        .order_by("field__name", "name", "code")
    )


def procedures_for_unit(unit: Unit, *, day: dt.date | None = None) -> QuerySet[Procedure]:
    """Procedures *unit* receives (its kind is in the version's ``unit_kinds``) or handles."""
    day = day or today()
    versions = _versions_in_force(day).filter(
        _versions_with_kind(unit.kind) | Q(handling_unit=unit)
    )
    return _catalogue(day, versions)


def procedure_search(
    *,
    q: str = "",
    field: Field | str | None = None,
    unit: Unit | str | None = None,
    online_level: str | None = None,
    day: dt.date | None = None,
) -> QuerySet[Procedure]:
    """Active procedures in force on *day* (today), filtered; *q* ignores case and diacritics.

    *field*: a :class:`Field` or its code. *unit*: a :class:`Unit` (what it receives or handles)
    or a unit kind (``"commune"``, ``"department"``…). *online_level*: an :class:`OnlineLevel`.
    """
    day = day or today()
    versions = _versions_in_force(day)
    if isinstance(unit, Unit):
        versions = versions.filter(_versions_with_kind(unit.kind) | Q(handling_unit=unit))
    elif unit:
        versions = versions.filter(_versions_with_kind(unit))
    if online_level:
        versions = versions.filter(online_level=online_level)
    procedures = _catalogue(day, versions)
    if isinstance(field, Field):
        procedures = procedures.filter(field=field)
    elif field:
        procedures = procedures.filter(field__code=field)
    return search(procedures, q, SEARCH_FIELDS)


def with_versions_in_force(
    procedures: QuerySet[Procedure], day: dt.date | None = None, *, with_fees: bool = False
) -> QuerySet[Procedure]:
    """*procedures* with ``versions_in_force`` (a list, newest first) prefetched for *day*,
    and the versions' fees too when *with_fees*."""
    versions = ProcedureVersion.objects.filter(in_force_filter(day or today())).order_by("-number")
    if with_fees:
        versions = versions.prefetch_related("fees")
    return procedures.prefetch_related(
        Prefetch("versions", queryset=versions, to_attr="versions_in_force")
    )


def fields_in_use() -> QuerySet[Field]:
    """Fields that have at least one active procedure, by name."""
    return Field.objects.filter(procedures__is_active=True).distinct().order_by("name")


def receiving_units(*, day: dt.date | None = None) -> QuerySet[Unit]:
    """Units in force that receive dossiers of some procedure in force: their kind is listed in
    a version's ``unit_kinds``, or they are a version's handling unit. In tree order."""
    day = day or today()
    versions = _versions_in_force(day).filter(procedure__is_active=True)
    kinds = {
        kind
        for unit_kinds in versions.values_list("unit_kinds", flat=True)
        for kind in (unit_kinds or [])
    }
    handling = versions.exclude(handling_unit=None).values("handling_unit")
    units = Unit.objects.filter(active_on_filter(day)).filter(
        Q(kind__in=kinds) | Q(pk__in=handling)
    )
    return units.order_by("path")


# --- a version's content, comparable with what an import brings ---------------------------------


@dataclass(frozen=True)
class FeeSpec:
    name: str
    amount: int
    exemption: str = ""


@dataclass(frozen=True)
class ComponentSpec:
    code: str
    name: str
    form: str = ComponentForm.COPY
    quantity: int = 1
    is_required: bool = True
    note: str = ""
    template: str = ""  # a path in the file storage, or empty


@dataclass(frozen=True)
class StepSpec:
    name: str
    actor: str
    role: str
    days: Decimal


@dataclass(frozen=True)
class VersionContent:
    """Everything a version says; two versions with equal content are the same rules."""

    name: str
    online_level: str
    processing_days: int
    result_type: str
    unit_kinds: tuple[str, ...] = ()
    handling_unit: Unit | None = None
    result_name: str = ""
    legal_basis: str = ""
    requirements: str = ""
    counter_note: str = ""
    form_schema: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    fees: tuple[FeeSpec, ...] = ()
    components: tuple[ComponentSpec, ...] = ()
    steps: tuple[StepSpec, ...] = ()


def version_content(version: ProcedureVersion) -> VersionContent:
    """What *version* says, in the shape :func:`~chinhquyenso.procedures.services.
    procedure_version_create` takes."""
    return VersionContent(
        name=version.name,
        online_level=version.online_level,
        processing_days=version.processing_days,
        result_type=version.result_type,
        unit_kinds=tuple(version.unit_kinds or ()),
        handling_unit=version.handling_unit,
        result_name=version.result_name,
        legal_basis=version.legal_basis,
        requirements=version.requirements,
        counter_note=version.counter_note,
        form_schema=dict(version.form_schema or {}),
        source=version.source,
        fees=tuple(
            FeeSpec(name=f.name, amount=f.amount, exemption=f.exemption)
            for f in version.fees.order_by("pk")
        ),
        components=tuple(
            ComponentSpec(
                code=c.code,
                name=c.name,
                form=c.form,
                quantity=c.quantity,
                is_required=c.is_required,
                note=c.note,
                template=c.template.name or "",
            )
            for c in version.components.order_by("order")
        ),
        steps=tuple(
            StepSpec(name=s.name, actor=s.actor, role=s.role, days=s.days)
            for s in version.steps.order_by("order")
        ),
    )


def unit_kind_labels(kinds: list[str] | tuple[str, ...]) -> list[str]:
    """The Vietnamese names of unit kinds, in the order given (unknown kinds as they are)."""
    labels = dict(UnitKind.choices)
    return [str(labels.get(kind, kind)) for kind in kinds]
