"""Import units from a JSON or CSV file: validate every row first, then write all or nothing.

A file holds rows with the columns of :data:`COLUMNS`. Rows are matched to existing units by
``code``, so importing the same file again updates units instead of duplicating them. Empty
optional cells (``short_name``, ``agency_code``, ``valid_from``, ``parent_code`` of an existing
unit) leave the stored value as it is, so a re-import of an official list does not wipe what an
administrator added.

JSON: a list of row objects, or an object whose ``units`` key holds that list (other keys such as
``source`` and ``note`` describe the file). CSV: UTF-8 (with or without BOM), a header row, comma
or semicolon separated. Dates are ``YYYY-MM-DD`` or ``DD/MM/YYYY``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chinhquyenso.core.text import clean_text, fold
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.services import clean_unit_fields, unit_create, unit_move, unit_update

COLUMNS = ("code", "name", "kind", "short_name", "agency_code", "parent_code", "valid_from")
REQUIRED_COLUMNS = ("code", "name", "kind")


@dataclass(frozen=True)
class UnitRow:
    """One row of an import file, as text, with the line it starts on."""

    line: int
    code: str = ""
    name: str = ""
    kind: str = ""
    short_name: str = ""
    agency_code: str = ""
    parent_code: str = ""
    valid_from: str = ""


@dataclass
class ImportResult:
    """Codes of the units created, updated and left unchanged (or that would be, in a dry run)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False


@dataclass
class _Planned:
    row: UnitRow
    fields: dict[str, Any]
    parent_code: str | None
    existing: Unit | None
    changes: dict[str, Any]
    move: bool


# --- reading files -----------------------------------------------------------------------------


def _row_from_mapping(values: dict[str, Any], line: int) -> UnitRow:
    unknown = sorted(k for k in values if k not in COLUMNS)
    if unknown:
        raise ValidationError(
            _("Dòng %(line)d: cột không biết: %(unknown)s (các cột dùng được: %(known)s).")
            % {"line": line, "unknown": ", ".join(unknown), "known": ", ".join(COLUMNS)}
        )
    text = {k: clean_text("" if v is None else str(v)) for k, v in values.items()}
    return UnitRow(line=line, **text)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _json_rows_position(text: str, decoder: json.JSONDecoder) -> int:
    """Where the list of rows starts: the top-level list, or the value of the ``units`` key."""
    pos = _skip_space(text, 0)
    if text.startswith("[", pos):
        return pos
    # A top-level object: walk its members to find "units" without guessing from raw text.
    pos = _skip_space(text, pos + 1)
    while pos < len(text) and text[pos] != "}":
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip_space(text, _skip_space(text, pos) + 1)  # past the colon
        if key == "units":
            return pos
        pos = decoder.raw_decode(text, pos)[1]
        pos = _skip_space(text, pos)
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)
    raise ValidationError(_("Tệp JSON không có danh sách đơn vị (khóa “units”)."))


def read_json_rows(text: str) -> list[UnitRow]:
    """Rows of a JSON import file, each with the line its object starts on."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("Tệp JSON không đọc được (dòng %(line)d, cột %(col)d): %(msg)s")
            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
        ) from exc
    items = document if isinstance(document, list) else None
    if isinstance(document, dict) and isinstance(document.get("units"), list):
        items = document["units"]
    if items is None:
        raise ValidationError(_("Tệp JSON không có danh sách đơn vị (khóa “units”)."))
    decoder = json.JSONDecoder()
    pos = _skip_space(text, _json_rows_position(text, decoder) + 1)
    rows: list[UnitRow] = []
    errors: list[str] = []
    for item in items:
        line = _line_of(text, pos)
        pos = decoder.raw_decode(text, pos)[1]
        pos = _skip_space(text, pos)
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)
        if not isinstance(item, dict):
            errors.append(_("Dòng %d: mỗi đơn vị phải là một đối tượng JSON {…}.") % line)
            continue
        try:
            rows.append(_row_from_mapping(item, line))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return rows


def read_csv_rows(text: str) -> list[UnitRow]:
    """Rows of a CSV import file, each with its line number (the header is line 1)."""
    lines = text.splitlines(keepends=True)
    if not lines:
        raise ValidationError(_("Tệp CSV trống."))
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(lines, delimiter=delimiter)
    header = [clean_text(h).lower() for h in next(reader)]
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if unknown or missing:
        problems = []
        if missing:
            problems.append(_("thiếu cột %s") % ", ".join(missing))
        if unknown:
            problems.append(_("cột không biết: %s") % ", ".join(unknown))
        raise ValidationError(
            _("Dòng 1 (tiêu đề): %(problems)s. Các cột dùng được: %(known)s.")
            % {"problems": "; ".join(problems), "known": ", ".join(COLUMNS)}
        )
    rows: list[UnitRow] = []
    start = reader.line_num + 1
    for cells in reader:
        if any(c.strip() for c in cells):
            padded = [*cells, *[""] * (len(header) - len(cells))]
            rows.append(_row_from_mapping(dict(zip(header, padded, strict=False)), start))
        start = reader.line_num + 1
    return rows


def read_unit_file(path: str | Path) -> list[UnitRow]:
    """Rows of the ``.json`` or ``.csv`` file at *path*; ``ValidationError`` if unreadable."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise ValidationError(_("Chỉ nhập được tệp .json hoặc .csv: %s") % path.name)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ValidationError(_("Không tìm thấy tệp %s.") % path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(
            _("Không đọc được tệp %(path)s (cần mã hóa UTF-8): %(error)s")
            % {"path": path, "error": exc}
        ) from exc
    return read_json_rows(text) if suffix == ".json" else read_csv_rows(text)


