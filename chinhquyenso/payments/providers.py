"""What a payment gateway must offer, and which one this installation uses.

A provider speaks one gateway's protocol and nothing else: it builds the signed redirect, checks
and reads what comes back, and answers the gateway's server notice (IPN) in the gateway's codes.
Deciding what a message means for a payment (found? right amount? already confirmed?) is the
same for every gateway and lives in ``services.payment_apply_callback``, which a provider calls
from :meth:`PaymentProvider.handle_ipn` and the return page calls after
:meth:`PaymentProvider.verify_return`.

``settings.PAYMENT_PROVIDER`` names the provider (default ``"vnpay"``); :data:`PROVIDERS` maps
names to the classes, so another gateway is one module and one line here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from chinhquyenso.payments.models import CallbackResolution, ProviderVerdict

if TYPE_CHECKING:
    from chinhquyenso.payments.models import Payment


@dataclass(frozen=True)
class CallbackResult:
    """A provider's message about one payment, read and checked against its signature.

    Every field but ``signature_valid`` and ``params`` comes from the message itself, so it is
    only to be trusted when ``signature_valid`` is true. ``amount`` is in đồng (``None`` when
    missing or malformed); ``merchant_ok`` says the message was meant for this merchant.
    """

    provider: str
    signature_valid: bool
    params: Mapping[str, str]
    txn_ref: str = ""
    amount: int | None = None
    verdict: str = ProviderVerdict.UNKNOWN
    merchant_ok: bool = False
    response_code: str = ""
    message: str = ""
    transaction_no: str = ""
    bank_code: str = ""
    bank_transaction_no: str = ""
    card_type: str = ""
    pay_date: dt.datetime | None = None


@dataclass(frozen=True)
class CallbackOutcome:
    """What ``services.payment_apply_callback`` made of a :class:`CallbackResult`."""

    result: CallbackResult
    resolution: CallbackResolution
    payment: Payment | None = field(default=None)


class PaymentProvider(Protocol):
    #: Stored on each payment and event, e.g. ``"vnpay"``.
    name: str
    #: Shown to people, e.g. "VNPAY".
    label: str

    def start(self, payment: Payment, *, return_url: str, client_ip: str, locale: str) -> str:
        """The URL to send the payer's browser to; *locale* is a language code (vi, en)."""
        ...

    def verify_return(self, params: Mapping[str, str]) -> CallbackResult:
        """Read the query the gateway sent the browser back with (nothing is written)."""
        ...

    def handle_ipn(
        self, params: Mapping[str, str], *, client_ip: str | None = None
    ) -> tuple[dict[str, str], CallbackOutcome]:
        """Apply the gateway's server notice; return the answer the gateway expects, and why."""
        ...


#: Provider name → dotted path of its class (imported on first use: providers import services).
PROVIDERS: dict[str, str] = {
    "vnpay": "chinhquyenso.payments.vnpay.VnpayProvider",
}


def get_provider(name: str | None = None) -> PaymentProvider:
    """The provider called *name*, or the configured one (``settings.PAYMENT_PROVIDER``)."""
    name = name or settings.PAYMENT_PROVIDER
    try:
        path = PROVIDERS[name]
    except KeyError as exc:
        known = ", ".join(sorted(PROVIDERS))
        raise ImproperlyConfigured(f"PAYMENT_PROVIDER={name!r} is not one of: {known}") from exc
    provider: PaymentProvider = import_string(path)()
    return provider
