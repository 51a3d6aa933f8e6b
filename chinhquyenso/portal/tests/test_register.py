import pytest
from django.urls import reverse

from chinhquyenso.accounts.models import AccountType, User
from chinhquyenso.core.models import AuditEntry

URL = reverse("portal:register")
GOOD = {
    "account_type": "citizen",
    "full_name": "Hồ Thị Mai",
    "phone": "+84 912 000 111",
    "email": "",
    "password1": "mua-xuan-2026",
    "password2": "mua-xuan-2026",
    "consent": "on",
}


@pytest.mark.django_db
def test_citizen_registers_by_phone_and_lands_on_account(client):
    page = client.get(URL)
    assert page.status_code == 200
    assert "Đăng ký tài khoản" in page.content.decode()

    response = client.post(URL, GOOD, follow=True)

    assert response.redirect_chain[-1][0] == reverse("portal:account")
    user = User.objects.get(phone="0912000111")
    assert user.account_type == AccountType.CITIZEN
    assert user.personal_data_consent_at is not None
    assert user.check_password("mua-xuan-2026")
    assert "Hồ Thị Mai" in response.content.decode()
    assert AuditEntry.objects.filter(action="applicant.register", object_id=str(user.pk)).exists()
    # The new account logs in with the phone number written another way.
    client.logout()
    assert client.login(username="0912 000 111", password="mua-xuan-2026")


@pytest.mark.django_db
def test_business_needs_its_name(client):
    data = {**GOOD, "account_type": "business", "email": "cty@example.vn", "phone": ""}
    response = client.post(URL, data)
    assert response.status_code == 200
    assert "Cần có tên doanh nghiệp, tổ chức." in response.content.decode()
    assert not User.objects.exists()

    client.post(URL, {**data, "organisation_name": "Công ty TNHH Hoa Sen"})
    business = User.objects.get(email="cty@example.vn")
    assert business.account_type == AccountType.BUSINESS
    assert business.organisation_name == "Công ty TNHH Hoa Sen"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"phone": "", "email": ""}, "Cần có số điện thoại hoặc thư điện tử."),
        ({"phone": "12345"}, "Số điện thoại không hợp lệ."),
        ({"email": "khong-phai-email"}, "Thư điện tử không hợp lệ"),
        ({"password2": "khac-han"}, "Hai mật khẩu không khớp."),
        ({"password1": "123", "password2": "123"}, "Mật khẩu"),
        ({"consent": ""}, "Cần đồng ý để mở tài khoản."),
        ({"full_name": ""}, "Trường này là bắt buộc."),
    ],
)
def test_bad_input_is_explained_and_nothing_saved(client, change, message):
    response = client.post(URL, {**GOOD, **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_taken_phone_is_refused(client, charlie):
    response = client.post(URL, {**GOOD, "phone": charlie.phone})
    assert response.status_code == 200
    assert "Số điện thoại này đã được dùng cho tài khoản khác." in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_logged_in_user_is_sent_to_account(client, charlie):
    client.force_login(charlie)
    assert client.get(URL).url == reverse("portal:account")
