"""The hash-chained audit log.

Every service write calls :func:`audit_record` inside its transaction. Rows are only ever
appended; each carries the SHA-256 of the previous row's hash and its own content, so
:func:`audit_verify` finds any row that was edited, deleted or inserted out of order.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from chinhquyenso.core.context import request_origin
from chinhquyenso.core.models import AuditEntry

GENESIS_HASH = "0" * 64
# Any fixed 64-bit number serves; it names the PostgreSQL advisory lock of the audit chain.
_CHAIN_LOCK_ID = 7_340_017_113


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "sequence": entry.sequence,
        "occurred_at": entry.occurred_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "ip_address": entry.ip_address,
        "source": entry.source,
        "previous_hash": entry.previous_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _lock_chain() -> None:
    """Serialise appends so two writers never take the same sequence number.

    SQLite connections here open write transactions with BEGIN IMMEDIATE, which already
    serialises writers; PostgreSQL takes a transaction-scoped advisory lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit row. Must run inside the caller's transaction.

    *actor* is a user, or ``None`` for the system itself (commands, tasks); *changes* is a short
    ``{"field": [before, after]}`` summary, never whole documents or secrets.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record() must run inside the write's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    ip, source = request_origin.get()
    _lock_chain()
    last = AuditEntry.objects.order_by("-sequence").only("sequence", "entry_hash").first()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        sequence=(last.sequence + 1) if last else 1,
        occurred_at=timezone.now(),
        actor=actor if is_user else None,
        actor_label=(str(actor) if actor is not None else "hệ thống")[:255],
        action=action[:100],
        object_type=object_type[:100],
        object_id=object_id[:64],
        object_repr=object_repr[:255],
        changes=_json_safe(changes or {}),
        ip_address=ip,
        source=source[:100],
        previous_hash=last.entry_hash if last else GENESIS_HASH,
    )
    entry.entry_hash = compute_hash(entry)
    entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    message: str


def audit_verify() -> tuple[int, list[ChainProblem]]:
    """Walk the whole chain; return how many rows were checked and every problem found."""
    problems: list[ChainProblem] = []
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000):
        checked += 1
        if entry.sequence != expected_sequence:
            problems.append(
                ChainProblem(
                    entry.sequence,
                    f"missing rows {expected_sequence}–{entry.sequence - 1} (deleted)",
                )
            )
        if entry.previous_hash != expected_previous:
            problems.append(ChainProblem(entry.sequence, "link to the previous row is broken"))
        if compute_hash(entry) != entry.entry_hash:
            problems.append(ChainProblem(entry.sequence, "content does not match its hash (edited)"))
        expected_previous = entry.entry_hash
        expected_sequence = entry.sequence + 1
    return checked, problems
