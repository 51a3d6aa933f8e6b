"""The same submission sent by a kiosk several times at the same instant makes one dossier.

PostgreSQL only: SQLite serialises every write transaction, so there is no race to test.
"""

import threading

import pytest
from django.db import connection
from django.test import Client

from chinhquyenso.dossiers.models import Dossier
from chinhquyenso.dossiers.tests.conftest import pdf_file
from chinhquyenso.dossiers.tests.interfaces.conftest import URL, bearer, multipart, submission

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

SENDS = 8


def test_a_resent_submission_racing_itself_makes_one_dossier(make_api_client, version, commune):
    _, key = make_api_client()
    payload = submission(submission_key="kiosk-7-000042")
    start = threading.Barrier(SENDS)
    answers: list[tuple[int, str]] = []

    def send() -> None:
        start.wait()
        try:
            response = Client().post(URL, multipart(payload, don=pdf_file()), **bearer(key))
            answers.append((response.status_code, response.json().get("code", "")))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(SENDS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = sorted(status for status, _code in answers)
    assert statuses == [200] * (SENDS - 1) + [201]
    assert len({code for _status, code in answers}) == 1
    assert Dossier.objects.count() == 1
