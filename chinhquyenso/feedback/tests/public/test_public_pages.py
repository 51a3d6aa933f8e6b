"""The public pages show published, non-confidential reports and nothing private."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from chinhquyenso.feedback import public
from chinhquyenso.feedback.models import Attachment, Status

from .conftest import PRIVATE_EMAIL, PRIVATE_NAME, PRIVATE_PHONE, at, rate

pytestmark = pytest.mark.django_db

LIST = reverse("feedback:public_list")
MAP = reverse("feedback:public_map")
GEOJSON = reverse("feedback:public_geojson")
STATS = reverse("feedback:public_stats")


def detail(report):
    return reverse("feedback:public_detail", args=[report.tracking_code])


def body(client, url, data=None):
    response = client.get(url, data or {})
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def visible_and_hidden(seed_report, attitude, commune):
    return {
        "published": seed_report(),
        "unpublished": seed_report(published=False),
        "confidential": seed_report(is_confidential=True),
        "confidential_category": seed_report(category=attitude),
    }


def test_only_published_non_confidential_reports_are_listed(client, visible_and_hidden):
    page = body(client, LIST)
    assert visible_and_hidden["published"].tracking_code in page
    for name in ("unpublished", "confidential", "confidential_category"):
        assert visible_and_hidden[name].tracking_code not in page, name


def test_hidden_reports_are_not_found_by_their_code(client, visible_and_hidden):
    assert client.get(detail(visible_and_hidden["published"])).status_code == 200
    for name in ("unpublished", "confidential", "confidential_category"):
        assert client.get(detail(visible_and_hidden[name])).status_code == 404, name
    assert client.get(reverse("feedback:public_detail", args=["PA-0000-0000"])).status_code == 404


def test_geojson_has_only_public_reports_with_rounded_points(client, visible_and_hidden):
    response = client.get(GEOJSON)
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    codes = [f["properties"]["code"] for f in data["features"]]
    assert codes == [visible_and_hidden["published"].tracking_code]
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    assert (lon, lat) == (105.6812, 18.6793)


def test_no_personal_data_on_any_public_page(client, seed_report):
    report = seed_report()
    pages = [
        body(client, LIST),
        body(client, detail(report)),
        body(client, MAP),
        body(client, GEOJSON),
        body(client, STATS, {"tu_ngay": "01/01/2026", "den_ngay": "31/12/2026"}),
    ]
    assert report.tracking_code in pages[0]
    assert "Đã xử lý, đã gọi cho người phản ánh." in pages[1]
    for page in pages:
        for private in (PRIVATE_NAME, PRIVATE_PHONE, PRIVATE_EMAIL, "Lê Lợi", "Số 5 ngõ 7"):
            assert private not in page
        assert "Nguyen Van Hung" not in page


def test_search_never_matches_private_text(client, seed_report):
    report = seed_report()
    for query in (PRIVATE_PHONE, "Hùng", "hung", "Le Loi"):
        assert report.tracking_code not in body(client, LIST, {"q": query}), query
    assert report.tracking_code in body(client, LIST, {"q": "rac thai"})


def test_search_ignores_diacritics_and_covers_answer_and_category(
    client, seed_report, road_category
):
    road = seed_report(category=road_category, public_text="Đường Hồng Bàng bị sụt lún sau mưa.")
    other = seed_report(public_text="Cột điện nghiêng.", public_answer="Điện lực đã dựng lại.")
    page = body(client, LIST, {"q": "duong"})
    assert road.tracking_code in page
    assert "Giao thông › Đường giao thông — Phường Thành Vinh" in page
    assert f'href="/phan-anh/cong-khai/{road.tracking_code}/"' in page
    assert other.tracking_code not in body(client, LIST, {"q": "duong"})
    assert road.tracking_code in body(client, LIST, {"q": "DUONG hong"})
    assert road.tracking_code not in body(client, LIST, {"q": "duong karaoke"})
    # In the answer, and in the category name ("Giao thông" is the group of "Đường giao thông").
    assert other.tracking_code in body(client, LIST, {"q": "dien luc"})
    assert road.tracking_code in body(client, LIST, {"q": "giao thong"})


def test_search_reaches_every_published_report_however_old(client, seed_report):
    # No window of newest reports any more: an old report is found without a period.
    old = seed_report(submitted_at=at("2024-01-05"), public_text="Ổ gà trên đường cũ.")
    for day in range(1, 30):
        seed_report(submitted_at=at(f"2026-03-{day:02d}"))
    page = body(client, LIST, {"q": "o ga"})
    assert old.tracking_code in page
    assert "phản ánh công khai mới nhất" not in page


def test_search_page_is_the_same_from_the_newest_reports_or_from_the_index(
    seed_report, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(public, "SEARCH_RECENT_ROWS", 4)
    monkeypatch.setattr(public, "PAGE_SIZE", 2)
    old = seed_report(submitted_at=at("2025-06-01"), public_text="Ổ gà sâu trên đường.")
    for day in range(1, 8):
        seed_report(submitted_at=at(f"2026-03-{day:02d}"))

    def expected(q: str, page: int) -> list[str]:
        everything = public.filter_reports(public.published_reports(), public.PublicFilters(q=q))
        codes = list(everything.values_list("tracking_code", flat=True))
        return codes[(page - 1) * 2 : page * 2]

    def codes(q: str, page: int) -> list[str]:
        shown = public.report_page(public.PublicFilters(q=q), page)
        return [card.tracking_code for card in shown.reports]

    public.filter_choices()  # cached, as on any visit after the first
    # A common word: found among the 4 newest (where the publication index is read), one query
    # for where they start (then cached) and one for the page.
    with django_assert_num_queries(2):
        shown = codes("rac thai", 1)
    assert shown == expected("rac thai", 1)
    with django_assert_num_queries(1):
        shown = codes("rac", 1)
    assert shown == expected("rac", 1)
    # Page 3 needs more matches than the newest 4 hold: asked again over all reports.
    with django_assert_num_queries(2):
        shown = codes("rac", 3)
    assert shown == expected("rac", 3)
    assert len(shown) == 2
    # Only in an old report: not among the newest, found through the full search.
    with django_assert_num_queries(2):
        shown = codes("o ga", 1)
    assert shown == [old.tracking_code]
    assert codes("khong co dau", 1) == []


def test_search_finds_the_commune_name(client, seed_report, other_commune):
    here = seed_report()
    there = seed_report(commune=other_commune)
    page = body(client, LIST, {"q": "thanh vinh"})
    assert here.tracking_code in page
    assert there.tracking_code not in page


def test_search_text_of_unpublished_or_confidential_reports_is_never_matched(
    client, seed_report, attitude
):
    # Even with a (stale) public search text, only published, non-confidential reports match.
    shown = seed_report(public_search_text="ho ca bi lap")
    hidden = seed_report(published=False, public_search_text="ho ca bi lap")
    secret = seed_report(category=attitude, public_search_text="ho ca bi lap")
    flagged = seed_report(is_confidential=True, public_search_text="ho ca bi lap")
    page = body(client, LIST, {"q": "ho ca bi lap"})
    assert shown.tracking_code in page
    for report in (hidden, secret, flagged):
        assert report.tracking_code not in page


def test_search_treats_like_wildcards_as_plain_characters(client, seed_report):
    report = seed_report(public_text="Mức nước 100% tại cống số 3_4.")
    assert report.tracking_code in body(client, LIST, {"q": "100%"})
    assert report.tracking_code in body(client, LIST, {"q": "3_4"})
    assert report.tracking_code not in body(client, LIST, {"q": "1%0"})
    assert report.tracking_code not in body(client, LIST, {"q": "3_5"})


def test_filters_commune_category_status_and_period(
    client, seed_report, other_commune, road_category, traffic
):
    here = seed_report(submitted_at=at("2026-03-02"))
    there = seed_report(commune=other_commune, submitted_at=at("2026-04-15"))
    road = seed_report(category=road_category, status=Status.CLOSED, submitted_at=at("2026-05-20"))

    def codes(**query):
        page = body(client, LIST, query)
        return {r.tracking_code for r in (here, there, road) if r.tracking_code in page}

    assert codes() == {here.tracking_code, there.tracking_code, road.tracking_code}
    assert codes(xa=other_commune.pk) == {there.tracking_code}
    # The form shows what was chosen.
    page = body(client, LIST, {"xa": other_commune.pk, "q": "rác"})
    assert f'<option value="{other_commune.pk}" selected>{other_commune.name}</option>' in page
    assert 'value="rác"' in page
    # A group finds its sub-categories.
    assert codes(linh_vuc=traffic.pk) == {road.tracking_code}
    assert codes(linh_vuc=road_category.pk) == {road.tracking_code}
    assert codes(trang_thai=Status.CLOSED) == {road.tracking_code}
    assert codes(tu_ngay="01/04/2026") == {there.tracking_code, road.tracking_code}
    assert codes(tu_ngay="01/04/2026", den_ngay="15/04/2026") == {there.tracking_code}
    assert codes(den_ngay="2/3/2026") == {here.tracking_code}


def test_wrong_filter_values_get_a_vietnamese_message_not_an_error(client, seed_report):
    report = seed_report()
    page = body(client, LIST, {"tu_ngay": "31/02/2026", "xa": "abc", "trang": "x"})
    assert "Ngày không hợp lệ" in page
    assert report.tracking_code in page
    page = body(client, LIST, {"tu_ngay": "10/03/2026", "den_ngay": "01/03/2026"})
    assert "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu" in page


def test_list_pages_through_results(client, seed_report):
    reports = [seed_report(submitted_at=at("2026-03-02", 7 + i % 10)) for i in range(21)]
    first = body(client, LIST)
    assert "Trang sau" in first
    second = body(client, LIST, {"trang": 2})
    assert "Trang trước" in second and "Trang sau" not in second
    shown = [r for r in reports if r.tracking_code in first or r.tracking_code in second]
    assert len(shown) == 21


def test_empty_list_says_so(client, db):
    assert "Chưa có phản ánh nào được công khai." in body(client, LIST)
    assert "Không có phản ánh công khai nào khớp" in body(client, LIST, {"q": "khong co"})


def test_detail_shows_public_copies_of_attachments_only(client, seed_report, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = seed_report()
    photo = Attachment(
        report=report,
        original_name=f"{PRIVATE_NAME}.jpg",
        content_type="image/jpeg",
        size=10,
        uploaded_at=timezone.now(),
    )
    photo.file.save("goc.jpg", ContentFile(b"ORIGINAL-WITH-GPS"), save=False)
    photo.public_file.save("cong-khai.jpg", ContentFile(b"PUBLIC-NO-EXIF"), save=False)
    photo.save()
    private_only = Attachment(
        report=report,
        original_name="rieng.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_at=timezone.now(),
    )
    private_only.file.save("rieng.pdf", ContentFile(b"PRIVATE"), save=False)
    private_only.save()

    page = body(client, detail(report))
    url = reverse("feedback:public_attachment", args=[report.tracking_code, photo.pk])
    assert url in page
    assert PRIVATE_NAME not in page
    response = client.get(url)
    assert b"".join(response.streaming_content) == b"PUBLIC-NO-EXIF"
    assert PRIVATE_NAME not in response.get("Content-Disposition", "")
    hidden = reverse("feedback:public_attachment", args=[report.tracking_code, private_only.pk])
    assert client.get(hidden).status_code == 404
    # A public copy lost from storage is "not found", not a server error.
    photo.public_file.storage.delete(photo.public_file.name)
    assert client.get(url).status_code == 404


def test_attachments_of_unpublished_reports_are_not_served(client, seed_report, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = seed_report(published=False)
    photo = Attachment(
        report=report,
        original_name="a.jpg",
        content_type="image/jpeg",
        size=1,
        uploaded_at=timezone.now(),
    )
    photo.public_file.save("a.jpg", ContentFile(b"X"), save=False)
    photo.save()
    url = reverse("feedback:public_attachment", args=[report.tracking_code, photo.pk])
    assert client.get(url).status_code == 404


def test_map_without_tiles_lists_communes(client, seed_report, commune, settings):
    settings.MAP_TILE_URL = ""
    seed_report()
    page = body(client, MAP)
    assert "Bản đồ chưa được bật" in page
    assert commune.name in page
    assert "leaflet.js" not in page


def test_map_with_tiles_uses_the_packaged_leaflet(client, seed_report, settings):
    settings.MAP_TILE_URL = "https://tiles.example.vn/{z}/{x}/{y}.png"
    seed_report()
    page = body(client, MAP)
    assert "/static/leaflet/leaflet.js" in page
    assert "/static/feedback/public-map.js" in page
    assert 'data-geojson="/phan-anh/ban-do.geojson"' in page
    # The pins' images by their served addresses: Leaflet's own guess fails with hashed names.
    assert 'data-marker-icon="/static/leaflet/images/marker-icon.png"' in page
    assert page.index("/static/feedback/map-icons.js") < page.index(
        "/static/feedback/public-map.js"
    )
    # Every script and style sheet comes from this site (a CSRF token may contain "cdn").
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(not s.startswith(("http:", "https:", "//")) for s in sources)


def test_query_counts_do_not_grow_with_reports(client, seed_report, django_assert_max_num_queries):
    report = seed_report()
    rate(report, "satisfied")
    for _ in range(25):
        seed_report()
    # Filter options (2, cached after the first visit), where the newest reports start
    # (cached too) and the page.
    with django_assert_max_num_queries(4):
        body(client, LIST, {"q": "rac", "xa": report.commune_id})
    with django_assert_max_num_queries(1):
        body(client, LIST, {"trang": 2})
    with django_assert_max_num_queries(3):
        body(client, detail(report))
    with django_assert_max_num_queries(3):
        body(client, GEOJSON)
    with django_assert_max_num_queries(4):
        body(client, MAP)
    with django_assert_max_num_queries(6):
        body(client, STATS, {"tu_ngay": "01/01/2026", "den_ngay": "31/12/2026"})
