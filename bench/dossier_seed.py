"""Seed many dossiers for the benchmarks (bench data only, never a real installation).

Rows go in with PostgreSQL's ``COPY``, not through the services: the services' per-dossier work
(deadlines, hand-overs, audit) is not what the benchmark of the public look-up measures, and a
million dossiers through them would take hours. The rows look like what the services leave: a
code ``<agency ID>-YYMMDD-NNNN`` numbered per receiving agency and day (the day's sequence row
is written too, so dossiers submitted during the benchmark continue the numbering), the dates
of each status, and two to five history rows per dossier as the public look-up shows them.
Needs the demo units and catalogue (``chinhquyenso demo --load-only``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqs_dossier_bench \\
        .venv/bin/python bench/dossier_seed.py --count 1000000 --payload /tmp/payload.json

``--payload`` writes what ``bench/dossier_bench.py`` submits: a procedure with three documents,
its receiving ward (and 19 other communes to spread over) and a valid e-form. Deterministic for
a given ``--seed``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyenso.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Model  # noqa: E402
from django.utils import timezone  # noqa: E402

from chinhquyenso.dossiers.demo import form_data_for  # noqa: E402
from chinhquyenso.dossiers.models import (  # noqa: E402
    Channel,
    Dossier,
    DossierEvent,
    DossierSequence,
    Status,
)
from chinhquyenso.dossiers.services import ApplicantInput  # noqa: E402
from chinhquyenso.procedures.models import Procedure, ProcedureVersion  # noqa: E402
from chinhquyenso.procedures.selectors import version_in_force  # noqa: E402
from chinhquyenso.units.models import COMMUNE_LEVEL_KINDS, Unit, UnitKind  # noqa: E402

NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em")
#: Where each dossier ended, with weights: mostly returned, the rest in every other status.
STATUSES = (
    (Status.RETURNED, 60),
    (Status.PROCESSED, 5),
    (Status.PROCESSING, 12),
    (Status.ACCEPTED, 4),
    (Status.NEW, 3),
    (Status.NOT_ACCEPTED, 4),
    (Status.ADDITIONAL_REQUESTED, 5),
    (Status.FINANCIAL_REQUESTED, 1),
    (Status.WITHDRAWN, 3),
    (Status.STOPPED, 3),
)
#: The public history of each final status: (action, status it led to).
HISTORY = {
    Status.NEW: [("submit", Status.NEW)],
    Status.NOT_ACCEPTED: [("submit", Status.NEW), ("refuse", Status.NOT_ACCEPTED)],
    Status.ACCEPTED: [("submit", Status.NEW), ("accept", Status.ACCEPTED)],
    Status.PROCESSING: [
        ("submit", Status.NEW),
        ("accept", Status.ACCEPTED),
        ("forward", Status.PROCESSING),
    ],
    Status.ADDITIONAL_REQUESTED: [
        ("submit", Status.NEW),
        ("accept", Status.ACCEPTED),
        ("request_documents", Status.ADDITIONAL_REQUESTED),
    ],
    Status.FINANCIAL_REQUESTED: [
        ("submit", Status.NEW),
        ("accept", Status.ACCEPTED),
        ("request_financial", Status.FINANCIAL_REQUESTED),
    ],
    Status.WITHDRAWN: [("submit", Status.NEW), ("withdraw", Status.WITHDRAWN)],
    Status.STOPPED: [("submit", Status.NEW), ("accept", Status.ACCEPTED), ("stop", Status.STOPPED)],
    Status.PROCESSED: [
        ("submit", Status.NEW),
        ("accept", Status.ACCEPTED),
        ("forward", Status.PROCESSING),
        ("finish", Status.PROCESSED),
    ],
    Status.RETURNED: [
        ("submit", Status.NEW),
        ("accept", Status.ACCEPTED),
        ("forward", Status.PROCESSING),
        ("finish", Status.PROCESSED),
        ("return_result", Status.RETURNED),
    ],
}
#: The submitted e-form: birth registration, with two required documents and one optional.
PAYLOAD_PROCEDURE = "1.001193"
PAYLOAD_WARD = "16681"


# --- COPY ------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """*value* in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _columns(model: type[Model], *, with_pk: bool) -> list[tuple[str, str, str]]:
    """(attribute, column, default in COPY's text format) of the concrete fields of *model*;
    the primary key only *with_pk* (else the database numbers the rows)."""
    pk = model._meta.pk
    return [
        (f.attname, f.column, _text(f.get_default()))
        for f in model._meta.concrete_fields
        if f.column and (with_pk or f is not pk)
    ]


