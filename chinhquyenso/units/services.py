"""Writes on the unit tree: create, update, move, dissolve and merge.

Units are never deleted. A unit that ceases to exist gets ``valid_to`` (the last day it was in
force) and, when another unit takes over its work, a ``successor``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.search import searchable_text
from chinhquyenso.core.text import clean_text
from chinhquyenso.units.models import Unit, UnitKind

#: Fields :func:`unit_update` may change; the place in the tree and the end of validity have
#: their own services (:func:`unit_move`, :func:`unit_dissolve`, :func:`unit_merge`).
UPDATABLE_FIELDS = ("kind", "name", "short_name", "code", "agency_code", "valid_from")


def _field_limit(name: str) -> int:
    field = Unit._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length is not None
    return field.max_length


def clean_unit_fields(fields: dict[str, Any], *, exclude_pk: int | None) -> dict[str, Any]:
    """Normalise and check unit fields; raise ``ValidationError`` with every problem found."""
    cleaned = dict(fields)
    errors: dict[str, str] = {}
    if "kind" in cleaned and cleaned["kind"] not in UnitKind.values:
        errors["kind"] = _("Loại đơn vị không hợp lệ: %s") % cleaned["kind"]
    if "name" in cleaned:
        cleaned["name"] = clean_text(cleaned["name"] or "")
        if not cleaned["name"]:
            errors["name"] = _("Cần có tên đơn vị.")
    if "short_name" in cleaned:
        cleaned["short_name"] = clean_text(cleaned["short_name"] or "")
    for key in ("code", "agency_code"):
        if key in cleaned:
            cleaned[key] = clean_text(cleaned[key]) if cleaned[key] else None
    for key in ("name", "short_name", "code", "agency_code"):
        limit = _field_limit(key)
        if cleaned.get(key) and len(cleaned[key]) > limit and key not in errors:
            errors[key] = _("Quá %(limit)d ký tự: %(value)s") % {
                "limit": limit,
                "value": cleaned[key],
            }
    others = Unit.objects.exclude(pk=exclude_pk) if exclude_pk else Unit.objects.all()
    if cleaned.get("code") and others.filter(code=cleaned["code"]).exists():
        errors["code"] = _("Mã đơn vị %s đã có.") % cleaned["code"]
    if cleaned.get("agency_code") and others.filter(agency_code=cleaned["agency_code"]).exists():
        errors["agency_code"] = _("Mã định danh %s đã có.") % cleaned["agency_code"]
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_unit_move(unit: Unit, parent: Unit | None) -> None:
    """Raise ``ValidationError`` if *unit* cannot go under *parent* (its own subtree)."""
    if parent is not None and parent.path.startswith(unit.path):
        raise ValidationError(
            {"parent": _("Không thể chuyển đơn vị vào chính nó hoặc đơn vị trực thuộc nó.")}
        )


def check_unit_end(unit: Unit, valid_to: dt.date, successor: Unit | None) -> None:
    """Raise ``ValidationError`` if *unit* cannot end on *valid_to* in favour of *successor*."""
    if unit.valid_to is not None:
        raise ValidationError(
            _("Đơn vị “%(name)s” đã hết hiệu lực từ %(date)s.")
            % {"name": unit.name, "date": f"{unit.valid_to:%d/%m/%Y}"}
        )
    if unit.valid_from and valid_to < unit.valid_from:
        raise ValidationError(
            {"valid_to": _("Ngày hết hiệu lực không được trước ngày có hiệu lực của đơn vị.")}
        )
    if successor is not None:
        if successor.pk == unit.pk:
            raise ValidationError({"successor": _("Đơn vị không thể kế thừa chính nó.")})
        if successor.path.startswith(unit.path):
            raise ValidationError(
                {
                    "successor": _(
                        "Đơn vị kế thừa không thể là đơn vị trực thuộc đơn vị bị giải thể."
                    )
                }
            )
        if successor.valid_to is not None and successor.valid_to <= valid_to:
            raise ValidationError(
                {
                    "successor": _("Đơn vị kế thừa “%s” không còn hiệu lực sau ngày đó.")
                    % successor.name
                }
            )
    active_children = [child.name for child in unit.get_children() if child.valid_to is None]
    if active_children:
        raise ValidationError(
            _(
                "“%(name)s” còn đơn vị trực thuộc đang hoạt động (%(children)s); "
                "hãy chuyển hoặc giải thể các đơn vị đó trước."
            )
            % {"name": unit.name, "children": ", ".join(active_children)}
        )


def _search_text(unit: Unit) -> str:
    return searchable_text(unit.name, unit.short_name, unit.code)


def _label(unit: Unit | None) -> str | None:
    if unit is None:
        return None
    return f"{unit.code} {unit.name}" if unit.code else unit.name


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
    fields = clean_unit_fields(
        {
            "kind": kind,
            "name": name,
            "short_name": short_name,
            "code": code,
            "agency_code": agency_code,
            "valid_from": valid_from,
        },
        exclude_pk=None,
    )
    fields["search_text"] = searchable_text(fields["name"], fields["short_name"], fields["code"])
    if parent is None:
        unit = Unit.add_root(**fields)
    else:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
        unit = parent.add_child(**fields)
    audit_record(
        actor=by,
        action="unit.create",
        obj=unit,
        changes={
            "parent": [None, _label(parent)],
            "kind": [None, fields["kind"]],
            "code": [None, fields["code"]],
            "agency_code": [None, fields["agency_code"]],
        },
    )
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, by: Any, **fields: Any) -> Unit:
    """Change some of :data:`UPDATABLE_FIELDS` of *unit*; no audit row when nothing changes."""
    unknown = sorted(set(fields) - set(UPDATABLE_FIELDS))
    if unknown:
        raise TypeError(f"unit_update() cannot change: {', '.join(unknown)}")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    cleaned = clean_unit_fields(fields, exclude_pk=unit.pk)
    changes = {
        key: [getattr(unit, key), value]
        for key, value in cleaned.items()
        if getattr(unit, key) != value
    }
    if not changes:
        return unit
    for key in changes:
        setattr(unit, key, cleaned[key])
    unit.search_text = _search_text(unit)
    unit.save(update_fields=[*changes, "search_text"])
    audit_record(actor=by, action="unit.update", obj=unit, changes=changes)
    if "name" in changes:
        # Feedback keeps the commune's name in its reports' public search text: once the rename
        # commits, it refreshes that text in the background (a named hook, not a signal).
        from chinhquyenso.feedback.services import unit_renamed

        transaction.on_commit(lambda: unit_renamed(unit_id=unit.pk))
    return unit


@transaction.atomic
def unit_move(*, unit: Unit, parent: Unit | None, by: Any) -> Unit:
    """Put *unit* (with its whole subtree) under *parent*, or make it a root when ``None``."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    old_parent = unit.get_parent()
    if parent is not None:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
    check_unit_move(unit, parent)
    if (old_parent.pk if old_parent else None) == (parent.pk if parent else None):
        return unit
    if parent is None:
        unit.move(Unit.get_last_root_node(), "last-sibling")
    else:
        unit.move(parent, "last-child")
    unit = Unit.objects.get(pk=unit.pk)
    audit_record(
        actor=by,
        action="unit.move",
        obj=unit,
        changes={"parent": [_label(old_parent), _label(parent)]},
    )
    return unit


