"""A local stand-in for VNPAY's payment page, for development, the demo and the tests.

It checks the merchant's redirect the way the gateway does (merchant code, signature, required
fields, expiry) with the same signing code as the provider (:func:`vnpay.sign`), lets the person
choose how the payment ends, then answers as the gateway does: a signed server notice (IPN) to
the merchant and a redirect of the browser to ``vnp_ReturnUrl`` with the same signed fields.

There is no network in between: the view delivers the IPN by calling the function the IPN
endpoint runs (``views.ipn_answer``), in the same process, before redirecting the browser. It is
on when ``PAYMENT_SIMULATOR`` is (by default with ``DEBUG``, ``DEMO_MODE`` or under the tests);
the page answers 404 otherwise. No money moves.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from chinhquyenso.payments import vnpay

REQUIRED_FIELDS = (
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_Amount",
    "vnp_CurrCode",
    "vnp_TxnRef",
    "vnp_OrderInfo",
    "vnp_OrderType",
    "vnp_Locale",
    "vnp_ReturnUrl",
    "vnp_IpAddr",
    "vnp_CreateDate",
    "vnp_ExpireDate",
)

#: How the person may end the payment: (label, vnp_ResponseCode, vnp_TransactionStatus).
CHOICES: dict[str, tuple[StrOrPromise, str, str]] = {
    "success": (gettext_lazy("Thanh toán thành công"), "00", "00"),
    "cancel": (gettext_lazy("Hủy giao dịch"), "24", "02"),
    "insufficient": (gettext_lazy("Thẻ không đủ số dư (giao dịch lỗi)"), "51", "02"),
}


class SimulatorError(Exception):
    """The redirect is refused, as the gateway would refuse it; *code* is the gateway's code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SimulatedOrder:
    """A merchant's checked payment request."""

    params: dict[str, str]
    tmn_code: str
    txn_ref: str
    amount: int
    order_info: str
    return_url: str
    locale: str
    expires_at: dt.datetime


def check_request(params: Mapping[str, str]) -> SimulatedOrder:
    """The order *params* ask to pay, or :class:`SimulatorError` if the gateway would refuse."""
    account = vnpay.merchant()
    fields = {key: str(value) for key, value in params.items() if key.startswith("vnp_")}
    missing = [name for name in REQUIRED_FIELDS if not fields.get(name)]
    if missing:
        raise SimulatorError(
            "03",
            _("Dữ liệu gửi sang không đúng định dạng: thiếu %(fields)s.")
            % {"fields": ", ".join(missing)},
        )
    if fields["vnp_TmnCode"] != account.tmn_code:
        raise SimulatorError("02", _("Mã đơn vị chấp nhận thanh toán không hợp lệ."))
    if not vnpay.signature_valid(fields, account.hash_secret):
        raise SimulatorError("70", _("Sai chữ ký: dữ liệu yêu cầu thanh toán đã bị thay đổi."))
    amount = vnpay.amount_from(fields["vnp_Amount"])
    expires_at = vnpay.parse_time(fields["vnp_ExpireDate"])
    return_url = fields["vnp_ReturnUrl"]
    if (
        fields["vnp_Version"] != vnpay.VERSION
        or fields["vnp_Command"] != "pay"
        or fields["vnp_CurrCode"] != "VND"
        or fields["vnp_Locale"] not in ("vn", "en")
        or not amount
        or expires_at is None
        or vnpay.parse_time(fields["vnp_CreateDate"]) is None
        or urlsplit(return_url).scheme not in ("http", "https")
    ):
        raise SimulatorError("03", _("Dữ liệu gửi sang không đúng định dạng."))
    if expires_at <= timezone.now():
        raise SimulatorError("11", _("Giao dịch đã hết hạn chờ thanh toán."))
    return SimulatedOrder(
        params=fields,
        tmn_code=fields["vnp_TmnCode"],
        txn_ref=fields["vnp_TxnRef"],
        amount=amount,
        order_info=fields["vnp_OrderInfo"],
        return_url=return_url,
        locale=fields["vnp_Locale"],
        expires_at=expires_at,
    )


def gateway_answer(order: SimulatedOrder, choice: str) -> dict[str, str]:
    """The signed fields the gateway sends back (to the IPN and the return URL) for *choice*."""
    _label, response_code, status = CHOICES[choice]
    paid = response_code == vnpay.SUCCESS_CODE
    answer = {
        "vnp_Amount": order.params["vnp_Amount"],
        "vnp_BankCode": "NCB",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": order.order_info,
        "vnp_PayDate": vnpay.format_time(timezone.now()),
        "vnp_ResponseCode": response_code,
        "vnp_TmnCode": order.tmn_code,
        "vnp_TransactionNo": str(secrets.randbelow(90_000_000) + 10_000_000) if paid else "0",
        "vnp_TransactionStatus": status,
        "vnp_TxnRef": order.txn_ref,
    }
    if paid:
        answer["vnp_BankTranNo"] = f"VNP{secrets.randbelow(10**8):08d}"
    answer["vnp_SecureHash"] = vnpay.sign(answer, vnpay.merchant().hash_secret)
    return answer


def return_redirect(order: SimulatedOrder, answer: Mapping[str, str]) -> str:
    separator = "&" if "?" in order.return_url else "?"
    return f"{order.return_url}{separator}{vnpay.encode(answer)}"
