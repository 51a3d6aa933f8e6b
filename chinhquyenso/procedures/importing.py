"""Reading a procedures file (JSON or CSV) into items; the rules are checked by the services.

Both formats are described in ``docs/procedures-import.md``. Every problem is reported with where
it is: ``Mục 3 (dòng 45, mã 1.001193)`` for the third item of a JSON file, starting on line 45;
``Dòng 7 (mã 2.000815)`` for a CSV row. Reading goes on after a problem, so one pass lists them
all.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from chinhquyenso.core.text import clean_text
from chinhquyenso.procedures import eforms
from chinhquyenso.procedures.selectors import (
    ComponentSpec,
    FeeSpec,
    StepSpec,
    VersionContent,
)
from chinhquyenso.units.models import Unit

FORMATS = ("json", "csv")
ITEM_KEYS = (
    "code",
    "name",
    "field",
    "online_level",
    "unit_kinds",
    "handling_unit",
    "processing_days",
    "result_type",
    "result_name",
    "legal_basis",
    "requirements",
    "counter_note",
    "source",
    "valid_from",
    "fees",
    "components",
    "steps",
    "form_schema",
)
FEE_KEYS = ("name", "amount", "exemption")
COMPONENT_KEYS = ("code", "name", "form", "quantity", "required", "note", "template")
STEP_KEYS = ("name", "actor", "role", "days")
#: CSV: the columns (one row per procedure); list cells separate items with ``|`` and the parts
#: of an item with ``::``.
CSV_COLUMNS = (
    "code",
    "name",
    "field_code",
    "field_name",
    "online_level",
    "unit_kinds",
    "handling_unit",
    "processing_days",
    "result_type",
    "result_name",
    "legal_basis",
    "requirements",
    "counter_note",
    "source",
    "valid_from",
    "fees",
    "components",
    "steps",
    "form_schema",
)
CSV_REQUIRED = ("code", "name", "field_code", "online_level", "unit_kinds", "processing_days")
ITEM_SEPARATOR = "|"
PART_SEPARATOR = "::"
_TRUE = {"1", "true", "có", "co", "x", "yes", "bắt buộc"}
_FALSE = {"0", "false", "không", "khong", "no", ""}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class ImportItem:
    """One procedure of a file, read and typed (its rules not yet checked)."""

    where: str
    code: str
    field_code: str
    field_name: str
    content: VersionContent
    valid_from: dt.date | None = None
    #: What could not be read (each message starts with ``where``); the item is not usable then.
    problems: tuple[str, ...] = ()


class _Reader:
    """Reads one item's raw mapping, collecting problems instead of stopping at the first."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[str] = []

    def fail(self, message: str) -> None:
        self.problems.append(f"{self.where}: {message}")

    def text(self, raw: Mapping[str, Any], key: str, label: str = "") -> str:
        value = raw.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(_("“%s” phải là chuỗi ký tự.") % (label or key))
            return ""
        return clean_text(str(value))

    def whole(self, raw: Mapping[str, Any], key: str, label: str, default: int = 0) -> int:
        value = raw.get(key, default)
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        self.fail(
            _("“%(label)s” phải là số nguyên, không phải “%(value)s”.")
            % {"label": label, "value": value}
        )
        return default

    def decimal(self, raw: Mapping[str, Any], key: str, label: str) -> Decimal:
        value = raw.get(key)
        try:
            if isinstance(value, bool) or value is None:
                raise InvalidOperation
            number = Decimal(str(value).strip().replace(",", "."))
            if not number.is_finite():
                raise InvalidOperation
            return number
        except InvalidOperation:
            self.fail(
                _("“%(label)s” phải là số, không phải “%(value)s”.")
                % {"label": label, "value": value}
            )
            return Decimal(0)

    def flag(self, raw: Mapping[str, Any], key: str, label: str, default: bool) -> bool:
        value = raw.get(key, default)
        if isinstance(value, bool):
            return value
        text = clean_text(str(value)).lower() if value is not None else ""
        if text in _TRUE:
            return True
        if text in _FALSE:
            return default if value is None else False
        self.fail(
            _("“%(label)s” phải là có hoặc không, không phải “%(value)s”.")
            % {"label": label, "value": value}
        )
        return default

    def mappings(
        self, raw: Mapping[str, Any], key: str, label: str, keys: tuple[str, ...]
    ) -> list[Mapping[str, Any]]:
        value = raw.get(key) or []
        if not isinstance(value, list):
            self.fail(_("“%s” phải là một danh sách.") % label)
            return []
        good = []
        for number, entry in enumerate(value, start=1):
            if not isinstance(entry, Mapping):
                self.fail(
                    _("%(label)s %(number)d phải là một đối tượng {…}.")
                    % {"label": label, "number": number}
                )
                continue
            unknown = sorted(set(entry) - set(keys))
            if unknown:
                self.fail(
                    _("%(label)s %(number)d: khóa không biết: %(keys)s (dùng: %(known)s).")
                    % {
                        "label": label,
                        "number": number,
                        "keys": ", ".join(unknown),
                        "known": ", ".join(keys),
                    }
                )
            good.append(entry)
        return good

    def day(self, raw: Mapping[str, Any], key: str) -> dt.date | None:
        text = self.text(raw, key)
        if not text:
            return None
        parsed = parse_date(text)
        if parsed is None:
            self.fail(_("Ngày hiệu lực “%s” không hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY).") % text)
        return parsed


