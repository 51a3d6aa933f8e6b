"""Dossiers (hồ sơ) of administrative procedures, from submission to the returned result.

Statuses are the national synchronisation codes 1–10 (plus 0 for an online draft, never
synchronised); the allowed moves between them are in ``workflow.py``. Every hand-over between
units and people is a :class:`Handover` row: together they are the process-control slip.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.search import SearchableMixin


class Channel(models.IntegerChoices):
    """How the dossier reached the government (national code)."""

    COUNTER = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POST = 3, _("Bưu chính công ích")


class Status(models.IntegerChoices):
    """National dossier status codes; 0 is an online draft that has not been sent."""

    DRAFT = 0, _("Bản nháp")
    NEW = 1, _("Mới đăng ký")
    ACCEPTED = 2, _("Đã tiếp nhận")
    NOT_ACCEPTED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    ADDITIONAL_REQUESTED = 5, _("Yêu cầu bổ sung hồ sơ")
    FINANCIAL_REQUESTED = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Công dân rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    PROCESSED = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")


class FileKind(models.TextChoices):
    COMPONENT = "component", _("Thành phần hồ sơ")
    ADDITIONAL = "additional", _("Tài liệu bổ sung")
    RESULT = "result", _("Kết quả giải quyết")


class SlipKind(models.TextChoices):
    RECEIPT = "receipt", _("Phiếu tiếp nhận và hẹn trả kết quả")
    ADDITIONAL = "additional", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận hồ sơ")
    PROCESS_CONTROL = "process_control", _("Phiếu kiểm soát quá trình giải quyết hồ sơ")
    APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Hài lòng")
    NEUTRAL = "neutral", _("Bình thường")
    DISSATISFIED = "dissatisfied", _("Không hài lòng")


class Dossier(SearchableMixin, models.Model):
    """One dossier and where it stands."""

    code = models.CharField(_("mã hồ sơ"), max_length=60, null=True, blank=True, unique=True)
    status = models.PositiveSmallIntegerField(
        _("trạng thái"), choices=Status.choices, default=Status.DRAFT
    )
    channel = models.PositiveSmallIntegerField(_("kênh tiếp nhận"), choices=Channel.choices)
    version = models.ForeignKey(
        "procedures.ProcedureVersion",
        verbose_name=_("thủ tục"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    receiving_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="received_dossiers",
    )
    handling_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("cơ quan giải quyết"),
        on_delete=models.PROTECT,
        related_name="handled_dossiers",
    )
    current_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị đang xử lý"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_step = models.ForeignKey(
        "procedures.Step",
        verbose_name=_("bước đang xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ đang xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The applicant (người nộp hồ sơ); an account for online dossiers, or typed at the counter.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản người nộp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    applicant_name = models.CharField(_("họ tên người nộp"), max_length=255)
    applicant_id_number = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    form_data = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)
    submission_key = models.CharField(
        _("khóa chống gửi trùng"),
        max_length=80,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Một lần nộp chỉ tạo một hồ sơ, dù biểu mẫu hay lời gọi API được gửi lại."),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ tiếp nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Time line. ``due_at`` is the appointment date on the receipt slip; ``original_due_at``
    # keeps the first one when pauses or an apology move it.
    created_at = models.DateTimeField(_("tạo lúc"))
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("ngày hẹn trả"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("ngày hẹn trả ban đầu"), null=True, blank=True)
    paused_at = models.DateTimeField(_("tạm dừng tính thời gian từ"), null=True, blank=True)
    step_due_at = models.DateTimeField(_("hạn của bước hiện tại"), null=True, blank=True)
    processed_at = models.DateTimeField(_("xử lý xong lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    additional_requests = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    is_late = models.BooleanField(
        _("quá hạn"),
        default=False,
        help_text=_("Trả kết quả sau ngày hẹn, hoặc yêu cầu bổ sung quá một lần."),
    )
    # Fees: the amount due when received (after exemptions) and whether it was paid online.
    fee_amount = models.PositiveBigIntegerField(_("phí, lệ phí (đồng)"), default=0)
    fee_exempt_reason = models.CharField(_("lý do miễn, giảm"), max_length=255, blank=True)
    paid_at = models.DateTimeField(_("đã nộp phí lúc"), null=True, blank=True)
    paid_online = models.BooleanField(_("nộp phí trực tuyến"), default=False)
    payment_reference = models.CharField(_("mã giao dịch"), max_length=64, blank=True)
    result_note = models.TextField(_("kết quả giải quyết"), blank=True)
    stop_reason = models.TextField(_("lý do"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            models.Index(fields=["current_unit", "status", "step_due_at"], name="dossier_queue"),
            models.Index(fields=["receiving_unit", "status"], name="dossier_receiving"),
            models.Index(fields=["applicant", "-created_at"], name="dossier_applicant"),
            models.Index(fields=["status", "due_at"], name="dossier_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=0) | Q(code__isnull=False), name="dossier_sent_has_code"
            ),
        ]

    def __str__(self) -> str:
        return self.code or str(_("Hồ sơ nháp"))

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class DossierSequence(models.Model):
    """The last sequence number given to an agency's dossiers on one day.

    The row is locked while a code is generated, so concurrent submissions never share a code.
    """

    agency_code = models.CharField(max_length=30)
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency_code", "day"], name="unique_dossier_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.day:%d/%m/%Y}: {self.last_number}"


class DossierFile(models.Model):
    """A file of a dossier: a component, an additional document or the result.

    Slips are not stored: they are rendered from the dossier's records whenever asked for."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="files"
    )
    kind = models.CharField(_("loại"), max_length=12, choices=FileKind.choices)
    component = models.ForeignKey(
        "procedures.Component",
        verbose_name=_("thành phần"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("tệp"), upload_to="dossiers/%Y/%m/")
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("kiểu tệp"), max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("tệp hồ sơ")
        verbose_name_plural = _("tệp hồ sơ")

    def __str__(self) -> str:
        return self.original_name


class DossierEvent(models.Model):
    """Append-only history of a dossier: every action, who took it and the status it led to."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("thời điểm"))
    action = models.CharField(_("thao tác"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.PositiveSmallIntegerField(choices=Status.choices, null=True)
    to_status = models.PositiveSmallIntegerField(choices=Status.choices)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("lịch sử hồ sơ")
        verbose_name_plural = _("lịch sử hồ sơ")

    def __str__(self) -> str:
        return f"{self.dossier} {self.action}"


class Handover(models.Model):
    """One step of processing at one unit: the process-control record (phiếu kiểm soát).

    Opened when the dossier is handed to the step's unit, closed (``done_at``) when that unit
    hands it on; on time when ``done_at`` is no later than ``due_at``.
    """

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="handovers"
    )
    step = models.ForeignKey(
        "procedures.Step",
        verbose_name=_("bước"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người giao"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handed_at = models.DateTimeField(_("nhận lúc"))
    due_at = models.DateTimeField(_("hạn"))
    done_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["handed_at", "pk"]
        verbose_name = _("giao nhận hồ sơ")
        verbose_name_plural = _("giao nhận hồ sơ")

    def __str__(self) -> str:
        return f"{self.dossier} → {self.unit}"

    @property
    def on_time(self) -> bool | None:
        return None if self.done_at is None else self.done_at <= self.due_at


class AdditionalRequest(models.Model):
    """A request for additional documents, listing everything missing at once.

    While it is open the dossier's clock is paused; ``resolved_at`` ends the pause.
    """

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="requests"
    )
    items = models.JSONField(
        _("nội dung cần bổ sung"), help_text=_('Danh sách {"name", "reason"}.')
    )
    note = models.TextField(_("hướng dẫn"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ yêu cầu"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("yêu cầu lúc"))
    resolved_at = models.DateTimeField(_("đã bổ sung lúc"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("yêu cầu bổ sung hồ sơ")
        verbose_name_plural = _("yêu cầu bổ sung hồ sơ")

    def __str__(self) -> str:
        return f"{self.dossier} {self.requested_at:%d/%m/%Y}"


class Apology(models.Model):
    """An apology and new appointment date for a dossier that will be late."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="apologies"
    )
    reason = models.TextField(_("lý do chậm"))
    old_due_at = models.DateTimeField(_("ngày hẹn cũ"))
    new_due_at = models.DateTimeField(_("ngày hẹn mới"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xin lỗi"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("lúc"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("phiếu xin lỗi")
        verbose_name_plural = _("phiếu xin lỗi")

    def __str__(self) -> str:
        return f"{self.dossier} {self.new_due_at:%d/%m/%Y}"


class Feedback(models.Model):
    """The applicant's satisfaction rating after the result."""

    dossier = models.OneToOneField(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="rating"
    )
    rating = models.CharField(_("mức độ hài lòng"), max_length=12, choices=Rating.choices)
    comment = models.TextField(_("ý kiến"), blank=True)
    at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")

    def __str__(self) -> str:
        return f"{self.dossier}: {self.get_rating_display()}"
