"""The hash-chained audit log.

Every service write calls :func:`audit_record` inside its transaction, as its last database
write (the call holds the chain lock until commit). Rows are only ever appended; each carries the
hash of the previous row and the SHA-256 of its own content, and the one-row ``AuditHead`` table
remembers the newest link, so :func:`audit_verify` finds any row that was edited, deleted
(in the middle or at the end), inserted or moved.

Someone with write access to the database who rewrites the rows *and* recomputes every hash *and*
moves the head can make a consistent forgery; only a copy of the head kept outside the database
catches that. ``audit-verify`` prints the head for operators to record, and checks earlier records
passed with ``--anchor``.

The hash must survive a database round trip unchanged, so the hashed form is canonical: times in
UTC with microseconds, JSON with sorted keys (PostgreSQL ``jsonb`` reorders them) and integral
floats written as integers (``jsonb`` returns ``1e20`` as an integer), IP addresses in one fixed
notation whatever the database prints.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhquyenso.core.context import request_origin
from chinhquyenso.core.models import AuditEntry, AuditHead

GENESIS_HASH = "0" * 64
#: The columns covered by ``entry_hash`` (every column but the surrogate ``id`` and the hash).
HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "ip_address",
    "source",
    "previous_hash",
)
#: Longest text kept for one value in ``changes``: a short before/after, not documents.
MAX_CHANGE_TEXT = 500
# Stored data, not interface text: the log keeps the words used when the row was written.
SYSTEM_ACTOR_LABEL = "hệ thống"
ANONYMOUS_ACTOR_LABEL = "người dùng không đăng nhập"


# --- canonical form -------------------------------------------------------------------------


def _canonical_time(value: datetime) -> str:
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


@functools.lru_cache(maxsize=4096)
def _canonical_ip(value: str | None) -> str | None:
    """One notation per address: dotted IPv4, full lower-case hex IPv6.

    PostgreSQL's ``inet`` and Python versions print IPv6 (notably IPv4-mapped) addresses
    differently, so the hash uses the packed bytes rather than the stored text.
    """
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return value
    if address.version == 4:
        return str(address)
    hexed = address.packed.hex()
    return ":".join(hexed[i : i + 4] for i in range(0, 32, 4))


def _canonical_json(value: Any) -> Any:
    """Fold integral floats to integers, recursively; everything else stays as stored."""
    # Exact type checks: decoded JSON holds only these types, and verification runs this per row.
    kind = type(value)
    if kind is dict:
        return {key: _canonical_json(item) for key, item in value.items()}
    if kind is list:
        return [_canonical_json(item) for item in value]
    if kind is float and value.is_integer():
        return int(value)
    return value


def _canonical(values: Mapping[str, Any]) -> bytes:
    payload = {name: values[name] for name in HASHED_FIELDS}
    payload["occurred_at"] = _canonical_time(values["occurred_at"])
    payload["ip_address"] = _canonical_ip(values["ip_address"])
    payload["changes"] = _canonical_json(values["changes"])
    return json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")


def _digest(values: Mapping[str, Any]) -> str:
    return hashlib.sha256(_canonical(values)).hexdigest()


def compute_hash(entry: AuditEntry) -> str:
    """The SHA-256 that *entry* must carry as ``entry_hash``."""
    return _digest({name: getattr(entry, name) for name in HASHED_FIELDS})


# --- writing --------------------------------------------------------------------------------


def _clean_text(value: str, limit: int) -> str:
    """Text every database stores unchanged: no NUL (PostgreSQL rejects it), valid UTF-8."""
    cleaned = value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _json_value(value: Any) -> Any:
    """A JSON-native copy of *value* that reads back from SQLite and PostgreSQL unchanged."""
    if isinstance(value, Mapping):
        return {_clean_text(str(key), 100): _json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_value(item) for item in value]
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return int(value) if value.is_integer() else value
    # Strings, and dates, decimals, UUIDs, lazy translations, model instances as their text.
    return _clean_text(str(value), MAX_CHANGE_TEXT)


def _clean_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        # Drop an IPv6 zone ("fe80::1%eth0"): PostgreSQL's inet does not take it.
        return str(ipaddress.ip_address(value.split("%", 1)[0].strip()))
    except ValueError:
        return None


def _chain_end() -> tuple[int, str]:
    """Lock the chain head, creating it on the first write ever, and return the link the next
    row follows: ``(sequence, entry_hash)``.

    All appenders queue on the head's row lock (PostgreSQL), so no two take the same sequence
    number. SQLite connections here open write transactions with BEGIN IMMEDIATE, which already
    serialises writers. Normally the head is the last row; if rows were appended behind its back,
    or the head row was deleted, the next row follows the real last row, and audit_verify()
    reports the tampering. One statement reads the head and the highest sequence (every service
    write runs this). On PostgreSQL an appender that waited for the lock sees the head as the
    previous appender committed it, and a highest sequence from before the wait, which is not
    above that head: the head is followed, as it should be.
    """
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    sql = (
        f"SELECT h.{quote('sequence')}, h.{quote('entry_hash')}, "  # noqa: S608  # model names only
        f"(SELECT MAX(e.{quote('sequence')}) FROM {quote(AuditEntry._meta.db_table)} e) "
        f"FROM {quote(AuditHead._meta.db_table)} h WHERE h.id = 1"
        + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        if row is None:
            # Two first writers may race here: the loser's insert is ignored, then it waits.
            AuditHead.objects.bulk_create([AuditHead(pk=1)], ignore_conflicts=True)
            cursor.execute(sql)
            row = cursor.fetchone()
    head_sequence, head_hash, last_sequence = row
    if last_sequence is not None and last_sequence > head_sequence:
        last = AuditEntry.objects.filter(sequence=last_sequence).values_list("entry_hash").get()
        return last_sequence, last[0]
    return head_sequence, head_hash


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit row. Must run inside the caller's transaction, as its last write.

    *actor* is a user, or ``None`` for the system itself (commands, tasks); *changes* is a short
    ``{"field": [before, after]}`` summary, never whole documents or secrets. The IP address and
    channel come from :data:`~chinhquyenso.core.context.request_origin` (set by the middleware,
    or by :func:`~chinhquyenso.core.context.audit_origin` in commands and tasks).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record() must run inside the write's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    ip, source = request_origin.get()
    previous_sequence, previous_hash = _chain_end()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if actor is None:
        actor_label = SYSTEM_ACTOR_LABEL
    elif getattr(actor, "is_anonymous", False):
        actor_label = ANONYMOUS_ACTOR_LABEL
    else:
        actor_label = str(actor)
    entry = AuditEntry(
        sequence=previous_sequence + 1,
        occurred_at=timezone.now(),
        actor=actor if is_user else None,
        actor_label=_clean_text(actor_label, 255),
        action=_clean_text(action, 100),
        object_type=_clean_text(object_type, 100),
        object_id=_clean_text(object_id, 64),
        object_repr=_clean_text(object_repr, 255),
        changes=_json_value(dict(changes or {})),
        ip_address=_clean_ip(ip),
        source=_clean_text(source, 100),
        previous_hash=previous_hash,
    )
    entry.entry_hash = compute_hash(entry)
    entry.save(force_insert=True)
    AuditHead.objects.filter(pk=1).update(sequence=entry.sequence, entry_hash=entry.entry_hash)
    return entry


# --- verifying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    """One thing wrong with the chain, at row *sequence*; *message* is for people (Vietnamese)."""

    sequence: int
    message: str


@dataclass(frozen=True)
class ChainHead:
    """A link of the chain: the newest one (the head), or one an operator recorded earlier."""

    sequence: int
    entry_hash: str

    def __str__(self) -> str:
        return f"{self.sequence}:{self.entry_hash}"


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problems: tuple[ChainProblem, ...]
    head: ChainHead | None

    @property
    def intact(self) -> bool:
        return not self.problems


def parse_anchor(text: str) -> ChainHead:
    """Read a recorded head written as ``<sequence>:<hash>`` (what ``audit-verify`` prints)."""
    sequence, _sep, entry_hash = text.strip().partition(":")
    entry_hash = entry_hash.strip().lower()
    if (
        not sequence.strip().isdigit()
        or len(entry_hash) != 64
        or any(c not in "0123456789abcdef" for c in entry_hash)
    ):
        raise ValueError(
            _("“%(text)s” không đúng dạng <số thứ tự>:<mã băm 64 ký tự hex>.") % {"text": text}
        )
    return ChainHead(int(sequence), entry_hash)


def _read_head() -> ChainHead | None:
    row = AuditHead.objects.filter(pk=1).values_list("sequence", "entry_hash").first()
    return ChainHead(*row) if row else None


def _missing(first: int, last: int, *, at_end: bool) -> str:
    if first == last:
        message = (
            _("thiếu dòng cuối #%(first)s") if at_end else _("thiếu dòng #%(first)s ngay trước")
        )
    elif at_end:
        message = _("thiếu các dòng cuối #%(first)s–#%(last)s")
    else:
        message = _("thiếu các dòng #%(first)s–#%(last)s ngay trước")
    return (message + " " + _("(đã bị xoá)")) % {"first": first, "last": last}


@dataclass
class _Walk:
    """What a pass over the rows saw."""

    checked: int = 0
    last_sequence: int = 0
    hash_at_head: str | None = None


def _walk(
    problems: list[ChainProblem],
    expected_anchors: dict[int, str],
    head: ChainHead | None,
    chunk_size: int,
) -> _Walk:
    """Check every row against its own hash and the row before it, in sequence order."""
    walk = _Walk()
    expected_sequence, expected_previous = 1, GENESIS_HASH
    columns = (*HASHED_FIELDS, "entry_hash")
    rows = AuditEntry.objects.order_by("sequence").values_list(*columns)
    for row in rows.iterator(chunk_size=chunk_size):
        values = dict(zip(columns, row, strict=True))
        sequence, entry_hash = values["sequence"], values["entry_hash"]
        walk.checked += 1
        if sequence > expected_sequence:
            message = _missing(expected_sequence, sequence - 1, at_end=False)
            problems.append(ChainProblem(sequence, message))
        elif sequence < expected_sequence:
            message = _("số thứ tự không hợp lệ (dòng bị chèn thêm)")
            problems.append(ChainProblem(sequence, message))
        elif values["previous_hash"] != expected_previous:
            message = _("không nối đúng vào dòng trước (bị chèn, đổi chỗ hoặc dòng trước bị thay)")
            problems.append(ChainProblem(sequence, message))
        if _digest(values) != entry_hash:
            message = _("nội dung không khớp mã băm (dòng đã bị sửa)")
            problems.append(ChainProblem(sequence, message))
        if sequence in expected_anchors and expected_anchors.pop(sequence) != entry_hash:
            message = _("mã băm khác bản ghi đầu chuỗi lưu bên ngoài (chuỗi đã bị tính lại)")
            problems.append(ChainProblem(sequence, message))
        if head is not None and sequence == head.sequence:
            walk.hash_at_head = entry_hash
        expected_sequence, expected_previous = sequence + 1, entry_hash
        walk.last_sequence = sequence
    return walk


def audit_verify(*, anchors: Iterable[ChainHead] = (), chunk_size: int = 2000) -> ChainReport:
    """Walk the whole chain; report how many rows were checked and every problem found.

    Reads only the hashed columns, *chunk_size* rows at a time (a server-side cursor on
    PostgreSQL), so memory stays flat on millions of rows. Safe while others write: the head is
    read before the walk (rows up to it must all be there) and after it (no row may lie beyond).
    *anchors* are heads recorded outside the database earlier; each must still be in the chain.
    """
    expected_anchors = {anchor.sequence: anchor.entry_hash for anchor in anchors}
    problems: list[ChainProblem] = []
    head_before = _read_head()
    walk = _walk(problems, expected_anchors, head_before, chunk_size)
    head_after = _read_head()

    if head_after is None:
        if walk.checked:
            message = _("mất bản ghi đầu chuỗi nhật ký (bảng đầu chuỗi bị xoá)")
            problems.append(ChainProblem(walk.last_sequence, message))
    elif walk.last_sequence > head_after.sequence:
        first, last = head_after.sequence + 1, walk.last_sequence
        rows = f"#{first}" if first == last else f"#{first}–#{last}"
        message = _("dòng %(rows)s nằm sau đầu chuỗi: được thêm ngoài ứng dụng") % {"rows": rows}
        problems.append(ChainProblem(first, message))
    if head_before is not None and head_before.sequence > 0:
        if walk.last_sequence < head_before.sequence:
            message = _missing(walk.last_sequence + 1, head_before.sequence, at_end=True)
            problems.append(ChainProblem(head_before.sequence, message))
        elif walk.hash_at_head not in (None, head_before.entry_hash):
            message = _("mã băm không khớp đầu chuỗi đã lưu (dòng cuối bị sửa hoặc thay)")
            problems.append(ChainProblem(head_before.sequence, message))
    for sequence in expected_anchors:
        message = _("không còn dòng này, dù bản ghi đầu chuỗi lưu bên ngoài có nó (đã bị xoá)")
        problems.append(ChainProblem(sequence, message))
    problems.sort(key=lambda problem: problem.sequence)
    return ChainReport(checked=walk.checked, problems=tuple(problems), head=head_after)
