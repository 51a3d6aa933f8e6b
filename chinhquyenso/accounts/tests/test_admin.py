import pytest
from django.urls import reverse

from chinhquyenso.accounts.models import AccountType, Role, User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Cay-Xanh-Ven-Song-2026"


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


def add_form(**overrides):
    data = {
        "account_type_field": AccountType.OFFICIAL,
        "full_name": "Hồ Thị Mới",
        "email": "moi@example.vn",
        "phone": "",
        "unit": "",
        "job_title": "",
        "organisation_name": "",
        "tax_code": "",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def test_the_list_filters_by_role_and_by_unit(admin_client, alice, bob, leader, charlie, commune):
    url = reverse("admin:accounts_user_changelist")
    page = admin_client.get(url).content.decode()
    assert all(name in page for name in ("Nguyễn Thị An", "Trần Văn Bình", "Phạm Thị Chi"))
    assert "0912345678" in page  # a citizen's login is their phone number
    leaders = admin_client.get(url, {"vai_tro": Role.UNIT_LEADER}).content.decode()
    assert "Lê Văn Lãnh" in leaders
    assert "Nguyễn Thị An" not in leaders
    in_commune = admin_client.get(url, {"unit__id__exact": commune.pk}).content.decode()
    assert "Nguyễn Thị An" in in_commune
    assert "Trần Văn Bình" not in in_commune


def test_adding_an_official_hashes_the_password_and_sets_roles(admin_client, commune):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        add_form(unit=commune.pk, roles=[Role.CLERK, Role.SPECIALIST], job_title="Văn thư"),
    )
    assert response.status_code == 302
    user = User.objects.get(email="moi@example.vn")
    assert user.unit == commune
    assert sorted(user.roles.values_list("role", flat=True)) == ["clerk", "specialist"]
    assert user.password != NEW_PASSWORD
    assert user.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert (entry.action, entry.actor) == ("official.create", admin_client.admin)


def test_an_official_needs_a_unit_and_a_role_and_matching_passwords(admin_client):
    before = User.objects.count()
    response = admin_client.post(
        reverse("admin:accounts_user_add"), add_form(password2="khac-hoan-toan-2026")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Cán bộ, công chức phải thuộc một đơn vị." in page
    assert "Chọn ít nhất một vai trò." in page
    assert "Hai lần nhập mật khẩu không khớp." in page
    assert User.objects.count() == before


def test_adding_a_business_from_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        add_form(
            account_type_field=AccountType.BUSINESS,
            email="",
            phone="0912 000 999",
            organisation_name="Hợp tác xã Sen Vàng",
        ),
    )
    assert response.status_code == 302
    user = User.objects.get(phone="0912000999")
    assert user.account_type == AccountType.BUSINESS
    assert user.organisation_name == "Hợp tác xã Sen Vàng"


def test_editing_an_official_changes_roles_password_and_status(admin_client, alice, other_commune):
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    assert "Nguyễn Thị An" in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        {
            "full_name": "Nguyễn Thị An",
            "email": "alice@example.vn",
            "phone": "",
            "unit": other_commune.pk,
            "job_title": "Trưởng phòng",
            "roles": [Role.UNIT_LEADER],
            "is_active": "",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(pk=alice.pk)
    assert user.unit == other_commune
    assert list(user.roles.values_list("role", flat=True)) == [Role.UNIT_LEADER]
    assert user.check_password(NEW_PASSWORD)
    assert not user.is_active
    actions = list(
        AuditEntry.objects.filter(object_type="accounts.user", object_id=str(alice.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == [
        "official.create",
        "user.update",
        "official.set_roles",
        "user.set_password",
        "user.set_active",
    ]


def test_a_taken_phone_number_is_shown_on_the_form(admin_client, alice, charlie):
    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[alice.pk]),
        {
            "full_name": "Nguyễn Thị An",
            "email": "alice@example.vn",
            "phone": "0912 345 678",
            "unit": alice.unit.pk,
            "roles": [Role.SPECIALIST],
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Số điện thoại này đã được dùng cho tài khoản khác." in response.content.decode()


def test_officials_without_the_admin_role_cannot_manage_users(client, alice):
    client.force_login(alice)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302
