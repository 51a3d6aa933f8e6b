"""Amounts of money as Vietnamese documents write them: ``100.000 đ`` and in words."""

from __future__ import annotations

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", "nghìn", "triệu")
_BILLION = 1_000_000_000


def format_vnd(amount: int) -> str:
    """``1234567`` → ``1.234.567 đ`` (dot as the thousands separator)."""
    return f"{amount:,}".replace(",", ".") + " đ"


def _three_digits(number: int, *, full: bool) -> list[str]:
    """Words for 0–999; *full* reads a zero hundreds digit ("không trăm") inside a number."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5 and tens > 0:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def _below_billion(number: int, *, full: bool) -> list[str]:
    groups = [number // 1_000_000 % 1000, number // 1000 % 1000, number % 1000]
    words: list[str] = []
    for index, group in enumerate(groups):
        if group:
            words += _three_digits(group, full=full or bool(words))
            words.append(_GROUPS[2 - index])
    return [word for word in words if word]


def _words(number: int, *, full: bool = False) -> list[str]:
    if number >= _BILLION:
        words = [*_words(number // _BILLION), "tỷ"]
        rest = number % _BILLION
        return words + _below_billion(rest, full=True) if rest else words
    return _below_billion(number, full=full)


def amount_in_words(amount: int) -> str:
    """``1250000`` → ``Một triệu hai trăm năm mươi nghìn đồng`` (for receipts)."""
    if amount < 0:
        raise ValueError("amount_in_words() takes a non-negative amount")
    words = _words(amount) or [_DIGITS[0]]
    text = " ".join([*words, "đồng"])
    return text[0].upper() + text[1:]
