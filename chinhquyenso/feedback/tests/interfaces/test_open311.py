"""Open311 GeoReport v2: every endpoint in XML and JSON, errors in the specification's shape."""

import datetime as dt
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from chinhquyenso.api.models import ApiScope
from chinhquyenso.api.services import api_client_revoke
from chinhquyenso.feedback import services
from chinhquyenso.feedback.models import Report
from chinhquyenso.feedback.open311 import to_xml
from chinhquyenso.feedback.tests.interfaces.conftest import submit

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
W3C_LOCAL = "+07:00"


def get(client, path, fmt, **params):
    response = client.get(f"{BASE}{path}.{fmt}", params)
    return response, parse(response, fmt)


def parse(response, fmt):
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        return json.loads(response.content)
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314  # our own answer


def assert_spec_error(response, fmt, status):
    assert response.status_code == status, response.content
    body = parse(response, fmt)
    if fmt == "json":
        assert isinstance(body, list) and body[0]["code"] == status
        return body[0]["description"]
    assert body.tag == "errors"
    assert body.findtext("error/code") == str(status)
    return body.findtext("error/description")


@pytest.fixture
def published(categories, commune, alice, commune_leader):
    """An answered, published report whose text names the reporter and their phone."""
    report = submit(
        categories["moi-truong-rac-thai"],
        commune,
        "Tôi là Nguyễn Văn Hải, 0912345678: rác tồn đọng <b>ở</b> đường Lê Lợi & chợ Vinh.",
        reporter=services.ReporterInput(name="Nguyễn Văn Hải", phone="0912345678"),
        answers={"so_ngay_ton_dong": 5},
    )
    services.report_accept(report=report, by=alice)
    services.report_assign(report=report, handler=alice, by=alice)
    services.report_draft_answer(report=report, by=alice, answer="Đã thu gom xong.")
    services.report_approve_answer(report=report, by=commune_leader)
    services.report_publish(report=report, by=alice)
    return Report.objects.get(pk=report.pk)


@pytest.fixture
def unpublished(categories, commune):
    return submit(categories["giao-thong-mat-duong"], commune, answers={"muc_do": "Nhẹ"})


FORMATS = pytest.mark.parametrize("fmt", ["json", "xml"])


@FORMATS
def test_discovery(client, fmt):
    response, body = get(client, "discovery", fmt)
    assert response.status_code == 200
    if fmt == "json":
        endpoint = body["endpoints"][0]
        assert endpoint["url"] == "http://testserver/open311/v2/"
        assert endpoint["formats"] == ["text/xml", "application/json"]
        assert body["changeset"].endswith(W3C_LOCAL)
    else:
        assert body.tag == "discovery"
        assert [f.text for f in body.findall("endpoints/endpoint/formats/format")] == [
            "text/xml",
            "application/json",
        ]


@FORMATS
def test_service_list_has_the_leaf_categories(client, categories, fmt):
    response, body = get(client, "services", fmt)
    assert response.status_code == 200
    if fmt == "xml":
        assert body.tag == "services"
        body = [{child.tag: child.text for child in service} for service in body]
        assert body[0]["metadata"] in ("true", "false")
    codes = [s["service_code"] for s in body]
    assert "moi-truong-rac-thai" in codes and "y-te" in codes
    assert "moi-truong" not in codes  # a group, not a service
    waste = next(s for s in body if s["service_code"] == "moi-truong-rac-thai")
    assert waste["group"] == "Môi trường"
    assert waste["service_name"] == "Rác thải"


@FORMATS
def test_service_definition_from_the_questions(client, categories, fmt):
    response, body = get(client, "services/moi-truong-rac-thai", fmt)
    assert response.status_code == 200
    if fmt == "json":
        attributes = {a["code"]: a for a in body["attributes"]}
        assert body["service_code"] == "moi-truong-rac-thai"
        days = attributes["so_ngay_ton_dong"]
        assert days["datatype"] == "number"
        assert days["description"] == "Rác tồn đọng bao nhiêu ngày?"
        traffic = attributes["anh_huong_giao_thong"]
        assert traffic["datatype"] == "singlevaluelist"
        assert [v["key"] for v in traffic["values"]] == ["true", "false"]
    else:
        assert body.tag == "service_definition"
        names = [a.findtext("code") for a in body.findall("attributes/attribute")]
        assert names == ["so_ngay_ton_dong", "anh_huong_giao_thong"]
        assert body.findtext("attributes/attribute[2]/values/value/name") == "Có"
    _, road = get(client, "services/giao-thong-mat-duong", "json")
    assert road["attributes"][0]["required"] is True
    assert len(road["attributes"][0]["values"]) == 3
    response = client.get(f"{BASE}services/khong-co.{fmt}")
    assert "khong-co" in assert_spec_error(response, fmt, 404)


