"""Who may open each officials' dossier page, with the standard cast.

- the one-stop officer of the receiving commune: everything about the dossier, and registration;
- the department's specialist while the dossier is at the department's step: the dossier, its
  files and slips, and the step's action;
- alice, a specialist of the receiving commune: reads the dossier, may take no action on it;
- bob, of another commune, and the specialist of a department that does not handle it: 404;
- charlie, a citizen: 404 everywhere; an anonymous visitor is sent to the log-in page.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chinhquyenso.accounts.models import User
from chinhquyenso.dossiers.models import Dossier, Status
from chinhquyenso.dossiers.tests.conftest import build_version, pdf_file
from chinhquyenso.dossiers.tests.staff.conftest import client_for, fresh

pytestmark = pytest.mark.django_db

QUEUES = [
    "/can-bo/ho-so/",
    *(f"/can-bo/ho-so/hang-doi/{s}/" for s in ("sap-den-han", "qua-han", "tat-ca")),
]


def dossier_urls(dossier: Dossier) -> list[str]:
    """Every GET page of one dossier: the page, a file, each slip it has."""
    base = f"/can-bo/ho-so/{dossier.code}/"
    file = dossier.files.first()
    assert file is not None
    return [
        base,
        f"{base}tep/{file.pk}/",
        f"{base}phieu/receipt.pdf",
        f"{base}phieu/process_control.pdf",
    ]


def test_anonymous_visitors_are_sent_to_log_in(accepted) -> None:
    client = client_for(None)
    for url in [*QUEUES, "/can-bo/ho-so/tiep-nhan/", *dossier_urls(accepted)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/dang-nhap/?next="), url
    response = client.post(f"/can-bo/ho-so/{accepted.code}/thao-tac/forward/", {})
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")
    assert fresh(accepted).status == Status.ACCEPTED


def test_citizens_get_not_found_everywhere(accepted, charlie) -> None:
    client = client_for(charlie)
    for url in [*QUEUES, "/can-bo/ho-so/tiep-nhan/", *dossier_urls(accepted)]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/can-bo/ho-so/{accepted.code}/thao-tac/forward/", {}).status_code == 404
    assert fresh(accepted).status == Status.ACCEPTED


def test_an_official_of_another_commune_gets_not_found(accepted, bob) -> None:
    client = client_for(bob)
    for url in QUEUES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert accepted.code not in response.content.decode(), url
    assert client.get("/can-bo/ho-so/tiep-nhan/").status_code == 404  # not a counter officer
    for url in dossier_urls(accepted):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/can-bo/ho-so/{accepted.code}/thao-tac/forward/", {})
    assert response.status_code == 404
    assert fresh(accepted).current_step.name == "Thẩm định"


def test_a_department_that_does_not_handle_the_dossier_gets_not_found(
    commune, counter_officer, dept_specialist, register: Callable[..., Dossier]
) -> None:
    own = build_version(code="2.000001.000.00.00.H40", handling_unit=None)
    dossier = register("02/11/2026 08:00", version=own)
    client = client_for(dept_specialist)
    assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 404
    assert (
        client.get(f"/can-bo/ho-so/{dossier.code}/tep/{dossier.files.get().pk}/").status_code == 404
    )
    assert client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/accept/", {}).status_code == 404
    assert fresh(dossier).status == Status.NEW


def test_alice_of_the_receiving_commune_reads_but_cannot_act(accepted, alice) -> None:
    client = client_for(alice)
    for url in dossier_urls(accepted):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/can-bo/ho-so/{accepted.code}/").content.decode()
    assert "không có thao tác nào bạn thực hiện được" in page
    assert client.get("/can-bo/ho-so/tiep-nhan/").status_code == 404  # a specialist

    response = client.post(f"/can-bo/ho-so/{accepted.code}/thao-tac/forward/", {}, follow=True)
    assert (
        "Thao tác này không thực hiện được với hồ sơ ở bước hiện tại." in response.content.decode()
    )
    assert fresh(accepted).current_step.name == "Thẩm định"


def test_the_counter_officer_sees_everything_and_registers(accepted, counter_officer) -> None:
    client = client_for(counter_officer)
    for url in [*QUEUES, "/can-bo/ho-so/tiep-nhan/", *dossier_urls(accepted)]:
        assert client.get(url).status_code == 200, url
    # The dossier is at the department now: the counter may only record a withdrawal.
    page = client.get(f"/can-bo/ho-so/{accepted.code}/").content.decode()
    assert f"/can-bo/ho-so/{accepted.code}/thao-tac/forward/" not in page
    assert f"/can-bo/ho-so/{accepted.code}/thao-tac/withdraw/" in page


def test_the_department_specialist_acts_when_the_dossier_is_at_its_step(
    accepted, dept_specialist
) -> None:
    client = client_for(dept_specialist)
    for url in dossier_urls(accepted):
        assert client.get(url).status_code == 200, url
    assert accepted.code in client.get("/can-bo/ho-so/").content.decode()
    assert client.get("/can-bo/ho-so/tiep-nhan/").status_code == 404  # not a counter officer
    page = client.get(f"/can-bo/ho-so/{accepted.code}/").content.decode()
    assert f'action="/can-bo/ho-so/{accepted.code}/thao-tac/forward/"' in page
    # Acting for the counter is refused, with a message, nothing changes.
    refused = client.post(f"/can-bo/ho-so/{accepted.code}/thao-tac/return_result/", {})
    assert refused.status_code == 302
    assert client.post(f"/can-bo/ho-so/{accepted.code}/thao-tac/forward/", {}).status_code == 302
    assert fresh(accepted).current_step.name == "Phê duyệt"


def test_the_province_leader_sees_the_dossier_of_a_commune_below(accepted, leader: User) -> None:
    client = client_for(leader)
    for url in dossier_urls(accepted):
        assert client.get(url).status_code == 200, url


def test_files_are_never_served_from_public_media_urls(accepted, counter_officer) -> None:
    client = client_for(counter_officer)
    page = client.get(f"/can-bo/ho-so/{accepted.code}/").content.decode()
    stored = accepted.files.get()
    assert "/media/" not in page
    assert stored.file.name not in page
    download = client.get(f"/can-bo/ho-so/{accepted.code}/tep/{stored.pk}/")
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_file_of_another_dossier_is_not_found_through_this_one(
    accepted, register, counter_officer
) -> None:
    other = register("02/11/2026 09:00", files={"don": [pdf_file("khac.pdf")]})
    client = client_for(counter_officer)
    other_file = other.files.get()
    assert client.get(f"/can-bo/ho-so/{accepted.code}/tep/{other_file.pk}/").status_code == 404
