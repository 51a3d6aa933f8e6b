"""``chinhquyenso audit-verify``: what the operator reads, and the exit code cron sees."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from chinhquyenso.cli import main
from chinhquyenso.core.audit import GENESIS_HASH, audit_record, compute_hash
from chinhquyenso.core.models import AuditEntry, AuditHead


def build_chain(count: int) -> None:
    """A valid chain of *count* rows written in bulk (audit_record() takes one at a time)."""
    previous, now, rows = GENESIS_HASH, timezone.now(), []
    for sequence in range(1, count + 1):
        entry = AuditEntry(
            sequence=sequence,
            occurred_at=now,
            actor_label="hệ thống",
            action="test.bulk",
            object_type="t",
            object_id=str(sequence),
            changes={"n": [sequence - 1, sequence]},
            source="test",
            previous_hash=previous,
        )
        entry.entry_hash = previous = compute_hash(entry)
        rows.append(entry)
    AuditEntry.objects.bulk_create(rows, batch_size=1000)
    AuditHead.objects.update_or_create(pk=1, defaults={"sequence": count, "entry_hash": previous})


@pytest.fixture
def chain(db) -> list[AuditEntry]:
    entries = []
    for i in range(3):
        with transaction.atomic():
            entries.append(
                audit_record(actor=None, action="test.write", object_type="t", object_id=str(i))
            )
    return entries


def run(*args: str) -> str:
    out = StringIO()
    call_command("audit-verify", *args, stdout=out, skip_checks=True)
    return out.getvalue()


def test_intact_chain_prints_count_verdict_and_head(chain):
    output = run()
    assert "Đã kiểm tra 3 dòng nhật ký." in output
    assert "Chuỗi nhật ký toàn vẹn." in output
    assert f"Đầu chuỗi: 3:{chain[-1].entry_hash}" in output


def test_count_uses_vietnamese_digit_grouping(db):
    build_chain(1001)
    assert "Đã kiểm tra 1.001 dòng nhật ký." in run()


def test_tampered_chain_lists_each_problem_and_fails(chain):
    AuditEntry.objects.filter(sequence=1).update(actor_label="người khác")
    AuditEntry.objects.filter(sequence=3).delete()
    out = StringIO()
    with pytest.raises(CommandError, match="KHÔNG toàn vẹn: phát hiện 2 vấn đề") as raised:
        call_command("audit-verify", stdout=out, skip_checks=True)
    assert raised.value.returncode == 1
    output = out.getvalue()
    assert "Đã kiểm tra 2 dòng nhật ký." in output
    assert "Dòng #1: nội dung không khớp mã băm (dòng đã bị sửa)." in output
    assert "Dòng #3: thiếu dòng cuối #3 (đã bị xoá)." in output
    assert "toàn vẹn." not in output.replace("KHÔNG toàn vẹn", "")


def test_anchor_option_checks_a_recorded_head(chain):
    assert "toàn vẹn" in run("--anchor", f"3:{chain[-1].entry_hash}")
    with pytest.raises(CommandError):
        run("--anchor", f"3:{'d' * 64}")


def test_malformed_anchor_is_explained(chain):
    with pytest.raises(CommandError, match="không đúng dạng"):
        run("--anchor", "ba:xyz")


# run_from_argv() closes the database connections when it ends, so no test transaction here.
@pytest.mark.django_db(transaction=True)
def test_console_script_exit_codes(chain, capsys):
    main(["audit-verify", "--skip-checks"])  # returns normally: exit code 0
    assert "Chuỗi nhật ký toàn vẹn." in capsys.readouterr().out

    AuditEntry.objects.filter(sequence=2).delete()
    with pytest.raises(SystemExit) as exited:
        main(["audit-verify", "--skip-checks"])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert "Dòng #3: thiếu dòng #2 ngay trước (đã bị xoá)." in captured.out
    assert "KHÔNG toàn vẹn" in captured.err
