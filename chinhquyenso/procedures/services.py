"""Writes on the catalogue of procedures. Nothing else writes these tables.

A procedure's rules are never edited in place: a dossier keeps the version it was submitted
under, so a change is a new :class:`ProcedureVersion` (number + 1) in force from a given day, and
the version before it ends the day before (:func:`procedure_version_create`). Files are imported
whole or not at all (:func:`procedures_import`).

Errors: :class:`ProcedureError` (a ``ValidationError``) with Vietnamese messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils.translation import gettext as _

from chinhquyenso.accounts.models import Role
from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.search import searchable_text
from chinhquyenso.core.text import clean_text
from chinhquyenso.procedures import eforms
from chinhquyenso.procedures.importing import ImportItem, read_items
from chinhquyenso.procedures.models import (
    Component,
    ComponentForm,
    Fee,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    ResultType,
    Step,
    StepActor,
)
from chinhquyenso.procedures.selectors import (
    VersionContent,
    latest_version,
    today,
    version_content,
)
from chinhquyenso.units.models import UnitKind


class ProcedureError(ValidationError):
    """A refused write on the catalogue, with Vietnamese messages."""


def _limit(model: type[models.Model], name: str) -> int:
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.CharField) and model_field.max_length is not None
    return model_field.max_length


def _too_long(label: str, value: str, limit: int) -> str | None:
    if len(value) > limit:
        return _("%(label)s dài quá %(limit)d ký tự.") % {"label": label, "limit": limit}
    return None


# --- checking a version's content ------------------------------------------------------------


def _fee_problems(content: VersionContent) -> list[str]:
    problems = []
    for number, fee in enumerate(content.fees, start=1):
        where = _("Phí, lệ phí %d") % number
        if not fee.name:
            problems.append(_("%s: thiếu tên khoản thu.") % where)
        elif message := _too_long(where, fee.name, _limit(Fee, "name")):
            problems.append(message)
        if isinstance(fee.amount, bool) or not isinstance(fee.amount, int) or fee.amount < 0:
            problems.append(_("%s: mức thu phải là số đồng, nguyên, không âm.") % where)
    return problems


def _component_problems(content: VersionContent) -> list[str]:
    problems = []
    seen: set[str] = set()
    for number, component in enumerate(content.components, start=1):
        where = _("Thành phần hồ sơ %d") % number
        if not component.code:
            problems.append(_("%s: thiếu mã.") % where)
        elif not component.code.replace("-", "").replace("_", "").isalnum() or (
            not component.code.isascii()
        ):
            problems.append(
                _("%(where)s: mã “%(code)s” chỉ gồm chữ không dấu, số, dấu gạch.")
                % {"where": where, "code": component.code}
            )
        elif component.code in seen:
            problems.append(
                _("%(where)s: mã “%(code)s” bị trùng.") % {"where": where, "code": component.code}
            )
        seen.add(component.code)
        if not component.name:
            problems.append(_("%s: thiếu tên giấy tờ.") % where)
        elif message := _too_long(where, component.name, _limit(Component, "name")):
            problems.append(message)
        if component.form not in ComponentForm.values:
            problems.append(
                _("%(where)s: hình thức “%(form)s” không hợp lệ (dùng: %(known)s).")
                % {"where": where, "form": component.form, "known": ", ".join(ComponentForm.values)}
            )
        if not isinstance(component.quantity, int) or not 1 <= component.quantity <= 100:
            problems.append(_("%s: số lượng phải là số nguyên từ 1 đến 100.") % where)
        if component.template and not default_storage.exists(component.template):
            problems.append(
                _("%(where)s: không có tệp mẫu “%(path)s” trong kho tệp.")
                % {"where": where, "path": component.template}
            )
    return problems


def _step_problems(content: VersionContent) -> list[str]:
    if not content.steps:
        return [_("Cần ít nhất một bước xử lý.")]
    problems = []
    total = Decimal(0)
    for number, step in enumerate(content.steps, start=1):
        where = _("Bước %d") % number
        if not step.name:
            problems.append(_("%s: thiếu tên bước.") % where)
        elif message := _too_long(where, step.name, _limit(Step, "name")):
            problems.append(message)
        if step.actor not in StepActor.values:
            problems.append(
                _("%(where)s: đơn vị thực hiện “%(actor)s” không hợp lệ (dùng: %(known)s).")
                % {"where": where, "actor": step.actor, "known": ", ".join(StepActor.values)}
            )
        if step.role not in Role.values:
            problems.append(
                _("%(where)s: vai trò “%(role)s” không hợp lệ (dùng: %(known)s).")
                % {"where": where, "role": step.role, "known": ", ".join(Role.values)}
            )
        days = step.days
        if not isinstance(days, Decimal) or not days.is_finite() or days < 0 or days >= 1000:
            problems.append(_("%s: số ngày phải là số không âm, dưới 1000.") % where)
            continue
        if days != days.quantize(Decimal("0.01")):
            problems.append(_("%s: số ngày chỉ được có tối đa 2 chữ số thập phân.") % where)
        total += days
    if not problems and total != content.processing_days:
        problems.append(
            _(
                "Tổng thời gian các bước (%(total)s ngày) phải bằng thời hạn giải quyết "
                "(%(days)s ngày làm việc)."
            )
            % {"total": f"{total.normalize():f}", "days": content.processing_days}
        )
    return problems


def content_problems(content: VersionContent) -> list[str]:
    """Everything wrong with *content*, in Vietnamese; empty when it can be stored."""
    problems: list[str] = []
    if not content.name:
        problems.append(_("Thiếu tên thủ tục."))
    elif message := _too_long(_("Tên thủ tục"), content.name, _limit(ProcedureVersion, "name")):
        problems.append(message)
    if content.online_level not in OnlineLevel.values:
        problems.append(
            _("Mức độ trực tuyến “%(value)s” không hợp lệ (dùng: %(known)s).")
            % {"value": content.online_level, "known": ", ".join(OnlineLevel.values)}
        )
    if content.result_type not in ResultType.values:
        problems.append(
            _("Loại kết quả “%(value)s” không hợp lệ (dùng: %(known)s).")
            % {"value": content.result_type, "known": ", ".join(ResultType.values)}
        )
    if (
        isinstance(content.processing_days, bool)
        or not isinstance(content.processing_days, int)
        or not 0 <= content.processing_days <= 365
    ):
        problems.append(_("Thời hạn giải quyết phải là số ngày làm việc, từ 0 đến 365."))
    if not content.unit_kinds:
        problems.append(_("Cần ít nhất một cấp tiếp nhận (unit_kinds)."))
    unknown = [kind for kind in content.unit_kinds if kind not in UnitKind.values]
    if unknown:
        problems.append(
            _("Cấp tiếp nhận không hợp lệ: %(kinds)s (dùng: %(known)s).")
            % {"kinds": ", ".join(unknown), "known": ", ".join(UnitKind.values)}
        )
    if len(set(content.unit_kinds)) != len(content.unit_kinds):
        problems.append(_("Cấp tiếp nhận bị lặp lại."))
    if message := _too_long(_("Tên kết quả"), content.result_name, 500):
        problems.append(message)
    if message := _too_long(_("Nguồn"), content.source, _limit(ProcedureVersion, "source")):
        problems.append(message)
    schema_problems = eforms.schema_problems(content.form_schema)
    problems.extend(schema_problems)
    if (
        content.online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL)
        and not content.form_schema
        and not schema_problems
    ):
        problems.append(_("Thủ tục nộp trực tuyến cần có biểu mẫu điện tử (form_schema)."))
    if (
        content.online_level == OnlineLevel.PARTIAL
        and not content.counter_note
        and not content.components
    ):
        problems.append(
            _("Thủ tục trực tuyến một phần cần ghi những gì phải mang đến bộ phận một cửa.")
        )
    problems.extend(_fee_problems(content))
    problems.extend(_component_problems(content))
    problems.extend(_step_problems(content))
    return problems


def _check_content(content: VersionContent) -> None:
    problems = content_problems(content)
    if problems:
        raise ProcedureError(problems)


# --- fields ----------------------------------------------------------------------------------


def field_problems(code: str, name: str) -> list[str]:
    """What is wrong with a field's code and name, in Vietnamese."""
    problems = []
    if not code or not code.isascii() or not code.replace("-", "").replace("_", "").isalnum():
        problems.append(_("Mã lĩnh vực “%s” chỉ gồm chữ không dấu, số và dấu gạch ngang.") % code)
    elif message := _too_long(_("Mã lĩnh vực"), code, _limit(Field, "code")):
        problems.append(message)
    if not name:
        problems.append(_("Lĩnh vực “%s” cần có tên.") % code)
    elif message := _too_long(_("Tên lĩnh vực"), name, _limit(Field, "name")):
        problems.append(message)
    return problems


