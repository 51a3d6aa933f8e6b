"""Official documents (văn bản) under Decree 30/2020/NĐ-CP: registers, incoming and outgoing.

A unit keeps registers (sổ văn bản) per direction; numbers start from 01 each year in each
register series and are never reused. An outgoing document is drafted in versions, approved,
signed by the competent person, numbered by the clerk, signed by the organisation and issued;
recipients inside the platform receive it as an incoming document of their own, linked back by
a :class:`Delivery` whose status the sender follows. An incoming document is registered with
an arrival number, assigned to a lead and cooperating handlers with a deadline, and completed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.search import SearchableMixin


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Văn bản đến")
    OUTGOING = "outgoing", _("Văn bản đi")


class Series(models.TextChoices):
    """Register series: secret documents and copies are numbered apart (Decree 30, Art. 15)."""

    NORMAL = "normal", _("Thường")
    SECRET = "secret", _("Mật")
    COPY = "copy", _("Bản sao")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Thường")
    URGENT = "urgent", _("Khẩn")
    VERY_URGENT = "very_urgent", _("Thượng khẩn")
    FLASH = "flash", _("Hỏa tốc")


class Secrecy(models.TextChoices):
    NONE = "none", _("Thường")
    CONFIDENTIAL = "confidential", _("Mật")
    SECRET = "secret", _("Tối mật")
    TOP_SECRET = "top_secret", _("Tuyệt mật")


class Status(models.TextChoices):
    """States of a document; the allowed moves are in ``workflow.py``."""

    # Outgoing.
    DRAFT = "draft", _("Dự thảo")
    IN_REVIEW = "in_review", _("Đang trình duyệt")
    APPROVED = "approved", _("Đã duyệt, chờ ký")
    SIGNED = "signed", _("Đã ký, chờ cấp số")
    NUMBERED = "numbered", _("Đã cấp số, chờ đóng dấu số")
    ISSUED = "issued", _("Đã ban hành")
    RECALLED = "recalled", _("Đã thu hồi")
    REPLACED = "replaced", _("Đã bị thay thế")
    # Incoming.
    REGISTERED = "registered", _("Đã vào sổ, chờ phân công")
    ASSIGNED = "assigned", _("Đã phân công")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    COMPLETED = "completed", _("Đã hoàn thành")
    REJECTED = "rejected", _("Đã từ chối nhận")


class Channel(models.TextChoices):
    """How an incoming document came to its unit."""

    PLATFORM = "platform", _("Hệ thống (văn bản điện tử liên thông)")
    EDXML = "edxml", _("Gói tin edXML (trục liên thông)")
    REGISTERED = "registered", _("Vào sổ tại đơn vị")


class DeliveryStatus(models.TextChoices):
    """Status of an issued document at one recipient (edXML status codes, QCVN 102:2016)."""

    SENT = "00", _("Đã gửi")
    ARRIVED = "01", _("Đã đến")
    REJECTED = "02", _("Từ chối nhận")
    ACCEPTED = "03", _("Đã tiếp nhận")
    ASSIGNED = "04", _("Đã phân công")
    PROCESSING = "05", _("Đang xử lý")
    COMPLETED = "06", _("Hoàn thành")
    TAKEN_BACK = "13", _("Đã lấy lại")
    RECALL_ACCEPTED = "15", _("Đồng ý thu hồi")
    RECALL_REFUSED = "16", _("Từ chối thu hồi")


class BusinessType(models.IntegerChoices):
    """edXML business type of an issued document."""

    NEW = 0, _("Văn bản mới")
    RECALL = 1, _("Thu hồi")
    UPDATE = 2, _("Cập nhật")
    REPLACE = 3, _("Thay thế")


class DocumentType(models.Model):
    """A type of administrative document with its abbreviation (Decree 30/2020, Appendix III).

    A công văn has no abbreviation: its notation is the issuer's and the drafting unit's
    abbreviations only (``12/UBND-VX``)."""

    code = models.SlugField(_("mã"), max_length=20, unique=True)
    name = models.CharField(_("tên loại văn bản"), max_length=100)
    abbreviation = models.CharField(_("chữ viết tắt"), max_length=10, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("loại văn bản")
        verbose_name_plural = _("loại văn bản")

    def __str__(self) -> str:
        return self.name


class Register(models.Model):
    """A unit's register of incoming or outgoing documents, in one series."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="registers"
    )
    direction = models.CharField(_("loại sổ"), max_length=10, choices=Direction.choices)
    series = models.CharField(_("sổ"), max_length=10, choices=Series.choices, default=Series.NORMAL)
    name = models.CharField(_("tên sổ"), max_length=255)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["unit", "direction", "series"]
        verbose_name = _("sổ văn bản")
        verbose_name_plural = _("sổ văn bản")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "direction", "series"], name="unique_register_series"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RegisterCounter(models.Model):
    """The last number given in a register in one year; locked while a number is taken."""

    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="counters")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["register", "year"], name="unique_register_year")
        ]

    def __str__(self) -> str:
        return f"{self.register} {self.year}: {self.last_number}"


