"""Administration of documents: the table of document types is edited here (through the
services, audited); registers, documents and deliveries are only looked at (every change goes
through ``documents.services``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chinhquyenso.documents.errors import DocumentError
from chinhquyenso.documents.models import Delivery, Document, DocumentType, Register
from chinhquyenso.documents.services import document_type_save


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "code", "sort_order"]
    search_fields = ["name", "code", "abbreviation"]
    search_help_text = _("Tìm theo tên, mã hoặc chữ viết tắt.")
    ordering = ["sort_order", "name"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            document_type_save(document_type=obj, by=request.user)
        except DocumentError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # documents keep pointing at their type


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Register)
class RegisterAdmin(ReadOnlyAdmin):
    list_display = ["name", "unit", "direction", "series", "is_active"]
    list_filter = ["direction", "series"]
    search_fields = ["unit__name", "name"]
    list_select_related = ["unit"]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """Read-only; secret documents are not listed here at all."""

    list_display = [
        "__str__",
        "direction",
        "status",
        "unit",
        "document_type",
        "arrival_number",
        "year",
        "created_at",
    ]
    list_filter = ["direction", "status", "urgency", "document_type"]
    search_fields = ["notation", "subject"]
    search_help_text = _("Tìm theo ký hiệu hoặc trích yếu.")
    date_hierarchy = "created_at"
    list_select_related = ["unit", "document_type"]
    exclude = ["search_text", "full_text"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).filter(secrecy="none")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["document", "recipient_unit", "recipient_name", "status", "sent_at"]
    list_filter = ["status", "business_type"]
    list_select_related = ["document", "recipient_unit"]