@transaction.atomic
def field_create(*, code: str, name: str, by: Any) -> Field:
    code, name = clean_text(code), clean_text(name)
    problems = field_problems(code, name)
    if Field.objects.filter(code=code).exists():
        problems.append(_("Lĩnh vực mã “%s” đã có.") % code)
    if problems:
        raise ProcedureError(problems)
    created = Field.objects.create(code=code, name=name)
    audit_record(actor=by, action="procedures.field_create", obj=created, changes={"name": name})
    return created


def _refresh_search_text(procedures: Iterable[Procedure]) -> None:
    for procedure in procedures:
        text = searchable_text(procedure.code, procedure.name, procedure.field.name)
        if text != procedure.search_text:
            Procedure.objects.filter(pk=procedure.pk).update(search_text=text)
            procedure.search_text = text


@transaction.atomic
def field_rename(*, field: Field, name: str, by: Any) -> Field:
    """Give *field* a new name (its procedures are found by the new name)."""
    locked = Field.objects.select_for_update().get(pk=field.pk)
    name = clean_text(name)
    problems = field_problems(locked.code, name)
    if problems:
        raise ProcedureError(problems)
    if name == locked.name:
        return locked
    before = locked.name
    locked.name = name
    locked.save(update_fields=["name"])
    _refresh_search_text(locked.procedures.select_related("field"))
    audit_record(
        actor=by, action="procedures.field_rename", obj=locked, changes={"name": [before, name]}
    )
    return locked


