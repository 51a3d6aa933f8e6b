"""Forms of the officials' dossier pages: queue filters, counter registration, one form per
action of :data:`chinhquyenso.dossiers.actions.ACTIONS`.

The action forms only parse and lay out: their field names are the inputs the action table
reads, and :meth:`ActionForm.action_data` hands it what was typed. The table's services check
and decide; their :class:`~chinhquyenso.dossiers.services.DossierError` lands beside the input
it names (:meth:`ActionForm.show_error`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from chinhquyenso.accounts.models import AccountType, User
from chinhquyenso.dossiers.forms.citizen import ApplicantForm, MultipleFileField
from chinhquyenso.dossiers.models import Channel, Dossier, Status
from chinhquyenso.dossiers.services import MAX_TEXT
from chinhquyenso.procedures.models import Component, Procedure

#: Rows of the additional-documents list: everything missing is asked for at once.
REQUEST_ROWS = 8
#: Rows shown before "more rows" (the others are folded, no script needed).
REQUEST_ROWS_SHOWN = 3


# --- the queue --------------------------------------------------------------------------------


class ProcedureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm theo mã hồ sơ, tên hoặc số định danh người nộp"),
        required=False,
        max_length=200,
        help_text=_("Gõ có dấu hay không dấu đều được."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.TypedChoiceField(
        label=_("Trạng thái"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả"))]
        + [(value, label) for value, label in Status.choices if value != Status.DRAFT],
    )
    procedure = ProcedureChoiceField(
        label=_("Thủ tục"),
        required=False,
        queryset=Procedure.objects.none(),
        empty_label=_("Tất cả"),
    )
    channel = forms.TypedChoiceField(
        label=_("Kênh tiếp nhận"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả")), *Channel.choices],
    )

    def __init__(self, *args: Any, procedures: QuerySet[Procedure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["procedure"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = procedures


# --- counter registration ---------------------------------------------------------------------


class ProcedurePickForm(forms.Form):
    """Step one at the counter: which procedure the applicant asks for."""

    thu_tuc = ProcedureChoiceField(
        label=_("Thủ tục hành chính"),
        queryset=Procedure.objects.none(),
        empty_label=_("— Chọn thủ tục —"),
        error_messages={
            "required": _("Xin chọn thủ tục."),
            "invalid_choice": _("Đơn vị không tiếp nhận thủ tục này."),
        },
        to_field_name="code",
    )

    def __init__(self, *args: Any, procedures: QuerySet[Procedure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["thu_tuc"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = procedures


def component_input(component: Component) -> str:
    """The name of a component's file input, as the action table reads it too."""
    return f"component.{component.code}"


class RegistrationForm(ApplicantForm):
    """Who submits, the scans of each component and the key that makes a resent form create
    no second dossier. The e-form comes separately (``procedures.eforms.schema_to_form``)."""

    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=80, required=False)

    def __init__(self, *args: Any, components: Sequence[Component], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.components = list(components)
        for component in self.components:
            label = component.name
            if not component.is_required:
                label = _("%(name)s (nếu có)") % {"name": component.name}
            self.fields[component_input(component)] = MultipleFileField(
                label=label,
                required=False,
                help_text=_("%(form)s, %(count)s bản. Bản chụp hoặc bản quét: PDF, JPEG, PNG.")
                % {"form": component.get_form_display(), "count": component.quantity},
            )

    def component_fields(self) -> list[forms.BoundField]:
        return [self[component_input(c)] for c in self.components]

    def applicant_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ApplicantForm.base_fields]

    def component_files(self) -> dict[str, list[UploadedFile]]:
        return {
            c.code: list(self.cleaned_data.get(component_input(c)) or [])
            for c in self.components
            if self.cleaned_data.get(component_input(c))
        }


# --- actions on a dossier ---------------------------------------------------------------------


def _reason(label: StrOrPromise, **kw: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        **kw,
    )