@FORMATS
def test_post_request_then_read_it_and_its_token(client, make_api_client, categories, commune, fmt):
    _, key = make_api_client(scopes=[ApiScope.FEEDBACK_WRITE], units=[commune])
    response = client.post(
        f"{BASE}requests.{fmt}",
        {
            "api_key": key,
            "service_code": "moi-truong-rac-thai",
            "lat": "18.6734",
            "long": "105.6923",
            "address_string": "Đường Lê Lợi",
            "description": "Rác tồn đọng trước số 12 đường Lê Lợi.",
            "first_name": "Hải",
            "last_name": "Nguyễn",
            "phone": "0912345678",
            "attribute[so_ngay_ton_dong]": "4",
            "attribute[anh_huong_giao_thong]": "true",
        },
    )
    assert response.status_code == 201, response.content
    body = parse(response, fmt)
    if fmt == "xml":
        assert body.tag == "service_requests"
        created = {child.tag: child.text for child in body.find("request")}
    else:
        created = body[0]
    report = Report.objects.get(tracking_code=created["service_request_id"])
    assert report.channel == "open311"
    assert report.commune == commune
    assert report.answers == {"so_ngay_ton_dong": 4, "anh_huong_giao_thong": True}
    assert report.reporters.get().name == "Hải Nguyễn"
    # The token leads back to the request id.
    _, token_body = get(client, f"tokens/{created['token']}", "json")
    assert token_body[0]["service_request_id"] == report.tracking_code
    assert_spec_error(client.get(f"{BASE}tokens/not-a-token.{fmt}"), fmt, 404)
    # The key can read it (all its units' reports); the public cannot until it is published.
    assert_spec_error(client.get(f"{BASE}requests/{report.tracking_code}.{fmt}"), fmt, 404)


@FORMATS
def test_post_request_errors(client, make_api_client, categories, commune, fmt):
    client_row, key = make_api_client(scopes=[ApiScope.FEEDBACK_WRITE], units=[commune])
    url = f"{BASE}requests.{fmt}"
    good = {"api_key": key, "service_code": "y-te", "description": "Trạm y tế đóng cửa."}
    good["address_string"] = "Trạm y tế phường"
    missing_code = {k: v for k, v in good.items() if k != "service_code"}
    assert "service_code" in assert_spec_error(client.post(url, missing_code), fmt, 400)
    assert "khong-co" in assert_spec_error(
        client.post(url, {**good, "service_code": "khong-co"}), fmt, 400
    )
    assert_spec_error(client.post(url, {**good, "api_key": "sai"}), fmt, 403)
    assert_spec_error(client.post(url, {k: v for k, v in good.items() if k != "api_key"}), fmt, 403)
    _, reader = make_api_client(scopes=[ApiScope.FEEDBACK_READ])
    assert_spec_error(client.post(url, {**good, "api_key": reader}), fmt, 403)
    no_place = {k: v for k, v in good.items() if k != "address_string"}
    assert_spec_error(client.post(url, no_place), fmt, 400)
    assert_spec_error(client.post(url, {**good, "lat": "abc", "long": "105"}), fmt, 400)
    # Outside the province: the service's Vietnamese message.
    message = assert_spec_error(
        client.post(url, {**good, "lat": "10.7", "long": "106.6"}), fmt, 400
    )
    assert "ngoài địa bàn tỉnh" in message
    road = {**good, "service_code": "giao-thong-mat-duong"}
    assert_spec_error(client.post(url, road), fmt, 400)  # its required attribute is missing
    assert_spec_error(client.post(url, {**good, "commune_code": "17329"}), fmt, 400)
    # A key of the whole province has no commune of its own: the code must be given.
    _, province_key = make_api_client(scopes=[ApiScope.FEEDBACK_WRITE])
    message = assert_spec_error(client.post(url, {**good, "api_key": province_key}), fmt, 400)
    assert "commune_code" in message
    assert Report.objects.count() == 0
    api_client_revoke(client=client_row, by=None)
    assert_spec_error(client.post(url, good), fmt, 403)


