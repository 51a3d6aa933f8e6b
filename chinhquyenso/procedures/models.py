"""The catalogue of administrative procedures (thủ tục hành chính), versioned.

A :class:`Procedure` is the stable identity (its national code, e.g. ``1.000948.H38``); what it
requires changes over time, so everything a dossier depends on lives in a
:class:`ProcedureVersion` valid from one date to another. A dossier keeps the version it was
submitted under, even after the procedure is updated.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chinhquyenso.accounts.models import Role
from chinhquyenso.core.search import SearchableMixin


class OnlineLevel(models.TextChoices):
    """Decree 42/2022/NĐ-CP Art. 11: full (old level 4) or partial (old level 3) online."""

    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không trực tuyến")


class ResultType(models.TextChoices):
    PAPER = "paper", _("Bản giấy")
    ELECTRONIC = "electronic", _("Bản điện tử")
    BOTH = "both", _("Bản giấy và bản điện tử")


class ComponentForm(models.TextChoices):
    """In what form a required document must be supplied."""

    ORIGINAL = "original", _("Bản chính")
    CERTIFIED_COPY = "certified_copy", _("Bản sao có chứng thực")
    COPY = "copy", _("Bản sao")
    E_COPY = "e_copy", _("Bản sao điện tử")
    ORIGINAL_FOR_CHECK = "original_for_check", _("Bản chính để đối chiếu")


class StepActor(models.TextChoices):
    """Which unit acts in a processing step of a dossier."""

    RECEIVING = "receiving", _("Đơn vị tiếp nhận (bộ phận một cửa)")
    HANDLING = "handling", _("Cơ quan giải quyết")


class Field(models.Model):
    """A field of procedures (lĩnh vực), e.g. Hộ tịch, Chứng thực, Đất đai."""

    code = models.SlugField(_("mã"), max_length=50, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self) -> str:
        return self.name


class Procedure(SearchableMixin, models.Model):
    """One administrative procedure, identified by its code in the national database."""

    code = models.CharField(_("mã thủ tục"), max_length=50, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(
        Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures"
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        ordering = ["field__name", "name"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProcedureVersion(models.Model):
    """What a procedure requires, from ``valid_from`` to ``valid_to`` (both inclusive)."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("phiên bản"))
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hết hiệu lực"), null=True, blank=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    online_level = models.CharField(
        _("mức độ trực tuyến"), max_length=10, choices=OnlineLevel.choices
    )
    unit_kinds = models.JSONField(
        _("cấp thực hiện"),
        default=list,
        help_text=_("Loại đơn vị tiếp nhận thủ tục (xã, phường, sở…), danh sách mã UnitKind."),
    )
    handling_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("cơ quan giải quyết"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Để trống: đơn vị tiếp nhận tự giải quyết."),
    )
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    processing_days = models.PositiveIntegerField(_("thời hạn giải quyết (ngày làm việc)"))
    result_type = models.CharField(_("kết quả"), max_length=12, choices=ResultType.choices)
    result_name = models.CharField(_("tên kết quả"), max_length=500, blank=True)
    requirements = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    counter_note = models.TextField(
        _("cần mang đến bộ phận một cửa"),
        blank=True,
        help_text=_("Với thủ tục một phần: giấy tờ bản chính cần xuất trình khi nhận kết quả."),
    )
    form_schema = models.JSONField(_("biểu mẫu điện tử (JSON Schema)"), default=dict, blank=True)
    source = models.CharField(_("nguồn"), max_length=500, blank=True)

    class Meta:
        ordering = ["procedure", "-number"]
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "number"], name="unique_procedure_version"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="procedure_version_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"

    @property
    def fee_total(self) -> int:
        """What one dossier pays, in đồng, before exemptions."""
        return sum(fee.amount for fee in self.fees.all())


class Fee(models.Model):
    """A fee or charge (phí, lệ phí) of a procedure version, in Vietnamese đồng."""

    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("phiên bản"), on_delete=models.CASCADE, related_name="fees"
    )
    name = models.CharField(_("tên khoản thu"), max_length=255)
    amount = models.PositiveBigIntegerField(_("mức thu (đồng)"))
    exemption = models.TextField(_("đối tượng miễn, giảm"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self) -> str:
        return f"{self.name}: {self.amount:,} đ"


class Component(models.Model):
    """A document the applicant supplies (thành phần hồ sơ)."""

    version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("phiên bản"),
        on_delete=models.CASCADE,
        related_name="components",
    )
    order = models.PositiveIntegerField(_("thứ tự"))
    code = models.SlugField(_("mã"), max_length=50)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    form = models.CharField(
        _("hình thức"), max_length=20, choices=ComponentForm.choices, default=ComponentForm.COPY
    )
    quantity = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    is_required = models.BooleanField(_("bắt buộc"), default=True)
    template = models.FileField(
        _("mẫu đơn, tờ khai"), upload_to="procedures/templates/", blank=True
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_component_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    """One step of processing a dossier: who acts, and its share of the time limit."""

    version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("phiên bản"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    order = models.PositiveIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=255)
    actor = models.CharField(_("đơn vị thực hiện"), max_length=10, choices=StepActor.choices)
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    days = models.DecimalField(
        _("thời gian (ngày làm việc)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Phần thời hạn giải quyết dành cho bước này."),
    )

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="unique_step_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
