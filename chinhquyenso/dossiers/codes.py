"""Dossier codes: ``<agency electronic ID>-YYMMDD-XXXX`` (Circular 01/2018/TT-VPCP Art. 19).

The sequence restarts at 0001 each day for each receiving agency. It is taken from a
:class:`~chinhquyenso.dossiers.models.DossierSequence` row locked for the rest of the
submitting transaction, so two submissions at the same instant never get the same code, on
any number of processes or machines.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import F

from chinhquyenso.dossiers.models import DossierSequence

#: A dossier code as people type it: agency ID, date, sequence (four digits or more).
CODE_RE = re.compile(r"^(?P<agency>[0-9A-Za-z.]{1,30})-(?P<day>\d{6})-(?P<number>\d{4,6})$")


def next_dossier_code(agency_code: str, day: dt.date) -> str:
    """Take the next code of *agency_code* on *day*. Must run inside the write's transaction."""
    # The first submission of the day creates the row; a concurrent first one is ignored and
    # then waits on the row lock of the update below.
    DossierSequence.objects.bulk_create(
        [DossierSequence(agency_code=agency_code, day=day)], ignore_conflicts=True
    )
    row = DossierSequence.objects.select_for_update().get(agency_code=agency_code, day=day)
    DossierSequence.objects.filter(pk=row.pk).update(last_number=F("last_number") + 1)
    return format_code(agency_code, day, row.last_number + 1)


def format_code(agency_code: str, day: dt.date, number: int) -> str:
    return f"{agency_code}-{day:%y%m%d}-{number:04d}"


def normalise_code(text: str) -> str | None:
    """The code in canonical form (upper-case agency ID), or ``None`` if it is not one."""
    match = CODE_RE.match((text or "").strip())
    if match is None:
        return None
    return f"{match['agency'].upper()}-{match['day']}-{match['number']}"
