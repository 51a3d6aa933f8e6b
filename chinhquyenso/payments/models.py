"""Online payments of fees and charges, and the log of every message a payment provider sent.

A :class:`Payment` knows nothing of what it pays for beyond two strings: ``purpose`` (what kind
of thing, e.g. ``"dossier_fee"``) and ``reference`` (which one, e.g. the dossier code). The app
that asked for the payment registers a handler for its purpose
(``services.register_payment_handler``) and learns of the payment inside the confirming
transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    FAILED = "failed", _("Không thành công")
    CANCELLED = "cancelled", _("Đã hủy")


class Payment(models.Model):
    """One attempt to pay one amount through one provider; ``txn_ref`` is what the provider sees."""

    txn_ref = models.CharField(
        _("mã giao dịch"),
        max_length=32,
        unique=True,
        help_text=_("Mã tham chiếu gửi sang cổng thanh toán (vnp_TxnRef)."),
    )
    purpose = models.CharField(_("mục đích"), max_length=50, db_index=True)
    reference = models.CharField(_("đối tượng thanh toán"), max_length=100, db_index=True)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    order_info = models.CharField(_("nội dung thanh toán"), max_length=255)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nộp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    payer_name = models.CharField(_("tên người nộp"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị thu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=PaymentStatus.choices,
        default=PaymentStatus.PENDING,
        db_index=True,
    )
    provider = models.CharField(_("cổng thanh toán"), max_length=30)
    next_url = models.CharField(_("trang quay lại"), max_length=500, blank=True)
    provider_transaction_no = models.CharField(
        _("mã giao dịch tại cổng thanh toán"), max_length=50, blank=True
    )
    response_code = models.CharField(_("mã phản hồi"), max_length=10, blank=True)
    bank_code = models.CharField(_("mã ngân hàng"), max_length=20, blank=True)
    bank_transaction_no = models.CharField(
        _("mã giao dịch tại ngân hàng"), max_length=255, blank=True
    )
    card_type = models.CharField(_("loại thẻ/tài khoản"), max_length=20, blank=True)
    pay_date = models.DateTimeField(_("thời điểm thanh toán tại cổng"), null=True, blank=True)
    receipt_number = models.CharField(
        _("số biên lai"), max_length=40, null=True, blank=True, unique=True
    )
    created_at = models.DateTimeField(_("thời điểm tạo"), db_index=True)
    started_at = models.DateTimeField(_("thời điểm chuyển sang cổng"), null=True, blank=True)
    expires_at = models.DateTimeField(_("hết hạn thanh toán"), null=True, blank=True)
    paid_at = models.DateTimeField(_("thời điểm xác nhận"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("thời điểm kết thúc"), null=True, blank=True)
    failure_reason = models.CharField(_("lý do không thành công"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        indexes = [models.Index(fields=["purpose", "reference"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="paid")
                | (Q(paid_at__isnull=False) & Q(receipt_number__isnull=False)),
                name="payment_paid_has_receipt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.txn_ref} ({self.reference})"

    @property
    def is_paid(self) -> bool:
        return self.status == PaymentStatus.PAID


class ReceiptSequence(models.Model):
    """The last receipt number given in a year; its row is locked while a number is taken."""

    year = models.PositiveSmallIntegerField(_("năm"), primary_key=True)
    last_number = models.PositiveIntegerField(_("số cuối"), default=0)

    class Meta:
        verbose_name = _("dãy số biên lai")
        verbose_name_plural = _("dãy số biên lai")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class EventKind(models.TextChoices):
    RETURN = "return", _("Trình duyệt quay về (return URL)")
    IPN = "ipn", _("Thông báo từ cổng (IPN)")


class EventOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Chấp nhận")
    REJECTED = "rejected", _("Từ chối")
    DUPLICATE = "duplicate", _("Trùng lặp, đã xử lý trước đó")


class ProviderVerdict(models.TextChoices):
    """What the provider's message said happened, when its signature was valid."""

    SUCCESS = "success", _("Thành công")
    FAILED = "failed", _("Không thành công")
    CANCELLED = "cancelled", _("Người nộp hủy")
    UNKNOWN = "unknown", _("Không xác định")


class CallbackResolution(models.TextChoices):
    """What we did with a provider's message; each provider answers it in its own codes."""

    APPLIED = "applied", _("Đã cập nhật giao dịch")
    ALREADY_DONE = "already_done", _("Giao dịch đã được xác nhận trước đó")
    NOT_FOUND = "not_found", _("Không tìm thấy giao dịch")
    WRONG_AMOUNT = "wrong_amount", _("Số tiền không khớp")
    BAD_SIGNATURE = "bad_signature", _("Chữ ký không hợp lệ")
    WRONG_MERCHANT = "wrong_merchant", _("Mã đơn vị chấp nhận thanh toán không khớp")
    BAD_MESSAGE = "bad_message", _("Thông điệp thiếu hoặc sai dữ liệu")
    ERROR = "error", _("Lỗi khi xử lý")

    @property
    def outcome(self) -> str:
        if self is CallbackResolution.APPLIED:
            return EventOutcome.ACCEPTED
        if self is CallbackResolution.ALREADY_DONE:
            return EventOutcome.DUPLICATE
        return EventOutcome.REJECTED


class PaymentEvent(models.Model):
    """One message received from a provider (browser return or server notice), never edited.

    Rejected messages (bad signature, unknown order, wrong amount) are kept too: they are what
    the reconciliation page shows as problems.
    """

    payment = models.ForeignKey(
        Payment,
        verbose_name=_("giao dịch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    kind = models.CharField(_("loại"), max_length=10, choices=EventKind.choices)
    provider = models.CharField(_("cổng thanh toán"), max_length=30)
    txn_ref = models.CharField(_("mã giao dịch nhận được"), max_length=100, blank=True)
    params = models.JSONField(_("tham số nhận được"), default=dict)
    signature_valid = models.BooleanField(_("chữ ký hợp lệ"), default=False)
    provider_verdict = models.CharField(
        _("kết quả theo cổng"),
        max_length=20,
        choices=ProviderVerdict.choices,
        default=ProviderVerdict.UNKNOWN,
    )
    amount = models.PositiveBigIntegerField(_("số tiền nhận được (đồng)"), null=True, blank=True)
    outcome = models.CharField(_("xử lý"), max_length=20, choices=EventOutcome.choices)
    resolution = models.CharField(
        _("kết quả xử lý"), max_length=20, choices=CallbackResolution.choices
    )
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    received_at = models.DateTimeField(_("thời điểm nhận"), db_index=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("thông điệp từ cổng thanh toán")
        verbose_name_plural = _("thông điệp từ cổng thanh toán")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.txn_ref}: {self.get_outcome_display()}"
