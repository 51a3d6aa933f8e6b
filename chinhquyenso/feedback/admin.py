"""Administration of feedback: categories and routing rules are edited here; reports are only
looked at (every change of a report goes through ``feedback.services``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chinhquyenso.feedback.models import Category, Report, RoutingRule
from chinhquyenso.feedback.services import (
    FeedbackError,
    clean_questions,
    config_delete,
    config_save,
)


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = [
            "parent",
            "code",
            "name",
            "description",
            "is_active",
            "sort_order",
            "questions",
            "is_confidential",
            "default_urgency",
            "urgent_answer_hours",
            "normal_answer_days",
            "complex_answer_days",
        ]
        help_texts = {
            "questions": _(
                'Danh sách JSON, ví dụ [{"key": "so_ho", "label": "Số hộ bị ảnh hưởng", '
                '"type": "number", "required": true}]. Loại: text, number, choice (kèm '
                '"choices": [...]), yes_no.'
            ),
        }

    def clean_questions(self) -> list[dict[str, Any]]:
        try:
            return clean_questions(self.cleaned_data.get("questions"))
        except FeedbackError as error:
            raise forms.ValidationError(error.messages) from error


class ChildCategoryInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    fields = ["code", "name", "is_active", "sort_order"]
    extra = 0
    show_change_link = True
    verbose_name = _("lĩnh vực con")
    verbose_name_plural = _("lĩnh vực con")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # children are added on their own page, where questions are set

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Saves and deletes through ``config_save`` / ``config_delete`` (audited)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        config_save(obj=obj, by=request.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        try:
            config_delete(obj=obj, by=request.user)
        except FeedbackError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    form = CategoryForm
    list_display = ["name", "parent", "code", "is_confidential", "default_urgency", "is_active"]
    list_filter = ["is_active", "is_confidential", "parent"]
    search_fields = ["name", "code"]
    search_help_text = _("Tìm theo tên hoặc mã.")
    inlines = [ChildCategoryInline]
    fieldsets = [
        (None, {"fields": ["parent", "code", "name", "description", "is_active", "sort_order"]}),
        (_("Câu hỏi thêm"), {"fields": ["questions"]}),
        (
            _("Xử lý"),
            {
                "fields": [
                    "is_confidential",
                    "default_urgency",
                    "urgent_answer_hours",
                    "normal_answer_days",
                    "complex_answer_days",
                ],
                "description": _("Để trống thời hạn để dùng mức chung của hệ thống."),
            },
        ),
    ]


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin):
    list_display = ["category", "area", "handling_unit", "priority"]
    list_filter = ["category"]
    autocomplete_fields = ["category"]
    raw_id_fields = ["area", "handling_unit"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: reports change only through the staff workspace (the services)."""

    list_display = [
        "tracking_code",
        "status",
        "category",
        "commune",
        "handling_unit",
        "urgency",
        "submitted_at",
        "answer_due_at",
        "is_published",
    ]
    list_filter = ["status", "urgency", "is_confidential", "is_published", "channel", "category"]
    search_fields = ["tracking_code"]
    search_help_text = _("Tìm theo mã phản ánh.")
    date_hierarchy = "submitted_at"
    list_select_related = ["category", "category__parent", "commune", "handling_unit"]
    exclude = ["search_text"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Report]:
        # The confidential track stays hidden from the official it is about, even here.
        return super().get_queryset(request).exclude(named_official_id=request.user.pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
