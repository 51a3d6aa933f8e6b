"""The "Nộp hồ sơ" button pressed several times at once (an impatient double tap, a resent page)
sends one dossier, and every press lands on it.

PostgreSQL only: SQLite serialises every write transaction, so there is no race to test.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from chinhquyenso.dossiers.models import Dossier, Status
from chinhquyenso.dossiers.tests.conftest import pdf_file

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

PRESSES = 6


def test_presses_at_the_same_instant_send_one_dossier(charlie, open_draft) -> None:
    dossier = open_draft(files=False)
    url = reverse("dossiers:draft", kwargs={"pk": dossier.pk})
    form = {
        "don_vi": str(dossier.receiving_unit_id),
        "applicant_name": "Phạm Thị Chi",
        "tk-ho_ten_tre": "Nguyễn Minh Khang",
        "tk-ngay_sinh": "02/11/2026",
        "action": "submit",
        "submission_key": "web-" + "ab" * 16,
    }
    clients = []
    for _ in range(PRESSES):
        client = Client()
        client.force_login(charlie)
        clients.append(client)
    start = threading.Barrier(PRESSES)
    answers: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def press(client: Client) -> None:
        start.wait()
        try:
            response = client.post(url, {**form, "tep-don": pdf_file()})
            answers.append((response.status_code, response.get("Location", "")))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    sent = Dossier.objects.get()
    assert sent.status == Status.NEW
    page = reverse("dossiers:my_dossier", kwargs={"code": sent.code})
    assert answers == [(302, page)] * PRESSES
    assert sent.events.filter(action="submit").count() == 1