# --- validating and planning -------------------------------------------------------------------


def resolve_kind(value: str) -> str | None:
    """The :class:`UnitKind` value for *value*: a code (``ward``) or a label (``Phường``)."""
    if value in UnitKind.values:
        return value
    folded = fold(value)
    for kind in UnitKind:
        if fold(str(kind.label)) == folded:
            return kind.value
    return None


def _parse_date(value: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def _creation_order(planned: list[_Planned], errors: list[tuple[int, str]]) -> list[_Planned]:
    """Rows ordered so that a parent defined in the file comes before its children."""
    by_code = {p.row.code: p for p in planned}
    ordered: list[_Planned] = []
    state: dict[str, str] = {}

    def visit(item: _Planned, chain: list[str]) -> None:
        code = item.row.code
        if state.get(code) == "done":
            return
        if state.get(code) == "visiting":
            cycle = [*chain[chain.index(code) :], code]
            errors.append((item.row.line, _("đơn vị cấp trên vòng lặp: %s") % " → ".join(cycle)))
            return
        state[code] = "visiting"
        parent = by_code.get(item.parent_code or "")
        if parent is not None:
            visit(parent, [*chain, code])
        state[code] = "done"
        ordered.append(item)

    for item in planned:
        visit(item, [])
    return ordered


@dataclass
class _FileContext:
    """What the checks of one row need to know about the whole file and the database."""

    default_parent_code: str | None
    codes_in_file: set[str]
    existing: dict[str, Unit]
    known_parents: set[str]
    current_parent_code: dict[int, str | None]
    seen_codes: dict[str, int] = field(default_factory=dict)
    seen_agency_codes: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, rows: list[UnitRow], default_parent_code: str | None) -> _FileContext:
        codes_in_file = {r.code for r in rows if r.code}
        existing = Unit.objects.in_bulk(codes_in_file, field_name="code")
        wanted_parents = {r.parent_code or default_parent_code for r in rows} - codes_in_file
        found = Unit.objects.filter(code__in=wanted_parents - {None}).values_list("code", flat=True)
        return cls(
            default_parent_code=default_parent_code,
            codes_in_file=codes_in_file,
            existing=existing,
            known_parents={code for code in found if code},
            current_parent_code=_current_parent_codes(existing.values()),
        )


def _row_problems(
    row: UnitRow, kind: str | None, parent_code: str | None, ctx: _FileContext
) -> list[str]:
    """What is wrong with *row* on its own or against the rest of the file."""
    problems: list[str] = []
    if not row.code:
        problems.append(_("thiếu mã đơn vị (cột code)"))
    elif row.code in ctx.seen_codes:
        problems.append(
            _("mã đơn vị %(code)s trùng với dòng %(other)d")
            % {"code": row.code, "other": ctx.seen_codes[row.code]}
        )
    if not row.name:
        problems.append(_("thiếu tên đơn vị (cột name)"))
    if not row.kind:
        problems.append(_("thiếu loại đơn vị (cột kind)"))
    elif kind is None:
        problems.append(
            _("loại đơn vị “%(kind)s” không hợp lệ (dùng một trong: %(known)s)")
            % {"kind": row.kind, "known": ", ".join(UnitKind.values)}
        )
    if row.agency_code and row.agency_code in ctx.seen_agency_codes:
        problems.append(
            _("mã định danh %(code)s trùng với dòng %(other)d")
            % {"code": row.agency_code, "other": ctx.seen_agency_codes[row.agency_code]}
        )
    if parent_code and parent_code == row.code:
        problems.append(_("đơn vị không thể là cấp trên của chính nó"))
    elif parent_code and parent_code not in ctx.codes_in_file | ctx.known_parents:
        problems.append(
            _("không có đơn vị cấp trên mã %s (trong tệp hay trong hệ thống)") % parent_code
        )
    elif not parent_code and row.code not in ctx.existing and kind not in (None, UnitKind.PROVINCE):
        problems.append(_("thiếu mã đơn vị cấp trên (cột parent_code hoặc --parent-code)"))
    if row.valid_from:
        try:
            _parse_date(row.valid_from)
        except ValueError:
            problems.append(
                _("ngày hiệu lực “%s” không đúng dạng YYYY-MM-DD hoặc DD/MM/YYYY") % row.valid_from
            )
    if row.code:
        ctx.seen_codes.setdefault(row.code, row.line)
    if row.agency_code:
        ctx.seen_agency_codes.setdefault(row.agency_code, row.line)
    return problems


