import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chinhquyenso.core.models import AuditEntry
from chinhquyenso.units.models import Unit, UnitKind
from chinhquyenso.units.selectors import (
    commune_level_units,
    unit_by_agency_code,
    unit_by_code,
    unit_descendants,
    unit_search,
    units_active_on,
)
from chinhquyenso.units.services import (
    unit_create,
    unit_dissolve,
    unit_merge,
    unit_move,
    unit_update,
)

JULY_2025 = dt.date(2025, 7, 1)


@pytest.fixture
def department(province):
    return unit_create(
        parent=province, kind=UnitKind.DEPARTMENT, name="Sở Xây dựng", short_name="SXD", by=None
    )


@pytest.fixture
def sub_department(department):
    return unit_create(
        parent=department, kind=UnitKind.OTHER, name="Chi cục Giám định xây dựng", by=None
    )


def test_search_ignores_diacritics_and_case(province, commune, other_commune, department):
    assert list(unit_search("thanh vinh")) == [commune]
    assert list(unit_search("PHƯỜNG thành")) == [commune]
    assert list(unit_search("so xay dung")) == [department]
    assert list(unit_search("sxd")) == [department]
    assert list(unit_search("16681")) == [commune]
    assert set(unit_search("")) == {province, commune, other_commune, department}


def test_update_changes_fields_keeps_search_in_step_and_is_audited(commune, alice):
    before = AuditEntry.objects.count()
    unit = unit_update(unit=commune, name="Phường Vinh Tân", short_name="UBND", by=alice)
    assert unit.name == "Phường Vinh Tân"
    assert list(unit_search("vinh tan")) == [unit]
    assert not unit_search("thanh vinh").exists()
    entry = AuditEntry.objects.get(sequence=before + 1)
    assert entry.action == "unit.update"
    assert entry.actor == alice
    assert entry.changes == {"name": ["Phường Thành Vinh", "Phường Vinh Tân"]}


def test_update_without_change_writes_no_audit_row(commune):
    before = AuditEntry.objects.count()
    unit_update(unit=commune, name=" Phường Thành Vinh ", code="16681", by=None)
    assert AuditEntry.objects.count() == before


def test_update_refuses_a_code_of_another_unit(commune, other_commune):
    with pytest.raises(ValidationError) as excinfo:
        unit_update(unit=other_commune, code="16681", by=None)
    assert "Mã đơn vị 16681 đã có." in excinfo.value.messages
    other_commune.refresh_from_db()
    assert other_commune.code == "17329"


def test_update_refuses_fields_it_does_not_own(commune):
    with pytest.raises(TypeError):
        unit_update(unit=commune, valid_to=JULY_2025, by=None)


def test_create_rejects_unknown_kind_and_missing_name(province):
    with pytest.raises(ValidationError, match="Loại đơn vị không hợp lệ"):
        unit_create(parent=province, kind="hamlet", name="Thôn 1", by=None)
    with pytest.raises(ValidationError, match="Cần có tên đơn vị"):
        unit_create(parent=province, kind=UnitKind.COMMUNE, name="  ", by=None)


def test_move_takes_the_subtree_along(province, department, sub_department, commune):
    moved = unit_move(unit=department, parent=commune, by=None)
    assert moved.get_parent() == commune
    sub_department.refresh_from_db()
    assert sub_department.get_parent() == moved
    assert sub_department.depth == 4
    assert set(unit_descendants(commune)) == {moved, sub_department}
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry.action == "unit.move"
    assert entry.changes == {"parent": ["40 Tỉnh Nghệ An", "16681 Phường Thành Vinh"]}


def test_move_into_own_subtree_is_refused(department, sub_department):
    with pytest.raises(ValidationError, match="đơn vị trực thuộc nó"):
        unit_move(unit=department, parent=sub_department, by=None)


def test_move_to_the_same_parent_writes_nothing(province, department):
    before = AuditEntry.objects.count()
    unit_move(unit=department, parent=province, by=None)
    assert AuditEntry.objects.count() == before


def test_dissolve_keeps_the_unit_and_links_its_successor(province, commune, other_commune):
    last_day = dt.date(2025, 6, 30)
    unit_dissolve(unit=other_commune, valid_to=last_day, successor=commune, by=None)
    other_commune.refresh_from_db()
    assert other_commune.valid_to == last_day
    assert other_commune.successor == commune
    assert list(commune.predecessors.all()) == [other_commune]
    assert other_commune in units_active_on(last_day)
    assert other_commune not in units_active_on(JULY_2025)
    assert not other_commune.is_active
    assert list(commune_level_units(province)) == [commune]
    assert set(commune_level_units(province, day=last_day)) == {commune, other_commune}
    with pytest.raises(ValidationError, match="đã hết hiệu lực từ 30/06/2025"):
        unit_dissolve(unit=other_commune, valid_to=JULY_2025, successor=None, by=None)


def test_dissolve_refuses_a_unit_with_active_children(department, sub_department):
    with pytest.raises(ValidationError, match="còn đơn vị trực thuộc đang hoạt động"):
        unit_dissolve(unit=department, valid_to=JULY_2025, successor=None, by=None)


def test_dissolve_refuses_itself_as_successor(commune):
    with pytest.raises(ValidationError, match="không thể kế thừa chính nó"):
        unit_dissolve(unit=commune, valid_to=JULY_2025, successor=commune, by=None)


def test_merge_ends_every_unit_in_favour_of_the_successor(province, commune, other_commune):
    third = unit_create(parent=province, kind=UnitKind.COMMUNE, name="Xã Hưng Nguyên", by=None)
    new = unit_create(
        parent=province, kind=UnitKind.WARD, name="Phường Vinh Hưng", valid_from=JULY_2025, by=None
    )
    before = AuditEntry.objects.count()
    unit_merge(units=[commune, other_commune, third], successor=new, valid_to=JULY_2025, by=None)
    assert set(new.predecessors.all()) == {commune, other_commune, third}
    assert Unit.objects.filter(valid_to=JULY_2025).count() == 3
    assert AuditEntry.objects.count() == before + 3
    assert set(AuditEntry.objects.filter(sequence__gt=before).values_list("action", flat=True)) == {
        "unit.merge"
    }


def test_merge_is_all_or_nothing(province, commune, other_commune):
    unit_dissolve(unit=other_commune, valid_to=JULY_2025, successor=None, by=None)
    new = unit_create(parent=province, kind=UnitKind.WARD, name="Phường Mới", by=None)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        unit_merge(units=[commune, other_commune], successor=new, valid_to=JULY_2025, by=None)
    commune.refresh_from_db()
    assert commune.valid_to is None
    assert AuditEntry.objects.count() == before


def test_selectors_find_units_by_code_and_depth(province, department, sub_department, commune):
    assert unit_by_code("16681") == commune
    assert unit_by_code(" 40 ") == province
    assert unit_by_code("99999") is None
    assert unit_by_agency_code("000.00.01.H40") == commune
    assert list(unit_descendants(department, include_self=True)) == [department, sub_department]
    assert set(unit_descendants(province)) == {department, sub_department, commune}


def test_units_not_yet_in_force_are_not_active(province):
    future = unit_create(
        parent=province,
        kind=UnitKind.COMMUNE,
        name="Xã Tương Lai",
        valid_from=dt.date(2030, 1, 1),
        by=None,
    )
    assert future not in units_active_on(dt.date(2029, 12, 31))
    assert future in units_active_on(dt.date(2030, 1, 1))
