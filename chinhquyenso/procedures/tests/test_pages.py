"""Public pages: anyone finds a procedure and reads what to prepare, how long, how much, where."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from chinhquyenso.portal.tests.test_pages import logged_in, text_of
from chinhquyenso.procedures.models import Procedure
from chinhquyenso.procedures.services import procedure_update

from .conftest import procedure_item

pytestmark = pytest.mark.django_db

PARTIAL = procedure_item(
    "1.000894",
    name="Đăng ký kết hôn",
    online_level="partial",
    counter_note="Hai bên nam, nữ cùng có mặt để ký Sổ đăng ký kết hôn.",
    components=[
        {"code": "to-khai", "name": "Tờ khai đăng ký kết hôn", "form": "original"},
        {"code": "can-cuoc", "name": "Thẻ căn cước", "form": "original_for_check"},
    ],
)
NONE = procedure_item(
    "2.000884",
    name="Chứng thực chữ ký",
    field={"code": "chung-thuc", "name": "Chứng thực"},
    online_level="none",
    form_schema={},
    fees=[{"name": "Phí chứng thực chữ ký", "amount": 10000, "exemption": ""}],
    counter_note="Người yêu cầu ký trước mặt người thực hiện chứng thực.",
)


@pytest.fixture
def catalogue(import_items, department, commune):
    fee_item = procedure_item(
        "2.001610",
        name="Đăng ký thành lập doanh nghiệp tư nhân",
        field={"code": "doanh-nghiep", "name": "Doanh nghiệp"},
        unit_kinds=["service_centre"],
        handling_unit="000.00.11.H40",
        processing_days=3,
        steps=[
            {"name": "Tiếp nhận", "actor": "receiving", "role": "one_stop_officer", "days": 0.5},
            {"name": "Thẩm định", "actor": "handling", "role": "specialist", "days": 2},
            {"name": "Ký", "actor": "handling", "role": "unit_leader", "days": 0.5},
        ],
        fees=[
            {"name": "Phí công bố nội dung đăng ký doanh nghiệp", "amount": 100000},
            {
                "name": "Lệ phí đăng ký doanh nghiệp",
                "amount": 0,
                "exemption": "Miễn khi nộp qua mạng.",
            },
        ],
    )
    import_items(procedure_item(), PARTIAL, NONE, fee_item, valid_from=dt.date(2025, 7, 1))


def test_anyone_searches_without_diacritics(client, catalogue):
    response = client.get("/dich-vu-cong/", {"q": "dang ky khai sinh"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="/dich-vu-cong/thu-tuc/1.001193/">Đăng ký khai sinh</a>' in html
    assert "Đăng ký kết hôn" not in html
    assert "1 thủ tục" in text_of(response)
    assert '<label for="loc_q">Tên hoặc mã thủ tục</label>' in html


def test_search_lists_everything_by_default_with_level_and_time(client, catalogue):
    text = text_of(client.get("/dich-vu-cong/"))
    assert "4 thủ tục" in text
    assert "Nộp trực tuyến toàn trình" in text
    assert "Nộp trực tuyến một phần" in text
    assert "3 ngày làm việc" in text


def test_filters_by_unit_field_and_level(client, catalogue, commune, department):
    html = client.get("/dich-vu-cong/", {"don_vi": department.pk}).content.decode()
    assert "Đăng ký thành lập doanh nghiệp tư nhân" in html
    assert "Đăng ký khai sinh" not in html
    assert f'<option value="{commune.pk}">Phường Thành Vinh</option>' in html
    html = client.get("/dich-vu-cong/", {"linh_vuc": "chung-thuc"}).content.decode()
    assert "Chứng thực chữ ký" in html and "Đăng ký khai sinh" not in html
    html = client.get("/dich-vu-cong/", {"muc_do": "partial"}).content.decode()
    assert "Đăng ký kết hôn" in html and "Đăng ký khai sinh" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"don_vi": "abc"},
        {"don_vi": "999999"},
        {"linh_vuc": "khong-co"},
        {"muc_do": "level4"},
        {"trang": "-3"},
        {"trang": "9999"},
        {"trang": "x"},
        {"q": "a " * 20},
        {"q": "\x00<script>"},
    ],
)
def test_bad_filters_never_fail(client, catalogue, params):
    response = client.get("/dich-vu-cong/", params)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_a_wrong_filter_is_shown_beside_its_field(client, catalogue):
    response = client.get("/dich-vu-cong/", {"muc_do": "level4", "q": "khai sinh"})
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Hình thức nộp" in text_of(response)
    assert "Đăng ký khai sinh" in html  # the other filters still apply


def test_pages_of_results(client, import_items):
    items = [procedure_item(f"9.{n:06d}", name=f"Thủ tục thử {n:02d}") for n in range(25)]
    import_items(*items)
    first = client.get("/dich-vu-cong/")
    assert "Trang 1/2" in text_of(first)
    assert 'href="?trang=2"' in first.content.decode()
    second = text_of(client.get("/dich-vu-cong/", {"trang": 2}))
    assert "Thủ tục thử 24" in second and "Thủ tục thử 00" not in second


def test_full_online_detail_offers_online_submission(client, catalogue):
    response = client.get("/dich-vu-cong/thu-tuc/1.001193/")
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    assert re.search(r"<h1>\s*Đăng ký khai sinh\s*</h1>", html)
    assert (
        '<a class="button-link" href="/dich-vu-cong/thu-tuc/1.001193/nop-ho-so/">Nộp trực tuyến</a>'
        in html
    )
    for heading in (
        "Cần chuẩn bị",
        "Mất bao lâu",
        "Phí, lệ phí",
        "Nộp ở đâu",
        "Kết quả",
        "Căn cứ pháp lý",
    ):
        assert f">{heading}</h2>" in html
    assert "Tờ khai đăng ký khai sinh" in text and "Bản chính · 1 bản" in text
    assert "1 ngày làm việc" in text
    assert "Không mất phí, lệ phí." in text
    assert "Miễn lệ phí" in text
    assert "Xã" in text and "Phường" in text
    assert "Luật Hộ tịch số 60/2014/QH13" in text
    assert "Áp dụng từ ngày 01/07/2025" in text
    assert "cần đăng nhập" in text


def test_partial_detail_says_what_to_bring_to_the_counter(client, catalogue):
    text = text_of(client.get("/dich-vu-cong/thu-tuc/1.000894/"))
    assert "Trực tuyến một phần." in text
    assert "Hai bên nam, nữ cùng có mặt để ký Sổ đăng ký kết hôn." in text
    assert "Thẻ căn cước (bản chính để đối chiếu)" in text
    assert "Nộp trực tuyến" in text


def test_counter_only_detail_says_where_to_go(client, catalogue):
    response = client.get("/dich-vu-cong/thu-tuc/2.000884/")
    text = text_of(response)
    assert "Thủ tục này chưa nộp trực tuyến được." in text
    assert "nop-ho-so" not in response.content.decode()
    assert "Phí chứng thực chữ ký: 10.000 đồng" in text


def test_detail_names_the_handling_unit_and_fees(client, catalogue):
    text = text_of(client.get("/dich-vu-cong/thu-tuc/2.001610/"))
    assert "Cơ quan giải quyết: Sở Tư pháp" in text
    assert "Trung tâm Phục vụ hành chính công" in text
    assert "Phí công bố nội dung đăng ký doanh nghiệp: 100.000 đồng" in text
    assert "Lệ phí đăng ký doanh nghiệp: miễn" in text
    assert "Có thể thanh toán trực tuyến" in text


def test_template_download_link(client, import_items):
    path = default_storage.save(
        "procedures/templates/to-khai-test.pdf", ContentFile(b"%PDF-1.4\n%%EOF")
    )
    try:
        components = [{"code": "to-khai", "name": "Tờ khai", "form": "original", "template": path}]
        import_items(procedure_item(components=components))
        html = client.get("/dich-vu-cong/thu-tuc/1.001193/").content.decode()
        assert f'href="/media/{path}" download>Tải mẫu: Tờ khai</a>' in html
    finally:
        default_storage.delete(path)


def test_unknown_stopped_or_not_yet_in_force_procedures_are_not_found(
    client, catalogue, import_items
):
    assert client.get("/dich-vu-cong/thu-tuc/9.999999/").status_code == 404
    procedure_update(procedure=Procedure.objects.get(code="1.001193"), is_active=False, by=None)
    assert client.get("/dich-vu-cong/thu-tuc/1.001193/").status_code == 404
    import_items(procedure_item("3.000001", name="Sắp áp dụng"), valid_from=dt.date(2099, 1, 1))
    assert client.get("/dich-vu-cong/thu-tuc/3.000001/").status_code == 404


def test_logged_in_citizen_is_not_told_to_log_in(catalogue, charlie):
    text = text_of(logged_in(charlie).get("/dich-vu-cong/thu-tuc/1.001193/"))
    assert "cần đăng nhập" not in text


def test_home_links_to_the_catalogue(client, province):
    html = client.get("/").content.decode()
    assert '<h2><a href="/dich-vu-cong/">Dịch vụ công trực tuyến</a></h2>' in html


def test_search_page_queries_stay_few(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        client.get("/dich-vu-cong/", {"q": "dang ky"})
