"""Forms of the citizen's dossier pages: where to submit, who submits, the e-form's typed data,
additional documents, withdrawal and rating.

The forms only parse; the services check and decide (their ``DossierError`` messages are shown
beside the fields they name, see ``views.citizen``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.text import fold
from chinhquyenso.dossiers.models import Rating
from chinhquyenso.dossiers.services import MAX_TEXT, ApplicantInput
from chinhquyenso.procedures.eforms import EForm
from chinhquyenso.procedures.models import ProcedureVersion
from chinhquyenso.procedures.selectors import today
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.selectors import active_on_filter

#: What a browser offers in its file picker; the server checks the content anyway.
ACCEPTED_FILES = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
#: Files one input may carry at once.
MAX_FILES_PER_INPUT = 10


def receiving_units(version: ProcedureVersion) -> list[Unit]:
    """Units in force where *version* can be submitted online: their kind is one the procedure
    names (or they are its handling unit) and they have an agency electronic ID, which the
    dossier code needs."""
    units = Unit.objects.filter(active_on_filter(today())).exclude(agency_code__isnull=True)
    units = units.exclude(agency_code="")
    where = Q(kind__in=list(version.unit_kinds or []))
    if version.handling_unit_id is not None:
        where |= Q(pk=version.handling_unit_id)
    units = units.filter(where)
    return sorted(units.only("pk", "name", "kind"), key=lambda unit: fold(unit.name))


def grouped_unit_choices(units: Sequence[Unit], kinds: Sequence[str]) -> list[Any]:
    """``<optgroup>`` per kind of unit (wards, communes, special zones, departments…) in the
    order the procedure lists them, units by name inside each."""
    labels = dict(UnitKind.choices)
    order = [*kinds, *sorted({u.kind for u in units} - set(kinds))]
    groups: list[Any] = [("", _("— Chọn nơi nộp hồ sơ —"))]
    for kind in order:
        options = [(str(unit.pk), unit.name) for unit in units if unit.kind == kind]
        if options:
            groups.append((labels.get(kind, kind), options))
    return groups


class ReceivingUnitForm(forms.Form):
    """The one-stop counter that receives the dossier and returns the result."""

    don_vi = forms.ChoiceField(
        label=_("Nơi nộp hồ sơ"),
        help_text=_(
            "Bộ phận một cửa nhận hồ sơ và trả kết quả cho bạn. Bạn có thể chọn nơi thuận tiện, "
            "không cần đúng nơi cư trú."
        ),
        error_messages={
            "required": _("Xin chọn nơi nộp hồ sơ."),
            "invalid_choice": _("Nơi nộp hồ sơ đã chọn không tiếp nhận thủ tục này."),
        },
    )

    def __init__(self, version: ProcedureVersion, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {unit.pk: unit for unit in receiving_units(version)}
        field = self.fields["don_vi"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = grouped_unit_choices(list(self.units.values()), version.unit_kinds or [])

    def clean_don_vi(self) -> Unit:
        return self.units[int(self.cleaned_data["don_vi"])]


class ApplicantForm(forms.Form):
    """Who submits: filled in from the account, corrected if needed. Field names are the
    service's, so its errors land beside the right field."""

    applicant_name = forms.CharField(
        label=_("Họ và tên người nộp"),
        max_length=255,
        error_messages={"required": _("Xin nhập họ và tên người nộp hồ sơ.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    applicant_id_number = forms.CharField(
        label=_("Số định danh cá nhân (số căn cước)"),
        max_length=20,
        required=False,
        help_text=_("12 chữ số, ghi trên thẻ căn cước."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    applicant_email = forms.CharField(
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
        help_text=_("Để nhận thông báo mỗi khi hồ sơ có tiến triển."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    applicant_address = forms.CharField(
        label=_("Địa chỉ liên hệ"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    def applicant(self) -> ApplicantInput:
        data = self.cleaned_data
        return ApplicantInput(
            name=data["applicant_name"],
            id_number=data["applicant_id_number"],
            phone=data["applicant_phone"],
            email=data["applicant_email"],
            address=data["applicant_address"],
        )


def applicant_initial(applicant: ApplicantInput) -> dict[str, str]:
    return {
        "applicant_name": applicant.name,
        "applicant_id_number": applicant.id_number,
        "applicant_phone": applicant.phone,
        "applicant_email": applicant.email,
        "applicant_address": applicant.address,
    }


def typed_form_data(eform: EForm) -> dict[str, Any]:
    """The e-form as the citizen typed it, to keep in a draft even when incomplete: the fields
    that are valid as JSON values (dates as ISO), the others as the text typed."""
    eform.is_valid()
    data = eform.form_data()
    for name in eform.fields:
        if name in data or name not in eform.errors:
            continue
        raw = eform[name].data
        if isinstance(raw, str) and raw.strip():
            data[name] = raw.strip()
    return data


def show_errors(form: forms.Form, errors: Mapping[str | None, Sequence[str]]) -> None:
    """Put *errors* (field name → messages, ``None`` for the form) on *form*, bound or not: a
    form redrawn from what was saved shows the errors the services found in it."""
    form.errors  # noqa: B018  # validates a bound form; an unbound one gets no errors
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    for name, messages in errors.items():
        form.add_error(name if name in form.fields else None, [str(m) for m in messages])


def mark_required(*forms_: forms.Form) -> None:
    """Say "(bắt buộc)" after the label of every field that must be filled in."""
    suffix = _("(bắt buộc)")
    for form in forms_:
        for bound in form.fields.values():
            if bound.required and not bound.widget.is_hidden:
                bound.label = f"{bound.label} {suffix}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the services check each by its content."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES, "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_FILES_PER_INPUT:
            raise forms.ValidationError(
                _("Chỉ gửi được tối đa %(limit)s tệp một lần."),
                params={"limit": MAX_FILES_PER_INPUT},
            )
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


class SupplyForm(forms.Form):
    """The documents asked for in an additional-documents request."""

    tep = MultipleFileField(
        label=_("Giấy tờ bổ sung"),
        required=False,
        help_text=_("PDF, JPEG hoặc PNG; chọn được nhiều tệp một lần."),
    )
    ghi_chu = forms.CharField(
        label=_("Ghi chú cho cán bộ"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(forms.Form):
    ly_do = forms.CharField(
        label=_("Lý do rút hồ sơ"),
        max_length=MAX_TEXT,
        error_messages={"required": _("Xin ghi lý do rút hồ sơ.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RatingForm(forms.Form):
    muc_do = forms.ChoiceField(
        label=_("Bạn có hài lòng với việc giải quyết hồ sơ không?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Xin chọn mức độ hài lòng.")},
    )
    y_kien = forms.CharField(
        label=_("Ý kiến của bạn"),
        required=False,
        max_length=MAX_TEXT,
        help_text=_("Không bắt buộc. Cán bộ và lãnh đạo đơn vị đọc ý kiến này."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
