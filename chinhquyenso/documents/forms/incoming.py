"""Forms of the incoming documents pages: queue filters, registration, one form per action.

The forms only parse and lay out; the services check and decide, and their
:class:`~chinhquyenso.documents.errors.DocumentError` lands beside the input it names
(:meth:`ActionForm.show_error`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from chinhquyenso.accounts.models import User
from chinhquyenso.documents.models import DocumentType, Secrecy, Urgency
from chinhquyenso.documents.numbering import parse_reference
from chinhquyenso.documents.selectors import DocumentFilters
from chinhquyenso.units.models import Unit

MAX_TEXT = 10_000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _field_name(form: forms.Form, name: str | None) -> str | None:
    return name if name in form.fields else None


def show_error(
    form: forms.Form, exc: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's error beside the input it concerns (or above the form)."""
    field = getattr(exc, "field", None)
    field = (aliases or {}).get(field or "", field)
    form.add_error(_field_name(form, field), list(exc.messages))


class DocumentTypeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.abbreviation})" if obj.abbreviation else str(obj.name)


def _document_types() -> Any:
    return DocumentType.objects.order_by("sort_order", "name")


class ReferenceField(forms.CharField):
    """“Số, ký hiệu” as printed on the document: ``15/QĐ-UBND``, ``30/2020/NĐ-CP``; a notation
    without a number is kept as the notation."""

    def to_python(self, value: Any) -> tuple[int | None, str]:  # type: ignore[override]
        text = str(super().to_python(value) or "").strip()
        if not text:
            return None, ""
        parsed = parse_reference(text)
        if parsed is not None:
            return parsed
        return None, text.replace(" ", "")


