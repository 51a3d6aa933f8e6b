"""Administration of dossiers: read only. A dossier changes only through the officials' pages
and the API, which call ``dossiers.services`` (locking, history, audit, notices); here an
administrator looks things up and follows the link to the dossier's page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from chinhquyenso.dossiers.models import (
    AdditionalRequest,
    Apology,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierSequence,
    Feedback,
    Handover,
    Status,
)


class ReadOnlyMixin:
    """No adding, changing or deleting: the services are the only writers."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class FileInline(ReadOnlyInline):
    model = DossierFile
    fields = ["kind", "component", "original_name", "content_type", "size", "uploaded_at"]
    verbose_name_plural = _("tệp hồ sơ (tải về từ trang hồ sơ của cán bộ)")


class EventInline(ReadOnlyInline):
    model = DossierEvent
    fields = ["at", "action", "actor", "unit", "from_status", "to_status", "note"]


class HandoverInline(ReadOnlyInline):
    model = Handover
    fields = ["step", "unit", "handed_by", "handed_at", "due_at", "done_by", "done_at", "note"]


class RequestInline(ReadOnlyInline):
    model = AdditionalRequest
    fields = ["requested_at", "requested_by", "items", "note", "resolved_at"]


class ApologyInline(ReadOnlyInline):
    model = Apology
    fields = ["at", "by", "old_due_at", "new_due_at", "reason"]


@admin.register(Dossier)
class DossierAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "status",
        "channel",
        "applicant_name",
        "version",
        "receiving_unit",
        "current_unit",
        "due_at",
        "is_late",
    ]
    list_filter = ["status", "channel", "is_late", "paid_online"]
    search_fields = ["code", "applicant_name"]
    search_help_text = _("Tìm theo mã hồ sơ hoặc họ tên người nộp.")
    date_hierarchy = "created_at"
    list_select_related = ["version__procedure", "receiving_unit", "current_unit"]
    exclude = ["search_text", "submission_key"]
    readonly_fields = ["staff_page"]
    inlines = [FileInline, HandoverInline, RequestInline, ApologyInline, EventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Dossier]:
        return super().get_queryset(request).exclude(status=Status.DRAFT)

    @admin.display(description=_("trang hồ sơ"))
    def staff_page(self, obj: Dossier) -> SafeString | str:
        if not obj.code:
            return ""
        url = reverse("dossiers:staff_dossier", kwargs={"code": obj.code})
        return format_html('<a href="{}">{}</a>', url, _("Mở trang xử lý hồ sơ"))


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["dossier", "rating", "at"]
    list_filter = ["rating"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier"]


@admin.register(DossierSequence)
class DossierSequenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["agency_code", "day", "last_number"]
    search_fields = ["agency_code"]
    date_hierarchy = "day"
