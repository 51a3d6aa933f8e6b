from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp PDF cần kiểm tra"),
        help_text=_("Chọn văn bản điện tử dạng PDF (tối đa %(limit)s MB). Tệp không được lưu lại.")
        % {"limit": settings.SIGNING_MAX_PDF_MB},
        error_messages={"required": _("Xin chọn tệp PDF cần kiểm tra.")},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
