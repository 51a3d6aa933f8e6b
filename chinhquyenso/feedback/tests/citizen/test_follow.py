"""After sending: the private follow-up page, supplying information, rating, reopening; joining a
similar report; the public look-up by code; the flood limit for anonymous senders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from chinhquyenso.feedback import services
from chinhquyenso.feedback.forms.citizen import draft_dumps
from chinhquyenso.feedback.models import Category, Rating, Report, Reporter, Status
from chinhquyenso.feedback.tests.conftest import REPORTER_NAME, REPORTER_PHONE
from chinhquyenso.portal.tests.test_pages import text_of

pytestmark = pytest.mark.django_db


def follow_url(reporter: Reporter, action: str = "") -> str:
    return f"/phan-anh/theo-doi/{reporter.access_token}/{action}"


def reporter_of(report: Report) -> Reporter:
    return report.reporters.get(is_original=True)


# --- The private page ------------------------------------------------------------------------


def test_wrong_or_missing_token_is_not_found(client, submitted_report):
    assert client.get("/phan-anh/theo-doi/khong-dung/").status_code == 404
    assert client.get("/phan-anh/theo-doi/" + "x" * 70 + "/").status_code == 404
    assert client.post("/phan-anh/theo-doi/khong-dung/danh-gia/").status_code == 404
    assert client.get("/phan-anh/da-gui/khong-dung/").status_code == 404


def test_follow_page_shows_status_and_public_history_only(client, accepted_report, alice):
    services.report_add_note(report=accepted_report, by=alice, note="Ghi chú nội bộ bí mật")
    response = client.get(follow_url(reporter_of(accepted_report)))
    text = text_of(response)
    assert response.status_code == 200
    assert accepted_report.tracking_code in text
    assert "Đã tiếp nhận" in text
    assert "Gửi phản ánh" in text and "Tiếp nhận" in text
    assert "Ghi chú nội bộ bí mật" not in text
    assert response["Cache-Control"].startswith("max-age=0")


def test_script_in_the_text_is_shown_as_text(client, make_report):
    report = make_report(text='Cống vỡ <script>alert("x")</script> <b>đậm</b>')
    html = client.get(follow_url(reporter_of(report))).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;đậm&lt;/b&gt;" in html


def test_reporter_supplies_requested_information(client, in_progress_report, alice):
    services.report_request_info(
        report=in_progress_report, by=alice, question="Xin cho biết số nhà cụ thể."
    )
    reporter = reporter_of(in_progress_report)
    page = text_of(client.get(follow_url(reporter)))
    assert "Cơ quan xử lý cần bạn bổ sung thông tin" in page
    assert "Xin cho biết số nhà cụ thể." in page

    empty = client.post(follow_url(reporter, "bo-sung/"), {"text": ""})
    assert "Mời bạn viết thông tin bổ sung." in text_of(empty)

    response = client.post(follow_url(reporter, "bo-sung/"), {"text": "Số nhà 14."}, follow=True)
    assert "Đã gửi thông tin bổ sung" in text_of(response)
    in_progress_report.refresh_from_db()
    assert in_progress_report.status == Status.IN_PROGRESS


def test_answer_is_shown_and_rated_dissatisfied_with_reopen(client, answered_report):
    reporter = reporter_of(answered_report)
    page = text_of(client.get(follow_url(reporter)))
    assert "Câu trả lời" in page
    assert "Đã thu gom rác và lắp biển cấm đổ rác." in page
    assert "Đánh giá kết quả xử lý" in page

    wrong = client.post(
        follow_url(reporter, "danh-gia/"), {"value": "satisfied", "request_reopen": "on"}
    )
    assert "Chỉ đề nghị xử lý lại được khi bạn chọn “Không hài lòng”." in text_of(wrong)

    response = client.post(
        follow_url(reporter, "danh-gia/"),
        {"value": "dissatisfied", "comment": "Rác vẫn còn.", "request_reopen": "on"},
        follow=True,
    )
    text = text_of(response)
    assert "Đã ghi nhận đánh giá và đề nghị xử lý lại" in text
    assert "Đề nghị xử lý lại của bạn đang chờ lãnh đạo xem xét." in text
    assert "Không hài lòng" in text
    answered_report.refresh_from_db()
    assert answered_report.status == Status.REOPEN_REQUESTED
    assert Rating.objects.get().comment == "Rác vẫn còn."


def test_rating_after_the_window_is_explained(client, answered_report):
    Report.objects.filter(pk=answered_report.pk).update(
        answered_at=timezone.now() - dt.timedelta(days=15)
    )
    reporter = reporter_of(answered_report)
    page = text_of(client.get(follow_url(reporter)))
    assert "Thời hạn đánh giá đã hết" in page
    assert "Gửi đánh giá" not in page
    # A form kept open from before is refused by the service with a message, nothing stored.
    response = client.post(follow_url(reporter, "danh-gia/"), {"value": "neutral"})
    assert "Đã hết thời hạn đánh giá" in text_of(response)
    assert Rating.objects.count() == 0


def test_no_reopen_offered_after_the_maximum(client, answered_report, settings):
    Report.objects.filter(pk=answered_report.pk).update(reopen_count=settings.FEEDBACK_MAX_REOPENS)
    reporter = reporter_of(answered_report)
    page = client.get(follow_url(reporter)).content.decode()
    assert "là số lần tối đa, nên không thể đề nghị xử lý lại nữa" in page
    assert 'name="request_reopen"' not in page
    response = client.post(
        follow_url(reporter, "danh-gia/"), {"value": "dissatisfied", "request_reopen": "on"}
    )
    assert "đã được xử lý lại tối đa 2 lần" in text_of(response)
    assert Rating.objects.count() == 0


# --- Joining a similar report ----------------------------------------------------------------


@pytest.fixture
def step1(category: Category, commune: Any) -> dict[str, str]:
    return {
        "text": "Rác thải đổ trộm ở đầu ngõ 12 đường Lê Lợi, bốc mùi.",
        "category": str(category.pk),
        "section": str(category.pk),
        "q_since": "Mấy hôm",
        "commune": str(commune.pk),
        "latitude": "18.679600",
        "longitude": "105.681300",
        "phone": "0988 111 222",
        "consent": "on",
    }


def test_similar_open_report_is_offered_and_joined(client, submitted_report, step1):
    confirm = client.post("/phan-anh/gui/", step1)
    html = confirm.content.decode()
    assert "Có thể việc này đã có người phản ánh" in text_of(confirm)
    assert f'name="join" value="{submitted_report.tracking_code}"' in html
    assert REPORTER_NAME not in html and REPORTER_PHONE not in html

    response = client.post(
        "/phan-anh/gui/xac-nhan/",
        {"draft": draft_dumps(step1), "join": submitted_report.tracking_code},
    )
    assert response.status_code == 302
    assert Report.objects.count() == 1
    joined = submitted_report.reporters.get(is_original=False)
    assert joined.phone == "0988111222"
    page = text_of(client.get(response["Location"]))
    assert "Bạn đã tham gia phản ánh" in page
    assert submitted_report.tracking_code in page


def test_joining_an_unknown_report_is_not_found(client, step1):
    response = client.post(
        "/phan-anh/gui/xac-nhan/", {"draft": draft_dumps(step1), "join": "PA-0000-0000"}
    )
    assert response.status_code == 404
    assert Reporter.objects.count() == 0


# --- Look-up by code -------------------------------------------------------------------------


def test_lookup_by_code_shows_public_status_without_personal_data(client, accepted_report):
    typed = accepted_report.tracking_code.lower().replace("-", " ")
    response = client.get("/phan-anh/tra-cuu/", {"ma": typed})
    text = text_of(response)
    assert accepted_report.tracking_code in text
    assert "Đã tiếp nhận" in text
    assert REPORTER_NAME not in text and REPORTER_PHONE not in text
    assert "theo-doi" not in response.content.decode()


def test_lookup_of_a_confidential_report_hides_its_text(client, confidential_report):
    text = text_of(client.get("/phan-anh/tra-cuu/", {"ma": confidential_report.tracking_code}))
    assert confidential_report.tracking_code in text
    assert "hách dịch" not in text
    assert "Lê Thị Mai" not in text
    assert "được xử lý kín" in text


def test_lookup_with_a_mistyped_or_unknown_code(client, db):
    text = text_of(client.get("/phan-anh/tra-cuu/", {"ma": "PA-1234"}))
    assert "Mã phản ánh không đúng" in text
    text = text_of(client.get("/phan-anh/tra-cuu/", {"ma": "PA-0000-0000"}))
    assert "Không tìm thấy phản ánh có mã PA-0000-0000" in text


# --- Flood limit -----------------------------------------------------------------------------


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_anonymous_flood_is_refused_with_a_vietnamese_429(client, settings, step1, fresh_cache):
    settings.FEEDBACK_ANONYMOUS_PER_HOUR = 2
    data = {**step1, "latitude": "", "longitude": ""}
    for _ in range(2):
        assert (
            client.post("/phan-anh/gui/xac-nhan/", {"draft": draft_dumps(data)}).status_code == 302
        )
    response = client.post("/phan-anh/gui/xac-nhan/", {"draft": draft_dumps(data)})
    assert response.status_code == 429
    assert int(response["Retry-After"]) <= 3601
    assert "Tạm thời chưa gửi được" in text_of(response)
    assert Report.objects.count() == 2
    # Another address is not affected.
    other = client.post(
        "/phan-anh/gui/xac-nhan/", {"draft": draft_dumps(data)}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 302


def test_logged_in_citizen_is_not_limited(client, settings, step1, charlie, fresh_cache):
    settings.FEEDBACK_ANONYMOUS_PER_HOUR = 1
    client.force_login(charlie)
    data = {**step1, "latitude": "", "longitude": "", "phone": "", "consent": ""}
    for _ in range(3):
        assert (
            client.post("/phan-anh/gui/xac-nhan/", {"draft": draft_dumps(data)}).status_code == 302
        )
    assert Reporter.objects.filter(user=charlie).count() == 3


def test_the_flood_limit_holds_across_processes_sharing_the_file_cache(
    client, settings, step1, tmp_path
):
    """Two server processes are two Django caches over the same folder (the default when not
    testing): what one counted, the other refuses."""
    shared = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path),
    }
    settings.CACHES = {"default": shared}
    settings.FEEDBACK_ANONYMOUS_PER_HOUR = 1
    data = {**step1, "latitude": "", "longitude": ""}
    assert client.post("/phan-anh/gui/xac-nhan/", {"draft": draft_dumps(data)}).status_code == 302
    # "Another process": setting the caches again drops this process's cache objects (Django
    # rebuilds them); only the folder remains.
    settings.CACHES = {"default": dict(shared)}
    response = client.post("/phan-anh/gui/xac-nhan/", {"draft": draft_dumps(data)})
    assert response.status_code == 429
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("", "django.core.cache.backends.filebased.FileBasedCache"),
        ("redis://cache.internal:6379/0", "django.core.cache.backends.redis.RedisCache"),
        ("db://cqs_cache", "django.core.cache.backends.db.DatabaseCache"),
        ("file:///srv/cqs-cache", "django.core.cache.backends.filebased.FileBasedCache"),
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache"),
    ],
)
def test_the_cache_setting(url, backend):
    from chinhquyenso.settings import _cache_from_url

    assert _cache_from_url(url or "file://")["BACKEND"] == backend
    if url.startswith("file:///"):
        assert _cache_from_url(url)["LOCATION"] == "/srv/cqs-cache"
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        _cache_from_url("memcache://x")
