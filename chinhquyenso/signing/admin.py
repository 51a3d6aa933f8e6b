from django.contrib import admin
from django.http import HttpRequest

from chinhquyenso.signing.models import SealImage, SignatureImage, SigningCredential


@admin.register(SigningCredential)
class SigningCredentialAdmin(admin.ModelAdmin):
    list_display = ["__str__", "official", "unit", "kind", "valid_to", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["subject_name", "organization", "serial_number"]
    readonly_fields = [
        "certificate_pem",
        "subject_name",
        "organization",
        "issuer_name",
        "serial_number",
        "fingerprint_sha256",
        "valid_from",
        "valid_to",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # registered through the services, which check the key and certificate


@admin.register(SignatureImage)
class SignatureImageAdmin(admin.ModelAdmin):
    list_display = ["official", "uploaded_at"]
    readonly_fields = ["width_px", "height_px", "uploaded_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SealImage)
class SealImageAdmin(admin.ModelAdmin):
    list_display = ["unit", "diameter_mm", "uploaded_at"]
    readonly_fields = ["width_px", "height_px", "uploaded_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
