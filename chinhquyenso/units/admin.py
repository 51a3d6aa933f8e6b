"""Admin pages for the unit tree; every save goes through :mod:`chinhquyenso.units.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.admin_services import ServiceForm, ServiceModelAdmin
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.selectors import active_on_filter, unit_search
from chinhquyenso.units.services import (
    UPDATABLE_FIELDS,
    check_unit_end,
    check_unit_move,
    clean_unit_fields,
    unit_create,
    unit_dissolve,
    unit_move,
    unit_update,
)


def tree_label(unit: Unit) -> str:
    """The unit's name indented by its depth, so a flat list reads as a tree."""
    return "— " * (unit.depth - 1) + unit.name


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return tree_label(obj)


def _units() -> QuerySet[Unit]:
    return Unit.objects.order_by("path")


class UnitAddForm(ServiceForm):
    model = Unit
    instance: Unit

    parent = UnitChoiceField(
        queryset=_units(),
        required=False,
        label=_("Đơn vị cấp trên"),
        help_text=_("Để trống nếu là đơn vị gốc (tỉnh)."),
    )
    kind = forms.ChoiceField(label=_("Loại đơn vị"), choices=UnitKind.choices)
    name = forms.CharField(label=_("Tên"), max_length=255)
    short_name = forms.CharField(
        label=_("Tên viết tắt"),
        max_length=30,
        required=False,
        help_text=_("Dùng trong ký hiệu văn bản, ví dụ UBND, SNV."),
    )
    code = forms.CharField(label=_("Mã đơn vị hành chính"), max_length=20, required=False)
    agency_code = forms.CharField(
        label=_("Mã định danh điện tử"),
        max_length=30,
        required=False,
        help_text=_("Mã định danh điện tử cơ quan (QCVN 102:2016), dùng trong mã hồ sơ."),
    )
    valid_from = forms.DateField(label=_("Hiệu lực từ"), required=False)

    def initial_from(self, instance: Any) -> dict[str, Any]:
        initial = {key: getattr(instance, key) for key in UPDATABLE_FIELDS}
        initial["parent"] = instance.get_parent()
        initial["valid_to"] = instance.valid_to
        initial["successor"] = instance.successor
        return initial

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        unit = self.instance if self.instance.pk else None
        try:
            data.update(
                clean_unit_fields(
                    {key: data.get(key) for key in UPDATABLE_FIELDS},
                    exclude_pk=unit.pk if unit else None,
                )
            )
            if unit is not None:
                check_unit_move(unit, data.get("parent"))
        except ValidationError as exc:
            self.add_error(None, exc)
        return data


class UnitChangeForm(UnitAddForm):
    valid_to = forms.DateField(
        label=_("Hết hiệu lực"),
        required=False,
        help_text=_(
            "Ngày cuối cùng đơn vị còn hiệu lực. Điền để giải thể hoặc sáp nhập; "
            "đơn vị không bao giờ bị xóa."
        ),
    )
    successor = UnitChoiceField(queryset=_units(), required=False, label=_("Đơn vị kế thừa"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.valid_to is not None:
            self.fields["valid_to"].disabled = True
            self.fields["successor"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors or self.instance.valid_to is not None:
            return data
        if data.get("successor") and not data.get("valid_to"):
            self.add_error("valid_to", _("Cần ngày hết hiệu lực khi chọn đơn vị kế thừa."))
        elif data.get("valid_to"):
            try:
                check_unit_end(self.instance, data["valid_to"], data.get("successor"))
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


class ValidityFilter(admin.SimpleListFilter):
    title = _("hiệu lực")
    parameter_name = "hieu_luc"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("con", _("Đang hiệu lực")), ("het", _("Hết hiệu lực"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = timezone.localdate()
        if self.value() == "con":
            return queryset.filter(active_on_filter(today))
        if self.value() == "het":
            return queryset.exclude(active_on_filter(today))
        return queryset


@admin.register(Unit)
class UnitAdmin(ServiceModelAdmin):
    add_form = UnitAddForm
    change_form = UnitChangeForm
    list_display = [
        "tree_name",
        "kind",
        "code",
        "agency_code",
        "short_name",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["kind", ValidityFilter]
    search_fields = ["name"]  # shows the search box; the search itself is unit_search
    search_help_text = _("Tìm theo tên, tên viết tắt hoặc mã; không cần gõ dấu.")
    ordering = ["path"]
    list_per_page = 200
    fieldsets = [
        (None, {"fields": ["parent", "kind", "name", "short_name"]}),
        (_("Mã"), {"fields": ["code", "agency_code"]}),
        (_("Hiệu lực"), {"fields": ["valid_from"]}),
    ]
    change_fieldsets = [
        *fieldsets[:2],
        (_("Hiệu lực"), {"fields": ["valid_from", "valid_to", "successor"]}),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.change_fieldsets if obj is not None else self.fieldsets

    @admin.display(description=_("tên"), ordering="path")
    def tree_name(self, obj: Unit) -> str:
        return tree_label(obj)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        return unit_search(search_term, queryset=queryset), False

    def save_with_services(self, request: HttpRequest, data: dict[str, Any], obj: Any) -> Unit:
        fields = {key: data[key] for key in UPDATABLE_FIELDS}
        if obj is None:
            return unit_create(parent=data["parent"], **fields, by=request.user)
        unit = unit_update(unit=obj, **fields, by=request.user)
        parent = data["parent"]
        current = unit.get_parent()
        if (parent.pk if parent else None) != (current.pk if current else None):
            unit = unit_move(unit=unit, parent=parent, by=request.user)
        if unit.valid_to is None and data.get("valid_to"):
            unit = unit_dissolve(
                unit=unit,
                valid_to=data["valid_to"],
                successor=data.get("successor"),
                by=request.user,
            )
        return unit
