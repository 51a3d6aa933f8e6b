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


class SignatureImageForm(forms.Form):
    image = forms.FileField(
        label=_("Ảnh chữ ký (PNG nền trong suốt)"),
        help_text=_(
            "Chữ ký tay màu xanh trên nền trong suốt, cạnh từ 60 đến 4.000 điểm ảnh; ảnh được đặt "
            "giữa chức vụ và họ tên trên văn bản anh/chị ký số."
        ),
        error_messages={"required": _("Xin chọn tệp ảnh chữ ký.")},
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,.png"}),
    )


class SealImageForm(forms.Form):
    image = forms.FileField(
        label=_("Ảnh con dấu (PNG nền trong suốt)"),
        help_text=_(
            "Hình con dấu màu đỏ trên nền trong suốt, cắt sát vành dấu; ảnh được in đúng đường "
            "kính thật bên dưới, trùm lên khoảng một phần ba ảnh chữ ký về bên trái."
        ),
        error_messages={"required": _("Xin chọn tệp ảnh con dấu.")},
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,.png"}),
    )
    diameter_mm = forms.DecimalField(
        label=_("Đường kính thật của con dấu (mm)"),
        help_text=_("Đo trên con dấu thật, từ 20 đến 60 mm; ví dụ 36 hoặc 35,5."),
        max_digits=4,
        decimal_places=1,
        localize=True,
        error_messages={
            "required": _("Xin nhập đường kính con dấu."),
            "invalid": _("Đường kính phải là một số, ví dụ 36 hoặc 35,5."),
            "max_digits": _("Đường kính phải là một số, ví dụ 36 hoặc 35,5."),
            "max_decimal_places": _("Đường kính chỉ lấy một chữ số thập phân, ví dụ 35,5."),
        },
    )