class Document(SearchableMixin, models.Model):
    """One incoming or outgoing document of a unit."""

    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    direction = models.CharField(_("loại"), max_length=10, choices=Direction.choices)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices)
    register = models.ForeignKey(
        Register,
        verbose_name=_("sổ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("loại văn bản"), on_delete=models.PROTECT, related_name="+"
    )
    # The document's own number and notation as issued (``15/QĐ-UBND``), and its year.
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    notation = models.CharField(_("ký hiệu"), max_length=50, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    # Incoming only: the arrival number in the incoming register and when it arrived.
    arrival_number = models.PositiveIntegerField(_("số đến"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("ngày đến"), null=True, blank=True)
    sender_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("cơ quan gửi (trong hệ thống)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sender_name = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    subject = models.TextField(_("trích yếu"))
    signer_name = models.CharField(_("người ký"), max_length=255, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=255, blank=True)
    drafting_unit_abbreviation = models.CharField(
        _("viết tắt đơn vị soạn thảo"), max_length=20, blank=True
    )
    urgency = models.CharField(
        _("độ khẩn"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )
    secrecy = models.CharField(
        _("độ mật"), max_length=12, choices=Secrecy.choices, default=Secrecy.NONE
    )
    due_on = models.DateField(_("hạn xử lý"), null=True, blank=True)
    page_count = models.PositiveSmallIntegerField(_("số trang"), null=True, blank=True)
    recipients_text = models.TextField(_("nơi nhận"), blank=True)
    #: Outgoing: the units of the platform it is to be sent to, chosen while drafting; each gets
    #: a Delivery when it is issued (outside recipients are the lines of ``recipients_text``).
    recipient_units = models.ManyToManyField(
        "units.Unit", verbose_name=_("đơn vị nhận trong hệ thống"), blank=True, related_name="+"
    )
    # Who holds it now inside the unit.
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người soạn thảo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"))
    completed_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    # Outgoing: the competent signer chosen for it; incoming: the leader who assigned it.
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người có thẩm quyền ký"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("thay thế văn bản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    business_type = models.PositiveSmallIntegerField(
        _("loại nghiệp vụ"), choices=BusinessType.choices, default=BusinessType.NEW
    )
    # The delivery this incoming document came from, when sent through the platform.
    source_delivery = models.OneToOneField(
        "Delivery",
        verbose_name=_("nhận từ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_document",
    )
    edxml_id = models.CharField(_("mã edXML"), max_length=100, blank=True)
    #: Text extracted from the current PDF, searched with the subject and notation.
    full_text = models.TextField(_("nội dung văn bản"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        indexes = [
            models.Index(fields=["unit", "direction", "status"], name="document_queue"),
            models.Index(fields=["unit", "direction", "-created_at"], name="document_list"),
        ]
        constraints = [
            # An outgoing number and notation is given once per issuing unit and year.
            models.UniqueConstraint(
                fields=["unit", "year", "number", "notation"],
                condition=Q(direction="outgoing", number__isnull=False),
                name="unique_outgoing_number",
            ),
            models.UniqueConstraint(
                fields=["register", "year", "arrival_number"],
                condition=Q(arrival_number__isnull=False),
                name="unique_arrival_number",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or self.subject[:80]

    @property
    def reference(self) -> str:
        """``15/QĐ-UBND``, or empty before a number is given."""
        return f"{self.number:02d}/{self.notation}" if self.number else ""

    @property
    def channel(self) -> Channel:
        """How this incoming document came: sent through the platform, in an edXML package,
        or registered by the clerk (paper, e-mail)."""
        if self.source_delivery_id:
            return Channel.PLATFORM
        return Channel.EDXML if self.edxml_id else Channel.REGISTERED


class DocumentFile(models.Model):
    """A version of a document's file: drafts, the approved version, each signed stage."""

    class Kind(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        SIGNED = "signed", _("Đã ký")
        ISSUED = "issued", _("Bản ban hành")
        SCAN = "scan", _("Bản quét")
        RECEIVED = "received", _("Bản nhận được")
        ATTACHMENT = "attachment", _("Phụ lục, tài liệu kèm theo")
        RESULT = "result", _("Kết quả xử lý")

    document = models.ForeignKey(
        Document, verbose_name=_("văn bản"), on_delete=models.CASCADE, related_name="files"
    )
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    file = models.FileField(_("tệp PDF"), upload_to="documents/%Y/%m/")
    source_file = models.FileField(
        _("tệp gốc (DOCX)"), upload_to="documents/sources/%Y/%m/", blank=True
    )
    original_name = models.CharField(_("tên tệp"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    is_current = models.BooleanField(_("bản hiện hành"), default=True)
    approved = models.BooleanField(_("đã được duyệt"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("lúc"))
    note = models.TextField(_("ghi chú"), blank=True)
    #: The signatures found when the file arrived (``VerificationReport.as_dict()`` and the
    #: time of the check), kept to show what was received; ``None`` when not checked.
    verification = models.JSONField(
        _("kết quả kiểm tra chữ ký số"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["document", "uploaded_at", "pk"]
        verbose_name = _("tệp văn bản")
        verbose_name_plural = _("tệp văn bản")

    def __str__(self) -> str:
        return f"{self.document} v{self.version}"


class Comment(models.Model):
    """A comment on a draft or an opinion on an incoming document; never edited."""

    document = models.ForeignKey(
        Document, verbose_name=_("văn bản"), on_delete=models.CASCADE, related_name="comments"
    )
    file = models.ForeignKey(
        DocumentFile,
        verbose_name=_("về phiên bản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người góp ý"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("nội dung"))
    at = models.DateTimeField(_("lúc"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("ý kiến")
        verbose_name_plural = _("ý kiến")

    def __str__(self) -> str:
        return self.text[:80]


class Assignment(models.Model):
    """Who handles an incoming document: one lead (chủ trì) and cooperating units or people."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Chủ trì")
        COOPERATE = "cooperate", _("Phối hợp")
        INFORM = "inform", _("Để biết")

    document = models.ForeignKey(
        Document, verbose_name=_("văn bản"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="document_assignments",
    )
    due_on = models.DateField(_("hạn"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người giao"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("giao lúc"))
    completed_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    result_note = models.TextField(_("kết quả"), blank=True)

    class Meta:
        ordering = ["document", "role", "pk"]
        verbose_name = _("phân công xử lý")
        verbose_name_plural = _("phân công xử lý")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(user__isnull=False),
                name="assignment_has_unit_or_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document}: {self.get_role_display()}"


class Delivery(models.Model):
    """An issued document sent to one recipient: a unit of the platform or an outside body."""

    document = models.ForeignKey(
        Document, verbose_name=_("văn bản"), on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_name = models.CharField(_("nơi nhận ngoài hệ thống"), max_length=255, blank=True)
    recipient_code = models.CharField(_("mã định danh nơi nhận"), max_length=30, blank=True)
    business_type = models.PositiveSmallIntegerField(
        _("loại nghiệp vụ"), choices=BusinessType.choices, default=BusinessType.NEW
    )
    status = models.CharField(
        _("trạng thái"), max_length=2, choices=DeliveryStatus.choices, default=DeliveryStatus.SENT
    )
    sent_at = models.DateTimeField(_("gửi lúc"))
    updated_at = models.DateTimeField(_("cập nhật lúc"))
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["document", "pk"]
        verbose_name = _("gửi văn bản")
        verbose_name_plural = _("gửi văn bản")
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient_unit__isnull=False) | ~Q(recipient_name=""),
                name="delivery_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.recipient_unit or self.recipient_name}"


class StatusMessage(models.Model):
    """Append-only log of status messages exchanged for a delivery (edXML status)."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("gửi văn bản"), on_delete=models.CASCADE, related_name="messages"
    )
    status = models.CharField(_("trạng thái"), max_length=2, choices=DeliveryStatus.choices)
    at = models.DateTimeField(_("lúc"))
    by_name = models.CharField(_("người xử lý"), max_length=255, blank=True)
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("thông điệp trạng thái")
        verbose_name_plural = _("thông điệp trạng thái")

    def __str__(self) -> str:
        return f"{self.delivery} {self.status}"


class DocumentEvent(models.Model):
    """Append-only history of a document: every action, who, when, from which state."""

    document = models.ForeignKey(
        Document, verbose_name=_("văn bản"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("lúc"))
    action = models.CharField(_("thao tác"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("lịch sử văn bản")
        verbose_name_plural = _("lịch sử văn bản")

    def __str__(self) -> str:
        return f"{self.document} {self.action}"
