"""The VNPAY payment gateway, protocol version 2.1.0 (``vnp_Command=pay``).

The protocol, as VNPAY's integration guide (sandbox.vnpayment.vn/apis/docs) describes it:

- The merchant redirects the payer to the payment page with ``vnp_*`` query parameters:
  version, command, merchant code (``vnp_TmnCode``), amount × 100, currency ``VND``, our
  transaction reference (``vnp_TxnRef``), order text (no diacritics, no special characters),
  order type, locale ``vn``/``en``, return URL, the payer's IP, creation and expiry times as
  ``yyyyMMddHHmmss`` in GMT+7.
- Signing: the parameters sorted by name, each name and value URL-encoded (form encoding, space
  as ``+``) and joined as a query string; ``vnp_SecureHash`` = hex HMAC-SHA512 of that string
  with the merchant's secret. Version 2.1.0 sends no ``vnp_SecureHashType``.
- VNPAY answers twice with the same signed parameters: it redirects the browser to the return
  URL, and calls the merchant's IPN URL server to server (GET). Both are verified the same way
  over every ``vnp_*`` parameter except ``vnp_SecureHash`` and ``vnp_SecureHashType``.
  ``vnp_ResponseCode`` and ``vnp_TransactionStatus`` both ``"00"`` mean paid.
- The IPN is answered with JSON ``{"RspCode": ..., "Message": ...}``: 00 confirmed, 01 order not
  found, 02 order already confirmed, 04 invalid amount, 97 invalid signature, 99 other error.
  VNPAY retries the IPN until it gets 00 or 02, so the IPN must be idempotent.

:func:`sign` is the one implementation of the signature: the provider, the local simulator
(``simulator.py``) and the tests' reference all use it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chinhquyenso.payments.models import CallbackResolution, EventKind, ProviderVerdict
from chinhquyenso.payments.providers import CallbackOutcome, CallbackResult

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from chinhquyenso.payments.models import Payment

VERSION = "2.1.0"
GMT7 = dt.timezone(dt.timedelta(hours=7))
DATE_FORMAT = "%Y%m%d%H%M%S"
HASH_FIELDS_EXCLUDED = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})
#: The merchant code the local simulator knows when ``VNPAY_TMN_CODE`` is not set.
SIMULATOR_TMN_CODE = "MOPHONG1"
SUCCESS_CODE = "00"
CANCELLED_CODE = "24"

#: ``vnp_ResponseCode`` values of the payment flow, as VNPAY's code table explains them.
RESPONSE_MESSAGES: dict[str, StrOrPromise] = {
    "00": _("Giao dịch thành công."),
    "07": _("Trừ tiền thành công nhưng giao dịch bị nghi ngờ (liên quan tới lừa đảo, bất thường)."),
    "09": _("Thẻ/tài khoản chưa đăng ký dịch vụ Internet Banking tại ngân hàng."),
    "10": _("Xác thực thông tin thẻ/tài khoản không đúng quá 3 lần."),
    "11": _("Đã hết hạn chờ thanh toán."),
    "12": _("Thẻ/tài khoản bị khóa."),
    "13": _("Nhập sai mật khẩu xác thực giao dịch (OTP)."),
    "24": _("Người nộp đã hủy giao dịch."),
    "51": _("Tài khoản không đủ số dư để thực hiện giao dịch."),
    "65": _("Tài khoản đã vượt quá hạn mức giao dịch trong ngày."),
    "75": _("Ngân hàng thanh toán đang bảo trì."),
    "79": _("Nhập sai mật khẩu thanh toán quá số lần quy định."),
    "99": _("Lỗi khác tại cổng thanh toán."),
}

#: How the IPN is answered for each resolution (VNPAY's RspCode table; messages are VNPAY's).
IPN_ANSWERS: dict[str, tuple[str, str]] = {
    CallbackResolution.APPLIED: ("00", "Confirm Success"),
    CallbackResolution.NOT_FOUND: ("01", "Order not found"),
    CallbackResolution.ALREADY_DONE: ("02", "Order already confirmed"),
    CallbackResolution.WRONG_AMOUNT: ("04", "invalid amount"),
    CallbackResolution.BAD_SIGNATURE: ("97", "Invalid signature"),
    CallbackResolution.WRONG_MERCHANT: ("99", "Unknown error"),
    CallbackResolution.BAD_MESSAGE: ("99", "Unknown error"),
    CallbackResolution.ERROR: ("99", "Unknown error"),
}

# Order text: VNPAY asks for Vietnamese without diacritics and no special characters. These few
# marks encode the same way in every language's URL encoder, so both sides hash the same bytes.
_ORDER_INFO_DROP = re.compile(r"[^A-Za-z0-9 .,:/_-]+")
_SPACES = re.compile(r"\s+")
_EXTRA_FOLDS = str.maketrans({"đ": "d", "Đ": "D"})


# --- the protocol ---------------------------------------------------------------------------


def encode(params: Mapping[str, str]) -> str:
    """The parameters sorted by name and form-encoded: the signed string and the query."""
    return "&".join(f"{quote_plus(key)}={quote_plus(params[key])}" for key in sorted(params))


def hashed_fields(params: Mapping[str, str]) -> dict[str, str]:
    """The parameters the signature covers: every ``vnp_*`` one but the signature itself."""
    return {
        key: value
        for key, value in params.items()
        if key.startswith("vnp_") and key not in HASH_FIELDS_EXCLUDED
    }


def sign(params: Mapping[str, str], secret: str) -> str:
    """Hex HMAC-SHA512, keyed with *secret*, of the encoded signed fields of *params*."""
    message = encode(hashed_fields(params)).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha512).hexdigest()


def signed_query(params: Mapping[str, str], secret: str) -> str:
    """The query string carrying *params* and their ``vnp_SecureHash``."""
    return f"{encode(params)}&vnp_SecureHash={sign(params, secret)}"


def signature_valid(params: Mapping[str, str], secret: str) -> bool:
    received = params.get("vnp_SecureHash", "")
    if not received or not secret:
        return False
    # Compared in constant time; gateways differ in the case of the hex digits they send.
    return hmac.compare_digest(received.strip().lower(), sign(params, secret))


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(GMT7).strftime(DATE_FORMAT)


def parse_time(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, DATE_FORMAT).replace(tzinfo=GMT7)
    except (TypeError, ValueError):
        return None


def order_info_text(text: str) -> str:
    """*text* as VNPAY accepts it: Vietnamese letters without marks, no special characters."""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA_FOLDS))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = _ORDER_INFO_DROP.sub(" ", plain)
    return _SPACES.sub(" ", plain).strip()[:255]


def amount_from(text: str) -> int | None:
    """đồng from ``vnp_Amount`` (amount × 100); ``None`` unless a whole number of đồng."""
    if not text.isascii() or not text.isdigit() or len(text) > 14:
        return None
    hundredths = int(text)
    if hundredths % 100:
        return None
    return hundredths // 100


def response_message(code: str) -> StrOrPromise:
    return RESPONSE_MESSAGES.get(code, RESPONSE_MESSAGES["99"])


# --- configuration --------------------------------------------------------------------------


@dataclass(frozen=True)
class Merchant:
    tmn_code: str
    hash_secret: str
    payment_url: str


def merchant() -> Merchant:
    """This installation's VNPAY merchant account, or the simulator's when it is on.

    With the simulator on and nothing configured, the merchant code is ``MOPHONG1`` and the
    secret is derived from ``SECRET_KEY`` (never a published value), so the demo signs for real.
    """
    tmn_code = settings.VNPAY_TMN_CODE
    secret = settings.VNPAY_HASH_SECRET
    payment_url = settings.VNPAY_PAYMENT_URL
    if settings.PAYMENT_SIMULATOR:
        tmn_code = tmn_code or SIMULATOR_TMN_CODE
        derived = hmac.new(settings.SECRET_KEY.encode(), b"vnpay simulator", hashlib.sha256)
        secret = secret or derived.hexdigest()
        payment_url = payment_url or reverse("payments:simulator")
    if not (tmn_code and secret and payment_url):
        raise ImproperlyConfigured(
            "VNPAY_TMN_CODE, VNPAY_HASH_SECRET and VNPAY_PAYMENT_URL must be set "
            "(or PAYMENT_SIMULATOR=1 for the local simulator)."
        )
    return Merchant(tmn_code, secret, payment_url)


# --- the provider ---------------------------------------------------------------------------


def verdict_of(params: Mapping[str, str]) -> str:
    response = params.get("vnp_ResponseCode", "")
    status = params.get("vnp_TransactionStatus", "")
    if not response:
        return ProviderVerdict.UNKNOWN
    if response == SUCCESS_CODE and status == SUCCESS_CODE:
        return ProviderVerdict.SUCCESS
    if response == CANCELLED_CODE:
        return ProviderVerdict.CANCELLED
    return ProviderVerdict.FAILED


class VnpayProvider:
    name = "vnpay"
    label = "VNPAY"

    def start(self, payment: Payment, *, return_url: str, client_ip: str, locale: str) -> str:
        account = merchant()
        if payment.started_at is None or payment.expires_at is None:
            raise ValueError("payment_start() sets started_at and expires_at before start()")
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": account.tmn_code,
            "vnp_Amount": str(payment.amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.txn_ref,
            "vnp_OrderInfo": order_info_text(payment.order_info) or payment.txn_ref,
            "vnp_OrderType": settings.VNPAY_ORDER_TYPE,
            "vnp_Locale": "en" if locale.startswith("en") else "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": format_time(payment.started_at),
            "vnp_ExpireDate": format_time(payment.expires_at),
        }
        separator = "&" if "?" in account.payment_url else "?"
        return f"{account.payment_url}{separator}{signed_query(params, account.hash_secret)}"

    def verify_return(self, params: Mapping[str, str]) -> CallbackResult:
        return self.read(params)

    def handle_ipn(
        self, params: Mapping[str, str], *, client_ip: str | None = None
    ) -> tuple[dict[str, str], CallbackOutcome]:
        from chinhquyenso.payments.services import payment_apply_callback

        outcome = payment_apply_callback(result=self.read(params), kind=EventKind.IPN, ip=client_ip)
        code, message = IPN_ANSWERS[outcome.resolution]
        return {"RspCode": code, "Message": message}, outcome

    def read(self, params: Mapping[str, str]) -> CallbackResult:
        """Check the signature of *params* and read them; nothing is trusted before the check."""
        account = merchant()

        def text(name: str, limit: int) -> str:
            # NUL never reaches a query: PostgreSQL refuses it even in a lookup.
            return params.get(name, "").replace("\x00", "")[:limit]

        response_code = text("vnp_ResponseCode", 10)
        return CallbackResult(
            provider=self.name,
            signature_valid=signature_valid(params, account.hash_secret),
            params=dict(params),
            txn_ref=text("vnp_TxnRef", 100),
            amount=amount_from(text("vnp_Amount", 20)),
            verdict=verdict_of(params),
            merchant_ok=params.get("vnp_TmnCode", "") == account.tmn_code,
            response_code=response_code,
            message=str(response_message(response_code)),
            transaction_no=text("vnp_TransactionNo", 50),
            bank_code=text("vnp_BankCode", 20),
            bank_transaction_no=text("vnp_BankTranNo", 255),
            card_type=text("vnp_CardType", 20),
            pay_date=parse_time(text("vnp_PayDate", 14)),
        )
