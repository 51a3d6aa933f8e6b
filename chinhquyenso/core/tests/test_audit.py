"""The hash-chained audit log: what a write records, and what audit_verify() catches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_set_roles
from chinhquyenso.core.audit import (
    ChainHead,
    ChainReport,
    audit_record,
    audit_verify,
    compute_hash,
    parse_anchor,
)
from chinhquyenso.core.context import audit_origin, request_origin
from chinhquyenso.core.middleware import RequestContextMiddleware
from chinhquyenso.core.models import AuditEntry, AuditHead
from chinhquyenso.units.models import UnitKind
from chinhquyenso.units.services import unit_create


def append(count: int, *, actor: User | None = None) -> list[AuditEntry]:
    """Append *count* rows the way a service does, each in its own transaction."""
    entries = []
    for i in range(count):
        with transaction.atomic():
            entries.append(
                audit_record(
                    actor=actor,
                    action="test.write",
                    object_type="test.thing",
                    object_id=str(i),
                    object_repr=f"Vật thử {i}",
                    changes={"status": ["draft", "sent"], "n": [i, i + 1]},
                )
            )
    return entries


def sequences(report: ChainReport) -> list[int]:
    return [problem.sequence for problem in report.problems]


def messages(report: ChainReport) -> str:
    return " | ".join(problem.message for problem in report.problems)


def test_empty_log_is_intact(db):
    report = audit_verify()
    assert report.intact
    assert report.checked == 0


# --- what a write records ------------------------------------------------------------------


def test_service_write_records_who_what_which_before_after_when_and_where(alice, leader):
    before = AuditEntry.objects.count()
    with audit_origin("command set-roles", ip="10.1.2.3"):
        official_set_roles(user=alice, roles=[Role.SPECIALIST, Role.CLERK], by=leader)

    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry is not None
    assert entry.actor == leader
    assert entry.actor_label == str(leader)
    assert entry.action == "official.set_roles"
    assert (entry.object_type, entry.object_id) == ("accounts.user", str(alice.pk))
    assert entry.changes == {"roles": [[Role.SPECIALIST], [Role.CLERK, Role.SPECIALIST]]}
    assert (entry.ip_address, entry.source) == ("10.1.2.3", "command set-roles")
    assert abs((dt.datetime.now(dt.UTC) - entry.occurred_at).total_seconds()) < 60
    assert audit_verify().intact


def test_web_request_records_client_ip_and_channel(leader, province):
    def view(request: HttpRequest) -> HttpResponse:
        with transaction.atomic():
            unit_create(parent=province, kind=UnitKind.COMMUNE, name="Xã Nam Đàn", by=leader)
        return HttpResponse()

    request = RequestFactory().post("/quan-tri/don-vi/", REMOTE_ADDR="203.0.113.9")
    RequestContextMiddleware(view)(request)

    entry = AuditEntry.objects.get(action="unit.create", object_repr__contains="Nam Đàn")
    assert entry.ip_address == "203.0.113.9"
    assert entry.source == "web POST /quan-tri/don-vi/"
    assert entry.actor == leader


def test_audit_origin_is_restored_after_the_block_and_works_as_decorator():
    assert request_origin.get() == (None, "system")

    @audit_origin("task send-reminders")
    def task() -> tuple[str | None, str]:
        return request_origin.get()

    with audit_origin("command outer", ip="10.0.0.1"):
        assert task() == (None, "task send-reminders")
        assert request_origin.get() == ("10.0.0.1", "command outer")
    assert request_origin.get() == (None, "system")


def test_system_and_anonymous_actors_are_named(db):
    with transaction.atomic():
        system = audit_record(actor=None, action="test.system", object_type="t", object_id="1")
        anonymous = audit_record(
            actor=AnonymousUser(), action="test.anonymous", object_type="t", object_id="2"
        )
    assert (system.actor_id, system.actor_label) == (None, "hệ thống")
    assert (anonymous.actor_id, anonymous.actor_label) == (None, "người dùng không đăng nhập")


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="test.write", object_type="t", object_id="1")
    assert not AuditEntry.objects.exists()


# --- the hash survives the database round trip (run on SQLite and PostgreSQL) --------------


def test_changes_are_stored_in_a_form_that_hashes_the_same_after_reading_back(db):
    changes = {
        "zz_last_but_short": [1.0, 2.5],
        "a": {"y": 1e20, "x": [-0.0, 0.1 + 0.2, 10**30]},
        "bbbbbbbbbb": [Decimal("1.50"), dt.date(2026, 1, 1)],
        "text": ["Nghệ An", "a\x00b"],
        "not_a_number": [float("nan"), float("inf")],
        7: "integer key",
    }
    with transaction.atomic():
        written = audit_record(actor=None, action="test.json", obj=None, changes=changes)
    stored = AuditEntry.objects.get(pk=written.pk)

    assert stored.changes == {
        "zz_last_but_short": [1, 2.5],
        "a": {"y": 10**20, "x": [0, 0.30000000000000004, 10**30]},
        "bbbbbbbbbb": ["1.50", "2026-01-01"],
        "text": ["Nghệ An", "ab"],
        "not_a_number": ["nan", "inf"],
        "7": "integer key",
    }
    assert compute_hash(stored) == stored.entry_hash == written.entry_hash
    assert audit_verify().intact


def test_long_change_values_are_cut_short(db):
    with transaction.atomic():
        entry = audit_record(
            actor=None, action="test.long", object_type="t", changes={"body": [None, "x" * 5000]}
        )
    after = AuditEntry.objects.get(pk=entry.pk).changes["body"][1]
    assert len(after) == 500
    assert after.endswith("…")


def test_timestamp_keeps_microseconds_and_hash_ignores_the_time_zone(db):
    (written,) = append(1)
    stored = AuditEntry.objects.get(pk=written.pk)
    assert stored.occurred_at == written.occurred_at
    assert stored.occurred_at.microsecond == written.occurred_at.microsecond

    stored.occurred_at = stored.occurred_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert compute_hash(stored) == written.entry_hash


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("2001:0DB8:0000:0000::0001", "2001:db8::1"),
        ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
        ("fe80::1%eth0", "fe80::1"),
        ("not an address", None),
    ],
)
def test_ip_addresses_are_stored_so_they_verify(db, given, kept):
    with audit_origin("test", ip=given), transaction.atomic():
        written = audit_record(actor=None, action="test.ip", object_type="t")
    stored = AuditEntry.objects.get(pk=written.pk)
    assert stored.ip_address == kept
    assert compute_hash(stored) == stored.entry_hash
    assert audit_verify().intact


# --- tampering -----------------------------------------------------------------------------


def test_intact_chain_passes_and_reports_its_head(db):
    entries = append(5)
    report = audit_verify()
    assert report.intact
    assert report.checked == 5
    assert report.head == ChainHead(5, entries[-1].entry_hash)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("occurred_at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        ("actor_label", "Người khác"),
        ("action", "test.other"),
        ("object_type", "test.other"),
        ("object_id", "999"),
        ("object_repr", "Vật khác"),
        ("changes", {"status": ["draft", "rejected"], "n": [2, 3]}),
        ("ip_address", "192.0.2.77"),
        ("source", "web GET /"),
    ],
)
def test_edited_row_is_detected(db, field, value):
    append(5)
    AuditEntry.objects.filter(sequence=3).update(**{field: value})

    report = audit_verify()
    assert sequences(report) == [3]
    assert "đã bị sửa" in messages(report)


def test_changed_actor_is_detected(alice, bob):
    append(3, actor=alice)
    AuditEntry.objects.filter(sequence=2).update(actor=bob)
    assert sequences(audit_verify()) == [2]


def test_how_a_database_prints_json_is_not_an_edit(db):
    append(2)
    # What PostgreSQL's jsonb may hand back, done by hand so SQLite runs it too: keys in another
    # order, an integer as 2.0.
    AuditEntry.objects.filter(sequence=2).update(
        changes={"n": [1, 2.0], "status": ["draft", "sent"]}
    )
    assert audit_verify().intact


def test_rewritten_hash_is_detected_at_the_row_and_at_the_next_link(db):
    append(4)
    AuditEntry.objects.filter(sequence=2).update(entry_hash="a" * 64)
    report = audit_verify()
    assert sequences(report) == [2, 3]
    assert "đã bị sửa" in report.problems[0].message
    assert "không nối đúng" in report.problems[1].message


def test_deleted_middle_row_is_detected(db):
    append(5)
    AuditEntry.objects.filter(sequence=3).delete()
    report = audit_verify()
    assert report.checked == 4
    assert sequences(report) == [4]
    assert "#3" in messages(report) and "đã bị xoá" in messages(report)


@pytest.mark.parametrize("deleted", [[5], [4, 5], [1, 2, 3, 4, 5]])
def test_deleted_last_rows_are_detected(db, deleted):
    append(5)
    AuditEntry.objects.filter(sequence__in=deleted).delete()
    report = audit_verify()
    assert sequences(report) == [5]
    assert "dòng cuối" in messages(report)
    assert f"#{deleted[0]}" in messages(report)


def test_next_write_after_deleted_tail_keeps_the_gap_visible(db):
    append(5)
    AuditEntry.objects.filter(sequence=5).delete()
    (new,) = append(1)
    assert new.sequence == 6
    report = audit_verify()
    assert sequences(report) == [6]
    assert "#5" in messages(report)


def test_swapped_rows_are_detected(db):
    append(5)
    AuditEntry.objects.filter(sequence=2).update(sequence=100)
    AuditEntry.objects.filter(sequence=4).update(sequence=2)
    AuditEntry.objects.filter(sequence=100).update(sequence=4)
    report = audit_verify()
    assert {2, 4} <= set(sequences(report))
    assert not report.intact


def test_row_inserted_behind_the_application_is_detected(db):
    entries = append(3)
    forged = AuditEntry(
        sequence=4,
        occurred_at=entries[-1].occurred_at,
        actor_label="kẻ giả mạo",
        action="test.write",
        object_type="test.thing",
        object_id="x",
        object_repr="giả",
        changes={},
        source="web POST /",
        previous_hash=entries[-1].entry_hash,
    )
    forged.entry_hash = compute_hash(forged)
    AuditEntry.objects.bulk_create([forged])

    report = audit_verify()
    assert sequences(report) == [4]
    assert "ngoài ứng dụng" in messages(report)


def test_row_numbered_zero_is_detected(db):
    append(2)
    AuditEntry.objects.filter(sequence=1).update(sequence=0)
    report = audit_verify()
    assert sequences(report)[0] == 0
    assert "chèn thêm" in report.problems[0].message


def test_deleted_head_is_detected_and_writing_goes_on(db):
    append(3)
    AuditHead.objects.all().delete()
    assert "đầu chuỗi" in messages(audit_verify())

    (new,) = append(1)
    assert new.sequence == 4
    assert audit_verify().checked == 4


def test_recomputed_chain_is_caught_by_an_anchor_kept_outside(db):
    entries = append(4)
    recorded = audit_verify().head
    assert recorded is not None
    assert audit_verify(anchors=[recorded]).intact

    # An attacker with full database access rewrites row 2 and recomputes every hash after it,
    # and the head: the chain is consistent again, only the outside copy tells.
    previous_hash = entries[0].entry_hash
    for entry in AuditEntry.objects.filter(sequence__gte=2).order_by("sequence"):
        if entry.sequence == 2:
            entry.object_repr = "đã sửa lén"
        entry.previous_hash = previous_hash
        entry.entry_hash = compute_hash(entry)
        AuditEntry.objects.filter(pk=entry.pk).update(
            object_repr=entry.object_repr,
            previous_hash=entry.previous_hash,
            entry_hash=entry.entry_hash,
        )
        previous_hash = entry.entry_hash
    AuditHead.objects.update(entry_hash=previous_hash)

    assert audit_verify().intact
    report = audit_verify(anchors=[recorded])
    assert sequences(report) == [4]
    assert "tính lại" in messages(report)


def test_anchor_of_a_deleted_row_is_reported(db):
    append(3)
    report = audit_verify(anchors=[ChainHead(9, "b" * 64)])
    assert sequences(report) == [9]


def test_parse_anchor_reads_what_the_command_prints():
    head = ChainHead(42, "c" * 64)
    assert parse_anchor(str(head)) == head
    for bad in ["42", "x:" + "c" * 64, "42:abc", "42:" + "g" * 64]:
        with pytest.raises(ValueError, match="không đúng dạng"):
            parse_anchor(bad)


def test_deleting_a_user_leaves_the_chain_intact(charlie):
    entry = AuditEntry.objects.get(action="applicant.register")
    charlie_id = charlie.pk
    charlie.delete()
    assert AuditEntry.objects.get(pk=entry.pk).actor_id == charlie_id
    assert audit_verify().intact


def test_verification_reads_in_chunks_with_a_fixed_number_of_queries(db, django_assert_num_queries):
    append(20)
    AuditEntry.objects.filter(sequence=15).update(object_repr="đã sửa")
    # Head before the walk, the walk itself (streamed), head after.
    with django_assert_num_queries(3):
        report = audit_verify(chunk_size=7)
    assert report.checked == 20
    assert sequences(report) == [15]
