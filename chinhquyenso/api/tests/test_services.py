import hashlib
import re

import pytest
from django.core.exceptions import ValidationError

from chinhquyenso.api.models import ApiClient, ApiScope
from chinhquyenso.api.selectors import api_client_by_key
from chinhquyenso.api.services import (
    api_client_create,
    api_client_revoke,
    api_client_rotate_key,
    api_client_update,
)
from chinhquyenso.core.audit import audit_verify
from chinhquyenso.core.models import AuditEntry


def test_create_generates_a_key_that_is_stored_only_hashed(leader):
    client, key = api_client_create(
        name="  Cổng DVC quốc gia ", scopes=[ApiScope.UNITS_READ], by=leader
    )
    assert re.fullmatch(r"cqs_[0-9a-f]{8}_[A-Za-z0-9_-]{40,}", key)
    client.refresh_from_db()
    assert client.name == "Cổng DVC quốc gia"
    assert client.key_prefix == key[:12]
    assert client.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiClient.objects.values().get())
    assert api_client_by_key(key) == client

    entry = AuditEntry.objects.get(action="api_client.create")
    assert entry.actor == leader
    assert key not in str(entry.changes)
    assert entry.changes["scopes"] == [None, ["units:read"]]
    assert audit_verify().intact


def test_create_with_a_given_key_and_units(commune):
    client, key = api_client_create(
        name="Demo",
        scopes=[ApiScope.UNITS_READ, ApiScope.CALENDAR_READ, ApiScope.UNITS_READ],
        units=[commune],
        key="demo-api-key",
        by=None,
    )
    assert key == "demo-api-key"
    assert client.scopes == ["units:read", "calendar:read"]
    assert list(client.units.all()) == [commune]
    assert api_client_by_key("demo-api-key") == client


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"name": "  "}, "name", "Cần có tên hệ thống kết nối."),
        ({"scopes": ["units:write"]}, "scopes", "Quyền không hợp lệ: units:write."),
        ({"scopes": []}, "scopes", "Cần cấp ít nhất một quyền."),
        ({"key": "short"}, "key", "Khóa phải dài ít nhất 12 ký tự"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(db, kwargs, field, message):
    arguments = {"name": "Hệ thống A", "scopes": [ApiScope.UNITS_READ], "by": None, **kwargs}
    with pytest.raises(ValidationError) as caught:
        api_client_create(**arguments)
    assert message in caught.value.message_dict[field][0]
    assert not ApiClient.objects.exists()
    assert not AuditEntry.objects.exists()


def test_create_refuses_a_name_or_key_already_used(db):
    api_client_create(name="Hệ thống A", scopes=["units:read"], key="demo-api-key", by=None)
    with pytest.raises(ValidationError, match="Đã có hệ thống kết nối tên “Hệ thống A”"):
        api_client_create(name="Hệ thống A", scopes=["units:read"], by=None)
    with pytest.raises(ValidationError, match="Khóa này đã được cấp"):
        api_client_create(name="Hệ thống B", scopes=["units:read"], key="demo-api-key", by=None)
    assert ApiClient.objects.count() == 1


def test_revoke_then_revoke_again(leader):
    client, _ = api_client_create(name="Hệ thống A", scopes=["units:read"], by=leader)
    api_client_revoke(client=client, by=leader)
    client.refresh_from_db()
    assert client.is_active is False
    assert AuditEntry.objects.filter(action="api_client.revoke", actor=leader).count() == 1
    with pytest.raises(ValidationError, match="đã bị thu hồi trước đó"):
        api_client_revoke(client=client, by=leader)


def test_rotate_replaces_the_key(leader):
    client, old_key = api_client_create(name="Hệ thống A", scopes=["units:read"], by=leader)
    client, new_key = api_client_rotate_key(client=client, by=leader)
    assert new_key != old_key
    assert api_client_by_key(old_key) is None
    assert api_client_by_key(new_key) == client
    entry = AuditEntry.objects.get(action="api_client.rotate_key")
    assert entry.changes == {"key_prefix": [old_key[:12], new_key[:12]]}

    api_client_revoke(client=client, by=leader)
    with pytest.raises(ValidationError, match="Không thể đổi khóa"):
        api_client_rotate_key(client=client, by=leader)


def test_update_scopes_and_units_is_audited(leader, commune):
    client, _ = api_client_create(name="Hệ thống A", scopes=["units:read"], by=leader)
    api_client_update(
        client=client, scopes=["units:read", "calendar:read"], units=[commune], by=leader
    )
    client.refresh_from_db()
    assert client.scopes == ["units:read", "calendar:read"]
    assert list(client.units.all()) == [commune]
    entry = AuditEntry.objects.get(action="api_client.update")
    assert entry.changes == {
        "scopes": [["units:read"], ["units:read", "calendar:read"]],
        "units": [[], ["16681"]],
    }