class ActionForm(forms.Form):
    """One action of the table on the dossier page; prefixed with its name so that several
    share a page. ``final`` actions need a tick to confirm (they end the dossier)."""

    title: ClassVar[StrOrPromise] = ""
    submit_label: ClassVar[StrOrPromise] = _("Thực hiện")
    #: What the page says once the action is done.
    done_message: ClassVar[StrOrPromise]
    intro: ClassVar[StrOrPromise] = ""
    #: Input names of the action table (a DossierError's ``field``) → this form's field.
    error_fields: ClassVar[Mapping[str, str]] = {}

    def __init__(
        self, *args: Any, dossier: Dossier, user: User, final: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        self.user = user
        if final:
            self.fields["confirm"] = forms.BooleanField(
                label=_("Tôi đã kiểm tra và xác nhận thao tác này (không hoàn tác được)."),
                error_messages={"required": _("Xin đánh dấu để xác nhận.")},
            )

    def action_data(self) -> dict[str, Any]:
        """What the action table reads, from the cleaned fields."""
        return {k: v for k, v in self.cleaned_data.items() if k != "confirm"}

    def action_files(self) -> dict[str, Sequence[UploadedFile]]:
        files: dict[str, Sequence[UploadedFile]] = {}
        for name, value in self.cleaned_data.items():
            if isinstance(value, UploadedFile):
                files[name] = [value]
            elif isinstance(value, list) and value and isinstance(value[0], UploadedFile):
                files[name] = value
        return files

    def show_error(self, exc: ValidationError) -> None:
        """Put the service's message beside the input it concerns, or atop the form."""
        field = getattr(exc, "field", None)
        errors = getattr(exc, "errors", None) or {}
        targets: list[tuple[str | None, list[str]]] = [
            (name, list(messages)) for name, messages in errors.items()
        ] or [(field, exc.messages)]
        for name, messages in targets:
            target = self.error_fields.get(name or "", name) or ""
            if target.startswith("files."):  # a component's files: its own input here
                target = "component." + target.removeprefix("files.")
            self.add_error(target if target in self.fields else None, messages)


class AcceptForm(ActionForm):
    title = _("Tiếp nhận hồ sơ")
    submit_label = _("Tiếp nhận và in phiếu hẹn")
    done_message = _("Đã tiếp nhận hồ sơ. In phiếu tiếp nhận và hẹn trả kết quả cho người nộp.")
    intro = _(
        "Kiểm tra đủ thành phần hồ sơ trước khi tiếp nhận. Thời hạn giải quyết bắt đầu tính từ "
        "lúc tiếp nhận; phiếu tiếp nhận và hẹn trả kết quả được tạo ngay."
    )
    fee_exempt_reason = forms.CharField(
        label=_("Lý do miễn, giảm phí (nếu có)"),
        required=False,
        max_length=255,
        help_text=_("Để trống nếu người nộp phải nộp đủ phí, lệ phí."),
    )


class RequestDocumentsForm(ActionForm):
    title = _("Yêu cầu bổ sung hồ sơ")
    submit_label = _("Gửi yêu cầu và in phiếu")
    done_message = _("Đã gửi yêu cầu bổ sung hồ sơ. In phiếu yêu cầu bổ sung cho người nộp.")
    intro = _(
        "Liệt kê một lần đầy đủ mọi giấy tờ cần bổ sung, hoàn thiện, mỗi dòng một giấy tờ và lý "
        "do. Yêu cầu bổ sung lần thứ hai khi đang giải quyết làm hồ sơ bị tính là quá hạn."
    )
    error_fields = {"items": "items-0-name"}
    note = _reason(_("Hướng dẫn thêm cho người nộp"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        note = self.fields.pop("note")
        for row in range(REQUEST_ROWS):
            self.fields[f"items-{row}-name"] = forms.CharField(
                label=_("Giấy tờ %(n)s") % {"n": row + 1}, required=False, max_length=500
            )
            self.fields[f"items-{row}-reason"] = forms.CharField(
                label=_("Lý do (giấy tờ %(n)s)") % {"n": row + 1}, required=False, max_length=1000
            )
        self.fields["note"] = note

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"items-{r}-name"], self[f"items-{r}-reason"]) for r in range(REQUEST_ROWS)]

    def shown_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return self.rows()[:REQUEST_ROWS_SHOWN]

    def more_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return self.rows()[REQUEST_ROWS_SHOWN:]

    def action_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        items = [
            {"name": data[f"items-{r}-name"], "reason": data[f"items-{r}-reason"]}
            for r in range(REQUEST_ROWS)
            if data.get(f"items-{r}-name")
        ]
        return {"items": items, "note": data.get("note", "")}


