"""Vietnamese text: NFC normalisation of input and diacritic folding for search."""

from __future__ import annotations

import re
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


#: A run of marks (neither letter nor digit: ``/``, ``-``, ``.``) between two letters or digits.
_INNER_MARKS = re.compile(r"(?<=[^\W_])[\W_]+(?=[^\W_])")
_MARKS = re.compile(r"[\W_]+")


def joined(word: str) -> str | None:
    """*word*'s letters and digits run together when marks stand between them
    (``152/kh-syt`` → ``152khsyt``); ``None`` when none does (``syt``, ``(syt)``)."""
    return _MARKS.sub("", word) if _INNER_MARKS.search(word) else None


def with_joined_words(text: str) -> str:
    """*text* (folded words), then the :func:`joined` form of each of its words that has one and
    that it does not already hold, once.

    A text holding a word with marks inside (``kh-syt``) then also holds that word joined
    (``khsyt``): whatever word holds it holds it with its marks inside, and is joined in turn. A
    search can thus look for the joined form first, through the runs of three characters it
    alone has (``khs``, ``hsy``), before testing the word itself."""
    words = text.split()
    seen = set(words)
    added = [form for word in words if (form := joined(word)) and form not in seen]
    return " ".join([text, *dict.fromkeys(added)]) if added else text
