"""Payments and the gateway's messages, to look at only: every change goes through services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chinhquyenso.payments.models import Payment, PaymentEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["txn_ref", "reference", "amount", "status", "receipt_number", "created_at"]
    list_filter = ["status", "purpose", "provider"]
    search_fields = ["txn_ref", "reference", "receipt_number", "provider_transaction_no"]
    date_hierarchy = "created_at"


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "kind", "txn_ref", "outcome", "resolution", "ip_address"]
    list_filter = ["kind", "outcome", "resolution"]
    search_fields = ["txn_ref"]
    date_hierarchy = "received_at"
