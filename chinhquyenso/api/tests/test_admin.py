"""System administrators manage connected systems in the admin; the key is shown once."""

import re

import pytest

from chinhquyenso.accounts.models import Role
from chinhquyenso.accounts.services import official_create
from chinhquyenso.api.models import ApiClient
from chinhquyenso.api.selectors import api_client_by_key
from chinhquyenso.core.models import AuditEntry

CHANGELIST = "/quan-tri/api/apiclient/"


@pytest.fixture
def admin_user(province):
    return official_create(
        full_name="Quản Trị Viên",
        unit=province,
        roles=[Role.SYSTEM_ADMIN],
        email="admin@example.vn",
        password=None,
        by=None,
    )


def shown_key(response):
    match = re.search(r'id="api-key"[^>]*>([^<]+)</code>', response.content.decode())
    assert match, response.content
    return match.group(1)


def test_add_shows_the_key_once_and_audits(client, admin_user, commune):
    client.force_login(admin_user)
    response = client.post(
        f"{CHANGELIST}add/",
        {"name": "Cổng DVC", "scopes": ["units:read"], "units": [commune.pk]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = shown_key(response)
    api_client = api_client_by_key(key)
    assert api_client is not None
    assert list(api_client.units.all()) == [commune]
    assert AuditEntry.objects.get(action="api_client.create").actor == admin_user

    change = client.get(f"{CHANGELIST}{api_client.pk}/change/")
    assert key not in change.content.decode()


def test_revoke_and_rotate_actions(client, admin_user, make_api_client):
    api_client, old_key = make_api_client()
    client.force_login(admin_user)
    response = client.post(
        CHANGELIST, {"action": "rotate_key", "_selected_action": [api_client.pk]}
    )
    new_key = shown_key(response)
    assert api_client_by_key(old_key) is None
    assert api_client_by_key(new_key) == api_client

    client.post(CHANGELIST, {"action": "revoke", "_selected_action": [api_client.pk]})
    assert ApiClient.objects.get().is_active is False


def test_officials_without_the_admin_role_cannot_reach_it(client, alice):
    client.force_login(alice)
    assert client.get(CHANGELIST).status_code == 302
