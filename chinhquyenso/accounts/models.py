from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountType(models.TextChoices):
    OFFICIAL = "official", _("Cán bộ, công chức")
    CITIZEN = "citizen", _("Người dân")
    BUSINESS = "business", _("Doanh nghiệp, tổ chức")


class Role(models.TextChoices):
    CLERK = "clerk", _("Văn thư")
    ONE_STOP_OFFICER = "one_stop_officer", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên")
    UNIT_LEADER = "unit_leader", _("Lãnh đạo đơn vị")
    OPERATIONS_LEADER = "operations_leader", _("Lãnh đạo Trung tâm điều hành")
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        user = self.model(email=self.normalize_email(email) or None, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True, account_type=AccountType.OFFICIAL)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in: an official, a citizen or a business, by e-mail or phone number."""

    email = models.EmailField(_("thư điện tử"), null=True, blank=True, unique=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, null=True, blank=True, unique=True)
    full_name = models.CharField(_("họ và tên"), max_length=255)
    account_type = models.CharField(
        _("loại tài khoản"), max_length=20, choices=AccountType.choices, default=AccountType.CITIZEN
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị công tác"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officials",
    )
    job_title = models.CharField(_("chức vụ"), max_length=255, blank=True)
    organisation_name = models.CharField(_("tên tổ chức"), max_length=255, blank=True)
    tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    personal_data_consent_at = models.DateTimeField(
        _("đồng ý xử lý dữ liệu cá nhân lúc"),
        null=True,
        blank=True,
        help_text=_("Thời điểm chủ tài khoản đồng ý (Nghị định 13/2023/NĐ-CP)."),
    )
    is_staff = models.BooleanField(
        _("truy cập trang quản trị"),
        default=False,
        help_text=_("Được đăng nhập trang quản trị hệ thống."),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    date_joined = models.DateTimeField(_("ngày tạo"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False),
                name="user_has_email_or_phone",
            ),
            models.CheckConstraint(
                condition=~Q(account_type="official")
                | Q(unit__isnull=False)
                | Q(is_superuser=True),
                name="official_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.phone or str(self.pk)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split()[-1] if self.full_name else ""

    @property
    def is_official(self) -> bool:
        return self.account_type == AccountType.OFFICIAL


class OfficialRole(models.Model):
    """A role an official holds in their unit."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}"
