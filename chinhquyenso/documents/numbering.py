"""Numbers and notations of documents (Decree 30/2020/NĐ-CP, Art. 15 and Appendix I).

Each register (a unit's incoming or outgoing register, in one series: normal, secret, copies)
numbers its documents from 01 on 1 January, again each year. The next number is taken from the
register's :class:`~chinhquyenso.documents.models.RegisterCounter` row for the year, locked for
the rest of the taking transaction: two clerks numbering at the same instant queue on that row
and get consecutive numbers, on any number of processes or machines. The counter moves inside
the write's own transaction, so a write that fails rolls the counter back with it: no number is
given twice and none is skipped.

Notation (ký hiệu, Appendix I, II.3.b): a document of a named type carries the type's
abbreviation and the issuer's (``QĐ-UBND``); a công văn the issuer's and the drafting unit's
(``UBND-VX``). The number is written with at least two digits (``05/QĐ-UBND``).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from chinhquyenso.core.text import clean_text
from chinhquyenso.documents.errors import DocumentError
from chinhquyenso.documents.models import DocumentType, Register, RegisterCounter
from chinhquyenso.units.models import Unit

#: An abbreviation inside a notation: letters (Vietnamese too), digits, dots; no dash or slash,
#: which separate the parts.
_ABBREVIATION = re.compile(r"^[^\W_][\w.&]*$")
#: A reference as printed after "Số:": the number, then the notation (which may itself hold
#: slashes, as legal documents' ``2025/NĐ-CP`` does).
_REFERENCE = re.compile(
    r"^\s*(?:số[:\s]*)?0*(?P<number>\d{1,7})\s*/\s*(?P<notation>\S.*?)\s*$", re.I
)


def take_number(register: Register, year: int) -> int:
    """The next number of *register* in *year* (1, 2, …). Must run inside the write's
    transaction: the counter row stays locked until it commits, and rolls back with it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_number() must run inside the write's transaction")
    # The first number of the year creates the row; a concurrent first one is ignored here and
    # then waits on the row lock below.
    RegisterCounter.objects.bulk_create(
        [RegisterCounter(register=register, year=year)], ignore_conflicts=True
    )
    counter = RegisterCounter.objects.select_for_update().get(register=register, year=year)
    RegisterCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    return counter.last_number + 1


def format_number(number: int) -> str:
    """``5`` → ``"05"``: numbers below 10 take a leading zero (Appendix I)."""
    return f"{number:02d}"


def format_reference(number: int | None, notation: str) -> str:
    """``"05/QĐ-UBND"``; the notation alone when there is no number."""
    if number is None:
        return notation
    return f"{format_number(number)}/{notation}" if notation else format_number(number)


def parse_reference(text: str) -> tuple[int, str] | None:
    """``"15/QĐ-UBND"`` → ``(15, "QĐ-UBND")``; ``"Số: 30/2020/NĐ-CP"`` → ``(30, "2020/NĐ-CP")``;
    ``None`` when *text* is not a number and notation."""
    match = _REFERENCE.match(clean_text(text or ""))
    if match is None:
        return None
    return int(match["number"]), match["notation"].replace(" ", "")


def _abbreviation(value: str, *, field: str, what: str) -> str:
    text = clean_text(value).replace(" ", "")
    if len(text) > 20 or not _ABBREVIATION.match(text):
        raise DocumentError(
            _(
                "“%(value)s” không dùng được làm chữ viết tắt %(what)s: chỉ gồm chữ cái, chữ số, "
                "không có dấu gạch, dấu cách hay dấu gạch chéo, tối đa 20 ký tự."
            )
            % {"value": value, "what": what},
            field=field,
        )
    return text


def issuer_abbreviation(unit: Unit) -> str:
    """The abbreviation of *unit* in notations (``Unit.short_name``: ``UBND``, ``SXD``)."""
    if not clean_text(unit.short_name or ""):
        raise DocumentError(
            _(
                "Đơn vị “%(unit)s” chưa có tên viết tắt dùng trong ký hiệu văn bản. Quản trị "
                "hệ thống cần khai báo tên viết tắt của đơn vị (ví dụ UBND, SXD)."
            )
            % {"unit": unit.name},
            field="unit",
        )
    return _abbreviation(unit.short_name, field="unit", what=_("của đơn vị"))


def notation_for(
    document_type: DocumentType, unit: Unit, drafting_unit_abbreviation: str = ""
) -> str:
    """The notation of a document of *document_type* issued by *unit*.

    ``QĐ-UBND`` for a decision of a People's Committee; ``UBND-VX`` for a công văn drafted by
    its culture and society office; ``UBND`` for a công văn without a drafting unit.
    """
    issuer = issuer_abbreviation(unit)
    if document_type.abbreviation:
        return f"{document_type.abbreviation}-{issuer}"
    drafting = clean_text(drafting_unit_abbreviation or "")
    if not drafting:
        return issuer
    drafting = _abbreviation(
        drafting, field="drafting_unit_abbreviation", what=_("của đơn vị soạn thảo")
    )
    return f"{issuer}-{drafting}"
