"""Demo data of the catalogue: common procedures of Nghệ An, loaded through the import service.

The file ``data/procedures.json`` names its sources. Idempotent like the rest of the demo
(:mod:`chinhquyenso.core.demo`): importing the same content again changes nothing and writes no
audit row. On an empty catalogue the versions start on :data:`DEMO_VALID_FROM`, so demo dossiers
dated in the past find the version they were submitted under; content changed in a later release
becomes a new version from the day it is loaded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError

from chinhquyenso.procedures.models import Procedure
from chinhquyenso.procedures.services import ImportReport, procedures_import

DEMO_FILE = Path(__file__).resolve().parent / "data" / "procedures.json"
#: The day the two-tier local government started (Decree 118/2025/NĐ-CP in force).
DEMO_VALID_FROM = dt.date(2025, 7, 1)


def procedures_demo_load() -> ImportReport:
    """Import the demo catalogue; ``ValidationError`` listing the problems if the file is bad."""
    first_load = not Procedure.objects.exists()
    report = procedures_import(
        source=DEMO_FILE.read_bytes(),
        fmt="json",
        by=None,
        valid_from=DEMO_VALID_FROM if first_load else None,
    )
    if not report.ok:
        raise ValidationError(report.errors)
    return report
