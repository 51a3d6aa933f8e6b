"""Tracking codes for reports and the tokens of reporters' private links.

Tracking code format: ``PA-XXXX-XXXX`` (12 characters).

- ``PA`` stands for *phản ánh*;
- the eight characters after it are taken from Crockford's base-32 alphabet
  ``0123456789ABCDEFGHJKMNPQRSTVWXYZ``, which leaves out I, L, O and U so that a code read
  aloud over the phone or typed on a small keyboard cannot be mixed up with 1 or 0;
- the first seven are random (32⁷ ≈ 34 billion codes), the eighth is a check character
  (Luhn mod 32) that catches every single mistyped character and most swaps of two
  neighbouring characters, so a mistyped code is refused instead of finding another report.

People may type the code in lower case, with spaces, dots or without the dashes, with O for 0
and I or L for 1, with or without the ``PA``: :func:`normalise_tracking_code` turns all of these
into the stored form. The database's unique constraint on ``Report.tracking_code`` is the
final guard against the (negligible) chance of a repeat; the service retries on a clash.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "PA"
_RANDOM_LENGTH = 7
_BASE = len(ALPHABET)
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
# Characters people type for the ones the alphabet leaves out (Crockford's decoding rules).
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-._/]+")


def _check_character(body: str) -> str:
    """Luhn mod N check character of *body* (characters of :data:`ALPHABET`)."""
    total = 0
    factor = 2
    for ch in reversed(body):
        addend = factor * _INDEX[ch]
        total += addend // _BASE + addend % _BASE
        factor = 1 if factor == 2 else 2
    return ALPHABET[(_BASE - total % _BASE) % _BASE]


def _format(body: str) -> str:
    return f"{PREFIX}-{body[:4]}-{body[4:]}"


def new_tracking_code() -> str:
    """A new random tracking code such as ``PA-7K3Q-X9MN``."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(_RANDOM_LENGTH))
    return _format(body + _check_character(body))


def normalise_tracking_code(text: str) -> str | None:
    """The stored form of a tracking code typed by a person, or ``None`` if it is not one.

    ``"pa 7k3q x9mn"``, ``"PA7K3QX9MN"``, ``"7K3Q-X9MN"`` all give ``"PA-7K3Q-X9MN"``.
    """
    compact = _SEPARATORS.sub("", text or "").upper()
    if len(compact) == len(PREFIX) + _RANDOM_LENGTH + 1 and compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    body = compact.translate(_LOOK_ALIKES)
    if len(body) != _RANDOM_LENGTH + 1 or any(ch not in _INDEX for ch in body):
        return None
    if _check_character(body[:-1]) != body[-1]:
        return None
    return _format(body)


def new_access_token() -> str:
    """A secret for a reporter's private link: 43 URL-safe characters (256 bits)."""
    return secrets.token_urlsafe(32)