def parse_date(text: str) -> dt.date | None:
    """A date written ``YYYY-MM-DD`` or ``DD/MM/YYYY``; ``None`` if it is neither."""
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def find_handling_unit(reference: str) -> tuple[Unit | None, str | None]:
    """The unit named by its agency code, its unit code or its exact name; or a problem."""
    units = Unit.objects.filter(Q(agency_code=reference) | Q(code=reference))
    found = list(units[:2]) or list(Unit.objects.filter(name=reference)[:2])
    if len(found) == 1:
        return found[0], None
    if not found:
        return None, _("không tìm thấy cơ quan giải quyết “%s” (mã định danh, mã hoặc tên).") % (
            reference
        )
    return None, _("có nhiều đơn vị tên “%s”; hãy dùng mã định danh điện tử.") % reference


def _item(raw: Mapping[str, Any], where: str) -> ImportItem:
    code = clean_text(str(raw.get("code") or ""))
    reader = _Reader(where)
    unknown = sorted(set(raw) - set(ITEM_KEYS))
    if unknown:
        reader.fail(
            _("khóa không biết: %(keys)s (dùng: %(known)s).")
            % {"keys": ", ".join(unknown), "known": ", ".join(ITEM_KEYS)}
        )
    if not code:
        reader.fail(_("thiếu mã thủ tục (code)."))
    field_code, field_name = "", ""
    field_value = raw.get("field")
    if isinstance(field_value, Mapping):
        field_code = reader.text(field_value, "code", "field.code")
        field_name = reader.text(field_value, "name", "field.name")
    elif isinstance(field_value, str):
        field_code = clean_text(field_value)
    if not field_code:
        reader.fail(_('thiếu lĩnh vực (field: {"code": …, "name": …}).'))

    kinds_value = raw.get("unit_kinds") or []
    if isinstance(kinds_value, str):
        kinds_value = [k for k in kinds_value.split(ITEM_SEPARATOR) if k.strip()]
    if not isinstance(kinds_value, list) or not all(isinstance(k, str) for k in kinds_value):
        reader.fail(_("“unit_kinds” phải là danh sách loại đơn vị."))
        kinds_value = []
    legal = raw.get("legal_basis") or ""
    if isinstance(legal, list) and all(isinstance(line, str) for line in legal):
        legal = "\n".join(clean_text(line) for line in legal if line.strip())
    elif not isinstance(legal, str):
        reader.fail(_("“legal_basis” phải là chuỗi hoặc danh sách chuỗi."))
        legal = ""
    schema = raw.get("form_schema") or {}
    if not isinstance(schema, Mapping):
        reader.fail(_("“form_schema” phải là một đối tượng JSON Schema."))
        schema = {}

    handling_unit = None
    handling_ref = reader.text(raw, "handling_unit")
    if handling_ref:
        handling_unit, problem = find_handling_unit(handling_ref)
        if problem:
            reader.fail(problem)

    fees = tuple(
        FeeSpec(
            name=reader.text(fee, "name"),
            amount=reader.whole(fee, "amount", _("mức thu")),
            exemption=reader.text(fee, "exemption"),
        )
        for fee in reader.mappings(raw, "fees", _("Phí, lệ phí"), FEE_KEYS)
    )
    components = tuple(
        ComponentSpec(
            code=reader.text(c, "code"),
            name=reader.text(c, "name"),
            form=reader.text(c, "form") or "copy",
            quantity=reader.whole(c, "quantity", _("số lượng"), default=1),
            is_required=reader.flag(c, "required", _("bắt buộc"), default=True),
            note=reader.text(c, "note"),
            template=reader.text(c, "template"),
        )
        for c in reader.mappings(raw, "components", _("Thành phần hồ sơ"), COMPONENT_KEYS)
    )
    steps = tuple(
        StepSpec(
            name=reader.text(s, "name"),
            actor=reader.text(s, "actor"),
            role=reader.text(s, "role"),
            days=reader.decimal(s, "days", _("số ngày")),
        )
        for s in reader.mappings(raw, "steps", _("Bước xử lý"), STEP_KEYS)
    )
    content = VersionContent(
        name=reader.text(raw, "name"),
        online_level=reader.text(raw, "online_level"),
        processing_days=reader.whole(raw, "processing_days", _("thời hạn giải quyết")),
        result_type=reader.text(raw, "result_type") or "paper",
        unit_kinds=tuple(clean_text(k) for k in kinds_value),
        handling_unit=handling_unit,
        result_name=reader.text(raw, "result_name"),
        legal_basis=legal,
        requirements=reader.text(raw, "requirements"),
        counter_note=reader.text(raw, "counter_note"),
        form_schema=eforms.with_field_order(schema),
        source=reader.text(raw, "source"),
        fees=fees,
        components=components,
        steps=steps,
    )
    valid_from = reader.day(raw, "valid_from")
    return ImportItem(
        where=where,
        code=code,
        field_code=field_code,
        field_name=field_name,
        content=content,
        valid_from=valid_from,
        problems=tuple(reader.problems),
    )


