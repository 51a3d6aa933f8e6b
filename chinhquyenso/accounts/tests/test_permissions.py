"""Who sees which units, and who passes which role check, on a three-level tree."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from chinhquyenso.accounts.models import Role
from chinhquyenso.accounts.permissions import (
    get_unit_for_user,
    has_role,
    role_required,
    roles_of,
    units_visible_to,
)
from chinhquyenso.accounts.services import official_create, official_set_roles
from chinhquyenso.units.models import UnitKind
from chinhquyenso.units.services import unit_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(province, commune):
    """province → Sở Xây dựng → Chi cục; province → Sở Y tế; province → Phường Thành Vinh."""
    department = unit_create(
        parent=province, kind=UnitKind.DEPARTMENT, name="Sở Xây dựng", code="40-SXD", by=None
    )
    branch = unit_create(
        parent=department, kind=UnitKind.OTHER, name="Chi cục Giám định", code="40-SXD-GD", by=None
    )
    health = unit_create(
        parent=province, kind=UnitKind.DEPARTMENT, name="Sở Y tế", code="40-SYT", by=None
    )
    return {
        "province": province,
        "department": department,
        "branch": branch,
        "health": health,
        "commune": commune,
    }


def official(unit, *roles, email):
    return official_create(
        full_name="Cán Bộ", unit=unit, roles=roles, email=email, password="x", by=None
    )


def test_a_department_leader_sees_the_units_under_theirs_only(tree):
    director = official(tree["department"], Role.UNIT_LEADER, email="gd@example.vn")
    assert set(units_visible_to(director)) == {tree["department"], tree["branch"]}
    assert get_unit_for_user(director, tree["branch"].pk) == tree["branch"]
    for hidden in ("province", "health", "commune"):
        with pytest.raises(Http404):
            get_unit_for_user(director, tree[hidden].pk)


def test_a_province_leader_sees_every_level_below(tree, leader):
    assert set(units_visible_to(leader)) == set(tree.values())


def test_a_specialist_sees_only_their_own_unit(tree):
    specialist = official(tree["department"], Role.SPECIALIST, Role.CLERK, email="cv@example.vn")
    assert list(units_visible_to(specialist)) == [tree["department"]]
    with pytest.raises(Http404):
        get_unit_for_user(specialist, tree["branch"].pk)


def test_operations_and_system_roles_see_the_whole_province(tree):
    ops = unit_create(
        parent=tree["province"],
        kind=UnitKind.OPERATIONS_CENTRE,
        name="Trung tâm điều hành",
        by=None,
    )
    for role in (Role.OPERATIONS_LEADER, Role.SYSTEM_ADMIN):
        user = official(ops, role, email=f"{role}@example.vn")
        assert set(units_visible_to(user)) == {*tree.values(), ops}


def test_citizens_and_anonymous_visitors_see_no_unit(tree, charlie):
    assert not units_visible_to(charlie).exists()
    assert not units_visible_to(AnonymousUser()).exists()
    with pytest.raises(Http404):
        get_unit_for_user(charlie, tree["commune"].pk)


def test_missing_and_forbidden_units_look_the_same(tree, alice):
    with pytest.raises(Http404):
        get_unit_for_user(alice, 999_999)
    with pytest.raises(Http404):
        get_unit_for_user(alice, "not-a-number")
    with pytest.raises(Http404):
        get_unit_for_user(alice, tree["health"].pk)


def test_role_checks(alice, charlie):
    assert roles_of(alice) == {Role.SPECIALIST}
    assert has_role(alice, Role.SPECIALIST, Role.UNIT_LEADER)
    assert not has_role(alice, Role.UNIT_LEADER)
    assert roles_of(charlie) == frozenset()
    promoted = official_set_roles(user=alice, roles=[Role.UNIT_LEADER], by=None)
    assert roles_of(promoted) == {Role.UNIT_LEADER}


@role_required(Role.UNIT_LEADER)
def leaders_only(request):
    return HttpResponse("ok")


@role_required()
def any_official(request):
    return HttpResponse("ok")


def call(view, user):
    request = RequestFactory().get("/can-bo/")
    request.user = user
    return view(request)


def test_role_required_lets_in_exactly_the_roles_declared(alice, leader, charlie):
    assert call(leaders_only, leader).status_code == 200
    assert call(any_official, alice).status_code == 200
    with pytest.raises(Http404):
        call(leaders_only, alice)
    with pytest.raises(Http404):
        call(any_official, charlie)
    anonymous = call(leaders_only, AnonymousUser())
    assert anonymous.status_code == 302
    assert "next=/can-bo/" in anonymous["Location"]
