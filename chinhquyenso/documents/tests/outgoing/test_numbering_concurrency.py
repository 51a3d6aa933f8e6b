"""Two clerks numbering at the same instant: consecutive numbers, none lost or given twice.

PostgreSQL only (the register counter's row lock; SQLite serialises whole transactions), as in
``core/tests/test_audit_concurrency.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.documents import outgoing
from chinhquyenso.documents.errors import DocumentError
from chinhquyenso.documents.models import Document, DocumentType, RegisterCounter, Status
from chinhquyenso.documents.tests.outgoing.conftest import approved, draft, signed

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


@pytest.fixture
def second_clerk(clerk: User) -> User:
    return official_create(
        full_name="Lê Thị Hoa",
        unit=clerk.unit,
        roles=[Role.CLERK],
        email="vanthu2@example.vn",
        password=PASSWORD,
        by=None,
    )


def _signed_document(issuing: dict[str, Any], document_type: DocumentType) -> Document:
    document = draft(issuing, document_type)
    signed(issuing, document, approved(issuing, document))
    return document


def _at_once(*work: Callable[[], object]) -> list[str]:
    start = threading.Barrier(len(work))
    outcomes: list[str] = []

    def run(task: Callable[[], object]) -> None:
        start.wait()
        try:
            task()
            outcomes.append("ok")
        except DocumentError as refused:
            outcomes.append(refused.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(task,)) for task in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_clerks_number_two_documents_at_the_same_instant(
    issuing: dict[str, Any], decision_type: DocumentType, second_clerk: User
) -> None:
    first = _signed_document(issuing, decision_type)
    second = _signed_document(issuing, decision_type)

    outcomes = _at_once(
        lambda: outgoing.outgoing_give_number(document=first, by=issuing["clerk"]),
        lambda: outgoing.outgoing_give_number(document=second, by=second_clerk),
    )

    assert outcomes == ["ok", "ok"]
    numbers = sorted(
        Document.objects.filter(pk__in=[first.pk, second.pk]).values_list("number", flat=True)
    )
    assert numbers == [1, 2]
    assert RegisterCounter.objects.get().last_number == 2


def test_two_clerks_number_the_same_document_once(
    issuing: dict[str, Any], decision_type: DocumentType, second_clerk: User
) -> None:
    document = _signed_document(issuing, decision_type)

    outcomes = _at_once(
        lambda: outgoing.outgoing_give_number(document=document, by=issuing["clerk"]),
        lambda: outgoing.outgoing_give_number(document=document, by=second_clerk),
    )

    assert sorted(outcomes)[0].startswith("Không thể cấp số")
    assert "ok" in outcomes
    document.refresh_from_db()
    assert document.status == Status.NUMBERED and document.number == 1
    assert RegisterCounter.objects.get().last_number == 1  # the refused one took no number
    assert document.events.filter(action="give_number").count() == 1
