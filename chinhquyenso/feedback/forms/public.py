"""Forms of the public pages: the filters of the published list and the period of the table.

They only parse the query string; a value that does not parse is shown as an error beside its
field and the page still answers with what the other filters allow.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from chinhquyenso.feedback.models import Status
from chinhquyenso.feedback.public import PUBLIC_STATUSES, FilterChoices, PublicFilters

#: Dates typed the Vietnamese way (31/12/2026), or sent by a browser's date picker (ISO).
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
DATE_ERROR = _("Ngày không hợp lệ. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 31/12/2026.")


class VietnameseDateField(forms.DateField):
    """A date typed as day/month/year, shown back the same way."""

    widget = forms.DateInput(
        format="%d/%m/%Y",
        attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "dd/mm/yyyy"},
    )

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Ngày/tháng/năm, ví dụ 31/12/2026."))
        super().__init__(error_messages={"invalid": DATE_ERROR}, **kwargs)


class FastSelect(forms.Select):
    """A select rendered in Python: Django's own renders one template per option, which is most
    of the page's time with the 130 communes of a province."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        values = value if isinstance(value, list | tuple) else [value]
        chosen = {str(v) for v in values if v is not None}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class PeriodForm(forms.Form):
    tu_ngay = VietnameseDateField(label=_("Từ ngày"))
    den_ngay = VietnameseDateField(label=_("Đến ngày"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("tu_ngay"), data.get("den_ngay")
        if start and end and start > end:
            self.add_error("den_ngay", _("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."))
        return data

    def period(self, default: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
        """The valid period typed in, each missing or wrong end replaced by the default."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        start = data.get("tu_ngay") or default[0]
        end = data.get("den_ngay") or default[1]
        return (start, end) if start <= end else default


class PublicReportFilterForm(PeriodForm):
    q = forms.CharField(
        label=_("Tìm theo nội dung"),
        required=False,
        max_length=200,
        help_text=_("Có thể gõ không dấu, ví dụ: duong hong."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    xa = forms.TypedChoiceField(
        label=_("Xã, phường"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    linh_vuc = forms.TypedChoiceField(
        label=_("Lĩnh vực"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    trang_thai = forms.ChoiceField(label=_("Trạng thái"), required=False, widget=FastSelect)
    field_order = ["q", "xa", "linh_vuc", "trang_thai", "tu_ngay", "den_ngay"]

    def __init__(self, data: Any = None, *, choices: FilterChoices, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        everything = ("", _("Tất cả"))
        self.fields["xa"].choices = [everything, *choices.communes]  # type: ignore[attr-defined]
        self.fields["linh_vuc"].choices = [  # type: ignore[attr-defined]
            everything,
            *((pk, "\u00a0\u00a0— " * level + name) for pk, name, level in choices.categories),
        ]
        labels = dict(Status.choices)
        self.fields["trang_thai"].choices = [  # type: ignore[attr-defined]
            everything,
            *((status.value, labels[status]) for status in PUBLIC_STATUSES),
        ]

    def filters(self) -> PublicFilters:
        """The filters from the fields that parsed; a wrong field is left out, not fatal."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return PublicFilters(
            commune_id=data.get("xa"),
            category_id=data.get("linh_vuc"),
            status=data.get("trang_thai") or "",
            date_from=data.get("tu_ngay"),
            date_to=data.get("den_ngay"),
            q=data.get("q") or "",
        )

    def clean_q(self) -> str:
        value = self.cleaned_data.get("q") or ""
        if len(value.split()) > 10:
            raise ValidationError(_("Hãy tìm với tối đa 10 từ."))
        return value