def copy_rows(model: type[Model], rows: list[dict[str, Any]], chunk: int = 20_000) -> int:
    """COPY *rows* (attribute → value; the others take their field's default) into *model*."""
    if not rows:
        return 0
    columns = _columns(model, with_pk=model._meta.pk.attname in rows[0])
    table = model._meta.db_table
    names = ", ".join(connection.ops.quote_name(column) for _a, column, _d in columns)
    written = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            lines: list[str] = []
            for row in rows:
                lines.append(
                    "\t".join(
                        _text(row[attr]) if attr in row else default
                        for attr, _c, default in columns
                    )
                )
                if len(lines) >= chunk:
                    copy.write("\n".join(lines) + "\n")
                    written += len(lines)
                    lines = []
            if lines:
                copy.write("\n".join(lines) + "\n")
                written += len(lines)
    return written


# --- Rows ------------------------------------------------------------------------------------


class Seeder:
    """Builds the dossier rows and, beside them, their history and the day sequences."""

    def __init__(self, *, rng: random.Random, count: int, now: dt.datetime) -> None:
        self.rng = rng
        self.count = count
        self.now = now
        day = timezone.localdate(now)
        in_force = [version_in_force(p, day) for p in Procedure.objects.filter(is_active=True)]
        self.versions = list(
            ProcedureVersion.objects.filter(pk__in=[v.pk for v in in_force if v is not None])
            .select_related("handling_unit")
            .prefetch_related("fees")
        )
        self.communes = list(
            Unit.objects.filter(kind__in=COMMUNE_LEVEL_KINDS, agency_code__isnull=False)
        )
        self.centre = Unit.objects.filter(
            kind=UnitKind.SERVICE_CENTRE, agency_code__isnull=False
        ).first()
        # Numbers already given per (agency, day): the seeded codes continue after them.
        self.numbers: dict[tuple[str, dt.date], int] = {
            (s.agency_code, s.day): s.last_number for s in DossierSequence.objects.all()
        }
        first = Dossier.objects.order_by("-pk").values_list("pk", flat=True).first()
        self.next_id = (first or 0) + 1
        self.events: list[dict[str, Any]] = []

    def _receiving(self, version: ProcedureVersion) -> Unit:
        if UnitKind.SERVICE_CENTRE in version.unit_kinds and self.centre is not None:
            return self.centre
        return self.rng.choice(self.communes)

    def _code(self, agency: str, moment: dt.datetime) -> str:
        day = timezone.localdate(moment)
        number = self.numbers.get((agency, day), 0) + 1
        self.numbers[(agency, day)] = number
        return f"{agency}-{day:%y%m%d}-{number:04d}"

    def dossiers(self) -> Iterator[dict[str, Any]]:
        rng = self.rng
        states, weights = zip(*STATUSES, strict=True)
        for _ in range(self.count):
            version = rng.choice(self.versions)
            receiving = self._receiving(version)
            handling = version.handling_unit or receiving
            status = rng.choices(states, weights)[0]
            sent = self.now - dt.timedelta(seconds=rng.randint(3_600, 365 * 86_400))
            sent = timezone.localtime(sent).replace(hour=rng.randint(7, 16))
            received = sent + dt.timedelta(minutes=rng.randint(5, 600))
            due = received + dt.timedelta(days=version.processing_days * 7 / 5 + 1)
            processed = received + dt.timedelta(hours=rng.randint(2, 24 * version.processing_days))
            returned = processed + dt.timedelta(hours=rng.randint(1, 48))
            accepted = status not in (Status.NEW, Status.NOT_ACCEPTED, Status.WITHDRAWN)
            finished = status in (Status.PROCESSED, Status.RETURNED)
            closed = {
                Status.RETURNED: returned,
                Status.NOT_ACCEPTED: received,
                Status.WITHDRAWN: received,
                Status.STOPPED: processed,
            }.get(status)
            dossier_id = self.next_id
            self.next_id += 1
            code = self._code(receiving.agency_code or "", sent)
            fee = version.fee_total
            yield {
                "id": dossier_id,
                "code": code,
                "status": status,
                "channel": rng.choice((Channel.COUNTER, Channel.ONLINE, Channel.ONLINE)),
                "version_id": version.pk,
                "receiving_unit_id": receiving.pk,
                "handling_unit_id": handling.pk,
                "current_unit_id": handling.pk if accepted and not finished else receiving.pk,
                "applicant_name": rng.choice(NAMES),
                "applicant_id_number": f"040{rng.randint(0, 999_999_999):09d}",
                "form_data": {},
                "created_at": sent,
                "submitted_at": sent,
                "received_at": received if accepted else None,
                "due_at": due if accepted else None,
                "original_due_at": due if accepted else None,
                "processed_at": processed if finished else None,
                "returned_at": returned if status == Status.RETURNED else None,
                "closed_at": closed,
                "is_late": finished and processed > due,
                "fee_amount": fee if accepted else 0,
                "paid_at": received if accepted and fee else None,
            }
            moments = [sent, received, received + dt.timedelta(hours=2), processed, returned]
            for step, (action, to_status) in enumerate(HISTORY[status]):
                self.events.append(
                    {
                        "dossier_id": dossier_id,
                        "at": moments[min(step, len(moments) - 1)],
                        "action": action,
                        "unit_id": (handling if action in ("forward", "finish") else receiving).pk,
                        "from_status": HISTORY[status][step - 1][1] if step else None,
                        "to_status": to_status,
                    }
                )

    def sequences(self) -> Iterator[dict[str, Any]]:
        for (agency, day), number in self.numbers.items():
            yield {"agency_code": agency, "day": day, "last_number": number}


