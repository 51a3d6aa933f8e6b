"""Forms of the officials' pages: one small form per action on a report, and the queue filters.

Forms only parse input; the view hands the cleaned data to one service in ``services.py``.
Each action form is rendered with its action name as prefix, so several forms share one page.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from chinhquyenso.accounts.models import AccountType, User
from chinhquyenso.feedback.codes import normalise_tracking_code
from chinhquyenso.feedback.forms.citizen import MultipleFileField
from chinhquyenso.feedback.models import Category, RefusalReason, Report, Status, Urgency
from chinhquyenso.feedback.selectors import get_report_for_user
from chinhquyenso.feedback.workflow import HANDLING_ROLES
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.selectors import units_active_on

TEXT_MAX = 10_000


def _categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent")


def _units(exclude: Unit | None = None) -> QuerySet[Unit]:
    """Units that can handle a report: every unit in force except Front committees."""
    units = units_active_on().exclude(kind=UnitKind.FRONT_COMMITTEE)
    return units.exclude(pk=exclude.pk) if exclude is not None else units


class UnitChoiceField(forms.ModelChoiceField):
    """A unit select whose options are indented by depth, so the tree reads at a glance."""

    def label_from_instance(self, obj: Any) -> str:
        return "\u00a0\u00a0" * max(obj.depth - 1, 0) + obj.name


class OfficialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name}, {obj.job_title}" if obj.job_title else obj.full_name


def _officials_of(*units: Unit | None) -> QuerySet[User]:
    return User.objects.filter(
        unit__in=[unit for unit in units if unit is not None],
        account_type=AccountType.OFFICIAL,
        is_active=True,
    ).order_by("full_name")


def _text(label: StrOrPromise, *, required: bool = True, rows: int = 3, **kw: Any) -> forms.Field:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kw,
    )


class ActionForm(forms.Form):
    """Base of the per-action forms: knows the report and the official acting on it.

    ``primary`` forms are the step the report waits for and are shown open; the others are
    folded under their title (``<details>``, which works without JavaScript).
    """

    primary: ClassVar[bool] = False
    title: StrOrPromise = ""
    submit_label: StrOrPromise = _("Thực hiện")
    intro: ClassVar[StrOrPromise] = ""

    def __init__(self, *args: Any, report: Report, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        self.user = user


class AcceptForm(ActionForm):
    primary = True
    title = _("Tiếp nhận")
    submit_label = _("Tiếp nhận phản ánh")
    category = forms.ModelChoiceField(
        label=_("Lĩnh vực"), queryset=Category.objects.none(), empty_label=_("— Chọn —")
    )
    urgency = forms.ChoiceField(label=_("Mức độ"), choices=Urgency.choices)
    handling_unit = UnitChoiceField(
        label=_("Đơn vị xử lý (chọn khác nếu không theo quy tắc)"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— Theo quy tắc phân công —"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()  # type: ignore[attr-defined]
        self.fields["handling_unit"].queryset = _units()  # type: ignore[attr-defined]
        self.initial.setdefault("category", self.report.category_id)
        self.initial.setdefault("urgency", self.report.urgency)
        if self.report.is_confidential:
            # Confidential track: who the report is about, so they never see it.
            self.fields["named_official"] = OfficialChoiceField(
                label=_("Cán bộ bị phản ánh"),
                help_text=_("Cán bộ được chọn sẽ không xem được phản ánh này."),
                queryset=_officials_of(self.report.commune, self.report.receiving_unit).exclude(
                    pk=self.user.pk
                ),
                required=False,
                empty_label=_("— Chưa xác định —"),
            )


class RefuseForm(ActionForm):
    title = _("Từ chối tiếp nhận")
    submit_label = _("Từ chối")
    reason = forms.ChoiceField(label=_("Lý do"), choices=RefusalReason.choices)
    note = _text(_("Giải thích cho người phản ánh"), required=False)


class HandOffForm(ActionForm):
    title = _("Chuyển theo pháp luật khiếu nại, tố cáo")
    submit_label = _("Chuyển và hướng dẫn")
    intro = _(
        "Dùng khi nội dung là khiếu nại hoặc tố cáo: phản ánh kết thúc tại đây và người phản ánh "
        "nhận được hướng dẫn nộp đơn đúng nơi, đúng thủ tục."
    )
    guidance = _text(
        _("Hướng dẫn cho người phản ánh"),
        rows=4,
        help_text=_("Ví dụ: nộp đơn khiếu nại tại Ban Tiếp công dân tỉnh, số 16 Trường Thi, Vinh."),
    )


class MergeForm(ActionForm):
    title = _("Gộp vào phản ánh khác")
    submit_label = _("Gộp phản ánh")
    into_code = forms.CharField(
        label=_("Mã phản ánh gộp vào"),
        max_length=16,
        help_text=_("Người phản ánh của phản ánh này sẽ theo dõi phản ánh được gộp vào."),
    )
    note = _text(_("Ghi chú"), required=False, rows=2)

    def clean_into_code(self) -> str:
        code = normalise_tracking_code(self.cleaned_data["into_code"])
        if code is None:
            raise forms.ValidationError(_("Mã phản ánh không đúng, ví dụ đúng: PA-7K3Q-X9M2."))
        try:
            # The action's input is the report itself (``actions.ACTIONS["merge"]``).
            self.cleaned_data["into"] = get_report_for_user(self.user, code)
        except Http404:
            raise forms.ValidationError(
                _("Không tìm thấy phản ánh có mã này trong phạm vi bạn theo dõi.")
            ) from None
        return code


class ClassifyForm(ActionForm):
    title = _("Phân loại")
    submit_label = _("Lưu phân loại")
    category = forms.ModelChoiceField(
        label=_("Lĩnh vực"), queryset=Category.objects.none(), empty_label=_("— Chọn —")
    )
    urgency = forms.ChoiceField(label=_("Mức độ"), choices=Urgency.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()  # type: ignore[attr-defined]
        self.initial.setdefault("category", self.report.category_id)
        self.initial.setdefault("urgency", self.report.urgency)


class TransferForm(ActionForm):
    title = _("Chuyển đơn vị khác")
    submit_label = _("Chuyển")
    to_unit = UnitChoiceField(
        label=_("Chuyển đến đơn vị"), queryset=Unit.objects.none(), empty_label=_("— Chọn —")
    )
    reason = _text(_("Lý do chuyển"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = _units(  # type: ignore[attr-defined]
            exclude=self.report.handling_unit
        )


class ReturnForm(ActionForm):
    title = _("Trả lại đơn vị chuyển đến")
    submit_label = _("Trả lại")
    reason = _text(_("Lý do trả lại"))


class AssignForm(ActionForm):
    title = _("Giao cán bộ xử lý")
    submit_label = _("Giao xử lý")
    handler = OfficialChoiceField(
        label=_("Cán bộ xử lý"), queryset=User.objects.none(), empty_label=_("— Chọn —")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        officials = User.objects.filter(
            unit=self.report.handling_unit,
            account_type=AccountType.OFFICIAL,
            is_active=True,
            roles__role__in=HANDLING_ROLES,
        )
        if self.report.named_official_id:
            # Never hand a confidential report to the official it is about.
            officials = officials.exclude(pk=self.report.named_official_id)
        self.fields["handler"].queryset = officials.distinct().order_by("full_name")  # type: ignore[attr-defined]
        self.initial.setdefault("handler", self.report.handler_id)


class NoteForm(ActionForm):
    title = _("Ghi chú nội bộ")
    submit_label = _("Lưu ghi chú")
    intro = _("Người phản ánh không xem được ghi chú nội bộ.")
    note = _text(_("Nội dung ghi chú"))


class FrontCommentForm(ActionForm):
    primary = True
    title = _("Ý kiến giám sát của Mặt trận")
    submit_label = _("Gửi ý kiến")
    intro = _("Ý kiến được ghi vào diễn biến để đơn vị xử lý xem xét.")
    note = _text(_("Nội dung ý kiến"))


class RequestInfoForm(ActionForm):
    title = _("Đề nghị người phản ánh bổ sung thông tin")
    submit_label = _("Gửi đề nghị")
    intro = _("Thời hạn trả lời tạm dừng cho đến khi người phản ánh bổ sung.")
    question = _text(_("Nội dung cần bổ sung"))


class DraftAnswerForm(ActionForm):
    """The answer, with files (a decision, a photo of the work done); a draft for the leader
    when ``FEEDBACK_APPROVAL_REQUIRED``, the answer itself otherwise."""

    primary = True
    title = _("Dự thảo trả lời")
    submit_label = _("Lưu và trình duyệt")
    answer = _text(_("Nội dung trả lời"), rows=6)
    attachments = MultipleFileField(label=_("Tệp kèm trả lời"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("answer", self.report.answer_draft)
        if not settings.FEEDBACK_APPROVAL_REQUIRED:
            self.title = _("Trả lời")
            self.submit_label = _("Gửi trả lời")
        self.fields["attachments"].help_text = _(
            "Không bắt buộc. Tối đa %(count)d tệp, mỗi tệp không quá %(mb)d MB: ảnh JPEG, PNG, "
            "WebP hoặc tệp PDF. Người phản ánh nhận được bản không có vị trí chụp ảnh."
        ) % {"count": settings.FEEDBACK_MAX_FILES, "mb": settings.FEEDBACK_MAX_FILE_MB}


class ApproveAnswerForm(ActionForm):
    primary = True
    title = _("Duyệt trả lời")
    submit_label = _("Duyệt và gửi trả lời")
    intro = _("Người phản ánh nhận được trả lời và lời mời đánh giá mức độ hài lòng.")
    answer = _text(_("Nội dung trả lời (có thể sửa trước khi duyệt)"), rows=6)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("answer", self.report.answer_draft)


class ReturnDraftForm(ActionForm):
    title = _("Trả lại dự thảo")
    submit_label = _("Trả lại dự thảo")
    reason = _text(_("Yêu cầu chỉnh sửa"))


class RequestExtensionForm(ActionForm):
    title = _("Đề nghị gia hạn")
    submit_label = _("Gửi đề nghị gia hạn")
    extra_working_days = forms.IntegerField(
        label=_("Số ngày làm việc xin thêm"), min_value=1, max_value=30
    )
    reason = _text(_("Lý do gia hạn"))


class DecideExtensionForm(ActionForm):
    primary = True
    title = _("Quyết định gia hạn")
    submit_label = _("Ghi quyết định")
    approve = forms.TypedChoiceField(
        label=_("Quyết định"),
        choices=[("1", _("Đồng ý gia hạn")), ("0", _("Không đồng ý"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )


class PublishForm(ActionForm):
    title = _("Công khai")
    submit_label = _("Công khai trên cổng")
    intro = _("Họ tên, số điện thoại, số định danh, thư điện tử trong nội dung được tự động ẩn.")


class UnpublishForm(ActionForm):
    title = _("Thôi công khai")
    submit_label = _("Thôi công khai")


class DecideReopenForm(ActionForm):
    primary = True
    title = _("Quyết định xử lý lại")
    submit_label = _("Ghi quyết định")
    reopen = forms.TypedChoiceField(
        label=_("Quyết định"),
        choices=[("1", _("Xử lý lại")), ("0", _("Không xử lý lại"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = _text(_("Lý do"))


class QueueFilterForm(forms.Form):
    """Filters above every queue; all optional, sent by GET."""

    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=200)
    category = forms.ModelChoiceField(
        label=_("Lĩnh vực"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("Tất cả"),
    )
    commune = UnitChoiceField(
        label=_("Xã, phường"), queryset=Unit.objects.none(), required=False, empty_label=_("Tất cả")
    )
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)

    def __init__(self, *args: Any, communes: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()  # type: ignore[attr-defined]
        self.fields["commune"].queryset = communes  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", _("Tất cả")), *Status.choices]  # type: ignore[attr-defined]
