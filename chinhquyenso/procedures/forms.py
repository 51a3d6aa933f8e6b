"""Forms of the catalogue: the public search filters and the administrators' import form.

The search form only parses the query string: a value that does not parse is shown beside its
field and the page still answers with what the other filters allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.text import fold
from chinhquyenso.feedback.forms.public import FastSelect
from chinhquyenso.procedures.importing import FORMATS
from chinhquyenso.procedures.models import Field, OnlineLevel
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS, Unit

MAX_QUERY_WORDS = 10


@dataclass(frozen=True)
class SearchFilters:
    q: str = ""
    field: Field | None = None
    unit: Unit | None = None
    online_level: str = ""

    @property
    def any(self) -> bool:
        return bool(self.q or self.field or self.unit or self.online_level)


def unit_choices(units: list[Unit]) -> list[tuple[int, str]]:
    """Provincial agencies first, then communes, each alphabetical ignoring diacritics."""
    agencies = sorted((u for u in units if u.kind not in COMMUNE_LEVEL_KINDS), key=_by_name)
    communes = sorted((u for u in units if u.kind in COMMUNE_LEVEL_KINDS), key=_by_name)
    return [(u.pk, u.name) for u in (*agencies, *communes)]


def _by_name(unit: Unit) -> str:
    return fold(unit.name)


class ProcedureSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tên hoặc mã thủ tục"),
        required=False,
        max_length=200,
        help_text=_("Gõ tên hoặc mã thủ tục, có dấu hay không dấu đều được, ví dụ: khai sinh."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    linh_vuc = forms.ChoiceField(label=_("Lĩnh vực"), required=False, widget=FastSelect)
    don_vi = forms.TypedChoiceField(
        label=_("Nơi nộp hồ sơ"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Xã, phường nơi bạn ở hoặc cơ quan cấp tỉnh."),
        widget=FastSelect,
    )
    muc_do = forms.ChoiceField(label=_("Hình thức nộp"), required=False, widget=FastSelect)

    def __init__(
        self, data: Any = None, *, fields: list[Field], units: list[Unit], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self._fields = {f.code: f for f in fields}
        self._units = {u.pk: u for u in units}
        everything = ("", _("Tất cả"))
        self.fields["linh_vuc"].choices = [  # type: ignore[attr-defined]
            everything,
            *((f.code, f.name) for f in fields),
        ]
        self.fields["don_vi"].choices = [everything, *unit_choices(units)]  # type: ignore[attr-defined]
        self.fields["muc_do"].choices = [  # type: ignore[attr-defined]
            everything,
            (OnlineLevel.FULL, _("Nộp trực tuyến toàn trình")),
            (OnlineLevel.PARTIAL, _("Nộp trực tuyến một phần")),
            (OnlineLevel.NONE, _("Chỉ nộp trực tiếp")),
        ]

    def clean_q(self) -> str:
        value = self.cleaned_data.get("q") or ""
        if len(value.split()) > MAX_QUERY_WORDS:
            raise ValidationError(_("Hãy tìm với tối đa %d từ.") % MAX_QUERY_WORDS)
        return value

    def filters(self) -> SearchFilters:
        """The filters from the fields that parsed; a wrong field is left out, not fatal."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return SearchFilters(
            q=data.get("q") or "",
            field=self._fields.get(data.get("linh_vuc") or ""),
            unit=self._units.get(data.get("don_vi") or 0),
            online_level=data.get("muc_do") or "",
        )


class ProcedureImportForm(forms.Form):
    """The administrators' upload of a procedures file."""

    file = forms.FileField(
        label=_("Tệp danh mục thủ tục"),
        help_text=_("Tệp .json hoặc .csv, mã hóa UTF-8 (xem docs/procedures-import.md)."),
    )
    valid_from = forms.DateField(
        label=_("Ngày hiệu lực của nội dung mới"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text=_("Ngày/tháng/năm. Để trống: hôm nay."),
    )
    dry_run = forms.BooleanField(
        label=_("Chỉ kiểm tra, không ghi"),
        required=False,
        help_text=_("Báo những gì sẽ thay đổi mà chưa ghi gì."),
    )

    #: Largest file accepted: a province's whole catalogue is a few megabytes.
    MAX_SIZE = 10 * 1024 * 1024

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if self.file_format(upload.name) is None:
            raise ValidationError(_("Chỉ nhập được tệp .json hoặc .csv."))
        if upload.size > self.MAX_SIZE:
            raise ValidationError(_("Tệp lớn quá 10 MB."))
        return upload

    @staticmethod
    def file_format(name: str) -> str | None:
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        return suffix if suffix in FORMATS else None