# --- procedures and their versions -------------------------------------------------------------


def _write_version(
    procedure: Procedure, number: int, content: VersionContent, valid_from: dt.date
) -> ProcedureVersion:
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=number,
        valid_from=valid_from,
        name=content.name,
        online_level=content.online_level,
        unit_kinds=list(content.unit_kinds),
        handling_unit=content.handling_unit,
        legal_basis=content.legal_basis,
        processing_days=content.processing_days,
        result_type=content.result_type,
        result_name=content.result_name,
        requirements=content.requirements,
        counter_note=content.counter_note,
        form_schema=content.form_schema,
        source=content.source,
    )
    Fee.objects.bulk_create(
        Fee(version=version, name=f.name, amount=f.amount, exemption=f.exemption)
        for f in content.fees
    )
    Component.objects.bulk_create(
        Component(
            version=version,
            order=order,
            code=c.code,
            name=c.name,
            form=c.form,
            quantity=c.quantity,
            is_required=c.is_required,
            note=c.note,
            template=c.template,
        )
        for order, c in enumerate(content.components, start=1)
    )
    Step.objects.bulk_create(
        Step(version=version, order=order, name=s.name, actor=s.actor, role=s.role, days=s.days)
        for order, s in enumerate(content.steps, start=1)
    )
    return version


def _version_summary(version: ProcedureVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "valid_from": version.valid_from,
        "online_level": version.online_level,
        "processing_days": version.processing_days,
        "fee_total": sum(f.amount for f in version.fees.all()),
    }


@transaction.atomic
def procedure_create(
    *, code: str, field: Field, content: VersionContent, valid_from: dt.date, by: Any
) -> Procedure:
    """A new procedure with its first version, in force from *valid_from*."""
    code = clean_text(code)
    problems = []
    if not code:
        problems.append(_("Thiếu mã thủ tục."))
    elif message := _too_long(_("Mã thủ tục"), code, _limit(Procedure, "code")):
        problems.append(message)
    elif Procedure.objects.filter(code=code).exists():
        problems.append(_("Thủ tục mã “%s” đã có.") % code)
    problems.extend(content_problems(content))
    if problems:
        raise ProcedureError(problems)
    procedure = Procedure.objects.create(
        code=code,
        name=content.name,
        field=field,
        search_text=searchable_text(code, content.name, field.name),
    )
    version = _write_version(procedure, 1, content, valid_from)
    audit_record(
        actor=by,
        action="procedures.procedure_create",
        obj=procedure,
        changes={"field": field.code, **_version_summary(version)},
    )
    return procedure