@FORMATS
def test_get_requests_public_never_shows_personal_data(client, published, unpublished, fmt):
    response, body = get(client, "requests", fmt)
    assert response.status_code == 200
    if fmt == "xml":
        assert body.tag == "service_requests"
        items = [{child.tag: child.text for child in request} for request in body]
    else:
        items = body
    assert [i["service_request_id"] for i in items] == [published.tracking_code]
    item = items[0]
    assert item["status"] == "closed"
    assert "0912345678" not in response.content.decode()
    assert "Nguyễn Văn Hải" not in response.content.decode()
    assert "<b>ở</b>" in item["description"]  # kept as text, escaped in the XML
    assert item["requested_datetime"].endswith(W3C_LOCAL)
    assert item["status_notes"] == "Đã thu gom xong."
    assert "extended_attributes" not in item


def test_get_requests_filters_and_paging(client, published, unpublished, categories, commune):
    more = [
        submit(categories["moi-truong-rac-thai"], commune, f"Rác tồn đọng số {n}.")
        for n in range(3)
    ]
    url = f"{BASE}requests.json"
    _, public = get(client, "requests", "json", service_code="moi-truong-rac-thai")
    assert len(public) == 1
    ids = f"{published.tracking_code},{more[0].tracking_code}"
    assert [
        r["service_request_id"] for r in client.get(url, {"service_request_id": ids}).json()
    ] == [published.tracking_code]
    assert client.get(url, {"status": "open"}).json() == []
    assert len(client.get(url, {"status": "closed"}).json()) == 1
    today = timezone.localdate()
    assert client.get(url, {"end_date": str(today - dt.timedelta(days=3))}).json() == []
    assert len(client.get(url, {"start_date": f"{today}T00:00:00+07:00"}).json()) == 1
    assert client.get(url, {"start_date": f"{today + dt.timedelta(days=1)}T00:00:00Z"}).json() == []
    for bad in ({"start_date": "hôm qua"}, {"end_date": "2026-13-45"}, {"status": "done"}):
        assert_spec_error(client.get(url, bad), "json", 400)
    assert_spec_error(client.get(url, {"page": "0"}), "json", 400)
    assert_spec_error(
        client.get(url, {"start_date": "2026-05-02", "end_date": "2026-05-01"}), "json", 400
    )


def test_a_key_with_feedback_read_sees_its_units_reports(
    client, make_api_client, published, unpublished, commune, other_commune, categories
):
    elsewhere = submit(categories["y-te"], other_commune, "Trạm y tế đóng cửa.")
    _, key = make_api_client(scopes=[ApiScope.FEEDBACK_READ], units=[commune])
    items = client.get(f"{BASE}requests.json", {"api_key": key, "page_size": 1}).json()
    assert len(items) == 1
    items += client.get(f"{BASE}requests.json", {"api_key": key, "page_size": 1, "page": 2}).json()
    assert {i["service_request_id"] for i in items} == {
        published.tracking_code,
        unpublished.tracking_code,
    }
    assert elsewhere.tracking_code not in {i["service_request_id"] for i in items}
    assert_spec_error(client.get(f"{BASE}requests.json", {"api_key": "sai"}), "json", 403)


@FORMATS
def test_get_one_request_with_extensions(client, published, fmt):
    path = f"requests/{published.tracking_code}"
    response, body = get(client, path, fmt, extensions="true")
    assert response.status_code == 200
    if fmt == "json":
        extended = body[0]["extended_attributes"]
        assert extended["status"] == "answered"
        assert extended["status_label"] == "Đã trả lời"
        assert extended["commune_code"] == "16681"
        assert extended["answered_datetime"].endswith(W3C_LOCAL)
    else:
        assert body.findtext("request/extended_attributes/status") == "answered"
        assert body.findtext("request/service_request_id") == published.tracking_code
    assert_spec_error(client.get(f"{BASE}requests/PA-KHONGCO.{fmt}"), fmt, 404)


@FORMATS
def test_service_request_updates(client, published, unpublished, fmt):
    response, body = get(client, "servicerequestupdates", fmt, extensions="true")
    assert response.status_code == 200
    if fmt == "xml":
        assert body.tag == "service_request_updates"
        items = [{c.tag: c.text for c in update} for update in body]
        kinds = [u.findtext("extended_attributes/kind") for u in body]
    else:
        items = body
        kinds = [u["extended_attributes"]["kind"] for u in body]
    assert {i["service_request_id"] for i in items} == {published.tracking_code}
    assert kinds[0] == "submitted" and "answered" in kinds
    statuses = dict(zip(kinds, [i["status"] for i in items], strict=True))
    assert statuses["submitted"] == "open"
    assert statuses["accepted"] == "open"
    assert statuses["answered"] == "closed"
    assert items[-1]["updated_datetime"].endswith(W3C_LOCAL)
    assert "0912345678" not in response.content.decode()
    later = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    assert get(client, "servicerequestupdates", "json", start_date=later)[1] == []
    assert_spec_error(
        client.get(f"{BASE}servicerequestupdates.{fmt}", {"start_date": "x"}), fmt, 400
    )


