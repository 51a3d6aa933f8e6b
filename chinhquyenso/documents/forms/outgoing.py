"""Forms of the outgoing documents pages: the draft, one form per action, the signing page.

The forms only parse and lay out; the services in ``documents.outgoing`` check and decide, and
their :class:`~chinhquyenso.documents.errors.DocumentError` lands beside the input it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.documents.forms.incoming import DateInput, DocumentTypeField, show_error
from chinhquyenso.documents.models import (
    BusinessType,
    Document,
    DocumentType,
    Secrecy,
    Urgency,
)
from chinhquyenso.signing.appearance import PLACEHOLDER_BOX_MM, POINTS_PER_MM, Box
from chinhquyenso.units.models import Unit

MAX_TEXT = 10_000
#: What the file inputs offer in the browser's picker (the content decides, not the name).
DRAFT_ACCEPT = (
    "application/pdf,.pdf,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,.docx"
)


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return "— " * max(obj.depth - 1, 0) + obj.name


class SignerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name}, {obj.job_title}" if obj.job_title else str(obj.full_name)


def _draft_file(label: StrOrPromise, *, required: bool = True) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=required,
        help_text=_("Tệp PDF hoặc Word (.docx); tệp Word được chuyển sang PDF, giữ cả hai bản."),
        widget=forms.ClearableFileInput(attrs={"accept": DRAFT_ACCEPT}),
        error_messages={"required": _("Xin chọn tệp dự thảo (PDF hoặc DOCX).")},
    )


class DraftForm(forms.Form):
    """A new outgoing document (or a replacement or update of an issued one)."""

    document_type = DocumentTypeField(
        label=_("Loại văn bản"),
        queryset=DocumentType.objects.none(),
        empty_label=_("— Chọn loại văn bản —"),
        error_messages={"required": _("Xin chọn loại văn bản.")},
    )
    subject = forms.CharField(
        label=_("Trích yếu nội dung"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Cần nhập trích yếu nội dung.")},
    )
    drafting_unit_abbreviation = forms.CharField(
        label=_("Viết tắt đơn vị soạn thảo (cho công văn)"),
        required=False,
        max_length=20,
        help_text=_("Ví dụ VX trong 12/UBND-VX; để trống nếu không có."),
    )
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NORMAL)
    secrecy = forms.ChoiceField(
        label=_("Độ mật"),
        choices=Secrecy.choices,
        initial=Secrecy.NONE,
        help_text=_("Văn bản mật được đánh số riêng và không gửi qua hệ thống."),
    )
    signer = SignerField(
        label=_("Người có thẩm quyền ký"),
        queryset=User.objects.none(),
        empty_label=_("— Chọn người ký —"),
        error_messages={"required": _("Xin chọn người ký.")},
    )
    recipient_units = UnitChoiceField(
        label=_("Nơi nhận trong hệ thống (giữ Ctrl để chọn nhiều)"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Văn bản đến thẳng hàng đợi văn bản đến của các đơn vị này khi ban hành."),
    )
    recipients_text = forms.CharField(
        label=_("Nơi nhận khác (ngoài hệ thống)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Mỗi dòng một nơi nhận; ghi mã định danh điện tử trong ngoặc nếu có để gửi gói "
            "edXML, ví dụ: Sở Tài chính tỉnh Hà Tĩnh (000.00.12.H30)."
        ),
    )
    due_on = forms.DateField(
        label=_("Hạn xử lý đề nghị nơi nhận (nếu có)"), required=False, widget=DateInput()
    )
    file = _draft_file(_("Tệp dự thảo"))
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        signers: QuerySet[User],
        recipient_units: QuerySet[Unit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("document_type", DocumentType.objects.order_by("sort_order", "name")),
            ("signer", signers),
            ("recipient_units", recipient_units),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "document_type": data["document_type"],
            "subject": data["subject"],
            "drafting_unit_abbreviation": data["drafting_unit_abbreviation"],
            "urgency": data["urgency"],
            "secrecy": data["secrecy"],
            "signer": data["signer"],
            "recipient_units": list(data["recipient_units"]),
            "recipients_text": data["recipients_text"],
            "due_on": data["due_on"],
            "upload": data["file"],
            "note": data["note"],
        }

    def show_error(self, exc: ValidationError) -> None:
        show_error(self, exc, {"upload": "file"})


def initial_from(document: Document) -> dict[str, Any]:
    """A replacement or update starts from what the issued document said."""
    return {
        "document_type": document.document_type_id,
        "subject": document.subject,
        "drafting_unit_abbreviation": document.drafting_unit_abbreviation,
        "urgency": document.urgency,
        "secrecy": document.secrecy,
        "signer": document.signer_id,
        "recipient_units": [u.pk for u in document.recipient_units.all()],
        "recipients_text": document.recipients_text,
    }


FOLLOW_UP_SLUGS = {"thay-the": BusinessType.REPLACE, "cap-nhat": BusinessType.UPDATE}


def signer_choices(unit: Unit) -> QuerySet[User]:
    return (
        User.objects.filter(unit=unit, is_active=True, roles__role=Role.UNIT_LEADER)
        .distinct()
        .order_by("full_name")
    )


# --- actions on one document ------------------------------------------------------------------


class ActionForm(forms.Form):
    title: ClassVar[StrOrPromise] = ""
    submit_label: ClassVar[StrOrPromise] = _("Gửi")
    intro: ClassVar[StrOrPromise] = ""
    multipart: ClassVar[bool] = False

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.document = document

    def show_error(self, exc: ValidationError) -> None:
        show_error(self, exc, {"upload": "file", "comment": "text"})


class VersionForm(ActionForm):
    title = _("Tải lên phiên bản mới")
    submit_label = _("Tải lên")
    multipart = True

    file = _draft_file(_("Tệp phiên bản mới"))
    note = forms.CharField(label=_("Đã sửa gì"), required=False, max_length=MAX_TEXT)


class AttachmentForm(ActionForm):
    title = _("Thêm phụ lục, tài liệu kèm theo")
    submit_label = _("Thêm")
    intro = _("Khi ban hành, cơ quan ký số lên tài liệu kèm theo (không có hình con dấu).")
    multipart = True

    file = _draft_file(_("Tệp phụ lục"))


class CommentForm(ActionForm):
    title = _("Góp ý dự thảo")
    submit_label = _("Gửi góp ý")

    text = forms.CharField(
        label=_("Ý kiến góp ý"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Cần nhập nội dung góp ý.")},
    )


class SubmitForm(ActionForm):
    title = _("Trình duyệt")
    submit_label = _("Trình duyệt")
    intro = _("Gửi phiên bản hiện hành cho lãnh đạo đơn vị duyệt.")

    note = forms.CharField(
        label=_("Lời trình"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApproveForm(ActionForm):
    title = _("Duyệt dự thảo")
    submit_label = _("Duyệt phiên bản này")

    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Ý kiến (nếu có)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def service_arguments(self) -> dict[str, Any]:
        version = self.document.files.filter(pk=self.cleaned_data["version"]).first()
        if version is None:
            raise ValidationError(_("Phiên bản không thuộc văn bản này."))
        return {"version": version, "comment": self.cleaned_data["comment"]}


class ReturnForm(ActionForm):
    title = _("Trả lại dự thảo")
    submit_label = _("Trả lại")
    intro = _("Dự thảo trở về người soạn thảo để sửa; ý kiến được lưu kèm phiên bản.")

    comment = forms.CharField(
        label=_("Ý kiến khi trả lại"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Cần ghi ý kiến khi trả lại.")},
    )


class NumberForm(ActionForm):
    title = _("Cấp số, ngày ban hành")
    submit_label = _("Cấp số")
    intro = _(
        "Lấy số tiếp theo trong sổ văn bản đi của đơn vị và điền số, ký hiệu, ngày ban hành "
        "vào văn bản đã ký; chữ ký số vẫn hợp lệ."
    )

    issued_on = forms.DateField(
        label=_("Ngày ban hành"),
        required=False,
        widget=DateInput(),
        help_text=_("Để trống: hôm nay."),
    )


class IssueForm(ActionForm):
    title = _("Ký số cơ quan và ban hành")
    submit_label = _("Ký số và ban hành")
    intro = _(
        "Cơ quan ký số (hình con dấu trùm lên khoảng 1/3 chữ ký bên trái), ký số tài liệu kèm "
        "theo, rồi gửi văn bản đến các nơi nhận."
    )

    secret = forms.CharField(
        label=_("Mã PIN hoặc mật khẩu chứng thư số của cơ quan (nếu được hỏi)"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def service_arguments(self) -> dict[str, Any]:
        return {"secret": self.cleaned_data["secret"] or None}


class RecallForm(ActionForm):
    title = _("Thu hồi văn bản")
    submit_label = _("Thu hồi")
    intro = _("Các nơi nhận được đề nghị trả lại văn bản và trả lời đồng ý hoặc từ chối.")

    reason = forms.CharField(
        label=_("Lý do thu hồi"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Cần nêu lý do thu hồi.")},
    )


#: One form per action of the detail page (signing has its own page).
ACTION_FORMS: dict[str, type[ActionForm]] = {
    "upload_version": VersionForm,
    "add_attachment": AttachmentForm,
    "comment": CommentForm,
    "submit_for_review": SubmitForm,
    "approve": ApproveForm,
    "return_draft": ReturnForm,
    "give_number": NumberForm,
    "seal_and_issue": IssueForm,
    "recall": RecallForm,
}


class RecallAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Trả lời"),
        choices=[("dong-y", _("Đồng ý thu hồi")), ("tu-choi", _("Từ chối thu hồi"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Xin chọn đồng ý hoặc từ chối.")},
    )
    note = forms.CharField(
        label=_("Ghi chú (bắt buộc khi từ chối)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- the signing page -------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    """A ready-made place for the signature, as fractions of the page (left, top)."""

    label: StrOrPromise
    left: float
    top: float


PRESETS = {
    "phai-duoi": Preset(_("Bên phải, phần dưới trang"), 0.52, 0.68),
    "phai-giua": Preset(_("Bên phải, giữa trang"), 0.52, 0.45),
    "phai-tren": Preset(_("Bên phải, phần trên trang"), 0.52, 0.22),
}
SIGNATURE_SIZE_MM = PLACEHOLDER_BOX_MM


class SignForm(forms.Form):
    """Where the signature goes: the template's placeholder, a preset place, or a box chosen on
    the preview (or typed in millimetres from the page's top left corner)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    placement = forms.ChoiceField(
        label=_("Vị trí chữ ký"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Xin chọn cách đặt chữ ký.")},
    )
    preset = forms.ChoiceField(
        label=_("Vị trí có sẵn"),
        required=False,
        choices=[(key, preset.label) for key, preset in PRESETS.items()],
    )
    page = forms.IntegerField(label=_("Trang"), min_value=1)
    left_mm = forms.DecimalField(
        label=_("Cách mép trái (mm)"), required=False, min_value=0, max_digits=6, decimal_places=1
    )
    top_mm = forms.DecimalField(
        label=_("Cách mép trên (mm)"), required=False, min_value=0, max_digits=6, decimal_places=1
    )
    width_mm = forms.DecimalField(
        label=_("Rộng (mm)"),
        required=False,
        min_value=20,
        max_value=150,
        max_digits=5,
        decimal_places=1,
        initial=SIGNATURE_SIZE_MM[0],
    )
    height_mm = forms.DecimalField(
        label=_("Cao (mm)"),
        required=False,
        min_value=10,
        max_value=100,
        max_digits=5,
        decimal_places=1,
        initial=SIGNATURE_SIZE_MM[1],
    )
    with_name = forms.BooleanField(
        label=_("Ghi chức vụ và họ tên kèm hình chữ ký (khi văn bản chưa in sẵn)"),
        required=False,
    )
    secret = forms.CharField(
        label=_("Mã PIN hoặc mật khẩu chứng thư số (nếu được hỏi)"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(
        self, *args: Any, pages: list[Box], placeholder_page: int | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.pages = pages
        choices: list[tuple[str, StrOrPromise]] = []
        if placeholder_page is not None:
            choices.append(
                (
                    "placeholder",
                    _("Đúng chỗ đánh dấu [[CHU_KY]] trong văn bản (trang %(page)s)")
                    % {"page": placeholder_page},
                )
            )
        choices += [
            ("preset", _("Vị trí có sẵn (chọn bên dưới)")),
            ("box", _("Vị trí tự chọn trên hình trang (kéo chuột, chạm, hoặc nhập số đo)")),
        ]
        field = self.fields["placement"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        page = self.fields["page"]
        assert isinstance(page, forms.IntegerField)
        page.max_value = len(pages)
        page.widget.attrs["max"] = len(pages)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        placement, page = data.get("placement"), data.get("page")
        if placement in (None, "placeholder") or page is None or self.errors:
            return data
        width_pt, height_pt = self._page_size(page)
        if placement == "preset":
            preset = PRESETS.get(data.get("preset") or "")
            if preset is None:
                self.add_error("preset", _("Xin chọn một vị trí có sẵn."))
                return data
            width, height = SIGNATURE_SIZE_MM
            left = preset.left * width_pt / POINTS_PER_MM
            top = preset.top * height_pt / POINTS_PER_MM
        else:
            missing = [
                n for n in ("left_mm", "top_mm", "width_mm", "height_mm") if data.get(n) is None
            ]
            for name in missing:
                self.add_error(name, _("Cần nhập số đo này, hoặc chọn vị trí trên hình trang."))
            if missing:
                return data
            left, top = float(data["left_mm"]), float(data["top_mm"])
            width, height = float(data["width_mm"]), float(data["height_mm"])
        if (left + width) * POINTS_PER_MM > width_pt or (top + height) * POINTS_PER_MM > height_pt:
            raise ValidationError(
                _("Khung chữ ký vượt ra ngoài trang %(page)s (trang rộng %(w)s mm, cao %(h)s mm).")
                % {
                    "page": page,
                    "w": round(width_pt / POINTS_PER_MM),
                    "h": round(height_pt / POINTS_PER_MM),
                }
            )
        data["box_mm"] = (left, top, width, height)
        return data

    def _page_size(self, page: int) -> tuple[float, float]:
        x1, y1, x2, y2 = self.pages[page - 1]
        return x2 - x1, y2 - y1

    def box(self) -> Box | None:
        """The chosen box in PDF points (origin bottom left), ``None`` for the placeholder."""
        if self.cleaned_data["placement"] == "placeholder":
            return None
        left, top, width, height = self.cleaned_data["box_mm"]
        x0, _y0, _x1, y1 = self.pages[self.cleaned_data["page"] - 1]
        k = POINTS_PER_MM
        return (x0 + left * k, y1 - (top + height) * k, x0 + (left + width) * k, y1 - top * k)

    def show_error(self, exc: ValidationError) -> None:
        show_error(self, exc, {"signature": "placement", "credential": "placement"})
