import pytest

from chinhquyenso.accounts.permissions import units_visible_to


@pytest.mark.django_db
def test_leader_sees_units_below_and_specialist_only_own(alice, bob, leader, commune, other_commune):
    assert set(units_visible_to(leader)) >= {commune, other_commune}
    assert list(units_visible_to(alice)) == [commune]
