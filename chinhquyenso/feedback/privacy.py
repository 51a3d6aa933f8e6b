"""Removing personal data from text before it is published (Decree 13/2023/NĐ-CP).

:func:`redact` replaces, in a report or an answer that is about to be made public:

- e-mail addresses;
- identity numbers: any 12-digit number starting with 0 (the citizen identity number, CCCD /
  số định danh cá nhân, starts with the 3-digit province code 001–096), and 9- or 12-digit
  numbers or passport numbers written right after CMND, CCCD, căn cước, chứng minh, định danh
  or hộ chiếu;
- Vietnamese phone numbers: mobiles (10 digits, 03/05/07/08/09…), landlines (11 digits,
  02…), with the country code (+84, 0084, 84, (+84)), with spaces, dots, dashes or brackets
  between groups;
- the names given (the reporter's, the named official's…), whole words only: a full name
  whatever its case and whether or not it is written with diacritics; a one-word name only as
  written (case and diacritics), so that "Hùng" does not hide "hùng vĩ" or "Hưng Nguyên".

Ordinary numbers stay: amounts (1.500.000 đồng), dates (12/05/2026), house numbers (số 12),
years, hotlines (1900…, 1800…).

This is a safety net: the official who publishes still reads the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from django.utils.translation import gettext as _

from chinhquyenso.core.text import fold, nfc

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?![\w-])", re.IGNORECASE)

# Twelve digits as people write them: in one run, 3-3-6, 3-3-3-3 or 4-4-4.
_TWELVE = r"\d{12}|\d{3}[ .]\d{3}[ .]\d{6}|\d{3}(?:[ .]\d{3}){3}|\d{4}[ .]\d{4}[ .]\d{4}"
_NINE = r"\d{9}|\d{3}[ .]\d{3}[ .]\d{3}"
# An identity number introduced by its name: keep the label, hide the number.
_ID_LABEL = re.compile(
    r"(?P<label>\b(?:CMND|CMTND|CCCD|CMT|căn\s+cước(?:\s+công\s+dân)?|chứng\s+minh"
    r"(?:\s+nhân\s+dân|\s+thư)?|(?:số\s+)?định\s+danh(?:\s+cá\s+nhân)?|hộ\s+chiếu)"
    r"(?:\s*(?:số|là|:|#|-))*\s*)"
    r"(?P<number>" + _TWELVE + "|" + _NINE + r"|[A-Z]\d{7,8})(?![\w]|[ .,]?\d)",
    re.IGNORECASE,
)
# A bare 12-digit number starting with 0 is a citizen identity number.
_CITIZEN_ID = re.compile(r"(?<![\w.,])(?=0)(?:" + _TWELVE + r")(?![\w]|[.,]\d)")

_SEP = r"(?:[ .\-]|\)\s?)?"  # between digit groups: a space, dot, dash or closing bracket
_COUNTRY = r"(?:\(\s?(?:\+|00)?84\s?\)|(?:\+|00)84|84)[ .\-]?(?:\(0\)[ .\-]?|0)?"
_PHONE = re.compile(
    r"(?<![\d+])(?:" + _COUNTRY + r"|\(?0)"
    r"(?:[35789](?:" + _SEP + r"\d){8}"  # mobile: 9 digits after the 0
    r"|2(?:" + _SEP + r"\d){9})"  # landline: 02 + 9 digits
    r"(?![\w]|[.,]\d)"
)


def _placeholder_phone() -> str:
    return _("[đã ẩn số điện thoại]")


def _placeholder_id() -> str:
    return _("[đã ẩn số định danh]")


def _placeholder_email() -> str:
    return _("[đã ẩn thư điện tử]")


def _placeholder_name() -> str:
    return _("[đã ẩn tên]")


def redact(text: str, *, names: Sequence[str] = ()) -> str:
    """*text* with phone numbers, identity numbers, e-mail addresses and *names* replaced."""
    text = nfc(text or "")
    text = _EMAIL.sub(_placeholder_email(), text)
    text = _ID_LABEL.sub(lambda m: m.group("label") + _placeholder_id(), text)
    text = _CITIZEN_ID.sub(_placeholder_id(), text)
    text = _PHONE.sub(_placeholder_phone(), text)
    return _redact_names(text, names, _placeholder_name)


def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _redact_names(text: str, names: Sequence[str], placeholder: Callable[[], str]) -> str:
    single: list[str] = []
    multi: list[str] = []
    for name in names:
        words = nfc(name or "").split()
        if len(words) == 1 and len(words[0]) >= 2:
            # One word ("Hùng") is matched exactly: ignoring diacritics and case would also hide
            # "Hưng Nguyên" or "hùng vĩ".
            single.append(re.escape(words[0]))
        elif len(words) > 1:
            multi.append(r"\s+".join(re.escape(w) for w in fold(" ".join(words)).split()))
    if single:
        single.sort(key=len, reverse=True)
        exact = re.compile(r"(?<!\w)(?:" + "|".join(single) + r")(?!\w)")
        text = exact.sub(lambda _m: placeholder(), text)
    if not multi:
        return text
    # Longest names first, so "Nguyễn Văn An" wins over "Văn An".
    multi.sort(key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(multi) + r")(?!\w)")
    # Fold character by character, remembering where each folded character came from, so a
    # match in the folded text maps back to the same words in the original.
    folded: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        for piece in _fold_char(ch):
            folded.append(piece)
            origin.append(index)
    origin.append(len(text))
    parts: list[str] = []
    position = 0
    for match in pattern.finditer("".join(folded)):
        parts.append(text[position : origin[match.start()]])
        parts.append(placeholder())
        position = origin[match.end()]
    parts.append(text[position:])
    return "".join(parts)
