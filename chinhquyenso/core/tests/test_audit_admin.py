"""Administrators read the audit log in the Django admin; nobody changes it there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chinhquyenso.accounts.models import Role, User
from chinhquyenso.accounts.services import official_create, official_set_roles
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.core.audit import audit_verify
from chinhquyenso.core.models import AuditEntry
from chinhquyenso.units.models import Unit

CHANGELIST = "admin:core_auditentry_changelist"


@pytest.fixture
def admin_user(province: Unit) -> User:
    return official_create(
        full_name="Hoàng Quản Trị",
        unit=province,
        roles=[Role.SYSTEM_ADMIN],
        email="quantri@example.vn",
        password=PASSWORD,
        by=None,
    )


@pytest.fixture
def admin_client(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


@pytest.fixture
def entry(alice: User, leader: User) -> AuditEntry:
    official_set_roles(user=alice, roles=[Role.SPECIALIST, Role.CLERK], by=leader)
    return AuditEntry.objects.get(action="official.set_roles")


def test_list_shows_rows_with_vietnamese_labels(admin_client, entry):
    response = admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nhật ký hệ thống" in page
    for header in ["Số thứ tự", "Thời điểm", "Hành động", "Loại đối tượng"]:
        assert header in page
    assert "official.set_roles" in page
    assert "Lê Văn Lãnh" in page  # the actor's name
    assert "delete_selected" not in page
    assert reverse("admin:core_auditentry_add") not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "official.set_roles"}, Q(action="official.set_roles")),
        ({"object_type": "units.unit"}, Q(object_type="units.unit")),
        ({"q": "set_roles"}, Q(action__contains="set_roles")),
        ({"q": "Lê Văn Lãnh"}, Q(actor_label="Lê Văn Lãnh") | Q(object_repr="Lê Văn Lãnh")),
    ],
)
def test_filters_and_search_narrow_the_list(admin_client, entry, query, expected):
    wanted = set(AuditEntry.objects.filter(expected))
    assert wanted and wanted != set(AuditEntry.objects.all())

    response = admin_client.get(reverse(CHANGELIST), query)
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == wanted


def test_date_filter(admin_client, entry):
    today = timezone.localdate()
    this_day = {"occurred_at__gte": str(today), "occurred_at__lt": str(today + dt.timedelta(1))}
    response = admin_client.get(reverse(CHANGELIST), this_day)
    assert entry in response.context["cl"].result_list

    last_year = {"occurred_at__gte": "2000-01-01", "occurred_at__lt": "2000-12-31"}
    response = admin_client.get(reverse(CHANGELIST), last_year)
    assert list(response.context["cl"].result_list) == []


def test_search_by_sequence_number(admin_client, entry):
    response = admin_client.get(reverse(CHANGELIST), {"q": str(entry.sequence)})
    assert entry in response.context["cl"].result_list


def test_detail_shows_the_row_read_only(admin_client, entry):
    response = admin_client.get(reverse("admin:core_auditentry_change", args=[entry.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert entry.entry_hash in page
    assert "Chuỗi băm" in page
    assert "Trước" in page and "Sau" in page  # the before/after table
    assert 'name="_save"' not in page
    assert 'name="action"' not in page
    assert 'name="changes"' not in page


def test_add_change_and_delete_are_forbidden(admin_client, entry):
    before = AuditEntry.objects.get(pk=entry.pk)
    assert admin_client.get(reverse("admin:core_auditentry_add")).status_code == 403
    assert admin_client.post(reverse("admin:core_auditentry_add"), {}).status_code == 403
    change = reverse("admin:core_auditentry_change", args=[entry.pk])
    assert admin_client.post(change, {"action": "forged", "actor_label": "x"}).status_code == 403
    delete = reverse("admin:core_auditentry_delete", args=[entry.pk])
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403

    after = AuditEntry.objects.get(pk=entry.pk)
    assert (after.action, after.actor_label) == (before.action, before.actor_label)
    assert audit_verify().intact


def test_bulk_delete_action_does_nothing(admin_client, entry):
    count = AuditEntry.objects.count()
    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert response.status_code == 200  # no action exists: the list is shown again
    assert AuditEntry.objects.count() == count
    assert audit_verify().intact


def test_official_without_admin_rights_is_sent_to_login(client, alice, entry):
    client.force_login(alice)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