# --- JSON ------------------------------------------------------------------------------------


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _item_lines(text: str) -> list[int]:
    """The line each item of the procedures list starts on (the file already parsed)."""
    decoder = json.JSONDecoder()
    pos = _skip_space(text, 0)
    if text.startswith("{", pos):
        pos = _skip_space(text, pos + 1)
        while not text.startswith("}", pos):
            key, pos = decoder.raw_decode(text, pos)
            pos = _skip_space(text, _skip_space(text, pos) + 1)  # past the colon
            if key == "procedures":
                break
            pos = _skip_space(text, decoder.raw_decode(text, pos)[1])
            if text.startswith(",", pos):
                pos = _skip_space(text, pos + 1)
    lines = []
    pos = _skip_space(text, pos + 1)  # past the "["
    while pos < len(text) and not text.startswith("]", pos):
        lines.append(text.count("\n", 0, pos) + 1)
        pos = _skip_space(text, decoder.raw_decode(text, pos)[1])
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)
    return lines


def read_json(text: str) -> tuple[list[ImportItem], list[str]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [
            _("Dòng %(line)d, cột %(col)d: JSON không hợp lệ (%(msg)s).")
            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
        ]
    entries = document
    if isinstance(document, Mapping):
        entries = document.get("procedures")
    if not isinstance(entries, list):
        return [], [_("Tệp JSON phải là một danh sách thủ tục, hoặc có khóa “procedures”.")]
    lines = _item_lines(text)
    items, problems = [], []
    for index, (entry, line) in enumerate(zip(entries, lines, strict=True), start=1):
        place = {"index": index, "line": line}
        if not isinstance(entry, Mapping):
            where = _("Mục %(index)d (dòng %(line)d)") % place
            problems.append(_("%s: mỗi thủ tục phải là một đối tượng {…}.") % where)
            continue
        code = clean_text(str(entry.get("code") or ""))
        if code:
            where = _("Mục %(index)d (dòng %(line)d, mã %(code)s)") % {**place, "code": code}
        else:
            where = _("Mục %(index)d (dòng %(line)d)") % place
        items.append(_item(entry, where))
    return items, problems


# --- CSV -------------------------------------------------------------------------------------


def _parts(cell: str) -> list[list[str]]:
    return [
        [part.strip() for part in entry.split(PART_SEPARATOR)]
        for entry in cell.split(ITEM_SEPARATOR)
        if entry.strip()
    ]


def _csv_mapping(row: dict[str, str], where: str, problems: list[str]) -> dict[str, Any]:
    """A CSV row in the shape of a JSON item."""
    raw: dict[str, Any] = {
        key: row[key]
        for key in (
            "code",
            "name",
            "online_level",
            "unit_kinds",
            "handling_unit",
            "processing_days",
            "result_type",
            "result_name",
            "requirements",
            "counter_note",
            "source",
            "valid_from",
        )
        if row.get(key)
    }
    raw["field"] = {"code": row.get("field_code", ""), "name": row.get("field_name", "")}
    if row.get("legal_basis"):
        raw["legal_basis"] = [line for line in row["legal_basis"].split(ITEM_SEPARATOR)]
    shapes = (("fees", FEE_KEYS, 2), ("components", COMPONENT_KEYS, 2), ("steps", STEP_KEYS, 4))
    for column, keys, least in shapes:
        entries = []
        for number, parts in enumerate(_parts(row.get(column, "")), start=1):
            if not least <= len(parts) <= len(keys):
                problems.append(
                    _(
                        "%(where)s: cột %(column)s, mục %(number)d: cần %(least)d đến %(most)d "
                        "phần cách nhau bởi “%(sep)s” (%(keys)s)."
                    )
                    % {
                        "where": where,
                        "column": column,
                        "number": number,
                        "least": least,
                        "most": len(keys),
                        "sep": PART_SEPARATOR,
                        "keys": PART_SEPARATOR.join(keys),
                    }
                )
                continue
            entries.append(dict(zip(keys, parts, strict=False)))
        raw[column] = entries
    if row.get("form_schema"):
        try:
            raw["form_schema"] = json.loads(row["form_schema"])
        except json.JSONDecodeError as exc:
            problems.append(
                _("%(where)s: cột form_schema không phải JSON hợp lệ (%(msg)s).")
                % {"where": where, "msg": exc.msg}
            )
    return raw


def read_csv(text: str) -> tuple[list[ImportItem], list[str]]:
    lines = text.splitlines(keepends=True)
    if not lines:
        return [], [_("Tệp CSV trống.")]
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(lines, delimiter=delimiter)
    header = [clean_text(h).lower() for h in next(reader)]
    missing = [c for c in CSV_REQUIRED if c not in header]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("thiếu cột %s") % ", ".join(missing))
        if unknown:
            parts.append(_("cột không biết: %s") % ", ".join(unknown))
        return [], [
            _("Dòng 1 (tiêu đề): %(problems)s. Các cột dùng được: %(known)s.")
            % {"problems": "; ".join(parts), "known": ", ".join(CSV_COLUMNS)}
        ]
    items, problems = [], []
    start = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                where = _("Dòng %d") % start
                if len(cells) > len(header):
                    problems.append(
                        _("%(where)s: có %(cells)d ô, nhiều hơn %(columns)d cột của tiêu đề.")
                        % {"where": where, "cells": len(cells), "columns": len(header)}
                    )
                row = dict(zip(header, cells, strict=False))
                code = clean_text(row.get("code", ""))
                located = _("Dòng %(line)d (mã %(code)s)") % {"line": start, "code": code}
                where = located if code else where
                row_problems: list[str] = []
                item = _item(_csv_mapping(row, where, row_problems), where)
                items.append(replace(item, problems=(*row_problems, *item.problems)))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(
            _("Dòng %(line)d: CSV không đọc được (%(error)s).")
            % {"line": reader.line_num, "error": exc}
        )
    return items, problems


# --- either ----------------------------------------------------------------------------------


def read_items(source: str | bytes, fmt: str) -> tuple[list[ImportItem], list[str]]:
    """The items of a JSON or CSV text, and the problems of the file as a whole (each item
    carries its own). A code repeated in one file is a problem of each repetition."""
    if fmt not in FORMATS:
        return [], [_("Định dạng “%s” không hỗ trợ; dùng json hoặc csv.") % fmt]
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], [_("Tệp không đọc được: cần mã hóa UTF-8.")]
    source = source.removeprefix("\ufeff")
    if not source.strip():
        return [], [_("Tệp trống.")]
    items, problems = read_json(source) if fmt == "json" else read_csv(source)
    seen: dict[str, str] = {}
    checked = []
    for item in items:
        if item.code and item.code in seen:
            repeated = _("%(where)s: mã %(code)s đã có ở %(first)s.") % {
                "where": item.where,
                "code": item.code,
                "first": seen[item.code],
            }
            item = replace(item, problems=(*item.problems, repeated))
        seen.setdefault(item.code, item.where)
        checked.append(item)
    return checked, problems
