"""Vietnamese text: NFC normalisation of input and diacritic folding for search."""

from __future__ import annotations

import unicodedata

# Letters that Unicode decomposition does not reduce to ASCII.
_EXTRA_FOLDS = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(value: str) -> str:
    """Return *value* in Unicode NFC, the form every stored text uses."""
    return unicodedata.normalize("NFC", value)


def clean_text(value: str) -> str:
    """NFC, trimmed, with inner runs of whitespace kept but surrounding space removed."""
    return nfc(value).strip()


def fold(value: str) -> str:
    """Lower-case *value* and remove Vietnamese diacritics: ``Đường`` → ``duong``."""
    decomposed = unicodedata.normalize("NFD", value.translate(_EXTRA_FOLDS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
