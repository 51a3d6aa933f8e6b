"""Admin pages for user accounts; every save goes through :mod:`chinhquyenso.accounts.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chinhquyenso.accounts.models import AccountType, Role, User
from chinhquyenso.accounts.services import (
    UPDATABLE_FIELDS_BY_TYPE,
    applicant_register,
    clean_contact,
    official_create,
    official_set_roles,
    user_set_active,
    user_set_password,
    user_update,
)
from chinhquyenso.core.admin_services import ServiceForm, ServiceModelAdmin
from chinhquyenso.units.admin import UnitChoiceField
from chinhquyenso.units.models import Unit


class _AccountForm(ServiceForm):
    """Fields shared by the add and change forms, with the checks the services make."""

    model = User
    instance: User
    password_required = True

    full_name = forms.CharField(label=_("Họ và tên"), max_length=255)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    unit = UnitChoiceField(
        queryset=Unit.objects.order_by("path"), required=False, label=_("Đơn vị công tác")
    )
    roles = forms.MultipleChoiceField(
        label=_("Vai trò"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    job_title = forms.CharField(label=_("Chức vụ"), max_length=255, required=False)
    organisation_name = forms.CharField(label=_("Tên tổ chức"), max_length=255, required=False)
    tax_code = forms.CharField(label=_("Mã số thuế"), max_length=14, required=False)
    password1 = forms.CharField(
        label=_("Mật khẩu"), strip=False, required=False, widget=forms.PasswordInput
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"), strip=False, required=False, widget=forms.PasswordInput
    )

    def account_type(self) -> str:
        return str(self.instance.account_type)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        kind = self.account_type()
        try:
            data["email"], data["phone"] = clean_contact(
                data.get("email"), data.get("phone"), exclude_pk=self.instance.pk
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        if kind == AccountType.OFFICIAL:
            if not data.get("unit"):
                self.add_error("unit", _("Cán bộ, công chức phải thuộc một đơn vị."))
            if not data.get("roles"):
                self.add_error("roles", _("Chọn ít nhất một vai trò."))
        if kind == AccountType.BUSINESS and not (data.get("organisation_name") or "").strip():
            self.add_error("organisation_name", _("Cần có tên doanh nghiệp, tổ chức."))
        self._clean_password(data)
        return data

    def _clean_password(self, data: dict[str, Any]) -> None:
        password = data.get("password1") or ""
        if not password:
            if self.password_required:
                self.add_error("password1", _("Cần đặt mật khẩu."))
            return
        if password != data.get("password2"):
            self.add_error("password2", _("Hai lần nhập mật khẩu không khớp."))
            return
        probe = User(full_name=data.get("full_name") or "", email=data.get("email"))
        try:
            validate_password(password, user=probe)
        except ValidationError as exc:
            self.add_error("password1", exc)


class UserAddForm(_AccountForm):
    account_type_field = forms.ChoiceField(
        label=_("Loại tài khoản"), choices=AccountType.choices, initial=AccountType.OFFICIAL
    )

    def account_type(self) -> str:
        return str(self.cleaned_data.get("account_type_field", ""))


class UserChangeForm(_AccountForm):
    password_required = False
    is_active = forms.BooleanField(
        label=_("Đang hoạt động"),
        required=False,
        help_text=_("Bỏ chọn để khóa tài khoản thay vì xóa."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("Mật khẩu mới")
        self.fields["password1"].help_text = _("Để trống nếu không đổi mật khẩu.")
        allowed = set(UPDATABLE_FIELDS_BY_TYPE[AccountType(self.instance.account_type)])
        if self.instance.account_type == AccountType.OFFICIAL:
            allowed.add("roles")
        for name in ("unit", "job_title", "roles", "organisation_name", "tax_code"):
            if name not in allowed:
                del self.fields[name]

    def initial_from(self, instance: Any) -> dict[str, Any]:
        initial = {
            key: getattr(instance, key)
            for key in UPDATABLE_FIELDS_BY_TYPE[AccountType(instance.account_type)]
        }
        initial["roles"] = list(instance.roles.values_list("role", flat=True))
        initial["is_active"] = instance.is_active
        return initial


class RoleFilter(admin.SimpleListFilter):
    title = _("vai trò")
    parameter_name = "vai_tro"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(Role.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return queryset.filter(roles__role=self.value()).distinct()
        return queryset


@admin.register(User)
class UserAdmin(ServiceModelAdmin):
    add_form = UserAddForm
    change_form = UserChangeForm
    list_display = ["full_name", "login", "account_type", "unit", "role_list", "is_active"]
    list_filter = [
        "account_type",
        RoleFilter,
        ("unit", admin.RelatedOnlyFieldListFilter),
        "is_active",
    ]
    search_fields = ["full_name", "email", "phone", "organisation_name"]
    list_select_related = ["unit"]
    ordering = ["full_name"]
    readonly_fields = ["account_type", "date_joined", "last_login"]
    add_fieldsets = [
        (None, {"fields": ["account_type_field", "full_name", "email", "phone"]}),
        (_("Cán bộ, công chức"), {"fields": ["unit", "job_title", "roles"]}),
        (_("Doanh nghiệp, tổ chức"), {"fields": ["organisation_name", "tax_code"]}),
        (_("Mật khẩu"), {"fields": ["password1", "password2"]}),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.add_fieldsets
        main = ["account_type", "full_name", "email", "phone"]
        sections: list[tuple[Any, dict[str, Any]]] = [(None, {"fields": main})]
        if obj.account_type == AccountType.OFFICIAL:
            sections.append((_("Công tác"), {"fields": ["unit", "job_title", "roles"]}))
        if obj.account_type == AccountType.BUSINESS:
            sections.append((_("Tổ chức"), {"fields": ["organisation_name", "tax_code"]}))
        sections.append(
            (
                _("Đăng nhập"),
                {"fields": ["is_active", "password1", "password2", "date_joined", "last_login"]},
            )
        )
        return sections

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).prefetch_related("roles")

    @admin.display(description=_("đăng nhập"))
    def login(self, obj: User) -> str:
        return obj.email or obj.phone or ""

    @admin.display(description=_("vai trò"))
    def role_list(self, obj: User) -> str:
        return ", ".join(str(r.get_role_display()) for r in obj.roles.all())

    def save_with_services(self, request: HttpRequest, data: dict[str, Any], obj: Any) -> User:
        by = request.user
        password = data.get("password1") or None
        if obj is None:
            kind = data["account_type_field"]
            if kind == AccountType.OFFICIAL:
                return official_create(
                    full_name=data["full_name"],
                    unit=data["unit"],
                    roles=data["roles"],
                    password=password,
                    email=data["email"],
                    phone=data["phone"],
                    job_title=data["job_title"],
                    by=by,
                )
            return applicant_register(
                full_name=data["full_name"],
                password=password,
                email=data["email"],
                phone=data["phone"],
                account_type=kind,
                organisation_name=data["organisation_name"] if kind == AccountType.BUSINESS else "",
                tax_code=data["tax_code"] if kind == AccountType.BUSINESS else "",
                by=by,
            )
        allowed = UPDATABLE_FIELDS_BY_TYPE[AccountType(obj.account_type)]
        user = user_update(user=obj, **{key: data[key] for key in allowed}, by=by)
        if user.account_type == AccountType.OFFICIAL:
            user = official_set_roles(user=user, roles=data["roles"], by=by)
        if password:
            user = user_set_password(user=user, password=password, by=by)
        return user_set_active(user=user, is_active=data["is_active"], by=by)
