"""Concurrent writers on PostgreSQL never share a sequence number and keep the chain intact.

SQLite is skipped: there every write transaction starts with BEGIN IMMEDIATE, so the database
file itself admits one writer at a time and there is no race to test; and the in-memory test
database (shared cache) answers a second writer with "table is locked" at once instead of
waiting, so a threaded test would measure the test set-up, not the code.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from chinhquyenso.core.audit import audit_record, audit_verify
from chinhquyenso.core.models import AuditEntry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (see module docstring)"
    ),
]


class Writers:
    """Run *work(index)* in *count* threads, each on its own database connection."""

    def __init__(self, count: int, work: Callable[[int], None]) -> None:
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._run, args=(work, i)) for i in range(count)]
        for thread in self.threads:
            thread.start()

    def _run(self, work: Callable[[int], None], index: int) -> None:
        try:
            work(index)
        except BaseException as error:
            self.errors.append(error)
        finally:
            connection.close()

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=30)
        assert not self.errors, self.errors


def test_concurrent_writers_get_distinct_consecutive_sequences():
    writers, writes = 6, 8
    start = threading.Barrier(writers)

    def work(index: int) -> None:
        start.wait()
        for i in range(writes):
            with transaction.atomic():
                audit_record(
                    actor=None, action="test.concurrent", object_type="t", object_id=f"{index}-{i}"
                )

    Writers(writers, work).join()

    sequences = list(AuditEntry.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, writers * writes + 1))
    report = audit_verify()
    assert report.intact, report.problems
    assert report.checked == writers * writes


def test_second_writer_waits_for_the_first_to_commit():
    first_wrote, release_first = threading.Event(), threading.Event()
    second_done = threading.Event()
    written: dict[str, int] = {}

    def work(index: int) -> None:
        if index == 0:
            with transaction.atomic():
                written["first"] = audit_record(
                    actor=None, action="test.first", object_type="t"
                ).sequence
                first_wrote.set()
                release_first.wait(timeout=10)
        else:
            first_wrote.wait(timeout=10)
            with transaction.atomic():
                written["second"] = audit_record(
                    actor=None, action="test.second", object_type="t"
                ).sequence
            second_done.set()

    writers = Writers(2, work)
    assert first_wrote.wait(timeout=10)
    # The second writer is blocked on the chain head while the first transaction is open.
    assert not second_done.wait(timeout=0.5)
    release_first.set()
    writers.join()

    assert written == {"first": 1, "second": 2}
    assert audit_verify().intact
