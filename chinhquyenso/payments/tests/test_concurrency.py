"""The gateway's notice delivered twice at once: the row lock confirms the payment once.

PostgreSQL only (SQLite serialises writers anyway), as in the feedback concurrency tests.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from chinhquyenso.payments.models import Payment, PaymentStatus
from chinhquyenso.payments.providers import get_provider

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def test_two_notices_at_once_confirm_once(payment, signed, paid_handler):
    message = signed(payment)
    start = threading.Barrier(2)
    answers: list[str] = []

    def deliver() -> None:
        start.wait()
        try:
            answer, _outcome = get_provider().handle_ipn(message)
            answers.append(answer["RspCode"])
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(answers) == ["00", "02"]
    paid = Payment.objects.get(pk=payment.pk)
    assert paid.status == PaymentStatus.PAID and paid.receipt_number.endswith("-0000001")
    assert len(paid_handler) == 1
