"""Vietnamese phone numbers in one stored form: ``0`` followed by nine digits."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()]")
_VN_MOBILE = re.compile(r"^0[35789]\d{8}$")
_VN_LANDLINE = re.compile(r"^02\d{9}$")


def normalise_phone(value: str) -> str | None:
    """Return the phone number as ``0xxxxxxxxx``, or ``None`` if it is not a Vietnamese number.

    Accepts ``+84``/``84`` prefixes and spaces, dots, dashes and brackets between digits.
    """
    digits = _SEPARATORS.sub("", value.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if _VN_MOBILE.match(digits) or _VN_LANDLINE.match(digits):
        return digits
    return None
