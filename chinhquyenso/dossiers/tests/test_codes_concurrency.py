"""Fifty submissions to one agency at the same instant get fifty distinct, gap-free codes.

PostgreSQL only: SQLite serialises every write transaction, so there is no race to test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from chinhquyenso.dossiers.models import Dossier

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

SUBMISSIONS = 50


def test_fifty_concurrent_submissions_get_fifty_codes(register: Callable[..., Dossier]) -> None:
    start = threading.Barrier(SUBMISSIONS)
    codes: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        start.wait()
        try:
            codes.append(register("27/11/2026 09:00").code or "")
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(SUBMISSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(set(codes)) == SUBMISSIONS
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(1, SUBMISSIONS + 1))
    assert Dossier.objects.count() == SUBMISSIONS
