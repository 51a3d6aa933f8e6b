"""Template helpers of the catalogue pages."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def dong(amount: int) -> str:
    """An amount in đồng as Vietnamese write it: ``50.000 đồng``."""
    return _("%s đồng") % f"{int(amount):,}".replace(",", ".")


@register.filter
def days(value: Decimal | int) -> str:
    """A number of days without trailing zeros, with a decimal comma: ``0,5``, ``3``."""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")
