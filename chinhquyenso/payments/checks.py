"""Checks of the payment settings: the provider always, the gateway account with ``--deploy``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from chinhquyenso.payments.providers import PROVIDERS


@register()
def payment_provider(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.PAYMENT_PROVIDER in PROVIDERS:
        return []
    known = ", ".join(sorted(PROVIDERS))
    return [
        Error(
            f"PAYMENT_PROVIDER={settings.PAYMENT_PROVIDER!r} is not one of: {known}.",
            id="payments.E001",
        )
    ]


@register(Tags.security, deploy=True)
def payment_gateway_account(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """``manage.py check --deploy``: a production site takes real payments, not simulated ones."""
    if settings.PAYMENT_SIMULATOR:
        return [
            Warning(
                "PAYMENT_SIMULATOR is on: fees are marked paid without any money moving.",
                id="payments.W002",
            )
        ]
    if not (settings.VNPAY_TMN_CODE and settings.VNPAY_HASH_SECRET and settings.VNPAY_PAYMENT_URL):
        return [
            Warning(
                "Online payment is not configured: set VNPAY_TMN_CODE, VNPAY_HASH_SECRET "
                "(or VNPAY_HASH_SECRET_FILE) and VNPAY_PAYMENT_URL.",
                id="payments.W001",
            )
        ]
    return []
