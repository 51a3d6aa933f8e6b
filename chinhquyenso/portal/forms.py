from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chinhquyenso.accounts.models import AccountType, User


class LoginForm(AuthenticationForm):
    """Log in with an e-mail address or a phone number (see ``accounts.backends``)."""

    username = forms.CharField(
        label=_("Thư điện tử hoặc số điện thoại"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("Thông tin đăng nhập không đúng."),
        "inactive": _("Tài khoản này đã bị khóa."),
    }


class DossierLookupForm(forms.Form):
    """The dossier code a citizen types in to follow their dossier."""

    ma = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=40,
        help_text=_(
            "Ghi trên phiếu tiếp nhận và hẹn trả kết quả, ví dụ 000.00.01.H40-260105-0001."
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )


class RegistrationForm(forms.Form):
    """A citizen or business opens an account with an e-mail address or a phone number."""

    account_type = forms.ChoiceField(
        label=_("Bạn là"),
        choices=[
            (AccountType.CITIZEN, _("Người dân")),
            (AccountType.BUSINESS, _("Doanh nghiệp, tổ chức")),
        ],
        initial=AccountType.CITIZEN,
        widget=forms.RadioSelect,
    )
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=255, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    organisation_name = forms.CharField(
        label=_("Tên doanh nghiệp, tổ chức"),
        max_length=255,
        required=False,
        help_text=_("Chỉ điền nếu bạn đăng ký cho doanh nghiệp, tổ chức."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        help_text=_("Cần ít nhất số điện thoại hoặc thư điện tử để đăng nhập."),
        error_messages={"invalid": _("Thư điện tử không hợp lệ, ví dụ đúng: ten@example.vn.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, không chỉ gồm chữ số."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_(
            "Tôi đồng ý để cơ quan nhà nước xử lý họ tên, số điện thoại và thư điện tử của tôi "
            "nhằm quản lý tài khoản và liên hệ về hồ sơ, phản ánh của tôi."
        ),
        error_messages={"required": _("Cần đồng ý để mở tài khoản.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email") and not self.has_error("email"):
            self.add_error("phone", _("Cần có số điện thoại hoặc thư điện tử."))
        if data.get("account_type") == AccountType.BUSINESS and not data.get("organisation_name"):
            self.add_error("organisation_name", _("Cần có tên doanh nghiệp, tổ chức."))
        password = data.get("password1")
        if password and data.get("password2") != password:
            self.add_error("password2", _("Hai mật khẩu không khớp."))
        elif password:
            candidate = User(full_name=data.get("full_name", ""), email=data.get("email") or None)
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data
