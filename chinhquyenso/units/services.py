"""Writes on the unit tree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.search import searchable_text
from chinhquyenso.core.text import clean_text
from chinhquyenso.units.models import Unit, UnitKind


@transaction.atomic
def unit_create(
    *,
    parent: Unit | None,
    kind: str,
    name: str,
    short_name: str = "",
    code: str | None = None,
    agency_code: str | None = None,
    valid_from: dt.date | None = None,
    by: Any,
) -> Unit:
    """Add a unit under *parent* (or a new root when *parent* is ``None``)."""
    if kind not in UnitKind.values:
        raise ValidationError({"kind": _("Loại đơn vị không hợp lệ: %s") % kind})
    name = clean_text(name)
    if not name:
        raise ValidationError({"name": _("Cần có tên đơn vị.")})
    code = clean_text(code) if code else None
    agency_code = clean_text(agency_code) if agency_code else None
    if code and Unit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Mã đơn vị %s đã có.") % code})
    if agency_code and Unit.objects.filter(agency_code=agency_code).exists():
        raise ValidationError({"agency_code": _("Mã định danh %s đã có.") % agency_code})
    fields = {
        "kind": kind,
        "name": name,
        "short_name": clean_text(short_name),
        "code": code,
        "agency_code": agency_code,
        "valid_from": valid_from,
        "search_text": searchable_text(name, short_name, code),
    }
    if parent is None:
        unit = Unit.add_root(**fields)
    else:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
        unit = parent.add_child(**fields)
    audit_record(
        actor=by,
        action="unit.create",
        obj=unit,
        changes={"parent": [None, parent.name if parent else None], "kind": [None, kind]},
    )
    return unit
