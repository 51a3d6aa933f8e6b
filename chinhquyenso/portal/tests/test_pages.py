"""Every portal page for each kind of visitor: anonymous, citizen, official of a unit, another."""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from chinhquyenso.accounts.models import User
from chinhquyenso.accounts.services import official_create
from chinhquyenso.conftest import PASSWORD
from chinhquyenso.portal.middleware import PortalLocaleMiddleware
from chinhquyenso.units.models import UnitKind
from chinhquyenso.units.services import unit_create

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Layout and language ---------------------------------------------------------------------


def test_layout_is_vietnamese_with_landmarks_and_skip_link(client, province):
    html = client.get("/").content.decode()
    assert '<html lang="vi">' in html
    assert html.index('class="skip-link" href="#noi-dung"') < html.index("<header")
    for landmark in ("<header", "<nav", '<main id="noi-dung"', "<footer"):
        assert landmark in html
    assert 'href="/static/portal/site.css"' in html
    assert "<script" not in html


def test_browser_language_is_ignored_and_the_switch_decides(client, province):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in response.content.decode()

    switched = client.post(reverse("set_language"), {"language": "en", "next": "/tra-cuu/"})
    assert switched.status_code == 302
    assert switched["Location"] == "/tra-cuu/"
    english = client.get("/")
    assert '<html lang="en">' in english.content.decode()
    assert "Online public services" in text_of(english)
    assert "Tiếng Việt" in text_of(english)  # the way back

    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert "Dịch vụ công trực tuyến" in text_of(client.get("/"))


def test_language_switch_is_a_post_form_that_works_without_javascript(client, province):
    html = client.get("/").content.decode()
    form = re.search(
        r'<form class="lang-switch" method="post" action="/i18n/setlang/">(.*?)</form>', html, re.S
    )
    assert form is not None
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert (
        '<button type="submit" name="language" value="en" lang="en">English</button>'
        in form.group(1)
    )


# --- Home ------------------------------------------------------------------------------------


def test_home_shows_the_province_and_the_entry_points(client, province):
    response = client.get("/")
    text = text_of(response)
    assert re.search(r"<h1>\s*Tỉnh Nghệ An\s*</h1>", response.content.decode())
    html = response.content.decode()
    assert 'href="/phan-anh/"' in html
    assert 'href="/dich-vu-cong/"' in html
    assert 'href="/dang-nhap/"' in html
    assert re.search(r'<form[^>]+method="get" action="/tra-cuu/"', html)
    assert '<label for="home_ma">Mã hồ sơ</label>' in html
    assert 'name="ma"' in html
    for label in ("Phản ánh kiến nghị", "Dịch vụ công trực tuyến", "Tra cứu hồ sơ", "Đăng nhập"):
        assert label in text


def test_home_without_units_falls_back_to_the_site_name(client, settings, db):
    settings.SITE_NAME = "Cổng Dịch vụ công thử nghiệm"
    html = client.get("/").content.decode()
    assert re.search(r"<h1>\s*Cổng Dịch vụ công thử nghiệm\s*</h1>", html)


def test_home_ignores_a_province_with_another_code(client, settings, province):
    settings.PROVINCE_CODE = "42"
    assert "Tỉnh Nghệ An</h1>" not in client.get("/").content.decode()


def test_home_hides_login_hint_once_logged_in(province, charlie):
    html = logged_in(charlie).get("/").content.decode()
    assert 'href="/dang-nhap/"' not in html
    assert "Đăng xuất" in html


# --- Placeholders and look-up ----------------------------------------------------------------


def test_online_services_entry_leads_to_the_catalogue_search(client, province):
    response = client.get("/dich-vu-cong/")
    assert response.status_code == 200
    assert '<a href="/dich-vu-cong/" aria-current="page">' in response.content.decode()
    assert "sắp ra mắt" not in text_of(response)
    assert 'name="q"' in response.content.decode()


def test_feedback_entry_leads_to_the_feedback_pages(client, province):
    response = client.get("/phan-anh/")
    assert response.status_code == 200
    assert '<a href="/phan-anh/" aria-current="page">' in response.content.decode()
    assert "sắp ra mắt" not in text_of(response)
    assert 'href="/phan-anh/gui/"' in response.content.decode()