@transaction.atomic
def procedure_version_create(
    *, procedure: Procedure, content: VersionContent, valid_from: dt.date, by: Any
) -> ProcedureVersion:
    """A new version of *procedure* in force from *valid_from*; the newest one before it ends on
    the day before. *valid_from* must come after the newest version's start: the past that
    dossiers were submitted under is never rewritten."""
    procedure = Procedure.objects.select_for_update().select_related("field").get(pk=procedure.pk)
    _check_content(content)
    previous = latest_version(procedure)
    if previous is not None and valid_from <= previous.valid_from:
        raise ProcedureError(
            _(
                "Thủ tục %(code)s đã có phiên bản %(number)d hiệu lực từ %(date)s; phiên bản mới "
                "phải có hiệu lực từ sau ngày đó."
            )
            % {
                "code": procedure.code,
                "number": previous.number,
                "date": f"{previous.valid_from:%d/%m/%Y}",
            }
        )
    if previous is not None and (previous.valid_to is None or previous.valid_to >= valid_from):
        ProcedureVersion.objects.filter(pk=previous.pk).update(
            valid_to=valid_from - dt.timedelta(days=1)
        )
    version = _write_version(procedure, previous.number + 1 if previous else 1, content, valid_from)
    if procedure.name != content.name:
        procedure.name = content.name
        procedure.search_text = searchable_text(procedure.code, content.name, procedure.field.name)
        procedure.save(update_fields=["name", "search_text"])
    changes = _version_summary(version)
    if previous is not None:
        before = _version_summary(previous)
        changes = {key: [before[key], value] for key, value in changes.items()}
    audit_record(actor=by, action="procedures.version_create", obj=version, changes=changes)
    return version


@transaction.atomic
def procedure_update(
    *, procedure: Procedure, by: Any, field: Field | None = None, is_active: bool | None = None
) -> Procedure:
    """Move *procedure* to another field, or stop / resume offering it (``is_active``)."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    changes: dict[str, Any] = {}
    if field is not None and field.pk != procedure.field_id:
        changes["field"] = [procedure.field.code, field.code]
        procedure.field = field
        procedure.search_text = searchable_text(procedure.code, procedure.name, field.name)
    if is_active is not None and is_active != procedure.is_active:
        changes["is_active"] = [procedure.is_active, is_active]
        procedure.is_active = is_active
    if changes:
        procedure.save(update_fields=["field", "search_text", "is_active"])
        audit_record(actor=by, action="procedures.procedure_update", obj=procedure, changes=changes)
    return procedure


# --- importing a file --------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do), or every problem that stopped it.

    ``errors`` are Vietnamese messages, each starting with where the problem is (the line of a
    CSV row, the item number and line of a JSON item). When there are errors nothing was written.
    """

    created: list[str] = field(default_factory=list)
    versioned: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        counts = {
            "created": len(self.created),
            "versioned": len(self.versioned),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }
        return (
            _(
                "%(created)d thủ tục mới, %(versioned)d thủ tục có phiên bản mới, "
                "%(updated)d thủ tục đổi lĩnh vực, %(unchanged)d thủ tục không đổi."
            )
            % counts
        )


@dataclass
class _Plan:
    item: ImportItem
    action: str  # create | version | update | unchanged
    procedure: Procedure | None = None
    valid_from: dt.date | None = None


def _plan(items: list[ImportItem], default_day: dt.date, report: ImportReport) -> list[_Plan]:
    plans: list[_Plan] = []
    existing = {
        p.code: p
        for p in Procedure.objects.select_related("field").filter(
            code__in=[item.code for item in items]
        )
    }
    for item in items:
        day = item.valid_from or default_day
        procedure = existing.get(item.code)
        if procedure is None:
            plans.append(_Plan(item, "create", None, day))
            continue
        previous = latest_version(procedure)
        same_rules = previous is not None and version_content(previous) == item.content
        moved = procedure.field.code != item.field_code
        if same_rules:
            plans.append(_Plan(item, "update" if moved else "unchanged", procedure, day))
            continue
        if previous is not None and day <= previous.valid_from:
            report.errors.append(
                _(
                    "%(where)s: thủ tục %(code)s đã có phiên bản %(number)d hiệu lực từ %(date)s; "
                    "nội dung mới phải có ngày hiệu lực sau ngày đó (tham số ngày hiệu lực hoặc "
                    "valid_from)."
                )
                % {
                    "where": item.where,
                    "code": item.code,
                    "number": previous.number,
                    "date": f"{previous.valid_from:%d/%m/%Y}",
                }
            )
        plans.append(_Plan(item, "version", procedure, day))
    return plans


