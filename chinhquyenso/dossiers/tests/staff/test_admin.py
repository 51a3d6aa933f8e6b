"""The administration shows dossiers and their records but changes nothing."""

from __future__ import annotations

import pytest

from chinhquyenso.accounts.models import User
from chinhquyenso.dossiers.models import Status
from chinhquyenso.dossiers.tests.staff.conftest import client_for, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db: None) -> User:
    return User.objects.create_superuser(
        email="quantri@example.vn", password="mat-khau-quan-tri-2026", full_name="Quản Trị"
    )


def test_dossiers_are_listed_and_shown_read_only(processed, admin_user) -> None:
    client = client_for(admin_user)
    listing = client.get("/quan-tri/dossiers/dossier/")
    assert listing.status_code == 200
    assert processed.code in listing.content.decode()
    page = client.get(f"/quan-tri/dossiers/dossier/{processed.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/can-bo/ho-so/{processed.code}/" in html  # the way to act on it
    assert "Thẩm định" in html  # hand-overs
    assert 'name="_save"' not in html
    assert client.get("/quan-tri/dossiers/dossier/add/").status_code == 403
    deleted = client.post(f"/quan-tri/dossiers/dossier/{processed.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    assert fresh(processed).status == Status.PROCESSED


def test_sequences_and_ratings_are_listed(processed, admin_user) -> None:
    client = client_for(admin_user)
    assert client.get("/quan-tri/dossiers/dossiersequence/").status_code == 200
    assert client.get("/quan-tri/dossiers/feedback/").status_code == 200
