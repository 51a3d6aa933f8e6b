"""Citizen feedback (phản ánh, kiến nghị): reports, who reported, what happened to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chinhquyenso.core.search import SearchableMixin


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Khẩn")
    NORMAL = "normal", _("Thông thường")
    COMPLEX = "complex", _("Phức tạp")


class Status(models.TextChoices):
    """The states of a report; the allowed moves between them are in ``workflow.py``."""

    SUBMITTED = "submitted", _("Chờ tiếp nhận")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    INFO_REQUESTED = "info_requested", _("Chờ người phản ánh bổ sung")
    AWAITING_APPROVAL = "awaiting_approval", _("Chờ lãnh đạo duyệt trả lời")
    ANSWERED = "answered", _("Đã trả lời")
    REOPEN_REQUESTED = "reopen_requested", _("Đề nghị xử lý lại")
    CLOSED = "closed", _("Đã kết thúc")
    REFUSED = "refused", _("Từ chối tiếp nhận")
    HANDED_OFF = "handed_off", _("Chuyển xử lý theo pháp luật khiếu nại, tố cáo")
    MERGED = "merged", _("Đã gộp vào phản ánh khác")


class RefusalReason(models.TextChoices):
    SPAM = "spam", _("Nội dung rác, quảng cáo hoặc vô nghĩa")
    NOT_COMPETENT = "not_competent", _("Không thuộc thẩm quyền của chính quyền địa phương")
    UNCLEAR = "unclear", _("Không đủ thông tin để xử lý")
    OFFENSIVE = "offensive", _("Ngôn từ xúc phạm, vi phạm pháp luật")


class Category(models.Model):
    """A kind of problem, in two levels (e.g. Môi trường › Rác thải), edited by administrators.

    ``questions`` lists extra questions asked when reporting in this category, each
    ``{"key", "label", "type": "text"|"number"|"choice"|"yes_no", "required", "choices"}``.
    Deadlines left empty fall back to the platform defaults (``FEEDBACK_*`` settings).
    """

    parent = models.ForeignKey(
        "self",
        verbose_name=_("nhóm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.SlugField(_("mã"), max_length=50, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True)
    questions = models.JSONField(_("câu hỏi thêm"), default=list, blank=True)
    is_confidential = models.BooleanField(
        _("xử lý kín"),
        default=False,
        help_text=_("Phản ánh về thái độ, trách nhiệm của cán bộ: chuyển cấp trên, ẩn danh tính."),
    )
    default_urgency = models.CharField(
        _("mức độ mặc định"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    urgent_answer_hours = models.PositiveIntegerField(
        _("hạn trả lời việc khẩn (giờ làm việc)"), null=True, blank=True
    )
    normal_answer_days = models.PositiveIntegerField(
        _("hạn trả lời việc thông thường (ngày làm việc)"), null=True, blank=True
    )
    complex_answer_days = models.PositiveIntegerField(
        _("hạn trả lời việc phức tạp (ngày làm việc)"), null=True, blank=True
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("lĩnh vực phản ánh")
        verbose_name_plural = _("lĩnh vực phản ánh")

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name


class RoutingRule(models.Model):
    """Which unit handles reports of a category in an area; the most specific rule wins.

    A rule without an area applies everywhere; a rule for an area applies to reports located
    in that unit's subtree. Among matching rules the one with the deepest area wins, then the
    lowest ``priority`` number.
    """

    category = models.ForeignKey(
        Category, verbose_name=_("lĩnh vực"), on_delete=models.CASCADE, related_name="rules"
    )
    area = models.ForeignKey(
        "units.Unit",
        verbose_name=_("địa bàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handling_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Để trống: giao cho xã, phường nơi xảy ra sự việc."),
    )
    priority = models.PositiveIntegerField(_("thứ tự ưu tiên"), default=100)

    class Meta:
        ordering = ["priority", "pk"]
        verbose_name = _("quy tắc phân công")
        verbose_name_plural = _("quy tắc phân công")

    def __str__(self) -> str:
        target = self.handling_unit or _("xã, phường sở tại")
        return f"{self.category} / {self.area or _('mọi địa bàn')} → {target}"


class Report(SearchableMixin, models.Model):
    """One feedback report and where it stands."""

    tracking_code = models.CharField(_("mã phản ánh"), max_length=16, unique=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    category = models.ForeignKey(
        Category, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="reports"
    )
    urgency = models.CharField(
        _("mức độ"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    text = models.TextField(_("nội dung"))
    answers = models.JSONField(_("trả lời câu hỏi thêm"), default=dict, blank=True)
    commune = models.ForeignKey(
        "units.Unit",
        verbose_name=_("xã, phường"),
        on_delete=models.PROTECT,
        related_name="feedback_reports",
    )
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    # A photo or file the sending system keeps (Open311 ``media_url``): stored as given, shown
    # to officials as a link, never fetched by the platform.
    media_url = models.CharField(
        _("đường dẫn ảnh do hệ thống gửi cung cấp"), max_length=500, blank=True
    )
    latitude = models.DecimalField(
        _("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Who received and who handles it.
    receiving_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    handling_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Confidential track: a report about an official's attitude or responsibility.
    is_confidential = models.BooleanField(_("xử lý kín"), default=False)
    named_official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ bị phản ánh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    named_official_text = models.CharField(
        _("cán bộ bị phản ánh (theo người phản ánh)"), max_length=255, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("gộp vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    # Times and deadlines (aware datetimes; deadlines in working time, see core.calendar).
    submitted_at = models.DateTimeField(_("thời điểm gửi"), db_index=True)
    accept_due_at = models.DateTimeField(_("hạn tiếp nhận"))
    accepted_at = models.DateTimeField(_("thời điểm tiếp nhận"), null=True, blank=True)
    answer_due_at = models.DateTimeField(_("hạn trả lời"), null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)
    closed_at = models.DateTimeField(_("thời điểm kết thúc"), null=True, blank=True)
    paused_since = models.DateTimeField(_("tạm dừng từ"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("số lần xử lý lại"), default=0)
    # The answer and its publication.
    answer_draft = models.TextField(_("dự thảo trả lời"), blank=True)
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    is_published = models.BooleanField(_("công khai"), default=False, db_index=True)
    public_text = models.TextField(_("nội dung công khai"), blank=True)
    public_answer = models.TextField(_("trả lời công khai"), blank=True)
    published_at = models.DateTimeField(_("thời điểm công khai"), null=True, blank=True)
    # Folded public text, public answer, category and group names and commune name, searched by
    # the public pages (never the private ``search_text``); filled by ``report_publish``,
    # emptied by ``report_unpublish``. On PostgreSQL a pg_trgm GIN index on the published rows
    # (migration 0002) serves ``LIKE '%word%'``.
    public_search_text = models.TextField(blank=True, default="", editable=False)
    # Where the report came from.
    channel = models.CharField(_("kênh"), max_length=20, default="web")
    submitted_by_client = models.ForeignKey(
        "api.ApiClient",
        verbose_name=_("hệ thống gửi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitter_ip = models.GenericIPAddressField(_("địa chỉ IP gửi"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("phản ánh")
        verbose_name_plural = _("phản ánh")
        indexes = [
            models.Index(fields=["status", "answer_due_at"]),
            models.Index(fields=["handling_unit", "status"]),
            models.Index(fields=["commune", "status"]),
            models.Index(
                fields=["-published_at"], name="report_public_idx", condition=Q(is_published=True)
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code


class Reporter(models.Model):
    """A person following a report: who sent it, or who joined it later (co-reporter).

    ``access_token`` makes the private link through which they follow it without an account.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reporters")
    is_original = models.BooleanField(_("người gửi đầu tiên"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_follows",
    )
    name = models.CharField(_("họ tên"), max_length=255, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    identity_private = models.BooleanField(_("giữ kín danh tính"), default=False)
    consent_given = models.BooleanField(_("đồng ý xử lý dữ liệu cá nhân"), default=False)
    access_token = models.CharField(max_length=64, unique=True)
    joined_at = models.DateTimeField(_("thời điểm tham gia"))

    class Meta:
        ordering = ["joined_at", "pk"]
        verbose_name = _("người phản ánh")
        verbose_name_plural = _("người phản ánh")

    def __str__(self) -> str:
        return self.name or str(_("Người phản ánh ẩn danh"))


class Attachment(models.Model):
    """A photo or file sent with a report; images also get a copy without location data."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("tệp gốc"), upload_to="feedback/original/%Y/%m/")
    public_file = models.FileField(
        _("tệp công khai"), upload_to="feedback/public/%Y/%m/", blank=True
    )
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("loại tệp"), max_length=100)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    uploaded_at = models.DateTimeField(_("thời điểm tải lên"))
    is_answer = models.BooleanField(_("kèm trả lời"), default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self) -> str:
        return self.original_name


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Gửi phản ánh")
    JOINED = "joined", _("Tham gia phản ánh")
    ACCEPTED = "accepted", _("Tiếp nhận")
    REFUSED = "refused", _("Từ chối")
    HANDED_OFF = "handed_off", _("Chuyển khiếu nại, tố cáo")
    MERGED = "merged", _("Gộp phản ánh")
    CLASSIFIED = "classified", _("Phân loại")
    ASSIGNED = "assigned", _("Giao xử lý")
    TRANSFERRED = "transferred", _("Chuyển đơn vị khác")
    RETURNED = "returned", _("Trả lại đơn vị chuyển")
    NOTE = "note", _("Ghi chú nội bộ")
    INFO_REQUESTED = "info_requested", _("Đề nghị bổ sung thông tin")
    INFO_SUPPLIED = "info_supplied", _("Người phản ánh bổ sung thông tin")
    ANSWER_DRAFTED = "answer_drafted", _("Dự thảo trả lời")
    ANSWER_RETURNED = "answer_returned", _("Lãnh đạo trả lại dự thảo")
    ANSWERED = "answered", _("Trả lời")
    PUBLISHED = "published", _("Công khai")
    UNPUBLISHED = "unpublished", _("Thôi công khai")
    RATED = "rated", _("Đánh giá")
    REOPEN_REQUESTED = "reopen_requested", _("Đề nghị xử lý lại")
    REOPENED = "reopened", _("Xử lý lại")
    REOPEN_REFUSED = "reopen_refused", _("Không chấp nhận xử lý lại")
    CLOSED = "closed", _("Kết thúc")
    EXTENSION_REQUESTED = "extension_requested", _("Đề nghị gia hạn")
    EXTENDED = "extended", _("Gia hạn")
    EXTENSION_REFUSED = "extension_refused", _("Không đồng ý gia hạn")
    FRONT_COMMENT = "front_comment", _("Ý kiến của Mặt trận")


class Event(models.Model):
    """One step in a report's history, append-only. ``is_public`` steps are shown to reporters."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("loại"), max_length=30, choices=EventKind.choices)
    at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField(_("từ trạng thái"), max_length=20, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=20, blank=True)
    from_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("từ đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đến đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("nội dung"), blank=True)
    is_public = models.BooleanField(_("người phản ánh xem được"), default=False)
    # How long the previous holder kept it, in working seconds (each hop timed).
    working_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("diễn biến")
        verbose_name_plural = _("diễn biến")

    def __str__(self) -> str:
        return f"{self.report} {self.get_kind_display()}"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Hài lòng")
    NEUTRAL = "neutral", _("Bình thường")
    DISSATISFIED = "dissatisfied", _("Không hài lòng")


class Rating(models.Model):
    """A reporter's rating of the answer; one per reporter per answer round."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="ratings")
    reporter = models.ForeignKey(Reporter, on_delete=models.CASCADE, related_name="ratings")
    round = models.PositiveSmallIntegerField(_("lần trả lời"), default=0)
    value = models.CharField(_("mức độ hài lòng"), max_length=15, choices=Satisfaction.choices)
    comment = models.TextField(_("ý kiến"), blank=True)
    reopen_requested = models.BooleanField(_("đề nghị xử lý lại"), default=False)
    rated_at = models.DateTimeField(_("thời điểm đánh giá"))

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "round"], name="one_rating_per_reporter_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.get_value_display()}"


class ExtensionRequest(models.Model):
    """A handler's request for more time, decided by a leader."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Chờ duyệt")
        APPROVED = "approved", _("Đồng ý")
        REFUSED = "refused", _("Không đồng ý")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("thời điểm đề nghị"))
    reason = models.TextField(_("lý do"))
    extra_working_days = models.PositiveSmallIntegerField(_("số ngày làm việc xin thêm"))
    decision = models.CharField(
        _("quyết định"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("thời điểm quyết định"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("đề nghị gia hạn")
        verbose_name_plural = _("đề nghị gia hạn")

    def __str__(self) -> str:
        return f"{self.report} +{self.extra_working_days}"
