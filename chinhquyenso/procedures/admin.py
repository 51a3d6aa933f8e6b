"""Administration of the catalogue.

A version's rules are never edited in place (dossiers keep the version they were submitted
under), so versions and what they hold are shown read-only; new procedures and new versions come
from the import page, which writes through :func:`~chinhquyenso.procedures.services.
procedures_import` and only for system administrators. Fields and a procedure's field and
status are edited here, through the services too.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from chinhquyenso.accounts.models import Role
from chinhquyenso.accounts.permissions import has_role
from chinhquyenso.core.admin_services import ServiceForm, ServiceModelAdmin
from chinhquyenso.core.search import search
from chinhquyenso.procedures.forms import ProcedureImportForm
from chinhquyenso.procedures.models import (
    Component,
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    Step,
)
from chinhquyenso.procedures.selectors import SEARCH_FIELDS
from chinhquyenso.procedures.services import (
    field_create,
    field_problems,
    field_rename,
    procedure_update,
    procedures_import,
)


def may_import(user: Any) -> bool:
    """Only system administrators (and superusers) import the catalogue."""
    return bool(getattr(user, "is_superuser", False) or has_role(user, Role.SYSTEM_ADMIN))


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- fields ------------------------------------------------------------------------------------


class FieldForm(ServiceForm):
    model = Field

    code = forms.SlugField(label=_("Mã"), max_length=50, help_text=_("Ví dụ: ho-tich."))
    name = forms.CharField(label=_("Tên lĩnh vực"), max_length=255)

    def initial_from(self, instance: Any) -> dict[str, Any]:
        return {"code": instance.code, "name": instance.name}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        problems = field_problems(data["code"], data["name"])
        if not self.instance.pk and Field.objects.filter(code=data["code"]).exists():
            problems.append(_("Lĩnh vực mã “%s” đã có.") % data["code"])
        for problem in problems:
            self.add_error(None, problem)
        return data


class FieldChangeForm(FieldForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].disabled = True


@admin.register(Field)
class FieldAdmin(ServiceModelAdmin):
    add_form = FieldForm
    change_form = FieldChangeForm
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    fields = ["code", "name"]

    def save_with_services(self, request: HttpRequest, data: dict[str, Any], obj: Any) -> Field:
        if obj is None:
            return field_create(code=data["code"], name=data["name"], by=request.user)
        return field_rename(field=obj, name=data["name"], by=request.user)


# --- procedures --------------------------------------------------------------------------------


class VersionInline(ReadOnlyInline):
    model = ProcedureVersion
    fields = readonly_fields = (
        "number",
        "valid_from",
        "valid_to",
        "online_level",
        "processing_days",
    )
    show_change_link = True
    ordering = ["-number"]


class ProcedureChangeForm(ServiceForm):
    model = Procedure

    field = forms.ModelChoiceField(queryset=Field.objects.all(), label=_("Lĩnh vực"))
    is_active = forms.BooleanField(
        label=_("Đang áp dụng"),
        required=False,
        help_text=_("Bỏ chọn để thôi công bố thủ tục; hồ sơ đã nộp không bị ảnh hưởng."),
    )

    def initial_from(self, instance: Any) -> dict[str, Any]:
        return {"field": instance.field, "is_active": instance.is_active}


@admin.register(Procedure)
class ProcedureAdmin(ServiceModelAdmin):
    add_form = ProcedureChangeForm
    change_form = ProcedureChangeForm
    change_list_template = "admin/procedures/procedure/change_list.html"
    list_display = ["code", "name", "field", "is_active"]
    list_filter = ["is_active", "field"]
    list_select_related = ["field"]
    search_fields = ["name"]  # shows the search box; the search itself ignores diacritics
    search_help_text = _("Tìm theo mã, tên hoặc lĩnh vực; không cần gõ dấu.")
    readonly_fields = ["code", "name"]
    fields = ["code", "name", "field", "is_active"]
    inlines = [VersionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # procedures come from the import page, with their first version

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        return search(queryset, search_term, SEARCH_FIELDS), False

    def save_with_services(self, request: HttpRequest, data: dict[str, Any], obj: Any) -> Procedure:
        return procedure_update(
            procedure=obj, field=data["field"], is_active=data["is_active"], by=request.user
        )

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        # The versions inline is read-only: only the form's own fields change here.
        return super().construct_change_message(request, form, [], add)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="procedures_procedure_import",
            )
        ]
        return own + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {**(extra_context or {}), "may_import": may_import(request.user)}
        return super().changelist_view(request, extra_context=extra)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a JSON or CSV file; every problem is listed and nothing is written then."""
        if not may_import(request.user):
            raise PermissionDenied
        form = ProcedureImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            report = procedures_import(
                source=upload.read(),
                fmt=form.file_format(upload.name) or "",
                by=request.user,
                valid_from=form.cleaned_data["valid_from"],
                dry_run=form.cleaned_data["dry_run"],
            )
            if report.ok and not report.dry_run:
                self.message_user(request, _("Đã nhập: %s") % report.summary(), messages.SUCCESS)
                return redirect(reverse("admin:procedures_procedure_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Nhập danh mục thủ tục"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/procedures/procedure/import.html", context)


# --- versions ----------------------------------------------------------------------------------


class FeeInline(ReadOnlyInline):
    model = Fee
    fields = readonly_fields = ("name", "amount", "exemption")


class ComponentInline(ReadOnlyInline):
    model = Component
    fields = readonly_fields = (
        "order",
        "code",
        "name",
        "form",
        "quantity",
        "is_required",
        "template",
        "note",
    )


class StepInline(ReadOnlyInline):
    model = Step
    fields = readonly_fields = ("order", "name", "actor", "role", "days")


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    """Read-only: a new version is made by importing the procedure with its new content."""

    list_display = ["procedure", "number", "name", "valid_from", "valid_to", "online_level"]
    list_filter = ["online_level", "procedure__field"]
    list_select_related = ["procedure"]
    search_fields = ["procedure__code"]
    search_help_text = _("Tìm theo mã thủ tục.")
    inlines = [FeeInline, ComponentInline, StepInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
