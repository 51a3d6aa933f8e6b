"""Who signs with what: credentials of officials and units, signature images and seal images."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CredentialKind(models.TextChoices):
    PKCS12 = "pkcs12", _("Tệp PKCS#12")
    PKCS11 = "pkcs11", _("Thiết bị ký số PKCS#11 (token, HSM)")


class SigningCredential(models.Model):
    """Where the key of an official (personal certificate) or a unit (organisation certificate) is.

    Exactly one of ``official`` and ``unit`` is set. The private key never enters the database:
    a PKCS#12 file is kept in the file storage, a token is named by module, token label and key
    label. The passphrase or PIN is not stored either: ``secret_ref`` says where to read it
    (``env:NAME`` or ``file:/path``), or the caller supplies it when signing.
    """

    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signing_credentials",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signing_credentials",
    )
    kind = models.CharField(_("loại"), max_length=10, choices=CredentialKind.choices)
    label = models.CharField(_("tên gọi"), max_length=200, blank=True)
    pkcs12_file = models.FileField(
        _("tệp PKCS#12"), upload_to="signing/credentials/", blank=True, max_length=300
    )
    pkcs11_module = models.CharField(_("thư viện PKCS#11"), max_length=300, blank=True)
    token_label = models.CharField(_("nhãn thiết bị"), max_length=100, blank=True)
    key_label = models.CharField(_("nhãn khóa"), max_length=100, blank=True)
    secret_ref = models.CharField(
        _("nơi lấy mật khẩu/PIN"),
        max_length=300,
        blank=True,
        help_text=_("env:TÊN_BIẾN hoặc file:/đường/dẫn; để trống nếu nhập khi ký."),
    )
    certificate_pem = models.TextField(_("chứng thư số (PEM)"))
    subject_name = models.CharField(_("chủ thể"), max_length=300)
    organization = models.CharField(_("tổ chức"), max_length=300, blank=True)
    issuer_name = models.CharField(_("tổ chức cấp"), max_length=300)
    serial_number = models.CharField(_("số hiệu"), max_length=80)
    fingerprint_sha256 = models.CharField(_("dấu vân tay SHA-256"), max_length=64)
    valid_from = models.DateTimeField(_("hiệu lực từ"))
    valid_to = models.DateTimeField(_("hiệu lực đến"))
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư ký số")
        verbose_name_plural = _("chứng thư ký số")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(official__isnull=False) & Q(unit__isnull=True))
                | (Q(official__isnull=True) & Q(unit__isnull=False)),
                name="signing_credential_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.label or self.subject_name

    @property
    def is_organisation(self) -> bool:
        return self.unit_id is not None


class SignatureImage(models.Model):
    """An official's handwritten signature: blue, transparent PNG (Decree 30, Appendix I)."""

    official = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        on_delete=models.CASCADE,
        related_name="signature_image",
    )
    image = models.FileField(_("ảnh chữ ký"), upload_to="signing/signatures/", max_length=300)
    width_px = models.PositiveIntegerField(_("chiều rộng (điểm ảnh)"))
    height_px = models.PositiveIntegerField(_("chiều cao (điểm ảnh)"))
    uploaded_at = models.DateTimeField(_("ngày tải lên"), auto_now=True)

    class Meta:
        verbose_name = _("ảnh chữ ký")
        verbose_name_plural = _("ảnh chữ ký")

    def __str__(self) -> str:
        return str(self.official)


class SealImage(models.Model):
    """A unit's seal: red, transparent PNG, printed at its real size (``diameter_mm``)."""

    unit = models.OneToOneField(
        "units.Unit",
        verbose_name=_("đơn vị"),
        on_delete=models.CASCADE,
        related_name="seal_image",
    )
    image = models.FileField(_("ảnh con dấu"), upload_to="signing/seals/", max_length=300)
    width_px = models.PositiveIntegerField(_("chiều rộng (điểm ảnh)"))
    height_px = models.PositiveIntegerField(_("chiều cao (điểm ảnh)"))
    diameter_mm = models.DecimalField(
        _("đường kính thực (mm)"),
        max_digits=4,
        decimal_places=1,
        help_text=_("Kích thước thật của con dấu; ảnh được in đúng kích thước này."),
    )
    uploaded_at = models.DateTimeField(_("ngày tải lên"), auto_now=True)

    class Meta:
        verbose_name = _("ảnh con dấu")
        verbose_name_plural = _("ảnh con dấu")

    def __str__(self) -> str:
        return str(self.unit)