def test_lookup_echoes_the_code_escaped(client):
    response = client.get("/tra-cuu/", {"ma": "  <script>alert(1)</script> "})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Mã hồ sơ không đúng dạng." in text_of(response)


def test_lookup_without_a_code_shows_only_the_form(client):
    response = client.get("/tra-cuu/")
    assert "chưa hoạt động" not in text_of(response)
    assert '<label for="id_ma">Mã hồ sơ</label>' in response.content.decode()


def test_lookup_rejects_an_overlong_code_in_vietnamese(client):
    response = client.get("/tra-cuu/", {"ma": "X" * 41})
    html = response.content.decode()
    assert "chưa hoạt động" not in text_of(response)
    assert 'class="field__error" id="id_ma_error"' in html
    assert 'aria-describedby="id_ma_helptext id_ma_error"' in html
    assert 'aria-invalid="true"' in html


def test_post_to_public_pages_is_refused(client):
    assert client.post("/").status_code == 405
    assert client.post("/tra-cuu/").status_code == 405


# --- Login and logout ------------------------------------------------------------------------


def test_login_form_has_labelled_fields(client):
    html = client.get("/dang-nhap/").content.decode()
    assert '<a href="/dang-nhap/" aria-current="page">' in html
    assert '<label for="id_username">Thư điện tử hoặc số điện thoại</label>' in html
    assert '<label for="id_password">Mật khẩu</label>' in html
    assert 'autocomplete="current-password"' in html


def test_wrong_password_shows_a_vietnamese_error(client, alice):
    response = client.post("/dang-nhap/", {"username": "alice@example.vn", "password": "sai"})
    assert response.status_code == 200
    assert "Thông tin đăng nhập không đúng." in text_of(response)
    assert 'role="alert"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_account_gets_the_same_error(client, db):
    response = client.post("/dang-nhap/", {"username": "0900000000", "password": PASSWORD})
    assert "Thông tin đăng nhập không đúng." in text_of(response)


def test_empty_login_shows_field_errors(client, db):
    response = client.post("/dang-nhap/", {"username": "", "password": ""})
    html = response.content.decode()
    assert 'id="id_username_error"' in html
    assert 'id="id_password_error"' in html