def _row_fields(row: UnitRow, kind: str | None, unit: Unit | None) -> dict[str, Any]:
    """The unit fields *row* sets: all of them for a new unit, the non-empty ones otherwise."""
    fields: dict[str, Any] = {"kind": kind, "name": row.name}
    optional = {
        "short_name": row.short_name,
        "agency_code": row.agency_code,
        "valid_from": _parse_date(row.valid_from) if row.valid_from else None,
    }
    fields.update({k: v for k, v in optional.items() if v or unit is None})
    if unit is None:
        fields["code"] = row.code
    return fields


def _plan(rows: list[UnitRow], default_parent_code: str | None) -> list[_Planned]:
    """Check every row; return the work to do, or raise ``ValidationError`` listing each problem."""
    errors: list[tuple[int, str]] = []
    if default_parent_code and not Unit.objects.filter(code=default_parent_code).exists():
        errors.append(
            (0, _("Không có đơn vị cấp trên mã %s (tham số --parent-code).") % default_parent_code)
        )
    if not rows:
        errors.append((0, _("Tệp không có dòng đơn vị nào.")))
    ctx = _FileContext.build(rows, default_parent_code)
    planned: list[_Planned] = []
    for row in rows:
        kind = resolve_kind(row.kind) if row.kind else None
        parent_code = row.parent_code or default_parent_code or None
        unit = ctx.existing.get(row.code)
        problems = _row_problems(row, kind, parent_code, ctx)
        if not problems:
            try:
                fields = clean_unit_fields(
                    _row_fields(row, kind, unit), exclude_pk=unit.pk if unit else None
                )
            except ValidationError as exc:
                problems = [m.rstrip(".") for m in exc.messages]
        if problems:
            errors.extend((row.line, p) for p in problems)
            continue
        changes: dict[str, Any] = {}
        move = False
        if unit is not None:
            changes = {k: v for k, v in fields.items() if getattr(unit, k) != v}
            move = bool(parent_code) and ctx.current_parent_code.get(unit.pk) != parent_code
        planned.append(_Planned(row, fields, parent_code, unit, changes, move))
    ordered = _creation_order(planned, errors)
    if errors:
        raise ValidationError(
            [
                message
                if line == 0
                else _("Dòng %(line)d: %(problem)s.") % {"line": line, "problem": message}
                for line, message in sorted(errors, key=lambda e: e[0])
            ]
        )
    return ordered


def _current_parent_codes(units: Iterable[Unit]) -> dict[int, str | None]:
    """For each unit, the code of its parent (``None`` for roots), in one query."""
    unit_list = list(units)
    parent_paths = {u.path[: -Unit.steplen] for u in unit_list if u.depth > 1}
    code_by_path = dict(Unit.objects.filter(path__in=parent_paths).values_list("path", "code"))
    return {u.pk: code_by_path.get(u.path[: -Unit.steplen]) for u in unit_list}


# --- writing -----------------------------------------------------------------------------------


@transaction.atomic
def units_import(
    *,
    rows: list[UnitRow],
    parent_code: str | None = None,
    dry_run: bool = False,
    by: Any,
) -> ImportResult:
    """Create or update the units of *rows*; nothing is written unless every row is valid.

    *parent_code* is the parent of rows whose own ``parent_code`` is empty. With *dry_run*,
    only validate and report what would change. Each unit written gets its own audit row.
    """
    plan = _plan(rows, clean_text(parent_code) if parent_code else None)
    result = ImportResult(dry_run=dry_run)
    for item in plan:
        if item.existing is None:
            result.created.append(item.row.code)
        elif item.changes or item.move:
            result.updated.append(item.row.code)
        else:
            result.unchanged.append(item.row.code)
    if dry_run:
        return result
    for item in plan:
        parent = Unit.objects.get(code=item.parent_code) if item.parent_code else None
        if item.existing is None:
            unit_create(parent=parent, **item.fields, by=by)
            continue
        if item.changes:
            unit_update(unit=item.existing, **item.changes, by=by)
        if item.move:
            unit_move(unit=item.existing, parent=parent, by=by)
    return result
