"""Forms of the citizen pages: the report (two steps), follow-up replies, rating, look-up.

Forms only parse input; the views hand the cleaned data to one service in ``services.py``.

The report is sent in two steps so that it works without JavaScript:

1. :class:`ReportForm`: what, which category, where, who. A category may have a *section* of
   its own (extra questions, and for the confidential category the official concerned). With
   JavaScript the section appears as soon as the category is chosen; without it, the first
   "Tiếp tục" shows the section and asks for it (``section_pending``), nothing is lost.
2. :class:`AttachmentsForm` on the confirmation page: photos and files, chosen right before
   sending. Files are asked for on the last step on purpose: a browser never re-sends a file
   on a later request, so files chosen on step 1 would be lost (or would need a temporary
   store of unsent uploads from anyone on the internet). Step 1's answers travel to step 2 in
   one signed hidden field (:func:`draft_dumps`), so nothing is stored before "Gửi".
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from chinhquyenso.accounts.phone import normalise_phone
from chinhquyenso.feedback.codes import normalise_tracking_code
from chinhquyenso.feedback.models import Category, Satisfaction
from chinhquyenso.feedback.services import ReporterInput
from chinhquyenso.portal.selectors import site_province
from chinhquyenso.units.models import Unit
from chinhquyenso.units.selectors import commune_level_units

TEXT_MAX = 10_000
QUESTION_PREFIX = "q_"
DRAFT_SALT = "feedback.citizen.report-draft"
#: How long a filled-in step 1 may wait on the confirmation page before it must be sent.
DRAFT_MAX_AGE = 6 * 60 * 60
#: A random key in each draft, so that sending the same draft twice sends one report.
DRAFT_NONCE = "_nonce"
#: What the file picker offers; the content itself is checked by ``files.check_upload``.
# HEIC is left out on purpose: iPhones then send their photos as JPEG, which the platform reads
# (it cannot read HEIC yet, see files.py).
ACCEPTED_FILES = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"


def active_categories() -> list[Category]:
    return list(Category.objects.filter(is_active=True).select_related("parent"))


def category_choices(categories: Iterable[Category]) -> list[Any]:
    """Options grouped by top-level category (``<optgroup>``); a group without sub-categories
    is an option itself."""
    categories = list(categories)
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id:
            children.setdefault(category.parent_id, []).append(category)
    choices: list[Any] = [("", _("— Chọn lĩnh vực —"))]
    for category in categories:
        if category.parent_id:
            continue
        group = children.get(category.pk, [])
        if group:
            choices.append((category.name, [(str(child.pk), child.name) for child in group]))
        else:
            choices.append((str(category.pk), category.name))
    return choices


def commune_choices() -> list[Any]:
    province = site_province()
    communes = commune_level_units(province).only("name") if province else Unit.objects.none()
    return [("", _("— Chọn xã, phường —")), *((str(u.pk), u.name) for u in communes)]


class NumberAnswerField(forms.DecimalField):
    """A number typed the Vietnamese way (``2,5``) or the English way (``2.5``)."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace(",", ".")
        return super().to_python(value)


