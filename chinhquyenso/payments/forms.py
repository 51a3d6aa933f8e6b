"""Forms of the payment pages: the reconciliation filters and the simulator's choice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyenso.payments.models import PaymentStatus
from chinhquyenso.payments.simulator import CHOICES

#: The longest period one reconciliation page covers.
MAX_RANGE_DAYS = 366


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class ReconciliationForm(forms.Form):
    tu_ngay = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput())
    den_ngay = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput())
    trang_thai = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), *PaymentStatus.choices],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        end: dt.date = data.get("den_ngay") or today
        start: dt.date = data.get("tu_ngay") or end.replace(day=1)
        if start > end:
            self.add_error("den_ngay", _("Ngày kết thúc phải sau ngày bắt đầu."))
        elif (end - start).days >= MAX_RANGE_DAYS:
            self.add_error(
                "tu_ngay", _("Mỗi lần đối soát tối đa %(days)s ngày.") % {"days": MAX_RANGE_DAYS}
            )
        data["tu_ngay"], data["den_ngay"] = start, end
        return data


class SimulatorForm(forms.Form):
    ket_qua = forms.ChoiceField(
        label=_("Kết quả giao dịch"),
        choices=[(key, label) for key, (label, _code, _status) in CHOICES.items()],
        widget=forms.RadioSelect,
        initial="success",
    )
    khong_gui_ipn = forms.BooleanField(
        label=_("Không gửi thông báo IPN cho đơn vị (mô phỏng mất kết nối)"),
        required=False,
    )
