from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """An exception to the normal working week, edited by administrators.

    The ``holidays`` package supplies the statutory holidays (Labour Code 2019 Art. 112); this
    table adds what the government decides each year: extra days off, and weekend days made
    working days to compensate (day swaps).
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ")
        WORKING_DAY = "working_day", _("Ngày làm việc bù")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("lý do"), max_length=255)
    legal_basis = models.CharField(_("căn cứ"), max_length=255, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày nghỉ/làm bù")
        verbose_name_plural = _("lịch làm việc")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()}: {self.reason}"


class AuditEntry(models.Model):
    """One append-only row of the audit log, chained to the previous one by its hash.

    ``entry_hash`` = SHA-256 of the previous row's hash and this row's content, so editing or
    deleting any row breaks the chain (``chinhquyenso audit-verify``).
    """

    sequence = models.PositiveBigIntegerField(_("số thứ tự"), unique=True)
    occurred_at = models.DateTimeField(_("thời điểm"), db_index=True)
    # The actor's id is part of the hashed content, so deleting a user must not rewrite it:
    # no database constraint, no SET_NULL; ``actor_label`` keeps the name for display.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("người thực hiện (tên)"), max_length=255)
    action = models.CharField(_("hành động"), max_length=100, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=100, db_index=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, db_index=True)
    object_repr = models.CharField(_("đối tượng"), max_length=255)
    changes = models.JSONField(_("thay đổi"), default=dict)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    source = models.CharField(_("nguồn"), max_length=100, blank=True)
    previous_hash = models.CharField(_("mã băm dòng trước"), max_length=64)
    entry_hash = models.CharField(_("mã băm"), max_length=64, unique=True)

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("nhật ký hệ thống")
        verbose_name_plural = _("nhật ký hệ thống")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_repr}"


class AuditHead(models.Model):
    """The newest link of the audit chain, in a one-row table.

    :func:`~chinhquyenso.core.audit.audit_record` updates it in the same transaction as each
    append, so deleting the newest audit rows leaves the head pointing past the end of the chain.
    Its row lock also serialises appenders. Someone who can rewrite both tables can forge a
    consistent pair; only a copy of the head kept outside the database catches that
    (``audit-verify`` prints it, ``audit-verify --anchor`` checks it).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(_("số thứ tự dòng cuối"), default=0)
    entry_hash = models.CharField(_("mã băm dòng cuối"), max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")
        verbose_name_plural = _("đầu chuỗi nhật ký")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="core_audithead_one_row")
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.entry_hash}"


class Notification(models.Model):
    """An in-app message to an official: a report arrived, a deadline is near, a draft waits."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.CharField(_("nội dung"), max_length=500)
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), db_index=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.message
