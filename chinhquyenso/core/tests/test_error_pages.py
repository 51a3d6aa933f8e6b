import pytest
from django.test import Client, override_settings


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_unknown_api_path_answers_json_error_shape():
    response = Client().get("/api/v1/khong-co/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"
    assert "Không tìm thấy" in response.json()["error"]["message"]


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_unknown_page_answers_vietnamese_page():
    response = Client().get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert 'lang="vi"' in response.content.decode()


def test_server_error_hides_details(rf):
    from chinhquyenso.core.views import server_error

    api = server_error(rf.get("/api/v1/units/"))
    assert api.status_code == 500
    assert b"internal_error" in api.content
    page = server_error(rf.get("/"))
    assert page.status_code == 500
    assert b"Traceback" not in page.content
