"""The VNPAY 2.1.0 protocol: signature, the payment URL, reading the gateway's answer."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from chinhquyenso.payments import vnpay
from chinhquyenso.payments.models import ProviderVerdict

SECRET = "KHOABIMATTHUNGHIEM2026"
# The request in VNPAY's integration guide (its example payment URL), without the signature.
GUIDE_PARAMS = {
    "vnp_Amount": "1806000",
    "vnp_Command": "pay",
    "vnp_CreateDate": "20210801153333",
    "vnp_CurrCode": "VND",
    "vnp_IpAddr": "127.0.0.1",
    "vnp_Locale": "vn",
    "vnp_OrderInfo": "Thanh toan don hang :5",
    "vnp_OrderType": "other",
    "vnp_ReturnUrl": "https://domainmerchant.vn/ReturnUrl",
    "vnp_TmnCode": "DEMOV210",
    "vnp_TxnRef": "5",
    "vnp_Version": "2.1.0",
}
# The guide's query string, byte for byte: sorted names, form-encoded values (space as +).
GUIDE_QUERY = (
    "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND"
    "&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5"
    "&vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl"
    "&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0"
)
# `printf '%s' "$GUIDE_QUERY" | openssl dgst -sha512 -hmac "$SECRET"`
GUIDE_HASH = (
    "63218f3fb499e6122982de115cc70f9f9656b1281a75e657d969eb8abfc03771"
    "8447356fd4dc15150061f4bbab92acecb673bd7edd8d4ef3e9e11dc11adaafeb"
)


def test_signature_known_answer():
    independent = hmac.new(SECRET.encode(), GUIDE_QUERY.encode(), hashlib.sha512).hexdigest()
    assert independent == GUIDE_HASH
    assert vnpay.encode(GUIDE_PARAMS) == GUIDE_QUERY
    assert vnpay.sign(GUIDE_PARAMS, SECRET) == GUIDE_HASH
    assert vnpay.signed_query(GUIDE_PARAMS, SECRET) == f"{GUIDE_QUERY}&vnp_SecureHash={GUIDE_HASH}"


def test_signature_ignores_the_hash_fields_and_other_parameters():
    received = {
        **GUIDE_PARAMS,
        "vnp_SecureHash": GUIDE_HASH.upper(),  # some gateways send upper-case hex
        "vnp_SecureHashType": "HmacSHA512",
        "next": "/ho-so/",  # not a vnp_ field: not covered
    }
    assert vnpay.sign(received, SECRET) == GUIDE_HASH
    assert vnpay.signature_valid(received, SECRET)


@pytest.mark.parametrize(
    "change",
    [
        {"vnp_Amount": "18060000"},
        {"vnp_TxnRef": "6"},
        {"vnp_OrderInfo": "Thanh toan don hang :6"},
        {"vnp_ResponseCode": "00"},  # a field added after signing
        {"vnp_SecureHash": "0" * 128},
        {"vnp_SecureHash": ""},
    ],
)
def test_any_change_breaks_the_signature(change):
    received = {**GUIDE_PARAMS, "vnp_SecureHash": GUIDE_HASH, **change}
    assert not vnpay.signature_valid(received, SECRET)
    assert not vnpay.signature_valid({**GUIDE_PARAMS, "vnp_SecureHash": GUIDE_HASH}, "other")


def test_order_text_has_no_marks_or_special_characters():
    text = vnpay.order_info_text("Lệ phí hồ sơ 000.00.01.H40-260310-0001 (Đăng ký) & <b>phí</b>")
    assert text == "Le phi ho so 000.00.01.H40-260310-0001 Dang ky b phi /b"
    assert vnpay.order_info_text("đ" * 300) == "d" * 255


@pytest.mark.parametrize(
    ("text", "amount"),
    [("15000000", 150_000), ("100", 1), ("150", None), ("-100", None), ("abc", None), ("", None)],
)
def test_amount_is_read_from_hundredths(text, amount):
    assert vnpay.amount_from(text) == amount


def test_payment_url_carries_every_field_signed(payment, settings):
    settings.PAYMENT_EXPIRE_MINUTES = 20
    provider = vnpay.VnpayProvider()
    payment.started_at = dt.datetime(2026, 3, 10, 1, 2, 3, tzinfo=dt.UTC)
    payment.expires_at = payment.started_at + dt.timedelta(minutes=20)
    url = provider.start(
        payment, return_url="https://dvc.example.vn/ket-qua/", client_ip="203.0.113.7", locale="en"
    )
    parts = urlsplit(url)
    assert parts.path == reverse("payments:simulator")
    fields = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert fields == {
        "vnp_Version": "2.1.0",
        "vnp_Command": "pay",
        "vnp_TmnCode": vnpay.merchant().tmn_code,
        "vnp_Amount": "15000000",
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": payment.txn_ref,
        "vnp_OrderInfo": ("Le phi ho so 000.00.01.H40-260310-0001: cap giay phep xay dung"),
        "vnp_OrderType": "other",
        "vnp_Locale": "en",
        "vnp_ReturnUrl": "https://dvc.example.vn/ket-qua/",
        "vnp_IpAddr": "203.0.113.7",
        "vnp_CreateDate": "20260310080203",  # GMT+7
        "vnp_ExpireDate": "20260310082203",
        "vnp_SecureHash": fields["vnp_SecureHash"],
    }
    unsigned = {key: value for key, value in fields.items() if key != "vnp_SecureHash"}
    expected = hmac.new(
        vnpay.merchant().hash_secret.encode(),
        "&".join(f"{key}={quote_plus(unsigned[key])}" for key in sorted(unsigned)).encode(),
        hashlib.sha512,
    ).hexdigest()
    assert fields["vnp_SecureHash"] == expected


def test_configured_gateway_is_used(payment, settings):
    settings.PAYMENT_SIMULATOR = False
    settings.VNPAY_TMN_CODE = "ABCD1234"
    settings.VNPAY_HASH_SECRET = SECRET
    settings.VNPAY_PAYMENT_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    url = vnpay.VnpayProvider().start(
        payment, return_url="https://x.vn/r", client_ip="", locale="vi"
    )
    assert url.startswith("https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?vnp_Amount=")
    fields = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    assert fields["vnp_TmnCode"] == "ABCD1234"
    assert fields["vnp_Locale"] == "vn"
    assert fields["vnp_IpAddr"] == "127.0.0.1"
    assert vnpay.signature_valid(fields, SECRET)


def test_without_a_merchant_account_nothing_starts(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.PAYMENT_SIMULATOR = False
    settings.VNPAY_TMN_CODE = settings.VNPAY_HASH_SECRET = settings.VNPAY_PAYMENT_URL = ""
    with pytest.raises(ImproperlyConfigured):
        vnpay.merchant()


def test_reading_an_answer(payment, signed):
    result = vnpay.VnpayProvider().verify_return(signed(payment))
    assert result.signature_valid and result.merchant_ok
    assert result.txn_ref == payment.txn_ref
    assert result.amount == payment.amount
    assert result.verdict == ProviderVerdict.SUCCESS
    assert result.pay_date == timezone.make_aware(dt.datetime(2026, 3, 10, 15, 30))
    assert result.transaction_no == "14226112"


@pytest.mark.parametrize(
    ("response_code", "status", "verdict"),
    [
        ("00", "00", ProviderVerdict.SUCCESS),
        ("24", "02", ProviderVerdict.CANCELLED),
        ("51", "02", ProviderVerdict.FAILED),
        ("00", "02", ProviderVerdict.FAILED),
        ("", "", ProviderVerdict.UNKNOWN),
    ],
)
def test_verdicts(payment, signed, response_code, status, verdict):
    result = vnpay.VnpayProvider().verify_return(
        signed(payment, response_code=response_code, status=status)
    )
    assert result.verdict == verdict
