"""The e-form engine: a procedure's form (a JSON Schema) checked and rendered.

A procedure version's ``form_schema`` is a JSON Schema (draft 2020-12) of one flat object: each
property is a field the applicant types, with its ``title`` (the label), ``description`` (the
help text) and the usual constraints. What the engine understands:

* ``type``: ``string``, ``integer``, ``number``, ``boolean``;
* ``string``: ``minLength``, ``maxLength``, ``pattern`` (with the message shown when it does not
  match in ``x-message``), ``format`` ``date`` (``YYYY-MM-DD``) or ``email``, and ``enum`` (or
  ``oneOf`` of ``{"const": ..., "title": ...}`` for choices with labels);
* ``integer``/``number``: ``minimum``, ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``;
* ``boolean``: a check box; ``"const": true`` when it must be ticked (a commitment);
* ``x-messages``: ``{"<keyword>": "<message>"}`` to replace the standard message of a keyword;
  ``x-widget``: ``"textarea"`` for a long text.

:func:`validate_form_data` checks submitted data (JSON, as the API receives and the dossier
stores it) and answers, per field, the problems in Vietnamese, naming the field by its title.
:func:`schema_to_form` builds the Django form the citizen pages render with the portal's field
include; its validation runs :func:`validate_form_data`, so the page and the API say the same.
:func:`schema_problems` checks a schema itself before it is stored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

FIELD_TYPES = ("string", "integer", "number", "boolean")
FORMATS = ("date", "email")
#: Where problems that concern no single field go (as in Django forms).
FORM_ERRORS = NON_FIELD_ERRORS
#: Longest text kept on one line; longer ``maxLength`` fields are text areas.
SINGLE_LINE_MAX = 255
#: Dates typed the Vietnamese way, or sent by a browser's date picker (ISO).
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
#: A pattern that only lets digits through: ``^[0-9]{12}$``, ``^0\d{9}$``.
_DIGITS_ONLY = re.compile(r"\^?(?:[0-9]|\\d|\[0-9\]|\{\d+(?:,\d*)?\}|[+*?])+\$?")

_format_checker = FormatChecker(formats=["date"])


@_format_checker.checks("email", raises=ValidationError)
def _is_email(value: object) -> bool:
    if isinstance(value, str):
        validate_email(value)
    return True


# --- the schema --------------------------------------------------------------------------------


#: Key of the list that keeps the order of the fields: PostgreSQL's ``jsonb`` stores object keys
#: in its own order, so the order the form was written in is kept as an array beside them.
ORDER_KEY = "x-order"


def with_field_order(schema: Mapping[str, Any]) -> dict[str, Any]:
    """*schema* with ``x-order`` listing its fields in their written order (kept if present)."""
    ordered = dict(schema)
    properties = schema.get("properties")
    if isinstance(properties, Mapping) and not isinstance(schema.get(ORDER_KEY), list):
        ordered[ORDER_KEY] = [str(name) for name in properties]
    return ordered


def _properties(schema: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields of *schema* in the order of ``x-order`` (then any field it does not list)."""
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return {}
    order = schema.get(ORDER_KEY)
    names = [n for n in order if n in properties] if isinstance(order, list) else []
    names += [n for n in properties if n not in names]
    return {name: properties[name] for name in names}


