from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