def _end(*, unit: Unit, valid_to: dt.date, successor: Unit | None, by: Any, action: str) -> Unit:
    """Close *unit* on *valid_to*, naming its *successor*; shared by dissolve and merge."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    check_unit_end(unit, valid_to, successor)
    unit.valid_to = valid_to
    unit.successor = successor
    unit.save(update_fields=["valid_to", "successor"])
    audit_record(
        actor=by,
        action=action,
        obj=unit,
        changes={"valid_to": [None, valid_to], "successor": [None, _label(successor)]},
    )
    return unit


@transaction.atomic
def unit_dissolve(*, unit: Unit, valid_to: dt.date, successor: Unit | None, by: Any) -> Unit:
    """End *unit* after *valid_to* (its last day); *successor*, if any, takes over its work."""
    return _end(unit=unit, valid_to=valid_to, successor=successor, by=by, action="unit.dissolve")


@transaction.atomic
def unit_merge(*, units: Iterable[Unit], successor: Unit, valid_to: dt.date, by: Any) -> Unit:
    """Merge *units* into *successor*: each ends after *valid_to* and points to it."""
    merged = list(units)
    if not merged:
        raise ValidationError(_("Cần chọn ít nhất một đơn vị để sáp nhập."))
    if any(u.pk == successor.pk for u in merged):
        raise ValidationError(
            {"successor": _("Đơn vị kế thừa không thể nằm trong các đơn vị bị sáp nhập.")}
        )
    successor = Unit.objects.select_for_update().get(pk=successor.pk)
    for unit in sorted(merged, key=lambda u: u.pk):
        _end(unit=unit, valid_to=valid_to, successor=successor, by=by, action="unit.merge")
    return successor