# --- the queue --------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm theo số, ký hiệu, trích yếu, cơ quan gửi hoặc nội dung văn bản"),
        required=False,
        max_length=200,
        help_text=_("Gõ có dấu hay không dấu đều được."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    loai = DocumentTypeField(
        label=_("Loại văn bản"),
        required=False,
        queryset=DocumentType.objects.none(),
        empty_label=_("Tất cả"),
        to_field_name="code",
    )
    so_ky_hieu = forms.CharField(
        label=_("Số, ký hiệu"),
        required=False,
        max_length=60,
        help_text=_("Ví dụ 15/QĐ-UBND."),
    )
    noi_gui = forms.CharField(label=_("Cơ quan ban hành"), required=False, max_length=200)
    tu_ngay = forms.DateField(label=_("Đến từ ngày"), required=False, widget=DateInput())
    den_ngay = forms.DateField(label=_("Đến hết ngày"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["loai"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _document_types()

    def filters(self) -> DocumentFilters:
        if not self.is_valid():
            return DocumentFilters()
        data = self.cleaned_data
        start, end = data["tu_ngay"], data["den_ngay"]
        return DocumentFilters(
            q=data["q"],
            document_type=data["loai"].code if data["loai"] else "",
            notation=data["so_ky_hieu"],
            sender=data["noi_gui"],
            arrived_from=_day_start(start) if start else None,
            arrived_to=_day_start(end + dt.timedelta(days=1)) if end else None,
        )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- registration ---------------------------------------------------------------------------


class RegistrationForm(forms.Form):
    """What the clerk copies from a document that arrived outside the platform."""

    document_type = DocumentTypeField(
        label=_("Loại văn bản"),
        queryset=DocumentType.objects.none(),
        empty_label=_("— Chọn loại văn bản —"),
        error_messages={"required": _("Xin chọn loại văn bản.")},
    )
    reference = ReferenceField(
        label=_("Số, ký hiệu văn bản"),
        required=False,
        max_length=60,
        help_text=_("Như in trên văn bản, ví dụ 15/QĐ-UBND hoặc 30/2020/NĐ-CP."),
    )
    issued_on = forms.DateField(label=_("Ngày ban hành"), required=False, widget=DateInput())
    sender_name = forms.CharField(
        label=_("Cơ quan ban hành (tác giả)"),
        max_length=255,
        error_messages={"required": _("Cần nhập cơ quan ban hành văn bản.")},
    )
    subject = forms.CharField(
        label=_("Trích yếu nội dung"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Cần nhập trích yếu nội dung.")},
    )
    signer_name = forms.CharField(label=_("Người ký"), required=False, max_length=255)
    signer_title = forms.CharField(label=_("Chức vụ người ký"), required=False, max_length=255)
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NORMAL)
    secrecy = forms.ChoiceField(label=_("Độ mật"), choices=Secrecy.choices, initial=Secrecy.NONE)
    due_on = forms.DateField(
        label=_("Hạn xử lý (nếu văn bản có yêu cầu)"), required=False, widget=DateInput()
    )
    file = forms.FileField(
        label=_("Tệp văn bản (PDF)"),
        required=False,
        help_text=_(
            "Bản quét văn bản giấy hoặc bản điện tử. Văn bản mật không số hóa: có thể để trống."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    attachment = forms.FileField(
        label=_("Phụ lục, tài liệu kèm theo (PDF, nếu có)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["document_type"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _document_types()

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        number, notation = data["reference"]
        return {
            "document_type": data["document_type"],
            "number": number,
            "notation": notation,
            "issued_on": data["issued_on"],
            "sender_name": data["sender_name"],
            "subject": data["subject"],
            "signer_name": data["signer_name"],
            "signer_title": data["signer_title"],
            "urgency": data["urgency"],
            "secrecy": data["secrecy"],
            "due_on": data["due_on"],
            "file": data["file"] or None,
            "attachments": [data["attachment"]] if data["attachment"] else [],
        }

    def show_error(self, exc: ValidationError) -> None:
        show_error(
            self, exc, {"notation": "reference", "number": "reference", "attachments": "attachment"}
        )


class EdxmlForm(forms.Form):
    """A received edXML file (QCVN 102:2016): a document package, or a status message
    answering a document this unit issued."""

    package = forms.FileField(
        label=_("Tệp edXML"),
        help_text=_(
            "Tệp .edxml hoặc .xml nhận qua trục liên thông hay thư điện tử. Gói văn bản được vào "
            "sổ văn bản đến; thông điệp trạng thái cập nhật tình trạng văn bản đơn vị đã gửi."
        ),
        error_messages={"required": _("Xin chọn tệp edXML.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".edxml,.xml,application/xml,text/xml"}),
    )


class ReasonForm(forms.Form):
    """Why a document sent through the platform is refused, or a registered one returned."""

    reason = forms.CharField(
        label=_("Lý do"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Cần nêu lý do.")},
    )


# --- actions on one document ----------------------------------------------------------------


class ActionForm(forms.Form):
    title: ClassVar[StrOrPromise] = ""
    submit_label: ClassVar[StrOrPromise] = _("Gửi")
    intro: ClassVar[StrOrPromise] = ""

    def __init__(
        self,
        *args: Any,
        units: Sequence[Unit] = (),
        officials: Sequence[User] = (),
        colleagues: Sequence[User] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)

    def show_error(self, exc: ValidationError) -> None:
        show_error(self, exc)

    def service_arguments(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def handler_choices(units: Sequence[Unit], officials: Sequence[User]) -> list[Any]:
    """Units and officials as grouped choices: ``unit-<pk>`` and ``user-<pk>``."""
    groups: list[Any] = []
    if units:
        groups.append((_("Đơn vị"), [(f"unit-{u.pk}", u.name) for u in units]))
    if officials:
        people = [
            (f"user-{p.pk}", f"{p.full_name} — {p.job_title or p.unit}" if p.unit else p.full_name)
            for p in officials
        ]
        groups.append((_("Cán bộ"), people))
    return groups


class AssignForm(ActionForm):
    title = _("Phân công xử lý")
    submit_label = _("Phân công")
    intro = _("Giao một đơn vị hoặc cán bộ chủ trì, các đơn vị, cán bộ phối hợp và thời hạn.")

    lead = forms.ChoiceField(
        label=_("Chủ trì xử lý"), error_messages={"required": _("Xin chọn người chủ trì.")}
    )
    cooperating = forms.MultipleChoiceField(
        label=_("Phối hợp (giữ Ctrl để chọn nhiều)"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    due_on = forms.DateField(label=_("Hạn xử lý"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("Ý kiến chỉ đạo"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        units: Sequence[Unit] = (),
        officials: Sequence[User] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._targets: dict[str, Unit | User] = {f"unit-{u.pk}": u for u in units}
        self._targets.update({f"user-{p.pk}": p for p in officials})
        choices = handler_choices(units, officials)
        lead = self.fields["lead"]
        assert isinstance(lead, forms.ChoiceField)
        lead.choices = [("", _("— Chọn đơn vị hoặc cán bộ —")), *choices]
        cooperating = self.fields["cooperating"]
        assert isinstance(cooperating, forms.ChoiceField)
        cooperating.choices = choices

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "lead": self._targets[data["lead"]],
            "cooperating": [self._targets[key] for key in data["cooperating"]],
            "due_on": data["due_on"],
            "note": data["note"],
        }


class OpinionForm(ActionForm):
    title = _("Cho ý kiến xử lý")
    submit_label = _("Gửi ý kiến")

    text = forms.CharField(
        label=_("Ý kiến"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Cần nhập nội dung ý kiến.")},
    )


class PassOnForm(ActionForm):
    title = _("Chuyển cho cán bộ khác xử lý")
    submit_label = _("Chuyển")
    intro = _("Người nhận thay anh/chị xử lý phần việc được giao, với cùng thời hạn.")

    to = forms.ChoiceField(
        label=_("Chuyển cho"), error_messages={"required": _("Xin chọn cán bộ nhận.")}
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, colleagues: Sequence[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._people = {str(p.pk): p for p in colleagues}
        field = self.fields["to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— Chọn cán bộ —"))] + [
            (str(p.pk), p.full_name) for p in colleagues
        ]

    def service_arguments(self) -> dict[str, Any]:
        return {"to": self._people[self.cleaned_data["to"]], "note": self.cleaned_data["note"]}


class ResultForm(ActionForm):
    title = _("Cập nhật kết quả xử lý")
    submit_label = _("Lưu kết quả")

    note = forms.CharField(
        label=_("Kết quả xử lý"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    file = forms.FileField(
        label=_("Tệp kết quả (PDF, nếu có)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def service_arguments(self) -> dict[str, Any]:
        return {"note": self.cleaned_data["note"], "file": self.cleaned_data["file"] or None}


class CompleteForm(ActionForm):
    title = _("Hoàn thành xử lý")
    submit_label = _("Hoàn thành")
    intro = _("Kết thúc việc xử lý văn bản; các phân công còn mở cũng kết thúc theo.")

    note = forms.CharField(
        label=_("Kết quả cuối cùng"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(ActionForm):
    title = _("Trả lại văn bản")
    submit_label = _("Trả lại")
    intro = _("Dùng khi văn bản gửi nhầm hoặc không thuộc thẩm quyền của đơn vị.")

    reason = forms.CharField(
        label=_("Lý do trả lại"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Cần nêu lý do trả lại.")},
    )


#: One form per incoming action, in the order the page shows them.
ACTION_FORMS: dict[str, type[ActionForm]] = {
    "assign": AssignForm,
    "add_opinion": OpinionForm,
    "attach_result": ResultForm,
    "pass_on": PassOnForm,
    "complete": CompleteForm,
    "reject": RejectForm,
}
