"""Template filters for amounts of money: ``{{ amount|vnd }}``, ``{{ amount|vnd_words }}``."""

from __future__ import annotations

from django import template

from chinhquyenso.payments.money import amount_in_words, format_vnd

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    return "" if amount is None else format_vnd(amount)


@register.filter
def vnd_words(amount: int | None) -> str:
    return "" if amount is None else amount_in_words(amount)