def _fields_for(items: list[ImportItem], by: Any) -> dict[str, Field]:
    """The fields the items name, created or renamed as the file says."""
    fields = {f.code: f for f in Field.objects.filter(code__in={i.field_code for i in items})}
    for item in items:
        current = fields.get(item.field_code)
        if current is None:
            fields[item.field_code] = field_create(
                code=item.field_code, name=item.field_name, by=by
            )
        elif item.field_name and item.field_name != current.name:
            fields[item.field_code] = field_rename(field=current, name=item.field_name, by=by)
    return fields


def _field_errors(items: list[ImportItem]) -> list[str]:
    """Fields missing a name where they are new, or named two ways in one file."""
    known = set(
        Field.objects.filter(code__in={i.field_code for i in items}).values_list("code", flat=True)
    )
    names: dict[str, str] = {}
    errors = []
    for item in items:
        if not item.field_code:
            continue
        first = names.setdefault(item.field_code, item.field_name)
        if item.field_name and first and item.field_name != first:
            errors.append(
                _("%(where)s: lĩnh vực “%(code)s” có tên khác với mục trước (“%(name)s”).")
                % {"where": item.where, "code": item.field_code, "name": first}
            )
        if not item.field_name and item.field_code not in known:
            errors.append(
                _("%(where)s: lĩnh vực mới “%(code)s” cần có tên.")
                % {"where": item.where, "code": item.field_code}
            )
    return errors


@transaction.atomic
def procedures_import(
    *,
    source: str | bytes,
    fmt: str,
    by: Any,
    valid_from: dt.date | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import procedures from a JSON or CSV text (format: ``docs/procedures-import.md``).

    All or nothing: every item is read and checked first; any problem and nothing is written,
    the report listing every problem with its line. A new code creates the procedure; a known
    code with different content gets a new version in force from *valid_from* (default today,
    or the item's own ``valid_from``) and the previous version ends the day before; the same
    content changes nothing (and writes no audit row).
    """
    report = ImportReport(dry_run=dry_run)
    items, errors = read_items(source, fmt)
    report.errors.extend(errors)
    for item in items:
        if item.problems:
            report.errors.extend(item.problems)
        else:
            report.errors.extend(f"{item.where}: {p}" for p in content_problems(item.content))
    report.errors.extend(_field_errors(items))
    plans = _plan(items, valid_from or today(), report)
    if report.errors:
        return report
    for plan in plans:
        _REPORT_LISTS[plan.action](report).append(plan.item.code)
    if dry_run:
        return report
    try:
        _apply(plans, items, by)
    except ProcedureError as exc:  # checked above, so only a concurrent change gets here
        transaction.set_rollback(True)
        report.errors.extend(exc.messages)
    return report


_REPORT_LISTS = {
    "create": lambda report: report.created,
    "version": lambda report: report.versioned,
    "update": lambda report: report.updated,
    "unchanged": lambda report: report.unchanged,
}


def _apply(plans: list[_Plan], items: list[ImportItem], by: Any) -> None:
    fields = _fields_for(items, by)
    for plan in plans:
        item, day = plan.item, plan.valid_from
        assert day is not None
        if plan.action == "create":
            procedure_create(
                code=item.code,
                field=fields[item.field_code],
                content=item.content,
                valid_from=day,
                by=by,
            )
            continue
        assert plan.procedure is not None
        if plan.action == "version":
            procedure_version_create(
                procedure=plan.procedure, content=item.content, valid_from=day, by=by
            )
        if plan.procedure.field.code != item.field_code:
            procedure_update(procedure=plan.procedure, field=fields[item.field_code], by=by)
