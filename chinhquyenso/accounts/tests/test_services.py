import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError

from chinhquyenso.accounts.models import AccountType, Role, User
from chinhquyenso.accounts.services import (
    applicant_register,
    official_create,
    official_set_roles,
    user_set_active,
    user_set_password,
    user_update,
)
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_an_official_gets_a_unit_roles_and_a_hashed_password(commune):
    user = official_create(
        full_name="  Nguyễn Văn Một ",
        unit=commune,
        roles=[Role.CLERK, Role.ONE_STOP_OFFICER, Role.CLERK],
        email="Mot@Example.VN",
        password="bí-mật-2026",
        by=None,
    )
    assert user.full_name == "Nguyễn Văn Một"
    assert user.email == "mot@example.vn"
    assert sorted(user.roles.values_list("role", flat=True)) == ["clerk", "one_stop_officer"]
    assert user.password != "bí-mật-2026"
    assert authenticate(username="MOT@example.vn", password="bí-mật-2026") == user
    assert not user.is_staff


def test_a_system_administrator_may_use_the_admin_site(commune):
    user = official_create(
        full_name="Quản Trị",
        unit=commune,
        roles=[Role.SYSTEM_ADMIN],
        email="qt@example.vn",
        password="x",
        by=None,
    )
    assert user.is_staff and user.is_superuser
    user = official_set_roles(user=user, roles=[Role.SPECIALIST], by=None)
    assert not user.is_staff and not user.is_superuser


def test_unknown_roles_and_taken_logins_are_refused(commune, alice):
    with pytest.raises(ValidationError, match="Vai trò không hợp lệ: mayor"):
        official_create(
            full_name="A",
            unit=commune,
            roles=["mayor"],
            email="a@example.vn",
            password="x",
            by=None,
        )
    with pytest.raises(ValidationError, match="Thư điện tử này đã được dùng"):
        official_create(
            full_name="A",
            unit=commune,
            roles=[Role.CLERK],
            email="ALICE@example.vn",
            password="x",
            by=None,
        )


def test_citizens_sign_up_with_a_phone_number_and_log_in_with_it(db):
    user = applicant_register(full_name="Lê Thị Dân", phone="+84 912.000.111", password=PASSWORD)
    assert user.phone == "0912000111"
    assert user.account_type == AccountType.CITIZEN
    assert authenticate(username="0912 000 111", password=PASSWORD) == user
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.actor) == ("applicant.register", user)


def test_a_business_signs_up_by_email_and_needs_its_name(db):
    with pytest.raises(ValidationError, match="Cần có tên doanh nghiệp"):
        applicant_register(
            full_name="Giám Đốc",
            email="dn@example.vn",
            password="x",
            account_type=AccountType.BUSINESS,
        )
    business = applicant_register(
        full_name="Giám Đốc",
        email="dn@example.vn",
        password="x",
        account_type=AccountType.BUSINESS,
        organisation_name="Công ty TNHH A",
        tax_code="2900000001",
    )
    assert business.organisation_name == "Công ty TNHH A"
    with pytest.raises(ValidationError, match="Số điện thoại không hợp lệ"):
        applicant_register(full_name="B", phone="12345", password="x")
    with pytest.raises(ValidationError, match="Cần có thư điện tử hoặc số điện thoại"):
        applicant_register(full_name="B", password="x")


def test_update_changes_only_what_differs_and_audits_it(alice, other_commune, leader):
    before = AuditEntry.objects.count()
    user_update(user=alice, full_name="Nguyễn Thị An", email="alice@example.vn", by=leader)
    assert AuditEntry.objects.count() == before
    user = user_update(user=alice, unit=other_commune, phone="0983 111 222", by=leader)
    assert user.unit == other_commune
    assert user.phone == "0983111222"
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry.action == "user.update"
    assert entry.actor == leader
    assert entry.changes["unit"] == ["Phường Thành Vinh", "Xã Anh Sơn"]
    assert entry.changes["phone"] == [None, "0983111222"]


def test_update_refuses_a_taken_email_and_fields_of_another_account_type(alice, bob, charlie):
    with pytest.raises(ValidationError, match="đã được dùng cho tài khoản khác"):
        user_update(user=alice, email="bob@example.vn", by=None)
    with pytest.raises(TypeError):
        user_update(user=charlie, unit=alice.unit, by=None)
    with pytest.raises(ValidationError, match="phải thuộc một đơn vị"):
        user_update(user=alice, unit=None, by=None)


def test_password_change_and_locking_take_effect_at_login(alice):
    user_set_password(user=alice, password="mật-khẩu-mới", by=None)
    assert authenticate(username="alice@example.vn", password="mật-khẩu-mới") is not None
    assert authenticate(username="alice@example.vn", password=PASSWORD) is None
    user_set_active(user=alice, is_active=False, by=None)
    assert authenticate(username="alice@example.vn", password="mật-khẩu-mới") is None
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry.changes == {"is_active": [True, False]}
    assert "mật-khẩu-mới" not in str(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert User.objects.get(pk=alice.pk).is_active is False