def seed(count: int, *, rng: random.Random, batch: int) -> tuple[int, int]:
    """Write *count* dossiers with their history, in batches; (dossiers, events) written."""
    seeder = Seeder(rng=rng, count=count, now=timezone.now())
    if not seeder.versions or not seeder.communes:
        raise SystemExit("No procedures or communes: run `manage.py demo --load-only` first.")
    began = time.perf_counter()
    dossiers = events = 0
    rows = seeder.dossiers()
    while dossiers < count:
        chunk = [row for _, row in zip(range(batch), rows, strict=False)]
        dossiers += copy_rows(Dossier, chunk)
        events += copy_rows(DossierEvent, seeder.events)
        seeder.events.clear()
        print(f"  {dossiers} dossiers ({time.perf_counter() - began:.0f} s)", file=sys.stderr)
    # The day sequences, replaced by the seeded ones (which include the numbers given before).
    DossierSequence.objects.all().delete()
    copy_rows(DossierSequence, list(seeder.sequences()))
    with connection.cursor() as cursor:
        for model in (Dossier, DossierEvent, DossierSequence):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    return dossiers, events


def write_payload(path: Path) -> None:
    """What ``dossier_bench.py`` submits: procedure, ward, e-form and three documents."""
    version = version_in_force(Procedure.objects.get(code=PAYLOAD_PROCEDURE))
    if version is None:
        raise SystemExit(f"No version in force of procedure {PAYLOAD_PROCEDURE}.")
    ward = Unit.objects.get(code=PAYLOAD_WARD)
    applicant = ApplicantInput(name="Người thử tải", id_number="040190012345", phone="0912000111")
    payload = {
        "procedure": PAYLOAD_PROCEDURE,
        "receiving_unit": PAYLOAD_WARD,
        "channel": Channel.ONLINE,
        "applicant": {"name": applicant.name, "id_number": applicant.id_number},
        "form_data": form_data_for(
            version,
            rng=random.Random(1),  # bench data
            applicant=applicant,
            unit=ward,
            day=timezone.localdate(),
        ),
    }
    components = [c.code for c in version.components.order_by("order")][:3]
    # Other wards and communes to spread submissions over (each has its own day sequence).
    others = (
        Unit.objects.filter(kind__in=COMMUNE_LEVEL_KINDS, agency_code__isnull=False)
        .exclude(pk=ward.pk)
        .order_by("code")
        .values_list("code", flat=True)[:19]
    )
    path.write_text(
        json.dumps(
            {"dossier": payload, "components": components, "units": [ward.code, *others]},
            ensure_ascii=False,
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--payload", type=Path, help="write the submission payload here")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        parser.error("PostgreSQL only (COPY): set DATABASE_URL")
    if not 0 <= args.count <= 2_000_000:
        parser.error("--count must be between 0 and 2,000,000")
    began = time.perf_counter()
    if args.count:
        dossiers, events = seed(args.count, rng=random.Random(args.seed), batch=args.batch)
        with connection.cursor() as cursor:
            for model in (Dossier, DossierEvent, DossierSequence):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        print(
            f"Seeded {dossiers} dossiers and {events} history rows in "
            f"{time.perf_counter() - began:.0f} s",
            file=sys.stderr,
        )
    if args.payload:
        write_payload(args.payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