def test_unknown_format_and_method(client, categories):
    assert client.get(f"{BASE}services.html").status_code == 404
    assert client.delete(f"{BASE}services.json").status_code == 405


def test_request_list_queries_do_not_grow(client, make_api_client, categories, commune):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, key = make_api_client(scopes=[ApiScope.FEEDBACK_READ])
    submit(categories["y-te"], commune, "Trạm y tế đóng cửa.")
    client.get(f"{BASE}requests.xml", {"api_key": key})  # the first call records the key's use
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(f"{BASE}requests.xml", {"api_key": key}).content) > 0
    for n in range(4):
        submit(categories["y-te"], commune, f"Trạm y tế số {n} đóng cửa.")
    with CaptureQueriesContext(connection) as five:
        response = client.get(f"{BASE}requests.xml", {"api_key": key, "extensions": "true"})
    assert len(ET.fromstring(response.content)) == 5  # noqa: S314  # our own answer
    assert len(five) == len(one)


def test_xml_escapes_markup_and_drops_characters_xml_cannot_carry():
    document = to_xml("errors", [{"code": 400, "description": 'a\x07 <b>&amp; "c" ✓ Đường'}])
    root = ET.fromstring(document)  # noqa: S314  # our own answer
    assert root.findtext("error/description") == 'a <b>&amp; "c" ✓ Đường'
    assert b"&lt;b&gt;&amp;amp;" in document


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("anh.png", buffer.getvalue(), content_type="image/png")


@FORMATS
def test_media_url_is_stored_never_fetched_and_read_back(
    client, make_api_client, categories, commune, alice, commune_leader, fmt
):
    _, key = make_api_client(
        scopes=[ApiScope.FEEDBACK_WRITE, ApiScope.FEEDBACK_READ], units=[commune]
    )
    photo_url = "https://anh.he-thong-khac.vn/phan-anh/123.jpg"
    response = client.post(
        f"{BASE}requests.{fmt}",
        {
            "api_key": key,
            "service_code": "moi-truong-rac-thai",
            "address_string": "Đường Lê Lợi",
            "description": "Rác tồn đọng trước số 12 đường Lê Lợi.",
            "media_url": photo_url,
        },
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get(media_url=photo_url)
    assert not report.attachments.exists()  # the address is kept, the photo is not fetched
    # A key that may read the report gets the address back; the public does not see the report.
    _, body = get(client, f"requests/{report.tracking_code}", "json", api_key=key)
    assert body[0]["media_url"] == photo_url
    bad = {"api_key": key, "service_code": "moi-truong-rac-thai", "address_string": "Lê Lợi"}
    bad |= {"description": "Rác.", "media_url": "javascript:alert(1)"}
    assert "Đường dẫn ảnh" in assert_spec_error(client.post(f"{BASE}requests.{fmt}", bad), fmt, 400)


@FORMATS
def test_get_requests_gives_the_public_photo_of_a_published_report(
    client, categories, commune, alice, commune_leader, fmt
):
    report = submit(
        categories["moi-truong-rac-thai"],
        commune,
        "Rác tồn đọng ở chợ Vinh.",
        files=[_png()],
        media_url="https://anh.he-thong-khac.vn/1.jpg",
    )
    services.report_accept(report=report, by=alice)
    services.report_draft_answer(report=report, by=alice, answer="Đã thu gom.")
    services.report_approve_answer(report=report, by=commune_leader)
    services.report_publish(report=report, by=alice)
    photo = report.attachments.get()
    expected = f"http://testserver/phan-anh/cong-khai/{report.tracking_code}/tep/{photo.pk}/"
    for path in ("requests", f"requests/{report.tracking_code}"):
        response, body = get(client, path, fmt)
        assert response.status_code == 200
        media = body[0]["media_url"] if fmt == "json" else body.findtext("request/media_url")
        assert media == expected
    assert client.get(expected)["Content-Type"] == "image/png"