class SupplyDocumentsForm(ActionForm):
    title = _("Nhận giấy tờ bổ sung")
    submit_label = _("Ghi nhận đã bổ sung")
    done_message = _("Đã ghi nhận giấy tờ bổ sung.")
    intro = _("Người nộp mang giấy tờ bổ sung đến quầy: tải bản quét lên theo từng thành phần.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for component in self.dossier.version.components.order_by("order"):
            self.fields[component_input(component)] = MultipleFileField(
                label=component.name, required=False
            )
        self.fields["files"] = MultipleFileField(label=_("Giấy tờ khác"), required=False)
        self.fields["note"] = _reason(_("Ghi chú"))


class RefuseForm(ActionForm):
    title = _("Từ chối tiếp nhận")
    submit_label = _("Từ chối và in phiếu")
    done_message = _("Đã từ chối tiếp nhận hồ sơ. In phiếu từ chối cho người nộp.")
    intro = _("Chỉ từ chối khi hồ sơ không thuộc thẩm quyền hoặc không đủ điều kiện tiếp nhận.")
    reason = _reason(_("Lý do từ chối"))


class ForwardForm(ActionForm):
    title = _("Chuyển bước tiếp theo")
    submit_label = _("Chuyển")
    done_message = _("Đã chuyển hồ sơ sang bước tiếp theo.")
    note = _reason(_("Ý kiến xử lý"))

    def __init__(self, *args: Any, assignees: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if assignees is not None and assignees.exists():
            self.fields["assignee"] = forms.ModelChoiceField(
                label=_("Giao cho cán bộ"),
                queryset=assignees,
                required=False,
                empty_label=_("— Để đơn vị tự phân công —"),
            )

    def action_data(self) -> dict[str, Any]:
        data = super().action_data()
        if data.get("assignee") is not None:
            data["assignee"] = data["assignee"].pk
        return data


class SendBackForm(ActionForm):
    title = _("Trả lại bước trước")
    submit_label = _("Trả lại")
    done_message = _("Đã trả hồ sơ về bước trước.")
    reason = _reason(_("Lý do trả lại"))


class AttachResultForm(ActionForm):
    title = _("Đính kèm kết quả giải quyết")
    submit_label = _("Lưu kết quả")
    done_message = _("Đã lưu kết quả giải quyết.")
    error_fields = {"result": "result_file", "files": "result_file"}
    result_file = forms.FileField(
        label=_("Tệp kết quả (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    result_note = _reason(_("Nội dung kết quả"))


class RequestFinancialForm(ActionForm):
    title = _("Yêu cầu thực hiện nghĩa vụ tài chính")
    submit_label = _("Gửi yêu cầu")
    done_message = _("Đã gửi yêu cầu thực hiện nghĩa vụ tài chính.")
    amount = forms.CharField(
        label=_("Số tiền (đồng)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    note = _reason(_("Khoản nghĩa vụ tài chính"))


class ConfirmFinancialForm(ActionForm):
    title = _("Xác nhận đã thực hiện nghĩa vụ tài chính")
    submit_label = _("Xác nhận")
    done_message = _("Đã xác nhận người nộp thực hiện nghĩa vụ tài chính.")
    note = _reason(_("Ghi chú (số biên lai…)"))


class CollectFeeForm(ActionForm):
    title = _("Thu phí, lệ phí tại quầy")
    submit_label = _("Ghi nhận đã thu")
    done_message = _("Đã ghi nhận thu phí, lệ phí tại quầy.")
    intro = _(
        "Người nộp trả tiền mặt tại quầy: thu đủ số tiền còn phải nộp, giao biên lai, rồi ghi số "
        "biên lai vào đây."
    )
    receipt_number = forms.CharField(
        label=_("Số biên lai thu phí, lệ phí"),
        required=False,
        max_length=64,
        help_text=_("Ví dụ 0001234, ký hiệu và số trên biên lai."),
    )


class ApologiseForm(ActionForm):
    title = _("Xin lỗi và hẹn lại ngày trả")
    submit_label = _("Lưu và in phiếu xin lỗi")
    done_message = _("Đã lưu thư xin lỗi và ngày hẹn mới. In phiếu xin lỗi.")
    intro = _("Hồ sơ sẽ trễ hẹn: ghi rõ lý do và ngày hẹn mới; người nộp được thông báo ngay.")
    reason = _reason(_("Lý do chậm trả kết quả"))
    new_due_at = forms.CharField(
        label=_("Ngày giờ hẹn mới"),
        required=False,
        max_length=30,
        help_text=_("Ví dụ 2026-12-04 17:00."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class ReturnResultForm(ActionForm):
    title = _("Trả kết quả")
    submit_label = _("Xác nhận đã trả kết quả")
    done_message = _("Đã trả kết quả cho người nộp.")
    intro = _("Giao kết quả cho người nộp (thu lại phiếu hẹn) rồi xác nhận.")


class WithdrawForm(ActionForm):
    title = _("Rút hồ sơ theo đề nghị của công dân")
    submit_label = _("Rút hồ sơ")
    done_message = _("Đã rút hồ sơ theo đề nghị của người nộp.")
    reason = _reason(_("Lý do rút hồ sơ"))


class StopForm(ActionForm):
    title = _("Dừng xử lý")
    submit_label = _("Dừng xử lý hồ sơ")
    done_message = _("Đã dừng xử lý hồ sơ.")
    reason = _reason(_("Lý do dừng xử lý (căn cứ pháp lý)"))


#: The form of each action of ``actions.ACTIONS``.
ACTION_FORMS: dict[str, type[ActionForm]] = {
    "accept": AcceptForm,
    "request_documents": RequestDocumentsForm,
    "supply_documents": SupplyDocumentsForm,
    "refuse": RefuseForm,
    "forward": ForwardForm,
    "send_back": SendBackForm,
    "attach_result": AttachResultForm,
    "request_financial": RequestFinancialForm,
    "confirm_financial": ConfirmFinancialForm,
    "collect_fee": CollectFeeForm,
    "apologise": ApologiseForm,
    "return_result": ReturnResultForm,
    "withdraw": WithdrawForm,
    "stop": StopForm,
}


def officials_for_assignment(unit_id: int, role: str) -> QuerySet[User]:
    """Active officials of a unit holding *role*, for the "assign to" choice."""
    return (
        User.objects.filter(
            unit_id=unit_id, account_type=AccountType.OFFICIAL, is_active=True, roles__role=role
        )
        .distinct()
        .order_by("full_name")
    )