def test_official_logs_in_by_email_and_lands_in_the_workspace(client, alice):
    response = client.post("/dang-nhap/", {"username": "ALICE@example.vn", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/can-bo/"


def test_official_logs_in_by_phone(client, ops_leader):
    response = client.post("/dang-nhap/", {"username": "+84 987 654 321", "password": PASSWORD})
    assert response["Location"] == "/can-bo/"


@pytest.mark.parametrize("typed", ["0912345678", "0912.345.678", "+84912345678"])
def test_citizen_logs_in_by_phone_and_lands_on_their_account(client, charlie, typed):
    response = client.post("/dang-nhap/", {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/"


def test_login_follows_a_safe_next_and_ignores_another_site(client, alice):
    response = client.post(
        "/dang-nhap/?next=/tra-cuu/", {"username": "alice@example.vn", "password": PASSWORD}
    )
    assert response["Location"] == "/tra-cuu/"
    client.logout()
    response = client.post(
        "/dang-nhap/?next=https://evil.example/",
        {"username": "alice@example.vn", "password": PASSWORD},
    )
    assert response["Location"] == "/can-bo/"


def test_superuser_without_roles_lands_in_admin(client, db):
    User.objects.create_superuser("root@example.vn", PASSWORD, full_name="Quản trị")
    response = client.post("/dang-nhap/", {"username": "root@example.vn", "password": PASSWORD})
    assert response["Location"] == reverse("admin:index")


def test_logged_in_user_visiting_login_is_sent_on(charlie):
    response = logged_in(charlie).get("/dang-nhap/")
    assert response["Location"] == "/tai-khoan/"


def test_logout_needs_post(alice):
    client = logged_in(alice)
    assert client.get("/dang-xuat/").status_code == 405
    response = client.post("/dang-xuat/")
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session


# --- Account page ----------------------------------------------------------------------------


def test_account_needs_login(client):
    response = client.get("/tai-khoan/")
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=/tai-khoan/"


def test_citizen_sees_their_account(charlie):
    text = text_of(logged_in(charlie).get("/tai-khoan/"))
    assert "Phạm Thị Chi" in text
    assert "0912345678" in text
    assert "Người dân" in text
    assert "Đến trang làm việc" not in text


def test_business_sees_its_organisation(business):
    text = text_of(logged_in(business).get("/tai-khoan/"))
    assert "Công ty TNHH Sen Vàng" in text
    assert "2901234567" in text
    assert "doanh@congty.vn" in text


def test_official_account_links_to_the_workspace(alice):
    assert "Đến trang làm việc" in text_of(logged_in(alice).get("/tai-khoan/"))


# --- Staff workspace -------------------------------------------------------------------------


def test_workspace_sends_anonymous_visitors_to_login(client):
    response = client.get("/can-bo/")
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=/can-bo/"


def test_workspace_is_not_found_for_citizens_and_businesses(charlie, business):
    for applicant in (charlie, business):
        response = logged_in(applicant).get("/can-bo/")
        assert response.status_code == 404
        assert "Không tìm thấy trang" in text_of(response)


def test_workspace_is_not_found_for_an_official_without_roles(commune):
    nobody = official_create(
        full_name="Chưa Phân Công",
        unit=commune,
        roles=[],
        email="x@example.vn",
        password=PASSWORD,
        by=None,
    )
    assert logged_in(nobody).get("/can-bo/").status_code == 404


def test_specialist_sees_own_unit_chain_and_role(alice, other_commune):
    response = logged_in(alice).get("/can-bo/")
    text = text_of(response)
    assert response.status_code == 200
    assert "Nguyễn Thị An" in text
    assert "Phường Thành Vinh — Tỉnh Nghệ An" in text
    assert "Chuyên viên" in text
    assert "Bạn xem được dữ liệu của 1 đơn vị." in text
    assert "Xã Anh Sơn" not in text
    assert "Mở trang quản trị" not in text


def test_official_of_another_unit_sees_their_own_unit_only(alice, bob):
    text = text_of(logged_in(bob).get("/can-bo/"))
    assert "Xã Anh Sơn — Tỉnh Nghệ An" in text
    assert "Phường Thành Vinh" not in text


def test_leader_sees_every_unit_below(
    leader, commune, other_commune, django_assert_max_num_queries
):
    unit_create(parent=commune, kind=UnitKind.OTHER, name="Tổ dân phố 1", by=None)
    client = logged_in(leader)
    with django_assert_max_num_queries(8):
        response = client.get("/can-bo/")
    text = text_of(response)
    assert "Lãnh đạo đơn vị" in text
    assert "Bạn xem được dữ liệu của 4 đơn vị." in text
    assert text.index("Phường Thành Vinh") < text.index("Tổ dân phố 1") < text.index("Xã Anh Sơn")


def test_operations_leader_roles_are_listed_with_vietnamese_labels(ops_leader):
    text = text_of(logged_in(ops_leader).get("/can-bo/"))
    assert "Hoàng Điều Hành, Phó Giám đốc" in text
    assert "Chuyên viên" in text
    assert "Lãnh đạo Trung tâm điều hành" in text


def test_system_admin_gets_the_admin_link(sysadmin):
    html = logged_in(sysadmin).get("/can-bo/").content.decode()
    assert f'href="{reverse("admin:index")}"' in html
    assert "Công cụ quản trị" in html


# --- Error pages -----------------------------------------------------------------------------


def test_unknown_page_is_a_vietnamese_404(client, db):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert '<html lang="vi">' in response.content.decode()
    assert "Không tìm thấy trang" in text_of(response)


def test_expired_form_gets_a_vietnamese_explanation(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/dang-nhap/", {"username": "a@example.vn", "password": "x"})
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in text_of(response)


def test_api_clients_may_still_ask_for_english(rf):
    middleware = PortalLocaleMiddleware(lambda request: HttpResponse())
    with translation.override("vi"):
        api_request = rf.get("/api/v1/units", HTTP_ACCEPT_LANGUAGE="en")
        middleware.process_request(api_request)
        assert api_request.LANGUAGE_CODE == "en"
        page_request = rf.get("/", HTTP_ACCEPT_LANGUAGE="en")
        middleware.process_request(page_request)
        assert page_request.LANGUAGE_CODE == "vi"


def test_server_error_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert '<html lang="vi">' in html
    assert "Hệ thống đang gặp sự cố" in html
