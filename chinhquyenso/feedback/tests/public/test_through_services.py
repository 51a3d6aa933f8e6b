"""End to end through the real services: submit → accept → answer → approve → publish."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from chinhquyenso.core.text import fold
from chinhquyenso.feedback import services
from chinhquyenso.feedback.models import Report, Status
from chinhquyenso.units.services import unit_update

from ..conftest import REPORTER_EMAIL, REPORTER_NAME, REPORTER_PHONE

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    reverse("feedback:public_list"),
    reverse("feedback:public_map"),
    reverse("feedback:public_geojson"),
    reverse("feedback:public_stats"),
]


@pytest.fixture
def published(make_report, alice, leader):
    report = make_report(
        text=(
            f"Tôi là {REPORTER_NAME}, số điện thoại {REPORTER_PHONE}. Rác thải đổ trộm ở "
            "đầu ngõ, bốc mùi nhiều ngày."
        )
    )
    report = services.report_accept(report=report, by=alice)
    report = services.report_assign(report=report, handler=alice, by=alice)
    report = services.report_draft_answer(
        report=report,
        by=alice,
        answer=f"Đã gọi ông {REPORTER_NAME} qua số {REPORTER_PHONE}; rác đã được thu gom.",
    )
    report = services.report_approve_answer(report=report, by=leader)
    return services.report_publish(report=report, by=alice)


def test_published_report_shows_without_personal_data(client, published, confidential_report):
    detail = reverse("feedback:public_detail", args=[published.tracking_code])
    pages = {url: client.get(url) for url in [*PUBLIC_PAGES, detail]}
    for url, response in pages.items():
        assert response.status_code == 200, url
        content = response.content.decode()
        for private in (REPORTER_NAME, REPORTER_PHONE, REPORTER_EMAIL, "Nguyễn Thị An"):
            assert private not in content, (url, private)
        assert confidential_report.tracking_code not in content
    assert published.tracking_code in pages[PUBLIC_PAGES[0]].content.decode()
    assert "rác đã được thu gom" in pages[detail].content.decode()
    features = json.loads(pages[PUBLIC_PAGES[2]].content)["features"]
    assert [f["properties"]["code"] for f in features] == [published.tracking_code]
    confidential = reverse("feedback:public_detail", args=[confidential_report.tracking_code])
    assert client.get(confidential).status_code == 404


def test_search_finds_public_words_but_not_private_ones(client, published):
    url = reverse("feedback:public_list")
    assert published.tracking_code in client.get(url, {"q": "rac thai"}).content.decode()
    assert published.tracking_code in client.get(url, {"q": "thu gom"}).content.decode()
    for query in (REPORTER_PHONE, "hung", "Hùng"):
        assert published.tracking_code not in client.get(url, {"q": query}).content.decode()


def test_publish_fills_the_folded_public_search_text_and_unpublish_empties_it(published, alice):
    published.refresh_from_db()
    document = published.public_search_text
    assert "rac thai" in document and "thu gom" in document  # text and answer, folded
    assert fold(published.category.name) in document
    assert fold(published.commune.name) in document
    for private in (REPORTER_PHONE, fold(REPORTER_NAME), fold(REPORTER_EMAIL)):
        assert private not in document
    assert document == fold(document)
    services.report_unpublish(report=published, by=alice)
    published.refresh_from_db()
    assert published.public_search_text == ""


def test_unpublished_report_disappears(client, published, alice):
    services.report_unpublish(report=published, by=alice)
    detail = reverse("feedback:public_detail", args=[published.tracking_code])
    assert client.get(detail).status_code == 404
    assert published.tracking_code not in client.get(PUBLIC_PAGES[0]).content.decode()


def test_reclassifying_a_published_report_refreshes_its_public_search_text(
    client, published, alice, roads
):
    # A published report handled again (reopened) is moved to another category.
    Report.objects.filter(pk=published.pk).update(status=Status.IN_PROGRESS)
    services.report_classify(report=published, by=alice, category=roads)
    published.refresh_from_db()
    assert "duong hu hong" in published.public_search_text
    assert "rac thai" in published.public_search_text
    url = reverse("feedback:public_list")
    assert published.tracking_code in client.get(url, {"q": "đường hư hỏng"}).content.decode()


def test_renaming_a_category_or_its_group_refreshes_the_public_search_text(
    client, published, django_capture_on_commit_callbacks
):
    url = reverse("feedback:public_list")
    category = published.category
    category.name = "Vệ sinh đô thị"
    with django_capture_on_commit_callbacks(execute=True):
        services.config_save(obj=category, by=None)
    published.refresh_from_db()
    assert "ve sinh do thi" in published.public_search_text
    assert published.tracking_code in client.get(url, {"q": "vệ sinh đô thị"}).content.decode()
    group = category.parent
    group.name = "Cảnh quan"
    with django_capture_on_commit_callbacks(execute=True):
        services.config_save(obj=group, by=None)
    published.refresh_from_db()
    assert "canh quan" in published.public_search_text
    assert "moi truong" not in published.public_search_text


def test_renaming_a_commune_refreshes_the_public_search_text(
    client, published, commune, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        unit_update(unit=commune, name="Phường Vinh Phú", by=None)
    published.refresh_from_db()
    assert "phuong vinh phu" in published.public_search_text
    assert "thanh vinh" not in published.public_search_text
    url = reverse("feedback:public_list")
    assert published.tracking_code in client.get(url, {"q": "Vinh Phú"}).content.decode()
    assert published.tracking_code not in client.get(url, {"q": "Thành Vinh"}).content.decode()