def question_fields(category: Category) -> dict[str, forms.Field]:
    """The form fields of a category's extra questions (``Category.questions``)."""
    fields: dict[str, forms.Field] = {}
    for question in category.questions or []:
        key = str(question.get("key", "")).strip()
        if not key:
            continue
        label = question.get("label") or key
        required = bool(question.get("required"))
        errors = {"required": _("Mời bạn trả lời câu hỏi này.")}
        kind = question.get("type", "text")
        field: forms.Field
        if kind == "number":
            field = NumberAnswerField(
                label=label,
                required=required,
                max_digits=15,
                decimal_places=4,
                error_messages={
                    **errors,
                    "invalid": _("Mời nhập một số, ví dụ 3 hoặc 2,5."),
                    "max_digits": _("Số quá lớn."),
                    "max_decimal_places": _("Số có quá nhiều chữ số sau dấu phẩy."),
                },
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        elif kind in ("choice", "yes_no"):
            options: list[tuple[str, Any]]
            if kind == "yes_no":
                options = [("yes", _("Có")), ("no", _("Không"))]
            else:
                options = [
                    (str(c[0]), str(c[1])) if isinstance(c, list | tuple) else (str(c), str(c))
                    for c in question.get("choices") or []
                ]
            field = forms.ChoiceField(
                label=label,
                required=required,
                choices=options,
                widget=forms.RadioSelect,
                error_messages={
                    **errors,
                    "invalid_choice": _("Mời chọn một trong các câu trả lời."),
                },
            )
        else:
            field = forms.CharField(
                label=label,
                required=required,
                max_length=1000,
                error_messages={
                    **errors,
                    "max_length": _("Câu trả lời dài quá %(limit_value)d ký tự."),
                },
            )
        fields[QUESTION_PREFIX + key] = field
    return fields


def section_fields(category: Category) -> dict[str, forms.Field]:
    """The fields a category adds to the report form (see the module docstring)."""
    fields = question_fields(category)
    if category.is_confidential:
        fields["named_official"] = forms.CharField(
            label=_("Cán bộ bị phản ánh"),
            max_length=255,
            help_text=_(
                "Họ tên hoặc chức vụ và nơi làm việc của cán bộ, ví dụ: cán bộ địa chính "
                "UBND phường. Phản ánh này được chuyển cho cấp trên của cán bộ đó, "
                "cán bộ đó không xem được."
            ),
            error_messages={"required": _("Mời cho biết cán bộ nào (họ tên hoặc chức vụ).")},
        )
    return fields


class SectionForm(forms.Form):
    """A category's extra fields alone, unbound: what the script shows when it is chosen."""

    def __init__(self, category: Category) -> None:
        super().__init__()
        self.fields.update(section_fields(category))


def answers_from(cleaned: dict[str, Any]) -> dict[str, Any]:
    """The extra answers as stored in ``Report.answers`` (only those given)."""
    answers: dict[str, Any] = {}
    for name, value in cleaned.items():
        if not name.startswith(QUESTION_PREFIX) or value in (None, ""):
            continue
        if isinstance(value, Decimal):
            value = int(value) if value == value.to_integral_value() else float(value)
        answers[name.removeprefix(QUESTION_PREFIX)] = value
    return answers


class ReportForm(forms.Form):
    """Step 1 of a report: everything but the files."""

    text = forms.CharField(
        label=_("Nội dung phản ánh"),
        max_length=TEXT_MAX,
        help_text=_(
            "Việc gì đang xảy ra, từ khi nào, ảnh hưởng thế nào. Tối đa 10.000 ký tự. "
            "Đừng ghi số căn cước hay thông tin riêng của người khác."
        ),
        error_messages={
            "required": _("Mời bạn viết nội dung phản ánh."),
            "max_length": _(
                "Nội dung dài %(show_value)d ký tự, vượt quá %(limit_value)d ký tự. "
                "Mời bạn rút gọn."
            ),
        },
        widget=forms.Textarea(attrs={"rows": 7}),
    )
    category = forms.ChoiceField(
        label=_("Lĩnh vực"),
        help_text=_("Chọn lĩnh vực gần nhất; cán bộ tiếp nhận sẽ sửa nếu cần."),
        error_messages={
            "required": _("Mời bạn chọn lĩnh vực."),
            "invalid_choice": _("Lĩnh vực này không còn nhận phản ánh, mời chọn lĩnh vực khác."),
        },
    )
    commune = forms.ChoiceField(
        label=_("Xã, phường nơi xảy ra sự việc"),
        error_messages={
            "required": _("Mời bạn chọn xã, phường."),
            "invalid_choice": _("Mời chọn một xã, phường trong danh sách."),
        },
    )
    address = forms.CharField(
        label=_("Địa chỉ, địa điểm cụ thể"),
        max_length=500,
        required=False,
        help_text=_("Ví dụ: trước nhà số 12, đường Lê Lợi, khối 3. Không bắt buộc."),
        error_messages={"max_length": _("Địa chỉ dài quá %(limit_value)d ký tự.")},
    )
    latitude = forms.DecimalField(
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-90),
        max_value=Decimal(90),
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Vị trí trên bản đồ không hợp lệ, mời chọn lại.")},
    )
    longitude = forms.DecimalField(
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-180),
        max_value=Decimal(180),
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Vị trí trên bản đồ không hợp lệ, mời chọn lại.")},
    )
    name = forms.CharField(
        label=_("Họ và tên"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": _("Họ tên dài quá %(limit_value)d ký tự.")},
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
        error_messages={"max_length": _("Số điện thoại không hợp lệ.")},
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        help_text=_("Nếu có, chúng tôi gửi mã phản ánh và câu trả lời vào địa chỉ này."),
        error_messages={"invalid": _("Thư điện tử không hợp lệ, ví dụ đúng: ten@example.vn.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    identity_private = forms.BooleanField(
        label=_("Giữ kín danh tính của tôi"),
        required=False,
        help_text=_(
            "Cán bộ xử lý không thấy họ tên, số điện thoại, thư điện tử của bạn; chỉ lãnh đạo "
            "đơn vị xử lý thấy khi cần liên hệ. Phản ánh về thái độ cán bộ thì không ai thấy."
        ),
    )
    consent = forms.BooleanField(
        label=_(
            "Tôi đồng ý để cơ quan nhà nước dùng họ tên, số điện thoại, thư điện tử tôi ghi ở "
            "trên để xử lý và trả lời phản ánh này."
        ),
        required=False,
        help_text=_(
            "Chỉ cần đánh dấu khi bạn ghi thông tin liên hệ. Thông tin này không được công khai "
            "và chỉ dùng cho phản ánh này. Không muốn thì để trống các ô liên hệ: "
            "bạn vẫn theo dõi được bằng mã phản ánh."
        ),
    )
    # Which category's section (extra questions) the citizen has seen: see section_pending.
    section = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        categories = kwargs.pop("categories", None)
        self.categories = {c.pk: c for c in (categories or active_categories())}
        if data is not None:
            data = data.copy()
        self.chosen_category = self._category_in(data)
        extra = section_fields(self.chosen_category) if self.chosen_category else {}
        # Shown for the first time now: not checked yet, and remembered as seen.
        self.section_pending = bool(extra) and (
            data is None or data.get("section") != str(self.chosen_category.pk)  # type: ignore[union-attr]
        )
        if data is not None and self.section_pending and self.chosen_category:
            data["section"] = str(self.chosen_category.pk)
        super().__init__(data, *args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = category_choices(
            self.categories.values()
        )
        cast(forms.ChoiceField, self.fields["commune"]).choices = commune_choices()
        self.fields.update(extra)

    def full_clean(self) -> None:
        super().full_clean()
        if self.section_pending and self.is_bound:
            # The section is asked now, for the first time: it is not yet the citizen's fault.
            for name in self.section_field_names:
                self.errors.pop(name, None)

    def _category_in(self, data: Any) -> Category | None:
        raw = (data or {}).get("category")
        try:
            return self.categories.get(int(str(raw)))
        except (TypeError, ValueError):
            return None

    @property
    def section_field_names(self) -> list[str]:
        return [n for n in self.fields if n.startswith(QUESTION_PREFIX) or n == "named_official"]

    def clean_category(self) -> Category:
        return self.categories[int(self.cleaned_data["category"])]

    def clean_commune(self) -> Unit:
        return Unit.objects.get(pk=int(self.cleaned_data["commune"]))

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        normalised = normalise_phone(phone)
        if normalised is None:
            raise forms.ValidationError(
                _("Số điện thoại không hợp lệ, ví dụ đúng: 0912 345 678."), code="invalid"
            )
        return normalised

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_contact = any(data.get(name) for name in ("name", "phone", "email"))
        if has_contact and not data.get("consent"):
            self.add_error(
                "consent",
                _(
                    "Bạn đã ghi thông tin liên hệ: cần đồng ý để chúng tôi dùng thông tin đó, "
                    "hoặc xóa các ô họ tên, số điện thoại, thư điện tử."
                ),
            )
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("latitude", _("Vị trí trên bản đồ không đủ, mời chọn lại."))
        return data

    def reporter_input(self, user: Any = None) -> ReporterInput:
        data = self.cleaned_data
        return ReporterInput(
            name=data["name"].strip(),
            phone=data["phone"],
            email=data["email"],
            identity_private=data["identity_private"],
            consent_given=data["consent"],
            user=user if getattr(user, "is_authenticated", False) else None,
        )


def draft_dumps(data: Any) -> str:
    """Step 1's answers (a ``QueryDict`` or dict) as one signed, compressed string."""
    fields = {k: v for k, v in data.items() if k != "csrfmiddlewaretoken"}
    fields[DRAFT_NONCE] = secrets.token_urlsafe(12)
    return signing.dumps(fields, salt=DRAFT_SALT, compress=True)


def draft_loads(value: str) -> dict[str, str]:
    """The answers of :func:`draft_dumps`; ``signing.BadSignature`` (or its subclass
    ``SignatureExpired``) when forged or too old."""
    loaded = signing.loads(value, salt=DRAFT_SALT, max_age=DRAFT_MAX_AGE)
    if not isinstance(loaded, dict):
        raise signing.BadSignature("not a draft")
    return {str(k): str(v) for k, v in loaded.items()}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class AttachmentsForm(forms.Form):
    """Step 2: up to ``FEEDBACK_MAX_FILES`` photos or files, checked again by the service."""

    photos = MultipleFileField(
        label=_("Ảnh, tệp đính kèm"),
        required=False,
        error_messages={"empty": _("Tệp trống, mời chọn tệp khác.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _(
            "Không bắt buộc. Tối đa %(count)d tệp, mỗi tệp không quá %(mb)d MB: ảnh JPEG, PNG, "
            "WebP hoặc tệp PDF. Vị trí chụp ảnh được xóa khỏi bản công khai."
        ) % {"count": settings.FEEDBACK_MAX_FILES, "mb": settings.FEEDBACK_MAX_FILE_MB}

    def clean_photos(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["photos"]
        if len(files) > settings.FEEDBACK_MAX_FILES:
            raise forms.ValidationError(
                _("Bạn chọn %(n)d tệp; chỉ gửi được tối đa %(max)d tệp.")
                % {"n": len(files), "max": settings.FEEDBACK_MAX_FILES}
            )
        limit = settings.FEEDBACK_MAX_FILE_MB * 1024 * 1024
        too_big = [f.name for f in files if (f.size or 0) > limit]
        if too_big:
            raise forms.ValidationError(
                _("Tệp %(names)s lớn hơn %(mb)d MB, mời chọn ảnh nhỏ hơn.")
                % {"names": ", ".join(str(n) for n in too_big), "mb": settings.FEEDBACK_MAX_FILE_MB}
            )
        return files


class SupplyInfoForm(forms.Form):
    """The reporter answers a request for more information."""

    text = forms.CharField(
        label=_("Thông tin bổ sung"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Mời bạn viết thông tin bổ sung."),
            "max_length": _("Nội dung dài quá %(limit_value)d ký tự."),
        },
    )
    photos = MultipleFileField(label=_("Ảnh, tệp kèm theo (không bắt buộc)"), required=False)

    def clean_photos(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["photos"]
        if len(files) > settings.FEEDBACK_MAX_FILES:
            raise forms.ValidationError(
                _("Chỉ gửi được tối đa %(max)d tệp.") % {"max": settings.FEEDBACK_MAX_FILES}
            )
        return files


class RatingForm(forms.Form):
    """How satisfied the reporter is with the answer; dissatisfied may ask to reopen."""

    value = forms.ChoiceField(
        label=_("Bạn có hài lòng với kết quả xử lý không?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Mời bạn chọn mức độ hài lòng."),
            "invalid_choice": _("Mời chọn một trong ba mức."),
        },
    )
    comment = forms.CharField(
        label=_("Ý kiến của bạn (không bắt buộc)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Ý kiến dài quá %(limit_value)d ký tự.")},
    )
    request_reopen = forms.BooleanField(
        label=_("Tôi đề nghị xử lý lại phản ánh này"),
        required=False,
        help_text=_("Chỉ khi bạn không hài lòng. Lãnh đạo đơn vị sẽ xem xét và trả lời."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("request_reopen") and data.get("value") != Satisfaction.DISSATISFIED:
            self.add_error(
                "request_reopen",
                _("Chỉ đề nghị xử lý lại được khi bạn chọn “Không hài lòng”."),
            )
        return data


class TrackingLookupForm(forms.Form):
    """Anyone looks a report up by its tracking code."""

    ma = forms.CharField(
        label=_("Mã phản ánh"),
        max_length=40,
        help_text=_("Ví dụ: PA-7K3Q-X9M2. Không phân biệt chữ hoa, chữ thường."),
        error_messages={"required": _("Mời nhập mã phản ánh.")},
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}
        ),
    )

    def clean_ma(self) -> str:
        code = normalise_tracking_code(self.cleaned_data["ma"])
        if code is None:
            raise forms.ValidationError(
                _("Mã phản ánh không đúng. Mã có dạng PA-XXXX-XXXX, mời kiểm tra lại.")
            )
        return code
