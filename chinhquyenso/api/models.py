from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiScope(models.TextChoices):
    """Actions a client system may be granted; later apps add theirs here."""

    UNITS_READ = "units:read", _("Đọc danh mục đơn vị")
    CALENDAR_READ = "calendar:read", _("Đọc lịch làm việc")
    AUDIT_READ = "audit:read", _("Đọc nhật ký hệ thống")
    FEEDBACK_READ = "feedback:read", _("Đọc phản ánh, kiến nghị")
    FEEDBACK_WRITE = "feedback:write", _("Gửi phản ánh, kiến nghị")
    FEEDBACK_PROCESS = "feedback:process", _("Xử lý phản ánh thay cho đơn vị được phép")
    FEEDBACK_PERSONAL_DATA = "feedback:personal_data", _("Xem thông tin cá nhân người phản ánh")
    DOSSIERS_READ = "dossiers:read", _("Đọc hồ sơ thủ tục hành chính")
    DOSSIERS_WRITE = "dossiers:write", _("Gửi hồ sơ thủ tục hành chính")
    DOSSIERS_PROCESS = "dossiers:process", _("Xử lý hồ sơ thay cho đơn vị được phép")
    DOCUMENTS_READ = "documents:read", _("Đọc văn bản đi, văn bản đến (trừ văn bản mật)")


class ApiClient(models.Model):
    """A connected system (LGSP role) that calls the API with a bearer key.

    Only the SHA-256 of the key is stored; the key itself is shown once when created.
    """

    name = models.CharField(_("tên hệ thống"), max_length=255, unique=True)
    key_prefix = models.CharField(_("tiền tố khóa"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("quyền"), default=list)
    units = models.ManyToManyField(
        "units.Unit",
        verbose_name=_("đơn vị được phép"),
        blank=True,
        related_name="+",
        help_text=_("Để trống: mọi đơn vị. Có chọn: các đơn vị này và đơn vị trực thuộc."),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("lần dùng gần nhất"), null=True, blank=True)

    class Meta:
        verbose_name = _("hệ thống kết nối")
        verbose_name_plural = _("hệ thống kết nối")

    def __str__(self) -> str:
        return self.name