def ordered_fields(schema: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields of an e-form, in the order the applicant fills them."""
    return _properties(schema)


def _required(schema: Mapping[str, Any]) -> list[str]:
    required = schema.get("required")
    return [str(name) for name in required] if isinstance(required, list) else []


def field_title(schema: Mapping[str, Any], name: str) -> str:
    """The label of field *name*: its ``title``, or its key when it has none."""
    spec = _properties(schema).get(name)
    title = spec.get("title") if isinstance(spec, Mapping) else None
    return str(title) if title else name


def field_choices(spec: Mapping[str, Any]) -> list[tuple[Any, str]]:
    """``(value, label)`` of a choice field (``enum`` or ``oneOf`` of ``const``); else empty."""
    if isinstance(spec.get("enum"), list):
        return [(value, str(value)) for value in spec["enum"]]
    options = spec.get("oneOf")
    if (
        isinstance(options, list)
        and options
        and all(isinstance(o, Mapping) and "const" in o for o in options)
    ):
        return [(o["const"], str(o.get("title") or o["const"])) for o in options]
    return []


def schema_problems(schema: Any) -> list[str]:
    """What is wrong with *schema* as an e-form, in Vietnamese; empty when it is usable.

    An empty schema (``{}``) is a procedure without e-form, which is allowed.
    """
    if schema in ({}, None):
        return []
    if not isinstance(schema, Mapping):
        return [_("Biểu mẫu điện tử phải là một đối tượng JSON Schema.")]
    problems: list[str] = []
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(gốc)"
        problems.append(
            _("Biểu mẫu điện tử không phải JSON Schema hợp lệ tại %(where)s: %(error)s")
            % {"where": where, "error": exc.message}
        )
        return problems
    if schema.get("type") != "object":
        problems.append(_('Biểu mẫu điện tử phải có "type": "object".'))
    properties = _properties(schema)
    if not properties:
        problems.append(_('Biểu mẫu điện tử phải có ít nhất một trường ("properties").'))
    for name, spec in properties.items():
        if not _KEY.match(name):
            problems.append(
                _("Tên trường “%s” chỉ được gồm chữ không dấu, số và dấu gạch dưới.") % name
            )
        if not isinstance(spec, Mapping):
            continue
        kind = spec.get("type")
        if kind not in FIELD_TYPES and not field_choices(spec):
            problems.append(
                _("Trường “%(name)s”: kiểu phải là một trong %(types)s.")
                % {"name": name, "types": ", ".join(FIELD_TYPES)}
            )
        if not spec.get("title"):
            problems.append(_('Trường “%s” cần có nhãn ("title").') % name)
        if "format" in spec and spec["format"] not in FORMATS:
            problems.append(
                _("Trường “%(name)s”: định dạng “%(format)s” không được hỗ trợ (dùng %(known)s).")
                % {"name": name, "format": spec["format"], "known": ", ".join(FORMATS)}
            )
    for name in _required(schema):
        if name not in properties:
            problems.append(_('Trường bắt buộc “%s” không có trong "properties".') % name)
    return problems


# --- validating data ---------------------------------------------------------------------------

_TYPE_LABELS = {
    "string": gettext_lazy("chuỗi ký tự"),
    "integer": gettext_lazy("số nguyên"),
    "number": gettext_lazy("số"),
    "boolean": gettext_lazy("có hoặc không"),
    "object": gettext_lazy("đối tượng"),
    "array": gettext_lazy("danh sách"),
}


def _type_label(kind: Any) -> str:
    kinds = kind if isinstance(kind, list) else [kind]
    return _(" hoặc ").join(str(_TYPE_LABELS.get(str(k), k)) for k in kinds)


def _number(value: Any) -> str:
    """A bound as people write it: 3, not 3.0; 2,5 for a decimal."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


def message_for(keyword: str, title: str, spec: Mapping[str, Any], value: Any = None) -> str:
    """The Vietnamese message for a failed *keyword* on the field titled *title*."""
    custom = spec.get("x-messages")
    if isinstance(custom, Mapping) and custom.get(keyword):
        return str(custom[keyword])
    args = {"title": title}
    if keyword == "required":
        return _("Cần nhập “%(title)s”.") % args
    if keyword == "type":
        return _("“%(title)s” phải là %(kind)s.") % {**args, "kind": _type_label(value)}
    if keyword == "minLength":
        return _("“%(title)s” phải có ít nhất %(n)s ký tự.") % {**args, "n": value}
    if keyword == "maxLength":
        return _("“%(title)s” không được dài quá %(n)s ký tự.") % {**args, "n": value}
    if keyword == "pattern":
        if spec.get("x-message"):
            return str(spec["x-message"])
        return _("“%(title)s” không đúng định dạng.") % args
    if keyword in ("enum", "oneOf"):
        labels = ", ".join(label for _value, label in field_choices(spec))
        if labels:
            return _("“%(title)s” phải là một trong: %(choices)s.") % {**args, "choices": labels}
        return _("“%(title)s” không nằm trong các giá trị cho phép.") % args
    if keyword == "const":
        if spec.get("type") == "boolean" and spec.get("const") is True:
            return _("Cần đánh dấu “%(title)s”.") % args
        return _("“%(title)s” không đúng giá trị yêu cầu.") % args
    if keyword == "format":
        if value == "date":
            return _("“%(title)s” phải là ngày hợp lệ, ví dụ 31/12/2026.") % args
        if value == "email":
            return _("“%(title)s” phải là địa chỉ thư điện tử hợp lệ.") % args
    bounds = {
        "minimum": _("“%(title)s” phải lớn hơn hoặc bằng %(n)s."),
        "maximum": _("“%(title)s” phải nhỏ hơn hoặc bằng %(n)s."),
        "exclusiveMinimum": _("“%(title)s” phải lớn hơn %(n)s."),
        "exclusiveMaximum": _("“%(title)s” phải nhỏ hơn %(n)s."),
    }
    if keyword in bounds:
        return bounds[keyword] % {**args, "n": _number(value)}
    return _("“%(title)s” không hợp lệ.") % args


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    messages = errors.setdefault(field, [])
    if message not in messages:
        messages.append(message)


def validate_form_data(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Check *data* against the e-form *schema*; return the problems per field (empty: valid).

    Keys are the fields' keys (``"__all__"`` for the form as a whole, e.g. a field that the form
    does not have); messages are Vietnamese and name the field by its title.
    """
    if not schema:
        return {}
    errors: dict[str, list[str]] = {}
    if not isinstance(data, Mapping):
        _add(errors, FORM_ERRORS, _("Nội dung tờ khai phải là một đối tượng JSON."))
        return errors
    properties = _properties(schema)
    validator = Draft202012Validator(schema, format_checker=_format_checker)
    for error in validator.iter_errors(dict(data)):
        path = [str(p) for p in error.absolute_path]
        keyword = str(error.validator)
        if keyword == "required" and not path:
            for name in error.validator_value:
                if name not in data:
                    spec = properties.get(name) or {}
                    _add(errors, name, message_for("required", field_title(schema, name), spec))
            continue
        if keyword == "additionalProperties" and not path:
            for name in sorted(set(data) - set(properties)):
                _add(errors, FORM_ERRORS, _("Tờ khai không có trường “%s”.") % name)
            continue
        if not path:
            _add(errors, FORM_ERRORS, _("Nội dung tờ khai không hợp lệ."))
            continue
        name = path[0]
        spec = properties.get(name) or {}
        title = field_title(schema, name)
        _add(errors, ".".join(path), message_for(keyword, title, spec, error.validator_value))
    return errors


# --- the Django form ---------------------------------------------------------------------------


class VietnameseDateInput(forms.DateInput):
    """A date typed as day/month/year: a plain text box works on every phone."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"inputmode": "numeric", "autocomplete": "off", "placeholder": "dd/mm/yyyy"}
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d/%m/%Y")


class EForm(forms.Form):
    """A form built from an e-form schema by :func:`schema_to_form`."""

    schema: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field, messages in validate_form_data(self.schema, self.form_data()).items():
            target = field.split(".")[0]
            if target in self.fields and target not in self.errors:
                self.add_error(target, messages)
            elif target not in self.fields:
                self.add_error(None, messages)
        return cleaned

    def form_data(self) -> dict[str, Any]:
        """The cleaned values as JSON, what the dossier stores (empty optional fields left out)."""
        data: dict[str, Any] = {}
        for name, value in getattr(self, "cleaned_data", {}).items():
            if name not in self.fields:
                continue
            if isinstance(value, dt.date):
                data[name] = value.isoformat()
            elif isinstance(value, Decimal):
                data[name] = int(value) if value == value.to_integral_value() else float(value)
            elif isinstance(value, bool) or value not in (None, ""):
                data[name] = value
        return data


def _text_attrs(spec: Mapping[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if isinstance(spec.get("maxLength"), int):
        attrs["maxlength"] = spec["maxLength"]
    pattern = str(spec.get("pattern") or "")
    # Digits-only fields (ID numbers, phone numbers) get the phone's number keypad.
    if pattern and _DIGITS_ONLY.fullmatch(pattern):
        attrs["inputmode"] = "numeric"
    if spec.get("x-autocomplete"):
        attrs["autocomplete"] = str(spec["x-autocomplete"])
    return attrs


def _form_field(name: str, spec: Mapping[str, Any], required: bool) -> forms.Field:
    title = str(spec.get("title") or name)
    common: dict[str, Any] = {
        "label": title,
        "help_text": str(spec.get("description") or ""),
        "required": required,
        "error_messages": {"required": message_for("required", title, spec)},
    }
    if "default" in spec:
        common["initial"] = spec["default"]
    choices = field_choices(spec)
    kind = spec.get("type")
    if choices:
        options = [(str(value), label) for value, label in choices]
        if kind in ("integer", "number"):
            coerce: Any = int if kind == "integer" else float
        else:
            coerce = str
        invalid = {"invalid_choice": message_for("enum", title, spec)}
        return forms.TypedChoiceField(
            choices=[("", _("— Chọn —")), *options],
            coerce=coerce,
            empty_value=None,
            **{**common, "error_messages": {**common["error_messages"], **invalid}},
        )
    if kind == "boolean":
        must_tick = spec.get("const") is True
        messages = {"required": message_for("const", title, spec)}
        return forms.BooleanField(
            **{**common, "required": must_tick, "error_messages": messages},
        )
    if kind in ("integer", "number"):
        invalid = {"invalid": message_for("type", title, spec, kind)}
        field_class: type[forms.Field] = (
            forms.IntegerField if kind == "integer" else forms.DecimalField
        )
        return field_class(
            widget=forms.TextInput(
                attrs={"inputmode": "numeric" if kind == "integer" else "decimal"}
            ),
            **{**common, "error_messages": {**common["error_messages"], **invalid}},
        )
    if spec.get("format") == "date":
        invalid = {"invalid": message_for("format", title, spec, "date")}
        return forms.DateField(
            input_formats=DATE_INPUT_FORMATS,
            widget=VietnameseDateInput(),
            **{**common, "error_messages": {**common["error_messages"], **invalid}},
        )
    if spec.get("format") == "email":
        invalid = {"invalid": message_for("format", title, spec, "email")}
        return forms.EmailField(
            widget=forms.EmailInput(attrs={"autocomplete": "email", **_text_attrs(spec)}),
            **{**common, "error_messages": {**common["error_messages"], **invalid}},
        )
    long_text = spec.get("x-widget") == "textarea" or (
        isinstance(spec.get("maxLength"), int) and spec["maxLength"] > SINGLE_LINE_MAX
    )
    widget: forms.Widget = (
        forms.Textarea(attrs={"rows": 4, **_text_attrs(spec)})
        if long_text
        else forms.TextInput(attrs=_text_attrs(spec))
    )
    # Lengths and patterns are checked by the schema (one message for page and API).
    return forms.CharField(widget=widget, strip=True, **common)


def _as_form_value(spec: Mapping[str, Any], value: Any) -> Any:
    """A stored JSON value as the form field shows it (dates as date objects)."""
    if spec.get("format") == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def schema_to_form(
    schema: Mapping[str, Any],
    data: Mapping[str, Any] | None = None,
    *,
    initial: Mapping[str, Any] | None = None,
    prefix: str | None = None,
    auto_id: str = "id_%s",
) -> EForm:
    """A Django form for the e-form *schema*, bound to *data* (a POST) when given.

    *initial* fills an unbound form from stored form data (JSON, as :meth:`EForm.form_data`
    returns it). Fields keep the schema's order; labels are titles, help texts descriptions.
    """
    properties = _properties(schema)
    required = set(_required(schema))
    fields = {
        name: _form_field(name, spec, name in required)
        for name, spec in properties.items()
        if isinstance(spec, Mapping)
    }
    form_class = type("EFormFromSchema", (EForm,), {**fields, "schema": dict(schema)})
    start = {
        name: _as_form_value(properties.get(name, {}), value)
        for name, value in (initial or {}).items()
        if name in properties
    }
    form = form_class(data, initial=start, prefix=prefix, auto_id=auto_id)
    assert isinstance(form, EForm)
    return form
