import pytest
from django.urls import reverse

from chinhquyenso.accounts.models import Role
from chinhquyenso.accounts.services import official_create
from chinhquyenso.core.models import AuditEntry
from chinhquyenso.units.models import Unit, UnitKind


@pytest.fixture
def admin_client(client, province):
    admin = official_create(
        full_name="Quản Trị Viên",
        unit=province,
        roles=[Role.SYSTEM_ADMIN],
        email="admin@example.vn",
        password="x",
        by=None,
    )
    client.force_login(admin)
    client.admin = admin
    return client


def unit_form(**overrides):
    data = {
        "parent": "",
        "kind": UnitKind.COMMUNE,
        "name": "",
        "short_name": "",
        "code": "",
        "agency_code": "",
        "valid_from": "",
        "valid_to": "",
        "successor": "",
    }
    data.update({k: "" if v is None else str(v) for k, v in overrides.items()})
    return data


def test_changelist_shows_the_tree_and_searches_without_diacritics(admin_client, commune):
    url = reverse("admin:units_unit_changelist")
    page = admin_client.get(url).content.decode()
    assert "— Phường Thành Vinh" in page
    assert "Tỉnh Nghệ An" in page
    found = admin_client.get(url, {"q": "thanh vinh"}).content.decode()
    assert "Phường Thành Vinh" in found
    assert "Xã Anh Sơn" not in found


def test_adding_a_unit_goes_through_the_service(admin_client, province):
    response = admin_client.post(
        reverse("admin:units_unit_add"),
        unit_form(parent=province.pk, kind=UnitKind.DEPARTMENT, name="Sở Y tế", short_name="SYT"),
    )
    assert response.status_code == 302
    unit = Unit.objects.get(name="Sở Y tế")
    assert unit.get_parent() == province
    assert unit.search_text == "so y te syt"
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.actor, entry.object_id) == (
        "unit.create",
        admin_client.admin,
        str(unit.pk),
    )


def test_a_duplicate_code_is_shown_on_the_form_and_nothing_is_written(admin_client, commune):
    before = (Unit.objects.count(), AuditEntry.objects.count())
    response = admin_client.post(
        reverse("admin:units_unit_add"),
        unit_form(parent=commune.get_parent().pk, name="Phường Trùng", code="16681"),
    )
    assert response.status_code == 200
    assert "Mã đơn vị 16681 đã có." in response.content.decode()
    assert (Unit.objects.count(), AuditEntry.objects.count()) == before


def test_editing_renames_moves_and_dissolves_through_services(
    admin_client, province, commune, other_commune
):
    url = reverse("admin:units_unit_change", args=[other_commune.pk])
    assert "Xã Anh Sơn" in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        unit_form(
            parent=commune.pk,
            kind=UnitKind.COMMUNE,
            name="Xã Anh Sơn Mới",
            code="17329",
            valid_to="2025-06-30",
            successor=commune.pk,
        ),
    )
    assert response.status_code == 302
    unit = Unit.objects.get(pk=other_commune.pk)
    assert unit.name == "Xã Anh Sơn Mới"
    assert unit.get_parent() == commune
    assert unit.successor == commune
    actions = list(
        AuditEntry.objects.filter(object_id=str(unit.pk), object_type="units.unit")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["unit.create", "unit.update", "unit.move", "unit.dissolve"]


def test_a_unit_cannot_be_moved_under_itself_from_the_admin(admin_client, province, commune):
    response = admin_client.post(
        reverse("admin:units_unit_change", args=[province.pk]),
        unit_form(parent=commune.pk, kind=UnitKind.PROVINCE, name="Tỉnh Nghệ An", code="40"),
    )
    assert response.status_code == 200
    assert "Không thể chuyển đơn vị vào chính nó" in response.content.decode()


def test_units_cannot_be_deleted(admin_client, commune):
    response = admin_client.get(reverse("admin:units_unit_delete", args=[commune.pk]))
    assert response.status_code == 403


def test_officials_cannot_open_the_unit_admin(client, alice):
    client.force_login(alice)
    response = client.get(reverse("admin:units_unit_changelist"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
